#!/usr/bin/env bash
# Memory measurement for `make firmware-size`: boots the example device on
# QEMU, runs one full session with fw-host (handshake, 4 KiB echo,
# datagrams, close) and stores the device's own report (painted stack
# depth, mbedTLS allocator peak and pool high-water) in OUT.  Without QEMU
# it writes nothing and says so.
# Usage: fw_measure.sh DEVICE_ELF FW_HOST PKI_DIR WORKDIR OUT
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/fw_qemu.sh"
elf=$1 host=$2 pki=$3 dir=$4 out=$5
rm -f "$out"
if ! command -v qemu-system-arm >/dev/null 2>&1 || ! command -v socat >/dev/null 2>&1; then
    echo "fw_measure: qemu-system-arm or socat missing: no run-time measurement"
    exit 0
fi
mkdir -p "$dir"
trap 'fwq_stop "$dir"' EXIT
fwq_start "$dir" "$elf" || exit 1
fwq_cont "$dir"
if timeout 90 "$host" --pty "$FWQ_PTY" --peer-name slink-dev-7 --ca "$pki/ca.der" \
        --cert "$pki/host.der" --key "$pki/host.key" --bytes 4096 --count 2 --timeout 60 >"$dir/host.log" 2>&1; then
    sed -n 's/^fw-host: device stats: //p' "$dir/host.log" >"$out"
    grep -E "handshake ok|stream ok" "$dir/host.log"
else
    echo "fw_measure: session failed: $(tail -n 2 "$dir/host.log")"
    exit 1
fi
