#!/usr/bin/env python3
"""`make bench`: slink side by side with mbedTLS DTLS 1.2 and wolfSSL DTLS 1.3
on the same line.

Runs every part in one run, prints a table with each figure's target and
PASS/MISS, and writes a flat JSON object (numbers only).  Each figure is
measured here and now; a part that cannot run stops the bench with a message
and a non-zero exit.  A target that is missed is reported, never hidden, and
does not fail the run (the bench measures; it is not a test).

Parts (docs/PERFORMANCE.md explains each figure):
  1. in-process byte counts (bench_inproc): a cross-check, no timing
  2. over slink-linesim at 115200 baud: slink handshake (full certificates,
     then by reference) and record overhead (bench_peer), DTLS 1.2 handshake
     and record overhead (dtls12_peer), DTLS 1.3 handshake (connection IDs
     off, then on) and record overhead (dtls13_peer, dtls13_inproc), the
     same four handshakes at 9600 baud, stream goodput for 100-byte
     messages and bulk, bulk at BER 1e-5
  3. record_cost_ratio from bench_record --json
  4. daemon throughput from tests/integration/slinkd_perf.sh
  5. firmware sizes from `make firmware-size` when arm-none-eabi-gcc exists
  6. RS485 bus figures (issue 14) from bench_bus, in simulated time
  7. noisy-line goodput at BER 1e-5, 1e-4, 1e-3 with the default
     configuration (issue 14) from `soak --ber`, in simulated time

usage: run_bench.py --build DIR [--make MAKE] [--out FILE] [--smoke]
"""
import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

BAUD = 115200
SLOW_BAUD = 9600                 # where handshake bytes hurt
CID_LEN = 1                      # DTLS 1.3 connection ID: as long as a slink address
LINE_RATE = BAUD / 10.0          # 8N1: 10 bit-times per byte
HOST, DEV = ("bench-host", 1), ("bench-dev", 7)

CHILDREN = []


class BenchError(Exception):
    pass


def kill_children():
    for p in CHILDREN:
        if p.poll() is None:
            try:
                p.kill()
            except OSError:
                pass
    for p in CHILDREN:
        try:
            p.wait(timeout=5)
        except Exception:
            pass
    CHILDREN.clear()


def on_signal(signum, _frame):
    kill_children()
    sys.stderr.write("bench: interrupted (signal %d)\n" % signum)
    sys.exit(130)


def spawn(cmd, **kw):
    p = subprocess.Popen(cmd, **kw)
    CHILDREN.append(p)
    return p


def need(path, who):
    if not os.path.exists(path):
        raise BenchError("%s is missing (%s); build it first" % (path, who))
    return path


def run(cmd, timeout, what, env=None):
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
                           env=env, universal_newlines=True)
    except subprocess.TimeoutExpired:
        raise BenchError("%s timed out after %d s: %s" % (what, timeout, " ".join(cmd)))
    if r.returncode != 0:
        raise BenchError("%s failed (exit %d):\n%s" % (what, r.returncode, r.stdout[-3000:]))
    return r.stdout


