#!/usr/bin/env bash
# THE test command (README): set-up, then every stage in order, failing fast.
#
#   scripts/test.sh                 all default stages
#   scripts/test.sh native wasm     only these stages (set-up always runs first)
#   scripts/test.sh --list          the stage names
#
# Stages: purity format native asan wasm fuzz npm e2e (default, in this order); tidy (opt-in).
# Environment:
#   LLMSTREAM_SHARED_DIR  folder with fixtures/ (default: ../shared beside the repo)
#   FUZZ_SECONDS          seconds per fuzzer in the fuzz stage (default 20)
#   SKIP_SETUP=1          do not run scripts/setup.sh
#   KEEP_GOING=1          run the remaining stages after a failure (exit status still 1)
#   VERBOSE=1             stream every command's output instead of keeping it in build/logs/
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

DEFAULT_STAGES=(purity format native asan wasm fuzz npm e2e)
OPTIONAL_STAGES=(tidy)

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }

stages=()
for arg in "$@"; do
  case "$arg" in
    -h|--help) usage; exit 0 ;;
    --list) echo "${DEFAULT_STAGES[*]} (opt-in: ${OPTIONAL_STAGES[*]})"; exit 0 ;;
    native-release) stages+=(native) ;;
    native-asan) stages+=(asan) ;;
    all) stages+=("${DEFAULT_STAGES[@]}") ;;
    *)
      if [[ " ${DEFAULT_STAGES[*]} ${OPTIONAL_STAGES[*]} setup " == *" $arg "* ]]; then
        stages+=("$arg")
      else
        echo "test.sh: unknown stage '$arg' (stages: ${DEFAULT_STAGES[*]} ${OPTIONAL_STAGES[*]})" >&2
        exit 2
      fi ;;
  esac
