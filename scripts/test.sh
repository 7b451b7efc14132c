#!/usr/bin/env bash
# THE test command (README): set-up, then every stage in order, failing fast.
#
#   scripts/test.sh                 all default stages
#   scripts/test.sh native wasm     only these stages (set-up always runs first)
#   scripts/test.sh --list          the stage names
#
# Stages: purity format native examples asan wasm fuzz npm e2e (default, in this order);
# tidy (opt-in).
# Environment:
#   LLMSTREAM_SHARED_DIR  folder with fixtures/ (default: ../shared beside the repo)
#   FUZZ_SECONDS          seconds per fuzzer in the fuzz stage (default 8)
#   SKIP_SETUP=1          do not run scripts/setup.sh
#   KEEP_GOING=1          run the remaining stages after a failure (exit status still 1)
#   VERBOSE=1             stream every command's output instead of keeping it in build/logs/
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

DEFAULT_STAGES=(purity format native examples asan wasm fuzz npm e2e)
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
# The wasm gtest suite, then the JS module (llmstream_core.mjs/.wasm, built with the suite) copied
# to npm/dist/core/ for the npm stage's node tests.
stage_wasm() {
  cmake_stage wasm
  bash "$repo/scripts/build-wasm.sh" | sed 's/^/  wasm: /'
}