class Bench:
    def __init__(self, build, work):
        self.build = build
        self.work = work
        self.b = lambda name: need(os.path.join(build, name), "make BUILD=%s bench" % build)
        self.pki = os.path.join(work, "pki")
        self.run_no = 0

    # ---- PKI: one CA, one certificate per end, made by the project's tool ----
    def make_pki(self):
        os.makedirs(self.pki)
        tool = self.b("slink-pki")
        run([tool, "ca", "--cn", "slink bench CA", "--out-cert", self.f("ca.crt"),
             "--out-key", self.f("ca.key")], 30, "slink-pki ca")
        for name, _ in (HOST, DEV):
            run([tool, "issue", "--ca-cert", self.f("ca.crt"), "--ca-key", self.f("ca.key"),
                 "--name", name, "--out-cert", self.f(name + ".crt"), "--out-key", self.f(name + ".key")],
                30, "slink-pki issue")
        out = run([tool, "show", self.f(HOST[0] + ".crt")], 30, "slink-pki show")
        m = re.search(r"size:\s+(\d+) bytes DER", out)
        self.cert_der = int(m.group(1)) if m else 0

    def f(self, name):
        return os.path.join(self.pki, name)

    def creds(self, who):
        name, _ = who
        return ["--ca", self.f("ca.crt"), "--cert", self.f(name + ".crt"), "--key", self.f(name + ".key")]

    # ---- part 1 ----
    def inproc(self):
        out = run([self.b("bench/bench_inproc"), "--ca", self.f("ca.crt"),
                   "--cert-a", self.f(HOST[0] + ".crt"), "--key-a", self.f(HOST[0] + ".key"), "--name-a", HOST[0],
                   "--cert-b", self.f(DEV[0] + ".crt"), "--key-b", self.f(DEV[0] + ".key"), "--name-b", DEV[0]],
                  60, "bench_inproc")
        return json.loads(out)

    # ---- part 2: two peers through slink-linesim ----
    def pair(self, prog, init_args, resp_args, line_args, timeout, baud=BAUD):
        """Runs responder then initiator through a fresh simulator; returns
        (initiator json, responder json, simulator json)."""
        self.run_no += 1
        d = os.path.join(self.work, "run%d" % self.run_no)
        os.makedirs(d)
        la, lb, lj = os.path.join(d, "a"), os.path.join(d, "b"), os.path.join(d, "linesim.json")
        sim = spawn([self.b("slink-linesim"), "--link-a", la, "--link-b", lb, "--baud", str(baud),
                     "--json", lj, "--quiet"] + line_args,
                    stdout=open(os.path.join(d, "linesim.out"), "w"), stderr=subprocess.STDOUT)
        end = time.time() + 10
        while not (os.path.exists(la) and os.path.exists(lb)):
            if sim.poll() is not None or time.time() > end:
                raise BenchError("slink-linesim did not come up: %s" % open(os.path.join(d, "linesim.out")).read())
            time.sleep(0.02)
        files = {}

        def start(role_args, tty, tag):
            files[tag] = (open(os.path.join(d, tag + ".json"), "w+"), open(os.path.join(d, tag + ".err"), "w+"))
            return spawn([self.b(prog), "--tty", tty, "--timeout", str(timeout)] + role_args,
                         stdout=files[tag][0], stderr=files[tag][1])

        resp = start(resp_args, lb, "resp")
        time.sleep(0.2)              # the responder has its tty open and waits
        init = start(init_args, la, "init")
        results = {}
        for tag, p in (("init", init), ("resp", resp)):
            try:
                rc = p.wait(timeout=timeout + 10)
            except subprocess.TimeoutExpired:
                p.kill()
                rc = "killed after %d s" % (timeout + 10)
            files[tag][0].seek(0)
            files[tag][1].seek(0)
            if rc != 0:
                other = "resp" if tag == "init" else "init"
                files[other][1].seek(0)
                raise BenchError("%s %s failed (%s): %s\n  other end said: %s" % (
                    prog, tag, rc, files[tag][1].read().strip(), files[other][1].read().strip()))
            results[tag] = json.loads(files[tag][0].read())
        sim.send_signal(signal.SIGINT)
        try:
            sim.wait(timeout=10)
        except subprocess.TimeoutExpired:
            raise BenchError("slink-linesim did not stop on SIGINT")
        line = json.load(open(lj))
        # The simulator counts independently of the peers: both must agree.
        if line["a_to_b"]["bytes_in"] != results["init"]["bytes_out"] or \
           line["b_to_a"]["bytes_in"] != results["resp"]["bytes_out"]:
            raise BenchError("byte counts disagree: %s wrote %d/%d, slink-linesim carried %d/%d" % (
                prog, results["init"]["bytes_out"], results["resp"]["bytes_out"],
                line["a_to_b"]["bytes_in"], line["b_to_a"]["bytes_in"]))
        return results["init"], results["resp"], line

    def slink_pair(self, mode, nbytes=0, line_args=(), cached=False, timeout=60, pacing=False, baud=BAUD):
        def args(me, peer, role):
            a = ["--role", role, "--addr", str(me[1]), "--peer", str(peer[1]), "--peer-name", peer[0],
                 "--baud", str(baud), "--mode", mode] + self.creds(me)
            if nbytes:
                a += ["--bytes", str(nbytes)]
            if pacing:
                a += ["--pacing", "1"]
            if cached:
                a += ["--peer-cert", self.f(peer[0] + ".crt")]
            return a
        return self.pair("bench/bench_peer", args(HOST, DEV, "initiator"), args(DEV, HOST, "responder"),
                         list(line_args), timeout, baud)

    def dtls_pair(self, timeout=60, baud=BAUD, version=12, cid=0):
        """DTLS 1.2 (mbedTLS) or 1.3 (wolfSSL) through the simulator; --baud
        sets their retransmission timer only (bench_dtls_rto_ms)."""
        def args(me, peer, role):
            a = ["--role", role, "--addr", str(me[1]), "--peer", str(peer[1]), "--peer-name", peer[0],
                 "--baud", str(baud)] + self.creds(me)
            if cid:
                a += ["--cid", str(cid)]
            return a
        return self.pair("bench/dtls%d_peer" % version, args(HOST, DEV, "client"), args(DEV, HOST, "server"), [],
                         timeout, baud)

    def dtls13_inproc(self):
        out = run([self.b("bench/dtls13_inproc"), "--ca", self.f("ca.crt"),
                   "--cert-a", self.f(HOST[0] + ".crt"), "--key-a", self.f(HOST[0] + ".key"), "--name-a", HOST[0],
                   "--cert-b", self.f(DEV[0] + ".crt"), "--key-b", self.f(DEV[0] + ".key"), "--name-b", DEV[0],
                   "--cid", str(CID_LEN)], 60, "dtls13_inproc")
        return json.loads(out)


def hs_ms(i, r):
    return (max(i["t_complete_us"], r["t_complete_us"]) - i["t_first_tx_us"]) / 1000.0


HS_REPS = 5


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2.0


def hs_figures(res, runs, bytes_key, ms_key, tag):
    """Median bytes and time of repeated handshakes, with min/max time and
    the handshake retransmissions seen (slink only reports them)."""
    if "hs_msg_bytes" in runs[0][0]:
        # slink: the three handshake messages (each end until it is
        # established); "_confirmed" adds the responder's key-confirmation
        # record, everything written until the initiator knows msg3 arrived.
        nb = [i["hs_msg_bytes"] + r["hs_msg_bytes"] for i, r, _ in runs]
        res[bytes_key + "_confirmed"] = median([i["hs_bytes_out"] + r["hs_bytes_out"] for i, r, _ in runs])
    else:
        # DTLS: everything each end writes until mbedtls_ssl_handshake
        # returns 0 there (the server's last flight, CCS + Finished, included).
        nb = [i["hs_bytes_out"] + r["hs_bytes_out"] for i, r, _ in runs]
    res[bytes_key] = median(nb)
    res["handshake_bytes_min_" + tag] = min(nb)
    ms = [hs_ms(i, r) for i, r, _ in runs]
    res[ms_key] = median(ms)
    res["handshake_ms_min_" + tag] = min(ms)
    res["handshake_ms_max_" + tag] = max(ms)
    if "hs_retransmits" in runs[0][0]:
        res["handshake_retransmits_" + tag] = sum(i["hs_retransmits"] + r["hs_retransmits"] for i, r, _ in runs)


