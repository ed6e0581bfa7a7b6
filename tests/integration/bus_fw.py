#!/usr/bin/env python3
"""Firmware devices and slinkd devices on one RS485 bus (issue 14), driven
by fw_bus.sh.

slink-linesim --bus at 115200: endpoint 0 the slinkd bus master (address
1, the firmware PKI's host identity "slink-host"), endpoints 1..4 slinkd
devices at 7..10 (certificates from the same CA, issued here), then one
endpoint per QEMU firmware device (the example device provisioned with
--bus-device at its own address; its UART0 is the endpoint's pty).  Then,
all at once:

  - every slinkd device moves SLINKD_SIZE bytes each way (a pattern per
    address and direction, bus_flows.py);
  - every firmware device gets FW_SIZE bytes on its stream and echoes them
    upper-cased (the example application): the echo must be exactly the
    upper-cased pattern of that address, so a byte of another device or
    direction fails at its offset;

and no session of any device ends (session ids unchanged).  Every wait is
bounded and waits for a condition.

usage: bus_fw.py BUILD PKI_DIR DIR ADDR:ELF [ADDR:ELF ...]
"""
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bus_flows  # noqa: E402

BAUD = 115200
SLINKD_ADDRS = [7, 8, 9, 10]
SLINKD_SIZE, FW_SIZE = 6000, 2000
NV_ADDR = "0x003FF000"

BUILD, PKI, T = sys.argv[1], sys.argv[2], sys.argv[3]
FW = [(int(a), e) for a, e in (x.split(":", 1) for x in sys.argv[4:])]
ROOT = ["--allow-root"] if os.getuid() == 0 else []
procs = {}


class Fail(Exception):
    pass


def log(msg):
    print(msg, flush=True)


def spawn(key, cmd, logname):
    fh = open(os.path.join(T, logname), "ab")
    procs[key] = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
    fh.close()


