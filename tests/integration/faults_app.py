#!/usr/bin/env python3
"""Measuring application for the slinkd fault tests (tests/integration/faults_*.sh).

  pair SOCK_A SOCK_B TAG REPORT TIMEOUT READY
      Connects to both daemons' stream sockets and streams both ways at once
      (A->B and B->A, each a pseudo-random stream seeded by TAG and the
      direction, so bytes from another session or direction never match).
      Each receiver checks every byte against what the other side wrote in
      this session and pauses reading now and then, so back-pressure reaches
      the daemons and the cores hold acknowledged data when a fault hits.
      Creates the file READY once both connections are accepted.  Runs
      until the daemons have closed both connections (the session ended) or
      TIMEOUT seconds; writes a JSON report.
  wait-up CTL_A CTL_B OLD_A OLD_B TIMEOUT
      Polls `slinkctl status --json` on both control sockets until both show
      state established with a session id other than OLD_x ("-": any);
      prints the wall-clock time (ns) when that was seen and both ids.
  status CTL [CTL...]
      One line, per daemon: state session_id app_bytes_to_peer
      app_bytes_from_peer link_state.
  stats FILE
      Numbers (one a line) -> "n min median max" (milliseconds).
  handshakes LOG_A LOG_B
      From the two daemons' logs: for each recovery after the first session,
      milliseconds from the later of the two re-opens of the port ("port
      open") to the later "session ... up"; numbers, one a line.
  check REPORT BOUND SURVIVORS A_TO0 A_FROM0 A_TO1 A_FROM1 B_TO0 B_FROM0 B_TO1 B_FROM1
      Verdict on one session from a `pair` report and the daemons' counters
      (app_bytes_to_peer / app_bytes_from_peer before the applications
      connected and after they were closed).  SURVIVORS is "ab" when both
      daemons lived through the fault, "a" when B's daemon was killed (its
      "after" counters are then the last ones read before the kill).  See
      docs/SECURITY.md "Daemon faults" for what is verified and why.
      Exit 0: all good; 3: the only fault is acknowledged data missing
      (last line "ACKLOSS <bytes at least>"); 1: anything else.

  serve
      Reads one of the commands above per line on stdin (arguments split
      like a shell, no quoting needed for test paths) and answers with its
      output and a line "@@END@@ STATUS": the test scripts keep one server
      instead of starting Python five times a cycle (seconds on a busy CI
      machine).

The slinkctl binary is $SLINKCTL (default build/slinkctl).
"""
import contextlib
import io
import json
import os
import random
import select
import shlex
import socket
import subprocess
import sys
import time

STREAM_MAX = 8 << 20    # per direction and session: more than a session carries here


def connect(path, timeout=10.0):
    end = time.time() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.time() > end:
                raise
            time.sleep(0.02)


class Side:
    """One application connection: writes its stream, checks the other's."""

    def __init__(self, name, path, gen, rng):
        self.name = name
        self.sock = connect(path)
        self.sock.setblocking(False)
        # the stream is generated as it is written: a 2-core CI machine
        # spent seconds per cycle making 16 MB that were mostly never sent
        self.gen = gen
        self.out = bytearray()
        self.sent = 0
        self.write_open = True
        self.read_open = True
        self.rng = rng
        self.next_switch = time.time() + rng.uniform(0.05, 0.3)
        self.reading = True
        self.pauses = 0

    def schedule(self, now):
        # read for 50-300 ms, then leave the socket alone for 0-400 ms
        if now < self.next_switch:
            return
        self.reading = not self.reading
        if self.reading:
            self.next_switch = now + self.rng.uniform(0.05, 0.3)
        else:
            self.pauses += 1
            self.next_switch = now + self.rng.uniform(0.0, 0.4)

    def more(self, n):
        """Makes sure the next n bytes of the stream exist; False at STREAM_MAX."""
        want = min(self.sent + n, STREAM_MAX)
        while len(self.out) < want:
            self.out += self.gen.randbytes(1 << 20)
        return self.sent < STREAM_MAX

    def close(self):
        self.read_open = self.write_open = False
        self.sock.close()


