#!/usr/bin/env bash
# Runs every libFuzzer target (fuzz/fuzz_*.cpp, built by the `fuzz` preset) for a bounded time.
#
#   scripts/fuzz.sh                 every fuzzer, FUZZ_SECONDS each (default 8)
#   scripts/fuzz.sh fuzz_sse ...    only these
#   FUZZ_SECONDS=300 scripts/fuzz.sh fuzz_sse
#
# Seeds: fuzz/corpus/<name>/ when it exists (read only), plus LLMSTREAM_SHARED_DIR/fixtures/*.sse
# (default ../shared) for the targets that read raw bytes (not the ones whose inputs are scripts
# in their own format). New inputs go to build/fuzz/corpus/<name>/ and are kept between runs;
# crashes, timeouts and out-of-memory inputs go to build/fuzz/artifacts/. Build first:
#   cmake --preset fuzz && cmake --build --preset fuzz --target fuzzers
#
# Limits, per input (docs/testing.md "Fuzzing" says why these values): -timeout=3 (seconds; see
# timeout_of for exceptions), -rss_limit_mb=1024, -malloc_limit_mb=128, and a -max_len per
# target big enough for a quadratic path to show (512 KiB for the Stream and Session fuzzers).
# The targets also check their own heap budget per input (fuzz/heap_budget.h). Extra libFuzzer
# flags go last and win: FUZZ_FLAGS="-timeout=10 -dict=...".
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
seconds=${FUZZ_SECONDS:-8}
shared=${LLMSTREAM_SHARED_DIR:-$repo/../shared}
bin_dir=build/fuzz/fuzz
work=build/fuzz

if [ $# -gt 0 ]; then
  names=("$@")
else
  names=()
  for src in fuzz/fuzz_*.cpp; do [ -e "$src" ] && names+=("$(basename "$src" .cpp)"); done
fi
if [ ${#names[@]} -eq 0 ]; then
  echo "fuzz.sh: no fuzz targets (fuzz/fuzz_*.cpp)" >&2
  exit 1
fi

# One seed folder with the recorded provider streams (libFuzzer reads every file of a folder).
seeds="$work/seeds"
rm -rf "$seeds" && mkdir -p "$seeds" "$work/artifacts"
if compgen -G "$shared/fixtures/*.sse" >/dev/null; then
  cp "$shared"/fixtures/*.sse "$seeds/"
else
  echo "fuzz.sh: warning: no seeds in $shared/fixtures/*.sse" >&2
fi

# Per target: the largest input (bytes) and whether the raw SSE fixtures are seeds for it.
# The stream fuzzers get inputs big enough for a quadratic path to cost seconds; the others stay
# where their legitimate worst case is well under the timeout (measured under ASan: ~1 s).
max_len_of() {
  case "$1" in
    fuzz_dialects | fuzz_session) echo 524288 ;;
    fuzz_sse | fuzz_framing) echo 262144 ;;
    fuzz_safe_markdown | fuzz_json_differential) echo 131072 ;;
    *) echo 65536 ;;
  esac
}
takes_fixtures() {
  case "$1" in
    fuzz_safe_markdown | fuzz_session | fuzz_http_error | fuzz_wasm_options) return 1 ;;
    *) return 0 ;;
  esac
}
# Seconds an input may take. An exception is a known quadratic path waiting for its fix, never a
# slow harness (make the harness linear instead). None at present.
timeout_of() {
  case "$1" in
    *) echo 3 ;;
  esac
}
limits=(-rss_limit_mb=1024 -malloc_limit_mb=128)

failed=()
start=$(date +%s)
for name in "${names[@]}"; do
  exe="$bin_dir/$name"
  if [ ! -x "$exe" ]; then
    echo "fuzz.sh: $exe is missing: build the fuzz preset first" >&2
    exit 1
  fi
  corpus="$work/corpus/$name"
  mkdir -p "$corpus"
  dirs=("$corpus")
  takes_fixtures "$name" && dirs+=("$seeds")
  [ -d "fuzz/corpus/$name" ] && dirs+=("fuzz/corpus/$name")
  log="$work/$name.log"
  timeout=$(timeout_of "$name")
  # shellcheck disable=SC2086  # FUZZ_FLAGS is a list of flags
  if "$exe" -max_total_time="$seconds" -timeout="$timeout" "${limits[@]}" \
      -max_len="$(max_len_of "$name")" \
      -print_final_stats=1 -artifact_prefix="$work/artifacts/$name-" ${FUZZ_FLAGS:-} \
      "${dirs[@]}" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2)
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
    echo "  fuzz: $name ok: ${runs:-?} runs in ${seconds} s, cov ${cov:-?}, corpus" \
      "$(ls "$corpus" | wc -l), peak RSS ${rss:-?} MB"
  else
    echo "  fuzz: $name FAILED; last lines of $log:"
    tail -n 60 "$log"
    crash=$(ls -t "$work/artifacts/$name-"* 2>/dev/null | head -n 1 || true)
    # A timeout can also be a machine too busy to run the input in time: run it alone to tell.
    [ -z "$crash" ] || echo "  fuzz: reproduce with: $exe -timeout=$timeout ${limits[*]} $crash"
    failed+=("$name")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: ${#names[@]} fuzzers ran clean in $(($(date +%s) - start)) s"
