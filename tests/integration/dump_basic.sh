#!/usr/bin/env bash
# slink-dump end to end.  A small C helper (slink-dump-mkcap, built from
# tools/dump/mkcap.c with the core's own encoders) writes a capture with
# good frames of every type, records sealed under known test secrets, and
# damage: bytes that are not COBS, a bad CRC, a reserved source, a runt, a
# tampered record, a replayed record and a truncated tail.  The dump must
# print exactly the lines below, from a file, stdin, hex text and a live
# pty tap through slink-linesim, and in JSON.
# usage: dump_basic.sh BUILD_DIR
set -euo pipefail
BUILD=${1:-build}
DUMP="$BUILD/slink-dump"
T=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "dump_basic: FAIL: $*" >&2; exit 1; }
same() {  # same EXPECTED ACTUAL WHAT
    diff -u "$1" "$2" >&2 || fail "$3: output differs from the expected lines"
}

"$BUILD/tools/slink-dump-mkcap" "$T/cap.bin" "$T/keys.log"

# Expected output with --keylog; without it the dec=... part and the
# decrypted counter are absent.
cat >"$T/keyed.exp" <<'EXP'
off=2 wire=6 drop=ERR_FRAME_COBS
off=8 wire=42 dst=0x02 src=0x01 crc=ok type=HS1 body=35 vs=0x21 version=2 suite=1 flags=0x00 mtu_code=69 mtu=1104 x=202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f
off=50 wire=75 dst=0x01 src=0x02 crc=ok type=HS2_FRAG body=68 frag_off=0 total=114 data=64
off=125 wire=61 dst=0x01 src=0x02 crc=ok type=HS2_FRAG body=54 frag_off=64 total=114 data=50 complete=yes flags=0x01 mtu_code=4 mtu=64 x=a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1 enc_len=80
off=186 wire=7 dst=0x05 src=0x01 crc=ok type=POLL body=0 budget=1115
off=193 wire=7 drop=ERR_FRAME_CRC dst=0x01 src=0x05 type_byte=0x21 body=0 crc=bad crc_rx=0x311a crc_calc=0x301a
off=200 wire=7 dst=0x01 src=0x05 crc=ok type=TURN_END body=0
off=207 wire=36 dst=0x01 src=0x02 crc=ok type=REC type_byte=0xcc body=29 ct=STREAM epoch_lo=2 seq_len=1 seq=0 ct_len=12 dec=ok epoch=2 pt_len=12 chunk=0 pt=0068656c6c6f20736c696e6b
off=243 wire=32 dst=0x02 src=0x01 crc=ok type=REC type_byte=0xc8 body=25 ct=ACK epoch_lo=2 seq_len=1 seq=0 ct_len=8 dec=ok epoch=2 pt_len=8 rx_epoch_lo=2 rx_high=0 cum=1 sack=0x0000 wnd=7 ack_flags=0x00 pt=0200000100000700
off=275 wire=28 dst=0x02 src=0x01 crc=ok type=REC type_byte=0xd0 body=21 ct=DATAGRAM epoch_lo=2 seq_len=1 seq=1 ct_len=4 dec=ERR_REC_AUTH
off=303 wire=36 dst=0x01 src=0x02 crc=ok type=REC type_byte=0xcc body=29 ct=STREAM epoch_lo=2 seq_len=1 seq=0 ct_len=12 dec=ERR_REC_REPLAY
off=339 wire=27 dst=0x01 src=0x02 crc=ok type=REC type_byte=0xc4 body=20 ct=ALERT epoch_lo=2 seq_len=1 seq=1 ct_len=3 dec=ok epoch=2 pt_len=3 level=warning alert=close_notify code=0 final=1 pt=010001
off=366 wire=28 dst=0x01 src=0x02 crc=ok type=REC type_byte=0xf0 body=21 ct=DATAGRAM epoch_lo=3 seq_len=1 seq=0 ct_len=4 dec=ok epoch=3 pt_len=4 pt=deadbeef
off=394 wire=26 dst=0x04 src=0x03 crc=ok type=REC type_byte=0xb0 body=19 ct=DATAGRAM epoch_lo=1 seq_len=1 seq=0 ct_len=2 dec=ok epoch=5 pt_len=2 pt=dead
off=420 wire=9 dst=0x01 src=0x02 crc=ok type=PLAIN_ALERT body=2 level=fatal alert=unknown_ca code=48
off=429 wire=8 dst=0xff src=0x03 crc=ok type=UNKNOWN type_byte=0x45 body=1
off=437 wire=7 drop=ERR_FRAME_ADDR dst=0x01 src=0xf5 type_byte=0x20 body=0 crc=ok
off=444 wire=9 dst=0x05 src=0x01 crc=ok type=POLL body=2 budget=2048
off=453 wire=5 drop=ERR_FRAME_RUNT
off=458 wire=4 drop=ERR_NEED_MORE
summary=end bytes=462 frames=15 drops=5 crc=1 cobs=1 runt=1 oversize=0 bad_addr=1 timeout=0 decrypted=5
EXP
sed -E 's/ dec=.*$//; s/ decrypted=[0-9]+$//' "$T/keyed.exp" >"$T/plain.exp"

