#!/usr/bin/env bash
# Half-duplex: the host is bus master (slink_node grants turns with POLL),
# the other daemon is a polled device; data still flows both ways intact.
source "$(dirname "$0")/slinkd_lib.sh"
mint_ca; mint host; mint pump
line l
daemon host "$T/l.a" 1 7 pump --mode half-duplex --role initiator --keylog "$T/keys"
daemon pump "$T/l.b" 7 1 host --mode half-duplex --bus-role device --role responder
wait_for 15 is_established host || fail "no session on the half-duplex link"
$APP exchange "$T/host.sock" A 200000 "$T/h.out" > "$T/x1" & X=$!
$APP exchange "$T/pump.sock" B 200000 "$T/p.out" > "$T/x2" & Y=$!
wait $X || fail "host: $(cat "$T/x1")"
wait $Y || fail "pump: $(cat "$T/x2")"
$APP gen A 200000 "$T/A"; $APP gen B 200000 "$T/B"
cmp -s "$T/A" "$T/p.out" && cmp -s "$T/B" "$T/h.out" || fail "data differs"
turns=$(status_json host | python3 -c 'import json,sys; print(json.load(sys.stdin)["link"]["turns_granted"])')
[ "$turns" -gt 0 ] || fail "the master granted no turns"
echo "200 kB each way over half-duplex, $turns turns granted"
# debug key log: one line per direction and epoch, mode 0600 (contents not printed)
[ "$(stat -c %a "$T/keys")" = 600 ] || fail "key log mode $(stat -c %a "$T/keys")"
grep -Eq '^SLINK_TRAFFIC 1 7 2 [0-9a-f]{64}$' "$T/keys" || fail "no tx line in the key log"
grep -Eq '^SLINK_TRAFFIC 7 1 2 [0-9a-f]{64}$' "$T/keys" || fail "no rx line in the key log"
grep -q "KEY LOG ENABLED" "$T/host.log" || fail "no warning about the key log"
echo "key log: $(wc -l < "$T/keys") lines, mode 0600"
echo OK