def goodput(i, r):
    dt = (r["t_app_done_us"] - i["t_app_start_us"]) / 1e6
    if dt <= 0 or r["app_bytes"] <= 0:
        raise BenchError("goodput run delivered nothing")
    return r["app_bytes"] / dt / LINE_RATE


TARGETS = [
    # key, kind, bound (number or key of another figure with factor), text
    # issue 13: the device (Cortex-M4F, -Os; make firmware-size)
    ("fw_core_crypto_text", "le", 30720, "<= 30720"),
    ("fw_total_text", "le", ("fw_dtls12_total_text", 0.65), "<= 0.65 x fw_dtls12_total_text"),
    ("fw_ram_peak", "le", 8192, "<= 8192"),
    ("fw_handshake_ms_64mhz", "le", 1000, "<= 1000"),
    ("fw_handshake_total_ms_64mhz", "le", 1300, "<= 1300"),
    ("handshake_bytes_full", "le", ("dtls12_handshake_bytes", 0.6), "<= 0.6 x dtls12_handshake_bytes"),
    ("handshake_bytes_cached", "le", 300, "<= 300"),
    ("record_overhead_bytes_100", "le", ("dtls12_record_overhead_bytes_100", 0.55),
     "<= 0.55 x dtls12_record_overhead_bytes_100"),
    # issue 17: at or below DTLS 1.3 on every figure
    ("handshake_bytes_full", "le", ("dtls13_handshake_bytes", 1.0), "<= dtls13_handshake_bytes"),
    ("handshake_bytes_cached", "le", ("dtls13_handshake_bytes", 1.0), "<= dtls13_handshake_bytes"),
    ("record_overhead_bytes_100", "le", ("dtls13_record_overhead_bytes_100", 1.0),
     "<= dtls13_record_overhead_bytes_100"),
    ("handshake_ms_115200_slink", "le", ("handshake_ms_115200_dtls13", 1.0), "<= handshake_ms_115200_dtls13"),
    ("handshake_ms_115200_slink_cached", "le", ("handshake_ms_115200_dtls13", 1.0),
     "<= handshake_ms_115200_dtls13"),
    ("handshake_ms_9600_slink", "le", ("handshake_ms_9600_dtls13", 1.0), "<= handshake_ms_9600_dtls13"),
    ("handshake_ms_9600_slink_cached", "le", ("handshake_ms_9600_dtls13", 1.0), "<= handshake_ms_9600_dtls13"),
    ("goodput_ratio_115200_100B", "ge", 0.85, ">= 0.85"),
    ("goodput_ratio_115200_bulk", "ge", 0.95, ">= 0.95"),
    ("goodput_ratio_115200_bulk_ber1e-5", "ge", 0.8, ">= 0.8"),
    ("record_cost_ratio", "le", 3, "<= 3"),
    ("daemon_throughput_ratio_10Mbaud", "ge", 10, ">= 10"),
    # issue 14: the RS485 bus (simulated time, bench_bus)
    ("bus_bringup_ratio_8_115200", "le", 1.25, "<= 1.25"),
    ("bus_bringup_ratio_32_115200", "le", 1.25, "<= 1.25"),
    ("bus_bringup_ratio_8_9600", "le", 1.25, "<= 1.25"),
    ("bus_bringup_ratio_32_9600", "le", 1.25, "<= 1.25"),
    ("bus_goodput_ratio_8dev", "ge", 0.8, ">= 0.8"),
    ("bus_min_share_ratio_8dev", "ge", 0.7, ">= 0.7"),
    ("bus_sessions_ended_8dev", "le", 0, "= 0"),
    ("bus_retransmit_ratio_8dev", "le", 0.02, "<= 0.02"),
    ("bus_idle_poll_fraction_32_9600", "le", 0.05, "<= 0.05"),
    ("bus_idle_poll_fraction_32_115200", "le", 0.05, "<= 0.05"),
    ("bus_restart_recovery_s", "le", ("bus_restart_bound_s", 1.0), "<= 1 s + one handshake"),
    ("bus_restart_recovery_loaded_s", "le", ("bus_restart_bound_loaded_s", 1.0), "<= 1 s + one handshake (7 busy)"),
    # issue 14: noisy lines with the default configuration, >= 0.9 of the
    # ARQ limit (24 bytes per frame: 0.915, 0.751, 0.375)
    ("goodput_ratio_115200_bulk_ber1e-5_sim", "ge", 0.82, ">= 0.82"),
    ("goodput_ratio_115200_bulk_ber1e-4", "ge", 0.68, ">= 0.68"),
    ("goodput_ratio_115200_bulk_ber1e-3", "ge", 0.34, ">= 0.34"),
    # ... for every seed of 1-10 (the min), not only seed 1
    ("goodput_ratio_115200_bulk_ber1e-5_sim_min_seeds1_10", "ge", 0.82, ">= 0.82"),
    ("goodput_ratio_115200_bulk_ber1e-4_min_seeds1_10", "ge", 0.68, ">= 0.68"),
    ("goodput_ratio_115200_bulk_ber1e-3_min_seeds1_10", "ge", 0.34, ">= 0.34"),
    # issue 14: the first session at BER 1e-3 (seeds 1-10)
    ("bulk_ber1e-3_first_session_s_median_seeds1_10", "le", 5, "<= 5 s"),
    ("bulk_ber1e-3_first_session_s_max_seeds1_10", "le", 15, "<= 15 s"),
]

