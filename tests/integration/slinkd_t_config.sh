#!/usr/bin/env bash
# Config files: a malformed one gives one clear line and exit status 2; a
# good one runs a session end to end (with a datagram socket); a key that
# others can read draws a warning.
source "$(dirname "$0")/slinkd_lib.sh"
mint_ca; mint host; mint pump

expect_error() {   # expect_error FILE-CONTENT EXPECTED-MESSAGE
    printf '%b' "$1" > "$T/bad.conf"
    "$SLINKD" --config "$T/bad.conf" --foreground 2> "$T/bad.err"
    local rc=$?
    [ $rc -eq 2 ] || fail "exit status $rc (want 2) for: $(cat "$T/bad.err")"
    [ "$(wc -l < "$T/bad.err")" -eq 1 ] || fail "more than one line: $(cat "$T/bad.err")"
    grep -qF "$2" "$T/bad.err" || fail "message '$(cat "$T/bad.err")' lacks '$2'"
    echo "ok: $(cat "$T/bad.err")"
}
expect_error "[link]\ndevice = /dev/null\nbaud = fast\n" "slinkd: config $T/bad.conf:3: baud must be a number"
expect_error "# comment\n[link]\naddr = 300\n" "slinkd: config $T/bad.conf:3: addr must be a unicast address"
expect_error "device = /dev/x\n" "slinkd: config $T/bad.conf:1: 'device' outside a section"
expect_error "[link]\n[pear pump]\n" "slinkd: config $T/bad.conf:2: unknown section [pear pump]"
expect_error "[link]\ncolour = blue\n" "slinkd: config $T/bad.conf:2: unknown key in [link] 'colour'"
expect_error "[peer a]\naddr = 7\n[peer a]\n" "slinkd: config $T/bad.conf:3: peer 'a' defined twice"
expect_error "[link]\ndevice /dev/x\n" "slinkd: config $T/bad.conf:2: expected 'key = value'"
expect_error "[link]\ndevice=/dev/x\nca=a\ncert=b\nkey=c\n[peer p]\naddr=7\nsocket=/tmp/x\n" \
    "peer 'p' (addr 7) needs the expected certificate name"
"$SLINKD" --config "$T/missing.conf" 2> "$T/bad.err"; rc=$?
[ $rc -eq 2 ] && grep -q "cannot open" "$T/bad.err" || fail "missing config file: $rc $(cat "$T/bad.err")"
"$SLINKD" --baud 12x 2> "$T/bad.err"; rc=$?
[ $rc -eq 2 ] && grep -q "option --baud: baud must be" "$T/bad.err" || fail "bad option: $rc $(cat "$T/bad.err")"
echo "ok: $(cat "$T/bad.err")"

line l
TCPPORT=$((20000 + RANDOM % 20000))
chmod 644 "$T/host.key"
cat > "$T/host.conf" <<CONF
# host side
[link]
device = $T/l.a
baud = 4000000
addr = 1
mode = full-duplex
ca = $T/ca.crt
cert = $T/host.crt
key = $T/host.key
ctl = $T/host.ctl

[peer pump]
addr = 7
name = pump
socket = $T/host.sock
dgram-socket = $T/host.dg
role = initiator
socket-mode = 0600
tcp = 127.0.0.1:$TCPPORT
CONF
"$SLINKD" --config "$T/host.conf" --foreground >>"$T/host.log" 2>&1 &
PIDS+=($!)
daemon pump "$T/l.b" 7 1 host --role responder --dgram-socket "$T/pump.dg"
wait_for 10 is_established host || fail "no session with the config-file daemon"
grep -q "mode 0644" "$T/host.log" || fail "no warning about the key's mode"
[ "$(stat -c %a "$T/host.sock")" = 600 ] || fail "socket-mode not applied"
$APP dgram-pair "$T/host.dg" "$T/pump.dg" || fail "datagrams through the config-file daemon"
$APP recv "$T/pump.sock" 5 > "$T/tcp.got" & R=$!
sleep 0.3
python3 -c 'import socket,sys,time; s=socket.create_connection(("127.0.0.1", int(sys.argv[1]))); s.sendall(b"via tcp"); time.sleep(1)' $TCPPORT ||
    fail "cannot connect to the TCP listener"
wait $R
grep -q "via tcp" "$T/tcp.got" || fail "data from the TCP listener did not arrive: '$(cat "$T/tcp.got")'"
echo "config-file daemon: session up, key-mode warning logged, socket mode 0600, datagrams ok, TCP listener ok"
echo OK
