#!/usr/bin/env bash
# Service conventions: every tool answers --help/-h/--version (exit 0, one
# version string); slinkd --check-config validates config and credentials
# (0 "configuration OK", 1 with the reason, 2 for usage) and opens nothing;
# --pidfile is written, locked against a second daemon and removed at exit;
# slinkctl reload exits 1 with the reason when the reload is refused.
source "$(dirname "$0")/slinkd_lib.sh"
mint_ca; mint host; mint pump

# --help, -h, --version
ver=""
for tool in slinkd slinkctl slink-pki slink-dump slink-linesim; do
    for o in --help -h; do
        "$BUILD/$tool" $o > "$T/out" 2>&1 || fail "$tool $o: exit $?"
        grep -qi usage "$T/out" || fail "$tool $o printed no usage: $(head -2 "$T/out")"
    done
    "$BUILD/$tool" --version > "$T/out" 2>&1 || fail "$tool --version: exit $?"
    v=$(awk -v t="$tool" '$1 == t { print $2 }' "$T/out")
    [ -n "$v" ] || fail "$tool --version: '$(cat "$T/out")'"
    [ -z "$ver" ] || [ "$v" = "$ver" ] || fail "$tool --version $v differs from $ver"
    ver=$v
done
grep -q "SLINK_VERSION_STRING \"$ver\"" include/slink/version.h || fail "version $ver is not include/slink/version.h's"
echo "--help, -h, --version: exit 0 for all 5 tools, version $ver"

# --check-config
conf() {   # conf FILE [extra [link] lines]
    local f=$1; shift
    {
        echo "[link]"
        echo "device = $T/nonexistent-port   # never opened by --check-config"
        echo "addr = 1"
        echo "ca = $T/ca.crt"
        echo "cert = $T/host.crt"
        echo "key = $T/host.key ; inline comment"
        echo "ctl = $T/check.ctl"
        for l in "$@"; do echo "$l"; done
        echo "[peer pump]   # the device"
        echo "addr = 7"
        echo "name = pump"
        echo "socket = $T/check.sock"
    } > "$f"
}
check() {   # check WANT_RC FILE [options]: runs --check-config, output in $T/check.out
    local want=$1 f=$2 rc; shift 2
    "$SLINKD" "${ROOT_OPT[@]}" --check-config --config "$f" "$@" > "$T/check.out" 2>&1; rc=$?
    [ $rc -eq "$want" ] || fail "--check-config $f $*: exit $rc, want $want: $(cat "$T/check.out")"
}
conf "$T/good.conf"
check 0 "$T/good.conf"
grep -q "configuration OK" "$T/check.out" || fail "no 'configuration OK': $(cat "$T/check.out")"
[ ! -e "$T/check.ctl" ] && [ ! -e "$T/check.sock" ] || fail "--check-config created a socket"
"$SLINKD" "${ROOT_OPT[@]}" -t --config "$T/good.conf" > /dev/null 2>&1 || fail "-t: exit $?"
# command line only, no file
"$SLINKD" "${ROOT_OPT[@]}" --check-config --device /dev/null --addr 1 --ca "$T/ca.crt" --cert "$T/host.crt" \
    --key "$T/host.key" --peer 7 --peer-name pump --socket "$T/x.sock" > "$T/check.out" 2>&1 \
    || fail "command-line --check-config: $(cat "$T/check.out")"

# each broken thing: exit 1 and the reason
conf "$T/c1.conf"; sed -i "s|^key = .*|key = $T/host.crt|" "$T/c1.conf"
check 1 "$T/c1.conf"; grep -q "configuration invalid: credentials .* refused" "$T/check.out" || fail "cert as key: $(cat "$T/check.out")"
conf "$T/c2.conf"; sed -i "s|^key = .*|key = $T/pump.key|" "$T/c2.conf"
check 1 "$T/c2.conf"; grep -q "configuration invalid: credentials .* refused" "$T/check.out" || fail "key of another cert: $(cat "$T/check.out")"
conf "$T/c3.conf" "deny-file = $T/missing.list"
check 1 "$T/c3.conf"; grep -q "configuration invalid: deny-file $T/missing.list: cannot open" "$T/check.out" || fail "missing deny-file: $(cat "$T/check.out")"
conf "$T/c4.conf" "baud = fast   # typo"
check 1 "$T/c4.conf"; grep -q "configuration invalid: config $T/c4.conf:8: baud must be a number .*(got 'fast')" "$T/check.out" || fail "bad line: $(cat "$T/check.out")"
conf "$T/c5.conf"; sed -i "s|^ca = .*|ca = $T/nope.crt|" "$T/c5.conf"
check 1 "$T/c5.conf"; grep -q "configuration invalid: cannot read $T/nope.crt" "$T/check.out" || fail "missing CA: $(cat "$T/check.out")"
conf "$T/c6.conf"; sed -i "/^name = /d" "$T/c6.conf"
check 1 "$T/c6.conf"; grep -q "configuration invalid: .*needs the expected certificate name" "$T/check.out" || fail "no peer name: $(cat "$T/check.out")"
check 2 "$T/good.conf" --no-such-option
grep -q "unknown option '--no-such-option'" "$T/check.out" || fail "usage error: $(cat "$T/check.out")"
echo "--check-config: OK exits 0 and opens nothing; cert as key, wrong key, missing deny-file, bad line, missing CA, missing name exit 1 with the reason; a bad option exits 2"

