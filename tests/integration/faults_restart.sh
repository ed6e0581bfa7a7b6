#!/usr/bin/env bash
# Daemon fault: the peer daemon is restarted FAULT_CYCLES times (default 100),
# SIGKILL and SIGTERM alternately, while the host daemon keeps running.
# Each cycle an application pair streams both ways and checks every byte.
# Verified per cycle (docs/SECURITY.md "Daemon faults"): a SIGTERM'd daemon
# exits 0; the host's session id moves on; the host's application sees its
# connection closed and a new one carries data; what each application got is
# exactly a prefix of what the other wrote in that session; every byte the
# host daemon took from its core reached its application and at most one
# unacknowledged window is missing of what the peer's daemon had handed to
# its core when last read before the kill.  Reports re-establishment times
# (restarted daemon started -> both ends established).
source "$(dirname "$0")/slinkd_lib.sh"
source "$(dirname "$0")/faults_lib.sh"

mint_ca; mint host; mint pump
BOUND=$(unacked_bound)
start_line l
daemon host "$T/l.a" 1 7 pump; H=$DPID
daemon pump "$T/l.b" 7 1 host; D=$DPID
fa wait-up "$T/host.ctl" "$T/pump.ctl" - - 20 > "$T/up" || fail "no first session: $(cat "$T/up")"

: > "$T/reest"; : > "$T/reest_kill"; : > "$T/reest_term"
bytes=0; t_start=$(date +%s)
for k in $(seq 1 "$CYCLES"); do
    if [ $((k % 2)) -eq 1 ]; then sig=KILL; else sig=TERM; fi
    read -r _ _ h_to0 h_from0 _ _ _ d_to0 d_from0 _ <<< "$(counters host pump)"
    start_pair "restart-$k" 60; A=$APP_PID
    sleep "$(rand_between "$k" 0.2 0.8)"
    kill -0 "$A" 2>/dev/null || fail "cycle $k: applications ended before the fault: $(cat "$T/pair.out")"
    # last look before the kill: the host's session, and what the doomed
    # daemon had handed to its core (a lower bound of what it handed at all)
    read -r hst sh _ _ _ dst _ d_to1 d_from1 _ <<< "$(counters host pump)"
    [ "$hst $dst" = "established established" ] || fail "cycle $k: not established before the fault ($hst/$dst)"

    kill -"$sig" "$D"
    wait_pid "$D" 10; rc=$?
    [ $rc -ne 124 ] || fail "cycle $k: pump still running 10 s after SIG$sig"
    if [ $sig = TERM ]; then
        [ $rc -eq 0 ] || fail "cycle $k: SIGTERM exit status $rc"
    else
        [ $rc -eq 137 ] || fail "cycle $k: SIGKILL exit status $rc"
    fi

    t0=$(now_ms)
    daemon pump "$T/l.b" 7 1 host; D=$DPID
    up=$(fa wait-up "$T/host.ctl" "$T/pump.ctl" "$sh" - 30) ||
        fail "cycle $k: no new session within 30 s of restarting the peer (SIG$sig): $up"
    read -r t_up nsh _ <<< "$up"
    [ $((16#$nsh)) -gt $((16#$sh)) ] || fail "cycle $k: host session id went from $sh to $nsh"
    ms=$(( t_up / 1000000 - t0 ))
    echo "$ms" >> "$T/reest"; echo "$ms" >> "$T/reest_$(echo $sig | tr A-Z a-z)"

    wait_pid "$A" 20; rc=$?
    [ $rc -ne 124 ] || fail "cycle $k: host application still connected 20 s after the new session came up"
    read -r _ _ h_to1 h_from1 _ <<< "$(counters host)"
    judge "cycle $k (SIG$sig, host session $sh -> $nsh)" "$T/pair.json" "$BOUND" a "$h_to0" "$h_from0" "$h_to1" "$h_from1" \
        "$d_to0" "$d_from0" "$d_to1" "$d_from1"
    [ $rc -eq 0 ] || fail "cycle $k: application pair: $(cat "$T/pair.out") $VERDICT"
    bytes=$((bytes + CHECKED))
    [ $((k % 10)) -eq 0 ] || [ "$k" -eq "$CYCLES" ] && echo "cycle $k (SIG$sig): host session $nsh; $VERDICT"
done

# the last session carries data both ways after all the restarts
start_pair final 20; A=$APP_PID
sleep 0.5
kill -TERM "$D"; wait_pid "$D" 10 || fail "final SIGTERM: pump exit status $?"
wait_pid "$A" 20 || true
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if r["a_received"] > 0 and r["b_received"] > 0 and not r["a_bad_chunks"] and not r["b_bad_chunks"] else 1)' \
    "$T/pair.json" || fail "no data on the last session: $(cat "$T/pair.json")"

read -r n mn med mx <<< "$(fa stats "$T/reest")"
read -r _ kmn kmed kmx <<< "$(fa stats "$T/reest_kill")"
read -r _ tmn tmed tmx <<< "$(fa stats "$T/reest_term")"
ackloss_summary
echo "RESULT restart: cycles=$n reestablish_ms min=$mn median=$med max=$mx" \
     "(SIGKILL min=$kmn median=$kmed max=$kmx; SIGTERM min=$tmn median=$tmed max=$tmx);" \
     "verified_bytes=$bytes; $ACKLOSS_SUMMARY; elapsed=$(( $(date +%s) - t_start )) s"
ackloss_verdict
echo OK
