#!/usr/bin/env bash
# QEMU firmware devices and slinkd devices on one RS485 bus (issue 14): a
# slinkd bus master, 8 slinkd devices and the example firmware provisioned
# as bus devices (one image per address; 2 images make 10 devices) on
# slink-linesim --bus; concurrent byte-exact transfers with no cross-talk, a
# firmware device's power cut mid-transfer and its restart (under load, and
# on a quiet bus against the issue's bound), and a rogue at a firmware
# device's address with another device's certificate (bus_fw.py).
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
