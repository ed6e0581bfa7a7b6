#!/usr/bin/env python3
"""Test application for slinkd: talks to a daemon's local socket.

  exchange SOCK SEED SIZE OUTFILE [HOLD]
                                    write SIZE pseudo-random bytes (from SEED)
                                    while reading SIZE bytes into OUTFILE; then
                                    stay connected until the file HOLD exists
                                    (at most 120 s): the daemon closing us
                                    before that (session ended) fails
  gen SEED SIZE OUTFILE             the bytes `exchange SEED` writes
  send SOCK TEXT                    write TEXT, keep reading until closed or 3 s
  recv SOCK SECONDS                 print what arrives until closed / timeout
  wait-close SOCK SECONDS           connect, read until the daemon closes us;
                                    exit 0 if closed in time, 1 otherwise
  ping SOCK N SIZE [HOLD]                N round trips of SIZE bytes against an echo
                                    peer; prints mean/median microseconds
  echo SOCK SECONDS                 echo everything back until closed/timeout
  source SOCK SIZE [HOLD]           write SIZE bytes (then stay HOLD seconds)
  sink SOCK SIZE                    read SIZE bytes; prints bytes and seconds
  late-reader SOCK GO OUTFILE SECS  connect, read nothing until file GO exists,
                                    then read until the daemon closes us; the
                                    bytes go to OUTFILE; exit 0 if closed in time
  echo-server PATH                  plain local echo (latency baseline)
  dgram-pair SOCK_A SOCK_B          datagrams both ways keep their boundaries
  cmd-server SOCK N                 N times: connect, read a request line, answer
                                    "VALUE <i> <request>", read to end of file,
                                    close (one application connection each)
  cmd-client SOCK N GAP             N times: connect, send "READ REG <i>", time the
                                    reply line, close, wait GAP s; prints the
                                    seconds of each and fails on a wrong reply
"""
import os
import random
import select
import socket
import sys
import time


def gen(seed, size):
    return random.Random(seed).randbytes(size)


def read_line(s, timeout):
    buf = b""
    end = time.time() + timeout
    while not buf.endswith(b"\n"):
        left = end - time.time()
        if left <= 0:
            break
        r, _, _ = select.select([s], [], [], left)
        if not r:
            break
        chunk = s.recv(4096)
        if not chunk:
            break
        buf += chunk
    return buf


def cmd_server(path, n):
    i = 0
    while i < n:
        s = connect(path, 60.0)
        req = read_line(s, 120.0)
        if not req:
            # refused, or its session ended before a request came: again
            s.close()
            time.sleep(0.05)
            continue
        s.sendall(b"VALUE %d %s" % (i, req))
        i += 1
        # the client's end of stream ends this connection
        while True:
            r, _, _ = select.select([s], [], [], 120.0)
            if not r or not s.recv(4096):
                break
        s.close()


def cmd_client(path, n, gap):
    times = []
    retries = 0
    for i in range(n):
        req = b"READ REG %d\n" % i
        t0 = time.time()
        while True:
            s = connect(path, 5.0)
            s.sendall(req)
            rep = read_line(s, 30.0)
            s.close()
            # an empty reply: refused, or cut off by a session's end; a
            # user's client would try again, and the wait counts
            if rep or time.time() - t0 > 60:
                break
            retries += 1
            time.sleep(0.05)
        times.append(time.time() - t0)
        if rep != b"VALUE %d %s" % (i, req):
            print("reply %d wrong: %r" % (i, rep))
            return 1
        time.sleep(gap)
    print(" ".join("%.3f" % t for t in times))
    print("retries %d" % retries, file=sys.stderr)
    return 0


def connect(path, timeout=10.0):
    end = time.time() + timeout
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.time() > end:
                raise
            time.sleep(0.05)


def exchange(path, seed, size, outfile, timeout=60.0, hold=None):
    data = gen(seed, size)
    s = connect(path)
    s.setblocking(False)
    sent = 0
    got = bytearray()
    end = time.time() + timeout
    while (sent < size or len(got) < size) and time.time() < end:
        w = [s] if sent < size else []
        r, wr, _ = select.select([s], w, [], 0.5)
        if r:
            try:
                chunk = s.recv(65536)
            except BlockingIOError:
                chunk = None
            except ConnectionError:
                chunk = b""
            if chunk == b"":
                break
            if chunk:
                got += chunk
        if wr:
            try:
                sent += s.send(data[sent:sent + 65536])
            except BlockingIOError:
                pass
            except ConnectionError:
                break
    with open(outfile, "wb") as f:
        f.write(got)
    held = True
    end = time.time() + 120.0
    while hold and sent == size and len(got) == size and time.time() < end:
        if os.path.exists(hold):
            break
        r, _, _ = select.select([s], [], [], 0.05)
        if r and not os.path.exists(hold):
            try:
                extra = s.recv(65536)
            except BlockingIOError:
                continue
            except ConnectionError:
                extra = b""
            if not extra:
                held = False
                break
            got += extra
    s.close()
    print(f"sent {sent} received {len(got)}" + ("" if held else " (closed by the daemon while held)"))
    return 0 if sent == size and len(got) == size and held else 1