# --pidfile
line l
conf "$T/run.conf"
sed -i "s|^device = .*|device = $T/l.a|; s|^ctl = .*|ctl = $T/host.ctl|" "$T/run.conf"
"$SLINKD" "${ROOT_OPT[@]}" --foreground --config "$T/run.conf" --pidfile "$T/slinkd.pid" >> "$T/host.log" 2>&1 &
H=$!; PIDS+=("$H")
wait_for 10 test -s "$T/slinkd.pid" || fail "pidfile not written"
[ "$(cat "$T/slinkd.pid")" = "$H" ] || fail "pidfile holds '$(cat "$T/slinkd.pid")', daemon is $H"
"$SLINKD" "${ROOT_OPT[@]}" --foreground --device "$T/l.b" --addr 7 --ca "$T/ca.crt" --cert "$T/pump.crt" \
    --key "$T/pump.key" --peer 1 --peer-name host --socket "$T/p2.sock" --ctl "$T/p2.ctl" \
    --pidfile "$T/slinkd.pid" > "$T/second.out" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "second daemon on the same pidfile: exit $rc: $(cat "$T/second.out")"
grep -q "another slinkd is running with this pidfile" "$T/second.out" || fail "second daemon: $(cat "$T/second.out")"
[ "$(cat "$T/slinkd.pid")" = "$H" ] || fail "second daemon changed the pidfile"
ln -s "$T/target" "$T/link.pid"
"$SLINKD" "${ROOT_OPT[@]}" --foreground --device "$T/l.b" --addr 7 --ca "$T/ca.crt" --cert "$T/pump.crt" \
    --key "$T/pump.key" --peer 1 --peer-name host --socket "$T/p3.sock" --ctl "$T/p3.ctl" \
    --pidfile "$T/link.pid" > "$T/third.out" 2>&1; rc=$?
[ $rc -eq 1 ] && [ ! -e "$T/target" ] || fail "pidfile through a symlink: exit $rc: $(cat "$T/third.out")"

# slinkctl reload: done -> 0; refused -> 1 with the reason on stderr
wait_for 5 test -S "$T/host.ctl" || fail "no control socket"
"$SLINKCTL" --ctl "$T/host.ctl" reload > "$T/rl.out" 2> "$T/rl.err" || fail "good reload: exit $?: $(cat "$T/rl.err")"
grep -q "^ok: reload done" "$T/rl.out" || fail "good reload said: $(cat "$T/rl.out")"
cp "$T/run.conf" "$T/run.conf.good"; echo "addr = 300" >> "$T/run.conf"
"$SLINKCTL" --ctl "$T/host.ctl" reload > "$T/rl.out" 2> "$T/rl.err"; rc=$?
[ $rc -eq 1 ] || fail "refused reload: slinkctl exit $rc"
grep -q "^slinkctl: error: reload refused, keeping the running configuration: config $T/run.conf:12: addr must be a unicast address" "$T/rl.err" \
    || fail "refused reload reason: '$(cat "$T/rl.err")'"
[ ! -s "$T/rl.out" ] || fail "refused reload printed on stdout: $(cat "$T/rl.out")"
cp "$T/run.conf.good" "$T/run.conf"
# a refused credential reload says why too (or that it is postponed while
# the daemon's own handshake attempt still uses the old credentials)
cp "$T/host.key" "$T/host.key.good"; echo garbage > "$T/host.key"
"$SLINKCTL" --ctl "$T/host.ctl" reload > "$T/rl2.out" 2> "$T/rl2.err"; rc=$?
[ $rc -eq 1 ] || fail "refused credential reload: slinkctl exit $rc"
grep -Eq "reload (refused, keeping the running credentials: credentials \(ca .*\) refused|postponed: a handshake still uses)" "$T/rl2.err" \
    || fail "refused credential reload reason: '$(cat "$T/rl2.err")'"
cp "$T/host.key.good" "$T/host.key"
kill -0 "$H" || fail "daemon died on a refused reload"
echo "slinkctl reload: exit 0 when done; exit 1 with '$(head -c 80 "$T/rl.err")...' when refused"

kill -TERM "$H"; wait "$H"; rc=$?
[ $rc -eq 0 ] || fail "SIGTERM exit $rc"
[ ! -e "$T/slinkd.pid" ] || fail "pidfile left behind at exit"
echo "--pidfile: holds the daemon's pid, a second daemon refused (exit 1), a symlink refused, removed at exit"
echo OK
