#!/usr/bin/env bash
# slinkd never parses the serial line as root: started as root it refuses to
# run without `user` (unless --allow-root), and with `user` it opens the
# port, its sockets and its credentials first, then becomes that user for
# good (/proc shows every uid and gid dropped, no capabilities, no new
# privileges) - and the link still carries data both ways.
source "$(dirname "$0")/slinkd_lib.sh"
mint_ca; mint host; mint pump
ARGS=(--foreground --device "$T/nope" --baud 115200 --addr 1 --ca "$T/ca.crt" --cert "$T/host.crt"
      --key "$T/host.key" --peer 7 --peer-name pump --socket "$T/x.sock")

if [ "$(id -u)" != 0 ]; then
    # not root: a `user` that is not us cannot be become
    "$SLINKD" "${ARGS[@]}" --user root > "$T/e" 2>&1; rc=$?
    [ $rc = 2 ] && grep -q "cannot switch users\|is root" "$T/e" || fail "user=root accepted without root: $(cat "$T/e")"
    echo "not root: the drop itself needs root; only the refusal was checked"
    echo OK; exit 0
fi

# 1. root without a user: refused before anything is opened
"$SLINKD" "${ARGS[@]}" > "$T/e" 2>&1; rc=$?
[ $rc = 2 ] || fail "root without user: exit $rc: $(cat "$T/e")"
grep -q "refusing to run as root: set 'user = NAME'" "$T/e" || fail "no clear refusal: $(cat "$T/e")"
[ ! -e "$T/x.sock" ] || fail "a socket was created before the refusal"
echo "root without user: $(cat "$T/e")"
"$SLINKD" "${ARGS[@]}" --user no-such-user-slk > "$T/e" 2>&1; rc=$?
[ $rc = 2 ] && grep -q "user 'no-such-user-slk' does not exist" "$T/e" || fail "unknown user: $rc $(cat "$T/e")"
"$SLINKD" "${ARGS[@]}" --user root > "$T/e" 2>&1; rc=$?
[ $rc = 2 ] && grep -q "user 'root' is root" "$T/e" || fail "user root: $rc $(cat "$T/e")"

# 2. two daemons dropping to nobody: the host from its config file, the pump
#    from the command line with another primary group
line l
cat > "$T/host.conf" <<CONF
[link]
device = $T/l.a
baud = 4000000
addr = 1
ca = $T/ca.crt
cert = $T/host.crt
key = $T/host.key
ctl = $T/host.ctl
user = nobody
[peer pump]
addr = 7
name = pump
socket = $T/host.sock
CONF
"$SLINKD" --config "$T/host.conf" --foreground >> "$T/host.log" 2>&1 & H=$!; PIDS+=($H)
"$SLINKD" --foreground --device "$T/l.b" --baud 4000000 --addr 7 --ca "$T/ca.crt" --cert "$T/pump.crt" \
    --key "$T/pump.key" --peer 1 --peer-name host --socket "$T/pump.sock" --ctl "$T/pump.ctl" \
    --user nobody --group daemon >> "$T/pump.log" 2>&1 & P=$!; PIDS+=($P)
wait_for 10 is_established host || fail "no session between the unprivileged daemons"

NOBODY=$(id -u nobody); NOGROUP=$(id -g nobody); DAEMON_GID=$(getent group daemon | cut -d: -f3)
ids() {   # ids PID FIELD -> the four ids of Uid:/Gid: in /proc/PID/status
    awk -v f="$2:" '$1 == f { print $2, $3, $4, $5 }' /proc/$1/status
}
for who in "host $H $NOGROUP" "pump $P $DAEMON_GID"; do
    set -- $who
    [ "$(ids $2 Uid)" = "$NOBODY $NOBODY $NOBODY $NOBODY" ] || fail "$1: Uid $(ids $2 Uid)"
    [ "$(ids $2 Gid)" = "$3 $3 $3 $3" ] || fail "$1: Gid $(ids $2 Gid) (want $3)"
    grep -q "^CapEff:[[:space:]]*0*$" /proc/$2/status || fail "$1: effective capabilities left: $(grep CapEff /proc/$2/status)"
    grep -q "^CapPrm:[[:space:]]*0*$" /proc/$2/status || fail "$1: permitted capabilities left"
    grep -q "^NoNewPrivs:[[:space:]]*1$" /proc/$2/status || fail "$1: NoNewPrivs not set"
    # supplementary groups: nobody's own (group database) and the chosen
    # primary one, never root's
    for g in $(awk '$1 == "Groups:" { $1 = ""; print }' /proc/$2/status); do
        case " $(id -G nobody) $3 " in *" $g "*) ;; *) fail "$1: supplementary group $g is not nobody's" ;; esac
    done
    grep -q "running as user nobody (uid $NOBODY, gid $3); root cannot be regained" "$T/$1.log" ||
        fail "$1: drop not logged"
    echo "$1 (pid $2): $(grep -E '^(Uid|Gid|Groups|CapEff|NoNewPrivs):' /proc/$2/status | tr -s '\t\n' '  ')"
done

# 3. the link works: 100 kB each way, byte-exact, through the dropped daemons
$APP exchange "$T/host.sock" A 100000 "$T/h.out" > "$T/x1" & X=$!
$APP exchange "$T/pump.sock" B 100000 "$T/p.out" > "$T/x2" & Y=$!
wait $X || fail "host application: $(cat "$T/x1")"
wait $Y || fail "pump application: $(cat "$T/x2")"
$APP gen A 100000 "$T/A"; $APP gen B 100000 "$T/B"
cmp -s "$T/A" "$T/p.out" && cmp -s "$T/B" "$T/h.out" || fail "data differs"
echo "100 kB each way byte-exact between two daemons running as nobody"
echo OK
