#!/usr/bin/env python3
"""Seed keys for fuzz_key (tests/fuzz/fuzz_key.c).

SEC 1 and PKCS#8 keys from slink-pki (tools/pki, the writer the test PKI
uses: mbedTLS's SEC 1 DER) and from the openssl CLI, plus DER edits of them
that reach the decoder's other paths and the differences to mbedTLS the
target undoes: no [0] or no [1], a short scalar, d = 0 and d = n, an
unusable [1], OneAsymmetricKey v2 with attributes and a public key, and
foreign keys (P-384, RSA, id-ecDH, explicit parameters, encrypted PKCS#8).
Keys are fresh each run, so the bytes differ between runs; any run's output
is a good seed set.

Usage: tests/fuzz/gen_key_seeds.py [OUTDIR]   (default tests/fuzz/corpus/fuzz_key)
slink-pki is built with `make BUILD=$BUILD` (BUILD defaults to build/keyseeds)
unless SLINK_PKI names a built one.
"""
import os
import subprocess
import sys
import tempfile

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

OID_EC_PUBKEY = bytes.fromhex("2a8648ce3d0201")
OID_ECDH = bytes.fromhex("2b8104010c")
OID_P256 = bytes.fromhex("2a8648ce3d030107")
P256_N = bytes.fromhex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")


# ---- DER: one-byte tags, definite lengths ----

def tlv(tag, content):
    n = len(content)
    if n < 0x80:
        hdr = bytes([n])
    elif n < 0x100:
        hdr = bytes([0x81, n])
    else:
        hdr = bytes([0x82, n >> 8, n & 0xff])
    return bytes([tag]) + hdr + content


def elements(b):
    """The elements of b as (tag, contents, whole) in order."""
    out, i = [], 0
    while i < len(b):
        tag, n, j = b[i], b[i + 1], i + 2
        if n & 0x80:
            k = n & 0x7f
            n = int.from_bytes(b[j:j + k], "big")
            j += k
        out.append((tag, b[j:j + n], b[i:j + n]))
        i = j + n
    return out


def contents(b):
    (tag, c, _), = elements(b)
    return c


def sec1(version=1, scalar=None, curve=True, pub=None, src=None):
    """An ECPrivateKey, parts taken from the SEC 1 key src unless given."""
    parts = {t: c for t, c, _ in elements(contents(src))} if src else {}
    body = tlv(0x02, bytes([version])) + tlv(0x04, scalar if scalar is not None else parts[0x04])
    if curve is True:
        body += tlv(0xa0, tlv(0x06, OID_P256))
    elif curve:
        body += tlv(0xa0, curve)
    if pub is None and src and 0xa1 in parts:
        pub = parts[0xa1]
    if pub is not False and pub is not None:
        body += tlv(0xa1, pub)
    return tlv(0x30, body)


def pkcs8(inner, version=0, alg=OID_EC_PUBKEY, curve=OID_P256, tail=b""):
    body = tlv(0x02, bytes([version])) + tlv(0x30, tlv(0x06, alg) + tlv(0x06, curve))
    return tlv(0x30, body + tlv(0x04, inner) + tail)


def point_bits(sec1_key):
    """The BIT STRING contents of a SEC 1 key's [1] (00 04 X Y)."""
    for t, c, _ in elements(contents(sec1_key)):
        if t == 0xa1:
            return contents(c)
    raise ValueError("no public key")


# ---- tools ----

def run(*args, **kw):
    return subprocess.run(args, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, **kw).stdout


def pem_body(path):
    lines = open(path).read().strip().splitlines()
    return run("openssl", "base64", "-d", input="\n".join(lines[1:-1]).encode() + b"\n")


def slink_pki():
    if os.environ.get("SLINK_PKI"):
        return os.environ["SLINK_PKI"]
    build = os.environ.get("BUILD", "build/keyseeds")
    run("make", "-s", "-C", TOP, "BUILD=" + build, build + "/slink-pki")
    return os.path.join(TOP, build, "slink-pki")


