#!/usr/bin/env bash
# slinkd's log (docs/DAEMON.md "Logs"): one line per event, a failing
# handshake logged once per reason with its repeats summarised, the
# journald format when stderr is the stream JOURNAL_STREAM names, and a
# line for a configured peer that does not answer (and when it does again),
# also shown by slinkctl status.  Line counts are exact.
source "$(dirname "$0")/slinkd_lib.sh"
mint_ca; mint host; mint pump; mint pump-9
count() { grep -c -- "$2" "$T/$1.log"; }   # count NAME PATTERN
count_is() { [ "$(count "$1" "$2")" = "$3" ]; }
refused() {
    status_json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["peers"][0]["handshakes"]["refused"])'
}
# the next part's logs and sockets start empty (the credentials stay)
fresh() { rm -f "$T"/{host,pump}.{log,sock,ctl}; }
refused_at_least() { local v; v=$(refused "$1" 2>/dev/null) && [ "$v" -ge "$2" ]; }

# 1. a session: up once, closed once (by whom), nothing else about it
line l1
daemon host "$T/l1.a" 1 7 pump --role initiator; H=$DPID
daemon pump "$T/l1.b" 7 1 host --role responder; P=$DPID
wait_for 15 is_established host || fail "no session"
wait_for 5 grep -q "session 00000001 up" "$T/pump.log" || fail "pump did not log its session"
kill -TERM $P; wait $P
wait_for 10 grep -q "closed by authenticated close" "$T/host.log" || fail "host did not log the close"
for n in host pump; do
    count_is $n "session 00000001 up, peer" 1 || fail "$n: session up logged $(count $n "session 00000001 up") times"
    count_is $n "established with" 0 || fail "$n: the core's duplicate session line is still logged"
    count_is $n "session 00000001" 2 || fail "$n: $(count $n "session 00000001") lines about session 1, want 2 (up, closed)"
    count_is $n "peer closed its stream" 0 || fail "$n: the close is logged twice"
done
count_is host "session 00000001 closed by authenticated close (the peer closed it)" 1 || fail "host: close not attributed to the peer"
count_is pump "session 00000001 closed by authenticated close (ours)" 1 || fail "pump: its own close not attributed to it"
echo "session 1: one line up, one line closed, on each side"
kill $H; wait $H 2>/dev/null

# 2. a handshake that keeps failing for one reason: one line, then summaries
fresh
line l2
daemon host "$T/l2.a" 1 7 pump --role initiator; H=$DPID
CERT=pump-9 daemon pump "$T/l2.b" 7 1 host --role responder; P=$DPID
wait_for 60 refused_at_least host 4 || fail "fewer than 4 handshakes refused in 60 s"
reason="certificate name 'pump-9' does not match expected 'pump'"
# lines that are not summaries of repeats
firsts() { grep -v "(repeated [0-9]* times\? in the last" "$T/host.log" | grep -c -- "$1"; }
[ "$(firsts "$reason")" = 1 ] || fail "$(firsts "$reason") lines name the reason after $(refused host) failures, want 1"
[ "$(firsts handshake)" = 1 ] || fail "$(firsts handshake) lines about handshakes after $(refused host) failures, want 1"
grep -q "handshake refused: $reason (certificate identity does not match the configured peer, ERR_CERT_NAME)" \
    "$T/host.log" || fail "the refusal line does not give the reason and the code"
# the window (10 s) ends: a summary counting the repeats
wait_for 40 grep -q "$reason.*(repeated [0-9]* times\? in the last [0-9]* s)" "$T/host.log" ||
    fail "no summary of the repeats"
n=$(refused host)
[ "$(firsts "$reason")" = 1 ] || fail "$(firsts "$reason") lines name the reason after $n failures, want 1"
[ "$(firsts handshake)" = 1 ] || fail "$(firsts handshake) lines about handshakes after $n failures, want 1"
sums=$(grep -c "(repeated [0-9]* times\? in the last" "$T/host.log")
rep=$(grep -o "(repeated [0-9]*" "$T/host.log" | grep -o "[0-9]*$" | awk '{s += $1} END {print s + 0}')
[ "$rep" -ge 1 ] && [ $((rep + 1)) -le "$n" ] || fail "summaries count $rep repeats, but $n handshakes were refused"
echo "$n refusals: 1 line + $sums summary line(s) ($rep repeats)"
kill $H $P; wait $H $P 2>/dev/null

# 3. journald: <N> prefixes and no timestamp when stderr is JOURNAL_STREAM
fresh
line l3
: > "$T/j.log"
js=$(stat -c '%d:%i' "$T/j.log")
JOURNAL_STREAM=$js "$SLINKD" "${ROOT_OPT[@]}" --foreground --device "$T/l3.a" --baud 4000000 --addr 1 \
    --ca "$T/ca.crt" --cert "$T/host.crt" --key "$T/host.key" --peer 7 --peer-name pump --role initiator \
    --socket "$T/host.sock" --ctl "$T/host.ctl" 2>>"$T/j.log" & J=$!; PIDS+=($J)
