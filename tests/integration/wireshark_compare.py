#!/usr/bin/env python3
"""Compare tshark's dissection (tools/wireshark/slink.lua) with slink-dump's
--json output, frame by frame and field by field.

usage: wireshark_compare.py DUMP.jsonl TSHARK.tsv
  TSHARK.tsv: `tshark -T fields -E separator=/t -E occurrence=a` with the
  fields of FIELDS below, in that order (print them with --fields).

Every key slink-dump prints must be matched by tshark's value, and every
dissector field that has a slink-dump counterpart must be backed by a key in
the dump line (nothing claimed that the reference does not claim).  Names
(types, content types, alert names) are mapped here from numbers with this
file's own tables from docs/PROTOCOL.md, so a wrong name in either tool
shows up.  Exit 0 when all agree; 1 with the list of disagreements."""
import json
import sys

FIELDS = [
    "frame.len", "slink.idle", "slink.wire", "slink.drop", "slink.dst", "slink.src",
    "slink.type", "slink.body_len", "slink.crc_ok", "slink.crc", "slink.crc_calc",
    "slink.bad", "slink.rec.epoch", "slink.rec.ct", "slink.rec.seq_len", "slink.rec.seq",
    "slink.rec.ct_len", "slink.hs.vs", "slink.hs.version", "slink.hs.suite",
    "slink.hs.flags", "slink.hs.mtu_code", "slink.hs.mtu", "slink.hs.x",
    "slink.hs.enc_len", "slink.frag.off", "slink.frag.total", "slink.frag.data_len",
    "slink.frag.complete", "slink.alert.level", "slink.alert.code", "slink.poll.budget",
    "slink.repair.msg", "slink.repair.total", "slink.repair.missing",
]

# docs/PROTOCOL.md §2.3, §3.1, §3.8
TYPE_NAMES = {0x01: "HS1", 0x02: "HS2", 0x03: "HS3", 0x11: "HS1_FRAG", 0x12: "HS2_FRAG",
              0x13: "HS3_FRAG", 0x18: "HS_REPAIR", 0x20: "POLL", 0x21: "TURN_END", 0x30: "PLAIN_ALERT"}
CT_NAMES = {1: "ALERT", 2: "ACK", 3: "STREAM", 4: "DATAGRAM"}
LEVEL_NAMES = {1: "warning", 2: "fatal"}
ALERT_NAMES = {0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac",
               40: "handshake_failure", 42: "bad_certificate", 44: "certificate_revoked", 45: "certificate_expired",
               48: "unknown_ca", 49: "access_denied", 50: "decode_error",
               70: "protocol_version", 80: "internal_error", 100: "no_session"}
# SLINK_COBS_MAX(SLINK_FRAME_MAX) + 1 with the host build's 1104-byte body
OVERFLOW_WIRE = (3 + 1104 + 2) + (3 + 1104 + 2) // 254 + 1 + 1

# dump key -> tshark field, for numbers compared as numbers
NUMERIC = {
    "dst": "slink.dst", "src": "slink.src", "body": "slink.body_len",
    "crc_rx": "slink.crc", "crc_calc": "slink.crc_calc",
    "epoch_lo": "slink.rec.epoch", "seq_len": "slink.rec.seq_len", "seq": "slink.rec.seq",
    "ct_len": "slink.rec.ct_len", "vs": "slink.hs.vs", "version": "slink.hs.version",
    "suite": "slink.hs.suite", "flags": "slink.hs.flags", "mtu_code": "slink.hs.mtu_code",
    "mtu": "slink.hs.mtu", "enc_len": "slink.hs.enc_len", "frag_off": "slink.frag.off",
    "total": "slink.frag.total", "data": "slink.frag.data_len", "code": "slink.alert.code",
    "type_byte": "slink.type", "budget": "slink.poll.budget",
    "repair_msg": "slink.repair.msg", "repair_total": "slink.repair.total", "missing": "slink.repair.missing",
}
TEXT = {"drop": "slink.drop", "bad": "slink.bad", "x": "slink.hs.x"}


def num(v):
    return int(v, 0)


def reserved_header(type_byte):
    """§3.1: content type 0 or 5..7, or sequence field code 3."""
    return (type_byte >> 2) & 7 not in CT_NAMES or type_byte & 3 == 3