ORDER = [
    ("handshake_bytes_full", "slink handshake bytes, full P-256 certificates (both ways, framed)"),
    ("handshake_bytes_full_confirmed", "the same plus the responder's key-confirmation record"),
    ("handshake_bytes_cached", "slink handshake bytes, certificates by reference"),
    ("handshake_bytes_cached_confirmed", "the same plus the key-confirmation record"),
    ("dtls12_handshake_bytes", "mbedTLS DTLS 1.2 handshake bytes (both ways, framed)"),
    ("dtls13_handshake_bytes", "wolfSSL DTLS 1.3 handshake bytes, no connection IDs (both ways, framed)"),
    ("dtls13_handshake_bytes_cid", "the same with %d-byte connection IDs" % CID_LEN),
    ("handshake_ms_115200_slink", "slink handshake time at 115200 baud (ms), until confirmed"),
    ("handshake_ms_115200_slink_cached", "slink handshake time, by reference (ms)"),
    ("handshake_ms_115200_dtls12", "DTLS 1.2 handshake time at 115200 baud (ms)"),
    ("handshake_ms_115200_dtls13", "DTLS 1.3 handshake time at 115200 baud (ms), until the client has the ACK"),
    ("handshake_ms_115200_dtls13_cid", "the same with connection IDs"),
    ("handshake_ms_9600_slink", "slink handshake time at 9600 baud (ms), until confirmed"),
    ("handshake_ms_9600_slink_cached", "slink handshake time at 9600 baud, by reference (ms)"),
    ("handshake_ms_9600_dtls12", "DTLS 1.2 handshake time at 9600 baud (ms)"),
    ("handshake_ms_9600_dtls13", "DTLS 1.3 handshake time at 9600 baud (ms), until the client has the ACK"),
    ("record_overhead_bytes_100", "slink datagram: wire bytes - 100 for 100 B"),
    ("stream_record_overhead_bytes_100", "slink stream record: wire bytes - 100 for 100 B"),
    ("stream_ack_frame_bytes", "slink stream: the ACK frame the receiver owes"),
    ("dtls12_record_overhead_bytes_100", "DTLS 1.2: wire bytes - 100 for one 100 B write"),
    ("dtls13_record_overhead_bytes_100", "DTLS 1.3: wire bytes - 100 for one 100 B write"),
    ("dtls13_record_overhead_bytes_100_cid", "the same with connection IDs"),
    ("goodput_ratio_115200_100B", "stream goodput / line rate, 100-byte messages (paced)"),
    ("goodput_ratio_115200_100B_unpaced", "same without transmit pacing"),
    ("goodput_ratio_115200_100B_per_record", "same, each message forced into its own record"),
    ("goodput_ratio_115200_bulk", "stream goodput / line rate, bulk"),
    ("goodput_ratio_115200_bulk_ber1e-5", "stream goodput / line rate, bulk, BER 1e-5"),
    ("record_cost_ratio", "CPU per 100 B record: slink seal+open / raw GCM"),
    ("daemon_throughput_ratio_10Mbaud", "daemon pair over a pty / 1 MB/s (10 Mbaud)"),
    ("bus_bringup_ratio_8_115200", "bus: 8 devices at 115200 powered at once, all established / 8 handshakes' airtime (sim)"),
    ("bus_bringup_ratio_32_115200", "bus: the same with 32 devices (sim)"),
    ("bus_bringup_ratio_8_9600", "bus: 8 devices at 9600 (sim)"),
    ("bus_bringup_ratio_32_9600", "bus: 32 devices at 9600 (sim)"),
    ("bus_goodput_ratio_8dev", "bus: 8 devices x 20 KB each way at once, goodput / line rate at 115200 (sim)"),
    ("bus_min_share_ratio_8dev", "bus: slowest flow / mean flow when the first flow completed (sim)"),
    ("bus_sessions_ended_8dev", "bus: sessions ended during that transfer (sim)"),
    ("bus_retransmit_ratio_8dev", "bus: stream retransmissions / chunks sent during that transfer (sim)"),
    ("bus_idle_poll_fraction_32_9600", "bus: 32 idle devices, POLL + TURN_END airtime / time at 9600 (sim)"),
    ("bus_idle_poll_fraction_32_115200", "bus: the same at 115200 (sim)"),
    ("bus_restart_recovery_s", "bus: restarted device (8 on the bus) until re-established, s (sim)"),
    ("bus_restart_recovery_loaded_s", "the same while the 7 others move bulk data, s (sim)"),
    ("bus_mixed_rr_latency_p50_s", "bus: 1 device bulk 64 KB each way, 7 with 32-byte request/response: "
     "small exchange latency median, s (sim)"),
    ("bus_mixed_rr_latency_p95_s", "bus: the same, 95th percentile, s (sim)"),
    ("bus_mixed_bulk_s", "bus: the same, the bulk transfer's time, s (sim)"),
    ("goodput_ratio_115200_bulk_ber1e-5_sim", "bulk stream goodput / line rate from session start, BER 1e-5, "
     "default MTU, >= 10000 bits flipped (sim)"),
    ("goodput_ratio_115200_bulk_ber1e-4", "the same at BER 1e-4 (sim)"),
    ("goodput_ratio_115200_bulk_ber1e-3", "the same at BER 1e-3 (sim)"),
    ("goodput_ratio_115200_bulk_ber1e-5_sim_min_seeds1_10", "BER 1e-5 from session start, lowest of seeds 1-10 (sim)"),
    ("goodput_ratio_115200_bulk_ber1e-5_sim_median_seeds1_10", "the same, median of seeds 1-10 (target >= 0.82)"),
    ("goodput_ratio_115200_bulk_ber1e-4_min_seeds1_10", "BER 1e-4, lowest of seeds 1-10 (sim)"),
    ("goodput_ratio_115200_bulk_ber1e-4_median_seeds1_10", "the same, median of seeds 1-10 (target >= 0.68)"),
    ("goodput_ratio_115200_bulk_ber1e-3_min_seeds1_10", "BER 1e-3, lowest of seeds 1-10 (sim)"),
    ("goodput_ratio_115200_bulk_ber1e-3_median_seeds1_10", "the same, median of seeds 1-10 (target >= 0.34)"),
    ("goodput_ratio_115200_bulk_ber1e-5_sim_from_start", "BER 1e-5 counted from the start, handshake included, "
     ">= 1000 bits flipped (sim; the figure before session 3)"),
    ("goodput_ratio_115200_bulk_ber1e-4_from_start", "the same at BER 1e-4 (sim)"),
    ("goodput_ratio_115200_bulk_ber1e-3_from_start", "the same at BER 1e-3 (sim)"),
    ("bulk_ber1e-3_first_session_s_median_seeds1_10", "first session at BER 1e-3, default MTU, seeds 1-10: "
     "median, s (sim)"),
    ("bulk_ber1e-3_first_session_s_max_seeds1_10", "the same, slowest seed, s (sim)"),
    ("fw_core_text", "firmware: slink core .text (bytes, Cortex-M4F)"),
    ("fw_total_text", "firmware: whole slink device image .text"),
    ("fw_core_crypto_text", "firmware: slink core + the crypto it links .text (p256-m device)"),
    ("fw_dtls12_total_text", "firmware: mbedTLS DTLS 1.2 client image .text"),
    ("fw_ram_peak", "firmware: peak RAM (static + measured stack/heap)"),
    ("fw_handshake_ms_64mhz", "firmware: handshake compute, critical path, ms at 64 MHz (QEMU -icount, CPI 1.25)"),
    ("fw_handshake_total_ms_64mhz", "firmware: handshake compute, all of the device's side, ms at 64 MHz"),
    ("fw_handshake_ms_64mhz_mbedtls_ecp", "firmware: critical path with mbedTLS's ECP instead of p256-m, ms"),
    ("fw_lto_core_crypto_text", "firmware, library code built with -flto: slink core + crypto .text"),
    ("fw_lto_total_vs_dtls12_ratio", "firmware, both images' library code built with -flto: "
     "device / DTLS 1.2 reference"),
]


