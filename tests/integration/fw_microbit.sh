#!/usr/bin/env bash
# The example device on the second board, QEMU's microbit (nRF51822,
# Cortex-M0, 16 KiB RAM; firmware/board/microbit), against the real daemon,
# with the instruction counter as the clock (-icount shift=0: one
# instruction per virtual nanosecond, so the device's busy milliseconds are
# millions of instructions):
#   1. slinkd establishes; 4 KiB through the stream socket come back
#      upper-cased, byte-exact; "count" datagrams are answered
#   2. slinkd restarted with the same certificate: the device handshakes
#      again (its verified-certificate cache holds the host's certificate)
#   3. slinkd restarted with a new certificate for the same name: the device
#      verifies it against the CA in full
# The board reports each busy run of 20 ms or more on its console
# ("fw: busy run cycles=N", 16 MHz SysTick cycles; at one instruction per
# nanosecond a cycle is 62.5 instructions): the run before "established"
# is msg1's (key generation, ECDH, signature), the one after it msg3's
# (the host certificate's CA signature unless cached, msg3's signature).
# The device's "stats" give the painted stack and heap peaks.  Figures go
# to OUT (key=value).
# BOARD an385 runs the same steps on QEMU mps2-an385 (Cortex-M3, 25 MHz)
# with an image built to report its busy runs too, so that the two cores'
# handshake counts stand side by side (keys m3_* instead of mb_*).
# Usage: fw_microbit.sh BOARD DEVICE_ELF SLINKD SLINKCTL SLINK_PKI PKI_DIR WORKDIR OUT
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/fw_qemu.sh"
fwq_require
board=$1 elf=$2 slinkd=$3 slinkctl=$4 slinkpki=$5 pki=$6 dir=$7 out=$8
case $board in
    microbit) prefix=mb hz=16000000 what="microbit (Cortex-M0)" ;;
    an385) prefix=m3 hz=25000000 what="mps2-an385 (Cortex-M3)" ;;
    *) echo "fw_microbit: unknown board $board"; exit 1 ;;
esac
mkdir -p "$dir"
rm -f "$out"
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

# QEMU microbit: UART0 (the link) on a pty, the semihosting console in
# console.log, paused until the host side is ready, monitor as fw_qemu.sh.
mb_start() {
    rm -f "$dir/mon.sock" "$dir/qemu.log" "$dir/console.log"
    qemu-system-arm -M microbit -display none -nodefaults -S \
        -kernel "$elf" -serial pty \
        -chardev "file,id=con,path=$dir/console.log" \
        -semihosting-config enable=on,target=native,chardev=con \
        -icount shift=0 \
        -monitor "unix:$dir/mon.sock,server=on,wait=off" >"$dir/qemu.log" 2>&1 &
    FWQ_PID=$!
    echo "$FWQ_PID" >"$dir/qemu.pid"
    FWQ_PTY=""
    local i
    for i in $(seq 1 100); do
        FWQ_PTY=$(sed -n 's/.*redirected to \(\/dev\/pts\/[0-9]*\).*/\1/p' "$dir/qemu.log" 2>/dev/null | head -n 1 || true)
        [ -n "$FWQ_PTY" ] && [ -S "$dir/mon.sock" ] && break
        if ! kill -0 "$FWQ_PID" 2>/dev/null; then
            echo "mb_start: QEMU exited:" >&2; cat "$dir/qemu.log" >&2; return 1
        fi
        sleep 0.1
    done
    [ -n "$FWQ_PTY" ] || { echo "mb_start: no pty from QEMU after 10 s" >&2; cat "$dir/qemu.log" >&2; return 1; }
}

ROOT_OPT=()
[ "$(id -u)" = 0 ] && ROOT_OPT=(--allow-root)
start_daemon() { # LOGNAME CERT KEY
    rm -f "$dir/s.sock" "$dir/d.sock" "$dir/ctl"
    "$slinkd" "${ROOT_OPT[@]}" --foreground --device "$FWQ_PTY" --baud 115200 --addr 1 --role initiator \
        --ca "$pki/ca.der" --cert "$2" --key "$3" \
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

# Until the device has reported the busy run of the last session's msg3
# (the first one after its latest "established"), so that no stream or
# datagram traffic runs inside it and counts as handshake work.
wait_msg3_run() { # SECONDS
    local i
    for i in $(seq 1 $(($1 * 5))); do
        awk '/^fw: established/ {r = 0} /^fw: busy run/ {r = 1} END {exit !r}' "$dir/console.log" && return 0
        sleep 0.2
    done
    return 1
}

# One datagram request; prints the reply.
dgram() { # REQUEST
    timeout 30 python3 - "$dir/d.sock" "$1" <<'PY'
import socket, sys
d = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); d.connect(sys.argv[1]); d.settimeout(20)
d.send(sys.argv[2].encode())
print(d.recv(256).decode().strip())
PY
}

# kv REPLY KEY: the value of KEY in a "k=v k=v" reply
kv() { sed -n "s/.*\b$2=\([0-9]*\).*/\1/p" <<<"$1"; }

client() { # SIZE
    timeout 90 python3 - "$dir/s.sock" "$dir/d.sock" "$1" <<'PY'
import random, select, socket, sys, time
sp, dp, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = random.Random(size).randbytes(size)
want = bytes(b - 32 if 97 <= b <= 122 else b for b in data)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(sp); s.setblocking(False)
sent, got, end, t0 = 0, bytearray(), time.time() + 80, time.time()
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
d = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); d.connect(dp); d.settimeout(20)
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

