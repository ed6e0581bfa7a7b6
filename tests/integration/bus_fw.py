#!/usr/bin/env python3
"""Firmware devices and slinkd devices on one RS485 bus (issue 14), driven
by fw_bus.sh.

slink-linesim --bus at 115200: endpoint 0 the slinkd bus master (address
1, the firmware PKI's host identity "slink-host"), endpoints 1..8 slinkd
devices at 7..14 (certificates from the same CA, issued here), then one
endpoint per QEMU firmware device (the example device provisioned with
--bus-device at its own address; its UART0 is the endpoint's pty; 2
images make a bus of 10 devices), and one free endpoint for a rogue.  A
firmware device's application echoes its stream upper-cased, so an echo
must be exactly the upper-cased pattern of its address and phase: a byte
of another device or direction fails at its offset.  Phases:

  1. bring-up: every device running (firmware: its console says "ready"),
     then the master starts; all 10 sessions established at both ends (a
     firmware device: its console says "established").
  2. load and a power cut: every slinkd device moves SLINKD_SIZE bytes each
     way and every firmware device echoes FW_SIZE bytes, all at once;
     while the first firmware device is echoing, its QEMU is SIGKILLed
     (its NV sector saved first, as the flash would keep it) and started
     again from that NV.  Asserted: it boots with the next boot count and
     the master replaces its session; what it echoed before the cut is an
     exact prefix; every other device's flows are complete and byte-exact
     and no other session ended.  Its recovery time is printed, not
     asserted: the restarted device says no_session only in its next turn,
     and with 9 busy devices a round of turns at 115200 is 1.6 to 1.7 s
     (one full frame each way per device, PROTOCOL.md 2.5); the cut comes
     as its echo arrives, right after its turn, so that wait is a whole
     round.  From the no_session on, the 3 probes and msg1 go out of turn
     and msg3 whole right after msg2's turn: 0.1 to 0.2 s (measured
     1.64 to 1.92 s in all on an idle machine, breakdown in
     docs/PERFORMANCE.md, bus; simulated, test_bus
     restarted_small_mtu_device_under_load_waits_one_round_only).
     Then the same cut mid-echo on a quiet bus, where the issue's bound is
     asserted: re-established within 1 s + one handshake of its console
     saying "ready" ("one handshake": the one that re-established it, from
     the master starting it, slinkctl status, until both ends hold the new
     session, the device's console saying "established"; so the bound
     says the restart was noticed within 1 s).  It is judged when the device answered every
     turn the master gave it meanwhile and this harness was never woken
     more than 50 ms late (a device that is up but silent in its turn, or
     processes woken later than the master's 30 ms response slack, mean the
     machine is not keeping real time), and when the device was down under
     0.5 s (the master polls a silent device ever more rarely, up to once a
     second, so after a longer outage the backoff alone can take the 1 s);
     otherwise the figure is printed as not judged.
  3. a rogue at a duplicate address: a slinkd device at the second firmware
     device's address holding the first firmware device's certificate,
     while the other 7 devices move bytes.  Asserted, as docs/PROTOCOL.md
     §8 states: the others' flows complete byte-exact and keep their
     sessions, and no other address is flagged (judged on a machine keeping
     real time, as in phase 2); the master
     flags the address as a suspected duplicate (status
     "duplicate_address_suspected"
     and "dup_suspects", log "possible duplicate address"); the rogue never
     gets a session and the master never holds one with another name at
     that address; once the rogue is stopped the real device keeps its
     session or is re-established within the bound, and echoes FW_SIZE
     bytes byte-exact on the session it had before the rogue (or its new
     one).

Every wait is bounded and waits for a condition.

usage: bus_fw.py BUILD PKI_DIR DIR ADDR:ELF [ADDR:ELF ...]   (2 or more images)
"""
import os
import random
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bus_flows  # noqa: E402
import bus_proc  # noqa: E402
from bus_proc import Bus, Fail, check_exact, established, log  # noqa: E402

