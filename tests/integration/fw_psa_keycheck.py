#!/usr/bin/env python3
"""Where the PSA firmware variant's identity scalar is (fw_psa_keycheck.sh).

image BLANK_ELF PROVISIONED_ELF KEY_DER
    The scalar (in either byte order, or either half of it) is in no
    loaded section of the image as linked, and in exactly one place of the
    provisioned image: its .slink_its section, which is the only section
    provisioning changed.
ram DUMP KEY_DER {absent|present}
    A RAM dump of the running device holds the scalar or does not.
"""
import struct
import sys


def scalar(path):
    der = open(path, "rb").read()
    # SEC1 ECPrivateKey: 30 len 02 01 01 04 20 <d>
    i = der.find(b"\x02\x01\x01\x04\x20")
    if der[0] != 0x30 or i < 0 or i > 4:
        sys.exit("keycheck: %s is not a SEC1 P-256 key" % path)
    return der[i + 5:i + 37]


def needles(d):
    """The scalar as bytes and as a little-endian integer (how limb
    arithmetic keeps it), and each form's halves."""
    out = []
    for form in (d, d[::-1]):
        out += [form, form[:16], form[16:]]
    return out


def loaded_sections(path):
    """{name: bytes} of the sections a loader writes (SHF_ALLOC, not NOBITS)."""
    b = open(path, "rb").read()
    if b[:4] != b"\x7fELF" or b[4] != 1 or b[5] != 1:
        sys.exit("keycheck: %s is not a 32-bit little-endian ELF" % path)
    shoff, = struct.unpack_from("<I", b, 0x20)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", b, 0x2E)
    hdrs = [struct.unpack_from("<IIIIIIIIII", b, shoff + k * shentsize) for k in range(shnum)]
    strtab = hdrs[shstrndx]
    names = b[strtab[4]:strtab[4] + strtab[5]]
    out = {}
    for name, typ, flags, _addr, off, size, *_ in hdrs:
        if flags & 0x2 and typ != 8 and size:
            out[names[name:names.index(b"\0", name)].decode()] = b[off:off + size]
    return out


def count(blob, d):
    return sum(blob.count(n) for n in needles(d))


def main():
    fails = 0
    if sys.argv[1] == "image":
        blank, prov, d = loaded_sections(sys.argv[2]), loaded_sections(sys.argv[3]), scalar(sys.argv[4])
        hits = {n: count(s, d) for n, s in blank.items() if count(s, d)}
        if hits:
            print("FAIL - the image as linked holds the scalar: %s" % hits); fails += 1
        else:
            print("ok   - the image as linked (%d loaded sections) holds no part of the scalar" % len(blank))
        hits = {n: count(s, d) for n, s in prov.items() if count(s, d)}
        exact = {n: prov[n].count(d) for n in prov if prov[n].count(d)}
        if exact != {".slink_its": 1} or set(hits) != {".slink_its"}:
            print("FAIL - provisioned image: scalar found in %s" % hits); fails += 1
        else:
            print("ok   - provisioned image: the scalar once, in .slink_its only")
        changed = sorted(n for n in set(blank) | set(prov) if blank.get(n) != prov.get(n))
        if changed != [".slink_its"]:
            print("FAIL - provisioning changed %s" % changed); fails += 1
        else:
            print("ok   - provisioning changed the ITS region only")
    else:
        ram, d, want = open(sys.argv[2], "rb").read(), scalar(sys.argv[3]), sys.argv[4]
        n = count(ram, d)
        if (n > 0) != (want == "present"):
            print("FAIL - %s: scalar pieces in RAM: %d, expected %s" % (sys.argv[2], n, want)); fails += 1
        else:
            print("ok   - %s: scalar %s in the RAM dump (%d pieces)" % (sys.argv[2].split("/")[-2], want, n))
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
