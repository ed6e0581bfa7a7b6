#!/usr/bin/env bash
# The daemon under valgrind memcheck: one daemon of a pair (--wait) runs
# under memcheck through a handshake, 64 KB each way, a line that vanishes
# and returns (re-handshake with an application attached), the peer daemon
# SIGKILLed mid-stream with no application attached, a SIGHUP reload
# that keeps the session, more data, and a SIGTERM clean exit.  Any invalid
# access, use of uninitialised memory, or definitely/indirectly lost block
# fails (memcheck exits 99).  slinkctl status runs under memcheck as well.
source "$(dirname "$0")/slinkd_lib.sh"
source "$(dirname "$0")/faults_lib.sh"
command -v valgrind >/dev/null || fail "valgrind is not installed"
VG=(valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99
    --track-fds=no)

mint_ca; mint host; mint pump
# daemon() runs $SLINKD: point it at a wrapper that execs memcheck (same pid)
REAL_SLINKD=$(cd "$(dirname "$SLINKD")" && pwd)/$(basename "$SLINKD")
printf '#!/bin/sh\nexec %s --log-file=%s "$@"\n' "${VG[*]}" "$T/vg-host.txt" > "$T/vg-slinkd"
sed -i "s|\"\$@\"|$REAL_SLINKD \"\$@\"|" "$T/vg-slinkd"
chmod +x "$T/vg-slinkd"

start_line l
SLINKD="$T/vg-slinkd" daemon host "$T/l.a" 1 7 pump --wait; H=$DPID
daemon pump "$T/l.b" 7 1 host --wait; P=$DPID
up=$(fa wait-up "$T/host.ctl" "$T/pump.ctl" - - 60) || fail "no session with the daemon under valgrind: $up"
read -r _ s1 _ <<< "$up"

xchg() {   # xchg SEED_H SEED_P SIZE: byte-exact both ways
    $APP exchange "$T/host.sock" "$1" "$3" "$T/h.out" > "$T/xh" 2>&1 & local X=$!
    $APP exchange "$T/pump.sock" "$2" "$3" "$T/p.out" > "$T/xp" 2>&1 & local Y=$!
    PIDS+=("$X" "$Y")
    wait_pid "$X" 60 || fail "host exchange: $(cat "$T/xh")"
    wait_pid "$Y" 60 || fail "pump exchange: $(cat "$T/xp")"
    $APP gen "$1" "$3" "$T/g1"; $APP gen "$2" "$3" "$T/g2"
    cmp -s "$T/g1" "$T/p.out" && cmp -s "$T/g2" "$T/h.out" || fail "exchange $1/$2 differs"
}
xchg vg-a vg-b 65536
echo "session $s1: 64 KB each way byte-exact through the daemon under memcheck"

# the applications closed: their streams ended in band and the session
# stays up for the next ones (PROTOCOL.md §3.6.1, DAEMON.md)
read -r hst sh _ _ _ pst _ _ _ _ <<< "$(counters host pump)"
[ "$hst $pst $sh" = "established established $s1" ] ||
    fail "session $s1 did not outlive its applications: host $hst/$sh, pump $pst"
# the line vanishes under an attached application and returns
start_pair vg-vanish 60
sleep 0.3
read -r _ s2 _ _ _ _ s2p _ <<< "$(counters host pump)"
stop_line
sleep 0.5
start_line l
up=$(fa wait-up "$T/host.ctl" "$T/pump.ctl" "$s2" "$s2p" 60) || fail "no session after the line returned: $up"
read -r _ s3 _ <<< "$up"
# both ends in one session: a handshake still under way would change it
wait_for 10 is_established pump || fail "pump not established"
wait_pid "$APP_PID" 20 || fail "application pair across the vanished line: $(cat "$T/pair.out")"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if r["a_received"] > 0 and r["b_received"] > 0 else 1)' \
    "$T/pair.json" || fail "no data before the line vanished: $(cat "$T/pair.json")"
echo "line vanished and returned: session $s2 -> $s3, applications disconnected"

