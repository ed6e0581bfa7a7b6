#!/usr/bin/env bash
# Runs the slinkd integration tests given as arguments, each under a time
# limit, and prints one PASS/FAIL line per test.  A test that exits 77
# could not run here (it says why, e.g. a package missing) and is printed as
# SKIP with its reason.
BUILD=${BUILD:-build}
export BUILD
pass=0; skipped=0; failed=()
start=$(date +%s)
for t in "$@"; do
    name=$(basename "$t" .sh)
    out=$(timeout -k 5 100 bash "$t" 2>&1)
    rc=$?
    if [ $rc -eq 0 ]; then
        pass=$((pass + 1)); echo "PASS $name"
    elif [ $rc -eq 77 ]; then
        skipped=$((skipped + 1)); echo "SKIP $name: $(echo "$out" | grep -m1 '^SKIP' | sed 's/^SKIP: //')"
    else
        failed+=("$name"); echo "FAIL $name (status $rc)"; echo "$out" | tail -n 60 | sed 's/^/    /'
    fi
done
echo "slinkd integration: $pass passed, ${#failed[@]} failed, $skipped skipped ($(( $(date +%s) - start )) s)"
[ ${#failed[@]} -eq 0 ]
