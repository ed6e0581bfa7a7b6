#!/usr/bin/env bash
# Revocation and pinning (docs/DAEMON.md, docs/PKI.md §8).  A session is up;
# the peer's certificate goes on the deny-list (slink-pki revoke >> file)
# and SIGHUP reloads it: the session is closed and every handshake after it
# (the first one names the cached certificate by reference) fails as
# revoked.  Taking the line out again and reloading lets the peer back.
# Then a pin: the wrong fingerprint keeps the peer out, the right one lets
# it in.
source "$(dirname "$0")/slinkd_lib.sh"
[ -x "$PKI_TOOL" ] || { echo "SKIP: needs slink-pki"; exit 0; }
mint_ca; mint host; mint pump-7
fp=$("$PKI_TOOL" fingerprint "$T/pump-7.crt")
echo "pump-7 fingerprint $fp"
printf '# revoked slink certificates\n' > "$T/deny.list"
printf '[link]\ndeny-file = %s\n' "$T/deny.list" > "$T/host.conf"
hs_failed() {
    status_json host | python3 -c 'import json,sys; print(json.load(sys.stdin)["peers"][0]["handshakes"]["failed"])'
}
failed_at_least() { [ "$(hs_failed)" -ge "$1" ]; }

line l
daemon host "$T/l.a" 1 7 pump-7 --role initiator --config "$T/host.conf"; H=$DPID
CERT=pump-7 daemon pump "$T/l.b" 7 1 host --role responder
wait_for 15 is_established host || fail "no session before the revocation"
old=$(session_id host)
echo "session $old up"

# 1. revoke pump-7 and reload
"$PKI_TOOL" revoke "$T/pump-7.crt" >> "$T/deny.list"
grep -q "^$fp  # CN=pump-7" "$T/deny.list" || fail "slink-pki revoke wrote: $(tail -1 "$T/deny.list")"
failed0=$(hs_failed)
kill -HUP $H
wait_for 5 grep -q "deny-list: 1 revoked certificate" "$T/host.log" || fail "reload did not load the deny-list"
wait_for 5 grep -q "sha256:$fp is now on the deny-list: closing session" "$T/host.log" ||
    fail "established session with the revoked peer not closed"
# the next handshakes are refused as revoked, with the hash in the log
wait_for 20 grep -q "revoked: sha256:$fp is on the deny-list" "$T/host.log" ||
    fail "no handshake refused as revoked"
wait_for 10 failed_at_least $((failed0 + 2)) || fail "handshakes after the reload did not keep failing"
[ "$(peer_state host)" != established ] || fail "revoked peer has a session"
grep -q "certificate revoked" "$T/host.log" || fail "CERT_REVOKED not named in the log"
echo "revoked: session $old closed, $(( $(hs_failed) - failed0 )) handshakes refused as revoked"

# 2. a deny-file that does not load refuses the reload; the list stays
mv "$T/deny.list" "$T/deny.list.keep"
kill -HUP $H
wait_for 5 grep -q "reload refused: the deny-list does not load" "$T/host.log" ||
    fail "missing deny-file accepted on reload"
mv "$T/deny.list.keep" "$T/deny.list"
n=$(hs_failed)   # one more attempt under the kept list, refused again
wait_for 10 failed_at_least $((n + 1)) || fail "no handshake attempt after the refused reload"
[ "$(peer_state host)" != established ] || fail "refused reload dropped the deny-list"

# 3. un-revoke: the peer is back after the next reload
printf '# revoked slink certificates\n' > "$T/deny.list"
kill -HUP $H
wait_for 5 grep -q "deny-list: 0 revoked certificate" "$T/host.log" || fail "empty deny-list not reloaded"
wait_for 20 is_established host || fail "no session after the certificate was taken off the deny-list"
echo "un-revoked: session $(session_id host) up"
kill $H; wait $H 2>/dev/null

# 4. pinning: the wrong fingerprint keeps pump-7 out, its own lets it in
mint pump-9
wrong=$("$PKI_TOOL" fingerprint "$T/pump-9.crt")
rm -f "$T/host.sock" "$T/host.ctl"
daemon host "$T/l.a" 1 7 pump-7 --role initiator --pin "$wrong"; H=$DPID
wait_for 20 grep -q "not the pinned certificate: sha256:$fp" "$T/host.log" || fail "pin mismatch not refused"
[ "$(peer_state host)" != established ] || fail "session with a certificate other than the pinned one"
kill $H; wait $H 2>/dev/null
rm -f "$T/host.sock" "$T/host.ctl"
daemon host "$T/l.a" 1 7 pump-7 --role initiator --pin "$fp"; H=$DPID
wait_for 20 is_established host || fail "no session with the pinned certificate"
echo "pin: other fingerprint refused, pinned certificate accepted"
echo OK
