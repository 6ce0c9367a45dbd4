#!/usr/bin/env bash
# Runs each Check test program given on the command line, prints its output,
# and ends with one summary line "tests: N passed, N failed". Exits non-zero
# when any check failed or a program crashed. LW_VALGRIND=1 runs each program
# under valgrind (leaks are errors). -j N runs N programs at once (each
# starts its own servers on free ports); their outputs are printed whole, in
# the order they finish. LW_TEST_MONGODB_URI (one given server) forces -j 1.
set -u
# libmongoc's shared-memory counters are one /dev/shm/mongoc-PID file per
# process, left behind by every SIGKILLed one; a new process whose pid meets
# an old file prints "Falling back to malloc for counters" on stderr
export MONGOC_DISABLE_SHM=1
jobs=1
if [ "${1:-}" = -j ]; then
  jobs=$2
  shift 2
fi
if [ -n "${LW_TEST_MONGODB_URI:-}" ]; then
  jobs=1 # the tests drop the given server's databases: one program at a time
fi
if [ -n "${LW_TEST_MONGODB_URI:-}" ]; then
  echo "tests: database LW_TEST_MONGODB_URI (a given server), $jobs at a time"
else
  echo "tests: database ${LW_TEST_BACKEND:-devdb}, $jobs at a time"
fi
passed=0
failed=0
crashed=()
outdir=$(mktemp -d /tmp/lwrun.XXXXXX)
trap 'rm -rf "$outdir"' EXIT

# Runs program $1 with its output (and exit status) in $outdir/<index>.
run_one() {
  local t=$1 out=$2
  if [ "${LW_VALGRIND:-0}" = 1 ]; then
    CK_FORK=no valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
      --errors-for-leak-kinds=definite,indirect "$t" >"$out" 2>&1
  else
    "$t" >"$out" 2>&1
  fi
  echo $? >"$out.rc"
}

# Prints the output of program $1 (index $2) and adds its counts.
report() {
  local name out rc line checks fails errs
  name=$(basename "$1")
  out="$outdir/$2"
  rc=$(cat "$out.rc")
  echo "== $name"
  cat "$out"
  line=$(grep -E '^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$out" | tail -n1)
  if [ -z "$line" ]; then
    crashed+=("$name (exit $rc, no Check summary)")
    failed=$((failed + 1))
    return
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
}

progs=("$@")
declare -A running=() # pid -> index
next=0
while [ "$next" -lt ${#progs[@]} ] || [ ${#running[@]} -gt 0 ]; do
  if [ "$next" -lt ${#progs[@]} ] && [ ${#running[@]} -lt "$jobs" ]; then
    run_one "${progs[$next]}" "$outdir/$next" &
    running[$!]=$next
    next=$((next + 1))
    continue
  fi
  wait -n -p done_pid "${!running[@]}"
  i=${running[$done_pid]}
  unset "running[$done_pid]"
  report "${progs[$i]}" "$i"
done
for c in "${crashed[@]+"${crashed[@]}"}"; do echo "FAILED: $c"; done
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
