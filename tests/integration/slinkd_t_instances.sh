#!/usr/bin/env bash
# Several daemons on one host (one per serial port) with default paths: each
# gets its own control socket, RUNDIR/INSTANCE.ctl (instance = --instance or
# the config file's basename), and slinkctl -i INSTANCE reaches each.  As
# root: RUNDIR is /run/slink, the socket is given to the user the daemon
# drops to (mode 0660), a second daemon of the same instance is refused with
# the reason.  Under systemd ($RUNTIME_DIRECTORY) the socket goes there.  A
# non-root daemon with nowhere to put it says so and exits 1; with
# $XDG_RUNTIME_DIR it uses $XDG_RUNTIME_DIR/slink.
source "$(dirname "$0")/slinkd_lib.sh"
mint_ca; mint host; mint pump
A=slktest-a-$$; B=slktest-b-$$; C=slktest-c-$$
DP=""
cleanup_instances() {
    # the detached daemon is no child of ours
    [ -n "$DP" ] && kill "$DP" 2>/dev/null
    # a daemon that dropped root cannot unlink its socket from root's /run/slink
    rm -f "/run/slink/$A.ctl" "/run/slink/$B.ctl" "/run/slink/$A-x.ctl" "/run/slink/$C.ctl" "/run/slink/$C.pid"
    cleanup
}
trap cleanup_instances EXIT INT TERM

line l
conf() {   # conf FILE DEVICE ADDR PEER PEERNAME CERT [extra lines]
    local f=$1 dev=$2 addr=$3 peer=$4 pname=$5 cert=$6; shift 6
    {
        echo "[link]"
        echo "device = $dev"
        echo "baud = 4000000"
        echo "addr = $addr"
        echo "ca = $T/ca.crt"
        echo "cert = $T/$cert.crt"
        echo "key = $T/$cert.key"
        for x in "$@"; do echo "$x"; done
        echo "[peer p]"
        echo "addr = $peer"
        echo "name = $pname"
        echo "socket = $T/$cert.sock"
    } > "$f"
}

if [ "$(id -u)" = 0 ]; then
    RUNDIR=/run/slink
    chmod 0755 "$T"   # nobody re-reads nothing here, but reaches the sockets' directory
    conf "$T/$A.conf" "$T/l.a" 1 7 pump host "user = nobody"
    conf "$T/$B.conf" "$T/l.b" 7 1 host pump "user = nobody"
else
    RUNDIR=$T/xdg/slink
    export XDG_RUNTIME_DIR=$T/xdg
    mkdir -p "$XDG_RUNTIME_DIR"
    conf "$T/$A.conf" "$T/l.a" 1 7 pump host
    conf "$T/$B.conf" "$T/l.b" 7 1 host pump
fi
"$SLINKD" --foreground --config "$T/$A.conf" >> "$T/a.log" 2>&1 & PA=$!; PIDS+=($PA)
"$SLINKD" --foreground --config "$T/$B.conf" >> "$T/b.log" 2>&1 & PB=$!; PIDS+=($PB)
wait_for 10 test -S "$RUNDIR/$A.ctl" || fail "no $RUNDIR/$A.ctl"
wait_for 10 test -S "$RUNDIR/$B.ctl" || fail "no $RUNDIR/$B.ctl"
grep -q "control socket $RUNDIR/$A.ctl" "$T/a.log" || fail "the control socket is not logged"
addr_of() {   # addr_of INSTANCE -> the link address its daemon reports
    "$SLINKCTL" -i "$1" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["link"]["addr"])'
}
established() { "$SLINKCTL" -i "$1" status --json | grep -q '"state":"established"'; }
wait_for 20 established "$A" || fail "$A: no session"
wait_for 20 established "$B" || fail "$B: no session"
[ "$(addr_of "$A")" = 1 ] && [ "$(addr_of "$B")" = 7 ] || fail "slinkctl -i: $A is $(addr_of "$A"), $B is $(addr_of "$B")"
"$SLINKCTL" --instance="$B" status > "$T/st" || fail "--instance=: exit $?"
"$SLINKCTL" --ctl "$RUNDIR/$A.ctl" metrics | grep -q '^slink_' || fail "--ctl PATH metrics"
"$SLINKCTL" -i "$RUNDIR/$B.ctl" status | grep -q "addr 7" || fail "-i PATH"
"$SLINKCTL" -i .hidden status > /dev/null 2>&1; [ $? = 2 ] || fail "-i .hidden: not a usage error"
echo "two daemons with default paths: $RUNDIR/$A.ctl (addr 1) and $RUNDIR/$B.ctl (addr 7), both established, slinkctl -i reaches each"