def check_frame(d, t, off, errs, where):
    def err(msg):
        errs.append("%s: %s (dump %s)" % (where, msg, json.dumps(d, separators=(",", ":"))))

    if off != d["off"]:
        err("offset %d, dump says %d" % (off, d["off"]))
    wire = num(t["slink.wire"])
    if wire != d["wire"] and not (d.get("drop") == "ERR_FRAME_OVERSIZE" and
                                  d["wire"] == OVERFLOW_WIRE and wire > OVERFLOW_WIRE):
        # slink-dump counts an encoded overflow only up to the byte that
        # overflowed the receiver's buffer; the dissector shows the whole run
        err("wire %d" % wire)
    used = {"slink.wire", "slink.idle", "frame.len"}
    for k, v in d.items():
        if k in ("off", "wire"):
            continue
        if k in NUMERIC:
            f = NUMERIC[k]
            used.add(f)
            if f not in t:
                err("no %s for %s" % (f, k))
            elif num(t[f]) != v:
                err("%s=%s, dump %s=%s" % (f, t[f], k, v))
        elif k in TEXT:
            f = TEXT[k]
            used.add(f)
            if t.get(f) != v:
                err("%s=%r, dump %s=%r" % (f, t.get(f), k, v))
        elif k == "crc":
            used.add("slink.crc_ok")
            if t.get("slink.crc_ok") != {"ok": "1", "bad": "0"}[v]:
                err("crc_ok=%r" % t.get("slink.crc_ok"))
        elif k == "type":
            used.update(("slink.type", "slink.body_len"))
            ty = num(t["slink.type"]) if "slink.type" in t else None
            if v == "REC":
                ok = ty is not None and ty & 0x80
            elif v == "UNKNOWN":
                ok = ty is not None and not ty & 0x80 and ty not in TYPE_NAMES
            else:
                ok = TYPE_NAMES.get(ty) == v
            if not ok:
                err("slink.type=%r is not %s" % (t.get("slink.type"), v))
        elif k == "ct":
            used.add("slink.rec.ct")
            if CT_NAMES.get(num(t.get("slink.rec.ct", "-1"))) != v:
                err("slink.rec.ct=%r is not %s" % (t.get("slink.rec.ct"), v))
        elif k == "complete":
            used.add("slink.frag.complete")
            if t.get("slink.frag.complete") != "1":
                err("fragment not shown as completing its message")
        elif k == "level":
            used.add("slink.alert.level")
            lv = num(t.get("slink.alert.level", "-1"))
            if LEVEL_NAMES.get(lv, "invalid") != v or lv < 0:
                err("slink.alert.level=%r is not %s" % (t.get("slink.alert.level"), v))
        elif k == "alert":
            if ALERT_NAMES.get(num(t.get("slink.alert.code", "-1")), "unknown") != v:
                err("slink.alert.code=%r is not %s" % (t.get("slink.alert.code"), v))
        else:
            err("dump key %r has no dissector counterpart" % k)
    # The other way: fields the dissector shows that the dump does not back.
    for f, v in t.items():
        if f in used:
            continue
        if f == "slink.frag.complete" and v == "0":
            continue                      # dump omits complete=no
        if f == "slink.crc" and d.get("crc") == "ok":
            continue                      # dump prints the CRC value only when it is bad
        if f in ("slink.rec.epoch", "slink.rec.ct") and d.get("bad") == "ERR_REC_MALFORMED" \
                and "ct" not in d and reserved_header(d["type_byte"]):
            continue                      # the raw bits of a header both call reserved
        if f == "slink.body_len" and "body" in d:
            continue
        err("dissector shows %s=%s that slink-dump does not" % (f, v))


def main():
    if sys.argv[1:] == ["--fields"]:
        print(" ".join("-e " + f for f in FIELDS))
        return 0
    dump = [json.loads(l) for l in open(sys.argv[1])]
    summary = dump.pop()
    rows = []
    for line in open(sys.argv[2]):
        vals = line.rstrip("\n").split("\t")
        if len(vals) != len(FIELDS):
            print("wireshark_compare: tshark row has %d columns, want %d" % (len(vals), len(FIELDS)))
            return 1
        row = {f: v for f, v in zip(FIELDS, vals) if v != ""}
        for f, v in row.items():
            if "," in v:
                print("wireshark_compare: packet holds several frames (%s=%s): one per packet expected" % (f, v))
                return 1
        rows.append(row)

    errs = []
    pos = 0
    frames = []
    for r in rows:
        if "slink.wire" in r:
            frames.append((pos + num(r["slink.idle"]), r))
        pos += num(r["frame.len"])
    if len(frames) != len(dump):
        errs.append("tshark shows %d frames, slink-dump %d" % (len(frames), len(dump)))
    for i, (d, (off, t)) in enumerate(zip(dump, frames)):
        check_frame(d, t, off, errs, "frame %d (packet offset %d)" % (i + 1, off))

    # The summary line's counters, recounted from the dissection.
    drops = [t.get("slink.drop") for _, t in frames]
    want = {
        "bytes": pos,
        "frames": sum(1 for x in drops if x is None),
        "drops": sum(1 for x in drops if x is not None),
        "crc": drops.count("ERR_FRAME_CRC"), "cobs": drops.count("ERR_FRAME_COBS"),
        "runt": drops.count("ERR_FRAME_RUNT"), "oversize": drops.count("ERR_FRAME_OVERSIZE"),
        "bad_addr": drops.count("ERR_FRAME_ADDR"), "timeout": 0,
    }
    for k, v in want.items():
        if summary.get(k) != v:
            errs.append("summary %s: dissector gives %d, slink-dump %s" % (k, v, summary.get(k)))

    if errs:
        print("wireshark_compare: %d disagreement(s):" % len(errs))
        for e in errs[:40]:
            print("  " + e)
        return 1
    print("wireshark_compare: %d frames agree with slink-dump (%d fields compared), summary agrees"
          % (len(dump), sum(len(d) for d in dump)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
