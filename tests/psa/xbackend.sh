#!/usr/bin/env bash
# Signatures made by each crypto backend verify on the other: software keys
# (RFC 6979, so both backends must also produce the very same signatures)
# and, from the PSA backend, keys that stay in the PSA key store (by id).
# Usage: xbackend.sh A B [KEY_IDS]: B must also emit KEY_IDS signatures by
# PSA key id (default 24; 0 for a backend without a key store, such as
# p256-m, mk/p256m.mk).
set -euo pipefail
MB=$1 PSA=$2 WANT_IDS=${3:-24}
T=$(mktemp -d /tmp/slink-xbackend.XXXXXX)
trap 'rm -rf "$T"' EXIT
"$MB" sign 24 > "$T/mb"
"$PSA" sign 24 > "$T/psa"
pass=0 fail=0
check() { if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $*"; fi; }
check "$PSA" verify < "$T/mb"
check "$MB" verify < "$T/psa"
check "$MB" verify < "$T/mb"
check "$PSA" verify < "$T/psa"
n=$(grep -c '^psa-id ' "$T/psa" || true)
[ "$n" -eq "$WANT_IDS" ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAILED: $n PSA key-id signatures, want $WANT_IDS"; }
if cmp -s <(grep '^soft ' "$T/mb") <(grep '^soft ' "$T/psa"); then
    pass=$((pass + 1)); echo "software-key signatures identical on both backends (RFC 6979)"
else
    fail=$((fail + 1)); echo "FAILED: deterministic signatures differ between backends"
fi
echo "xbackend: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