# several instances: slinkctl without -i does not guess
if ! [ -S "$RUNDIR/slinkd.ctl" ]; then
    "$SLINKCTL" status > "$T/o" 2> "$T/e"; rc=$?
    [ $rc = 1 ] && grep -q "instances are running:.*$A.*; name one with -i NAME" "$T/e" || fail "no -i: $rc $(cat "$T/e")"
    "$SLINKCTL" -i "no-such-$$" status > "$T/o" 2> "$T/e"; rc=$?
    [ $rc = 1 ] && grep -q "no slinkd instance 'no-such-$$'" "$T/e" || fail "unknown -i: $rc $(cat "$T/e")"
    echo "slinkctl without -i among several: exit 1 naming them; an unknown instance: exit 1"
fi

# the same instance twice: the second is refused with the reason, the first unharmed
line m
"$SLINKD" "${ROOT_OPT[@]}" --foreground --device "$T/m.a" --addr 1 --ca "$T/ca.crt" --cert "$T/host.crt" \
    --key "$T/host.key" --peer 7 --peer-name pump --socket "$T/dup.sock" --instance "$A" > "$T/dup.out" 2>&1; rc=$?
[ $rc = 1 ] && grep -q "control socket $RUNDIR/$A.ctl is in use by another slinkd: give each daemon its own" "$T/dup.out" \
    || fail "same instance twice: exit $rc: $(cat "$T/dup.out")"
[ "$(addr_of "$A")" = 1 ] || fail "the first $A no longer answers"
"$SLINKD" "${ROOT_OPT[@]}" --foreground --device "$T/m.a" --addr 1 --ca "$T/ca.crt" --cert "$T/host.crt" \
    --key "$T/host.key" --peer 7 --peer-name pump --socket "$T/dup.sock" --instance "a/b" > "$T/bad.out" 2>&1; rc=$?
[ $rc = 2 ] && grep -q "option --instance: the name may hold only" "$T/bad.out" || fail "--instance a/b: $rc $(cat "$T/bad.out")"
echo "a second daemon of instance $A: exit 1, '$(grep -o 'is in use by another slinkd' "$T/dup.out")'; --instance a/b: exit 2"