# examples: llmstream as an application uses it. Installs the native-release build, builds
# examples/ against that install (find_package) and from this checkout (add_subdirectory), then
# runs every example of both builds against the local provider; each must exit 0 and print.
stage_examples() {
  local log="$logs/examples.log" prefix="$repo/build/install" out="$logs/examples"
  : >"$log"
  rm -rf "$out" && mkdir -p "$out"
  [ -f build/native-release/CMakeCache.txt ] ||
    run "$log" cmake --preset native-release -DLLMSTREAM_SHARED_DIR="$LLMSTREAM_SHARED_DIR"
  # Only what gets installed (a no-op after the native stage): tests and benchmarks are not.
  run "$log" cmake --build --preset native-release --target llmstream_client llmstream_transforms \
    llmstream_cli
  rm -rf "$prefix"  # no headers left over from an older install
  run "$log" cmake --install build/native-release --prefix "$prefix"
  local mode dir
  for mode in installed subdir; do
    dir=build/examples-$mode
    local how=(-DCMAKE_PREFIX_PATH="$prefix" -DLLMSTREAM_EXAMPLES_VIA_SUBDIRECTORY=OFF)
    [ $mode = installed ] || how=(-DLLMSTREAM_EXAMPLES_VIA_SUBDIRECTORY=ON)
    run "$log" cmake -S examples -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_COMPILE_WARNING_AS_ERROR=ON "${how[@]}"
    run "$log" cmake --build "$dir" -j 2
  done

  if [ ! -f server/local-provider.mjs ]; then
    echo "  examples: no server/local-provider.mjs to run them against" >&2
    return 1
  fi
  # The server prints "llmstream local provider listening on http://127.0.0.1:PORT" first.
  node server/local-provider.mjs --port 0 --pace-ms 0 --quiet >"$out/server.out" 2>&1 &
  local server_pid=$!
  # Expanded now: server_pid is local, gone when the trap runs as this stage's subshell exits.
  # shellcheck disable=SC2064
  trap "kill $server_pid 2>/dev/null || true" EXIT
  local port=""
  for _ in $(seq 1 100); do
    port=$(sed -n '1s#.*listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*#\1#p' "$out/server.out")
    [ -n "$port" ] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  if [ -z "$port" ]; then
    echo "  examples: the local provider did not start:" >&2
    cat "$out/server.out" >&2
    return 1
  fi

  # No provider keys: every example must talk to the local provider, whatever the shell has.
  local name rc failed=0 count=0 start secs
  local env_clean=(env -u OPENAI_API_KEY -u ANTHROPIC_API_KEY -u GROQ_API_KEY
                   -u OPENROUTER_API_KEY NO_PROXY=127.0.0.1 no_proxy=127.0.0.1)
  for mode in installed subdir; do
    while read -r name; do
      [ -n "$name" ] || continue
      start=$(date +%s.%N)
      rc=0
      "${env_clean[@]}" timeout 60 "build/examples-$mode/$name" --base-url \
        "http://127.0.0.1:$port/v1" </dev/null >"$out/$mode.$name.out" 2>"$out/$mode.$name.err" ||
        rc=$?
      secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
      count=$((count + 1))
      if [ $rc -ne 0 ] || [ ! -s "$out/$mode.$name.out" ]; then
        failed=$((failed + 1))
        echo "  examples: $mode/$name FAILED (exit $rc, $(wc -c <"$out/$mode.$name.out") bytes" \
          "of output, ${secs} s); last lines of stdout and stderr:"
        tail -n 15 "$out/$mode.$name.out" "$out/$mode.$name.err" | sed 's/^/    /'
      elif [ "${VERBOSE:-0}" = 1 ]; then
        echo "  examples: $mode/$name ok (${secs} s)"
      fi
    done <"build/examples-$mode/examples.txt"
  done
  # With a key set, --base-url still decides where the requests go (a proxy): the provider's
  # API at the local provider, which serves OpenAI's wire format.
  count=$((count + 1))
  rc=0
  env -u ANTHROPIC_API_KEY -u GROQ_API_KEY OPENAI_API_KEY=sk-examples-test \
    NO_PROXY=127.0.0.1 no_proxy=127.0.0.1 timeout 60 build/examples-installed/basic_streaming \
    --base-url "http://127.0.0.1:$port/v1" </dev/null >"$out/key-and-base-url.out" \
    2>"$out/key-and-base-url.err" || rc=$?
  if [ $rc -ne 0 ] || [ ! -s "$out/key-and-base-url.out" ] ||
     ! grep -q "^# openai at http://127.0.0.1:$port/v1" "$out/key-and-base-url.err"; then
    failed=$((failed + 1))
    echo "  examples: basic_streaming with OPENAI_API_KEY and --base-url FAILED (exit $rc):"
    tail -n 15 "$out/key-and-base-url.out" "$out/key-and-base-url.err" | sed 's/^/    /'
  fi
  # The relay server (examples/relay_server, built only where Boost's headers are): its own test
  # starts a local provider and the relay on free ports and reads streams with relay_client.
  local relay_bin
  for mode in installed subdir; do
    relay_bin="build/examples-$mode/relay_server/relay_server"
    if [ ! -x "$relay_bin" ]; then
      if [ -f /usr/include/boost/beast.hpp ]; then
        failed=$((failed + 1))
        echo "  examples: $mode/relay_server was not built although Boost's headers are there"
      else
        echo "  examples: $mode/relay_server not built (no Boost headers: libboost-dev), not tested"
      fi
      continue
    fi
    count=$((count + 1))
    rc=0
    env -u OPENAI_API_KEY NO_PROXY=127.0.0.1 no_proxy=127.0.0.1 timeout 120 \
      node examples/relay_server/test.mjs "$relay_bin" >"$out/$mode.relay_server.out" 2>&1 || rc=$?
    if [ $rc -ne 0 ]; then
      failed=$((failed + 1))
      echo "  examples: $mode/relay_server test FAILED (exit $rc); its failures:"
      grep -E -A 12 '^not ok' "$out/$mode.relay_server.out" | head -n 60 | sed 's/^/    /'
    elif [ "${VERBOSE:-0}" = 1 ]; then
      echo "  examples: $mode/relay_server test ok"
    fi
  done
  echo "  examples: $((count - failed)) of $count runs passed (outputs in $out/)"
  [ $failed -eq 0 ]
}

# fuzz: builds only the fuzzers (the libraries and tools are built by the native stage, and with
# clang and sanitizers by the asan stage), then runs each for FUZZ_SECONDS with per-input time and
# memory limits (scripts/fuzz.sh, docs/testing.md "Fuzzing").
stage_fuzz() {
  local log="$logs/fuzz.log"
  : >"$log"
  run "$log" cmake --preset fuzz -DLLMSTREAM_SHARED_DIR="$LLMSTREAM_SHARED_DIR"
  run "$log" cmake --build --preset fuzz --target fuzzers
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
    timings+=("$(printf '%-8s ok     %6s s' "$name" "$secs")")
    echo "<== $name: ok (${secs} s)"
  else
    timings+=("$(printf '%-8s FAILED %6s s' "$name" "$secs")")
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