def main():
    out = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, "tests/fuzz/corpus/fuzz_key"))
    os.makedirs(out, exist_ok=True)
    pki = slink_pki()
    seeds = {}
    with tempfile.TemporaryDirectory() as w:
        def f(name):
            return os.path.join(w, name)

        # slink-pki: SEC 1 DER with [0] and [1]; openssl turns it into PKCS#8
        run(pki, "ca", "--der", "--out-cert", f("ca.der"), "--out-key", f("ca.key"))
        seeds["pki_sec1.der"] = open(f("ca.key"), "rb").read()
        seeds["pki_pkcs8.der"] = run("openssl", "pkcs8", "-topk8", "-nocrypt", "-inform", "der", "-in", f("ca.key"),
                                     "-outform", "der")

        # openssl: PKCS#8 from genpkey (inner key without [0]), SEC 1 with and without [1]
        run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", f("ec.pem"))
        seeds["ossl_pkcs8.der"] = pem_body(f("ec.pem"))
        seeds["ossl_sec1.der"] = run("openssl", "ec", "-in", f("ec.pem"), "-outform", "der")
        seeds["ossl_sec1_nopub.der"] = run("openssl", "ec", "-in", f("ec.pem"), "-no_public", "-outform", "der")
        seeds["ossl_sec1_explicit.der"] = run("openssl", "ec", "-in", f("ec.pem"), "-param_enc", "explicit",
                                              "-outform", "der")
        seeds["ossl_pkcs8_enc.der"] = run("openssl", "pkcs8", "-topk8", "-in", f("ec.pem"), "-v2", "aes-128-cbc",
                                          "-passout", "pass:slink", "-outform", "der")
        run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", f("p384.pem"))
        seeds["ossl_p384_pkcs8.der"] = pem_body(f("p384.pem"))
        seeds["ossl_p384_sec1.der"] = run("openssl", "ec", "-in", f("p384.pem"), "-outform", "der")
        run("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", f("rsa.pem"))
        seeds["ossl_rsa_pkcs8.der"] = pem_body(f("rsa.pem"))

    # edits of the slink-pki key
    k = seeds["pki_sec1.der"]
    d = {t: c for t, c, _ in elements(contents(k))}[0x04]
    bits = point_bits(k)
    seeds["sec1_bare.der"] = sec1(src=k, curve=False, pub=False)
    seeds["sec1_pub_only.der"] = sec1(src=k, curve=False)
    seeds["sec1_curve_only.der"] = sec1(src=k, pub=False)
    seeds["sec1_short_scalar.der"] = sec1(scalar=b"\x5a" + d[2:], pub=False)
    seeds["sec1_d_zero.der"] = sec1(scalar=bytes(32), pub=False)
    seeds["sec1_d_n.der"] = sec1(scalar=P256_N, pub=False)
    seeds["sec1_pub_compressed.der"] = sec1(src=k, pub=tlv(0x03, b"\x00" + bytes([2 + (bits[-1] & 1)]) + bits[2:34]))
    seeds["sec1_pub_off_curve.der"] = sec1(src=k, pub=tlv(0x03, bits[:-1] + bytes([bits[-1] ^ 1])))
    inner = sec1(src=k, curve=False)
    seeds["pkcs8_inner_curve.der"] = pkcs8(sec1(src=k))
    attrs = tlv(0xa0, tlv(0x30, tlv(0x06, bytes.fromhex("2a864886f70d010907")) + tlv(0x31, tlv(0x0c, b"x"))))
    seeds["pkcs8_v2_pub.der"] = pkcs8(sec1(src=k, curve=False, pub=False), version=1, tail=tlv(0x81, bits))
    seeds["pkcs8_v2_attrs_pub.der"] = pkcs8(inner, version=1, tail=attrs + tlv(0x81, bits))
    seeds["pkcs8_v1_attrs.der"] = pkcs8(inner, tail=attrs)
    seeds["pkcs8_ecdh.der"] = pkcs8(inner, alg=OID_ECDH)

    for name, b in sorted(seeds.items()):
        with open(os.path.join(out, name), "wb") as fh:
            fh.write(b)
        print(name, len(b))


if __name__ == "__main__":
    main()
