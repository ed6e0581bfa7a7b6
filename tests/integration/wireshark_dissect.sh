#!/usr/bin/env bash
# The Wireshark Lua dissector (tools/wireshark/slink.lua) against slink-dump.
# A capture is built from slink-dump-mkcap's stream (every frame type,
# sealed records, the usual damage) preceded by wireshark_frames.py's extra
# cases, converted to a LINKTYPE_USER0 pcap by tools/wireshark/slink2pcap.py,
# dissected by tshark, and compared with `slink-dump --json` frame by frame
# and field by field (wireshark_compare.py): offsets, lengths, addresses,
# types, CRC status and values, drop reasons, record headers, handshake
# fields, fragment reassembly, alerts, and the summary counters.
# usage: wireshark_dissect.sh BUILD_DIR
set -euo pipefail
BUILD=${1:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LUA="$ROOT/tools/wireshark/slink.lua"
CONV="$ROOT/tools/wireshark/slink2pcap.py"
CMP="$HERE/wireshark_compare.py"

if ! command -v tshark >/dev/null 2>&1; then
    echo "wireshark_dissect: SKIP: tshark not installed (tools/install-deps.sh installs it)"
    exit 0
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "wireshark_dissect: FAIL: $*" >&2; exit 1; }

# tshark -r needs no capture rights; as root it only warns.  Its own
# profile directory keeps a user's preferences out of the test.
export WIRESHARK_CONFIG_DIR="$T/wsconf"
mkdir -p "$WIRESHARK_CONFIG_DIR"
tsh() { tshark -X "lua_script:$LUA" "$@" 2> >(grep -v '^Running as user "root"' >&2); }
fields() {  # fields PCAP OUT [tshark options]
    local pcap=$1 out=$2
    shift 2
    # shellcheck disable=SC2046
    tsh -r "$pcap" "$@" -T fields -E separator=/t -E occurrence=a \
        $(python3 "$CMP" --fields) >"$out"
}

"$BUILD/tools/slink-dump-mkcap" "$T/mkcap.bin" "$T/keys.log"
python3 "$HERE/wireshark_frames.py" "$T/extra.bin"
cat "$T/extra.bin" "$T/mkcap.bin" >"$T/cap.bin"
"$BUILD/slink-dump" --json "$T/cap.bin" >"$T/dump.json"

# 1. raw bytes -> pcap -> tshark, against slink-dump
python3 "$CONV" "$T/cap.bin" "$T/cap.pcap" 2>/dev/null
fields "$T/cap.pcap" "$T/raw.tsv"
python3 "$CMP" "$T/dump.json" "$T/raw.tsv" || fail "tshark and slink-dump disagree (raw capture)"
# the reference really covers the cases: every drop reason, every type, every 'bad'
for want in '"drop":"ERR_FRAME_CRC"' '"drop":"ERR_FRAME_COBS"' '"drop":"ERR_FRAME_RUNT"' \
            '"drop":"ERR_FRAME_OVERSIZE"' '"drop":"ERR_FRAME_ADDR"' '"drop":"ERR_NEED_MORE"' \
            '"type":"HS1"' '"type":"HS2"' '"type":"HS3"' '"type":"HS1_FRAG"' '"type":"HS2_FRAG"' \
            '"type":"HS3_FRAG"' '"type":"HS_REPAIR"' '"missing":2' '"repair_total":0' '"type":"POLL"' '"type":"TURN_END"' '"type":"PLAIN_ALERT"' \
            '"type":"UNKNOWN"' '"seq_len":1' '"seq_len":2' '"seq_len":6' '"ct":"ACK"' \
            '"ct":"ALERT"' '"ct":"STREAM"' '"ct":"DATAGRAM"' '"complete":"yes","vs"' \
            '"complete":"yes","flags"' '"bad":"ERR_REC_MALFORMED"' '"bad":"ERR_HS_MALFORMED"' \
            '"bad":"length"' '"bad":"version"' '"epoch_lo":0' '"epoch_lo":1' '"epoch_lo":3'; do
    grep -qF "$want" "$T/dump.json" || fail "capture lacks a frame with $want"
done

# 2. the comparison can fail: one changed value must be reported
awk -F'\t' 'BEGIN{OFS="\t"} !done && $16 != "" {$16 = $16 + 1; done = 1} {print}' \
    "$T/raw.tsv" >"$T/mut.tsv"
cmp -s "$T/raw.tsv" "$T/mut.tsv" && fail "mutation did not change the tshark output"
if python3 "$CMP" "$T/dump.json" "$T/mut.tsv" >"$T/mut.out"; then
    fail "comparison passed with a changed sequence number"
fi
grep -q "slink.rec.seq=" "$T/mut.out" || fail "changed sequence number not named: $(cat "$T/mut.out")"
echo "wireshark_dissect: a changed field is reported:$(sed -n 2p "$T/mut.out" | cut -c1-80)..."

