#!/usr/bin/env python3
"""Footprint of the PSA firmware variant (device-psa.elf, mk/fw_psa.mk)
for `make firmware-size`, counted as firmware/tools/fw_size.py counts the
raw p256-m image: flash from the Cortex-M4F map, RAM as static data+bss of
that map plus the heap high-water and painted stack depth measured on the
Cortex-M3 device under QEMU (tests/integration/fw_measure.sh), handshake
compute as instructions under QEMU -icount (fw_hsbench.sh) at 64 MHz.

measure: --map MAP --measured TXT --hsbench TXT --out psa-size.json
merge:   --merge psa-size.json --sizes sizes.json
    prints the variant beside the raw build's figures in sizes.json and
    adds the fw_psa_* keys to it (no existing key changes).
"""
import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fw_size  # noqa: E402

RAW_CLASSIFY = fw_size.classify

GROUPS = ("slink core", "PSA Crypto core", "mbedTLS crypto", "p256-m", "port", "port: PSA (ITS, RNG, key)",
          "provisioning", "board", "application", "libc/libgcc", "other")


def classify(origin):
    """fw_size's groups, with the PSA core apart.  p256-m is the device
    backend's (p256m_lib.o in libslink-psa.a, counted as fw_size counts it)
    plus the driver entry points the PSA core calls it through."""
    m = re.search(r"\(([\w.-]+)\.o\)", origin)
    mod = m.group(1) if m else ""
    if "libmbedcrypto-psa.a" in origin:
        if mod.startswith("p256-m"):
            return "p256-m"
        return "PSA Crypto core" if mod.startswith("psa_") else "mbedTLS crypto"
    if "/obj-psa/fw/" in origin:
        return "port: PSA (ITS, RNG, key)"
    return RAW_CLASSIFY(origin)


def measure(a):
    fw_size.classify = classify   # parse_map looks it up at each call
    try:
        groups, _mods, _heap, _stack = fw_size.parse_map(a.map)
    finally:
        fw_size.classify = RAW_CLASSIFY
    all_d = fw_size.total(groups, groups.keys())
    its = 0
    for line in open(a.map):
        m = fw_size.OUT_SECTION.match(line)
        if m and m.group(1) == ".slink_its":
            its = int(m.group(3), 16)
    out = {
        "fw_psa_total_text": all_d["text"],
        "fw_psa_total_data": all_d["data"],
        "fw_psa_total_bss": all_d["bss"],
        "fw_psa_its_bytes": its,
        "fw_psa_ram_static": all_d["data"] + all_d["bss"],
    }
    for g in GROUPS:
        if g in groups:
            out["fw_psa_text_" + re.sub(r"[^a-z0-9]+", "_", g.lower()).strip("_")] = groups[g]["text"]
    meas = {}
    if a.measured and os.path.exists(a.measured):
        for tok in open(a.measured).read().split():
            k, _, v = tok.partition("=")
            if v.isdigit():
                meas[k] = int(v)
    if meas:
        out["fw_psa_heap_high_water"] = meas.get("heap_high_water", 0)
        out["fw_psa_stack_peak"] = meas.get("stack_peak", 0)
        out["fw_psa_ram_peak"] = out["fw_psa_ram_static"] + meas.get("heap_high_water", 0) + \
            meas.get("stack_peak", 0)
    hs = {}
    if a.hsbench and os.path.exists(a.hsbench):
        for line in open(a.hsbench):
            f = line.split()
            if len(f) == 2 and f[1].isdigit():
                hs[f[0]] = int(f[1])
    if all(o in hs for o in fw_size.HS_OPS):
        for o in fw_size.HS_OPS:
            out["fw_psa_hs_insns_" + o] = hs[o]
        crit = sum(hs[o] for o in fw_size.HS_OPS if o not in fw_size.HS_AHEAD)
        tot = sum(hs[o] for o in fw_size.HS_OPS)
        out["fw_psa_handshake_ms_64mhz"] = round(ms(crit), 1)
        out["fw_psa_handshake_total_ms_64mhz"] = round(ms(tot), 1)
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


def ms(insns):
    return insns * fw_size.CPI_64MHZ / fw_size.CLOCK_HZ * 1000.0