SLINKD_ADDRS = [7, 8, 9, 10, 11, 12, 13, 14]
SLINKD_SIZE, SLINKD_SIZE3, FW_SIZE = 6000, 3000, 2000
# the power cut comes once the first firmware device has echoed this much
KILL_AT = 300
NV_ADDR, NV_SIZE = 0x003FF000, 4096     # firmware/board/an385/an385.ld

BUILD, PKI, T = sys.argv[1], sys.argv[2], sys.argv[3]
FW_ADDRS = [int(x.split(":", 1)[0]) for x in sys.argv[4:]]
FW_ELF = dict((int(a), e) for a, e in (x.split(":", 1) for x in sys.argv[4:]))
ROGUE_EP = 1 + len(SLINKD_ADDRS) + len(FW_ADDRS)


def cred(c):
    """host: the firmware PKI's host; a firmware address: its provisioned
    certificate; a slinkd device: issued here."""
    if c == "host":
        return os.path.join(PKI, "host.der"), os.path.join(PKI, "host.key")
    if c in FW_ELF:
        return os.path.join(PKI, "bus-%d.der" % c), os.path.join(PKI, "bus-%d.key" % c)
    return os.path.join(T, "dev-%d.der" % c), os.path.join(T, "dev-%d.key" % c)


bus = Bus(BUILD, T, os.path.join(PKI, "ca.der"), cred, lambda a: "slink-dev-%d" % a, "slink-host")


def issue(addr):
    cert, key = cred(addr)
    subprocess.run([bus.tool("slink-pki"), "issue", "--force", "--ca-cert", os.path.join(PKI, "ca.der"),
                    "--ca-key", os.path.join(PKI, "ca.key"), "--der", "--name", "slink-dev-%d" % addr,
                    "--addr", str(addr), "--out-cert", cert, "--out-key", key],
                   check=True, stdout=subprocess.DEVNULL, timeout=30)


