#!/usr/bin/env python3
"""Seed scripts for fuzz_stream (tests/fuzz/fuzz_stream.c reads the format).

Each seed is a short, meaningful operation script so the fuzzer starts from
the paths a real link takes (in-order data, a gap filled late, a lost chunk
retransmitted, SACK, a shut window, close) instead of from random bytes.
Usage: gen_stream_seeds.py DIR
"""
import os
import sys

CHUNK, ACK, READ, WRITE, STEP, TX, SENDACK, CLOSE, TIMER = range(9)


def hold(ms):
    # a transmit-pacing hold: op bytes 17, 26, ... (8 mod 9, above 8) set
    # tx_hold_ms = now + byte
    b = TIMER + 9 * max(1, (ms - TIMER + 8) // 9)
    assert b % 9 == TIMER and 9 <= b <= 255
    return bytes([b])


def chunk(num, data):
    # length byte counts the chunk-number byte too (fuzz_stream: len = a2 % (chunk_max + 3))
    return bytes([CHUNK, num & 0xFF, len(data) + 1]) + bytes(data)


def ack(cum, sack, wnd, fin=0):
    return bytes([ACK, cum & 0xFF, sack >> 8 & 0xFF, sack & 0xFF, wnd, fin])


def header(chunk_max, window):
    return bytes([chunk_max - 1, window - 1])


SEEDS = {
    # receiver: three chunks in order, read them all, acknowledge
    "rx_in_order": header(16, 4)
    + chunk(0, b"A" * 16) + chunk(1, b"B" * 16) + chunk(2, b"C" * 5)
    + bytes([READ, 64, SENDACK]),
    # receiver: chunk 1 and 2 first (held out of order), then the gap fills
    "rx_gap_filled": header(16, 4)
    + chunk(1, b"B" * 16) + chunk(2, b"C" * 16) + bytes([SENDACK])
    + chunk(0, b"A" * 16) + bytes([READ, 48, SENDACK]),
    # receiver: duplicate and out-of-window chunks are dropped
    "rx_duplicates": header(8, 2)
    + chunk(0, b"x" * 8) + chunk(0, b"x" * 8) + chunk(5, b"y" * 8) + bytes([READ, 16]),
    # sender: write, transmit, cumulative ACK frees the window
    "tx_acked": header(32, 4)
    + bytes([WRITE, 100, TX, TX, TX, TX]) + ack(4, 0, 4) + bytes([WRITE, 20, TX]),
    # sender: chunk 0 lost, SACK for 1..2, the timer resends chunk 0
    "tx_sack_retransmit": header(16, 4)
    + bytes([WRITE, 48, TX, TX, TX]) + ack(0, 0b011, 4)
    + bytes([TIMER, TX]) + ack(3, 0, 4),
    # sender: every try times out until the chunk gives up
    "tx_give_up": header(8, 2)
    + bytes([WRITE, 8, TX] + [TIMER, TX] * 8),
    # sender: the peer shuts its window, then reopens it
    "tx_zero_window": header(16, 4)
    + bytes([WRITE, 64, TX]) + ack(1, 0, 0)
    + bytes([STEP, 250, TIMER, TX]) + ack(1, 0, 4) + bytes([TX, TX]),
    # sender with pacing: a partial chunk is held, a second write joins it,
    # the hold runs out and one chunk carries both writes
    "tx_paced": header(32, 4)
    + hold(26) + bytes([WRITE, 10, TX, WRITE, 10, TX, STEP, 30, TX]) + ack(1, 0, 4),
    # both: data, the peer's close after chunk 2, read to the end
    "close_both": header(16, 4)
    + chunk(0, b"q" * 10) + chunk(1, b"r" * 10) + bytes([CLOSE, 8 + 2])
    + bytes([READ, 40, WRITE, 5, CLOSE, 0x80, TX, TX]),
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
