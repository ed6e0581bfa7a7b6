#!/usr/bin/env bash
# The PSA firmware variant keeps its identity scalar out of slink's memory
# (make fw-psa-keycheck, part of fw-check):
#   1. the image as linked holds no part of the scalar; provisioning
#      changes only the ITS region, where the scalar is exactly once
#   2. the image with the region left erased refuses to start (its key id
#      names no key): the key really comes from the ITS region
#   3. after a handshake and a session with fw-host, the device's whole
#      RAM holds no part of the scalar (the PSA core's key slot is purged
#      after each signature); the raw-key image, run the same way, does
#      hold it: the check can see a key in RAM
# Usage: fw_psa_keycheck.sh BLANK_ELF PSA_ELF RAW_ELF FW_HOST PKI_DIR WORKDIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/fw_qemu.sh"
blank=$1 elf=$2 raw=$3 host=$4 pki=$5 dir=$6
mkdir -p "$dir"
pass=0 fail=0
tally() { while read -r l; do echo "$l"; case $l in ok*) pass=$((pass + 1)) ;; *) fail=$((fail + 1)) ;; esac; done; }
tally < <(python3 "$here/fw_psa_keycheck.py" image "$blank" "$elf" "$pki/device.key" || true)
fwq_require
RAM_ADDR=0x20000000 RAM_SIZE=65536

# Boots ELF in DIR/NAME; with a host run, dumps RAM after it.
run() { # NAME ELF
    local d=$dir/$1 i
    trap 'fwq_stop "$d"' RETURN
    rm -f "$d/host.log" "$d/ram.bin"
    fwq_start "$d" "$2" "$pki/nv.bin" || return 1
    fwq_cont "$d"
    # boot signs once (the key check): well under a second of guest time,
    # bounded generously for a loaded machine
    for i in $(seq 1 400); do
        grep -q "fw: ready\|FATAL" "$d/console.log" 2>/dev/null && break
        sleep 0.1
    done
    grep -q "fw: ready" "$d/console.log" || return 2
    timeout 90 "$host" --pty "$FWQ_PTY" --peer-name slink-dev-7 --ca "$pki/ca.der" \
        --cert "$pki/host.der" --key "$pki/host.key" --bytes 1024 --count 1 --timeout 60 \
        >"$d/host.log" 2>&1 || return 3
    fwq_mon "$d" stop
    fwq_mon "$d" "pmemsave $RAM_ADDR $RAM_SIZE \"$d/ram.bin\""
    [ -s "$d/ram.bin" ] || return 4
}

run blank "$blank"; r=$?
if [ "$r" -eq 2 ] && grep -q "FATAL" "$dir/blank/console.log"; then
    echo "ok   - erased ITS region: the device refuses to start ($(grep -m1 FATAL "$dir/blank/console.log" | tr -d '\r'))"
    pass=$((pass + 1))
else
    echo "FAIL - erased ITS region: status $r, $(tail -n 2 "$dir/blank/console.log" 2>/dev/null)"; fail=$((fail + 1))
fi
for v in psa:"$elf":absent raw:"$raw":present; do
    IFS=: read -r name img want <<<"$v"
    run "$name" "$img"; r=$?
    if [ "$r" -eq 0 ]; then
        tally < <(python3 "$here/fw_psa_keycheck.py" ram "$dir/$name/ram.bin" "$pki/device.key" "$want" || true)
    else
        echo "FAIL - $name: no session to dump after (step $r): $(tail -n 2 "$dir/$name/host.log" "$dir/$name/console.log" 2>/dev/null)"
        fail=$((fail + 1))
    fi
done
echo "fw_psa_keycheck: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
