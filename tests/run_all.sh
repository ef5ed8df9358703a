#!/usr/bin/env bash
# The whole test suite: the floor-plan check (tests/layers.py, make layers),
# host unit tests, then every emulator integration test
# (tests/integration/t_*.sh, each exits 0 on pass). Serial logs stay in
# build/logs/. The last line is "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
mkdir -p build/logs
passed=0 failed=0

# run_check NAME COMMAND...: one test; its output is shown only when it fails.
run_check() {
    local name=$1 start=$SECONDS out
    shift
    if out=$("$@" 2>&1); then
        echo "PASS $name ($((SECONDS - start)) s)"
        passed=$((passed + 1))
    else
        echo "FAIL $name ($((SECONDS - start)) s)"
        printf '%s\n' "$out" | sed 's/^/    /'
        failed=$((failed + 1))
    fi
}

# make test passes LAYERS and the object lists; run by hand, it reads the Makefile.
run_check layers python3 tests/layers.py

unit_out=$(build/unit_tests 2>&1)
summary=$(printf '%s\n' "$unit_out" | grep -E '^unit: [0-9]+ passed, [0-9]+ failed$' | tail -1)
if [ -z "$summary" ]; then
    printf '%s\n' "$unit_out"
    echo "FAIL unit tests: no summary line (crashed?)"
    failed=$((failed + 1))
else
    printf '%s\n' "$unit_out" | grep -v '^PASS '
    set -- $summary
    passed=$((passed + $2)) failed=$((failed + $4))
fi

for t in tests/integration/t_*.sh; do
    name=$(basename "$t" .sh)
    run_check "integration/${name#t_}" bash "$t"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
