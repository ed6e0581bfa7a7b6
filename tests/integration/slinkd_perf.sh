#!/usr/bin/env bash
# slinkd performance over a socat pty pair (not part of make check):
#   throughput of a daemon pair, one way and both ways, against the 1 MB/s
#   line rate of 10 Mbaud RS485 (10 bits per byte);
#   added latency of a 64-byte message (round trip through both daemons
#   minus the same round trip against a plain local echo);
#   CPU seconds per MB (utime + stime of both daemons from /proc, over the
#   whole phase including the applications' set-up, in 10 ms ticks).
# Usage: BUILD=build bash tests/integration/slinkd_perf.sh [MB]
source "$(dirname "$0")/slinkd_lib.sh"
MB=${1:-8}
SIZE=$((MB * 1000000))
HZ=$(getconf CLK_TCK)
mint_ca; mint host; mint pump
line l
# line rate configured as 10 Mbaud: it sets the core's timers; a pty itself
# has no line rate, so this measures what the software can do
"$SLINKD" "${ROOT_OPT[@]}" --foreground --device "$T/l.a" --baud 10000000 --addr 1 --ca "$T/ca.crt" --cert "$T/host.crt" \
    --key "$T/host.key" --peer 7 --peer-name pump --socket "$T/host.sock" --ctl "$T/host.ctl" >>"$T/host.log" 2>&1 &
H=$!; PIDS+=($H)
"$SLINKD" "${ROOT_OPT[@]}" --foreground --device "$T/l.b" --baud 10000000 --addr 7 --ca "$T/ca.crt" --cert "$T/pump.crt" \
    --key "$T/pump.key" --peer 1 --peer-name host --socket "$T/pump.sock" --ctl "$T/pump.ctl" >>"$T/pump.log" 2>&1 &
P=$!; PIDS+=($P)
wait_for 10 is_established host || fail "no session"
ticks() { awk '{print $14 + $15}' /proc/$1/stat; }

# Bulk transfer timed from the first byte written to the last byte read:
# the two application processes (writer on one daemon's socket, reader on
# the other's) start, generate their data and connect first, then start
# together.  Timing from before the interpreters start, as this script once
# did, counted 0.3 to 1 s of Python start-up per run (as long as the 4 MB
# transfer itself on a loaded 2-core host) as daemon time.  Every byte is
# compared after the clock stops.
cat > "$T/bulk.py" <<'PY'
import os, random, select, socket, sys, time
sys.path.insert(0, os.environ["SLINKD_TESTS_DIR"])
from slinkd_app import connect
mode, a_path, b_path, size = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

def run(sock, out, want, expect):
    """Writes out while reading want bytes; returns (t0, t1, ok)."""
    sock.setblocking(False)
    sent, got = 0, bytearray()
    view = memoryview(out)
    t0 = time.perf_counter()
    while sent < len(out) or len(got) < want:
        r, w, _ = select.select([sock] if len(got) < want else [],
                                [sock] if sent < len(out) else [], [], 30.0)
        if not r and not w:
            return t0, time.perf_counter(), "stalled"
        if w:
            try:
                sent += sock.send(view[sent:sent + 262144])
            except BlockingIOError:
                pass
        if r:
            c = sock.recv(262144)
            if not c:
                return t0, time.perf_counter(), "closed early"
            got += c
    t1 = time.perf_counter()
    return t0, t1, "ok" if bytes(got) == expect else "bytes differ"

da = random.Random("a").randbytes(size)
db = random.Random("b").randbytes(size) if mode == "both" else b""
sa, sb = connect(a_path), connect(b_path)
go_r, go_w = os.pipe()
res_r, res_w = os.pipe()
pid = os.fork()
if pid == 0:   # B's application: reads A's bytes, writes its own
    os.close(go_w)
    os.read(go_r, 1)
    t0, t1, ok = run(sb, db, size, da)
    os.write(res_w, f"{t0} {t1} {ok}".encode())
    os._exit(0)
os.close(go_r)
os.write(go_w, b"g")
t0, t1, ok = run(sa, da, len(db), db)
os.waitpid(pid, 0)
c0, c1, cok = os.read(res_r, 200).decode().split()
if ok != "ok" or cok != "ok":
    sys.exit(f"{mode}: A side {ok}, B side {cok}")
total = size * (2 if mode == "both" else 1)
print(f"{total / (max(t1, float(c1)) - min(t0, float(c0))) / 1e6:.2f}")
PY

bulk() {   # bulk one|both: sets RATE (MB/s, aggregate) and TICKS (both daemons)
    local c0
    c0=$(( $(ticks $H) + $(ticks $P) ))
    RATE=$(SLINKD_TESTS_DIR="$HERE" python3 "$T/bulk.py" "$1" "$T/host.sock" "$T/pump.sock" $SIZE) || fail "bulk $1: $RATE"
    TICKS=$(( $(ticks $H) + $(ticks $P) - c0 ))
    # the applications closed; the session stays up for the next phase
    # (application streams end in band, PROTOCOL.md §3.6.1)
    wait_for 10 is_established host && wait_for 10 is_established pump || fail "no session after $1"
}
bulk one
one=$RATE
cpu1=$(python3 -c "print(f'{$TICKS / $HZ / ($SIZE / 1e6):.3f}')")
bulk both
both=$RATE
cpu2=$(python3 -c "print(f'{$TICKS / $HZ / (2 * $SIZE / 1e6):.3f}')")

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
