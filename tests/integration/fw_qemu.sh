# Shared helpers for the firmware integration tests (sourced, not run):
# boot an image on QEMU mps2-an385 with UART0 (the link) on a pty and UART1
# (the firmware's diagnostic console) in DIR/console.log, paused until the
# host side has the pty open, with the monitor on a unix socket so the test
# can resume, persist the NV sector and quit.  Every wait is bounded.
#
#   fwq_require                    skip (exit 0, with a message) if QEMU is absent
#   fwq_start DIR ELF [NVFILE]     start paused; sets FWQ_PTY, FWQ_PID
#                                  (FWQ_QEMU_ARGS: extra options, e.g. -icount;
#                                  FWQ_MACHINE: mps2-an386 for a Cortex-M4 image,
#                                  microbit; FWQ_CONSOLE=semihosting: the
#                                  console is semihosting, not UART1)
#   fwq_cont DIR                   let the CPU run
#   fwq_stop DIR [SAVE_NV]         optionally save the NV sector, then quit
#
# The NV sector (4 KiB at 0x003FF000, see firmware/board/an385/an385.ld)
# is what a real MCU keeps in flash across power cycles.  QEMU keeps RAM
# only for the life of the process, so the harness plays the flash chip:
# it saves the sector with the monitor's pmemsave at shutdown and loads it
# back with -device loader at the next boot.

FWQ_NV_ADDR=0x003FF000
FWQ_NV_SIZE=4096

fwq_require() {
    if ! command -v qemu-system-arm >/dev/null 2>&1; then
        echo "SKIP: qemu-system-arm not installed (make deps installs it); firmware end-to-end test not run"
        exit 0
    fi
}

# One monitor command; returns once QEMU has printed the prompt after it
# (the command has completed: pmemsave's file is written) or closed the
# connection (quit).  Bounded by a 10 s timeout.
fwq_mon() {   # DIR CMD
    timeout 10 python3 - "$1/mon.sock" "$2" >>"$1/mon.log" 2>&1 <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
buf, end = b"", time.time() + 8
def until_prompts(n):
    global buf
    while buf.count(b"(qemu)") < n and time.time() < end:
        try:
            chunk = s.recv(4096)
        except socket.timeout:
            return
        if not chunk:
            return
        buf += chunk
until_prompts(1)
s.sendall(sys.argv[2].encode() + b"\n")
until_prompts(2)
sys.stdout.write(buf.decode("latin-1").replace("\r", "") + "\n")
PY
}

fwq_start() { # DIR ELF [NVFILE]
    local dir=$1 elf=$2 nv=${3:-}
    local extra=() console=(-serial "file:$dir/console.log")
    mkdir -p "$dir"
    rm -f "$dir/mon.sock" "$dir/qemu.log" "$dir/console.log"
    if [ -n "$nv" ] && [ -s "$nv" ]; then
        extra=(-device "loader,file=$nv,addr=$FWQ_NV_ADDR,force-raw=on")
    fi
    if [ "${FWQ_CONSOLE:-}" = semihosting ]; then
        console=(-chardev "file,id=con,path=$dir/console.log"
                 -semihosting-config enable=on,target=native,chardev=con)
    fi
    qemu-system-arm -M "${FWQ_MACHINE:-mps2-an385}" -display none -nodefaults -S \
        -kernel "$elf" -serial pty "${console[@]}" \
        -monitor "unix:$dir/mon.sock,server=on,wait=off" \
        "${extra[@]}" ${FWQ_QEMU_ARGS:-} >"$dir/qemu.log" 2>&1 &
    FWQ_PID=$!
    echo "$FWQ_PID" >"$dir/qemu.pid"
    FWQ_PTY=""
    local i
    # QEMU's log may not exist yet on the first turns (the background job
    # opens it): not an error, the caller may run under set -e
    for i in $(seq 1 100); do
        FWQ_PTY=$(sed -n 's/.*redirected to \(\/dev\/pts\/[0-9]*\).*/\1/p' "$dir/qemu.log" 2>/dev/null | head -n 1 || true)
        [ -n "$FWQ_PTY" ] && [ -S "$dir/mon.sock" ] && break
        if ! kill -0 "$FWQ_PID" 2>/dev/null; then
            echo "fwq_start: QEMU exited:" >&2; cat "$dir/qemu.log" >&2; return 1
        fi
        sleep 0.1
    done
    if [ -z "$FWQ_PTY" ]; then
        echo "fwq_start: no pty from QEMU after 10 s" >&2; cat "$dir/qemu.log" >&2
        return 1
    fi
}

fwq_cont() {  # DIR
    fwq_mon "$1" cont
}

fwq_stop() {  # DIR [SAVE_NV]
    local dir=$1 save=${2:-} pid
    pid=$(cat "$dir/qemu.pid" 2>/dev/null || true)
    [ -n "$pid" ] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        if [ -n "$save" ]; then
            fwq_mon "$dir" "stop"
            fwq_mon "$dir" "pmemsave $FWQ_NV_ADDR $FWQ_NV_SIZE \"$save\""
        fi
        fwq_mon "$dir" quit || true
        local i
        for i in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null || true
    rm -f "$dir/qemu.pid"
}
