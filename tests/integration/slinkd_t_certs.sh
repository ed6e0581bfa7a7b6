#!/usr/bin/env bash
# Refused peers: a certificate from another CA, and a valid certificate
# whose name is not the one configured for the address.  The reason shows
# in `slinkctl status --json`.
source "$(dirname "$0")/slinkd_lib.sh"
mint_ca; mint host; mint pump-7; mint pump-9
# a second CA and a "pump-7" certificate under it
mkdir -p "$T/evil"
( T=$T/evil; mint_ca; mint pump-7 )
last_error() {
    status_json "$1" | python3 -c 'import json,sys; e=json.load(sys.stdin)["peers"][0]["last_error"]; print(e or "")'
}
has_error() { last_error "$1" | grep -q "$2"; }

# 1. wrong name: pump-9 answers at address 7 where pump-7 is expected
line l1
daemon host "$T/l1.a" 1 7 pump-7 --role initiator
CERT=pump-9 daemon pump "$T/l1.b" 7 1 host --role responder
wait_for 10 has_error host "certificate name 'pump-9' does not match expected 'pump-7'" ||
    fail "name mismatch not reported; last_error: '$(last_error host)'"
echo "host reports: $(last_error host)"
[ "$(peer_state host)" != established ] || fail "session established with the wrong peer"
st=$(status_json host | python3 -c 'import json,sys; print(json.load(sys.stdin)["peers"][0]["handshakes"]["failed"])')
[ "$st" -ge 1 ] || fail "handshake failure not counted"
kill "${PIDS[@]:1}" 2>/dev/null; sleep 0.3

# 2. certificate from another CA
rm -f "$T/host.sock" "$T/pump.sock" "$T/host.ctl" "$T/pump.ctl"
line l2
daemon host "$T/l2.a" 1 7 pump-7 --role initiator
"$SLINKD" "${ROOT_OPT[@]}" --foreground --device "$T/l2.b" --baud 4000000 --addr 7 --ca "$T/ca.crt" \
    --cert "$T/evil/pump-7.crt" --key "$T/evil/pump-7.key" --peer 1 --peer-name host \
    --socket "$T/pump.sock" --ctl "$T/pump.ctl" --role responder >>"$T/evil.log" 2>&1 &
PIDS+=($!)
# the evil key does not chain to ca.crt, so the daemon refuses to start
wait_for 10 grep -q "refused" "$T/evil.log" || fail "own certificate from another CA was accepted at start-up: $(cat "$T/evil.log")"
echo "own cert from another CA refused at start-up: $(grep -o 'refused.*' "$T/evil.log" | head -1)"
# a daemon that trusts the evil CA presents a certificate host does not trust
cp "$T/evil/ca.crt" "$T/evil-ca.crt"
"$SLINKD" "${ROOT_OPT[@]}" --foreground --device "$T/l2.b" --baud 4000000 --addr 7 --ca "$T/evil-ca.crt" \
    --cert "$T/evil/pump-7.crt" --key "$T/evil/pump-7.key" --peer 1 --peer-name '*' \
    --socket "$T/pump.sock" --ctl "$T/pump.ctl" --role responder >>"$T/evil.log" 2>&1 &
PIDS+=($!)
wait_for 10 has_error host "rejected" || fail "foreign CA not reported; last_error: '$(last_error host)'"
echo "host reports: $(last_error host)"
[ "$(peer_state host)" != established ] || fail "session established with a foreign-CA peer"
echo OK
