# Shared helpers for the firmware tests that put slinkd on the other end of
# the device's UART (sourced, not run; fw_slinkd.sh, fw_microbit.sh): the
# daemon as bus address 1 initiating to the device at 7, its state, and a
# client on its local sockets.  The sourcing script sets slinkd, slinkctl,
# pki (the firmware PKI directory) and dir, and FWQ_PTY (fw_qemu.sh).
# Every wait is bounded.
#
#   fwd_start LOGNAME [CERT KEY]   start slinkd (default: $pki/host.der/.key)
#   fwd_stop                       stop it (TERM, then KILL after 3 s)
#   fwd_wait_established SECONDS   until its peer is established
#   fwd_client SIZE LIMIT          SIZE bytes through the stream socket must
#                                  come back upper-cased within LIMIT s, then
#                                  two "count" datagrams must be answered
#                                  with consecutive counts; prints a result
#   ok MSG / bad MSG               count and print a result

pass=0 fail=0
ok()  { echo "ok   - $1"; pass=$((pass + 1)); }
bad() { echo "FAIL - $1"; fail=$((fail + 1)); }

# slinkd refuses root without a user to drop to; these harnesses keep root
# (tests/integration/slinkd_t_privdrop.sh tests the drop)
FWD_ROOT_OPT=()
[ "$(id -u)" = 0 ] && FWD_ROOT_OPT=(--allow-root)
DPID=""

fwd_start() { # LOGNAME [CERT KEY]
    rm -f "$dir/s.sock" "$dir/d.sock" "$dir/ctl"
    "$slinkd" "${FWD_ROOT_OPT[@]}" --foreground --device "$FWQ_PTY" --baud 115200 --addr 1 --role initiator \
        --ca "$pki/ca.der" --cert "${2:-$pki/host.der}" --key "${3:-$pki/host.key}" \
        --peer 7 --peer-name slink-dev-7 --socket "$dir/s.sock" --dgram-socket "$dir/d.sock" \
        --ctl "$dir/ctl" >"$dir/$1.log" 2>&1 &
    DPID=$!
}

fwd_stop() {
    [ -n "$DPID" ] || return 0
    kill "$DPID" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$DPID" 2>/dev/null
    wait "$DPID" 2>/dev/null
    DPID=""
}

fwd_wait_established() { # SECONDS
    local i st
    for i in $(seq 1 $(($1 * 5))); do
        st=$("$slinkctl" --ctl "$dir/ctl" status --json 2>/dev/null |
             python3 -c 'import json,sys; print(json.load(sys.stdin)["peers"][0]["state"])' 2>/dev/null)
        [ "$st" = established ] && return 0
        kill -0 "$DPID" 2>/dev/null || return 1
        sleep 0.2
    done
    return 1
}

fwd_client() { # SIZE LIMIT
    timeout $(($2 + 10)) python3 - "$dir/s.sock" "$dir/d.sock" "$1" "$2" <<'PY'
import random, select, socket, sys, time
sp, dp, size, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
data = random.Random(size).randbytes(size)
want = bytes(b - 32 if 97 <= b <= 122 else b for b in data)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(sp); s.setblocking(False)
sent, got, t0 = 0, bytearray(), time.time()
end = t0 + limit
while len(got) < size and time.time() < end:
    r, w, _ = select.select([s], [s] if sent < size else [], [], 0.5)
    if w:
        try: sent += s.send(data[sent:sent + 1024])
        except BlockingIOError: pass
    if r:
        chunk = s.recv(65536)
        if not chunk: break
        got += chunk
if bytes(got) != want:
    print("stream: %d of %d bytes back, %s" % (len(got), size,
          "content differs" if len(got) == size else "incomplete")); sys.exit(1)
dt = time.time() - t0
d = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); d.connect(dp); d.settimeout(max(10, limit / 4))
counts = []
for _ in range(2):
    d.send(b"count")
    counts.append(d.recv(256).decode())
n = [int(c.split()[0].split("=")[1]) for c in counts]
if n[1] != n[0] + 1:
    print("datagram: replies %r" % counts); sys.exit(1)
print("%d bytes upper-cased byte-exact in %.2f s; datagram replies %s" % (size, dt, " / ".join(counts)))
PY
}
