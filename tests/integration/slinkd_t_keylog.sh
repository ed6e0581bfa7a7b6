#!/usr/bin/env bash
# The debug key log (traffic secrets) is made only by the command line's
# --keylog, only as a new file of mode 0600: an existing file, a symlink
# (even a dangling one) and a key log in the configuration file are refused
# with a clear reason, and nothing is written through them.
source "$(dirname "$0")/slinkd_lib.sh"
mint_ca; mint host

# start_with_keylog PATH: a daemon that gets as far as opening the key log
# (no line is needed: the port is opened after it); prints its exit status
start_with_keylog() {
    timeout 10 "$SLINKD" "${ROOT_OPT[@]}" --foreground --device "$T/nope" --wait --baud 115200 --addr 1 \
        --ca "$T/ca.crt" --cert "$T/host.crt" --key "$T/host.key" --peer 7 --peer-name pump \
        --socket "$T/h.sock" --ctl "$T/h.ctl" --keylog "$1" > "$T/kl.log" 2>&1
    echo $?
}

# 1. an existing file: refused, left as it was
printf 'someone else\n' > "$T/exists"; chmod 644 "$T/exists"
rc=$(start_with_keylog "$T/exists")
[ "$rc" = 1 ] || fail "existing key log file: exit $rc: $(cat "$T/kl.log")"
grep -q "key log $T/exists already exists (or is a symlink): refusing" "$T/kl.log" ||
    fail "no clear refusal for an existing file: $(cat "$T/kl.log")"
[ "$(cat "$T/exists")" = "someone else" ] || fail "the existing file was written to"
echo "existing file refused: $(grep -o 'key log.*refusing[^:]*' "$T/kl.log")"

# 2. a symlink to a file elsewhere, and a dangling one: neither followed
printf 'victim\n' > "$T/victim"
ln -s "$T/victim" "$T/link"
ln -s "$T/not-there" "$T/dangling"
for l in link dangling; do
    rc=$(start_with_keylog "$T/$l")
    [ "$rc" = 1 ] || fail "symlink $l: exit $rc: $(cat "$T/kl.log")"
    grep -q "already exists (or is a symlink): refusing" "$T/kl.log" || fail "no refusal for $l: $(cat "$T/kl.log")"
done
[ "$(cat "$T/victim")" = victim ] || fail "written through the symlink"
[ ! -e "$T/not-there" ] || fail "the dangling symlink's target was created"
echo "symlinks refused (target untouched, dangling target not created)"

# 3. a new file: mode 0600 even under umask 000, and a loud warning
( umask 000   # exec: the daemon keeps the pid the cleanup kills
  exec "$SLINKD" "${ROOT_OPT[@]}" --foreground --device "$T/nope" --wait --baud 115200 --addr 1 --ca "$T/ca.crt" \
      --cert "$T/host.crt" --key "$T/host.key" --peer 7 --peer-name pump --socket "$T/h.sock" \
      --ctl "$T/h.ctl" --keylog "$T/new.keys" > "$T/new.log" 2>&1 ) & D=$!; PIDS+=($D)
wait_for 10 grep -q "waiting for the port" "$T/new.log" || fail "daemon with a new key log did not start: $(cat "$T/new.log")"
[ -f "$T/new.keys" ] && [ ! -L "$T/new.keys" ] || fail "no key log file created"
[ "$(stat -c %a "$T/new.keys")" = 600 ] || fail "key log mode $(stat -c %a "$T/new.keys") under umask 000"
grep -q "KEY LOG ENABLED ($T/new.keys)" "$T/new.log" || fail "no loud warning"
grep -q "never in production" "$T/new.log" || fail "the warning does not say it is for debugging only"
echo "new key log: mode 600 under umask 000, warning logged"
kill "$D"; wait "$D" 2>/dev/null

# 4. from the configuration file: refused before anything is opened
printf '[link]\nkeylog = %s\n' "$T/cfg.keys" > "$T/kl.conf"
"$SLINKD" "${ROOT_OPT[@]}" --config "$T/kl.conf" > "$T/cfg.err" 2>&1; rc=$?
[ "$rc" = 2 ] || fail "keylog in the config file: exit $rc"
grep -q "keylog is accepted on the command line only" "$T/cfg.err" || fail "no reason: $(cat "$T/cfg.err")"
[ ! -e "$T/cfg.keys" ] || fail "the config file's key log was created"
echo "config file keylog refused: $(cat "$T/cfg.err")"
echo OK
