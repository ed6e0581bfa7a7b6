#!/usr/bin/env bash
# QEMU firmware devices and slinkd devices on one RS485 bus (issue 14): a
# slinkd bus master, 4 slinkd devices and the example firmware provisioned
# as bus devices (one image per address) on slink-linesim --bus; concurrent
# byte-exact transfers, no cross-talk, no session ends (bus_fw.py).
# Usage: fw_bus.sh BUILD PKI_DIR WORKDIR ADDR:ELF [ADDR:ELF ...]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/fw_qemu.sh"
fwq_require
build=$1 pki=$2 dir=$3
shift 3
rm -rf "$dir"
mkdir -p "$dir"
python3 "$here/bus_fw.py" "$build" "$pki" "$dir" "$@"
