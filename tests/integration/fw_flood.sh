#!/usr/bin/env bash
# The example device under a line-rate msg1 flood (issue 12): QEMU
# mps2-an385 with the instruction counter tied to the clock (-icount, so
# the Cortex-M3 runs at a fixed instruction rate, about a real part's, and
# public-key work takes its real share of time), slinkd as the host
# (initiator, address 1), and between them fw_flood_relay.py, which plays a
# 115200-baud line into the device and, while the flood is on, fills every
# idle moment of that line with forged msg1s (dst 7, src 1).
# fw_flood_client.py pings the device's echo through slinkd's stream socket
# before, during and after the flood and reads the device's counters.
# Passes when every echo came back byte-exact, no ping stalled (each is
# answered within 20 s; the flood lasts at least 20 s and until 4 echoes
# came back, so their number is not a draw), the flood
# saturated the device (its receive ring overran and it refused at least 90 %
# of the msg1s it parsed), and slinkd's session id never changed; the figures are
# in WORKDIR/figures.json and on stdout.
# Usage: fw_flood.sh DEVICE_ELF SLINKD SLINKCTL PKI_DIR WORKDIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/fw_qemu.sh"
fwq_require
elf=$1 slinkd=$2 slinkctl=$3 pki=$4 dir=$5
mkdir -p "$dir"
DPID="" RPID=""
cleanup() {
    local p
    for p in $DPID $RPID; do
        kill "$p" 2>/dev/null
        for _ in $(seq 1 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    fwq_stop "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL - $1"; echo "fw_flood: 0 passed, 1 failed"; exit 1; }

# 2^5 ns a guest instruction: 31 M instructions a second, about what a
# 25 MHz Cortex-M3 retires; align keeps guest time on the host's clock
# (the relay paces the line in host time).
FWQ_QEMU_ARGS="-icount shift=5,align=on"
fwq_start "$dir" "$elf" "$pki/nv.bin" || fail "QEMU did not start"

rm -f "$dir/host.pty"
python3 "$here/fw_flood_relay.py" serve "$FWQ_PTY" "$dir/host.pty" "$dir/relay.sock" \
    >"$dir/relay.log" 2>&1 &
RPID=$!
for _ in $(seq 1 100); do [ -s "$dir/host.pty" ] && [ -S "$dir/relay.sock" ] && break; sleep 0.1; done
[ -s "$dir/host.pty" ] || fail "relay did not start: $(cat "$dir/relay.log")"
fwq_cont "$dir"

ROOT_OPT=()
[ "$(id -u)" = 0 ] && ROOT_OPT=(--allow-root)
rm -f "$dir/s.sock" "$dir/d.sock" "$dir/ctl"
"$slinkd" "${ROOT_OPT[@]}" --foreground --device "$(cat "$dir/host.pty")" --baud 115200 --addr 1 \
    --role initiator --ca "$pki/ca.der" --cert "$pki/host.der" --key "$pki/host.key" \
    --peer 7 --peer-name slink-dev-7 --socket "$dir/s.sock" --dgram-socket "$dir/d.sock" \
    --ctl "$dir/ctl" >"$dir/slinkd.log" 2>&1 &
DPID=$!

est=""
for _ in $(seq 1 200); do
    st=$("$slinkctl" --ctl "$dir/ctl" status --json 2>/dev/null |
         python3 -c 'import json,sys; print(json.load(sys.stdin)["peers"][0]["state"])' 2>/dev/null)
    [ "$st" = established ] && { est=1; break; }
    kill -0 "$DPID" 2>/dev/null || break
    sleep 0.2
done
[ -n "$est" ] || fail "no session before the flood: $(tail -n 3 "$dir/slinkd.log")"

timeout 150 python3 "$here/fw_flood_client.py" "$dir/s.sock" "$dir/d.sock" "$slinkctl" "$dir/ctl" \
    "$dir/relay.sock" "$dir/figures.json" ${FW_FLOOD_PHASES:-}
rc=$?
grep -E "ended|replac|fail" "$dir/slinkd.log" | tail -n 5 | sed 's/^/slinkd: /'
grep -vE "^fw: (ready|established)" "$dir/console.log" | tail -n 5 | sed 's/^/device: /'
if [ "$rc" -eq 0 ]; then
    echo "ok   - device kept its session and served byte-exact echoes through a line-rate msg1 flood"
    echo "fw_flood: 1 passed, 0 failed"
else
    echo "FAIL - device under a line-rate msg1 flood (figures in $dir/figures.json)"
    echo "fw_flood: 0 passed, 1 failed"
fi
exit "$rc"
