#!/usr/bin/env bash
# Memory measurement for `make firmware-size`: boots the example device on
# QEMU and drives it through every path the end-to-end test exercises that
# can set a peak: refusal of a host from another CA and of a host with the
# wrong name, a full session (handshake, 4 KiB echo, datagrams) whose host
# vanishes without a close, and a new host handshaking over that stale
# session.  The device's own report after the last one (painted stack
# depth, mbedTLS allocator peak and pool high-water, all maxima since
# reset) goes to OUT.  Without QEMU it writes nothing and says so.
# Usage: fw_measure.sh DEVICE_ELF FW_HOST PKI_DIR WORKDIR OUT
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/fw_qemu.sh"
elf=$1 host=$2 pki=$3 dir=$4 out=$5
rm -f "$out"
if ! command -v qemu-system-arm >/dev/null 2>&1; then
    echo "fw_measure: qemu-system-arm missing: no run-time measurement"
    exit 0
fi
mkdir -p "$dir"
trap 'fwq_stop "$dir"' EXIT
fwq_start "$dir" "$elf" "$pki/nv.bin" || exit 1
fwq_cont "$dir"
run_host() { # LOGNAME ARGS...
    local name=$1; shift
    timeout 90 "$host" --pty "$FWQ_PTY" --peer-name slink-dev-7 "$@" >"$dir/$name.log" 2>&1 && return 0
    echo "fw_measure: $name run failed: $(tail -n 2 "$dir/$name.log")"
    exit 1
}
good=(--ca "$pki/ca.der" --cert "$pki/host.der" --key "$pki/host.key")
run_host otherca --ca "$pki/other-ca.der" --cert "$pki/host-otherca.der" --key "$pki/host-otherca.key" \
    --trust-ca "$pki/ca.der" --expect-fail --timeout 20
run_host wrongname --ca "$pki/ca.der" --cert "$pki/host-wrongname.der" --key "$pki/host-wrongname.key" \
    --expect-fail --timeout 20
run_host crash "${good[@]}" --bytes 4096 --count 2 --no-close --timeout 60
run_host restart "${good[@]}" --bytes 4096 --count 2 --timeout 60
sed -n 's/^fw-host: device stats: //p' "$dir/restart.log" >"$out"
if [ ! -s "$out" ]; then
    echo "fw_measure: the device sent no stats"
    exit 1
fi
for f in crash restart; do
    grep -E "handshake ok|stream ok" "$dir/$f.log" | sed "s/^/$f: /"
done
