#!/usr/bin/env python3
"""Extra frames for wireshark_dissect.sh, beyond slink-dump-mkcap's capture:
the cases a dissector most easily gets wrong (1- and 6-byte sequence
fields, reserved record headers, short bodies, whole HS2/HS3 messages,
out-of-order fragments, multi-block COBS, both kinds of oversize, broadcast
and reserved destinations, idle bytes).  Written with this file's own COBS
and CRC code, so slink-dump decoding them is also a cross-check of both.
usage: wireshark_frames.py OUT"""
import sys


def crc16(data):
    c = 0xFFFF
    for b in data:
        c ^= b << 8
        for _ in range(8):
            c = ((c << 1) ^ 0x1021) if c & 0x8000 else (c << 1)
            c &= 0xFFFF
    return c


def cobs(data):
    out = bytearray([0])
    code_pos, code = 0, 1
    for i, b in enumerate(data):
        if b:
            out.append(b)
            code += 1
            if code != 0xFF or i + 1 == len(data):
                continue
        out[code_pos] = code
        code_pos = len(out)
        out.append(0)
        code = 1
    out[code_pos] = code
    return bytes(out)


assert crc16(b"123456789") == 0x29B1
assert cobs(b"\x11\x22\x00\x33") == b"\x03\x11\x22\x02\x33"


def frame(dst, src, typ, body=b"", crc_xor=0):
    f = bytes([dst, src, typ]) + body
    c = crc16(f) ^ crc_xor
    return cobs(f + bytes([c >> 8, c & 0xFF])) + b"\x00"


def rec_type(ct, epoch, code):
    return 0x80 | (epoch & 3) << 5 | ct << 2 | code


def frag(off, total, data):
    return bytes([off >> 8, off & 0xFF, total >> 8, total & 0xFF]) + data


