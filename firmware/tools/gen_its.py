#!/usr/bin/env python3
"""Provisions the PSA firmware variant's identity key: writes the image of
its internal trusted storage region (firmware/psa/fw_its.c, layout in
fw_its.h) holding one record, the key as a persistent PSA key in mbedTLS
3.6's storage format (library/psa_crypto_storage.c,
psa_format_key_data_for_storage):

    magic "PSA\\0KEY\\0" (8), version 0 (u32), lifetime (u32), type (u16),
    bits (u16), usage (u32), alg (u32), alg2 (u32), data length (u32), data

all little-endian; an ECC key pair's data is its private scalar, 32 bytes
big-endian for P-256.  The ITS record's uid is the key id (mbedTLS without
key owners: uid = id).  The build then patches this into the linked
image's .slink_its section (objcopy --update-section): the image itself
carries no key.

usage: gen_its.py --key SEC1.der --key-id N --size BYTES --out its.bin
"""
import argparse
import struct

ITS_MAGIC = 0x31535449          # "ITS1", fw_its.h
ITS_LIVE = 0xFFFFFFFF
PSA_KEY_LIFETIME_PERSISTENT = 0x00000001
PSA_KEY_TYPE_ECC_KEY_PAIR_SECP_R1 = 0x7112
PSA_KEY_USAGE_SIGN_HASH = 0x00001000
PSA_ALG_ECDSA_SHA_256 = 0x06000609   # PSA_ALG_ECDSA(PSA_ALG_SHA_256): p256-m signs randomised
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def sec1_scalar(der):
    """The private scalar of a SEC1 ECPrivateKey (RFC 5915):
    SEQUENCE { INTEGER 1, OCTET STRING d, [0] params OPTIONAL, [1] pub OPTIONAL }."""
    def tlv(buf, i):
        tag, n = buf[i], buf[i + 1]
        i += 2
        if n & 0x80:
            k = n & 0x7F
            n = int.from_bytes(buf[i:i + k], "big")
            i += k
        return tag, buf[i:i + n], i + n
    tag, seq, _ = tlv(der, 0)
    if tag != 0x30:
        raise SystemExit("gen_its: key is not SEC1 DER")
    tag, ver, i = tlv(seq, 0)
    if tag != 0x02 or ver != b"\x01":
        raise SystemExit("gen_its: not an ECPrivateKey version 1")
    tag, d, _ = tlv(seq, i)
    if tag != 0x04 or len(d) != 32:
        raise SystemExit("gen_its: private key is not a 32-byte P-256 scalar")
    if not 1 <= int.from_bytes(d, "big") < P256_N:
        raise SystemExit("gen_its: scalar out of range")
    return d


def psa_key_blob(d):
    return (b"PSA\0KEY\0" + struct.pack("<IIHHIIII", 0, PSA_KEY_LIFETIME_PERSISTENT,
                                        PSA_KEY_TYPE_ECC_KEY_PAIR_SECP_R1, 256,
                                        PSA_KEY_USAGE_SIGN_HASH, PSA_ALG_ECDSA_SHA_256, 0,
                                        len(d)) + d)


def its_record(uid, data, flags=0):
    rec = struct.pack("<IIQII", ITS_MAGIC, ITS_LIVE, uid, len(data), flags) + data
    return rec + b"\xff" * (-len(rec) % 4)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--key", required=True)
    ap.add_argument("--key-id", required=True, type=lambda s: int(s, 0))
    ap.add_argument("--size", required=True, type=int)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    if not 1 <= a.key_id <= 0x3FFFFFFF:
        raise SystemExit("gen_its: key id outside PSA's user range")
    rec = its_record(a.key_id, psa_key_blob(sec1_scalar(open(a.key, "rb").read())))
    if len(rec) > a.size:
        raise SystemExit("gen_its: record does not fit the region")
    with open(a.out, "wb") as f:
        f.write(rec + b"\xff" * (a.size - len(rec)))


if __name__ == "__main__":
    main()
