#!/usr/bin/env python3
"""Write a device's first NV seed record (firmware/port/fw_entropy.c):

    "SLNV" ver(1)=1 rsv(3)=0 boot_count(4, BE)=0 seed(32) check(16)
    check = SHA-256(the 44 bytes before it)[:16]

with a fresh random seed.  The firmware refuses to start without a valid
record (an erased or damaged sector is never taken for a first boot), so
provisioning writes this next to the device seed and the certificates;
on real hardware it goes to the NV sector's address with the flash tool.

usage: gen_nv_seed.py --out FILE"""
import argparse
import hashlib
import os
import struct


def record(seed, boot_count=0):
    if len(seed) != 32:
        raise ValueError("seed must be 32 bytes")
    body = b"SLNV" + bytes([1, 0, 0, 0]) + struct.pack(">I", boot_count) + seed
    return body + hashlib.sha256(body).digest()[:16]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rec = record(os.urandom(32))
    fd = os.open(a.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(rec)


if __name__ == "__main__":
    main()