def cleanup():
    for p in procs.values():
        if p.poll() is None:
            p.terminate()
    end = time.time() + 5
    for p in procs.values():
        try:
            p.wait(timeout=max(0.1, end - time.time()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def wait(what, limit, cond, step=0.05):
    end = time.time() + limit
    while time.time() < end:
        v = cond()
        if v:
            return v
        for k, p in procs.items():
            if p.poll() is not None:
                raise Fail("%s: %s exited (status %s) while waiting" % (what, k, p.returncode))
        time.sleep(step)
    raise Fail("%s: not within %d s" % (what, limit))


def ep(i):
    return os.path.join(T, "bus%d" % i)


def status(name):
    r = subprocess.run([os.path.join(BUILD, "slinkctl"), "--ctl", os.path.join(T, name + ".ctl"), "status",
                        "--json"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=10)
    try:
        return json.loads(r.stdout) if r.returncode == 0 else None
    except ValueError:
        return None


def master_peers():
    st = status("master")
    return {p["addr"]: p for p in st["peers"]} if st else {}


def established(p):
    return p is not None and p["state"] == "established"


def issue(addr):
    subprocess.run([os.path.join(BUILD, "slink-pki"), "issue", "--ca-cert", os.path.join(PKI, "ca.der"),
                    "--ca-key", os.path.join(PKI, "ca.key"), "--der", "--name", "slink-dev-%d" % addr,
                    "--addr", str(addr), "--out-cert", os.path.join(T, "dev-%d.der" % addr),
                    "--out-key", os.path.join(T, "dev-%d.key" % addr)],
                   check=True, stdout=subprocess.DEVNULL, timeout=30)


def start_slinkd_device(addr, endpoint):
    spawn("dev%d" % addr, [os.path.join(BUILD, "slinkd")] + ROOT +
          ["--foreground", "--device", ep(endpoint), "--baud", str(BAUD), "--addr", str(addr),
           "--ca", os.path.join(PKI, "ca.der"), "--cert", os.path.join(T, "dev-%d.der" % addr),
           "--key", os.path.join(T, "dev-%d.key" % addr), "--peer", "1", "--peer-name", "slink-host",
           "--socket", os.path.join(T, "dev%d.sock" % addr), "--ctl", os.path.join(T, "dev%d.ctl" % addr),
           "--mode", "half-duplex", "--bus-role", "device", "--role", "responder"], "dev%d.log" % addr)


def start_fw_device(addr, elf, endpoint):
    pty = os.path.realpath(ep(endpoint))
    spawn("fw%d" % addr, ["qemu-system-arm", "-M", "mps2-an385", "-display", "none", "-nodefaults",
                          "-kernel", elf, "-serial", pty,
                          "-serial", "file:" + os.path.join(T, "fw%d-console.log" % addr),
                          "-device", "loader,file=%s,addr=%s,force-raw=on" %
                          (os.path.join(PKI, "bus-%d.nv" % addr), NV_ADDR)], "fw%d-qemu.log" % addr)


def write_master_conf():
    lines = ["[link]", "device = " + ep(0), "baud = %d" % BAUD, "addr = 1", "mode = half-duplex",
             "bus-role = master", "ca = " + os.path.join(PKI, "ca.der"), "cert = " + os.path.join(PKI, "host.der"),
             "key = " + os.path.join(PKI, "host.key"), "ctl = " + os.path.join(T, "master.ctl"), ""]
    for a in SLINKD_ADDRS + [a for a, _ in FW]:
        lines += ["[peer d%d]" % a, "addr = %d" % a, "name = slink-dev-%d" % a,
                  "socket = " + os.path.join(T, "m%d.sock" % a), "role = initiator", ""]
    path = os.path.join(T, "master.conf")
    with open(path, "w") as fh:
        fh.write("\n".join(lines))
    return path


class FwEcho(threading.Thread):
    """FW_SIZE bytes to a firmware device through the master's socket; the
    upper-cased echo must come back exactly."""
    def __init__(self, addr):
        super().__init__(daemon=True)
        self.addr = addr
        self.data = random.Random("fw-%d" % addr).randbytes(FW_SIZE)
        self.want = bytes(b - 32 if 97 <= b <= 122 else b for b in self.data)
        self.got = bytearray()
        self.done_t = None
        self.err = None

    def run(self):
        try:
            s = bus_flows.connect(os.path.join(T, "m%d.sock" % self.addr))
            s.setblocking(True)
            s.settimeout(1.0)
            t0, sent, end = time.time(), 0, time.time() + 90
            sender = threading.Thread(target=lambda: s.sendall(self.data), daemon=True)
            sender.start()
            while len(self.got) < FW_SIZE and time.time() < end:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    continue
                if not chunk:
                    break
                self.got += chunk
                if bytes(self.got) != self.want[:len(self.got)]:
                    k = next(i for i in range(len(self.got)) if self.got[i] != self.want[i])
                    self.err = "wrong byte at offset %d (cross-talk or corruption)" % k
                    return
            if len(self.got) == FW_SIZE:
                self.done_t = time.time() - t0
            else:
                self.err = "%d of %d bytes echoed" % (len(self.got), FW_SIZE)
            s.close()
        except Exception as e:  # reported by the main thread
            self.err = repr(e)


def main():
    n_ep = 1 + len(SLINKD_ADDRS) + len(FW)
    spawn("linesim", [os.path.join(BUILD, "slink-linesim"), "--bus", str(n_ep), "--baud", str(BAUD),
                      "--link-prefix", os.path.join(T, "bus"), "--json", os.path.join(T, "bus.json"),
                      "--quiet"], "linesim.log")
    wait("bus endpoints", 10, lambda: all(os.path.exists(ep(i)) for i in range(n_ep)))
    for a in SLINKD_ADDRS:
        issue(a)
    for i, a in enumerate(SLINKD_ADDRS):
        start_slinkd_device(a, 1 + i)
    for i, (a, elf) in enumerate(FW):
        start_fw_device(a, elf, 1 + len(SLINKD_ADDRS) + i)
    t0 = time.time()
    spawn("master", [os.path.join(BUILD, "slinkd")] + ROOT + ["--foreground", "--config", write_master_conf()],
          "master.log")
    addrs = SLINKD_ADDRS + [a for a, _ in FW]
    peers = wait("all %d sessions established" % len(addrs), 40,
                 lambda: (lambda p: p if all(established(p.get(a)) for a in addrs) else None)(master_peers()))
    log("bring-up: %d slinkd and %d firmware devices established %.2f s after the master started"
        % (len(SLINKD_ADDRS), len(FW), time.time() - t0))
    wait("slinkd devices established", 10,
         lambda: all(established((status("dev%d" % a) or {"peers": [None]})["peers"][0]) for a in SLINKD_ADDRS))
    sid = {a: peers[a]["session_id"] for a in addrs}

    devs = [bus_flows.Device(a, os.path.join(T, "m%d.sock" % a), os.path.join(T, "dev%d.sock" % a))
            for a in SLINKD_ADDRS]
    echoes = [FwEcho(a) for a, _ in FW]
    for e in echoes:
        e.start()
    el, flows = bus_flows.run("fwbus", devs, SLINKD_SIZE, 90)
    for e in echoes:
        e.join(timeout=90)
    for f in flows:
        if f.bad_at is not None:
            raise Fail("slinkd flow %s: wrong byte at offset %d (cross-talk or corruption)" % (f.name, f.bad_at))
        if f.got != SLINKD_SIZE:
            raise Fail("slinkd flow %s: %d of %d bytes" % (f.name, f.got, SLINKD_SIZE))
    for e in echoes:
        if e.err or e.is_alive():
            raise Fail("firmware device %d: %s" % (e.addr, e.err or "still running"))
    total = 2 * SLINKD_SIZE * len(devs) + 2 * FW_SIZE * len(echoes)
    log("concurrent: %d slinkd devices x %d bytes each way in %.2f s; firmware echoes of %d bytes: %s; "
        "%d bytes moved, byte-exact, no cross-talk"
        % (len(devs), SLINKD_SIZE, el, FW_SIZE,
           ", ".join("%d in %.2f s" % (e.addr, e.done_t) for e in echoes), total))
    peers = master_peers()
    changed = [a for a in addrs if peers[a]["session_id"] != sid[a] or not established(peers[a])]
    if changed:
        raise Fail("sessions of %s ended during the transfers" % changed)
    st = status("master")
    log("master: turns %d, turn timeouts %d, garbled frames %d; per firmware device: %s"
        % (st["link"]["turns_granted"], st["link"]["turn_timeouts"], st["link"]["garbled_frames"],
           ", ".join("%d: %d turns, %d silent" % (a, peers[a]["bus"]["turns"], peers[a]["bus"]["silent"])
                     for a, _ in FW)))
    for dv in devs:
        dv.close()
    procs["linesim"].send_signal(signal.SIGTERM)
    procs["linesim"].wait(timeout=10)
    bj = json.load(open(os.path.join(T, "bus.json")))
    log("bus: %d collisions" % bj["collisions"])
    log("OK")


if __name__ == "__main__":
    try:
        main()
        rc = 0
    except Fail as e:
        print("FAIL: %s" % e, flush=True)
        for name in sorted(os.listdir(T)):
            if name.endswith(".log"):
                txt = open(os.path.join(T, name), errors="replace").read().splitlines()
                print("--- %s" % name)
                print("\n".join(txt[-15:]))
        rc = 1
    finally:
        cleanup()
    sys.exit(rc)
