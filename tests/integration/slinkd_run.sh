#!/usr/bin/env bash
# Runs the slinkd integration tests given as arguments, each under a time
# limit, and prints one PASS/FAIL line per test.
BUILD=${BUILD:-build}
export BUILD
pass=0; failed=()
start=$(date +%s)
for t in "$@"; do
    name=$(basename "$t" .sh)
    out=$(timeout -k 5 100 bash "$t" 2>&1)
    rc=$?
    if [ $rc -eq 0 ]; then
        pass=$((pass + 1)); echo "PASS $name"
    else
        failed+=("$name"); echo "FAIL $name (status $rc)"; echo "$out" | tail -n 60 | sed 's/^/    /'
    fi
done
echo "slinkd integration: $pass passed, ${#failed[@]} failed ($(( $(date +%s) - start )) s)"
[ ${#failed[@]} -eq 0 ]
