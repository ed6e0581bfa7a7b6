#!/usr/bin/env bash
# slinkctl metrics: the Prometheus text exposition passes a strict parser
# (prom_parse.py, itself checked against bad inputs) and its values agree
# with `slinkctl status --json` taken just before and just after.
source "$(dirname "$0")/slinkd_lib.sh"
PROM="python3 $HERE/prom_parse.py"
$PROM --self-test || fail "the exposition parser accepts bad input"
mint_ca; mint host; mint pump
line l
daemon host "$T/l.a" 1 7 pump
daemon pump "$T/l.b" 7 1 host
wait_for 10 is_established host || fail "no session within 10 s"
$APP exchange "$T/host.sock" A 20000 "$T/host.out" > "$T/x1" & X=$!
$APP exchange "$T/pump.sock" B 20000 "$T/pump.out" > "$T/x2" & Y=$!
wait $X || fail "host application: $(cat "$T/x1")"
wait $Y || fail "pump application: $(cat "$T/x2")"
wait_for 10 is_established host || fail "no session after the exchange"

status_json host > "$T/before.json" || fail "status before"
"$SLINKCTL" --ctl "$T/host.ctl" metrics > "$T/metrics.txt" || fail "slinkctl metrics: exit $?"
status_json host > "$T/after.json" || fail "status after"
$PROM "$T/metrics.txt" || fail "metrics rejected: $(head -20 "$T/metrics.txt")"
python3 - "$HERE" "$T/metrics.txt" "$T/before.json" "$T/after.json" <<'PY' || fail "metrics disagree with status --json"
import json, sys
sys.path.insert(0, sys.argv[1])
from prom_parse import parse
m = parse(open(sys.argv[2]).read())
b, a = (json.load(open(f)) for f in sys.argv[3:5])
dev = a["link"]["device"]
def get(name, **labels):
    labels.setdefault("device", dev)
    return m[(name, frozenset(labels.items()))]
def between(v, lo, hi, what):
    assert lo <= v <= hi, "%s: metric %s, status %s..%s" % (what, v, lo, hi)
pb, pa = b["peers"][0], a["peers"][0]
peer = dict(peer=pa["name"], addr=str(pa["addr"]))
assert pa["name"] == "cmdline" and pa["addr"] == 7, pa
assert get("slink_peer_session_up", **peer) == 1 and pa["state"] == "established"
between(get("slink_peer_sessions_total", **peer), pb["sessions"], pa["sessions"], "sessions")
between(get("slink_peer_handshakes_total", result="completed", **peer),
        pb["handshakes"]["completed"], pa["handshakes"]["completed"], "handshakes completed")
between(get("slink_peer_app_bytes_total", direction="to_peer", **peer),
        pb["app_bytes_to_peer"], pa["app_bytes_to_peer"], "app bytes to peer")
assert get("slink_peer_app_bytes_total", direction="to_peer", **peer) >= 20000
between(get("slink_peer_app_bytes_total", direction="from_peer", **peer),
        pb["app_bytes_from_peer"], pa["app_bytes_from_peer"], "app bytes from peer")
between(get("slink_peer_records_total", direction="out", **peer), pb["records_out"], pa["records_out"], "records out")
between(get("slink_peer_record_drops_total", reason="auth", **peer), pb["drops"]["auth"], pa["drops"]["auth"], "auth drops")
between(get("slink_link_bytes_total", direction="in"), b["link"]["bytes_in"], a["link"]["bytes_in"], "link bytes in")
between(get("slink_link_frame_drops_total", reason="crc"), b["link"]["drops"]["crc"], a["link"]["drops"]["crc"], "crc")
assert get("slink_link_up") == 1 and a["link"]["state"] == "open"
assert m[("slink_info", frozenset({"version": a["daemon"]["version"]}.items()))] == 1
print("metrics agree with status --json: %d samples checked against it" % 12)
PY
echo "$(grep -c '^# TYPE' "$T/metrics.txt") families, $(grep -vc '^#' "$T/metrics.txt") samples"
echo OK
