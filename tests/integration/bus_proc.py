"""Real processes on one simulated RS485 bus, shared by the bus integration
tests (bus_trial.py, bus_babble.py, bus_fw.py): slink-linesim --bus, a
slinkd bus master, slinkd devices, status queries, bounded waits that fail
early when a process dies, and the checks and figures of concurrent
transfers (bus_flows.py moves the bytes).

The tests differ only in their PKI: a Bus gets the CA, a function from a
credential label to its (certificate, key) paths, and the names the master
and the devices require of each other.
"""
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bus_flows  # noqa: E402

ROOT = ["--allow-root"] if os.getuid() == 0 else []


class Fail(Exception):
    pass


def log(msg):
    print(msg, flush=True)


def established(p):
    return p is not None and p["state"] == "established"


class Bus:
    """One bus under directory t: endpoint i is the pty t/bus<i>; endpoint 0
    is the master's (address 1)."""

    def __init__(self, build, t, ca, cred, dev_name, host_name, baud=115200):
        self.build, self.t, self.ca, self.cred = build, t, ca, cred
        self.dev_name, self.host_name, self.baud = dev_name, host_name, baud
        self.line = baud / 10.0              # bytes per second, 8N1
        self.procs = {}

    def path(self, name):
        return os.path.join(self.t, name)

    def tool(self, name):
        return os.path.join(self.build, name)

    def ep(self, i):
        return self.path("bus%d" % i)

    # ---- processes ----
    def spawn(self, key, cmd, logname=None):
        fh = open(self.path(logname or key + ".log"), "ab")
        self.procs[key] = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
        fh.close()
        return self.procs[key]

    def stop(self, key, sig=signal.SIGKILL):
        """Ends a process on purpose (default: as a power cut would); from
        then on wait() no longer watches it."""
        p = self.procs.pop(key, None)
        if p and p.poll() is None:
            p.send_signal(sig)
            p.wait(timeout=10)

    def cleanup(self):
        for p in self.procs.values():
            if p.poll() is None:
                p.terminate()
        end = time.time() + 5
        for p in self.procs.values():
            try:
                p.wait(timeout=max(0.1, end - time.time()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def wait(self, what, limit, cond, step=0.02):
        """Polls cond until it returns something true (returned) or limit
        seconds pass; a watched process that exits fails at once."""
        end = time.time() + limit
        while time.time() < end:
            v = cond()
            if v:
                return v
            for k, p in self.procs.items():
                if p.poll() is not None:
                    raise Fail("%s: %s exited (status %s) while waiting" % (what, k, p.returncode))
            time.sleep(step)
        raise Fail("%s: not within %d s" % (what, limit))

    def start_linesim(self, n, extra=()):
        self.spawn("linesim", [self.tool("slink-linesim"), "--bus", str(n), "--baud", str(self.baud),
                               "--link-prefix", self.path("bus"), "--json", self.path("bus.json"),
                               "--quiet"] + list(extra))
        self.wait("bus endpoints", 10, lambda: all(os.path.exists(self.ep(i)) for i in range(n)))

    def stop_linesim(self):
        """Stops the bus and returns its counters (slink-linesim --json)."""
        self.stop("linesim", signal.SIGTERM)
        with open(self.path("bus.json")) as fh:
            return json.load(fh)

    # ---- slinkd ----
    def status(self, name):
        r = subprocess.run([self.tool("slinkctl"), "--ctl", self.path(name + ".ctl"), "status", "--json"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=10)
        if r.returncode != 0:
            return None
        try:
            return json.loads(r.stdout)
        except ValueError:
            return None

    def master_peers(self):
        st = self.status("master")
        return {p["addr"]: p for p in st["peers"]} if st else {}

    def dev_state(self, name):
        """The one peer (the master) of a slinkd device; name is its
        address or the key it was started under."""
        st = self.status(name if isinstance(name, str) else "dev%d" % name)
        return st["peers"][0] if st else None

    def start_device(self, addr, endpoint, name=None, cred=None):
        """A slinkd bus device at addr; cred: the label of another
        certificate (a rogue), by default the address's own."""
        name = name or "dev%d" % addr
        cert, key = self.cred(cred or addr)
        for suffix in (".sock", ".ctl"):
            try:
                os.unlink(self.path(name + suffix))
            except FileNotFoundError:
                pass
        self.spawn(name, [self.tool("slinkd")] + ROOT +
                   ["--foreground", "--device", self.ep(endpoint), "--baud", str(self.baud), "--addr", str(addr),
                    "--ca", self.ca, "--cert", cert, "--key", key, "--peer", "1", "--peer-name", self.host_name,
                    "--socket", self.path(name + ".sock"), "--ctl", self.path(name + ".ctl"),
                    "--mode", "half-duplex", "--bus-role", "device", "--role", "responder"])

    def start_master(self, addrs):
        """The bus master on endpoint 0, one initiator peer per address
        (application socket t/m<addr>.sock)."""
        cert, key = self.cred("host")
        lines = ["[link]", "device = " + self.ep(0), "baud = %d" % self.baud, "addr = 1", "mode = half-duplex",
                 "bus-role = master", "ca = " + self.ca, "cert = " + cert, "key = " + key,
                 "ctl = " + self.path("master.ctl"), ""]
        for a in addrs:
            lines += ["[peer dev%d]" % a, "addr = %d" % a, "name = " + self.dev_name(a),
                      "socket = " + self.path("m%d.sock" % a), "role = initiator", ""]
        with open(self.path("master.conf"), "w") as fh:
            fh.write("\n".join(lines))
        self.spawn("master", [self.tool("slinkd")] + ROOT + ["--foreground", "--config", self.path("master.conf")])

    def wait_master_established(self, addrs, limit):
        """Waits until the master shows every address established; returns
        its peers by address."""
        def up():
            p = self.master_peers()
            return p if all(established(p.get(a)) for a in addrs) else None
        return self.wait("all %d sessions established" % len(addrs), limit, up)

    def sockets(self, addr):
        """Both application sockets of a slinkd device's session."""
        return bus_flows.Device(addr, self.path("m%d.sock" % addr), self.path("dev%d.sock" % addr))

    def sessions_changed(self, sid, addrs):
        """The addresses whose master session is no longer the one in sid."""
        peers = self.master_peers()
        return [a for a in addrs if peers[a]["session_id"] != sid[a] or not established(peers[a])]

    def tail_logs(self, lines=15):
        for name in sorted(os.listdir(self.t)):
            if name.endswith(".log"):
                with open(self.path(name), errors="replace") as fh:
                    txt = fh.read().splitlines()
                print("--- %s" % name)
                print("\n".join(txt[-lines:]))


def flow_addr(f):
    return int(f.name.split()[0])


def check_exact(flows, size, allow_eof=()):
    for f in flows:
        if f.bad_at is not None:
            raise Fail("flow %s: wrong byte at offset %d (cross-talk or corruption)" % (f.name, f.bad_at))
        if f.got != size and not (flow_addr(f) in allow_eof and f.eof):
            raise Fail("flow %s: %d of %d bytes%s" % (f.name, f.got, size, " (closed)" if f.eof else ""))


def report_flows(title, el, flows, line):
    """Prints the aggregate goodput (fraction of line, bytes/s) and each
    device's rate over the mean; returns (goodput, min rate share)."""
    total = sum(f.got for f in flows)
    good = total / el / line if el > 0 else 0.0
    share = bus_flows.min_share(flows)
    per_dev = {}
    for f in flows:
        per_dev[flow_addr(f)] = per_dev.get(flow_addr(f), 0) + f.at_first_done
    mean = sum(per_dev.values()) / len(per_dev)
    # each device's rate over the whole transfer (both directions, until its
    # later flow completed) against the mean rate: the share the issue means
    rate = {}
    for f in flows:
        if f.done_t:
            rate[flow_addr(f)] = max(rate.get(flow_addr(f), 0), f.done_t)
    rates = {a: 2 * len(flows[0].data) / t for a, t in rate.items() if t > 0}
    rmean = sum(rates.values()) / len(rates) if rates else 0
    dshare = min(rates.values()) / rmean if rmean else 0.0
    log("%s: %d bytes in %.2f s, aggregate goodput %.3f of the line rate; per-device share (rate / mean "
        "rate) min %.3f; per-flow bytes at the first completion / mean: min %.3f" %
        (title, total, el, good, dshare, share))
    log("  per-device rate share: " + " ".join("%d:%.2f" % (a, v / rmean) for a, v in sorted(rates.items())))
    log("  flows (done s / bytes at the first completion): " +
        " ".join("%s %.2f/%d" % (f.name.replace(" ", ""), f.done_t or -1, f.at_first_done) for f in flows))
    log("  per-device bytes at the first completion / mean: " +
        " ".join("%d:%.2f" % (a, v / mean if mean else 0) for a, v in sorted(per_dev.items())))
    return good, dshare


def run(bus, main, show_logs=True):
    """Runs main(), prints FAIL with the processes' log tails on a Fail,
    always ends every process, and exits 0 or 1."""
    try:
        main()
        rc = 0
    except Fail as e:
        print("FAIL: %s" % e, flush=True)
        if show_logs:
            bus.tail_logs()
        rc = 1
    finally:
        bus.cleanup()
    sys.exit(rc)
