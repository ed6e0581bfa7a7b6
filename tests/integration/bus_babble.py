#!/usr/bin/env python3
"""A babbling node on the RS485 bus (issue 14), driven by
slinkd_t_bus_babble.sh.

slink-linesim --bus 6 at 115200: endpoint 0 is the slinkd bus master
(address 1), endpoints 1..4 slinkd devices at 7..10, endpoint 5 a node that
sends bursts of random bytes whenever it likes (babble=BABBLE of the line in
bursts of BABBLE_LEN bytes), colliding with
whatever is on the bus.  The 4 devices move SIZE bytes each way at once:

  - every flow byte-exact (a damaged frame fails its CRC and is sent again);
  - no session ends (the session ids are unchanged);
  - the others keep their share: every device's rate >= MIN_SHARE of the mean
    device rate (relative, so a loaded machine does not decide it); the
    aggregate goodput is printed;
  - the damage shows in the counters: the bus's collisions and babble bytes
    (slink-linesim --json) and the master's garbled frames (slinkctl status).

usage: bus_babble.py BUILD DIR   (DIR holds ca.crt, host.*, dev-7.* .. dev-10.*)
"""
import json
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bus_flows  # noqa: E402
import bus_trial as bt  # noqa: E402  (helpers: processes, status, waits)

ADDRS = [7, 8, 9, 10]
BABBLER_EP = 5
# 0.5 % of the line in 32-byte bursts: about 1.8 bursts a second, each
# destroying the frame it overlaps.  (At 1 % goodput fell to 0.32 and at 2 %
# to 0.11 with shares down to 0.48: frame-size adaptation to that loss is
# the noisy-line work of issue 14, not the schedule's.)
BABBLE, BABBLE_LEN = float(os.environ.get("BUS_BABBLE", "0.005")), 32
SIZE = 8000
MIN_SHARE = 0.5


def main():
    T = bt.T
    bt.ADDRS = ADDRS            # write_master_conf() configures these peers
    bt.spawn("linesim", [os.path.join(bt.BUILD, "slink-linesim"), "--bus", "6", "--baud", str(bt.BAUD),
                         "--link-prefix", os.path.join(T, "bus"), "--json", os.path.join(T, "bus.json"),
                         "--node", "%d:babble=%g,babble-len=%d" % (BABBLER_EP, BABBLE, BABBLE_LEN),
                         "--quiet"], "linesim.log")
    bt.wait("bus endpoints", 10, lambda: all(os.path.exists(bt.ep(i)) for i in range(6)))
    for i, a in enumerate(ADDRS):
        bt.start_device(a, i + 1)
    bt.wait("device control sockets", 20, lambda: all(bt.dev_state(a) is not None for a in ADDRS), 0.1)
    bt.spawn("master", [os.path.join(bt.BUILD, "slinkd")] + bt.ROOT +
             ["--foreground", "--config", bt.write_master_conf()], "master.log")
    peers = bt.wait("all 4 sessions established despite the babbler", 60,
                    lambda: (lambda p: p if len(p) == 4 and all(bt.established(p[a]) for a in ADDRS) else None)(
                        bt.master_peers()))
    bt.wait("every device established", 20, lambda: all(bt.established(bt.dev_state(a)) for a in ADDRS), 0.05)
    sid = {a: peers[a]["session_id"] for a in ADDRS}
    garbled0 = bt.status("master")["link"]["garbled_frames"]

    devs = [bus_flows.Device(a, os.path.join(T, "m%d.sock" % a), os.path.join(T, "dev%d.sock" % a))
            for a in ADDRS]
    el, flows = bus_flows.run("babble", devs, SIZE, 120)
    bt.check_exact(flows, SIZE)
    good, share = bt.report_flows("babbler on the bus, 4 devices x %d bytes each way" % SIZE, el, flows)
    st = bt.status("master")
    peers = {p["addr"]: p for p in st["peers"]}
    changed = [a for a in ADDRS if peers[a]["session_id"] != sid[a] or not bt.established(peers[a])]
    if changed:
        raise bt.Fail("sessions of %s ended with a babbler on the bus" % changed)
    if share < MIN_SHARE:
        raise bt.Fail("a device got %.2f of the mean rate (bound %.2f)" % (share, MIN_SHARE))
    garbled = st["link"]["garbled_frames"] - garbled0
    retx = sum(peers[a]["retransmissions"]["stream"] for a in ADDRS)
    gturns = sum(peers[a]["bus"]["garbled_turns"] for a in ADDRS)
    for dv in devs:
        dv.close()
    bt.stop("linesim", signal.SIGTERM)
    bj = json.load(open(os.path.join(T, "bus.json")))
    babbled = bj["nodes"][BABBLER_EP]["babble_bytes"] if "nodes" in bj else None
    bt.log("  sessions ended: 0; master: %d garbled frames during the transfer, %d garbled turns, "
           "%d stream retransmissions; bus: %d collisions, babble bytes %s"
           % (garbled, gturns, retx, bj["collisions"], babbled))
    if bj["collisions"] == 0 or (babbled is not None and babbled == 0):
        raise bt.Fail("the babbler never reached the bus: the test would prove nothing")
    if st["link"]["garbled_frames"] == 0:
        raise bt.Fail("the master counted no garbled frames with a babbler on the bus")
    bt.log("OK")


if __name__ == "__main__":
    try:
        main()
        rc = 0
    except bt.Fail as e:
        print("FAIL: %s" % e, flush=True)
        rc = 1
    finally:
        bt.cleanup()
    sys.exit(rc)