daemon pump "$T/l3.b" 7 1 host --role responder; P=$DPID
wait_for 15 is_established host || fail "no session with the journald-format daemon"
wait_for 5 grep -q "session 00000001 up" "$T/j.log" || fail "no session line in the journal stream"
grep -vqE '^<[3467]>(error|warn|info|debug): port ' "$T/j.log" && fail "a line without a <N> prefix: $(grep -vE '^<[3467]>' "$T/j.log" | head -1)"
grep -q '^<6>info: port .* peer 7: session 00000001 up' "$T/j.log" || fail "info not <6>"
grep -q '^<4>warn: port .*running as root' "$T/j.log" || [ "$(id -u)" != 0 ] || fail "warn not <4>"
grep -qE '[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}' "$T/j.log" && fail "journal lines carry our timestamp"
echo "journald: $(wc -l < "$T/j.log") lines, all <N>-prefixed, no timestamp"
kill $J $P; wait $J $P 2>/dev/null
# another stream in JOURNAL_STREAM (stderr is not the journal): plain format
fresh
JOURNAL_STREAM=1:1 "$SLINKD" "${ROOT_OPT[@]}" --foreground --device "$T/l3.a" --baud 4000000 --addr 1 \
    --ca "$T/ca.crt" --cert "$T/host.crt" --key "$T/host.key" --peer 7 --peer-name pump \
    --socket "$T/host.sock" --ctl "$T/host.ctl" 2>"$T/plain.log" & J=$!; PIDS+=($J)
wait_for 10 grep -q "port open" "$T/plain.log" || fail "daemon with a foreign JOURNAL_STREAM did not start"
grep -qE '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} slinkd info: port ' "$T/plain.log" || fail "not plain: $(head -1 "$T/plain.log")"
grep -q '^<' "$T/plain.log" && fail "prefix without the journal"
kill $J; wait $J 2>/dev/null
# and --log-format journal forces it
fresh
"$SLINKD" "${ROOT_OPT[@]}" --foreground --log-format journal --device "$T/l3.a" --baud 4000000 --addr 1 \
    --ca "$T/ca.crt" --cert "$T/host.crt" --key "$T/host.key" --peer 7 --peer-name pump \
    --socket "$T/host.sock" --ctl "$T/host.ctl" 2>"$T/forced.log" & J=$!; PIDS+=($J)
wait_for 10 grep -q "^<6>info: port .*port open" "$T/forced.log" || fail "--log-format journal: $(head -1 "$T/forced.log")"
kill $J; wait $J 2>/dev/null
echo "plain without the journal, journal with --log-format journal"

# 4. a peer that does not answer: logged at 1, 2, 4 s ...; then back
fresh
line l4
daemon host "$T/l4.a" 1 7 pump --role initiator --no-answer-log 1; H=$DPID
wait_for 20 count_is host "no answer from 'pump' for" 2 || fail "no 'no answer' lines: $(tail -3 "$T/host.log")"
# at growing silences (1 s, 2 s, 4 s ...; later under load, never sooner)
secs=$(grep -o "no answer from 'pump' for [0-9]* s, still trying" "$T/host.log" | grep -o "[0-9]* s" | tr -d ' s' | tr '\n' ' ')
set -- $secs
[ "$1" -ge 1 ] && [ "$2" -ge 2 ] && [ "$2" -gt "$1" ] || fail "no-answer lines at $secs s"
"$SLINKCTL" --ctl "$T/host.ctl" status | grep -q "no answer for [0-9]* s, still trying" || fail "text status"
s=$(status_json host | python3 -c 'import json,sys; print(json.load(sys.stdin)["peers"][0]["no_answer_s"])')
[ "$s" -ge 2 ] || fail "status no_answer_s $s"
m=$("$SLINKCTL" --ctl "$T/host.ctl" metrics | grep '^slink_peer_no_answer_seconds{' | awk '{print $2}')
[ -n "$m" ] && [ "$m" -ge 2 ] || fail "metric slink_peer_no_answer_seconds '$m'"
daemon pump "$T/l4.b" 7 1 host --role responder; P=$DPID
wait_for 15 is_established host || fail "no session once the peer came"
wait_for 5 grep -q "'pump' answers again (silent for [0-9]* s)" "$T/host.log" || fail "no line for the answer"
count_is host "answers again" 1 || fail "answer logged $(count host "answers again") times"
s=$(status_json host | python3 -c 'import json,sys; print(json.load(sys.stdin)["peers"][0]["no_answer_s"])')
[ "$s" = 0 ] || fail "status still says no answer for $s s"
"$SLINKCTL" --ctl "$T/host.ctl" status | grep -q "no answer" && fail "text status still says no answer"
echo "silent peer: $(count host "no answer from") lines, then one line when it answered"
echo OK