def main(argv):
    cmd = argv[1]
    if cmd == "cmd-server":
        cmd_server(argv[2], int(argv[3]))
        return 0
    if cmd == "cmd-client":
        return cmd_client(argv[2], int(argv[3]), float(argv[4]))
    if cmd == "gen":
        with open(argv[4], "wb") as f:
            f.write(gen(argv[2], int(argv[3])))
        return 0
    if cmd == "exchange":
        return exchange(argv[2], argv[3], int(argv[4]), argv[5],
                        hold=argv[6] if len(argv) > 6 else None)
    if cmd == "send":
        s = connect(argv[2])
        s.sendall(argv[3].encode())
        s.settimeout(float(argv[4]) if len(argv) > 4 else 3.0)
        try:
            while s.recv(4096):
                pass
        except OSError:
            pass
        s.close()
        return 0
    if cmd == "recv":
        s = connect(argv[2])
        end = time.time() + float(argv[3])
        buf = b""
        while time.time() < end:
            r, _, _ = select.select([s], [], [], 0.1)
            if r:
                c = s.recv(4096)
                if not c:
                    break
                buf += c
                sys.stdout.write(c.decode(errors="replace"))
                sys.stdout.flush()
        return 0
    if cmd == "wait-close":
        s = connect(argv[2])
        s.settimeout(float(argv[3]))
        try:
            while s.recv(65536):
                pass
            return 0
        except socket.timeout:
            return 1
        except OSError:
            return 0
    if cmd == "echo":
        s = connect(argv[2])
        end = time.time() + float(argv[3])
        while time.time() < end:
            r, _, _ = select.select([s], [], [], 0.2)
            if r:
                c = s.recv(65536)
                if not c:
                    break
                s.sendall(c)
        return 0
    if cmd == "ping":
        s = connect(argv[2])
        n, size = int(argv[3]), int(argv[4])
        msg = b"p" * size
        s.settimeout(5.0)
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            s.sendall(msg)
            got = 0
            while got < size:
                c = s.recv(size - got)
                if not c:
                    raise SystemExit("closed during ping")
                got += len(c)
            times.append(time.perf_counter() - t0)
        times.sort()
        print(f"{sum(times) / n * 1e6:.0f} {times[n // 2] * 1e6:.0f}", flush=True)
        if len(argv) > 5:
            time.sleep(float(argv[5]))   # stay connected (reload tests)
        return 0
    if cmd == "source":
        s = connect(argv[2])
        s.sendall(gen("src", int(argv[3])))
        if len(argv) > 4:
            time.sleep(float(argv[4]))
        return 0
    if cmd == "messages":
        # messages PATH SEED N SIZE [GAP_S]: gen(SEED, N*SIZE) as N separate
        # writes, GAP_S seconds apart
        s = connect(argv[2])
        n, size = int(argv[4]), int(argv[5])
        gap = float(argv[6]) if len(argv) > 6 else 0.0
        data = gen(argv[3], n * size)
        for i in range(n):
            s.sendall(data[i * size:(i + 1) * size])
            if gap:
                time.sleep(gap)
        time.sleep(0.5)
        return 0
    if cmd == "recv-file":
        # recv-file PATH SIZE OUTFILE: exactly SIZE bytes into OUTFILE
        s = connect(argv[2])
        want, got = int(argv[3]), bytearray()
        s.settimeout(60.0)
        while len(got) < want:
            c = s.recv(65536)
            if not c:
                break
            got += c
        with open(argv[4], "wb") as f:
            f.write(got)
        return 0 if len(got) == want else 1
    if cmd == "sink":
        s = connect(argv[2])
        want, got = int(argv[3]), 0
        s.settimeout(60.0)
        t0 = None
        while got < want:
            c = s.recv(262144)
            if not c:
                break
            if t0 is None:
                t0 = time.perf_counter()
            got += len(c)
        print(f"{got} {time.perf_counter() - (t0 or time.perf_counter()):.4f}")
        return 0 if got == want else 1
    if cmd == "late-reader":
        s = connect(argv[2])
        print("connected", flush=True)
        end = time.time() + float(argv[5])
        while not os.path.exists(argv[3]):
            if time.time() > end:
                return 1
            time.sleep(0.05)
        got = bytearray()
        s.settimeout(max(0.1, end - time.time()))
        closed = False
        try:
            while True:
                c = s.recv(65536)
                if not c:
                    closed = True
                    break
                got += c
        except OSError:
            pass
        with open(argv[4], "wb") as f:
            f.write(got)
        print(f"received {len(got)}{' then end of stream' if closed else ', not closed'}")
        return 0 if closed else 1
    if cmd == "echo-server":
        # plain local echo for the latency baseline
        try:
            os.unlink(argv[2])
        except OSError:
            pass
        ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        ls.bind(argv[2])
        ls.listen(1)
        c, _ = ls.accept()
        while True:
            d = c.recv(65536)
            if not d:
                return 0
            c.sendall(d)
    if cmd == "dgram-pair":
        # boundaries kept both ways through two SOCK_SEQPACKET sockets
        a = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        b = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        a.connect(argv[2])
        b.connect(argv[3])
        a.settimeout(5.0)
        b.settimeout(5.0)
        msgs = [b"x", b"hello", bytes(range(256)) * 3, b"last"]
        for m in msgs:
            a.send(m)
            got = b.recv(4096)
            if got != m:
                print(f"a->b: sent {len(m)} got {len(got)}")
                return 1
            b.send(m[::-1])
            got = a.recv(4096)
            if got != m[::-1]:
                print(f"b->a: sent {len(m)} got {len(got)}")
                return 1
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