class Receiver:
    """Checks what arrives from one direction against what was written."""

    def __init__(self, src):
        self.src = src
        self.got = 0
        self.bad = 0
        self.first_bad = None
        self.beyond = 0   # bytes received past what the sender wrote

    def take(self, chunk):
        n = len(chunk)
        end = self.got + n
        if end > self.src.sent:
            self.beyond += end - max(self.got, self.src.sent)
        if self.src.out[self.got:end] != chunk:
            self.bad += 1
            if self.first_bad is None:
                exp = self.src.out[self.got:end]
                i = next((k for k in range(min(n, len(exp))) if exp[k] != chunk[k]), min(n, len(exp)))
                self.first_bad = self.got + i
        self.got = end


def pair(path_a, path_b, tag, report, timeout, ready):
    seed = random.Random(tag)
    gen_a = random.Random(tag + "/a->b")
    gen_b = random.Random(tag + "/b->a")
    t0 = time.time()
    a = Side("a", path_a, gen_a, random.Random(seed.random()))
    b = Side("b", path_b, gen_b, random.Random(seed.random()))
    open(ready, "w").close()
    rx = {"a": Receiver(b), "b": Receiver(a)}   # what side X receives
    end = t0 + timeout
    timed_out = False
    while a.read_open or b.read_open:
        now = time.time()
        if now > end:
            timed_out = True
            break
        rl, wl = [], []
        for s in (a, b):
            s.schedule(now)
            if s.read_open and s.reading:
                rl.append(s.sock)
            if s.write_open and s.more(65536):
                wl.append(s.sock)
        r, w, _ = select.select(rl, wl, [], 0.05)
        for s in (a, b):
            if s.sock in w and s.write_open:
                try:
                    s.sent += s.sock.send(s.out[s.sent:s.sent + 65536])
                except BlockingIOError:
                    pass
                except OSError:
                    s.write_open = False   # the daemon closed us: keep reading what it flushed
            if s.sock in r and s.read_open:
                try:
                    c = s.sock.recv(65536)
                except BlockingIOError:
                    continue
                except OSError:
                    c = b""
                if c:
                    rx[s.name].take(c)
                else:
                    # end of stream: the session this connection belonged to is over
                    s.close()
    for s in (a, b):
        if s.read_open:
            s.close()
    res = {
        "tag": tag,
        "seconds": round(time.time() - t0, 3),
        "timeout": timed_out,
        "a_sent": a.sent, "b_received": rx["b"].got, "b_bad_chunks": rx["b"].bad,
        "b_first_bad": rx["b"].first_bad, "b_beyond": rx["b"].beyond,
        "b_sent": b.sent, "a_received": rx["a"].got, "a_bad_chunks": rx["a"].bad,
        "a_first_bad": rx["a"].first_bad, "a_beyond": rx["a"].beyond,
        "pauses": a.pauses + b.pauses,
    }
    with open(report, "w") as f:
        json.dump(res, f)
    ok = not timed_out and rx["a"].bad == 0 and rx["b"].bad == 0 and rx["a"].beyond == 0 and rx["b"].beyond == 0
    return 0 if ok else 1


def status(ctl):
    exe = os.environ.get("SLINKCTL", "build/slinkctl")
    try:
        out = subprocess.run([exe, "--ctl", ctl, "status", "--json"], capture_output=True, timeout=5).stdout
        j = json.loads(out)
        p = j["peers"][0]
        p["link_state"] = j["link"]["state"]
        return p
    except (OSError, ValueError, KeyError, IndexError, subprocess.TimeoutExpired):
        return None


def wait_up(ctl_a, ctl_b, old_a, old_b, timeout):
    end = time.time() + timeout
    while time.time() < end:
        pa = status(ctl_a)
        pb = status(ctl_b)
        t = time.time_ns()
        if (pa and pb and pa["state"] == "established" and pb["state"] == "established" and
                pa["session_id"] != old_a and pb["session_id"] != old_b):
            print(t, pa["session_id"], pb["session_id"])
            return 0
        time.sleep(0.01)
    print("timeout", pa and pa.get("state"), pb and pb.get("state"))
    return 1