class FwDevice:
    """One QEMU mps2-an385 running a bus-device image: UART0 on its bus
    endpoint, UART1 (the console) in a file per boot, the monitor on a unix
    socket (to save the NV sector, which a real MCU keeps in flash)."""

    def __init__(self, addr, endpoint):
        self.addr, self.endpoint, self.boots = addr, endpoint, 0
        self.key = "fw%d" % addr
        self.mon = bus.path("fw%d-mon.sock" % addr)

    def console(self):
        return bus.path("fw%d-console-%d.log" % (self.addr, self.boots))

    def start(self, nv):
        self.boots += 1
        if os.path.exists(self.mon):
            os.unlink(self.mon)
        bus.spawn(self.key, ["qemu-system-arm", "-M", "mps2-an385", "-display", "none", "-nodefaults",
                             "-kernel", FW_ELF[self.addr], "-serial", os.path.realpath(bus.ep(self.endpoint)),
                             "-serial", "file:" + self.console(),
                             "-monitor", "unix:%s,server=on,wait=off" % self.mon,
                             "-device", "loader,file=%s,addr=0x%X,force-raw=on" % (nv, NV_ADDR)],
                  "fw%d-qemu.log" % self.addr)

    def ready(self):
        """The boot count once the console says "ready", else None."""
        try:
            with open(self.console(), errors="replace") as fh:
                for ln in fh:
                    # a whole line: QEMU may be writing it as we read
                    if ln.startswith("fw: ready ") and ln.endswith("\n"):
                        kv = dict(x.split("=", 1) for x in ln.split()[2:] if "=" in x)
                        return int(kv["boot"])
        except FileNotFoundError:
            pass
        return None

    def established(self):
        """The console says the device holds a session (this boot): the
        responder's side of a handshake completes last, on msg3."""
        try:
            with open(self.console(), errors="replace") as fh:
                return any(ln.startswith("fw: established ") and ln.endswith("\n") for ln in fh)
        except FileNotFoundError:
            return False

    def save_nv(self, out):
        """pmemsave of the NV sector through the monitor; returns once QEMU
        has answered (the file is written)."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect(self.mon)
        buf, end = b"", time.time() + 10

        def prompts(n):
            nonlocal buf
            while buf.count(b"(qemu)") < n and time.time() < end:
                chunk = s.recv(4096)
                if not chunk:
                    break
                buf += chunk
        prompts(1)
        s.sendall(b'pmemsave 0x%X %d "%s"\n' % (NV_ADDR, NV_SIZE, out.encode()))
        prompts(2)
        s.close()
        if not os.path.exists(out) or os.path.getsize(out) != NV_SIZE:
            raise Fail("device %d: NV sector not saved (%r)" % (self.addr, buf[-200:]))


def fw_app(addr):
    """The master's stream application socket for a firmware device.  One
    per session: a stream ends once with its session (the device closes
    its direction when the host closes its own), so the echoes of one
    session share it."""
    s = bus_flows.connect(bus.path("m%d.sock" % addr))
    s.setblocking(True)
    s.settimeout(0.2)
    return s


def new_app(apps, addr):
    """The application of a replaced session reconnects: the master closed
    the old one (or drops it once we close it), then takes a new one."""
    apps[addr].close()
    bus.wait("master's stream slot for %d free" % addr, 10,
             lambda: bus.master_peers()[addr]["apps"]["stream"] is False, 0.05)
    apps[addr] = fw_app(addr)


class FwEcho(threading.Thread):
    """size bytes to a firmware device on an application socket (fw_app);
    the upper-cased echo must come back exactly.  A socket the master
    closes (its session with the device ended) stops the echo with eof
    set."""

    def __init__(self, addr, sock, phase, size, limit=90):
        super().__init__(daemon=True)
        self.addr, self.sock, self.size, self.limit = addr, sock, size, limit
        self.data = random.Random("fw-%s-%d" % (phase, addr)).randbytes(size)
        self.want = bytes(b - 32 if 97 <= b <= 122 else b for b in self.data)
        self.got = bytearray()
        self.done_t = None
        self.eof = False
        self.err = None

    def run(self):
        try:
            s = self.sock
            t0, end = time.time(), time.time() + self.limit

            def send():
                try:
                    s.sendall(self.data)
                except OSError:
                    pass          # the session ended: the reader sees the end
            threading.Thread(target=send, daemon=True).start()
            while len(self.got) < self.size and time.time() < end:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    continue
                except OSError:
                    chunk = b""
                if not chunk:
                    self.eof = True
                    break
                self.got += chunk
                if bytes(self.got) != self.want[:len(self.got)]:
                    k = next(i for i in range(len(self.got)) if self.got[i] != self.want[i])
                    self.err = "wrong byte at offset %d (cross-talk or corruption)" % k
                    return
            if len(self.got) == self.size:
                self.done_t = time.time() - t0
        except Exception as e:  # reported by the main thread
            self.err = repr(e)

    def check(self):
        self.join(timeout=self.limit + 10)
        if self.err or self.is_alive() or self.done_t is None:
            raise Fail("firmware device %d: %s" % (
                self.addr, self.err or ("%d of %d bytes echoed%s" % (len(self.got), self.size,
                                                                       " (closed)" if self.eof else ""))))


class Lag(threading.Thread):
    """How late this machine wakes a process: a 10 ms sleep in a loop, the
    largest overrun seen since the last reset().  The harness runs at the
    daemons' and QEMU's priority, so a large overrun means they too were
    not scheduled in time, and a real-time bound says nothing then."""

    STEP = 0.01

    def __init__(self):
        super().__init__(daemon=True)
        self.worst = 0.0

    def run(self):
        while True:
            t = time.monotonic()
            time.sleep(self.STEP)
            self.worst = max(self.worst, time.monotonic() - t - self.STEP)

    def reset(self):
        self.worst = 0.0


LAG = Lag()
# A power cut this short leaves the master's backoff for the silent device
# (response timeout doubled per silent turn, capped at 1 s) well below the
# 1 s of the bound.
DOWN_MAX = 0.5
# Within the master's response slack (2 gaps + 30 ms, PROTOCOL.md 2.5): a
# machine that wakes processes later than this is not keeping real time.
LAG_MAX = 0.05
# The master's hs_min_interval_ms (slinkd's default): at most one probe of a
# session per interval.
HOST_PROBE_INTERVAL_S = 1.0


def master_log():
    with open(bus.path("master.log"), errors="replace") as fh:
        return fh.read().splitlines()


def hs_started(p):
    return p["handshakes"]["started"] if p else 0


class Restart(threading.Thread):
    """Cuts a firmware device's power once its echo has KILL_AT bytes back
    (its NV sector saved first, as the flash keeps it) and starts it again
    from that NV; measures from its console's "ready" until the master
    holds a new session with it, and when the master started the
    handshake that made it (handshakes.started, slinkctl status)."""

    def __init__(self, dev, echo, sid):
        super().__init__(daemon=True)
        self.dev, self.echo, self.sid = dev, echo, sid
        self.err = None
        self.cut_at = self.boot = self.boot0 = None
        self.t0 = time.time()
        self.t_cut = self.t_back = self.t_hs = self.t_est = None

    def run(self):
        try:
            a = self.dev.addr
            self.boot0 = self.dev.ready()
            bus.wait("device %d echoing" % a, 60, lambda: len(self.echo.got) >= KILL_AT or self.echo.err, 0.005)
            nv = bus.path("fw%d-nv-%d.bin" % (a, self.dev.boots))
            self.dev.save_nv(nv)
            hs0 = hs_started(bus.master_peers().get(a))
            bus.stop(self.dev.key)                    # SIGKILL: the power cut
            self.t_cut = time.time()
            self.cut_at = len(self.echo.got)
            self.dev.start(nv)
            self.boot = bus.wait("device %d ready again" % a, 30, self.dev.ready, 0.005)
            self.t_back = time.time()
            LAG.reset()
            self.bus0 = dict(bus.master_peers()[a]["bus"])

            # The console is read every 10 ms, the master's status (a
            # slinkctl process each time) every 50 ms until the new
            # handshake shows, then once the device says established.
            last = [0.0]

            def up():
                dev_up = self.dev.established()
                if not dev_up and self.t_hs is not None:
                    return False
                if not dev_up and time.time() - last[0] < 0.05:
                    return False
                last[0] = time.time()
                p = bus.master_peers().get(a)
                if self.t_hs is None and hs_started(p) > hs0:
                    self.t_hs = time.time()
                return dev_up and established(p) and p["session_id"] != self.sid
            bus.wait("device %d re-established at both ends" % a, 60, up, 0.01)
            self.t_est = time.time()
            self.lag = LAG.worst
            self.bus1 = dict(bus.master_peers()[a]["bus"])
            if self.t_hs is None:           # started and done between two looks
                self.t_hs = self.t_est
        except Exception as e:  # reported by the main thread
            self.err = "%s: %s" % (type(e).__name__, e)

    def check(self):
        """Joins; the echo cut off must have been mid-transfer and an exact
        prefix, and the device must have come back with the next boot count."""
        a = self.dev.addr
        self.join(timeout=90)
        if self.err or self.is_alive():
            raise Fail("power cut of device %d: %s" % (a, self.err or "still running"))
        self.echo.join(timeout=30)
        if self.echo.err or self.echo.is_alive():
            raise Fail("device %d's echo across its power cut: %s" % (a, self.echo.err or "still running"))
        if not 0 < self.cut_at < FW_SIZE:
            raise Fail("device %d's power was cut at %d of %d echoed bytes: not mid-transfer"
                       % (a, self.cut_at, FW_SIZE))
        if self.boot != self.boot0 + 1:
            raise Fail("device %d came back with boot count %s after %s (NV sector not kept)"
                       % (a, self.boot, self.boot0))
        self.rec = self.t_est - self.t_back
        self.one_hs = self.t_est - self.t_hs

    def summary(self):
        return ("device %d (QEMU SIGKILLed after %d of %d echoed bytes, an exact prefix; %d echoed in all) came "
                "back %.2f s later with boot count %d -> %d and was re-established %.3f s after its console said ready: the "
                "master started the new handshake after %.3f s, which took %.3f s (bound 1 s + one handshake = "
                "%.3f s); meanwhile the master gave it %d turns, %d silent, %d garbled"
                % (self.dev.addr, self.cut_at, FW_SIZE, len(self.echo.got), self.t_back - self.t_cut,
                   self.boot0, self.boot,
                   self.rec, self.t_hs - self.t_back, self.one_hs, 1.0 + self.one_hs,
                   *(self.bus1[k] - self.bus0[k] for k in ("turns", "silent", "garbled_turns"))))


def main():
    n_fw = len(FW_ADDRS)
    if n_fw < 2:
        raise Fail("needs 2 firmware images (one is cut off, one has a rogue at its address)")
    addrs = SLINKD_ADDRS + FW_ADDRS
    LAG.start()
    bus.start_linesim(1 + len(addrs) + 1)
    for a in SLINKD_ADDRS:
        issue(a)
    for i, a in enumerate(SLINKD_ADDRS):
        bus.start_device(a, 1 + i)
    fw = {a: FwDevice(a, 1 + len(SLINKD_ADDRS) + i) for i, a in enumerate(FW_ADDRS)}
    for d in fw.values():
        d.start(os.path.join(PKI, "bus-%d.nv" % d.addr))

    # 1. bring-up
    bus.wait("devices ready", 30, lambda: all(d.ready() for d in fw.values()) and
             all(bus.dev_state(a) is not None for a in SLINKD_ADDRS), 0.05)
    t0 = time.time()
    bus.start_master(addrs)
    peers = bus.wait_master_established(addrs, 40)
    log("bring-up: %d slinkd and %d firmware devices (%d in all) established %.2f s after the master started"
        % (len(SLINKD_ADDRS), n_fw, len(addrs), time.time() - t0))
    bus.wait("every device established at its end", 20,
             lambda: all(established(bus.dev_state(a)) for a in SLINKD_ADDRS) and
             all(d.established() for d in fw.values()), 0.05)
    peers = bus.master_peers()
    sid = {a: peers[a]["session_id"] for a in addrs}

    # 2. load, and a power cut of the first firmware device mid-echo
    cut, rest = FW_ADDRS[0], FW_ADDRS[1:]
    devs = [bus.sockets(a) for a in SLINKD_ADDRS]
    apps = {a: fw_app(a) for a in FW_ADDRS}
    echoes = {a: FwEcho(a, apps[a], "p2", FW_SIZE) for a in FW_ADDRS}
    restart = Restart(fw[cut], echoes[cut], sid[cut])
    for e in echoes.values():
        e.start()
    restart.start()
    el, flows = bus_flows.run("p2", devs, SLINKD_SIZE, 120)
    restart.check()
    check_exact(flows, SLINKD_SIZE)
    for a in rest:
        echoes[a].check()
    total = 2 * SLINKD_SIZE * len(devs) + 2 * FW_SIZE * len(rest)
    log("load: %d slinkd devices x %d bytes each way in %.2f s; firmware echoes of %d bytes: %s; "
        "%d bytes moved, byte-exact, no cross-talk"
        % (len(devs), SLINKD_SIZE, el, FW_SIZE,
           ", ".join("%d in %.2f s" % (a, echoes[a].done_t) for a in rest), total))
    changed = bus.sessions_changed(sid, [a for a in addrs if a != cut])
    if changed:
        raise Fail("sessions of %s ended while device %d was cut off" % (changed, cut))
    pending = sum(1 for f in flows if f.done_t is None or f.done_t > restart.t_est - restart.t0)
    log("power cut under load: %s; %d of the %d slinkd flows were still running then"
        % (restart.summary(), pending, len(flows)))
    log("  every other device: sessions kept, flows complete and byte-exact")
    # A round of 9 busy devices at 115200 is 1.6 to 1.7 s (one full frame
    # each way per device, §2.5), and the device's first no_session waits
    # for its next turn, a whole round after the cut (which comes right
    # after its turn); the probes, msg1 and all of msg3 then follow back to
    # back.  Under real-time load the figure is printed (simulated-time
    # bounds under load: test_bus's restarted_device_under_load_is_reestablished
    # and restarted_small_mtu_device_under_load_waits_one_round_only); the
    # issue's bound is asserted on a quiet bus below; here the device must
    # only come back.
    sid[cut] = bus.master_peers()[cut]["session_id"]

    # the same cut on a quiet bus, mid-echo: the issue's bound.  Not within
    # the master's probe interval (hs_min_interval_ms, 1 s on the host) of
    # the probes that found the first cut: a no_session hint inside it is
    # ignored by design (what forged hints buy is one probe round per
    # interval, PROTOCOL.md 4.9), and the firmware hints again only after its
    # own 4 s interval, so a second restart that soon is found 4 s later.
    # The bound is about one restart; wait out the interval first.
    while time.time() < restart.t_est + HOST_PROBE_INTERVAL_S + 0.2:
        time.sleep(0.05)
    new_app(apps, cut)
    echo = FwEcho(cut, apps[cut], "p2b", FW_SIZE)
    restart = Restart(fw[cut], echo, sid[cut])
    echo.start()
    restart.start()
    restart.check()
    log("power cut on a quiet bus: %s" % restart.summary())
    silent = restart.bus1["silent"] - restart.bus0["silent"]
    down = restart.t_back - restart.t_cut
    if down > DOWN_MAX:
        # The master polls a silent device ever more rarely, up to once a
        # second (PROTOCOL.md 2.5, silent devices): after a longer outage
        # that backoff alone can take the bound's 1 s.
        log("  bound not judged: the device was down %.2f s (QEMU restarted slowly), so the master's "
            "backoff for a silent device may have reached its 1 s cap" % down)
    elif silent == 0 and restart.lag <= LAG_MAX:
        if restart.rec > 1.0 + restart.one_hs:
            raise Fail("device %d re-established %.3f s after it came back (> 1 s + %.3f s)"
                       % (cut, restart.rec, restart.one_hs))
        log("  within the bound")
    else:
        # A device that is up but misses the master's response window
        # (2 gaps + 30 ms) was not scheduled in time: the machine did not
        # keep real time, so a real-time bound says nothing here.
        log("  bound not judged: the machine did not keep real time (the device, up, missed %d of its turns; "
            "processes woke up to %.0f ms late)" % (silent, 1000 * restart.lag))
    one_hs = restart.one_hs
    changed = bus.sessions_changed(sid, [a for a in addrs if a != cut])
    if changed:
        raise Fail("sessions of %s ended while device %d was cut off" % (changed, cut))
    sid[cut] = bus.master_peers()[cut]["session_id"]

    # 3. a rogue at the second firmware device's address, holding the
    # first's certificate, while the 7 others move bytes
    dup = rest[0]
    others = [a for a in addrs if a != dup]
    st = bus.status("master")
    dup0 = st["link"]["dup_suspects"]
    p0 = {p["addr"]: p for p in st["peers"]}
    log0 = len(master_log())
    bus.start_device(dup, ROGUE_EP, name="rogue", cred=cut)
    bus.wait("rogue's control socket", 10, lambda: bus.dev_state("rogue") is not None, 0.02)
    t_rogue = time.time()
    LAG.reset()
    seen = {"t": None, "rogue_up": False}

    def look(_t=0):
        st = bus.status("master")
        r = bus.dev_state("rogue")
        if established(r):
            seen["rogue_up"] = True
        if seen["t"] is None and st and st["link"]["dup_suspects"] > dup0 and \
                any(p["addr"] == dup and p["bus"]["duplicate_address_suspected"] for p in st["peers"]):
            seen["t"] = time.time() - t_rogue
        return seen["t"] is not None
    new_app(apps, cut)
    echo = FwEcho(cut, apps[cut], "p3", FW_SIZE)
    echo.start()
    el3, flows = bus_flows.run("p3", devs, SLINKD_SIZE3, 90, look)
    check_exact(flows, SLINKD_SIZE3)
    echo.check()
    bus.wait("address %d flagged as a suspected duplicate" % dup, 60, look, 0.05)
    st = bus.status("master")
    peers = {p["addr"]: p for p in st["peers"]}
    flagged = [a for a in others if peers[a]["bus"]["duplicate_address_suspected"]]
    lag = LAG.worst
    bus.stop("rogue")
    t_stop = time.time()
    log("rogue at %d (certificate of slink-dev-%d) beside the 7 others: %d slinkd devices x %d bytes each way "
        "in %.2f s, device %d echoed %d bytes on its new session in %.2f s, byte-exact; flagged as a suspected "
        "duplicate %.2f s after the rogue started" % (dup, cut, len(devs), SLINKD_SIZE3, el3, cut, FW_SIZE,
                                                      echo.done_t, seen["t"]))
    changed = bus.sessions_changed(sid, others)
    if changed:
        raise Fail("sessions of %s ended while a rogue was at %d" % (changed, dup))
    if seen["rogue_up"] or established(bus.dev_state("rogue") if "rogue" in bus.procs else None):
        raise Fail("the rogue at %d got a session" % dup)
    d = peers[dup]
    silent = sum(peers[a]["bus"]["silent"] - p0[a]["bus"]["silent"] for a in others)
    log("  address %d: %d garbled turns, %d TURN_END out of turn, handshakes refused %d (+%d); the others: "
        "garbled turns +%d, silent turns +%d" % (
            dup, d["bus"]["garbled_turns"], d["bus"]["stray_turn_ends"], d["handshakes"]["refused"],
            d["handshakes"]["refused"] - p0[dup]["handshakes"]["refused"],
            sum(peers[a]["bus"]["garbled_turns"] - p0[a]["bus"]["garbled_turns"] for a in others), silent))
    mlog = master_log()[log0:]
    warn = [ln for ln in mlog if "possible duplicate address" in ln and "peer %d:" % dup in ln]
    if not warn:
        raise Fail("no duplicate-address warning for %d in the master's log" % dup)
    log("  master log: %s" % warn[0].strip())
    stray = [ln for ln in mlog if "possible duplicate address" in ln and "peer %d:" % dup not in ln]
    if silent == 0 and lag <= LAG_MAX:
        if flagged:
            raise Fail("addresses %s flagged as duplicates too" % flagged)
        if stray:
            raise Fail("another address was flagged as a duplicate: %s" % stray[0])
        log("  no other address flagged")
    else:
        # Live devices silent in their turns: the machine did not keep real
        # time, and late answers collide with the next turn like a second
        # node at that address would (noise raises the flag too, §2.5).
        log("  other addresses not judged: the machine did not keep real time (live devices missed %d turns; "
            "processes woke up to %.0f ms late); flagged meanwhile: %s"
            % (silent, 1000 * lag, sorted(set(flagged) | {int(ln.split(" peer ")[1].split(":")[0])
                                                          for ln in stray}) or "none"))
    wrong = [ln for ln in mlog if "peer %d: session" % dup in ln and " up, peer " in ln and
             "'slink-dev-%d'" % dup not in ln]
    if wrong:
        raise Fail("the master took a session at %d with another name: %s" % (dup, wrong[0]))

    # the real device serves again: kept its session or re-established
    p = bus.master_peers()[dup]
    if p["session_id"] == sid[dup] and established(p):
        log("  device %d kept its session" % dup)
    else:
        bus.wait("device %d re-established after the rogue stopped" % dup, 10,
                 lambda: established(bus.master_peers()[dup]), 0.01)
        rec9 = time.time() - t_stop
        log("  device %d's session was replaced; re-established %.3f s after the rogue stopped" % (dup, rec9))
        if rec9 > 1.0 + one_hs:
            raise Fail("device %d re-established %.3f s after the rogue stopped (> %.3f s)" % (dup, rec9, 1 + one_hs))
        new_app(apps, dup)
    echo = FwEcho(dup, apps[dup], "p4", FW_SIZE)
    echo.start()
    echo.check()
    log("  after the rogue: device %d echoed %d bytes byte-exact in %.2f s" % (dup, FW_SIZE, echo.done_t))

    for dv in devs:
        dv.close()
    for s in apps.values():
        s.close()
    st = bus.status("master")
    log("master: turns %d, turn timeouts %d, garbled frames %d, dup suspects %d"
        % (st["link"]["turns_granted"], st["link"]["turn_timeouts"], st["link"]["garbled_frames"],
           st["link"]["dup_suspects"]))
    bj = bus.stop_linesim()
    log("bus: %d collisions in all (restart, rogue)" % bj["collisions"])
    log("OK")


if __name__ == "__main__":
    bus_proc.run(bus, main)
