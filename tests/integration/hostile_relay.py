#!/usr/bin/env python3
"""An attacker in the middle of a serial line, for black-box tests of slinkd
(tests/integration/slinkd_t_hostile.sh, issue 12).

  hostile_relay.py serve HOST_PTY PUMP_PTY CTL_SOCK [--host-addr 1 --pump-addr 7]
      forwards whole frames between the pty towards the host daemon and the
      one towards the pump daemon, recording every genuine frame, and obeys
      commands on the UNIX socket CTL_SOCK.
  hostile_relay.py cmd CTL_SOCK COMMAND...
      sends one command, prints the one-line JSON answer.

Frames are built from docs/PROTOCOL.md alone (§2.1: COBS, CRC-16/CCITT-FALSE
big-endian, 0x00 delimiter; §2.3 types; §4.2 msg1): nothing here links the
implementation under test.

Commands (TO is "host" or "pump": the frame goes to that daemon, addressed
from its peer; KIND as in build()):
  inject TO KIND [COUNT [INTERVAL_MS]]   COUNT frames, one every INTERVAL_MS
  on-msg1 FROM KIND [drop|pass]          one-shot: when FROM's next msg1
        passes, drop it (default) or pass it, and inject KIND to FROM at once
  replay TO [N]                          the last N genuine frames that were
        sent to TO, again, in order
  stats                                  counts per direction and type,
        injected frames and bytes
  stop-floods                            cancel scheduled injections
"""
import json
import os
import random
import select
import socket
import sys
import time
import tty

# ---- frame layer (PROTOCOL.md §2.1) -------------------------------------------


def crc16(data):
    """CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection."""
    crc = 0xFFFF
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


assert crc16(b"123456789") == 0x29B1


def cobs_encode(data):
    out = bytearray()
    block = bytearray()
    for b in data:
        if b == 0:
            out.append(len(block) + 1)
            out += block
            block = bytearray()
        else:
            block.append(b)
            if len(block) == 254:
                out.append(255)
                out += block
                block = bytearray()
    out.append(len(block) + 1)
    out += block
    return bytes(out)


def cobs_decode(data):
    out = bytearray()
    i = 0
    while i < len(data):
        code = data[i]
        if code == 0 or i + code > len(data):
            return None
        out += data[i + 1:i + code]
        i += code
        if code < 255 and i < len(data):
            out.append(0)
    return bytes(out)


def frame(dst, src, ftype, body=b""):
    raw = bytes([dst, src, ftype]) + bytes(body)
    raw += crc16(raw).to_bytes(2, "big")
    return cobs_encode(raw) + b"\x00"


def parse(wire):
    """(dst, src, type, body) of one wire frame, or None (noise)."""
    if not wire or wire[-1] != 0:
        return None
    raw = cobs_decode(wire[:-1])
    if raw is None or len(raw) < 5 or crc16(raw[:-2]) != int.from_bytes(raw[-2:], "big"):
        return None
    return raw[0], raw[1], raw[2], raw[3:-2]


# ---- P-256 (for msg1 frames with valid ephemeral keys, §4.4) -----------------

P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
G = (0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
     0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5)


def ec_add(p1, p2):
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    (x1, y1), (x2, y2) = p1, p2
    if x1 == x2 and (y1 + y2) % P == 0:
        return None
    if p1 == p2:
        lam = (3 * x1 * x1 - 3) * pow(2 * y1, -1, P) % P
    else:
        lam = (y2 - y1) * pow(x2 - x1, -1, P) % P
    x3 = (lam * lam - x1 - x2) % P
    return x3, (lam * (x1 - x3) - y1) % P


def ec_mul(k, pt=G):
    acc = None
    while k:
        if k & 1:
            acc = ec_add(acc, pt)
        pt = ec_add(pt, pt)
        k >>= 1
    return acc


