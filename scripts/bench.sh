#!/usr/bin/env bash
# Core throughput benchmark (not a test: it prints figures, it asserts nothing but correctness of
# the assembled text). Bytes -> assembled completion for the deterministic synthetic streams of
# ../shared/bench/gen.mjs, fed in 1-16 KiB reads, next to a memchr('\n') floor over the same reads.
#
#   scripts/bench.sh                      1M-token openai and anthropic streams, 5 timed runs each
#   SIZES="100k" KINDS="openai anthropic tool-openai" scripts/bench.sh
#   CALLGRIND=1 scripts/bench.sh          also instructions per token (valgrind, 100k streams)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
shared=${LLMSTREAM_SHARED_DIR:-$repo/../shared}
sizes=${SIZES:-1m}
kinds=${KINDS:-openai anthropic}
data=bench/data
mkdir -p "$data"
for size in $sizes; do
  for kind in $kinds; do
    [ -f "$data/$kind-$size.sse" ] ||
      node "$shared/bench/gen.mjs" --out "$data" --sizes "$size" --kinds "$kind" --write-text >/dev/null
  done
done
cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DLLMSTREAM_BUILD_TESTS=OFF >/dev/null
cmake --build build/bench --target core_throughput >/dev/null
echo "# $(date -u +%FT%TZ) $(uname -m) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for size in $sizes; do
  for kind in $kinds; do
    build/bench/bench/core_throughput "$data/$kind-$size.sse" --text "$data/$kind-$size.txt" --runs "${RUNS:-5}"
  done
done
if [ "${CALLGRIND:-0}" = 1 ]; then
  for kind in $kinds; do
    [ -f "$data/$kind-100k.sse" ] ||
      node "$shared/bench/gen.mjs" --out "$data" --sizes 100k --kinds "$kind" --write-text >/dev/null
    out=$(mktemp)
    valgrind --tool=callgrind --toggle-collect='*FeedAll*' --callgrind-out-file="$out" \
      build/bench/bench/core_throughput "$data/$kind-100k.sse" --once >/dev/null 2>&1
    instructions=$(callgrind_annotate "$out" | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
    echo "{\"kind\":\"$kind\",\"size\":\"100k\",\"instructions_per_token\":$((instructions / 100000))}"
    rm -f "$out"
  done
fi
