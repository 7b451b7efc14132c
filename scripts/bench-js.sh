#!/usr/bin/env bash
# The wasm path in Node next to JS peers (bench/js/wasm_vs_peers.mjs): ns per token on the same
# synthetic OpenAI-style stream fed in the same 1-16 KiB reads, (a) bytes -> chunk objects below
# the async iterator (llmstream's core + driver decode vs eventsource-parser + JSON.parse) and
# (b) the whole for-await loop (APILoader.streamCompletion vs the openai SDK), plus the gzipped
# size of npm/dist/core/*. Not a test: it prints figures and checks only the assembled text.
#
#   scripts/bench-js.sh                          1M-token stream, median of 5 runs after 1 warm-up
#   SIZE=100k RUNS=3 scripts/bench-js.sh
#   ONLY=llmstream-core,esp scripts/bench-js.sh  a subset (llmstream-core, esp, llmstream-api, openai-sdk)
#   CORE_MODULE=build/x/platform/wasm/llmstream_core.mjs scripts/bench-js.sh
#                                                another build of the module (e.g. -O3) in (a)
#                                                and (b) (APILoader's calls on that module)
#
# Builds the wasm module (scripts/build-wasm.sh) when npm/dist/core/ lacks it, generates the data
# (../shared/bench/gen.mjs) when bench/data/ lacks it, installs the devDependencies (npm ci) when
# eventsource-parser or openai is missing. Environment: LLMSTREAM_SHARED_DIR as for bench.sh.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
shared=${LLMSTREAM_SHARED_DIR:-$repo/../shared}
size=${SIZE:-1m}
kind=openai
data=bench/data

if [ ! -f npm/dist/core/llmstream_core.mjs ] || [ ! -f npm/dist/core/llmstream_core.wasm ]; then
  scripts/build-wasm.sh --quiet
fi
if [ ! -f "$data/$kind-$size.sse" ] || [ ! -f "$data/$kind-$size.txt" ] || [ ! -f "$data/$kind-$size.meta.json" ]; then
  mkdir -p "$data"
  node "$shared/bench/gen.mjs" --out "$data" --sizes "$size" --kinds "$kind" --write-text >/dev/null
fi
if [ ! -d node_modules/eventsource-parser ] || [ ! -d node_modules/openai ]; then
  npm ci --no-audit --no-fund >/dev/null
fi

echo "# $(date -u +%FT%TZ) $(uname -m) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
args=(--data "$data" --kind "$kind" --size "$size" --runs "${RUNS:-5}" --warmup "${WARMUP:-1}")
[ -n "${ONLY:-}" ] && args+=(--only "$ONLY")
[ -n "${CORE_MODULE:-}" ] && args+=(--module "$CORE_MODULE")
exec node --expose-gc --max-old-space-size=4096 bench/js/wasm_vs_peers.mjs "${args[@]}"
