#!/usr/bin/env bash
# Transmit pacing (--tx-pacing) over a line that really runs at 115200
# (slink-linesim): 200 messages of 100 bytes, one write every 5 ms (faster
# than the line carries them one record each), arrive byte-exact and share
# records while the line is busy.  The same messages the other way from the
# unpaced daemon need more records: without pacing they share a record only
# once the stream window is full (26 against 48 on a quiet machine).
source "$(dirname "$0")/slinkd_lib.sh"
SIM=$BUILD/slink-linesim
[ -x "$SIM" ] || fail "$SIM not built"
mint_ca; mint host; mint pump
"$SIM" --link-a "$T/l.a" --link-b "$T/l.b" --baud 115200 >"$T/sim.out" 2>"$T/sim.err" &
PIDS+=($!)
wait_for 5 test -e "$T/l.a" -a -e "$T/l.b" || fail "linesim did not create its links"
daemon host "$T/l.a" 1 7 pump --baud 115200 --tx-pacing
daemon pump "$T/l.b" 7 1 host --baud 115200
wait_for 15 is_established host || fail "no session over the 115200 line"
wait_for 5 is_established pump || fail "pump side not established"

records_out() { status_json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["peers"][0]["records_out"])'; }

# send FROM TO SEED: 200 x 100 bytes FROM -> TO; prints FROM's records for them
send() {
    local from=$1 to=$2 seed=$3 r0 r1
    r0=$(records_out "$from")
    $APP recv-file "$T/$to.sock" 20000 "$T/$to.out" > "$T/r.$to" 2>&1 & R=$!
    sleep 0.3
    $APP messages "$T/$from.sock" "$seed" 200 100 0.005 || fail "$from: writer failed"
    wait $R || fail "$to: did not receive 20000 bytes: $(cat "$T/r.$to")"
    $APP gen "$seed" 20000 "$T/$seed.ref"
    cmp -s "$T/$seed.ref" "$T/$to.out" || fail "$from -> $to: data differs"
    r1=$(records_out "$from")
    echo $((r1 - r0))
}
paced=$(send host pump P)
# the first transfer's applications keep the stream slots until their
# session has closed: a reader connecting earlier would be refused
wait_for 20 stream_slot_free host || fail "host: the first transfer's application still attached"
wait_for 20 stream_slot_free pump || fail "pump: the first transfer's application still attached"
wait_for 10 is_established host || fail "no session after the first transfer"
wait_for 10 is_established pump || fail "pump: no session after the first transfer"
unpaced=$(send pump host U)
echo "200 x 100-byte writes at 115200, byte-exact: $paced records paced (host), $unpaced unpaced (pump)"
[ "$paced" -lt "$unpaced" ] || fail "pacing did not coalesce: $paced records paced, $unpaced unpaced"
echo OK