def check(report, bound, survivors, c):
    r = json.load(open(report))
    a_to0, a_from0, a_to1, a_from1, b_to0, b_from0, b_to1, b_from1 = c
    errs, lost = [], []
    if r["timeout"]:
        errs.append("applications not disconnected in time")
    for x in "ab":
        if r[x + "_bad_chunks"]:
            errs.append(f"{x} received corrupted, duplicated or foreign bytes (first at offset {r[x + '_first_bad']})")
        if r[x + "_beyond"]:
            errs.append(f"{x} received {r[x + '_beyond']} bytes more than were written")
        if r[x + "_received"] == 0:
            errs.append(f"{x} received nothing in this session")
    # a survived: everything its daemon took from the core reached it, and
    # the core had at least everything B's daemon handed over minus what B's
    # core may still have held unacknowledged
    checks = [("a", a_from1 - a_from0, b_to1 - b_to0)]
    if "b" in survivors:
        checks.append(("b", b_from1 - b_from0, a_to1 - a_to0))
    for x, delivered, handed in checks:
        got = r[x + "_received"]
        if got != delivered:
            errs.append(f"{x} received {got} bytes but its daemon delivered {delivered}")
        if got < handed - bound:
            lost.append(handed - bound - got)
            errs.append(f"{x} received {got} bytes but the peer's daemon handed {handed} to its core "
                        f"(at most {bound} can be unacknowledged): at least {lost[-1]} acknowledged "
                        f"bytes lost")
    print(f"{r['a_received'] + r['b_received']} bytes checked: a->b {r['a_sent']} written {r['b_received']} received; b->a {r['b_sent']} written "
          f"{r['a_received']} received; {r['pauses']} reader pauses")
    for e in errs:
        print("ERROR:", e)
    if errs:
        print("counters (to0 from0 to1 from1): a", a_to0, a_from0, a_to1, a_from1, "b", b_to0, b_from0, b_to1, b_from1)
    if lost:
        print("ACKLOSS", sum(lost))
    # 3: the only fault is acknowledged data missing (counted by the caller)
    return 0 if not errs else (3 if len(lost) == len(errs) else 1)


def log_ms(line):
    h, m, rest = line.split(" ", 1)[0].split(":")
    return (int(h) * 3600 + int(m) * 60 + float(rest)) * 1000.0


def handshakes(log_a, log_b):
    ev = []
    for path in (log_a, log_b):
        opens, ups = [], []
        for line in open(path, errors="replace"):
            if ": port open (" in line and ", addr " not in line:
                opens.append(log_ms(line))
            elif " up, peer '" in line:
                ups.append(log_ms(line))
        ev.append((opens, ups[1:]))
    n = min(len(ev[0][0]), len(ev[1][0]), len(ev[0][1]), len(ev[1][1]))
    for i in range(n):
        d = max(ev[0][1][i], ev[1][1][i]) - max(ev[0][0][i], ev[1][0][i])
        print(f"{(d + 86400000.0) % 86400000.0:.0f}")
    return 0


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "pair":
        return pair(argv[2], argv[3], argv[4], argv[5], float(argv[6]), argv[7])
    if cmd == "wait-up":
        return wait_up(argv[2], argv[3], argv[4], argv[5], float(argv[6]))
    if cmd == "status":
        fields = []
        for ctl in argv[2:]:
            p = status(ctl)
            if not p:
                print("unreachable:", ctl)
                return 1
            fields += [p["state"], p["session_id"], p["app_bytes_to_peer"], p["app_bytes_from_peer"],
                       p["link_state"]]
        print(*fields)
        return 0
    if cmd == "handshakes":
        return handshakes(argv[2], argv[3])
    if cmd == "check":
        return check(argv[2], int(argv[3]), argv[4], [int(x) for x in argv[5:13]])
    if cmd == "stats":
        v = sorted(float(x) for x in open(argv[2]) if x.strip())
        if not v:
            print("0 - - -")
            return 1
        n = len(v)
        med = v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2
        print(f"{n} {v[0]:.0f} {med:.0f} {v[-1]:.0f}")
        return 0
    print(__doc__)
    return 2


def serve():
    for line in sys.stdin:
        argv = ["faults_app.py"] + shlex.split(line)
        if len(argv) < 2:
            continue
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            try:
                rc = 2 if argv[1] in ("serve", "pair") else main(argv)
            except Exception as e:   # one bad request must not end the server
                print("ERROR:", type(e).__name__, e)
                rc = 1
        sys.stdout.write(out.getvalue())
        sys.stdout.write(f"@@END@@ {rc}\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        sys.exit(serve())
    sys.exit(main(sys.argv))
