#!/usr/bin/env bash
# `make demo`: from a clean clone, install what is missing, build, mint a
# throwaway PKI, create a virtual serial line, start two daemons (host at
# bus address 1, device at 7), push a message through the host's local
# socket and show it arriving on the device's side.  `make demo-stop` ends it.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
D=$BUILD/demo
PY=tests/integration/slinkd_app.py

stop() {
    local f
    for f in "$D"/*.pid; do
        [ -f "$f" ] || continue
        kill "$(cat "$f")" 2>/dev/null || true
        rm -f "$f"
    done
    sleep 0.3
    rm -f "$D"/*.sock "$D"/*.ctl "$D"/line.host "$D"/line.device
}

if [ "${1:-start}" = stop ]; then
    stop
    echo "demo stopped"
    exit 0
fi

echo "== 1/6 dependencies"
bash tools/install-deps.sh
echo "== 2/6 build"
make -s BUILD="$BUILD" "$BUILD/slinkd" "$BUILD/slinkctl" "$BUILD/slink-pki"
mkdir -p "$D"
stop
echo "== 3/6 throwaway PKI in $D"
PKI=$BUILD/slink-pki
"$PKI" ca --force --out-cert "$D/ca.crt" --out-key "$D/ca.key" --cn "slink demo CA" --days 30 >/dev/null
"$PKI" issue --force --ca-cert "$D/ca.crt" --ca-key "$D/ca.key" --name host-1 --addr 1 --days 30 \
    --out-cert "$D/host.crt" --out-key "$D/host.key" >/dev/null
"$PKI" issue --force --ca-cert "$D/ca.crt" --ca-key "$D/ca.key" --name pump-7 --addr 7 --days 30 \
    --out-cert "$D/device.crt" --out-key "$D/device.key" >/dev/null
echo "   CA, host-1 (address 1) and pump-7 (address 7)"

echo "== 4/6 virtual serial line (socat pty pair)"
socat pty,raw,echo=0,link="$D/line.host" pty,raw,echo=0,link="$D/line.device" >/dev/null 2>"$D/socat.log" &
echo $! > "$D/socat.pid"
for _ in $(seq 50); do [ -e "$D/line.host" ] && [ -e "$D/line.device" ] && break; sleep 0.1; done
[ -e "$D/line.host" ] || { echo "socat did not create the line"; exit 1; }
echo "   $D/line.host <-> $D/line.device"

echo "== 5/6 two daemons"
# Run as root (CI, a container): each daemon opens its line, sockets and keys,
# then drops to nobody before it reads a byte from the line.
PRIV=()
[ "$(id -u)" = 0 ] && PRIV=(--user nobody)
start() {   # start NAME ADDR PEER PEERNAME
    "$BUILD/slinkd" "${PRIV[@]}" --foreground --device "$D/line.$1" --baud 115200 --addr "$2" \
        --ca "$D/ca.crt" --cert "$D/$1.crt" --key "$D/$1.key" --peer "$3" --peer-name "$4" \
        --socket "$D/$1.sock" --ctl "$D/$1.ctl" >"$D/$1.log" 2>&1 &
    echo $! > "$D/$1.pid"
}
start host 1 7 pump-7
start device 7 1 host-1
up=""
for _ in $(seq 100); do
    if "$BUILD/slinkctl" --ctl "$D/host.ctl" status --json 2>/dev/null | grep -q '"state":"established"'; then
        up=1; break
    fi
    sleep 0.1
done
if [ -z "$up" ]; then
    echo "no session; logs:"; tail -n 20 "$D/host.log" "$D/device.log"; stop; exit 1
fi
"$BUILD/slinkctl" --ctl "$D/host.ctl" status | grep -E '^(link|peer)' | sed 's/^/   /'
grep -h "running as user" "$D/host.log" "$D/device.log" | sed 's/^.*: running/   running/' || true

echo "== 6/6 a message through the secure link"
python3 "$PY" recv "$D/device.sock" 3 > "$D/received.txt" &
rpid=$!
sleep 0.3
msg="hello from the host over slink ($(date +%T))"
python3 "$PY" send "$D/host.sock" "$msg" 0.5
wait $rpid || true
echo "   sent by the host app:      $msg"
echo "   arrived at the device app: $(cat "$D/received.txt")"
grep -qF "$msg" "$D/received.txt" || { echo "message did not arrive"; exit 1; }
sleep 0.5   # the applications closed; the daemons start a fresh session

cat <<TXT

The daemons are still running.  Keep typing in two terminals:
   socat - UNIX-CONNECT:$D/device.sock     # the device's application
   socat - UNIX-CONNECT:$D/host.sock       # the host's application
Watch them:   $BUILD/slinkctl --ctl $D/host.ctl status   (or: status --json)
Logs:         $D/host.log  $D/device.log
Stop:         make demo-stop
TXT