# 3. hex text and a socat -x log of the same bytes (read in 97-byte blocks,
# so frames straddle log chunks) give the same dissection
od -An -tx1 -v "$T/cap.bin" | python3 "$CONV" --hex - "$T/hex.pcap" 2>/dev/null
cmp -s "$T/cap.pcap" "$T/hex.pcap" || fail "--hex pcap differs from the raw one"
socat -b 97 -x -u "OPEN:$T/cap.bin" - >/dev/null 2>"$T/socat.log"
python3 "$CONV" --socat-log "$T/socat.log" "$T/socat.pcap" 2>/dev/null
fields "$T/socat.pcap" "$T/socat.tsv"
python3 "$CMP" "$T/dump.json" "$T/socat.tsv" >/dev/null || fail "socat log conversion disagrees"
first=$(sed -n '1s/^> \([0-9/]*\) \([0-9:.]*\).*/\1 \2/p' "$T/socat.log")
t1=$(tsh -r "$T/socat.pcap" -c 1 -T fields -e frame.time_epoch)
want=$(python3 -c 'import datetime,sys; d,f=sys.argv[1].split("."); print("%d.%s"%(datetime.datetime.strptime(d,"%Y/%m/%d %H:%M:%S").replace(tzinfo=datetime.timezone.utc).timestamp(),f[:9].ljust(9,"0")))' "$first")
[ "$t1" = "$want" ] || fail "socat log time $first became $t1 (want $want)"
echo "wireshark_dissect: hex text and a socat -x log (97-byte chunks) convert to the same dissection"

# two directions interleaved in one log: each direction is its own stream
python3 - "$T/two.log" <<'PY'
import sys
def hexl(b): return " " + " ".join("%02x" % x for x in b)
# POLL 0x05 <- 0x01 and TURN_END 0x01 <- 0x05, COBS-encoded with CRC
def crc16(d):
    c = 0xFFFF
    for b in d:
        c ^= b << 8
        for _ in range(8):
            c = ((c << 1) ^ 0x1021 if c & 0x8000 else c << 1) & 0xFFFF
    return c
def frame(dst, src, t):
    f = bytes([dst, src, t]); c = crc16(f); f += bytes([c >> 8, c & 255])
    assert 0 not in f
    return bytes([len(f) + 1]) + f + b"\x00"
a, b = frame(0x05, 0x01, 0x20), frame(0x01, 0x05, 0x21)
with open(sys.argv[1], "w") as o:
    o.write("> 2024/01/02 03:04:05.000100000  length=3 from=0 to=2\n%s\n--\n" % hexl(a[:3]))
    o.write("< 2024/01/02 03:04:05.000200000  length=%d from=0 to=%d\n%s\n--\n" % (len(b), len(b) - 1, hexl(b)))
    o.write("> 2024/01/02 03:04:05.000300000  length=%d from=3 to=%d\n%s\n--\n" % (len(a) - 3, len(a) - 1, hexl(a[3:])))
PY
python3 "$CONV" --socat-log "$T/two.log" "$T/two.pcap" 2>/dev/null
got=$(tsh -r "$T/two.pcap" -T fields -E separator=, -e frame.time_epoch -e slink.src -e slink.type -e slink.crc_ok | tr '\n' ' ')
[ "$got" = "1704164645.000100000,0x01,0x20,1 1704164645.000200000,0x05,0x21,1 " ] ||
    fail "two-direction socat log: got '$got'"
echo "wireshark_dissect: a two-direction socat log keeps each direction's frames whole"

# 4. preferences, expert info, several frames in one packet
fields "$T/cap.pcap" "$T/mtu64.tsv" -o slink.max_body:64
n1=$(grep -c ERR_FRAME_OVERSIZE "$T/raw.tsv" || true)
n2=$(grep -c ERR_FRAME_OVERSIZE "$T/mtu64.tsv" || true)
[ "$n2" -gt "$n1" ] || fail "max_body 64 did not turn long frames into oversize drops ($n1 -> $n2)"
ndrop=$(grep -c '"drop"' "$T/dump.json")
nerr=$(tsh -r "$T/cap.pcap" -Y '_ws.expert.severity == error' | wc -l)
[ "$nerr" = "$ndrop" ] || fail "$nerr packets with error expert info, $ndrop drops"
ncrc=$(tsh -r "$T/cap.pcap" -Y 'slink.crc.bad' | wc -l)
[ "$ncrc" = "$(grep -c '"drop":"ERR_FRAME_CRC"' "$T/dump.json")" ] || fail "bad-CRC expert info on $ncrc packets"
python3 - "$T/cap.bin" "$T/one.pcap" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
with open(sys.argv[2], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 147))
    f.write(struct.pack("<IIII", 0, 0, len(data), len(data)) + data)
PY
nframes=$(tsh -r "$T/one.pcap" -T fields -E occurrence=a -E aggregator=' ' -e slink.wire | wc -w)
[ "$nframes" = "$(($(wc -l <"$T/dump.json") - 1))" ] ||
    fail "whole stream in one packet: $nframes frames, dump has $(($(wc -l <"$T/dump.json") - 1))"
echo "wireshark_dissect: max_body preference, expert info ($nerr errors) and $nframes frames in one packet"
echo "wireshark_dissect: PASS"
