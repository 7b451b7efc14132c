#!/usr/bin/env bash
# Core throughput benchmark (not a test: it prints figures, it asserts nothing but correctness of
# the assembled text). Bytes -> assembled completion for the deterministic synthetic streams of
# ../shared/bench/gen.mjs, fed in 1-16 KiB reads, next to a memchr('\n') floor over the same reads.
#
#   scripts/bench.sh                      1M-token openai and anthropic streams, 5 timed runs each
#   SIZES="100k" KINDS="openai anthropic tool-openai" scripts/bench.sh
#   SIZES="100k" KINDS="gemini gemini-array ollama cohere bedrock" scripts/bench.sh   (issue 14's
#     wire formats: bench/gen_more.mjs)
#   CALLGRIND=1 scripts/bench.sh          also instructions per token (valgrind, 100k streams)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
shared=${LLMSTREAM_SHARED_DIR:-$repo/../shared}
sizes=${SIZES:-1m}
kinds=${KINDS:-openai anthropic}
data=bench/data
mkdir -p "$data"
# The kinds of bench/gen_more.mjs (Gemini, Ollama, Cohere, Bedrock: .body files whose meta names
# the wire API) or of the shared generator (.sse).
more_kinds=" gemini gemini-array ollama cohere bedrock "
stream_file() {
  case $more_kinds in *" $1 "*) echo "$data/$1-$2.body" ;; *) echo "$data/$1-$2.sse" ;; esac
}
generate() {
  case $more_kinds in
    *" $1 "*) LLMSTREAM_SHARED_DIR=$shared node bench/gen_more.mjs --out "$data" --sizes "$2" --kinds "$1" >/dev/null ;;
    *) node "$shared/bench/gen.mjs" --out "$data" --sizes "$2" --kinds "$1" --write-text >/dev/null ;;
  esac
}
for size in $sizes; do
  for kind in $kinds; do
    [ -f "$(stream_file "$kind" "$size")" ] || generate "$kind" "$size"
  done
done
cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DLLMSTREAM_BUILD_TESTS=OFF >/dev/null
cmake --build build/bench --target core_throughput >/dev/null
echo "# $(date -u +%FT%TZ) $(uname -m) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for size in $sizes; do
  for kind in $kinds; do
    build/bench/bench/core_throughput "$(stream_file "$kind" "$size")" --text "$data/$kind-$size.txt" --runs "${RUNS:-5}"
  done
done
if [ "${CALLGRIND:-0}" = 1 ]; then
  for kind in $kinds; do
    [ -f "$(stream_file "$kind" 100k)" ] || generate "$kind" 100k
    out=$(mktemp)
    valgrind --tool=callgrind --toggle-collect='*FeedAll*' --callgrind-out-file="$out" \
      build/bench/bench/core_throughput "$(stream_file "$kind" 100k)" --once >/dev/null 2>&1
    instructions=$(callgrind_annotate "$out" | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
    echo "{\"kind\":\"$kind\",\"size\":\"100k\",\"instructions_per_token\":$((instructions / 100000))}"
    rm -f "$out"
  done
fi
