#!/usr/bin/env bash
# RS485 bus with real processes (issue 14): one slinkd bus master and 8
# slinkd devices on slink-linesim --bus at 115200 baud; concurrent
# byte-exact transfers, a device restarted, a dead device, a rogue at a
# duplicate address.  The phases and figures are in bus_trial.py.
source "$(dirname "$0")/slinkd_lib.sh"
mint_ca; mint host
for a in 7 8 9 10 11 12 13 14; do mint "dev-$a"; done
python3 "$HERE/bus_trial.py" "$BUILD" "$T" || fail "bus trial (see above)"
