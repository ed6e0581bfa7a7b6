#!/usr/bin/env bash
# Config files: a malformed one gives one clear line and exit status 2; a
# good one runs a session end to end (with a datagram socket); a key that
# others can read draws a warning.  The removed TCP listener and a key log
# in the file are refused with their reasons, and the daemon holds no
# internet socket at all.
source "$(dirname "$0")/slinkd_lib.sh"
mint_ca; mint host; mint pump

expect_error() {   # expect_error FILE-CONTENT EXPECTED-MESSAGE
    printf '%b' "$1" > "$T/bad.conf"
    "$SLINKD" "${ROOT_OPT[@]}" --config "$T/bad.conf" --foreground 2> "$T/bad.err"
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
"$SLINKD" "${ROOT_OPT[@]}" --config "$T/missing.conf" 2> "$T/bad.err"; rc=$?
[ $rc -eq 2 ] && grep -q "cannot open" "$T/bad.err" || fail "missing config file: $rc $(cat "$T/bad.err")"
"$SLINKD" "${ROOT_OPT[@]}" --baud 12x 2> "$T/bad.err"; rc=$?
[ $rc -eq 2 ] && grep -q "option --baud: baud must be" "$T/bad.err" || fail "bad option: $rc $(cat "$T/bad.err")"
echo "ok: $(cat "$T/bad.err")"
GOOD="[link]\ndevice=/dev/x\nca=a\ncert=b\nkey=c\n[peer p]\naddr=7\nname=p\nsocket=/tmp/x\n"
expect_error "${GOOD}tcp = 127.0.0.1:7007\n" \
    "slinkd: config $T/bad.conf:10: tcp (a localhost TCP listener) was removed: any local user"
expect_error "[link]\nkeylog = $T/keys\n" \
    "slinkd: config $T/bad.conf:2: keylog is accepted on the command line only (--keylog FILE, debugging)"
[ ! -e "$T/keys" ] || fail "a refused key log was created"

line l
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
CONF
"$SLINKD" "${ROOT_OPT[@]}" --config "$T/host.conf" --foreground >>"$T/host.log" 2>&1 &
H=$!; PIDS+=($H)
daemon pump "$T/l.b" 7 1 host --role responder --dgram-socket "$T/pump.dg"
wait_for 10 is_established host || fail "no session with the config-file daemon"
grep -q "mode 0644" "$T/host.log" || fail "no warning about the key's mode"
[ "$(stat -c %a "$T/host.sock")" = 600 ] || fail "socket-mode not applied"
$APP dgram-pair "$T/host.dg" "$T/pump.dg" || fail "datagrams through the config-file daemon"
# Only UNIX sockets give access: none of the daemon's descriptors is a
# TCP or UDP socket (their inodes would be in /proc/net/{tcp,udp}{,6}).
inodes=$(ls -l /proc/$H/fd 2>/dev/null | grep -o 'socket:\[[0-9]*\]' | tr -dc '0-9\n')
[ -n "$inodes" ] || fail "cannot see the daemon's sockets"
for i in $inodes; do
    awk -v i="$i" 'NR > 1 && $10 == i { found = 1 } END { exit !found }' \
        /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6 2>/dev/null &&
        fail "the daemon holds an internet socket (inode $i)"
done
echo "config-file daemon: session up, key-mode warning logged, socket mode 0600, datagrams ok, $(echo "$inodes" | wc -w) sockets, none of them TCP/UDP"
echo OK
