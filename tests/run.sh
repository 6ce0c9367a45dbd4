#!/usr/bin/env bash
# Runs each Check test program given on the command line, prints its output,
# and ends with one summary line "tests: N passed, N failed". Exits non-zero
# when any check failed or a program crashed. LW_VALGRIND=1 runs each program
# under valgrind (leaks are errors).
set -u
passed=0
failed=0
crashed=()
for t in "$@"; do
  name=$(basename "$t")
  echo "== $name"
  if [ "${LW_VALGRIND:-0}" = 1 ]; then
    out=$(CK_FORK=no valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
            --errors-for-leak-kinds=definite,indirect "$t" 2>&1)
  else
    out=$("$t" 2>&1)
  fi
  rc=$?
  printf '%s\n' "$out"
  line=$(printf '%s\n' "$out" | grep -E '^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' | tail -n1)
  if [ -z "$line" ]; then
    crashed+=("$name (exit $rc, no Check summary)")
    failed=$((failed + 1))
    continue
  fi
  checks=$(sed -E 's/.*Checks: ([0-9]+).*/\1/' <<<"$line")
  fails=$(sed -E 's/.*Failures: ([0-9]+).*/\1/' <<<"$line")
  errs=$(sed -E 's/.*Errors: ([0-9]+).*/\1/' <<<"$line")
  passed=$((passed + checks - fails - errs))
  failed=$((failed + fails + errs))
  if [ "$rc" -ne 0 ] && [ $((fails + errs)) -eq 0 ]; then
    crashed+=("$name (exit $rc)")
    failed=$((failed + 1))
  fi
done
for c in "${crashed[@]+"${crashed[@]}"}"; do echo "FAILED: $c"; done
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