def main():
    out = bytearray()
    tag = bytes(range(0xA0, 0xB0))
    msg1 = bytes([0x21, 0x01, 16]) + bytes(range(0x60, 0x80))
    msg2 = bytes([0x00, 255]) + bytes(range(0x81, 0xA1)) + bytes(range(0x30, 0x30 + 100))
    # a protocol version 1 msg1 (vs 0x11, 16-byte nonce before x): bad version
    msg1_v1 = bytes([0x11, 0x01, 16]) + bytes(range(0x40, 0x50)) + bytes(range(0x60, 0x80))
    out += b"\x00\x00\x00"                                         # idle line
    out += frame(0x02, 0x01, 0x01, msg1[:34])                      # HS1, bad length
    out += frame(0x02, 0x01, 0x01, msg1_v1)                        # HS1 of version 1
    out += frame(0x02, 0x01, 0x01, b"\x31")                        # a later version, 1 byte
    out += frame(0x01, 0x02, 0x02, msg2)                           # whole HS2
    out += frame(0x01, 0x02, 0x02, msg2[:49])                      # HS2 shorter than clear part + tag
    out += frame(0x02, 0x01, 0x03, bytes(range(0x10, 0x10 + 96)))  # whole HS3
    out += frame(0x02, 0x01, 0x03, b"\x01" * 10)                   # HS3 shorter than a tag
    # msg1 in three fragments, last one first, another pair's fragment between
    out += frame(0x07, 0x06, 0x11, frag(25, 35, msg1[25:]))
    out += frame(0x09, 0x08, 0x13, frag(0, 200, b"\x55" * 30))    # never completed
    out += frame(0x07, 0x06, 0x11, frag(0, 35, msg1[:12]))
    out += frame(0x07, 0x06, 0x11, frag(12, 35, msg1[12:25]))      # completes it
    out += frame(0x07, 0x06, 0x12, frag(0, 0, b"\x01"))            # total 0: malformed
    out += frame(0x07, 0x06, 0x12, frag(60, 50, b""))              # off beyond total
    out += frame(0x07, 0x06, 0x12, frag(0, 10, b"\x02" * 11))      # data past total
    out += frame(0x07, 0x06, 0x13, frag(0, 2000, b"\x03"))         # beyond HS_MSG_MAX
    # repair requests (§4.7): msgno total map of missing 60-byte granules
    out += frame(0x02, 0x01, 0x18, bytes([2, 0x01, 0xCD, 0x84]))   # msg2 of 461: granules 2 and 7
    out += frame(0x01, 0x02, 0x18, bytes([3, 0x04, 0xA0, 0x01, 0x00, 0x08]))  # 1184 bytes: 20 granules
    out += frame(0x01, 0x02, 0x18, bytes([3, 0, 0]))               # nothing arrived: all
    out += frame(0x02, 0x01, 0x18, bytes([2, 0, 61, 0x04]))        # granule past the end
    out += frame(0x02, 0x01, 0x18, bytes([2, 0, 61, 0x00]))        # names nothing
    out += frame(0x02, 0x01, 0x18, bytes([1, 0, 0]))               # msg1 is never repaired
    out += frame(0x02, 0x01, 0x18, bytes([2, 0x04, 0xA1, 0, 0, 0]))  # beyond HS_MSG_MAX
    out += frame(0x02, 0x01, 0x18, bytes([2, 0, 61]))              # map missing
    out += frame(0x07, 0x06, 0x12, b"\x00\x01")                    # header cut short
    # records: every sequence field width, reserved codes, short bodies
    out += frame(0x01, 0x02, rec_type(3, 2, 0), b"\x07" + b"\x00chunk" + tag)
    out += frame(0x01, 0x02, rec_type(4, 0, 2), bytes.fromhex("123456789abc") + b"dg" + tag)
    out += frame(0x02, 0x01, rec_type(2, 3, 1), b"\xff\xfe" + bytes(8) + tag)
    out += frame(0x02, 0x01, rec_type(0, 2, 0), b"\x01" + tag)     # content type 0 reserved
    out += frame(0x02, 0x01, rec_type(6, 2, 0), b"\x01" + tag)     # content type 6 reserved
    out += frame(0x02, 0x01, rec_type(1, 2, 3), b"\x01" + tag)     # seq code 3 reserved
    out += frame(0x02, 0x01, rec_type(4, 2, 2), bytes(6) + tag[:15])  # shorter than seq + tag
    out += frame(0x02, 0x01, rec_type(1, 2, 0), b"\x05" + tag)     # empty ciphertext
    # multi-block COBS: a 300-byte body without zeros, and one ending a block exactly
    out += frame(0x01, 0x02, rec_type(4, 2, 1), bytes((i % 255) + 1 for i in range(300)))
    out += frame(0x01, 0x02, rec_type(4, 2, 1), bytes((i % 200) + 1 for i in range(249)))
    # plaintext alerts and link control
    out += frame(0x02, 0x01, 0x30, bytes([1, 100]))                # warning no_session
    out += frame(0x02, 0x01, 0x30, bytes([5, 7]))                  # invalid level, unknown code
    out += frame(0x02, 0x01, 0x30, bytes([2, 40, 0]))              # wrong length
    out += frame(0xFF, 0x01, 0x20)                                 # POLL to broadcast
    out += frame(0xF3, 0x01, 0x21, b"\x09")                        # reserved dst: a monitor shows it
    out += frame(0x00, 0x04, 0x20)                                 # dst none: shown too
    out += frame(0x01, 0x00, 0x21)                                 # src none: ERR_FRAME_ADDR
    out += frame(0x01, 0xFF, 0x21)                                 # broadcast src: ERR_FRAME_ADDR
    out += frame(0x01, 0x02, rec_type(3, 2, 0), b"\x01" + tag, crc_xor=0x8000)  # bad CRC on a record
    out += b"\x00" + frame(0x01, 0x02, 0x20)                       # flushed with a leading 0x00
    out += b"\x05\x01\x02\x00"                                     # COBS block past the end
    out += b"\x07\x11\x22\x33\x44\x55\x66\x00"                     # 6 bytes, garbage CRC
    # decoded length over 3 + 1104 + 2 while the encoded length still fits
    out += frame(0x01, 0x02, 0x20, bytes(1105))
    # encoded length over the receiver's buffer: dropped when it overflows
    out += bytes((i % 250) + 1 for i in range(1200)) + b"\x00"
    out += frame(0x01, 0x02, 0x21)                                 # next frame still found
    with open(sys.argv[1], "wb") as f:
        f.write(out)


if __name__ == "__main__":
    main()
