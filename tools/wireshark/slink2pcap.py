#!/usr/bin/env python3
"""Turn a captured slink byte stream into a pcap file for Wireshark/tshark.

Serial lines have no standard pcap link type, so the file uses
LINKTYPE_USER0 (147), which tools/wireshark/slink.lua claims.  Each packet
is one frame as it travelled on the line: the idle 0x00 bytes before it
(empty frames, line flushes), its COBS-encoded bytes and its 0x00
delimiter.  Packet boundaries therefore cover the input without gaps: the
stream offset of a packet is the sum of the lengths before it.  Bytes after
the last delimiter (a capture cut inside a frame) form a last packet of
their own, which the dissector reports as not terminated.

Inputs:
  raw bytes (default)       a file, or "-" for stdin: socat -r, cat of a tty,
                            a logic analyser export
  --hex                     hex text, whitespace ignored (od -An -tx1, xxd -p)
  --socat-log               the hex log of `socat -x` (stderr); each direction
                            ('>' and '<') is a separate byte stream, packets
                            keep the log's timestamps, ordered by time

Timestamps for raw and hex input: the start of each frame as if the bytes
had been sent back to back at --baud (8N1, default 115200).

usage: slink2pcap.py [--hex | --socat-log] [--baud N] INPUT OUTPUT.pcap
"""
import argparse
import datetime
import re
import struct
import sys

LINKTYPE_USER0 = 147
SNAPLEN = 65535


def split_frames(data):
    """Yield (start_offset, bytes) for each idle-prefixed, delimited frame."""
    start = 0
    i = 0
    n = len(data)
    while i < n:
        j = i
        while j < n and data[j] == 0:       # idle / empty frames
            j += 1
        k = data.find(b"\x00", j)
        end = n if k < 0 else k + 1
        # a frame of idle bytes only (trailing zeros) is kept as well, so
        # that packets cover every byte of the input
        while end - start > SNAPLEN:        # absurdly long run: keep it whole in parts
            yield start, data[start:start + SNAPLEN]
            start += SNAPLEN
        if end > start:
            yield start, data[start:end]
        start = i = end


class Stream:
    """Frames of one direction of a socat log, fed chunk by chunk."""

    def __init__(self):
        self.pending = bytearray()
        self.t0 = None

    def feed(self, chunk, t):
        out = []
        if not self.pending:
            self.t0 = t
        self.pending += chunk
        while True:
            j = 0
            while j < len(self.pending) and self.pending[j] == 0:
                j += 1
            k = self.pending.find(b"\x00", j)
            if k < 0:
                break
            out.append((self.t0, bytes(self.pending[:k + 1])))
            del self.pending[:k + 1]
            self.t0 = t
        return out

    def flush(self):
        if self.pending:
            return [(self.t0, bytes(self.pending))]
        return []


SOCAT_HDR = re.compile(r"^([<>]) (\d{4})/(\d\d)/(\d\d) (\d\d):(\d\d):(\d\d)\.(\d+)\s+length=(\d+)")


def parse_socat_log(text):
    """Return [(time_ns, bytes)] packets from a `socat -x` log."""
    streams = {}
    packets = []
    cur = None
    t = 0
    for line in text.splitlines():
        m = SOCAT_HDR.match(line)
        if m:
            d, y, mo, da, h, mi, s, frac, _ = m.groups()
            epoch = datetime.datetime(int(y), int(mo), int(da), int(h), int(mi), int(s),
                                      tzinfo=datetime.timezone.utc).timestamp()
            t = int(epoch) * 10**9 + int(frac.ljust(9, "0")[:9])
            cur = streams.setdefault(d, Stream())
            continue
        if line.startswith("--") or cur is None:
            continue
        if line.startswith(" "):
            hexpart = line.strip().split("  ")[0]   # -v adds a text column after two spaces
            try:
                chunk = bytes.fromhex(hexpart)
            except ValueError:
                raise SystemExit("slink2pcap: not a socat -x hex line: %r" % line)
            packets += cur.feed(chunk, t)
    for s in streams.values():
        packets += s.flush()
    packets.sort(key=lambda p: p[0])          # stable: per-direction order kept
    return packets


def write_pcap(path, packets):
    """packets: [(time_ns, bytes)]; nanosecond-resolution classic pcap."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, SNAPLEN, LINKTYPE_USER0))
        for t, b in packets:
            f.write(struct.pack("<IIII", t // 10**9, t % 10**9, len(b), len(b)))
            f.write(b)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--hex", action="store_true", help="input is hex text")
    g.add_argument("--socat-log", action="store_true", help="input is a socat -x log")
    ap.add_argument("--baud", type=int, default=115200,
                    help="nominal line rate for raw/hex timestamps (default 115200)")
    ap.add_argument("input")
    ap.add_argument("output")
    a = ap.parse_args()
    if a.baud <= 0:
        ap.error("--baud must be positive")

    src = sys.stdin.buffer if a.input == "-" else open(a.input, "rb")
    data = src.read()
    if a.socat_log:
        packets = parse_socat_log(data.decode("ascii", "replace"))
    else:
        if a.hex:
            txt = re.sub(rb"\s+", b"", data)
            try:
                data = bytes.fromhex(txt.decode("ascii"))
            except ValueError:
                raise SystemExit("slink2pcap: --hex: input is not an even number of hex digits")
        packets = [(off * 10 * 10**9 // a.baud, b) for off, b in split_frames(data)]
    write_pcap(a.output, packets)
    print("slink2pcap: %d packets, %d bytes" % (len(packets), sum(len(b) for _, b in packets)),
          file=sys.stderr)


if __name__ == "__main__":
    main()
