#!/usr/bin/env bash
# Runs every libFuzzer target (fuzz/fuzz_*.cpp, built by the `fuzz` preset) for a bounded time.
#
#   scripts/fuzz.sh                 every fuzzer, FUZZ_SECONDS each (default 20)
#   scripts/fuzz.sh fuzz_sse ...    only these
#   FUZZ_SECONDS=300 scripts/fuzz.sh fuzz_sse
#
# Seeds: LLMSTREAM_SHARED_DIR/fixtures/*.sse (default ../shared) plus fuzz/corpus/<name>/ when it
# exists (read only). New inputs go to build/fuzz/corpus/<name>/ and are kept between runs; crashes
# go to build/fuzz/artifacts/. Build first: cmake --preset fuzz && cmake --build --preset fuzz
# Extra libFuzzer flags: FUZZ_FLAGS="-max_len=4096 -dict=..." (default max_len 65536).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
seconds=${FUZZ_SECONDS:-20}
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

failed=()
for name in "${names[@]}"; do
  exe="$bin_dir/$name"
  if [ ! -x "$exe" ]; then
    echo "fuzz.sh: $exe is missing: build the fuzz preset first" >&2
    exit 1
  fi
  corpus="$work/corpus/$name"
  mkdir -p "$corpus"
  dirs=("$corpus" "$seeds")
  [ -d "fuzz/corpus/$name" ] && dirs+=("fuzz/corpus/$name")
  log="$work/$name.log"
  # shellcheck disable=SC2086  # FUZZ_FLAGS is a list of flags
  if "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="$work/artifacts/$name-" ${FUZZ_FLAGS:-} \
      "${dirs[@]}" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2)
    echo "  fuzz: $name ok: ${runs:-?} runs in ${seconds} s, cov ${cov:-?}, corpus $(ls "$corpus" | wc -l)"
  else
    echo "  fuzz: $name FAILED; last lines of $log:"
    tail -n 60 "$log"
    crash=$(ls -t "$work/artifacts/$name-"* 2>/dev/null | head -n 1 || true)
    [ -z "$crash" ] || echo "  fuzz: reproduce with: $exe $crash"
    failed+=("$name")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: ${#names[@]} fuzzers ran clean"