# A second host certificate for the same name, never seen by the device.
"$slinkpki" issue --force --ca-cert "$pki/ca.der" --ca-key "$pki/ca.key" --der --name slink-host --addr 1 \
    --out-cert "$dir/host2.der" --out-key "$dir/host2.key" >"$dir/pki.log" 2>&1 ||
    { echo "fw_microbit: cannot issue the second host certificate: $(cat "$dir/pki.log")"; exit 1; }

if [ "$board" = microbit ]; then
    mb_start || { echo "fw_microbit: 0 passed, 1 failed"; exit 1; }
else
    FWQ_QEMU_ARGS="-icount shift=0" fwq_start "$dir" "$elf" "$pki/nv.bin" ||
        { echo "fw_microbit: 0 passed, 1 failed"; exit 1; }
fi
fwq_cont "$dir"
start_daemon slinkd1 "$pki/host.der" "$pki/host.key"
if wait_established 90 && wait_msg3_run 30; then
    if r=$(client 4096); then ok "$what <-> slinkd: $r"; else bad "$what <-> slinkd: $r"; fi
else
    bad "slinkd did not establish a session with the $what device: $(tail -n 3 "$dir/slinkd1.log"; tail -n 5 "$dir/console.log")"
fi
stop_daemon

start_daemon slinkd2 "$pki/host.der" "$pki/host.key"
if wait_established 90 && wait_msg3_run 30 && r=$(client 1024); then
    ok "slinkd restarted (same certificate): the device handshakes again; $r"
else
    bad "after slinkd restart: ${r:-} $(tail -n 3 "$dir/slinkd2.log")"
fi
stop_daemon

start_daemon slinkd3 "$dir/host2.der" "$dir/host2.key"
if wait_established 90 && wait_msg3_run 30 && r=$(client 1024); then
    ok "slinkd restarted (new certificate for the same name): established; $r"
    stats=$(dgram stats)
else
    bad "after slinkd restart with a new certificate: ${r:-} $(tail -n 3 "$dir/slinkd3.log")"
fi
stop_daemon

# Sessions 1 (first handshake after boot) and 3 (a certificate the device
# never saw) verify the host's certificate against the CA; session 2 finds
# it in the verified-certificate cache.
if [ -n "${stats:-}" ] && figures=$(python3 - "$dir/console.log" "$prefix" "$hz" <<'PY'
import re, sys
pf, hz = sys.argv[2], int(sys.argv[3])
lines = open(sys.argv[1], errors="replace").read().splitlines()
est = [i for i, l in enumerate(lines) if l.startswith("fw: established")]
runs = {i: int(m.group(1)) for i, l in enumerate(lines)
        for m in [re.match(r"fw: busy run cycles=(\d+)", l)] if m}
if len(est) < 3:
    sys.exit("fewer than 3 sessions on the console")
res = {}
for k, e in enumerate(est[:3], 1):
    before = [c for i, c in runs.items() if i < e and (k == 1 or i > est[k - 2])]
    after = [c for i, c in sorted(runs.items()) if i > e]
    if not before or not after:
        sys.exit("session %d: no busy run around it" % k)
    res["msg1_%d" % k], res["msg3_%d" % k] = before[-1], after[0]
ins = lambda c: c * 10**9 // hz     # processor cycles -> instructions at 1 ns each
print("%s_hs_msg1_instr=%d" % (pf, ins(res["msg1_2"])))
print("%s_hs_msg3_instr_cached=%d" % (pf, ins(res["msg3_2"])))
print("%s_hs_msg3_instr_full=%d" % (pf, ins(res["msg3_1"])))
print("%s_hs_msg3_instr_full_new_cert=%d" % (pf, ins(res["msg3_3"])))
print("%s_hs_instr_cached=%d" % (pf, ins(res["msg1_2"] + res["msg3_2"])))
# session 1's msg1 run may hold the boot's work too (msg1 can arrive before
# the device first sleeps): msg1 is taken from session 2
print("%s_hs_instr_full=%d" % (pf, ins(res["msg1_2"] + res["msg3_1"])))
PY
); then
    {
        echo "$figures"
        for k in stack_peak stack_size heap_peak heap_high_water heap_pool conn_bytes creds_bytes; do
            echo "${prefix}_$k=$(kv " $stats" $k)"
        done
    } >"$out"
    get() { sed -n "s/^$1=//p" <<<"$figures"; }
    full=$(get ${prefix}_hs_msg3_instr_full) full3=$(get ${prefix}_hs_msg3_instr_full_new_cert)
    cached=$(get ${prefix}_hs_msg3_instr_cached)
    # The cache saves one ECDSA verification, most of msg3's work: with the
    # certificate cached msg3 must cost clearly less than both full ones.
    if [ "$cached" -lt $((full * 3 / 4)) ] && [ "$cached" -lt $((full3 * 3 / 4)) ]; then
        ok "verified-certificate cache: msg3 costs the device $cached instructions cached, $full / $full3 verified in full"
    else
        bad "verified-certificate cache: msg3 $cached instructions cached, $full / $full3 in full"
    fi
else
    bad "no handshake figures: ${figures:-} (console: $(tail -n 3 "$dir/console.log"))"
fi
echo "fw_microbit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