def on_curve_x(x):
    rhs = (x * x * x - 3 * x + B) % P
    return pow(rhs, (P - 1) // 2, P) == 1


def fresh_x(rng):
    return ec_mul(rng.randrange(1, P - 1))[0].to_bytes(32, "big")


def invalid_x(rng):
    while True:
        x = rng.randrange(1, P)
        if not on_curve_x(x):
            return x.to_bytes(32, "big")


# ---- attacker frames -------------------------------------------------------------

FT_HS1, FT_HS2, FT_HS3, FT_FRAG = 0x01, 0x02, 0x03, 0x10
FT_POLL, FT_TURN_END, FT_PLAIN_ALERT = 0x20, 0x21, 0x30
VS = 0x21


def build(kind, dst, src, rng):
    """Wire bytes of one attacker frame of KIND to dst, claiming src."""
    if kind == "msg1_short":          # finding 1: one byte, the version byte
        return frame(dst, src, FT_HS1, b"\x21")
    if kind == "msg1_reserved":       # finding 1: 35 bytes, reserved flag bit 1
        return frame(dst, src, FT_HS1, bytes([VS, 0x02, 0x45]) + fresh_x(rng))
    if kind == "msg1_forged":         # finding 2/6: well formed, valid fresh key
        return frame(dst, src, FT_HS1, bytes([VS, 0x00, 0x45]) + fresh_x(rng))
    if kind == "msg1_frag":
        return frame(dst, src, FT_FRAG | FT_HS1, b"\x00\x00\x00\x23" + bytes([VS, 0, 0x45]) + rng.randbytes(20))
    if kind == "msg2_badx":           # finding 7: x_r with no point
        return frame(dst, src, FT_HS2, bytes([0, 0x45]) + invalid_x(rng) + rng.randbytes(300))
    if kind == "msg3_forged":
        return frame(dst, src, FT_HS3, rng.randbytes(400))
    if kind == "no_session":          # finding 3: 8 bytes on the wire
        return frame(dst, src, FT_PLAIN_ALERT, bytes([1, 100]))
    if kind == "alert_fatal":
        return frame(dst, src, FT_PLAIN_ALERT, bytes([2, rng.choice([10, 20, 40, 42, 48, 50, 70, 80])]))
    if kind == "poll":
        return frame(dst, src, FT_POLL)
    if kind == "turn_end":
        return frame(dst, src, FT_TURN_END)
    if kind == "record_badtag":       # a STREAM record (epoch 2) that fails the AEAD
        return frame(dst, src, 0x80 | (2 << 5) | (3 << 2), rng.randbytes(1 + 40 + 16))
    if kind == "garbage":             # line noise, 0x00 included
        return rng.randbytes(rng.randrange(1, 200))
    raise ValueError("unknown kind " + kind)


# ---- the relay -----------------------------------------------------------------------


class Relay:
    def __init__(self, host_pty, pump_pty, ctl, host_addr, pump_addr):
        self.fd = {"host": self.open_pty(host_pty), "pump": self.open_pty(pump_pty)}
        self.addr = {"host": host_addr, "pump": pump_addr}
        self.buf = {"host": bytearray(), "pump": bytearray()}    # bytes read from that side
        self.rec = {"host": [], "pump": []}                       # genuine frames sent TO that side
        self.stats = {"to_host": {}, "to_pump": {}, "injected_frames": 0, "injected_bytes": 0,
                      "noise": 0, "dropped": 0}
        self.armed = {}        # from-side -> (kind, drop)
        self.sched = []        # (time, to, kind)
        self.rng = random.Random(int.from_bytes(os.urandom(8), "big"))
        if os.path.exists(ctl):
            os.unlink(ctl)
        self.ctl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.ctl.bind(ctl)
        self.ctl.listen(8)

    @staticmethod
    def open_pty(path):
        fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(fd)
        os.set_blocking(fd, False)
        return fd

    def write(self, side, data):
        fd = self.fd[side]
        view = memoryview(data)
        while view:
            try:
                n = os.write(fd, view)
                view = view[n:]
            except BlockingIOError:
                select.select([], [fd], [], 1.0)

    def inject(self, to, kind):
        other = "pump" if to == "host" else "host"
        wire = build(kind, self.addr[to], self.addr[other], self.rng)
        self.write(to, wire)
        self.stats["injected_frames"] += 1
        self.stats["injected_bytes"] += len(wire)

    def on_frame(self, frm, wire):
        to = "pump" if frm == "host" else "host"
        f = parse(wire)
        key = "noise" if f is None else "%02x" % f[2]
        d = self.stats["to_" + to]
        d[key] = d.get(key, 0) + 1
        drop = False
        if f is not None and f[2] == FT_HS1 and frm in self.armed:
            kind, drop = self.armed.pop(frm)
            if drop:
                self.stats["dropped"] += 1
            else:
                self.write(to, wire)
            self.inject(frm, kind)
            return
        if f is not None:
            self.rec[to].append(bytes(wire))
            del self.rec[to][:-400]
        self.write(to, wire)

    def pump_side(self, side):
        try:
            data = os.read(self.fd[side], 65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            return
        b = self.buf[side]
        b += data
        while True:
            i = b.find(b"\x00")
            if i < 0:
                break
            wire = bytes(b[:i + 1])
            del b[:i + 1]
            self.on_frame(side, wire)

    def command(self, words):
        op = words[0]
        if op == "inject":
            to, kind = words[1], words[2]
            count = int(words[3]) if len(words) > 3 else 1
            interval = float(words[4]) / 1000.0 if len(words) > 4 else 0.0
            build(kind, 1, 7, self.rng)            # refuse unknown kinds now
            now = time.monotonic()
            for k in range(count):
                self.sched.append((now + k * interval, to, kind))
            self.sched.sort()
            return {"scheduled": count}
        if op == "on-msg1":
            build(words[2], 1, 7, self.rng)
            self.armed[words[1]] = (words[2], (words[3] if len(words) > 3 else "drop") == "drop")
            return {"armed": words[1]}
        if op == "replay":
            to = words[1]
            n = int(words[2]) if len(words) > 2 else len(self.rec[to])
            frames = list(self.rec[to][-n:])
            for w in frames:
                self.write(to, w)
                self.stats["injected_frames"] += 1
                self.stats["injected_bytes"] += len(w)
            return {"replayed": len(frames)}
        if op == "stats":
            return dict(self.stats, pending=len(self.sched))
        if op == "stop-floods":
            n = len(self.sched)
            self.sched = []
            return {"cancelled": n}
        raise ValueError("unknown command " + op)

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
            try:
                ans = self.command(line.decode().split())
            except Exception as e:      # noqa: BLE001 - report any refusal to the caller
                ans = {"error": str(e)}
            conn.sendall((json.dumps(ans) + "\n").encode())

    def run(self):
        while True:
            now = time.monotonic()
            while self.sched and self.sched[0][0] <= now:
                _, to, kind = self.sched.pop(0)
                self.inject(to, kind)
            timeout = max(0.0, self.sched[0][0] - now) if self.sched else 1.0
            r, _, _ = select.select([self.fd["host"], self.fd["pump"], self.ctl], [], [], timeout)
            for side in ("host", "pump"):
                if self.fd[side] in r:
                    self.pump_side(side)
            if self.ctl in r:
                self.serve_ctl()


def cmd(path, words):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    end = time.time() + 10
    while True:
        try:
            s.connect(path)
            break
        except OSError:
            if time.time() > end:
                raise
            time.sleep(0.05)
    s.sendall((" ".join(words) + "\n").encode())
    ans = b""
    while not ans.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            break
        ans += chunk
    print(ans.decode().strip())
    return 0 if b'"error"' not in ans else 1


def main(argv):
    if len(argv) >= 4 and argv[1] == "serve":
        args = argv[2:]
        host_addr, pump_addr = 1, 7
        if "--host-addr" in args:
            host_addr = int(args[args.index("--host-addr") + 1])
        if "--pump-addr" in args:
            pump_addr = int(args[args.index("--pump-addr") + 1])
        Relay(args[0], args[1], args[2], host_addr, pump_addr).run()
        return 0
    if len(argv) >= 4 and argv[1] == "cmd":
        return cmd(argv[2], argv[3:])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
