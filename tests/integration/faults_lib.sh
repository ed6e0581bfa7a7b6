# Shared helpers for the daemon fault tests (sourced after slinkd_lib.sh,
# which provides the PKI, the temp dir $T, PIDS and the cleanup trap).
FAPP="python3 $HERE/faults_app.py"
export SLINKCTL
# One faults_app.py server for the short commands (status, wait-up, check,
# stats, handshakes): `fa CMD ARGS...` prints the output, returns the status.
coproc FAPPD { exec python3 "$HERE/faults_app.py" serve; }
PIDS+=("$FAPPD_PID")
fa() {
    local line rc=1
    echo "$*" >&"${FAPPD[1]}" || { echo "faults_app server gone"; return 1; }
    while IFS= read -r line <&"${FAPPD[0]}"; do
        case $line in
        "@@END@@ "*) rc=${line#@@END@@ }; break ;;
        esac
        printf '%s\n' "$line"
    done
    return "$rc"
}
CYCLES=${FAULT_CYCLES:-100}
case $CYCLES in ''|*[!0-9]*) echo "FAULT_CYCLES must be a number"; exit 2;; esac

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
clk_tck() { getconf CLK_TCK; }

# Bytes a sending core can hold accepted but unacknowledged: its whole
# window of full chunks (include/slink/config.h).  A receiver must have got
# at least (bytes its daemon handed to the core) - this.
unacked_bound() {
    local src="$T/bound.c"
    printf '#include <stdio.h>\n#include "slink/config.h"\nint main(void){printf("%%lu\\n",(unsigned long)SLINK_STREAM_WINDOW*(unsigned long)SLINK_STREAM_CHUNK_MAX);return 0;}\n' > "$src"
    ${CC:-cc} -I"$HERE/../../include" "$src" -o "$T/bound" || fail "cannot compute the unacknowledged bound"
    "$T/bound"
}

# start_line NAME: socat pty pair $T/NAME.a <-> $T/NAME.b, polled every 10 ms;
# sets LINE_PID and LINE_UP_MS (when both links existed)
start_line() {
    local i
    socat pty,raw,echo=0,link="$T/$1.a" pty,raw,echo=0,link="$T/$1.b" 2>>"$T/socat-$1.err" &
    LINE_PID=$!
    PIDS+=("$LINE_PID")
    for i in $(seq 1 500); do
        [ -e "$T/$1.a" ] && [ -e "$T/$1.b" ] && { LINE_UP_MS=$(now_ms); return 0; }
        sleep 0.01
    done
    fail "socat pty pair $1 did not come up"
}

# stop_line: SIGTERM the socat (it removes its links), wait up to 5 s
stop_line() {
    local i
    kill "$LINE_PID" 2>/dev/null
    for i in $(seq 1 500); do kill -0 "$LINE_PID" 2>/dev/null || break; sleep 0.01; done
    kill -0 "$LINE_PID" 2>/dev/null && fail "socat did not exit"
    wait "$LINE_PID" 2>/dev/null
}

# wait_pid PID SECONDS: waits for a background child, returns its status
# (124 when it is still running after SECONDS)
wait_pid() {
    local pid=$1 limit=$(( $2 * 100 )) i
    for ((i = 0; i < limit; i++)); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid"; return $?; }
        sleep 0.01
    done
    return 124
}

# counters NAME... -> per daemon "state session to_peer from_peer", one line, or fail
counters() {
    local out a=()
    for n in "$@"; do a+=("$T/$n.ctl"); done
    out=$(fa status "${a[@]}") || fail "no status: $out"
    echo "$out"
}

# Random fraction helpers from a seeded awk stream (reproducible runs).
rand_between() {   # rand_between SEED LO HI -> seconds with 2 decimals
    awk -v s="$1" -v lo="$2" -v hi="$3" 'BEGIN { srand(s); printf "%.2f\n", lo + rand() * (hi - lo) }'
}

# judge LABEL CHECK-ARGS...: one session's verdict (faults_app.py check).
# Corruption, duplication, foreign bytes, bytes a daemon delivered but the
# application never got, or no progress: fail at once.  Acknowledged bytes
# missing: counted, and judged at the end by ackloss_verdict, so a full run
# still measures every cycle.  Sets VERDICT (the summary line).
ACKLOSS_CYCLES=0; ACKLOSS_BYTES=0
judge() {
    local label=$1 out rc n; shift
    out=$(fa check "$@"); rc=$?
    VERDICT=$(echo "$out" | head -n 1)
    CHECKED=${VERDICT%% bytes checked*}
    case $rc in
    0) ;;
    3)
        n=$(echo "$out" | awk '/^ACKLOSS/ { print $2 }')
        ACKLOSS_CYCLES=$((ACKLOSS_CYCLES + 1)); ACKLOSS_BYTES=$((ACKLOSS_BYTES + n))
        echo "ACKNOWLEDGED DATA LOST in $label: $(echo "$out" | grep '^ERROR' | cut -c8-)"
        ;;
    *) fail "$label: $out" ;;
    esac
}
ackloss_summary() {
    if [ "$ACKLOSS_CYCLES" -eq 0 ]; then
        ACKLOSS_SUMMARY="acknowledged_data_lost=0"
    else
        ACKLOSS_SUMMARY="acknowledged_data_lost: in $ACKLOSS_CYCLES of $CYCLES cycles, at least $ACKLOSS_BYTES bytes"
    fi
}
ackloss_verdict() {   # after the RESULT line: any acknowledged byte lost fails the run
    [ "$ACKLOSS_CYCLES" -eq 0 ] || fail "$ACKLOSS_SUMMARY"
}

# start_pair TAG SECONDS: the application pair on host.sock/pump.sock in the
# background (sets APP_PID), returns once both are connected (10 s at most)
start_pair() {
    local i
    rm -f "$T/ready"
    $FAPP pair "$T/host.sock" "$T/pump.sock" "$1" "$T/pair.json" "$2" "$T/ready" > "$T/pair.out" 2>&1 &
    APP_PID=$!
    PIDS+=("$APP_PID")
    for i in $(seq 1 1000); do
        [ -e "$T/ready" ] && return 0
        kill -0 "$APP_PID" 2>/dev/null || fail "application pair $1 ended early: $(cat "$T/pair.out")"
        sleep 0.01
    done
    fail "application pair $1 not connected within 10 s"
}
