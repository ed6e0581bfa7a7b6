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
. "$here/fw_daemon.sh"
trap 'fwd_stop; fwq_stop "$dir"' EXIT

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

# A second host certificate for the same name, never seen by the device.
"$slinkpki" issue --force --ca-cert "$pki/ca.der" --ca-key "$pki/ca.key" --der --name slink-host --addr 1 \
    --out-cert "$dir/host2.der" --out-key "$dir/host2.key" >"$dir/pki.log" 2>&1 ||
    { echo "fw_microbit: cannot issue the second host certificate: $(cat "$dir/pki.log")"; exit 1; }

if [ "$board" = microbit ]; then
    # UART0 (the link) on a pty, the console over semihosting, no NV
    # sector (the RNG seeds the device)
    FWQ_MACHINE=microbit FWQ_CONSOLE=semihosting FWQ_QEMU_ARGS="-icount shift=0" fwq_start "$dir" "$elf" ||
        { echo "fw_microbit: 0 passed, 1 failed"; exit 1; }
else
    FWQ_QEMU_ARGS="-icount shift=0" fwq_start "$dir" "$elf" "$pki/nv.bin" ||
        { echo "fw_microbit: 0 passed, 1 failed"; exit 1; }
fi
fwq_cont "$dir"
fwd_start slinkd1
if fwd_wait_established 90 && wait_msg3_run 30; then
    if r=$(fwd_client 4096 80); then ok "$what <-> slinkd: $r"; else bad "$what <-> slinkd: $r"; fi
else
    bad "slinkd did not establish a session with the $what device: $(tail -n 3 "$dir/slinkd1.log"; tail -n 5 "$dir/console.log")"
fi
fwd_stop

fwd_start slinkd2
if fwd_wait_established 90 && wait_msg3_run 30 && r=$(fwd_client 1024 80); then
    ok "slinkd restarted (same certificate): the device handshakes again; $r"
else
    bad "after slinkd restart: ${r:-} $(tail -n 3 "$dir/slinkd2.log")"
fi
fwd_stop

fwd_start slinkd3 "$dir/host2.der" "$dir/host2.key"
if fwd_wait_established 90 && wait_msg3_run 30 && r=$(fwd_client 1024 80); then
    ok "slinkd restarted (new certificate for the same name): established; $r"
    stats=$(dgram stats)
else
    bad "after slinkd restart with a new certificate: ${r:-} $(tail -n 3 "$dir/slinkd3.log")"
fi
fwd_stop

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