if [ "$(id -u)" = 0 ]; then
    # the socket belongs to the user the daemon dropped to: that user (and
    # its group) reach it, others do not
    st=$(stat -c '%U %a' "$RUNDIR/$A.ctl")
    [ "$st" = "nobody 660" ] || fail "$RUNDIR/$A.ctl is '$st', want 'nobody 660'"
    runuser -u nobody -- "$SLINKCTL" -i "$A" status > /dev/null || fail "nobody cannot reach its daemon"
    echo "as root with user = nobody: $RUNDIR/$A.ctl owned by nobody, mode 660, reachable by nobody"

    # under systemd: $RUNTIME_DIRECTORY
    mkdir -p "$T/rd"
    RUNTIME_DIRECTORY="$T/rd" "$SLINKD" "${ROOT_OPT[@]}" --foreground --device "$T/m.a" --addr 1 --ca "$T/ca.crt" \
        --cert "$T/host.crt" --key "$T/host.key" --peer 7 --peer-name pump --socket "$T/rd.sock" \
        --instance "$A-x" >> "$T/rd.log" 2>&1 & PR=$!; PIDS+=($PR)
    wait_for 10 test -S "$T/rd/$A-x.ctl" || fail "no \$RUNTIME_DIRECTORY/$A-x.ctl"
    "$SLINKCTL" --ctl "$T/rd/$A-x.ctl" status > /dev/null || fail "RUNTIME_DIRECTORY daemon unreachable"
    [ ! -e "/run/slink/$A-x.ctl" ] || fail "RUNTIME_DIRECTORY ignored"
    kill -TERM $PR; wait $PR
    [ ! -e "$T/rd/$A-x.ctl" ] || fail "the control socket was left behind at exit"
    echo "RUNTIME_DIRECTORY (systemd): the control socket is created there and removed at exit"

    # a detached daemon (init-script style): pidfile RUNDIR/INSTANCE.pid by
    # default, next to its control socket
    sed "s|$T/host.sock|$T/det.sock|; s|$T/l.a|$T/m.a|" "$T/$A.conf" > "$T/$C.conf"
    "$SLINKD" --config "$T/$C.conf" > "$T/c.out" 2>&1 || fail "detached daemon: exit $?: $(cat "$T/c.out")"
    wait_for 10 test -s "/run/slink/$C.pid" || fail "no /run/slink/$C.pid"
    DP=$(cat "/run/slink/$C.pid")
    kill -0 "$DP" || fail "pidfile names $DP, not running"
    [ "$(awk '$1 == "Uid:" { print $2 }' /proc/$DP/status)" = "$(id -u nobody)" ] || fail "detached daemon kept root"
    wait_for 10 test -S "/run/slink/$C.ctl" || fail "no /run/slink/$C.ctl"
    "$SLINKCTL" -i "$C" status > /dev/null || fail "detached daemon unreachable"
    kill -TERM "$DP"
    wait_for 10 bash -c "! kill -0 $DP" || fail "detached daemon $DP did not stop"
    DP=""
    # it dropped root, so it could only empty its pidfile in root's /run/slink
    [ ! -s "/run/slink/$C.pid" ] || fail "pidfile still names a pid after exit"
    echo "detached daemon: /run/slink/$C.pid names it (running as nobody), emptied at exit"

    # a daemon started as nobody by hand: nowhere to put it -> exit 1 and why;
    # with XDG_RUNTIME_DIR -> there
    U=$(mktemp -d /tmp/slinkd-nobody.XXXXXX); chmod 0755 "$U"
    cp "$T/ca.crt" "$T/host.crt" "$T/host.key" "$U/"; chown -R nobody "$U"
    NARGS=(--foreground --wait --device "$U/no-port" --addr 1 --ca "$U/ca.crt" --cert "$U/host.crt" --key "$U/host.key"
           --peer 7 --peer-name pump --socket "$U/n.sock" --instance "$A-n")
    if runuser -u nobody -- test -w /run/slink; then
        echo "/run/slink is writable by nobody here: the refusal is not tested"
    else
        runuser -u nobody -- env -u XDG_RUNTIME_DIR -u RUNTIME_DIRECTORY "$SLINKD" "${NARGS[@]}" > "$T/n.out" 2>&1; rc=$?
        [ $rc = 1 ] && grep -q "no place for the control socket: no run directory: running as uid $(id -u nobody), /run/slink is missing or not writable" "$T/n.out" \
            || fail "unprivileged, no rundir: exit $rc: $(cat "$T/n.out")"
        echo "unprivileged daemon with no writable run directory: exit 1, '$(head -c 100 "$T/n.out")...'"
    fi
    mkdir -p "$U/xdg"; chown nobody "$U/xdg"
    runuser -u nobody -- env XDG_RUNTIME_DIR="$U/xdg" "$SLINKD" "${NARGS[@]}" >> "$T/n.log" 2>&1 & PN=$!; PIDS+=($PN)
    wait_for 10 test -S "$U/xdg/slink/$A-n.ctl" || { rm -rf "$U"; fail "no \$XDG_RUNTIME_DIR/slink/$A-n.ctl"; }
    runuser -u nobody -- env XDG_RUNTIME_DIR="$U/xdg" "$SLINKCTL" -i "$A-n" status > "$T/n.st" \
        || { rm -rf "$U"; fail "slinkctl -i with XDG_RUNTIME_DIR"; }
    kill -TERM $PN; wait $PN
    rm -rf "$U"
    echo "unprivileged daemon with XDG_RUNTIME_DIR: \$XDG_RUNTIME_DIR/slink/$A-n.ctl, reached by slinkctl -i"
fi

kill -TERM $PA $PB; wait $PA; ra=$?; wait $PB; rb=$?
[ $ra = 0 ] && [ $rb = 0 ] || fail "exit status $ra $rb"
echo OK
