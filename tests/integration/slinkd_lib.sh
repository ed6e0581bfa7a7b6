# Shared helpers for the slinkd integration tests (sourced, not run).
# Every wait has a timeout; every child is killed on exit.
set -u
BUILD=${BUILD:-build}
SLINKD=$BUILD/slinkd
SLINKCTL=$BUILD/slinkctl
PKI_TOOL=$BUILD/slink-pki
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
APP="python3 $HERE/slinkd_app.py"
T=$(mktemp -d /tmp/slinkd-test.XXXXXX)
# slinkd refuses to run as root unless told to drop to a user or explicitly
# allowed; the tests run as root in CI and keep root on purpose (SIGHUP
# re-reads keys in this 0700 directory).  slinkd_t_privdrop tests the drop.
ROOT_OPT=()
[ "$(id -u)" = 0 ] && ROOT_OPT=(--allow-root)
PIDS=()

cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    sleep 0.1
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
    wait 2>/dev/null
    if [ "${KEEP:-0}" = 1 ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT INT TERM

fail() {
    echo "FAIL: $*"
    for f in "$T"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 25 "$f"; }; done
    exit 1
}

# wait_for SECONDS CMD...: polls CMD every 0.1 s until it succeeds.
wait_for() {
    local limit=$1; shift
    local end=$(( $(date +%s%N) / 1000000 + limit * 1000 ))
    while ! "$@" >/dev/null 2>&1; do
        [ $(( $(date +%s%N) / 1000000 )) -lt $end ] || return 1
        sleep 0.1
    done
}

# mint NAME: key and certificate for CN=NAME under $T/ca.{crt,key}; a year
# long, so that slinkd's warning about its own certificate expiring within
# 30 days (slinkd_t_credmsg) stays out of the other tests' logs
mint_ca() {
    if [ -x "$PKI_TOOL" ]; then
        "$PKI_TOOL" ca --force --out-cert "$T/ca.crt" --out-key "$T/ca.key" --cn "slinkd test CA" --days 400 >/dev/null
    else
        openssl ecparam -name prime256v1 -genkey -noout -out "$T/ca.key" 2>/dev/null
        openssl req -x509 -new -key "$T/ca.key" -sha256 -days 400 -subj "/CN=slinkd test CA" \
            -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign \
            -out "$T/ca.crt" 2>/dev/null
    fi
}
mint() {   # mint NAME [CAPREFIX]
    local name=$1 ca=${2:-$T/ca}
    if [ -x "$PKI_TOOL" ]; then
        "$PKI_TOOL" issue --force --ca-cert "$ca.crt" --ca-key "$ca.key" --name "$name" --days 365 \
            --out-cert "$T/$name.crt" --out-key "$T/$name.key" >/dev/null
    else
        openssl ecparam -name prime256v1 -genkey -noout -out "$T/$name.key" 2>/dev/null
        openssl req -new -key "$T/$name.key" -subj "/CN=$name" -out "$T/$name.csr" 2>/dev/null
        printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n' > "$T/ext"
        openssl x509 -req -in "$T/$name.csr" -CA "$ca.crt" -CAkey "$ca.key" -CAcreateserial -sha256 \
            -days 365 -extfile "$T/ext" -out "$T/$name.crt" 2>/dev/null
    fi
    chmod 600 "$T/$name.key"
}

# line NAME: a socat pty pair $T/NAME.a <-> $T/NAME.b; sets LINE_PID
line() {
    socat pty,raw,echo=0,link="$T/$1.a" pty,raw,echo=0,link="$T/$1.b" 2>"$T/socat-$1.err" &
    LINE_PID=$!
    PIDS+=("$LINE_PID")
    wait_for 5 test -e "$T/$1.b" -a -e "$T/$1.a" || fail "socat pty pair $1 did not come up"
}

# daemon NAME DEVICE ADDR PEER PEERNAME [extra options]: sets DPID
# (certificate $T/$CERT.crt, default $T/NAME.crt)
daemon() {
    local name=$1 dev=$2 addr=$3 peer=$4 pname=$5; shift 5
    local cert=${CERT:-$name}
    "$SLINKD" "${ROOT_OPT[@]}" --foreground --device "$dev" --baud 4000000 --addr "$addr" --ca "$T/ca.crt" \
        --cert "$T/$cert.crt" --key "$T/$cert.key" --peer "$peer" --peer-name "$pname" \
        --socket "$T/$name.sock" --ctl "$T/$name.ctl" "$@" >>"$T/$name.log" 2>&1 &
    DPID=$!
    PIDS+=("$DPID")
}

status_json() {   # status_json NAME
    "$SLINKCTL" --ctl "$T/$1.ctl" status --json
}
peer_state() {    # peer_state NAME -> state of the first peer
    status_json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["peers"][0]["state"])'
}
is_established() { [ "$(peer_state "$1" 2>/dev/null)" = established ]; }
# app_field NAME KEY: a field of the first peer's "apps" object
app_field() {
    status_json "$1" | python3 -c 'import json,sys; v=json.load(sys.stdin)["peers"][0]["apps"][sys.argv[1]]; print(str(v).lower())' "$2"
}
# stream_slot_free NAME: no stream application holds the daemon's one stream
# slot.  An application closed by its user keeps the slot until its session
# has closed; one that connects before then is refused (accepted and closed
# at once, which looks like an ended session), so a test that starts the next
# application after one finished waits for this first.
stream_slot_free() { [ "$(app_field "$1" stream 2>/dev/null)" = false ]; }
app_is() { [ "$(app_field "$1" "$2" 2>/dev/null)" = "$3" ]; }          # app_is NAME KEY VALUE
app_gt() { local v; v=$(app_field "$1" "$2" 2>/dev/null) && [ "$v" -gt "$3" ]; }   # app_gt NAME KEY N
session_id() {
    status_json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["peers"][0]["session_id"])'
}
