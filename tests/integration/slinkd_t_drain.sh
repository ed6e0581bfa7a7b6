#!/usr/bin/env bash
# Bytes a daemon acknowledged in a session that a new one replaced (the peer
# daemon was SIGKILLed and restarted):
#  1. no application is attached: they are dropped and counted (orphaned),
#     and the new session carries none of them;
#  2. the old application reads nothing for seconds after the new session is
#     up: it still gets every byte of its session (at most one send window
#     of what the peer's daemon handed its core is missing), then its end of
#     stream - and meanwhile a new application uses the new session.
source "$(dirname "$0")/slinkd_lib.sh"
mint_ca; mint host; mint pump
line l
daemon host "$T/l.a" 1 7 pump
daemon pump "$T/l.b" 7 1 host; PUMP=$DPID
wait_for 10 is_established host || fail "no session"

# jnum NAME KEY: a number or word of the (only) peer's status; the JSON is
# slinkd's own, one key once per peer, so grep does (python costs seconds a
# call on a busy machine)
jnum() {
    "$SLINKCTL" --ctl "$T/$1.ctl" status --json | sed -n '/"peers"/,$p' |
        grep -o "\"$2\":[^,}]*" | head -n 1 | cut -d: -f2 | tr -d '"'
}
restart_pump() {   # SIGKILL the pump daemon, start it again, wait for a new host session
    local old i
    old=$(jnum host session_id)
    kill -9 "$PUMP"; wait "$PUMP" 2>/dev/null
    daemon pump "$T/l.b" 7 1 host; PUMP=$DPID
    for i in $(seq 1 150); do
        [ "$(jnum host state) $(jnum host session_id)" != "established $old" ] &&
            [ "$(jnum host state)" = established ] && return 0
        sleep 0.1
    done
    fail "no new session after restarting the pump daemon"
}
BOUND=$(printf '#include <stdio.h>\n#include "slink/config.h"\nint main(void){printf("%%lu\\n",(unsigned long)SLINK_STREAM_WINDOW*(unsigned long)SLINK_STREAM_CHUNK_MAX);return 0;}\n' |
        ${CC:-cc} -I"$HERE/../../include" -x c - -o "$T/bound" && "$T/bound") || fail "cannot compute the window bound"

# 1. orphaned: the pump's application writes, nobody reads on the host
$APP source "$T/pump.sock" 200000 30 > /dev/null 2>&1 & S=$!; PIDS+=("$S")
for i in $(seq 1 100); do [ "$(jnum host bytes_in)" -gt 8000 ] && break; sleep 0.1; done
[ "$(jnum host bytes_in)" -gt 8000 ] || fail "the host received nothing from the pump's application"
sleep 0.3
restart_pump
kill "$S" 2>/dev/null
wait_for 5 grep -q "no application left to read them: dropped" "$T/host.log" || fail "no drop of orphaned bytes logged"
orph=$(jnum host orphaned_bytes)
[ "$orph" -gt 0 ] || fail "orphaned_bytes is $orph"
$SLINKCTL --ctl "$T/host.ctl" status | grep -q "application drops: orphaned $orph bytes" || fail "slinkctl status text lacks the drop"
$APP exchange "$T/host.sock" C 100000 "$T/h2.out" > /dev/null & X=$!
$APP exchange "$T/pump.sock" D 100000 "$T/p2.out" > /dev/null & Y=$!
wait $X || fail "host exchange after the orphaned bytes"
wait $Y || fail "pump exchange after the orphaned bytes"
$APP gen C 100000 "$T/C"; $APP gen D 100000 "$T/D"
cmp -s "$T/C" "$T/p2.out" && cmp -s "$T/D" "$T/h2.out" || fail "the new session carried foreign bytes"
echo "orphaned: $orph acknowledged bytes of the replaced session dropped and counted; next session byte-exact"
# The exchange's applications hold each daemon's one stream slot until their
# session has closed; the next application must not race them for it (it
# would be refused: accepted and closed at once).
wait_for 20 stream_slot_free host || fail "the host's exchange application still attached"
wait_for 20 stream_slot_free pump || fail "the pump's exchange application still attached"
wait_for 10 is_established host || fail "no session after the exchange"