def merge(a):
    psa = json.load(open(a.merge))
    sizes = json.load(open(a.sizes)) if os.path.exists(a.sizes) else {}
    clash = [k for k in psa if k in sizes and not k.startswith("fw_psa_")]
    if clash:
        sys.exit("fw_psa_size: would overwrite %s" % clash)

    def row(label, raw_key, psa_key, unit=""):
        r, p = sizes.get(raw_key), psa.get(psa_key)
        fmt = (lambda v: "-" if v is None else ("%.1f" % v if isinstance(v, float) else "%d" % v))
        diff = "" if r is None or p is None else ("%+.1f" % (p - r) if isinstance(p, float) else "%+d" % (p - r))
        print("  %-40s %10s %10s %9s %s" % (label, fmt(r), fmt(p), diff, unit))

    print()
    print("PSA variant (device-psa.elf: identity key a persistent PSA key in ITS, used by id through")
    print("mbedTLS 3.6's PSA Crypto core, p256-m its driver; the rest as the raw build), beside the raw p256-m build:")
    print("  %-40s %10s %10s %9s" % ("", "p256-m", "PSA", "diff"))
    row("image text (Cortex-M4F)", "fw_total_text", "fw_psa_total_text", "B")
    row("image data", "fw_total_data", "fw_psa_total_data", "B")
    print("  %-40s %10s %10d %9s %s" % ("ITS region (flash page, provisioned)", "-",
                                         psa.get("fw_psa_its_bytes", 0), "", "B"))
    row("RAM static data+bss", "fw_ram_static", "fw_psa_ram_static", "B")
    row("heap high-water (measured, Cortex-M3)", "fw_heap_high_water", "fw_psa_heap_high_water", "B")
    row("stack peak (painted, Cortex-M3)", "fw_stack_peak", "fw_psa_stack_peak", "B")
    row("RAM for one session", "fw_ram_peak", "fw_psa_ram_peak", "B")
    for o in fw_size.HS_OPS:
        row("handshake insns: " + o, "fw_hs_insns_" + o, "fw_psa_hs_insns_" + o)
    row("handshake, critical path at 64 MHz", "fw_handshake_ms_64mhz", "fw_psa_handshake_ms_64mhz", "ms")
    row("handshake, all of it at 64 MHz", "fw_handshake_total_ms_64mhz", "fw_psa_handshake_total_ms_64mhz", "ms")
    print("  the PSA variant against issue 13's RAM and handshake targets:")
    for key, label, target, unit in (
            ("fw_psa_ram_peak", "RAM for one session (static+heap+stack)", fw_size.TARGET_RAM, "B"),
            ("fw_psa_handshake_ms_64mhz", "handshake, critical path (64 MHz)", fw_size.TARGET_HS_MS, "ms"),
            ("fw_psa_handshake_total_ms_64mhz", "handshake, all of it (64 MHz)", fw_size.TARGET_HS_TOTAL_MS, "ms")):
        v = psa.get(key)
        print("    %-42s %10s  <= %-8.0f %-2s %s" % (label, "not measured" if v is None else "%.0f" % v,
                                                  target, unit, "n/a" if v is None else
                                                  ("PASS" if v <= target else "MISS")))
    print("  text by group (PSA image):")
    for k in sorted(k for k in psa if k.startswith("fw_psa_text_")):
        print("    %-38s %10d" % (k[len("fw_psa_text_"):], psa[k]))
    sizes.update(psa)
    with open(a.sizes, "w") as f:
        json.dump(sizes, f, indent=1, sort_keys=True)
        f.write("\n")
    print("added %d fw_psa_* keys to %s" % (len(psa), a.sizes))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--map")
    ap.add_argument("--measured")
    ap.add_argument("--hsbench")
    ap.add_argument("--out")
    ap.add_argument("--merge")
    ap.add_argument("--sizes")
    a = ap.parse_args()
    if a.merge and a.sizes:
        merge(a)
    elif a.map and a.out:
        measure(a)
    else:
        ap.error("either --map ... --out, or --merge --sizes")


if __name__ == "__main__":
    main()
