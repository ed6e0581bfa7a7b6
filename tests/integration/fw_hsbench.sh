#!/usr/bin/env bash
# Handshake compute on the device, counted in instructions: runs the
# handshake bench (firmware/apps/hsbench) on QEMU mps2-an385 with
# -icount shift=0 (the guest clock advances 1 ns per instruction, so the
# SysTick deltas the bench prints are instruction counts) and writes its
# "op insns" lines to OUT.  Without QEMU it writes nothing and says so.
# Usage: fw_hsbench.sh HSBENCH_ELF PKI_DIR WORKDIR OUT
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/fw_qemu.sh"
elf=$1 pki=$2 dir=$3 out=$4
rm -f "$out"
if ! command -v qemu-system-arm >/dev/null 2>&1; then
    echo "fw_hsbench: qemu-system-arm missing: no handshake figures"
    exit 0
fi
mkdir -p "$dir"
trap 'fwq_stop "$dir"' EXIT
FWQ_QEMU_ARGS="-icount shift=0"
# A Cortex-M4F image runs on the AN386 (the AN385 board with a Cortex-M4).
case "$(basename "$(dirname "$elf")")" in cm4f) export FWQ_MACHINE=mps2-an386 ;; esac
fwq_start "$dir" "$elf" "$pki/nv.bin" || exit 1
fwq_cont "$dir"
# The bench runs a few hundred million guest instructions: seconds of host
# time, bounded here (the caller's timeout bounds it too).
for _ in $(seq 1 1200); do
    grep -q "hsbench: done\|FATAL\|FAULT" "$dir/console.log" 2>/dev/null && break
    sleep 0.1
done
if ! grep -q "hsbench: done" "$dir/console.log" 2>/dev/null; then
    echo "fw_hsbench: no result from $elf: $(tail -n 3 "$dir/console.log" 2>/dev/null)"
    exit 1
fi
if grep "^hsbench: " "$dir/console.log" | grep -q "ok=0"; then
    echo "fw_hsbench: an operation failed: $(grep 'ok=0' "$dir/console.log")"
    exit 1
fi
tr -d '\r' <"$dir/console.log" | sed -n 's/^hsbench: \([a-z_]*\) insns=\([0-9]*\) ok=1$/\1 \2/p' >"$out"
tr -d '\r' <"$dir/console.log" | sed -n 's/^hsbench: backend \(.*\)$/backend \1/p' >>"$out"
