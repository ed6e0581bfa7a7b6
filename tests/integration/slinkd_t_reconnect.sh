#!/usr/bin/env bash
# Sessions outlive application connections (PROTOCOL.md §3.6.1): through a
# line that really runs at 9600 baud (slink-linesim), a command/response
# client connects, sends "READ REG i", reads the reply and closes, 5 times,
# 0.2 s apart, against a server application on the other daemon that
# connects anew for each request.  Every reply is right and belongs to its
# request, the session is never replaced (zero handshake bytes after the
# first), and each reconnect's reply comes within 0.2 s (the first, which
# may meet the session coming up, is not timed).  A client that reconnects
# in a loop while one is connected is refused with a bounded log.
source "$(dirname "$0")/slinkd_lib.sh"
SIM=$BUILD/slink-linesim
[ -x "$SIM" ] || fail "$SIM not built"
N=${RECONNECT_N:-6}
LIMIT=${RECONNECT_LIMIT:-0.2}
mint_ca; mint host; mint pump
"$SIM" --link-a "$T/l.a" --link-b "$T/l.b" --baud 9600 >"$T/sim.out" 2>"$T/sim.err" &
PIDS+=($!)
wait_for 5 test -e "$T/l.a" -a -e "$T/l.b" || fail "linesim did not create its links"
daemon host "$T/l.a" 1 7 pump --baud 9600
daemon pump "$T/l.b" 7 1 host --baud 9600
wait_for 30 is_established host || fail "no session over the 9600 line"
wait_for 10 is_established pump || fail "pump side not established"
sid=$(session_id host)
hs() { status_json "$1" | python3 -c 'import json,sys; h=json.load(sys.stdin)["peers"][0]["handshakes"]; print(h["started"], h["completed"])'; }
hs0=$(hs host); hsp0=$(hs pump)

$APP cmd-server "$T/pump.sock" "$N" > "$T/srv.out" 2>&1 & SRV=$!
PIDS+=($SRV)
$APP cmd-client "$T/host.sock" "$N" 0.2 > "$T/cli.out" 2>"$T/cli.err" || fail "client: $(cat "$T/cli.out" "$T/cli.err")"
wait $SRV || fail "server: $(cat "$T/srv.out")"
times=$(cat "$T/cli.out")
echo "reply times at 9600 baud (s): $times ($(cat "$T/cli.err"))"
grep -qx "retries 0" "$T/cli.err" || [ "${RECONNECT_MEASURE:-0}" = 1 ] || fail "the client had to reconnect: $(cat "$T/cli.err")"
[ "${RECONNECT_MEASURE:-0}" = 1 ] && { echo "measurement only"; exit 0; }
[ "$(session_id host)" = "$sid" ] || fail "the session was replaced"
[ "$(hs host)" = "$hs0" ] && [ "$(hs pump)" = "$hsp0" ] || fail "handshakes ran: host $hs0 -> $(hs host), pump $hsp0 -> $(hs pump)"
python3 - "$LIMIT" $times <<'PY' || fail "a reconnect's first reply took longer than ${LIMIT} s: $times"
import sys
lim = float(sys.argv[1]); t = [float(x) for x in sys.argv[2:]]
assert max(t[1:]) <= lim, t
PY
echo "same session $sid, no handshake, reconnect replies within ${LIMIT} s"

# refusal: one client connected, another reconnecting as fast as it can
python3 - "$T/host.sock" <<'PY' > "$T/hammer.out" 2>&1 || fail "hammer: $(cat "$T/hammer.out")"
import socket, sys, time
hold = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); hold.connect(sys.argv[1])
time.sleep(0.3)
n = 0; end = time.time() + 3
while time.time() < end:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(sys.argv[1]); s.settimeout(2)
        assert s.recv(1) == b"", "a refused connection got data"
        n += 1
    finally:
        s.close()
print(n)
PY
refused=$(cat "$T/hammer.out")
lines=$(grep -c "refused a second stream application" "$T/host.log")
echo "$refused refused connections in 3 s, $lines log lines"
[ "$refused" -gt 50 ] || fail "hammer made only $refused connections"
[ "$lines" -le 2 ] || fail "refusals logged $lines times"
echo OK