# 2. a late reader of a replaced session
from0=$(jnum host app_bytes_from_peer)
ref0=$(app_field host refused)
$APP late-reader "$T/host.sock" "$T/go" "$T/late.out" 90 > "$T/late" 2>&1 & L=$!; PIDS+=("$L")
wait_for 10 grep -q connected "$T/late" || fail "late reader did not connect"
wait_for 10 app_is host stream true || fail "the late reader is not attached"
[ "$(app_field host refused)" = "$ref0" ] || fail "the late reader was refused"
to0=$(jnum pump app_bytes_to_peer)
# More than the late reader's socket (the kernel's default send buffer, which
# the daemon's end of it gets), the host daemon's buffer and both cores hold.
WMEM=$(cat /proc/sys/net/core/wmem_default 2>/dev/null || echo 212992)
SIZE=$((2 * WMEM + 400000))
$APP source "$T/pump.sock" "$SIZE" 90 > /dev/null 2>&1 & S=$!; PIDS+=("$S")
# Fill the pipeline, whatever the socket buffers hold: the late reader reads
# nothing, so once the host daemon holds bytes for it its socket is full for
# good; the host daemon's buffer, the host core's receive buffer and then the
# pump core's send window fill behind it, and the pump's daemon stops taking
# bytes.  Wait for that state, not for an amount.
wait_for 60 app_gt host stream_pending_bytes 0 ||
    fail "the host daemon never held bytes for the late reader (pump handed $(( $(jnum pump app_bytes_to_peer) - to0 )))"
handed=-1
for i in $(seq 1 120); do
    now=$(( $(jnum pump app_bytes_to_peer) - to0 ))
    [ "$now" -eq "$handed" ] && break
    handed=$now
    sleep 0.5
done
[ "$now" -eq "$handed" ] || fail "the pump's daemon still takes bytes after 60 s ($handed)"
[ "$handed" -gt "$BOUND" ] || fail "the pump's daemon took only $handed bytes (window $BOUND): the test would prove nothing"
restart_pump
kill "$S" 2>/dev/null
# longer than any flush timer: the old application is still there, unread
sleep 3
kill -0 "$L" 2>/dev/null || fail "the late reader was disconnected before it read: $(cat "$T/late")"
dr=$(jnum host stream_draining); drb=$(jnum host draining_bytes)
[ "$dr" = true ] || fail "no draining application in the status"
[ "$drb" -gt 0 ] || fail "the daemon holds no bytes for the draining application (the test would prove nothing)"
$APP exchange "$T/host.sock" E 100000 "$T/h3.out" > "$T/x3" 2>&1 & X=$!
$APP exchange "$T/pump.sock" F 100000 "$T/p3.out" > /dev/null & Y=$!
wait $X || fail "host exchange beside the draining application: $(cat "$T/x3")"
wait $Y || fail "pump exchange beside the draining application"
$APP gen E 100000 "$T/E"; $APP gen F 100000 "$T/F"
cmp -s "$T/E" "$T/p3.out" && cmp -s "$T/F" "$T/h3.out" || fail "new session data differs beside the draining application"
touch "$T/go"
wait "$L" || fail "late reader: $(cat "$T/late")"
got=$(stat -c %s "$T/late.out")
from1=$(jnum host app_bytes_from_peer)
$APP gen src "$SIZE" "$T/src"
cmp -s "$T/late.out" <(head -c "$got" "$T/src") || fail "the late reader got bytes that are not a prefix of what was sent"
# its share of app_bytes_from_peer: everything but the exchange's 100000
[ $((from1 - from0 - 100000)) -eq "$got" ] || fail "late reader got $got bytes, the daemon delivered $((from1 - from0 - 100000))"
[ "$got" -ge $((handed - BOUND)) ] || fail "late reader got $got bytes; the pump's daemon had handed $handed to its core (bound $BOUND): acknowledged bytes lost"
[ "$(jnum host unread_bytes)" -eq 0 ] || fail "unread bytes counted"
echo "late reader: $got bytes (pump's daemon handed >= $handed, window $BOUND; $drb of them held by the daemon) read >3 s after the new session, then end of stream; a new application used the new session meanwhile"
echo OK
