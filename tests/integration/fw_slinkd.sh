#!/usr/bin/env bash
# Firmware against the real daemon: the example device on QEMU mps2-an385
# (UART0 on a pty), slinkd on the other end of the pty as bus address 1,
# and a test client on slinkd's local sockets:
#   1. 4 KiB through the stream socket come back upper-cased, byte-exact
#   2. "count" on the datagram socket is answered with a counter
#   3. slinkd is restarted: the device re-handshakes and serves again
# Usage: fw_slinkd.sh DEVICE_ELF SLINKD SLINKCTL PKI_DIR WORKDIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/fw_qemu.sh"
fwq_require
elf=$1 slinkd=$2 slinkctl=$3 pki=$4 dir=$5
mkdir -p "$dir"
DPID=""
stop_daemon() {
    [ -n "$DPID" ] || return 0
    kill "$DPID" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$DPID" 2>/dev/null
    wait "$DPID" 2>/dev/null
    DPID=""
}
trap 'stop_daemon; fwq_stop "$dir"' EXIT
pass=0 fail=0
ok()  { echo "ok   - $1"; pass=$((pass + 1)); }
bad() { echo "FAIL - $1"; fail=$((fail + 1)); }

# slinkd refuses root without a user to drop to; this harness keeps root
# (tests/integration/slinkd_t_privdrop.sh tests the drop)
ROOT_OPT=()
[ "$(id -u)" = 0 ] && ROOT_OPT=(--allow-root)
start_daemon() { # LOGNAME
    rm -f "$dir/s.sock" "$dir/d.sock" "$dir/ctl"
    "$slinkd" "${ROOT_OPT[@]}" --foreground --device "$FWQ_PTY" --baud 115200 --addr 1 --role initiator \
        --ca "$pki/ca.der" --cert "$pki/host.der" --key "$pki/host.key" \
        --peer 7 --peer-name slink-dev-7 --socket "$dir/s.sock" --dgram-socket "$dir/d.sock" \
        --ctl "$dir/ctl" >"$dir/$1.log" 2>&1 &
    DPID=$!
}

wait_established() { # SECONDS
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

client() { # SIZE -> prints a result line, exit status
    timeout 60 python3 - "$dir/s.sock" "$dir/d.sock" "$1" <<'PY'
import os, random, select, socket, sys, time
sp, dp, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = random.Random(size).randbytes(size)
want = bytes(b - 32 if 97 <= b <= 122 else b for b in data)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(sp); s.setblocking(False)
sent, got, end, t0 = 0, bytearray(), time.time() + 45, time.time()
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
d = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); d.connect(dp); d.settimeout(10)
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

fwq_start "$dir" "$elf" "$pki/nv.bin" || { echo "fw_slinkd: 0 passed, 1 failed"; exit 1; }
fwq_cont "$dir"
start_daemon slinkd1
if wait_established 40; then
    if r=$(client 4096); then ok "slinkd <-> device: $r"; else bad "slinkd <-> device: $r"; fi
else
    bad "slinkd did not establish a session with the device: $(tail -n 3 "$dir/slinkd1.log")"
fi
stop_daemon
start_daemon slinkd2
if wait_established 40 && r=$(client 2048); then
    ok "slinkd restarted: device re-handshakes; $r"
else
    bad "after slinkd restart: ${r:-} $(tail -n 3 "$dir/slinkd2.log")"
fi
stop_daemon
echo "fw_slinkd: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
