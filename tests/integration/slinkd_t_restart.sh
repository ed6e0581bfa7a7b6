#!/usr/bin/env bash
# A daemon killed and restarted mid-stream: the other side re-handshakes,
# the application attached to the old session has its connection closed,
# and a new application gets a working stream on the new session.
source "$(dirname "$0")/slinkd_lib.sh"
mint_ca; mint host; mint pump
line l
daemon host "$T/l.a" 1 7 pump
daemon pump "$T/l.b" 7 1 host; PUMP=$DPID
wait_for 10 is_established host || fail "no session"
old=$(session_id host)

$APP exchange "$T/host.sock" A 50000000 "$T/h.out" > "$T/x1" 2>&1 & X=$!
$APP exchange "$T/pump.sock" B 50000000 "$T/p.out" > "$T/x2" 2>&1 & Y=$!
# Both applications attached to the old session before the kill (a fixed
# wait here once let the host's attach land after the restart, on the new
# session, on a loaded machine).
wait_for 10 app_is host stream true || fail "host application not attached"
wait_for 10 app_is pump stream true || fail "pump application not attached"
[ "$(session_id host)" = "$old" ] || fail "session changed before the restart"
kill -9 $PUMP
wait $Y 2>/dev/null
daemon pump "$T/l.b" 7 1 host
# the host's application must be told: its connection is closed
for i in $(seq 1 150); do kill -0 $X 2>/dev/null || break; sleep 0.1; done
kill -0 $X 2>/dev/null && fail "host application still connected 15 s after the peer restarted"
wait $X && fail "host application saw a complete stream across a restart"
grep -q "received" "$T/x1" || fail "host application output: $(cat "$T/x1")"
wait_for 10 is_established host || fail "no new session after restart"
new=$(session_id host)
[ "$new" != "$old" ] || fail "session id unchanged ($old)"
grep -q "stream application disconnected: session ended" "$T/host.log" || fail "no disconnect logged"
echo "old session $old, new session $new; application was disconnected: $(cat "$T/x1")"

$APP exchange "$T/host.sock" C 100000 "$T/h2.out" >/dev/null & X=$!
$APP exchange "$T/pump.sock" D 100000 "$T/p2.out" >/dev/null & Y=$!
wait $X || fail "host exchange after restart"
wait $Y || fail "pump exchange after restart"
$APP gen C 100000 "$T/C"; $APP gen D 100000 "$T/D"
cmp -s "$T/C" "$T/p2.out" && cmp -s "$T/D" "$T/h2.out" || fail "data after restart differs"
echo OK
