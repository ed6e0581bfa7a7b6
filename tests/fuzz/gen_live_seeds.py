#!/usr/bin/env python3
"""Writes the seed corpus of tests/fuzz/fuzz_live.c (the script language is
described at the top of that file) into the directory given (default
tests/fuzz/corpus/fuzz_live).  Seeds: every scenario clean; each issue 12
finding as a script (the fuzzer's oracles fail on them until it is fixed);
every attacker class against each node in a fresh and an established pair;
genuine drops, duplicates and reorders of the handshake."""
import os
import sys

# time table index (fuzz_live.c g_time_ms): 0 ms, 500 ms, 1001 ms, 2000 ms, 5000 ms
T0, T500, T1001, T2000, T5000 = 0, 15, 19, 21, 25


def D(side, count=1):
    return bytes([0 | ((side | ((count - 1) << 1)) << 3)])


def DROP(side):
    return bytes([1 | (side << 3)])


def DUP(side):
    return bytes([2 | (side << 3)])


def REORD(side, k=1):
    return bytes([3 | ((side | (k << 1)) << 3)])


def T(idx):
    return bytes([4 | (idx << 3)])


def INJ(side, cls, *params):
    return bytes([5 | ((side | (cls << 1)) << 3)]) + bytes(params)


def APP(side, kind, j=0):
    return bytes([6 | ((side | ((kind + 4 * j) << 1)) << 3)])


def F(rounds=1):
    return bytes([7 | ((rounds - 1) << 3)])


SEND, KEYUPD, READ, DGRAM = 0, 1, 2, 3
A, B = 0, 1

# a well-formed-looking msg1 body with a reserved flag bit (x: any 32 bytes)
MSG1_RESERVED_FLAG = bytes([0x21, 0x02, 0x45]) + bytes(range(1, 33))


def seeds():
    out = {}
    for s in range(6):
        out[f"s{s}_clean"] = bytes([s])
        out[f"s{s}_steps"] = bytes([s]) + F() + T(T0) + F(3) + T(T500) + F(2) + APP(A, SEND, 2) + APP(B, SEND, 1) + F(4) + APP(A, READ) + APP(B, READ)
    # finding 1: malformed msg1 while A waits for msg2 (its own msg1 lost)
    out["f1_msg1_one_byte"] = bytes([0]) + T(T0) + DROP(B) + INJ(A, 1, 0x91, 0x21)
    out["f1_msg1_reserved_flag"] = bytes([0]) + T(T0) + DROP(B) + INJ(A, 1, 0x83) + MSG1_RESERVED_FLAG
    # finding 2: forged msg1 to the initiator while its msg1 is on the way
    out["f2_forged_msg1_to_initiator"] = bytes([0]) + T(T0) + INJ(A, 0, 0x00) + F(4)
    out["f2_forged_msg1_repeated"] = bytes([0]) + T(T0) + (INJ(A, 0, 0x01) + T(T500)) * 6 + F(4)
    # finding 3: forged no_session while established and data flows
    out["f3_no_session_storm"] = bytes([4]) + (APP(A, SEND, 3) + APP(B, SEND, 3) + INJ(A, 6, 0x00) + F(2) + T(T500) + APP(A, READ) + APP(B, READ)) * 5
    out["f3_no_session_auto"] = bytes([5]) + (INJ(A, 6, 0x00) + INJ(B, 6, 0x01) + F(2) + T(T500)) * 3
    # finding 6: a forged msg1 per rate interval while the handshake runs
    out["f6_msg1_per_second"] = bytes([0]) + (INJ(B, 0, 0x02) + F(1) + T(T1001)) * 6
    out["f6_msg1_wipes_wait_msg3"] = bytes([0]) + T(T0) + D(B) + D(A) + DROP(B) + T(T1001) + INJ(B, 0, 0x03) + F(4)
    # finding 7: forged msg2 with an invalid x_r (no point; x >= p)
    out["f7_msg2_bad_x"] = bytes([0]) + T(T0) + DROP(B) + INJ(A, 3, 0x02, 0x40)
    out["f7_msg2_x_ge_p"] = bytes([0]) + T(T0) + DROP(B) + INJ(A, 3, 0x04, 0x40)
    # finding 8: two key updates in a row
    out["f8_two_key_updates"] = bytes([4]) + APP(A, KEYUPD) + APP(A, KEYUPD) + APP(A, SEND, 3) + F(4) + T(T500) + F(4) + APP(B, READ)
    # finding 9: the genuine msg1 repeated at the responder
    out["f9_duplicate_msg1"] = bytes([0]) + T(T0) + D(B) + INJ(B, 14, 31) + INJ(B, 14, 31) + INJ(B, 14, 31)
    # every attacker class against each node, fresh and established
    for s in (0, 4):
        for cls in range(16):
            for side in (A, B):
                body = bytes([0x21 + cls, 0x40, 0x03]) + bytes((cls * 7 + k) & 0xFF for k in range(40))
                pre = T(T0) if s == 0 else APP(A, SEND, 1)
                out[f"s{s}_class{cls:02d}_to_{'AB'[side]}"] = bytes([s]) + pre + D(B) + INJ(side, cls) + body + F(2)
    # repair requests (class 15, bit 7 of the first byte): msg2 "send all"
    # to the responder while it holds msg2, repeated; msg3's with a map to
    # the initiator while it holds msg3
    out["repair_all_msg2_repeated"] = bytes([0]) + T(T0) + D(B) + (INJ(B, 15, 0x82) + F(1)) * 8 + F(4)
    out["repair_map_msg3"] = bytes([0]) + T(T0) + D(B) + D(A, 2) + INJ(A, 15, 0x81, 0xFF, 0xFF, 0x0F) + DROP(B) + F(4)
    # the genuine handshake duplicated, reordered, partly lost
    out["genuine_dup_reorder"] = bytes([0]) + T(T0) + DUP(B) + D(B) + DUP(A) + REORD(A) + D(A, 2) + DROP(B) + T(T500) + F(4)
    out["genuine_lossy_auto"] = bytes([1]) + T(T0) + DROP(A) + D(B) + T(T500) + DROP(A) + T(T2000) + F(4)
    out["replay_after_keyupdate"] = bytes([4]) + APP(A, SEND, 2) + F(2) + APP(A, KEYUPD) + APP(A, SEND) + F(2) + INJ(B, 9, 0) + INJ(B, 9, 1) + INJ(A, 10, 2) + T(T5000) + F(2)
    return out


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "tests/fuzz/corpus/fuzz_live"
    os.makedirs(d, exist_ok=True)
    for name, data in sorted(seeds().items()):
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    print(f"fuzz_live: {len(seeds())} seeds written to {d}")


if __name__ == "__main__":
    main()
