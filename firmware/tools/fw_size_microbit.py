#!/usr/bin/env python3
"""Footprint and handshake figures of the microbit build (`make
firmware-size-microbit`): the example device on the nRF51822 (Cortex-M0,
16 KiB RAM, 256 KiB flash), beside the Cortex-M4F/M3 figures of
`make firmware-size` when those have been produced ($(BUILD)/fw/sizes.json).

Flash and static RAM come from the link map (grouped as fw_size.py does);
the stack, heap and handshake instruction counts from the QEMU run of
tests/integration/fw_microbit.sh (-icount shift=0: one instruction per
virtual nanosecond).  Instructions become time with a stated
cycles-per-instruction factor (1.25, as for the M4 figures) at the part's
16 MHz and at 64 MHz for comparison with the other boards.

The Cortex-M3 counts (--m3-measured) come from the same steps on QEMU
mps2-an385 with the AN385 example device built to report its busy runs.

usage: fw_size_microbit.py --map M --measured FILE [--m3-measured FILE]
                           [--m4-json FILE] --json OUT
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fw_size import parse_map, total, row  # noqa: E402

RAM_BYTES = 16384
FLASH_BYTES = 262144
CPI = 1.25


def ms(instr, hz):
    return instr * CPI / hz * 1000.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--map", required=True)
    ap.add_argument("--measured", required=True)
    ap.add_argument("--m3-measured")
    ap.add_argument("--m4-json")
    ap.add_argument("--json", required=True)
    a = ap.parse_args()

    groups, _mods, heap_pool, stack = parse_map(a.map)
    every = total(groups, groups.keys())
    core_plus = total(groups, ["slink core", "mbedTLS crypto"])
    meas = {}
    for path in (a.measured, a.m3_measured):
        if path and os.path.exists(path):
            for line in open(path):
                k, _, v = line.strip().partition("=")
                if v.isdigit():
                    meas[k] = int(v)
    m4 = {}
    if a.m4_json and os.path.exists(a.m4_json):
        m4 = json.load(open(a.m4_json))

    print("microbit (nRF51822, Cortex-M0, -Os, newlib-nano): the example device")
    print("  %-44s %8s %6s %7s" % ("", "text", "data", "bss"))
    for g in ("slink core", "mbedTLS crypto", "libc/libgcc", "port", "board", "application",
              "provisioning", "other"):
        if g in groups:
            print(row("  " + g, groups[g]))
    print(row("slink core + the mbedTLS parts it uses", core_plus))
    print(row("linked device (device.elf)", every,
              "+ heap pool %d, stack %d" % (heap_pool, stack)))
    flash = every["text"] + every["data"]
    static = every["data"] + every["bss"]
    reserved = static + heap_pool + stack
    print("  flash %d of %d bytes; RAM reserved (static + heap pool + stack) %d of %d"
          % (flash, FLASH_BYTES, reserved, RAM_BYTES))
    peak = 0
    if meas:
        peak = static + meas.get("mb_heap_high_water", 0) + meas.get("mb_stack_peak", 0)
        print("  measured: stack %d of %d, heap high-water %d of %d; one session needs"
              % (meas.get("mb_stack_peak", 0), meas.get("mb_stack_size", 0),
                 meas.get("mb_heap_high_water", 0), meas.get("mb_heap_pool", 0)))
        print("  static + heap high-water + stack = %d bytes: %d free of the part's 16 KiB"
              % (peak, RAM_BYTES - peak))
        print()
        print("Handshake, the device's side (responder), instructions under QEMU -icount")
        print("(shift=0); time at CPI %.2f.  M3: the AN385 device through the same steps" % CPI)
        print("  %-34s %11s %9s %9s %11s %9s" % ("", "M0 instr", "16MHz ms", "64MHz ms",
                                                "M3 instr", "64MHz ms"))
        for label, key in (("msg1: keygen, ECDH, signature", "hs_msg1_instr"),
                           ("msg3, host certificate verified", "hs_msg3_instr_full"),
                           ("msg3, host certificate cached", "hs_msg3_instr_cached"),
                           ("handshake, certificate verified", "hs_instr_full"),
                           ("handshake, certificate cached", "hs_instr_cached")):
            v = meas.get("mb_" + key, 0)
            v3 = meas.get("m3_" + key, 0)
            print("  %-34s %11d %9.0f %9.0f %11s %9s" % (
                label, v, ms(v, 16e6), ms(v, 64e6), v3 if v3 else "-",
                "%.0f" % ms(v3, 64e6) if v3 else "-"))
    else:
        print("  (no QEMU measurement: run make fw-microbit)")
    if m4:
        print()
        print("Beside the other boards (make firmware-size: Cortex-M4F image, RAM measured on the M3):")
        for k in ("fw_core_crypto_text", "fw_total_text", "fw_ram_peak", "fw_handshake_ms_64mhz",
                  "fw_handshake_total_ms_64mhz"):
            if k in m4:
                print("  %-34s %10s" % (k, m4[k]))
        print("  %-34s %10d" % ("microbit core + crypto text", core_plus["text"]))
        print("  %-34s %10d" % ("microbit total text", every["text"]))
        print("  %-34s %10d" % ("microbit RAM peak", peak))

    out = {
        "mb_core_crypto_text": core_plus["text"],
        "mb_total_text": every["text"],
        "mb_total_data": every["data"],
        "mb_total_bss": every["bss"],
        "mb_flash": flash,
        "mb_ram_static": static,
        "mb_ram_reserved": reserved,
        "mb_ram_peak": peak,
        "mb_ram_part": RAM_BYTES,
        "mb_cpi": CPI,
    }
    for k, v in meas.items():
        out[k] = v
    if "mb_hs_instr_full" in meas:
        out["mb_handshake_ms_16mhz"] = round(ms(meas["mb_hs_instr_full"], 16e6), 1)
        out["mb_handshake_ms_64mhz"] = round(ms(meas["mb_hs_instr_full"], 64e6), 1)
        out["mb_handshake_cached_ms_64mhz"] = round(ms(meas["mb_hs_instr_cached"], 64e6), 1)
    if "m3_hs_instr_full" in meas:
        out["m3_handshake_ms_64mhz"] = round(ms(meas["m3_hs_instr_full"], 64e6), 1)
        out["m3_handshake_cached_ms_64mhz"] = round(ms(meas["m3_hs_instr_cached"], 64e6), 1)
    with open(a.json, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print()
    print("wrote " + a.json)


if __name__ == "__main__":
    main()