def verdict(res, key):
    """Every target a figure has, joined; PASS only if all are met."""
    texts, oks = [], []
    for k, kind, bound, text in TARGETS:
        if k != key:
            continue
        if isinstance(bound, tuple):
            if bound[0] not in res:
                texts.append(text + " (n/a)")
                continue
            limit = res[bound[0]] * bound[1]
            if bound[1] != 1.0:
                text = "%s (= %.1f)" % (text, limit)
        else:
            limit = bound
        ok = res[key] <= limit if kind == "le" else res[key] >= limit
        texts.append(text)
        oks.append(ok)
    if not texts:
        return "", ""
    if not oks:
        return "; ".join(texts), "n/a"
    return "; ".join(texts), "PASS" if all(oks) else "MISS"


def fmt(v):
    if isinstance(v, float) and v != int(v):
        return "%.3f" % v if abs(v) < 100 else "%.1f" % v
    return "%d" % v


def markdown(path):
    """The results table of docs/PERFORMANCE.md from a bench.json."""
    res = json.load(open(path))
    print("| figure | value | target | |")
    print("| --- | ---: | --- | --- |")
    for k, _ in ORDER:
        if k in res:
            text, v = verdict(res, k)
            print("| `%s` | %s | %s | %s |" % (k, fmt(res[k]), text.replace("<=", "≤").replace(">=", "≥"), v))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--markdown", metavar="BENCH_JSON", help="print the results of a run as a markdown table")
    ap.add_argument("--build", default="build")
    ap.add_argument("--make", default="make")
    ap.add_argument("--out")
    ap.add_argument("--smoke", action="store_true",
                    help="fast sanity run: byte counts and short transfers only")
    ap.add_argument("--slinkd-mb", type=int, default=4)
    a = ap.parse_args()
    if a.markdown:
        markdown(a.markdown)
        return 0
    out = a.out or os.path.join(a.build, "bench-smoke.json" if a.smoke else "bench.json")
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    work = tempfile.mkdtemp(prefix="slink-bench.")
    t0 = time.time()
    res, notes = {}, []
    res["loadavg_1min_at_start"] = os.getloadavg()[0]
    try:
        b = Bench(a.build, work)
        b.make_pki()
        res["cert_der_bytes"] = b.cert_der

        print("bench: in-process byte counts ...", flush=True)
        ip = b.inproc()

        # Handshakes are repeated: a loaded host delays a process now and
        # then (and a late flight may be retransmitted), so the figures are
        # medians, with the spread beside them.
        reps = 1 if a.smoke else HS_REPS
        print("bench: slink handshake over slink-linesim at %d baud (x%d) ..." % (BAUD, reps), flush=True)
        runs = [b.slink_pair("handshake") for _ in range(reps)]
        hs_figures(res, runs, "handshake_bytes_full", "handshake_ms_115200_slink", "slink")
        i, r, _ = runs[0]
        res["record_overhead_bytes_100"] = i["dgram_frame_bytes"] - 100
        res["stream_record_overhead_bytes_100"] = i["stream_frame_bytes"] - 100
        res["stream_ack_frame_bytes"] = r["stream_ack_bytes"]

        print("bench: slink handshake, certificates by reference (x%d) ..." % reps, flush=True)
        runs = [b.slink_pair("handshake", cached=True) for _ in range(reps)]
        hs_figures(res, runs, "handshake_bytes_cached", "handshake_ms_115200_slink_cached", "slink_cached")

        print("bench: mbedTLS DTLS 1.2 handshake over slink-linesim at %d baud (x%d) ..." % (BAUD, reps),
              flush=True)
        runs = [b.dtls_pair() for _ in range(reps)]
        hs_figures(res, runs, "dtls12_handshake_bytes", "handshake_ms_115200_dtls12", "dtls12")
        res["dtls12_record_overhead_bytes_100"] = runs[0][0]["record_frame_bytes"] - 100

        # DTLS 1.3 (issue 17): wolfSSL, built by tools/bench/fetch-wolfssl.sh.
        ip13 = b.dtls13_inproc()
        ip.update(ip13)
        for cid, tag in ((0, "dtls13"), (CID_LEN, "dtls13_cid")):
            print("bench: wolfSSL DTLS 1.3 handshake over slink-linesim at %d baud, %s (x%d) ..."
                  % (BAUD, "%d-byte connection IDs" % cid if cid else "no connection IDs", reps), flush=True)
            runs = [b.dtls_pair(version=13, cid=cid) for _ in range(reps)]
            hs_figures(res, runs, "dtls13_handshake_bytes" + ("_cid" if cid else ""),
                       "handshake_ms_115200_" + tag, tag)
            i = runs[0][0]
            if i["record_datagrams"] != 1:
                raise BenchError("DTLS 1.3: the 100-byte write took %d datagrams" % i["record_datagrams"])
            res["dtls13_record_overhead_bytes_100" + ("_cid" if cid else "")] = i["record_frame_bytes"] - 100
            res["handshake_timeouts_" + tag] = sum(x["timeouts"] + y["timeouts"] for x, y, _ in runs)

        # 9600 baud: the same handshakes where their bytes cost most time.
        if not a.smoke:
            print("bench: handshakes at %d baud (x%d each: slink full, by reference, DTLS 1.2, DTLS 1.3) ..."
                  % (SLOW_BAUD, reps), flush=True)
            runs = [b.slink_pair("handshake", baud=SLOW_BAUD) for _ in range(reps)]
            hs_figures(res, runs, "handshake_bytes_9600_slink", "handshake_ms_9600_slink", "9600_slink")
            runs = [b.slink_pair("handshake", cached=True, baud=SLOW_BAUD) for _ in range(reps)]
            hs_figures(res, runs, "handshake_bytes_9600_slink_cached", "handshake_ms_9600_slink_cached",
                       "9600_slink_cached")
            runs = [b.dtls_pair(baud=SLOW_BAUD) for _ in range(reps)]
            hs_figures(res, runs, "handshake_bytes_9600_dtls12", "handshake_ms_9600_dtls12", "9600_dtls12")
            runs = [b.dtls_pair(baud=SLOW_BAUD, version=13) for _ in range(reps)]
            hs_figures(res, runs, "handshake_bytes_9600_dtls13", "handshake_ms_9600_dtls13", "9600_dtls13")
            res["handshake_timeouts_9600_dtls13"] = sum(x["timeouts"] + y["timeouts"] for x, y, _ in runs)

        # Cross-check against the in-process counts.  Exact equality is not
        # expected: COBS costs depend on where zero bytes fall, and DTLS's DER
        # ECDSA signatures vary in length (70-72 bytes) from run to run.
        # The smallest of the repeated handshakes is the one without
        # retransmissions, which is what the in-process run measures.
        for k, line_k in (("handshake_bytes_full", "handshake_bytes_min_slink"),
                          ("handshake_bytes_full_confirmed", None), ("handshake_bytes_cached_confirmed", None),
                          ("handshake_bytes_cached", "handshake_bytes_min_slink_cached"),
                          ("dtls12_handshake_bytes", "handshake_bytes_min_dtls12"),
                          ("dtls13_handshake_bytes", "handshake_bytes_min_dtls13"),
                          ("dtls13_handshake_bytes_cid", "handshake_bytes_min_dtls13_cid"),
                          ("dtls13_record_overhead_bytes_100", None), ("dtls13_record_overhead_bytes_100_cid", None),
                          ("record_overhead_bytes_100", None), ("stream_record_overhead_bytes_100", None),
                          ("dtls12_record_overhead_bytes_100", None)):
            ik = "inproc_" + k
            res[ik] = ip[ik]
            v = res[line_k or k]
            if abs(ip[ik] - v) > 8:
                raise BenchError("%s over the line (%d) and in process (%d) disagree by more than 8 bytes"
                                 % (k, v, ip[ik]))

        # The goodput runs use transmit pacing (slink_conn_cfg.tx_pacing),
        # which a link that knows its line rate enables; the 100-byte run
        # is repeated without it to show what pacing changes.
        n100, nbulk = (4000, 20000) if a.smoke else (40000, 120000)
        print("bench: stream goodput, %d bytes in 100-byte messages, paced ..." % n100, flush=True)
        i, r, _ = b.slink_pair("stream100", n100, pacing=True)
        res["goodput_ratio_115200_100B"] = goodput(i, r)
        res["goodput_100B_records"] = i["stream_chunks_sent"]
        print("bench: stream goodput, %d bytes in 100-byte messages, not paced ..." % n100, flush=True)
        i, r, _ = b.slink_pair("stream100", n100)
        res["goodput_ratio_115200_100B_unpaced"] = goodput(i, r)
        res["goodput_100B_unpaced_records"] = i["stream_chunks_sent"]
        print("bench: stream goodput, %d bytes, each 100-byte message in its own record ..." % n100, flush=True)
        i, r, _ = b.slink_pair("stream100rec", n100, pacing=True)
        res["goodput_ratio_115200_100B_per_record"] = goodput(i, r)
        print("bench: stream goodput, %d bytes bulk ..." % nbulk, flush=True)
        i, r, _ = b.slink_pair("bulk", nbulk, pacing=True)
        res["goodput_ratio_115200_bulk"] = goodput(i, r)
        res["bulk_retransmits_clean"] = i["stream_retransmits"]
        print("bench: stream goodput, %d bytes bulk at BER 1e-5 ..." % nbulk, flush=True)
        i, r, line = b.slink_pair("bulk", nbulk, ["--ber", "1e-5", "--seed", "7"], pacing=True)
        res["goodput_ratio_115200_bulk_ber1e-5"] = goodput(i, r)
        res["bulk_ber1e-5_bits_flipped"] = line["a_to_b"]["bits_flipped"] + line["b_to_a"]["bits_flipped"]
        res["bulk_ber1e-5_retransmits"] = i["stream_retransmits"]

        if not a.smoke:
            # issue 14: the RS485 bus, in simulated time (tests/bus/busnet.c)
            print("bench: RS485 bus, master + 8/32 devices, simulated time (bench_bus) ...", flush=True)
            bus = json.loads(run([b.b("bench/bench_bus")], 600, "bench_bus"))
            for k, v in bus.items():
                res[k] = v
            if bus["bus_chunks_8dev"] <= 0:
                raise BenchError("bench_bus: the 8-device transfer sent no chunks")
            res["bus_retransmit_ratio_8dev"] = bus["bus_retransmits_8dev"] / bus["bus_chunks_8dev"]

            # issue 14: noisy lines, default configuration (no MTU chosen),
            # in simulated time (the soak's pair and line, tests/soak/soak.c).
            # The target compares a bulk stream with the steady-state ARQ
            # limit, so its figure counts from the first session's start
            # (goodput_session) in a run of >= 10000 flipped bits; the
            # figure as measured before (from the start, handshake
            # included, >= 1000 bits: at BER 1e-3 the handshake is most of
            # that run) is kept under *_from_start (docs/PERFORMANCE.md).
            def noisy(ber, bits, limit, seed=1):
                sout = run([b.b("soak"), "--ber", ber, "--mtu", "0", "--min-bits", str(bits), "--frames", "100",
                           "--sim-limit", str(limit), "--seed", str(seed)], 600,
                           "soak --ber %s --min-bits %d --seed %d" % (ber, bits, seed))
                # its JSON line; session ends are logged beside it
                nz = json.loads([ln for ln in sout.splitlines() if ln.startswith("{")][-1])
                if nz["bits_flipped"] < bits:
                    raise BenchError("soak --ber %s flipped only %d bits" % (ber, nz["bits_flipped"]))
                if nz["bad_bytes"]:
                    raise BenchError("soak --ber %s delivered %d wrong bytes" % (ber, nz["bad_bytes"]))
                return nz

            # One seed is one draw of the noise: at BER 1e-3 seeds 1-8 gave
            # 0.331-0.351 at the same head, so the figure for seed 1 (kept)
            # is joined by the min and median over seeds 1-10 of the same
            # run; the target holds for every seed when the min meets it.
            noisy_target = {"ber1e-5_sim": 0.82, "ber1e-4": 0.68, "ber1e-3": 0.34}
            for ber, tag in (("1e-5", "ber1e-5_sim"), ("1e-4", "ber1e-4"), ("1e-3", "ber1e-3")):
                print("bench: bulk stream at BER %s, default MTU, >= 10000 bits flipped, simulated time ..." % ber,
                      flush=True)
                nz = noisy(ber, 10000, 36000)
                res["goodput_ratio_115200_bulk_" + tag] = nz["goodput_session"]
                per_seed = [nz["goodput_session"]] + [noisy(ber, 10000, 36000, seed)["goodput_session"]
                                                      for seed in range(2, 11)]
                res["goodput_ratio_115200_bulk_%s_min_seeds1_10" % tag] = min(per_seed)
                res["goodput_ratio_115200_bulk_%s_median_seeds1_10" % tag] = statistics.median(per_seed)
                print("bench: BER %s, seeds 1-10 from session start: min %.4f median %.4f (target >= %.2f); %s" %
                      (ber, min(per_seed), statistics.median(per_seed), noisy_target[tag],
                       " ".join("%.4f" % g for g in per_seed)), flush=True)
                for k in ("bits_flipped", "retransmits", "fast_retransmits", "session_ends", "sim_seconds",
                          "stalled", "first_session_s"):
                    res["bulk_%s_%s" % (tag, k)] = nz[k]
                print("bench: the same from the start, >= 1000 bits flipped (the figure before session 3) ...",
                      flush=True)
                nz = noisy(ber, 1000, 3600)
                res["goodput_ratio_115200_bulk_%s_from_start" % tag] = nz["goodput"]
                res["bulk_%s_from_start_first_session_s" % tag] = nz["first_session_s"]
                print("bench: BER %s: %.4f from session start, %.4f from the start" %
                      (ber, res["goodput_ratio_115200_bulk_" + tag], nz["goodput"]), flush=True)

            # issue 14: how long the first session takes to come up at BER
            # 1e-3, over seeds 1-10 (one seed is one draw of a long-tailed
            # time; handshake repair requests, PROTOCOL.md §4.7)
            print("bench: first session at BER 1e-3, default MTU, seeds 1-10 (sim) ...", flush=True)
            fs = [noisy("1e-3", 1000, 3600, seed)["first_session_s"] for seed in range(1, 11)]
            res["bulk_ber1e-3_first_session_s_median_seeds1_10"] = statistics.median(fs)
            res["bulk_ber1e-3_first_session_s_max_seeds1_10"] = max(fs)
            print("bench: BER 1e-3 first session, seeds 1-10: %s s; median %.3f s, max %.3f s" %
                  (" ".join("%.3f" % x for x in fs), statistics.median(fs), max(fs)), flush=True)

            print("bench: record layer cost (bench_record) ...", flush=True)
            rec = json.loads(run([b.b("bench_record"), "--json"], 120, "bench_record"))
            if "record_cost_ratio" not in rec:
                raise BenchError("bench_record --json gave no record_cost_ratio")
            for k, v in rec.items():
                if isinstance(v, (int, float)):
                    res[k] = v

            print("bench: daemon pair throughput (tests/integration/slinkd_perf.sh, %d MB) ..." % a.slinkd_mb,
                  flush=True)
            env = dict(os.environ, BUILD=a.build)
            # slinkd_perf.sh belongs to the daemon's area; on a loaded host
            # its both-ways phase has been seen to fail once (a second
            # stream application refused while the first one closes), so a
            # failed run is retried once and both failures are reported.
            try:
                perf = run(["bash", "tests/integration/slinkd_perf.sh", str(a.slinkd_mb)], 240,
                           "slinkd_perf.sh", env)
            except BenchError as e:
                print("bench: slinkd_perf.sh failed once, retrying: %s" % str(e).splitlines()[0], flush=True)
                notes.append("slinkd_perf.sh needed a second run (first: %s)" % " ".join(str(e).split()[:12]))
                perf = run(["bash", "tests/integration/slinkd_perf.sh", str(a.slinkd_mb)], 240,
                           "slinkd_perf.sh (second run)", env)
            m = re.search(r"throughput one way:\s+([0-9.]+) MB/s", perf)
            if not m:
                raise BenchError("slinkd_perf.sh printed no 'throughput one way' line:\n" + perf)
            res["daemon_throughput_ratio_10Mbaud"] = float(m.group(1)) / 1.0
            m = re.search(r"throughput both ways:\s+([0-9.]+) MB/s", perf)
            if m:
                res["daemon_throughput_both_ways_MBps"] = float(m.group(1))

            if shutil.which("arm-none-eabi-gcc"):
                print("bench: firmware sizes (make firmware-size) ...", flush=True)
                run(a.make.split() + ["BUILD=" + a.build, "firmware-size"], 900, "make firmware-size")
                sizes = json.load(open(os.path.join(a.build, "fw", "sizes.json")))
                for k in ("fw_core_text", "fw_core_crypto_text", "fw_total_text", "fw_dtls12_total_text",
                          "fw_ram_peak"):
                    if k not in sizes:
                        raise BenchError("%s/fw/sizes.json has no %s" % (a.build, k))
                    res[k] = sizes[k]
                for k, v in sizes.items():
                    if k.startswith("fw_") and isinstance(v, (int, float)):
                        res[k] = v
            else:
                notes.append("firmware sizes not measured: arm-none-eabi-gcc is not installed")
    except BenchError as e:
        kill_children()
        sys.stderr.write("bench: FAILED: %s\n" % e)
        sys.stderr.write("bench: work files kept in %s\n" % work)
        return 1
    finally:
        kill_children()

    for k, v in res.items():
        if not isinstance(v, (int, float)):
            sys.stderr.write("bench: FAILED: %s is not a number\n" % k)
            return 1
    elapsed = time.time() - t0
    res["bench_seconds"] = round(elapsed, 1)
    tmp = out + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(res, fh, indent=1)
        fh.write("\n")
    os.replace(tmp, out)
    shutil.rmtree(work, ignore_errors=True)

    cpu = "?"
    try:
        for ln in open("/proc/cpuinfo"):
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    print()
    print("slink bench%s: %s, %d CPUs, %s, %s UTC" % (" (smoke)" if a.smoke else "", platform.machine(),
                                                    os.cpu_count() or 0, cpu,
                                                    time.strftime("%Y-%m-%d %H:%M", time.gmtime())))
    print("%-36s %10s  %-46s %s" % ("figure", "value", "target", ""))
    passed = total = 0
    shown = set()
    for k, desc in ORDER:
        if k not in res:
            continue
        shown.add(k)
        text, v = verdict(res, k)
        if v in ("PASS", "MISS"):
            total += 1
            passed += v == "PASS"
        print("%-36s %10s  %-46s %s" % (k, fmt(res[k]), text, v))
        print("    %s" % desc)
    extras = [k for k in res if k not in shown]
    print("other measured values: " + ", ".join("%s=%s" % (k, fmt(res[k])) for k in extras))
    for n in notes:
        print("NOTE: " + n)
    print("targets met: %d of %d (misses are reported, not hidden)" % (passed, total))
    print("wrote %s (%.0f s)" % (out, elapsed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
