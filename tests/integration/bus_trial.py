#!/usr/bin/env python3
"""RS485 bus with real processes (issue 14), driven by slinkd_t_bus.sh.

slink-linesim --bus 10 at 115200 baud: endpoint 0 is one slinkd bus master
(address 1, config file with 8 peers), endpoints 1..8 are slinkd devices at
addresses 7..14 (bus-role device), endpoint 9 is free for a rogue.  Phases:

  1. bring-up: all devices running, then the master starts; time until the
     master shows every peer established (printed, and at the end compared
     with the airtime of those handshakes as the bus capture shows them)
  2. 8 devices, SIZE1 bytes each way each, all at once: byte-exact with a
     pattern unique to each device and direction (no cross-talk), no
     session ended, no device starved (each device's rate >= 0.3 of the mean
     rate); aggregate goodput and each flow's bytes when the first flow
     completed are printed (wall-clock goodput of 10 processes depends on
     how busy the machine is, so the performance targets are asserted by
     the simulated-time bench, bench_bus, not here)
  3. device 7's daemon SIGKILLed and restarted: time from the restarted
     daemon answering its control socket until both ends are established
     again, <= 1 s + one handshake's airtime
  4. device 8's daemon SIGKILLed for good (a dead device): the other 7 move
     SIZE3 each way byte-exact and keep their sessions (goodput printed);
     the master counts the dead one's silent turns and backs off
  5. a rogue daemon at address 9 holding device 10's certificate, during a
     transfer of the 7 (goodput of the 6 others printed): the master flags address 9 as a suspected duplicate
     (status and log); once the rogue is stopped device 9 keeps its session
     or is re-established within the bound, what it received is an exact
     prefix, and a new transfer on it is byte-exact

A device's turn and the master's slot are byte budgets (PROTOCOL.md 2.5:
one full-MTU frame each way per busy device at 115200), so flows of a few
KB interleave; the per-flow "bytes at the first completion" figure shows
how evenly and is printed, not asserted.

usage: bus_trial.py BUILD DIR   (DIR holds ca.crt, host.*, dev-7.* .. dev-14.*)
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bus_flows  # noqa: E402
import bus_proc  # noqa: E402
from bus_proc import Bus, Fail, check_exact, established, flow_addr, log  # noqa: E402

ADDRS = list(range(7, 15))              # devices on endpoints 1..8
ROGUE_EP = 9
SIZE1, SIZE3, SIZE5 = 12000, 4000, 3000

BUILD, T = sys.argv[1], sys.argv[2]
# PKI from slinkd_lib.sh's mint: T/<label>.crt and .key, named by label
bus = Bus(BUILD, T, os.path.join(T, "ca.crt"),
          lambda c: tuple(os.path.join(T, "%s.%s" % (c if isinstance(c, str) else "dev-%d" % c, x))
                          for x in ("crt", "key")),
          lambda a: "dev-%d" % a, "host")
LINE = bus.line


def report_flows(title, el, flows):
    return bus_proc.report_flows(title, el, flows, LINE)


def bringup_hs_bytes():
    """Wire bytes of the bring-up handshakes, from the bus capture (a passive
    tap, decoded by slink-dump): per device, every handshake frame between
    it and the master up to the end of the first message 3."""
    r = subprocess.run([os.path.join(BUILD, "slink-dump"), "--json", os.path.join(T, "bus.cap")],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=60)
    total, closed = 0, set()
    for ln in r.stdout.decode(errors="replace").splitlines():
        try:
            fr = json.loads(ln)
        except ValueError:
            continue
        t = str(fr.get("type", ""))
        if not t.startswith("HS") or "drop" in fr:
            continue
        dev = fr["dst"] if fr["src"] == 1 else fr["src"]
        if dev not in ADDRS or dev in closed:
            continue
        total += fr["wire"]
        if t.startswith("HS3") and (t == "HS3" or fr.get("complete") in ("yes", True)):
            closed.add(dev)
    return total, len(closed)


def main():
    bus.start_linesim(10, ["--capture", os.path.join(T, "bus.cap")])

    # 1. bring-up
    for i, a in enumerate(ADDRS):
        bus.start_device(a, i + 1)
    bus.wait("device control sockets", 20, lambda: all(bus.dev_state(a) is not None for a in ADDRS), 0.1)
    t0 = time.time()
    bus.start_master(ADDRS)
    peers = bus.wait_master_established(ADDRS, 30)
    bring = time.time() - t0
    log("bring-up: 8 devices established %.2f s after the master started" % bring)
    bus.wait("every device established", 10, lambda: all(established(bus.dev_state(a)) for a in ADDRS), 0.05)
    sid = {a: peers[a]["session_id"] for a in ADDRS}
    # one handshake (~900 bytes at 115200); the exact figure is taken from
    # the capture at the end, this only sets the bound below
    one_hs_s = 1000 / LINE

    # 2. 8 devices at once
    devs = {a: bus.sockets(a) for a in ADDRS}
    el, flows = bus_flows.run("p1", list(devs.values()), SIZE1, 60)
    check_exact(flows, SIZE1)
    good, share = report_flows("8 devices x %d bytes each way" % SIZE1, el, flows)
    peers = bus.master_peers()
    changed = [a for a in ADDRS if peers[a]["session_id"] != sid[a] or not established(peers[a])]
    if changed:
        raise Fail("sessions of %s ended during the transfer" % changed)
    retx = sum(peers[a]["retransmissions"]["stream"] for a in ADDRS)
    log("  sessions ended: 0; master stream retransmissions: %d; collisions on the bus so far: see bus.json" % retx)
    if share < 0.3:
        raise Fail("a device got %.2f of the mean rate: starved (line %.3f)" % (share, good))

    # 3. device 7 killed and restarted
    a7 = ADDRS[0]
    bus.stop("dev%d" % a7)
    devs[a7].close()
    bus.start_device(a7, 1)
    bus.wait("restarted device's control socket", 10, lambda: bus.dev_state(a7) is not None, 0.005)
    t_ready = time.time()
    bus.wait("device %d re-established" % a7, 20,
         lambda: (lambda p, d: established(p) and p["session_id"] != sid[a7] and established(d))(
             bus.master_peers().get(a7), bus.dev_state(a7)), 0.01)
    rec = time.time() - t_ready
    bound = 1.0 + one_hs_s
    log("restart: device %d re-established %.3f s after its daemon came up (bound 1 s + one handshake = %.3f s)"
        % (a7, rec, bound))
    if rec > bound:
        raise Fail("restarted device re-established after %.3f s (> %.3f s)" % (rec, bound))
    sid[a7] = bus.master_peers()[a7]["session_id"]
    # the master's application of the replaced session is closed; reconnect
    bus.wait("master's stream slot for %d free" % a7, 10,
         lambda: bus.master_peers()[a7]["apps"]["stream"] is False, 0.05)
    devs[a7] = bus.sockets(a7)

    # 4. device 8 dies for good; the other 7 keep their share
    a8 = ADDRS[1]
    bus.stop("dev%d" % a8)
    devs.pop(a8).close()
    live = [a for a in ADDRS if a != a8]
    turns0 = bus.master_peers()[a8]["bus"]["turns"]
    el, flows = bus_flows.run("p3", [devs[a] for a in live], SIZE3, 60)
    check_exact(flows, SIZE3)
    good3, share3 = report_flows("dead device %d, 7 devices x %d bytes each way" % (a8, SIZE3), el, flows)
    peers = bus.master_peers()
    ps8 = peers[a8]["bus"]
    log("  dead device %d: polled %d times in %.1f s (%d silent turns in all)" %
        (a8, ps8["turns"] - turns0, el, ps8["silent"]))
    changed = [a for a in live if peers[a]["session_id"] != sid[a]]
    if changed:
        raise Fail("sessions of %s ended while device %d was dead" % (changed, a8))
    # What the dead device must not take is the others' line time.
    if good3 <= 0.0:
        raise Fail("with a dead device the others moved nothing")
    if ps8["silent"] == 0:
        raise Fail("the master never noticed the dead device's silence")

    # 5. a rogue at address 9 with device 10's certificate
    a9 = ADDRS[2]
    sid9 = peers[a9]["session_id"]
    dup0 = bus.status("master")["link"]["dup_suspects"]
    bus.start_device(a9, ROGUE_EP, name="rogue", cred=ADDRS[3])
    seen = {"flag": False, "t": None}
    t_rogue = time.time()

    def tick(t):
        if seen["flag"]:
            return
        st = bus.status("master")
        if st and (st["link"]["dup_suspects"] > dup0 or
                   any(p["addr"] == a9 and p["bus"]["duplicate_address_suspected"] for p in st["peers"])):
            seen["flag"], seen["t"] = True, time.time() - t_rogue
            bus.stop("rogue")
    el, flows = bus_flows.run("p5", [devs[a] for a in live], SIZE5, 60, tick)
    others = [f for f in flows if flow_addr(f) != a9]
    mine = [f for f in flows if flow_addr(f) == a9]
    check_exact(others, SIZE5)
    for f in mine:
        if f.bad_at is not None:
            raise Fail("device %d flow %s: wrong byte at %d" % (a9, f.name, f.bad_at))
    # the others' line time: until the last of their flows completed
    # (device 9's may wait for the rogue to be stopped)
    el_others = max(f.done_t for f in others)
    good5, share5 = report_flows("rogue at %d present, the 6 other devices x %d bytes each way" % (a9, SIZE5),
                                 el_others, others)
    # 6 of the 7 busy devices: 6/7 of 0.6 of the line
    if good5 <= 0.0:
        raise Fail("with the rogue the other devices moved nothing")
    # the rogue answers only the polls of address 9: the flag may come after
    # the transfer, from idle polls
    if not seen["flag"]:
        try:
            bus.wait("address %d flagged as a suspected duplicate" % a9, 30, lambda: tick(0) or seen["flag"], 0.05)
        finally:
            bus.stop("rogue")
    t_stop = time.time()
    log("rogue at %d (certificate of dev-%d): flagged as a suspected duplicate %.2f s after it started; stopped"
        % (a9, ADDRS[3], seen["t"]))
    p9 = bus.master_peers()[a9]
    if p9["session_id"] == sid9 and established(p9):
        log("  device %d kept its session %s" % (a9, sid9))
    else:
        bus.wait("device %d re-established after the rogue stopped" % a9, 10,
             lambda: established(bus.master_peers()[a9]) and established(bus.dev_state(a9)), 0.01)
        rec9 = time.time() - t_stop
        log("  device %d's session was replaced; re-established %.3f s after the rogue stopped" % (a9, rec9))
        if rec9 > bound:
            raise Fail("device %d re-established %.3f s after the rogue stopped (> %.3f s)" % (a9, rec9, bound))
    if any(f.got != SIZE5 for f in mine):
        # its session was replaced mid-transfer: what arrived is an exact
        # prefix (checked above); the application reconnects
        log("  device %d: its session ended mid-transfer (%s); reconnecting" %
            (a9, ", ".join("%s %d" % (f.name, f.got) for f in mine)))
        devs[a9].close()
        bus.wait("stream slots of %d free" % a9, 10, lambda: bus.master_peers()[a9]["apps"]["stream"] is False and
             bus.dev_state(a9)["apps"]["stream"] is False, 0.05)
        devs[a9] = bus.sockets(a9)
    el, flows = bus_flows.run("p6", [devs[a9]], 2000, 30)
    check_exact(flows, 2000)
    log("  after the rogue: device %d moved 2000 bytes each way byte-exact in %.2f s" % (a9, el))
    logtxt = open(os.path.join(T, "master.log"), errors="replace").read()
    if "possible duplicate address" not in logtxt:
        raise Fail("no duplicate-address warning in the master's log")
    log("  master log: %s" % next(ln for ln in logtxt.splitlines() if "possible duplicate address" in ln).strip())

    # the bus itself
    bj = bus.stop_linesim()
    log("bus: %d collisions in all (bring-up, restart, rogue)" % bj["collisions"])
    hs_b, n = bringup_hs_bytes()
    if n != len(ADDRS):
        raise Fail("the capture shows %d of %d bring-up handshakes" % (n, len(ADDRS)))
    log("bring-up: %d handshakes, %d bytes on the wire, %.3f s of airtime; all established %.2f s after the "
        "master started: %.2f x the airtime (the master daemon's start-up included)"
        % (n, hs_b, hs_b / LINE, bring, bring / (hs_b / LINE)))
    for dv in devs.values():
        dv.close()
    log("OK")


if __name__ == "__main__":
    bus_proc.run(bus, main)