# the peer daemon is SIGKILLed while its application writes and none is
# attached here: the daemon under memcheck drops the replaced session's
# acknowledged bytes (orphaned) and the next session starts clean
peer_num() { status_json host | python3 -c "import json,sys; p=json.load(sys.stdin)['peers'][0]; print($1)"; }
in0=$(peer_num "p['bytes_in']")
$APP source "$T/pump.sock" 100000 60 > /dev/null 2>&1 & S=$!; PIDS+=("$S")
for i in $(seq 1 200); do [ "$(peer_num "p['bytes_in']")" -gt $((in0 + 8000)) ] && break; sleep 0.1; done
read -r _ s5 _ <<< "$(counters host)"
kill -9 "$P"; wait "$P" 2>/dev/null; kill "$S" 2>/dev/null
daemon pump "$T/l.b" 7 1 host --wait; P=$DPID
up=$(fa wait-up "$T/host.ctl" "$T/pump.ctl" "$s5" - 60) || fail "no session after the peer daemon was killed: $up"
orph=$(peer_num "p['apps']['orphaned_bytes']")
[ "$orph" -gt 0 ] || fail "no orphaned bytes counted after the peer was killed mid-stream"
echo "peer SIGKILLed mid-stream with no application here: $orph acknowledged bytes dropped as orphaned"

"${VG[@]}" --log-file="$T/vg-ctl.txt" "$SLINKCTL" --ctl "$T/host.ctl" status --json > "$T/ctl.json"
rc=$?
[ $rc -eq 0 ] || fail "slinkctl under memcheck: status $rc: $(cat "$T/vg-ctl.txt")"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/ctl.json" || fail "slinkctl output is not JSON"
echo "slinkctl status --json under memcheck: exit 0"

read -r st s4 _ <<< "$(counters host)"
[ "$st" = established ] || fail "host not established before SIGHUP ($st)"
kill -HUP "$H"
wait_for 30 grep -q "reload done" "$T/host.log" || fail "reload not done under valgrind"
read -r st sid _ <<< "$(counters host)"
[ "$st" = established ] && [ "$sid" = "$s4" ] || fail "SIGHUP changed the session: $st $sid (was $s4)"
xchg vg-c vg-d 32768
echo "SIGHUP: session $s4 kept; 32 KB each way after the reload"

kill -TERM "$H"
wait_pid "$H" 60; rc=$?
[ $rc -ne 124 ] || fail "daemon under valgrind still running 60 s after SIGTERM"
[ $rc -eq 0 ] || fail "daemon under valgrind exited $rc (99: memcheck errors): $(cat "$T/vg-host.txt")"
grep -q "ERROR SUMMARY: 0 errors" "$T/vg-host.txt" || fail "memcheck: $(cat "$T/vg-host.txt")"
grep -qE "definitely lost: [1-9]|indirectly lost: [1-9]|Invalid (read|write)|uninitialised" "$T/vg-host.txt" &&
    fail "memcheck: $(cat "$T/vg-host.txt")"
heap=$(grep -oE "total heap usage: .*" "$T/vg-host.txt" | head -n 1)
atexit=$(grep -oE "in use at exit: [0-9,]+ bytes in [0-9,]+ blocks|All heap blocks were freed[^$]*" "$T/vg-host.txt" | head -n 1)
# the same options catch a leak (memcheck is not silently off)
printf '#include <stdlib.h>\nint main(void){void *volatile p = malloc(64); p = 0; return p != 0;}\n' > "$T/leak.c"
${CC:-cc} -O0 -g "$T/leak.c" -o "$T/leak" || fail "cannot build the leak probe"
"${VG[@]}" --log-file="$T/vg-leak.txt" "$T/leak"; rc=$?
[ $rc -eq 99 ] || fail "memcheck with these options did not flag a definite leak (status $rc)"
echo "RESULT valgrind: slinkd (handshake, 96 KB each way, line vanish + re-handshake, peer killed with orphaned bytes, SIGHUP, SIGTERM exit 0) and slinkctl status: 0 memcheck errors, 0 definitely/indirectly lost ($heap; $atexit); leak probe flagged (99)"
echo OK
