#!/usr/bin/env bash
# Fast sanity run of the benchmark (part of make check as bench-smoke), so
# the bench programs and the driver cannot rot: PKI, in-process byte counts,
# slink, DTLS 1.2 and DTLS 1.3 (connection IDs off and on) handshakes over
# slink-linesim at 115200 baud (byte counts cross-checked against the
# simulator's own and the in-process runs), and short goodput runs.  The
# DTLS 1.3 side needs wolfSSL, which make builds first
# (tools/bench/fetch-wolfssl.sh, about a minute on a clean clone, cached).
# It checks that every figure came out and is plausible, not the targets.
# Usage: bash tests/integration/bench_smoke.sh BUILD
set -euo pipefail
BUILD=${1:-build}
OUT=$BUILD/bench-smoke.json
rm -f "$OUT"
python3 "$(dirname "$0")/../../tools/bench/run_bench.py" --build "$BUILD" --smoke --out "$OUT"
python3 - "$OUT" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
checks = [
    # key, low, high: wide bounds; a value outside means the measurement broke
    ("handshake_bytes_full", 300, 4000),
    ("handshake_bytes_cached", 100, 4000),
    ("dtls12_handshake_bytes", 500, 8000),
    ("handshake_ms_115200_slink", 10, 5000),
    ("handshake_ms_115200_dtls12", 10, 5000),
    ("record_overhead_bytes_100", 5, 100),
    ("stream_record_overhead_bytes_100", 5, 100),
    ("dtls12_record_overhead_bytes_100", 5, 100),
    ("dtls13_handshake_bytes", 500, 8000),
    ("dtls13_handshake_bytes_cid", 500, 8000),
    ("handshake_ms_115200_dtls13", 10, 5000),
    ("dtls13_record_overhead_bytes_100", 5, 100),
    ("dtls13_record_overhead_bytes_100_cid", 5, 100),
    ("goodput_ratio_115200_100B", 0.2, 1.0),
    ("goodput_ratio_115200_bulk", 0.2, 1.0),
    ("goodput_ratio_115200_bulk_ber1e-5", 0.05, 1.0),
]
passed = failed = 0
for k, lo, hi in checks:
    v = r.get(k)
    if isinstance(v, (int, float)) and lo <= v <= hi:
        passed += 1
    else:
        failed += 1
        print("bench-smoke: %s = %r outside [%s, %s]" % (k, v, lo, hi))
# the handshake's full certificates must cost more than references
if r["handshake_bytes_full"] - r["handshake_bytes_cached"] < 2 * r["cert_der_bytes"] - 40:
    failed += 1
    print("bench-smoke: full - cached handshake bytes smaller than two certificates")
else:
    passed += 1
# connection IDs are carried in DTLS 1.3's encrypted records: they must cost
if r["dtls13_handshake_bytes_cid"] <= r["dtls13_handshake_bytes"] or \
   r["dtls13_record_overhead_bytes_100_cid"] <= r["dtls13_record_overhead_bytes_100"]:
    failed += 1
    print("bench-smoke: DTLS 1.3 with connection IDs costs no more than without")
else:
    passed += 1
print("bench-smoke: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
