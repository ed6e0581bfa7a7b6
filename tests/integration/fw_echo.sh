#!/usr/bin/env bash
# Board bring-up check: the echo image boots on QEMU mps2-an385, prints its
# banner, echoes 4 KiB byte-exact through UART0 (RX interrupt + ring
# buffer), and its SysTick clock advances.
# Usage: fw_echo.sh ECHO_ELF WORKDIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/fw_qemu.sh"
fwq_require
elf=$1 dir=$2
mkdir -p "$dir"
trap 'fwq_stop "$dir"' EXIT
fwq_start "$dir" "$elf"

timeout 60 python3 - "$FWQ_PTY" "$dir/mon.sock" "$dir/console.log" <<'PY'
import os, sys, termios, tty, time, random, select, socket

pty, mon, console = sys.argv[1], sys.argv[2], sys.argv[3]
fd = os.open(pty, os.O_RDWR | os.O_NOCTTY)
tty.setraw(fd)
# QEMU notices the open pty on its next write or poll; then run the CPU.
s = socket.socket(socket.AF_UNIX); s.connect(mon); s.sendall(b"cont\n"); time.sleep(0.2); s.close()

def read_until(pred, limit):
    buf = b""; end = time.time() + limit
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            buf += os.read(fd, 4096)
            if pred(buf):
                return buf
    raise SystemExit("timeout; got %r" % buf[-200:])

banner = read_until(lambda b: b"slink fw up\r\n" in b, 10)
print("banner ok")
rnd = random.Random(7)
data = bytes(rnd.choice([x for x in range(256) if x != 4]) for _ in range(4096))
got = b""
for i in range(0, len(data), 256):
    os.write(fd, data[i:i+256])
    chunk = read_until(lambda b, n=min(256, len(data) - i): len(b) >= n, 10)
    got += chunk
if got != data:
    raise SystemExit("echo mismatch: %d bytes back, first diff at %d" %
                     (len(got), next((k for k in range(min(len(got), len(data))) if got[k] != data[k]), -1)))
print("echo ok: %d bytes byte-exact" % len(data))
time.sleep(0.3)
os.write(fd, b"\x04")
end = time.time() + 10
rep = ""
while time.time() < end and not rep:
    time.sleep(0.1)
    lines = open(console, errors="replace").read().splitlines()
    rep = next((l for l in lines if "uptime_ms=" in l and "stack_used=" in l), "")
if not rep:
    raise SystemExit("no report on the console: %r" % rep)
up = int(rep.split("uptime_ms=")[1].split()[0])
print("report:", rep.strip())
if up < 200:
    raise SystemExit("SysTick did not advance as expected (uptime %d ms)" % up)
print("systick ok")
PY
echo "fw_echo: 3 passed, 0 failed"
