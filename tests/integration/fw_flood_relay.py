#!/usr/bin/env python3
"""A line-rate msg1 flood between slinkd and the example device on QEMU
(tests/integration/fw_flood.sh, issue 12).

  fw_flood_relay.py serve DEVICE_PTY HOST_PTY_FILE CTL_SOCK [--baud 115200]
      opens QEMU's pty (the device's UART0), makes a new pty for slinkd and
      writes its name to HOST_PTY_FILE, and relays whole frames both ways.
      Towards the device it plays the serial line: it writes no faster than
      the baud rate allows (10 bits a byte), frame after frame.  While the
      flood is on, every moment the line would be idle carries a forged
      msg1 addressed to the device from the host's address (dst 7, src 1),
      each with a fresh valid P-256 x, so the line into the device is busy
      back to back; the host's genuine frames take the next frame slot.
  fw_flood_relay.py cmd CTL_SOCK flood on|off | stats
      one command, one JSON line back.

Frames come from hostile_relay.py (built from docs/PROTOCOL.md alone).
"""
import json
import random
import os
import select
import socket
import sys
import time
import tty

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile_relay as hr  # noqa: E402

DEV_ADDR, HOST_ADDR = 7, 1


class MsgOneSource:
    """Distinct well-formed msg1s with valid keys: walking Q, Q+G, Q+2G...
    costs one point addition each (a scalar multiplication per frame in
    Python would not keep up with the line)."""

    def __init__(self, rng, ahead=4000):
        self.q = hr.ec_mul(rng.randrange(1, hr.P - 1))
        # Made before the flood starts (about 0.1 s), so on a loaded host
        # the flood is not paced by Python's field arithmetic.
        self.pool = [self.make() for _ in range(ahead)]
        self.pool.reverse()

    def make(self):
        self.q = hr.ec_add(self.q, hr.G)
        x = self.q[0].to_bytes(32, "big")
        return hr.frame(DEV_ADDR, HOST_ADDR, hr.FT_HS1, bytes([hr.VS, 0x00, 0x45]) + x)

    def next(self):
        return self.pool.pop() if self.pool else self.make()


class FloodRelay:
    def __init__(self, dev_pty, host_file, ctl, baud):
        self.dev = os.open(dev_pty, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.dev)
        os.set_blocking(self.dev, False)
        self.host, slave = os.openpty()
        tty.setraw(self.host)
        tty.setraw(slave)
        os.set_blocking(self.host, False)
        self.slave = slave                  # kept open: slinkd may reopen the pty
        self.byte_time = 10.0 / baud
        self.line_free = time.monotonic()   # when the line into the device is idle
        self.queue = []                     # genuine frames for the device
        self.from_host = bytearray()
        self.flood = False
        self.src = MsgOneSource(random.Random(int.from_bytes(os.urandom(8), "big")))
        self.st = {"forged_frames": 0, "forged_bytes": 0, "genuine_frames": 0, "genuine_bytes": 0,
                   "to_host_bytes": 0, "flood_s": 0.0, "max_genuine_wait_ms": 0.0}
        self.flood_t0 = None
        if os.path.exists(ctl):
            os.unlink(ctl)
        self.ctl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.ctl.bind(ctl)
        self.ctl.listen(4)
        tmp = host_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(os.ttyname(slave) + "\n")
        os.rename(tmp, host_file)

    def write_all(self, fd, data):
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(fd, view):]
            except BlockingIOError:
                select.select([], [fd], [], 0.5)

    def line_out(self, now):
        """Send the next frame into the device if the line is free."""
        if now + 0.001 < self.line_free:
            return
        if self.queue:
            t_in, wire = self.queue.pop(0)
            self.st["genuine_frames"] += 1
            self.st["genuine_bytes"] += len(wire)
            self.st["max_genuine_wait_ms"] = max(self.st["max_genuine_wait_ms"], (now - t_in) * 1000)
        elif self.flood:
            wire = self.src.next()
            self.st["forged_frames"] += 1
            self.st["forged_bytes"] += len(wire)
        else:
            return
        self.write_all(self.dev, wire)
        self.line_free = max(self.line_free, now - 0.005) + len(wire) * self.byte_time

    def from_host_side(self, now):
        try:
            data = os.read(self.host, 65536)
        except (BlockingIOError, OSError):
            return
        self.from_host += data
        while True:
            i = self.from_host.find(b"\x00")
            if i < 0:
                break
            self.queue.append((now, bytes(self.from_host[:i + 1])))
            del self.from_host[:i + 1]

    def from_dev_side(self):
        try:
            data = os.read(self.dev, 65536)
        except (BlockingIOError, OSError):
            return
        self.st["to_host_bytes"] += len(data)
        self.write_all(self.host, data)

    def command(self, words):
        now = time.monotonic()
        if words[:2] == ["flood", "on"]:
            self.flood, self.flood_t0 = True, now
        elif words[:2] == ["flood", "off"]:
            if self.flood:
                self.st["flood_s"] += now - self.flood_t0
            self.flood = False
        elif words[:1] != ["stats"]:
            return {"error": "unknown command"}
        st = dict(self.st, flood=self.flood)
        if self.flood:
            st["flood_s"] += now - self.flood_t0
        return st

    def serve_ctl(self):
        conn, _ = self.ctl.accept()
        with conn:
            conn.settimeout(2.0)
            line = b""
            while not line.endswith(b"\n"):
                chunk = conn.recv(1024)
                if not chunk:
                    break
                line += chunk
            conn.sendall((json.dumps(self.command(line.decode().split())) + "\n").encode())

    def run(self):
        while True:
            now = time.monotonic()
            self.line_out(now)
            busy = self.queue or self.flood
            timeout = max(0.0, self.line_free - now - 0.001) if busy else 0.5
            r, _, _ = select.select([self.dev, self.host, self.ctl], [], [], timeout)
            now = time.monotonic()
            if self.host in r:
                self.from_host_side(now)
            if self.dev in r:
                self.from_dev_side()
            if self.ctl in r:
                self.serve_ctl()


def main(argv):
    if len(argv) >= 5 and argv[1] == "serve":
        baud = int(argv[argv.index("--baud") + 1]) if "--baud" in argv else 115200
        FloodRelay(argv[2], argv[3], argv[4], baud).run()
        return 0
    if len(argv) >= 4 and argv[1] == "cmd":
        return hr.cmd(argv[2], argv[3:])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
