#!/usr/bin/env bash
# The line vanishes (socat killed, ptys gone): daemons with --wait retry
# with backoff without burning CPU and re-handshake when it returns.
# Without --wait a missing port is a clear error and a non-zero exit.
source "$(dirname "$0")/slinkd_lib.sh"
mint_ca; mint host; mint pump

"$SLINKD" "${ROOT_OPT[@]}" --foreground --device "$T/nope" --baud 115200 --addr 1 --ca "$T/ca.crt" --cert "$T/host.crt" \
    --key "$T/host.key" --peer 7 --peer-name pump --socket "$T/n.sock" --ctl "$T/n.ctl" 2> "$T/nowait.err"
rc=$?
[ $rc -ne 0 ] || fail "missing port without --wait exited 0"
grep -q "cannot open $T/nope" "$T/nowait.err" || fail "no clear message: $(cat "$T/nowait.err")"
echo "without --wait: exit $rc: $(tail -1 "$T/nowait.err" | cut -d' ' -f3-)"

line l; L=$LINE_PID
daemon host "$T/l.a" 1 7 pump --wait; H=$DPID
daemon pump "$T/l.b" 7 1 host --wait
wait_for 10 is_established host || fail "no session"
old=$(session_id host)
kill $L; wait $L 2>/dev/null
wait_for 5 grep -q "port lost" "$T/host.log" || fail "host did not notice the line going away"
cpu() { awk '{print $14 + $15}' /proc/$1/stat; }
c0=$(cpu $H); sleep 3; c1=$(cpu $H)
ticks=$((c1 - c0))
[ $ticks -le 20 ] || fail "daemon used $ticks clock ticks of CPU in 3 s while waiting"
st=$(status_json host | python3 -c 'import json,sys; print(json.load(sys.stdin)["link"]["state"])')
[ "$st" = waiting ] || fail "link state '$st' while the port is gone"
echo "waiting for 3 s cost $ticks clock ticks of CPU"
line l
wait_for 15 is_established host || fail "no session after the line came back"
session_changed() { [ "$(session_id host)" != "$old" ]; }
wait_for 15 session_changed || fail "no re-handshake after the line came back"
$APP exchange "$T/host.sock" A 100000 "$T/h.out" >/dev/null & X=$!
$APP exchange "$T/pump.sock" B 100000 "$T/p.out" >/dev/null & Y=$!
wait $X && wait $Y || fail "exchange after recovery"
$APP gen A 100000 "$T/A"; cmp -s "$T/A" "$T/p.out" || fail "data after recovery differs"
echo "recovered: session $old -> $(session_id host)"
echo OK
