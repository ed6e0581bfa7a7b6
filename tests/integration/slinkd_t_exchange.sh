#!/usr/bin/env bash
# Two daemons over a pty pair exchange 1 MB each way through their sockets,
# byte-exact; datagrams keep their boundaries; status JSON is valid.
source "$(dirname "$0")/slinkd_lib.sh"
mint_ca; mint host; mint pump
line l
daemon host "$T/l.a" 1 7 pump --dgram-socket "$T/host.dg"
daemon pump "$T/l.b" 7 1 host --dgram-socket "$T/pump.dg"
wait_for 10 is_established host || fail "no session within 10 s"
wait_for 5 is_established pump || fail "pump side not established"

$APP exchange "$T/host.sock" A 1000000 "$T/host.out" > "$T/x1" & X=$!
$APP exchange "$T/pump.sock" B 1000000 "$T/pump.out" > "$T/x2" & Y=$!
wait $X || fail "host application: $(cat "$T/x1")"
wait $Y || fail "pump application: $(cat "$T/x2")"
$APP gen A 1000000 "$T/A"; $APP gen B 1000000 "$T/B"
cmp -s "$T/A" "$T/pump.out" || fail "host->pump stream differs"
cmp -s "$T/B" "$T/host.out" || fail "pump->host stream differs"
echo "1 MB each way byte-exact"

wait_for 10 is_established host || fail "no session after the applications closed (it should outlive them)"
$APP dgram-pair "$T/host.dg" "$T/pump.dg" || fail "datagrams"
echo "datagrams keep boundaries"

status_json host > "$T/st.json" || fail "slinkctl status --json"
python3 -m json.tool "$T/st.json" >/dev/null || fail "status JSON is not valid"
python3 - "$T/st.json" <<'PY' || fail "status content"
import json, sys
s = json.load(open(sys.argv[1]))
p = s["peers"][0]
assert p["addr"] == 7 and p["peer_subject"] == "CN=pump", p
assert p["app_bytes_to_peer"] >= 1000000 and p["app_bytes_from_peer"] >= 1000000, p
for k in ("crc", "replay", "auth", "not_for_us", "oversize", "runt", "timeout"):
    assert k in p["drops"], k
assert s["link"]["drops"]["crc"] == 0
PY
"$SLINKCTL" --ctl "$T/host.ctl" status | grep -q "subject CN=pump" || fail "text status"
echo OK
