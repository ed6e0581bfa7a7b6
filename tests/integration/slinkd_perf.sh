#!/usr/bin/env bash
# slinkd performance over a socat pty pair (not part of make check):
#   throughput of a daemon pair, one way and both ways, against the 1 MB/s
#   line rate of 10 Mbaud RS485 (10 bits per byte);
#   added latency of a 64-byte message (round trip through both daemons
#   minus the same round trip against a plain local echo);
#   CPU seconds per MB (utime + stime of both daemons from /proc).
# Usage: BUILD=build bash tests/integration/slinkd_perf.sh [MB]
source "$(dirname "$0")/slinkd_lib.sh"
MB=${1:-8}
SIZE=$((MB * 1000000))
HZ=$(getconf CLK_TCK)
mint_ca; mint host; mint pump
line l
# line rate configured as 10 Mbaud: it sets the core's timers; a pty itself
# has no line rate, so this measures what the software can do
"$SLINKD" --foreground --device "$T/l.a" --baud 10000000 --addr 1 --ca "$T/ca.crt" --cert "$T/host.crt" \
    --key "$T/host.key" --peer 7 --peer-name pump --socket "$T/host.sock" --ctl "$T/host.ctl" >>"$T/host.log" 2>&1 &
H=$!; PIDS+=($H)
"$SLINKD" --foreground --device "$T/l.b" --baud 10000000 --addr 7 --ca "$T/ca.crt" --cert "$T/pump.crt" \
    --key "$T/pump.key" --peer 1 --peer-name host --socket "$T/pump.sock" --ctl "$T/pump.ctl" >>"$T/pump.log" 2>&1 &
P=$!; PIDS+=($P)
wait_for 10 is_established host || fail "no session"
ticks() { awk '{print $14 + $15}' /proc/$1/stat; }
now() { date +%s%N; }

# one way
c0=$(( $(ticks $H) + $(ticks $P) )); t0=$(now)
$APP sink "$T/pump.sock" $SIZE > "$T/sink" & S=$!
$APP source "$T/host.sock" $SIZE 2 & W=$!
wait $S || fail "sink: $(cat "$T/sink")"
t1=$(now); c1=$(( $(ticks $H) + $(ticks $P) ))
kill $W 2>/dev/null; wait $W 2>/dev/null
one=$(python3 -c "print(f'{$SIZE / (($t1 - $t0) / 1e9) / 1e6:.2f}')")
cpu1=$(python3 -c "print(f'{($c1 - $c0) / $HZ / ($SIZE / 1e6):.3f}')")
wait_for 10 is_established host || fail "no session after one-way run"

# both ways at once
c0=$(( $(ticks $H) + $(ticks $P) )); t0=$(now)
$APP exchange "$T/host.sock" A $SIZE "$T/a.out" >/dev/null & X=$!
$APP exchange "$T/pump.sock" B $SIZE "$T/b.out" >/dev/null & Y=$!
wait $X && wait $Y || fail "exchange"
t1=$(now); c1=$(( $(ticks $H) + $(ticks $P) ))
both=$(python3 -c "print(f'{2 * $SIZE / (($t1 - $t0) / 1e9) / 1e6:.2f}')")
cpu2=$(python3 -c "print(f'{($c1 - $c0) / $HZ / (2 * $SIZE / 1e6):.3f}')")
wait_for 10 is_established host || fail "no session after exchange"

# latency: 64-byte round trips
$APP echo "$T/pump.sock" 30 & E=$!; PIDS+=($E)
sleep 0.3
read -r mean med < <($APP ping "$T/host.sock" 200 64)
kill $E 2>/dev/null
$APP echo-server "$T/echo.sock" & ES=$!; PIDS+=($ES)
wait_for 5 test -S "$T/echo.sock"
read -r bmean bmed < <($APP ping "$T/echo.sock" 200 64)

echo "slinkd perf over a pty pair (${MB} MB per direction, $(nproc) CPUs)"
echo "  line rate reference (10 Mbaud, 10 bits/byte): 1.00 MB/s"
echo "  throughput one way:   $one MB/s  ($(python3 -c "print(f'{$one / 1.0:.1f}')")x line rate)"
echo "  throughput both ways: $both MB/s aggregate"
echo "  CPU per MB (both daemons): ${cpu1} s one way, ${cpu2} s both ways"
echo "  64-byte round trip through both daemons: mean ${mean} us, median ${med} us"
echo "  same round trip against a plain local echo: mean ${bmean} us, median ${bmed} us"
echo "  added latency per round trip (median): $((med - bmed)) us; one way about $(((med - bmed) / 2)) us"