# 1. file, stdin, "-", hex text
"$DUMP" "$T/cap.bin" >"$T/plain.out"
same "$T/plain.exp" "$T/plain.out" "file"
"$DUMP" <"$T/cap.bin" >"$T/stdin.out"
same "$T/plain.exp" "$T/stdin.out" "stdin"
"$DUMP" - <"$T/cap.bin" >"$T/dash.out"
same "$T/plain.exp" "$T/dash.out" "stdin via -"
od -An -tx1 -v "$T/cap.bin" | "$DUMP" --hex >"$T/hex.out"
same "$T/plain.exp" "$T/hex.out" "--hex"
rc=0; echo "00 0g" | "$DUMP" --hex >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "--hex accepted a non-hex digit (exit $rc)"
rc=0; echo "001" | "$DUMP" --hex >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "--hex accepted an odd number of digits (exit $rc)"
echo "dump_basic: file, stdin and hex give the $(wc -l <"$T/plain.exp") expected lines"

# 2. decryption with the key log (epoch 2, ratchet to 3, a log starting at 5)
"$DUMP" --keylog "$T/keys.log" "$T/cap.bin" >"$T/keyed.out" 2>"$T/keyed.err"
same "$T/keyed.exp" "$T/keyed.out" "--keylog"
grep -q "WARNING" "$T/keyed.err" || fail "--keylog did not warn"
# a wrong epoch in the log, and no key at all for 2 -> 1
sed -E 's/^(SLINK_TRAFFIC 3 4) 5 /\1 6 /; /^SLINK_TRAFFIC 2 1 /d' "$T/keys.log" >"$T/bad.log"
"$DUMP" --keylog "$T/bad.log" "$T/cap.bin" 2>/dev/null >"$T/bad.out"
grep -q '^off=394 .* dec=ERR_REC_EPOCH$' "$T/bad.out" || fail "wrong logged epoch not reported as ERR_REC_EPOCH"
[ "$(grep -c 'dec=ERR_NO_PEER$' "$T/bad.out")" = 4 ] || fail "records without a logged key not reported as ERR_NO_PEER"
grep -q '^off=243 .* dec=ok ' "$T/bad.out" || fail "1 -> 2 record no longer opens with its key"
echo "dump_basic: key log opens 5 records, reports AUTH, REPLAY, EPOCH and NO_PEER"

# 3. JSON: one object per line, same events and fields
"$DUMP" --json --keylog "$T/keys.log" "$T/cap.bin" 2>/dev/null >"$T/json.out"
python3 - "$T/json.out" "$T/keyed.exp" <<'PY'
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
text = open(sys.argv[2]).read().splitlines()
assert len(objs) == len(text), (len(objs), len(text))
for o, t in zip(objs, text):
    kv = dict(f.split("=", 1) for f in t.split(" "))
    assert set(o) == set(kv), (sorted(o), sorted(kv))
    for k, v in kv.items():
        j = o[k]
        if isinstance(j, int):
            assert j == int(v, 0), (k, j, v)
        else:
            assert j == v, (k, j, v)
assert objs[1]["type"] == "HS1" and objs[1]["mtu"] == 1104 and objs[1]["dst"] == 2
assert objs[-1]["summary"] == "end" and objs[-1]["decrypted"] == 5
PY
echo "dump_basic: JSON lines match the text lines field by field"

# 4. live tap of a pty through slink-linesim at 115200 baud: the same
# frames; the cut-off tail now ends by the inter-byte gap instead of EOF.
"$BUILD/slink-linesim" --link-a "$T/a" --link-b "$T/b" --baud 115200 >"$T/sim.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do [ -e "$T/a" ] && [ -e "$T/b" ] && break; sleep 0.05; done
[ -e "$T/b" ] || fail "linesim did not start"
# generous duration: on a loaded machine python and the pacing can take
# seconds before the tail has sat out its 300 ms gap
"$DUMP" --tty "$T/b" --baud 115200 --gap-ms 300 --duration 8 >"$T/live.out" 2>&1 &
DPID=$!
PIDS+=($DPID)
sleep 0.5
python3 -c 'import os,sys,tty; f=os.open(sys.argv[1], os.O_RDWR|os.O_NOCTTY); tty.setraw(f); os.write(f, open(sys.argv[2],"rb").read())' "$T/a" "$T/cap.bin"
wait "$DPID" || fail "live dump exited with $?"
sed -E 's/ time=[0-9.]+//' "$T/live.out" >"$T/live.cmp"
sed -E 's/^(off=458 wire=4 drop=)ERR_NEED_MORE$/\1ERR_FRAME_TIMEOUT/; s/timeout=0$/timeout=1/' "$T/plain.exp" >"$T/live.exp"
same "$T/live.exp" "$T/live.cmp" "--tty live tap"
grep -q ' time=' "$T/live.out" || fail "live tap lines carry no time"
echo "dump_basic: live tap through slink-linesim decodes the same frames"
echo "dump_basic: PASS"
