#!/usr/bin/env bash
# Daemon fault: the line vanishes and returns FAULT_CYCLES times (default
# 100).  Two daemons with --wait over a socat pty pair; each cycle an
# application pair streams both ways and checks every byte, the socat is
# killed (both ptys vanish) for a random 0.2-1.2 s (the first outage lasts
# FAULT_LONG_WAIT s, default 3), then returns under the same link paths.
# Verified per cycle (docs/SECURITY.md "Daemon faults"): a new session comes
# up on both ends, the applications of the old one are disconnected, what
# each received is exactly a prefix of what the other wrote in that session,
# every byte a daemon took from its core reached its application, and no
# more than one unacknowledged window of what the sender's daemon handed to
# its core is missing.  Reports re-establishment times (line back -> both
# ends established) and the daemons' CPU while the port is dead.
source "$(dirname "$0")/slinkd_lib.sh"
source "$(dirname "$0")/faults_lib.sh"
LONG=${FAULT_LONG_WAIT:-3}

mint_ca; mint host; mint pump
BOUND=$(unacked_bound)
start_line l
daemon host "$T/l.a" 1 7 pump --wait; H=$DPID
daemon pump "$T/l.b" 7 1 host --wait; D=$DPID
fa wait-up "$T/host.ctl" "$T/pump.ctl" - - 20 > "$T/up" || fail "no first session: $(cat "$T/up")"

: > "$T/reest"
wait_ms=0; wait_ticks=0; long_ticks=0; bytes=0; t_start=$(date +%s)
read -r _ _ h_to0 h_from0 _ _ _ d_to0 d_from0 _ <<< "$(counters host pump)"
for k in $(seq 1 "$CYCLES"); do
    start_pair "vanish-$k" 60; A=$APP_PID
    sleep "$(rand_between "$k" 0.2 0.8)"
    kill -0 "$A" 2>/dev/null || fail "cycle $k: applications ended before the fault: $(cat "$T/pair.out")"
    # the sessions the applications are in: each end must leave its own
    read -r hst sh _ _ _ dst sd _ _ _ <<< "$(counters host pump)"
    [ "$hst $dst" = "established established" ] || fail "cycle $k: not established before the fault ($hst/$dst)"

    # the fault: both ptys vanish
    stop_line
    t0=$(now_ms); c0=$(( $(cpu_ticks "$H") + $(cpu_ticks "$D") ))
    if [ "$k" -eq 1 ]; then gap=$LONG; else gap=$(rand_between "$((k + 7919))" 0.2 1.2); fi
    sleep "$gap"
    c1=$(( $(cpu_ticks "$H") + $(cpu_ticks "$D") )); t1=$(now_ms)
    wait_ms=$((wait_ms + t1 - t0)); wait_ticks=$((wait_ticks + c1 - c0))
    [ "$k" -eq 1 ] && long_ticks=$((c1 - c0))
    read -r _ _ _ _ hl _ _ _ _ dl <<< "$(counters host pump)"
    [ "$hl $dl" = "waiting waiting" ] || fail "cycle $k: link states '$hl'/'$dl' while the port is gone"

    start_line l
    up=$(fa wait-up "$T/host.ctl" "$T/pump.ctl" "$sh" "$sd" 30) ||
        fail "cycle $k: no new session within 30 s of the line returning: $up"
    read -r t_up nsh nsd <<< "$up"
    echo $(( t_up / 1000000 - LINE_UP_MS )) >> "$T/reest"

    wait_pid "$A" 20; rc=$?
    [ $rc -ne 124 ] || fail "cycle $k: applications of the old session still connected 20 s after the new one came up"
    read -r _ _ h_to1 h_from1 _ _ _ d_to1 d_from1 _ <<< "$(counters host pump)"
    judge "cycle $k (sessions $sh/$sd -> $nsh/$nsd)" "$T/pair.json" "$BOUND" ab "$h_to0" "$h_from0" "$h_to1" "$h_from1" \
        "$d_to0" "$d_from0" "$d_to1" "$d_from1"
    [ $rc -eq 0 ] || fail "cycle $k: application pair: $(cat "$T/pair.out") $VERDICT"
    bytes=$((bytes + CHECKED))
    [ $((k % 10)) -eq 0 ] || [ "$k" -eq "$CYCLES" ] && echo "cycle $k: sessions host $nsh pump $nsd; $VERDICT"
    # no application is connected until the next pair: these are its "before"
    h_to0=$h_to1; h_from0=$h_from1; d_to0=$d_to1; d_from0=$d_from1
done

read -r n mn med mx <<< "$(fa stats "$T/reest")"
fa handshakes "$T/host.log" "$T/pump.log" > "$T/hs"
read -r hn hmn hmed hmx <<< "$(fa stats "$T/hs")"
[ "$hn" -eq "$CYCLES" ] || fail "found $hn port re-opens followed by a session in the logs, expected $CYCLES"
tck=$(clk_tck)
cpu_pct=$(awk -v t="$wait_ticks" -v hz="$tck" -v ms="$wait_ms" 'BEGIN { printf "%.2f", 100 * t / hz / (ms / 1000) }')
long_ms=$(( long_ticks * 1000 / tck ))
losses=$(status_json host | python3 -c 'import json,sys; print(json.load(sys.stdin)["link"]["losses"])')
[ "$losses" -eq "$CYCLES" ] || fail "host counted $losses port losses for $CYCLES outages"
ackloss_summary
echo "RESULT vanish: cycles=$n reestablish_ms min=$mn median=$med max=$mx" \
     "(of which port re-open to session: min=$hmn median=$hmed max=$hmx);" \
     "cpu_waiting=${cpu_pct}% of one core over $((wait_ms / 1000)) s of outages (both daemons)," \
     "first outage ${LONG} s: ${long_ms} ms CPU; verified_bytes=$bytes; $ACKLOSS_SUMMARY; elapsed=$(( $(date +%s) - t_start )) s"
ackloss_verdict
echo OK
