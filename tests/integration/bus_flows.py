"""Concurrent byte-exact transfers over slinkd application sockets, for the
bus integration test (slinkd_t_bus.sh -> bus_trial.py).

Each device has two flows: master -> device (written to the master's socket
for that peer, read from the device daemon's socket) and device -> master.
Every flow carries a pseudo-random pattern seeded by (phase, device address,
direction), so a byte delivered to the wrong device or direction shows up as
a mismatch at the first differing byte.
"""
import random
import select
import socket
import time


def pattern(phase, addr, direction, size):
    return random.Random("%s-%d-%s" % (phase, addr, direction)).randbytes(size)


def connect(path, timeout=10.0):
    end = time.time() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            s.setblocking(False)
            return s
        except OSError:
            s.close()
            if time.time() > end:
                raise
            time.sleep(0.05)


class Flow:
    def __init__(self, name, tx, rx, data):
        self.name, self.tx, self.rx, self.data = name, tx, rx, data
        self.sent = 0
        self.got = 0
        self.bad_at = None       # offset of the first wrong byte
        self.done_t = None
        self.at_first_done = 0
        self.eof = False         # the receiving socket was closed by its daemon


class Device:
    """The two application sockets of one device address."""
    def __init__(self, addr, master_sock_path, dev_sock_path):
        self.addr = addr
        self.m = connect(master_sock_path)
        self.d = connect(dev_sock_path)

    def close(self):
        for s in (self.m, self.d):
            try:
                s.close()
            except OSError:
                pass


def run(phase, devices, size, timeout, on_tick=None):
    """Moves size bytes each way for every device at once.  Returns
    (elapsed seconds, flows).  on_tick(t) is called about every 50 ms."""
    flows = []
    for dv in devices:
        flows.append(Flow("%d m->d" % dv.addr, dv.m, dv.d, pattern(phase, dv.addr, "m2d", size)))
        flows.append(Flow("%d d->m" % dv.addr, dv.d, dv.m, pattern(phase, dv.addr, "d2m", size)))
    by_tx = {f.tx: f for f in flows}
    by_rx = {f.rx: f for f in flows}
    t0 = time.time()
    end = t0 + timeout
    first_done = None
    last_tick = t0
    while time.time() < end:
        pending = [f for f in flows if f.got < size and not f.eof and f.bad_at is None]
        if not pending:
            break
        rs = [f.rx for f in flows if f.got < size and not f.eof]
        ws = [f.tx for f in flows if f.sent < size]
        r, w, _ = select.select(rs, ws, [], 0.05)
        now = time.time()
        for s in w:
            f = by_tx[s]
            try:
                f.sent += s.send(f.data[f.sent:f.sent + 16384])
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                f.sent = size    # the daemon closed us; the reader notices
        for s in r:
            f = by_rx[s]
            try:
                chunk = s.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                chunk = b""
            if not chunk:
                f.eof = True
                continue
            if f.bad_at is None and chunk != f.data[f.got:f.got + len(chunk)]:
                exp = f.data[f.got:f.got + len(chunk)]
                k = next((i for i in range(min(len(chunk), len(exp))) if chunk[i] != exp[i]), min(len(chunk), len(exp)))
                f.bad_at = f.got + k
            f.got += len(chunk)
            if f.got >= size and f.done_t is None:
                f.done_t = now - t0
                if first_done is None:
                    first_done = f.done_t
                    for g in flows:
                        g.at_first_done = g.got
        if on_tick and now - last_tick >= 0.05:
            last_tick = now
            on_tick(now - t0)
    done = [f.done_t for f in flows if f.done_t is not None]
    elapsed = max(done) if done else time.time() - t0
    return elapsed, flows


def min_share(flows):
    """Slowest flow's bytes over the mean when the first flow completed."""
    v = [f.at_first_done for f in flows]
    if not v or sum(v) == 0:
        return 0.0
    return min(v) / (sum(v) / len(v))