done
[ ${#stages[@]} -gt 0 ] || stages=("${DEFAULT_STAGES[@]}")

export LLMSTREAM_SHARED_DIR="${LLMSTREAM_SHARED_DIR:-$repo/../shared}"
export NODE_PATH=/usr/share/nodejs   # toolchain.md pitfall 1: em++ needs acorn with a non-Debian node
logs="$repo/build/logs"
mkdir -p "$logs"

# ---- helpers ---------------------------------------------------------------------------------
# run LOG CMD...: quiet unless VERBOSE=1; on failure show the tail of the log.
run() {
  local log=$1; shift
  echo "+ $*" >>"$log"
  if [ "${VERBOSE:-0}" = 1 ]; then
    "$@" 2>&1 | tee -a "$log"; return "${PIPESTATUS[0]}"
  fi
  if ! "$@" >>"$log" 2>&1; then
    echo "---- last 150 lines of $log ----"
    tail -n 150 "$log"
    echo "---- end of $log ----"
    return 1
  fi
}

# cmake_stage PRESET [notest]: configure, build and ctest one preset (logs in build/logs/).
cmake_stage() {
  local preset=$1 log="$logs/$1.log"
  : >"$log"
  run "$log" cmake --preset "$preset" -DLLMSTREAM_SHARED_DIR="$LLMSTREAM_SHARED_DIR"
  run "$log" cmake --build --preset "$preset"
  [ "${2:-}" = notest ] && return 0
  local ctest_log="$logs/$preset.ctest.log" rc=0
  ctest --preset "$preset" >"$ctest_log" 2>&1 || rc=$?
  if [ "${VERBOSE:-0}" = 1 ] || [ $rc -ne 0 ]; then tail -n 150 "$ctest_log"; fi
  # ctest's closing lines: "100% tests passed, 0 tests failed out of N" and the total time.
  grep -E 'tests passed|No tests were found|Total Test time' "$ctest_log" | sed "s/^/  $preset: /" ||
    true
  return $rc
}

cpp_sources() {
  local dirs=() d
  for d in core platform tests fuzz bench examples tools; do [ -d "$d" ] && dirs+=("$d"); done
  [ ${#dirs[@]} -gt 0 ] || return 0
  find "${dirs[@]}" \( -name node_modules -o -name build -o -name third_party \) -prune -o \
    -type f \( -name '*.h' -o -name '*.hpp' -o -name '*.cc' -o -name '*.cpp' -o -name '*.cxx' \) \
    -print | sort
}

has_npm_test() {
  [ -f package.json ] && node -e \
    'process.exit(((require("./package.json").scripts || {}).test) ? 0 : 1)' 2>/dev/null
}

# ---- stages ----------------------------------------------------------------------------------
stage_setup() { bash "$repo/scripts/setup.sh"; }

stage_purity() { bash "$repo/scripts/check-core-purity.sh"; }

stage_format() {
  local files
  mapfile -t files < <(cpp_sources)
  if [ ${#files[@]} -eq 0 ]; then echo "  format: no C++ files"; return 0; fi
  if ! clang-format --dry-run --Werror "${files[@]}" 2>"$logs/format.log"; then
    grep -E '^[^ ].*:[0-9]+:[0-9]+: error:' "$logs/format.log" |
      sed -E 's/:[0-9]+:[0-9]+: error: .*//' | sort | uniq -c |
      awk '{printf "  format: %s: %d places\n", $2, $1}'
    echo "  format: fix with: clang-format -i <file>   (details: $logs/format.log)"
    return 1
  fi
  echo "  format: ${#files[@]} files clean"
}

stage_native() { cmake_stage native-release; }
stage_asan() { cmake_stage native-asan; }
stage_wasm() { cmake_stage wasm; }

stage_fuzz() {
  cmake_stage fuzz notest
  bash "$repo/scripts/fuzz.sh"
}

stage_npm() {
  if ! has_npm_test; then echo "  npm: no package.json test script, skipped"; return 0; fi
  npm test --silent
}

stage_e2e() {
  if [ ! -f e2e/run.mjs ]; then echo "  e2e: no e2e/run.mjs, skipped"; return 0; fi
  node e2e/run.mjs
}

stage_tidy() {
  local db=build/native-release
  [ -f "$db/compile_commands.json" ] || cmake_stage native-release notest
  local files
  mapfile -t files < <(cpp_sources | grep -E '\.(cc|cpp|cxx)$' | grep -v '^fuzz/')
  clang-tidy -p "$db" --quiet --extra-arg=-Wno-unknown-warning-option "${files[@]}" >"$logs/tidy.log" 2>&1 || {
    grep -E 'warning:|error:' "$logs/tidy.log" | head -n 100
    return 1
  }
  echo "  tidy: ${#files[@]} files clean"
}

# ---- driver ----------------------------------------------------------------------------------
if [ ! -d "$LLMSTREAM_SHARED_DIR/fixtures" ]; then
  echo "test.sh: no fixtures at $LLMSTREAM_SHARED_DIR/fixtures (set LLMSTREAM_SHARED_DIR)" >&2
  exit 1
fi
LLMSTREAM_SHARED_DIR=$(cd "$LLMSTREAM_SHARED_DIR" && pwd)

timings=()
failed_stages=()
run_stage() {
  local name=$1 start rc
  start=$(date +%s.%N)
  echo "==> $name"
  set +e
  (set -e; "stage_$name")
  rc=$?
  set -e
  local secs
  secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  if [ $rc -eq 0 ]; then
    timings+=("$(printf '%-7s ok     %6s s' "$name" "$secs")")
    echo "<== $name: ok (${secs} s)"
  else
    timings+=("$(printf '%-7s FAILED %6s s' "$name" "$secs")")
    failed_stages+=("$name")
    echo "<== $name: FAILED (${secs} s)"
    echo "test.sh: stage '$name' failed (exit $rc)" >&2
    if [ "${KEEP_GOING:-0}" != 1 ]; then summary; exit 1; fi
  fi
}

# Stages run in subshells: count the tests from the ctest logs this run wrote.
summary() {
  local f line passed=0 failed=0 counted=0
  for f in "$logs"/*.ctest.log; do
    [ -f "$f" ] || continue
    line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$f" | tail -n 1 || true)
    if [[ $line =~ ([0-9]+)\ tests?\ failed\ out\ of\ ([0-9]+) ]]; then
      failed=$((failed + BASH_REMATCH[1]))
      passed=$((passed + BASH_REMATCH[2] - BASH_REMATCH[1]))
      counted=1
    fi
  done
  echo "---- test.sh stage times ----"
  printf '%s\n' "${timings[@]}"
  if [ ${#failed_stages[@]} -gt 0 ]; then
    echo "test.sh: FAILED stage(s): ${failed_stages[*]}"
  else
    echo "test.sh: all stages passed: ${stages[*]}"
  fi
  [ $counted = 0 ] || echo "ctest: $passed passed, $failed failed"
}

rm -f "$logs"/*.ctest.log
[ "${SKIP_SETUP:-0}" = 1 ] || [[ " ${stages[*]} " == *" setup "* ]] || run_stage setup
for s in "${stages[@]}"; do run_stage "$s"; done
summary
[ ${#failed_stages[@]} -eq 0 ]
