#!/usr/bin/env bash
# A babbling node on the RS485 bus (issue 14): one slinkd bus master and 4
# slinkd devices on slink-linesim --bus at 115200 with a fifth endpoint
# sending random bursts; transfers stay byte-exact, no session ends, every
# device keeps its share, and the counters show the damage.  Phases and
# bounds are in bus_babble.py.
source "$(dirname "$0")/slinkd_lib.sh"
mint_ca; mint host
for a in 7 8 9 10; do mint "dev-$a"; done
python3 "$HERE/bus_babble.py" "$BUILD" "$T" || fail "bus babble (see above)"
