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
. "$here/fw_daemon.sh"
trap 'fwd_stop; fwq_stop "$dir"' EXIT

fwq_start "$dir" "$elf" "$pki/nv.bin" || { echo "fw_slinkd: 0 passed, 1 failed"; exit 1; }
fwq_cont "$dir"
fwd_start slinkd1
if fwd_wait_established 40; then
    if r=$(fwd_client 4096 45); then ok "slinkd <-> device: $r"; else bad "slinkd <-> device: $r"; fi
else
    bad "slinkd did not establish a session with the device: $(tail -n 3 "$dir/slinkd1.log")"
fi
fwd_stop
fwd_start slinkd2
if fwd_wait_established 40 && r=$(fwd_client 2048 45); then
    ok "slinkd restarted: device re-handshakes; $r"
else
    bad "after slinkd restart: ${r:-} $(tail -n 3 "$dir/slinkd2.log")"
fi
fwd_stop
echo "fw_slinkd: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
