#!/usr/bin/env bash
# Builds the WebAssembly core for the npm package and copies it to npm/dist/core/:
#   llmstream_core.mjs (ES module, `createLlmstreamCore`) + llmstream_core.wasm
#   abi.js + abi.d.ts: the numbers and names JS shares with the core, generated from the C++
#     (platform/wasm/abi_gen.cpp); the module reports the same fingerprint
#   llmstream_core_full.mjs + .wasm: the same core with every wire API (Gemini, Bedrock, Ollama,
#     Cohere), which npm/src/core/load.js loads instead for a stream that needs one
#   llmstream_transforms.mjs (`createLlmstreamTransforms`) + llmstream_transforms.wasm: the text
#     transforms, a second module that npm/src/transforms.js loads only when one is used
# Uses the `wasm` CMake preset (build/wasm) and builds only the module target, not the wasm
# gtest suite. Prints the sizes (raw and gzipped). npm/package.json's build / prepack run it.
#
#   scripts/build-wasm.sh            configure when needed, build, copy
#   scripts/build-wasm.sh --quiet    no size report
# Environment: LLMSTREAM_SHARED_DIR as for test.sh (only the configure step reads it).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
quiet=0
[ "${1:-}" = --quiet ] && quiet=1

export NODE_PATH=/usr/share/nodejs   # toolchain.md pitfall 1: em++ runs acorn under node
build=build/wasm
out=npm/dist/core
# quietly: the output only when a step fails
step() {
  local log
  if ! log=$("$@" 2>&1); then
    printf '%s\n' "$log" >&2
    echo "build-wasm.sh: failed: $*" >&2
    exit 1
  fi
}
if [ ! -f "$build/build.ninja" ]; then
  args=()
  [ -n "${LLMSTREAM_SHARED_DIR:-}" ] && args+=(-DLLMSTREAM_SHARED_DIR="$LLMSTREAM_SHARED_DIR")
  step cmake --preset wasm "${args[@]}"
fi
step cmake --build --preset wasm --target llmstream_core_wasm llmstream_core_full_wasm \
  llmstream_transforms_wasm
mkdir -p "$out"
# Copies (the .wasm) or minifies (the JS glue: scripts/minify-glue.mjs) to a temp name, then
# renames: a test loading the module never sees half a file.
install_file() {
  local from=$1 name
  name=$(basename "$from")
  case $name in
    llmstream_*.mjs) step node scripts/minify-glue.mjs "$from" "$out/.$name.tmp" ;;
    *) cp "$from" "$out/.$name.tmp" ;;
  esac
  mv -f "$out/.$name.tmp" "$out/$name"
}
for f in llmstream_core.mjs llmstream_core.wasm llmstream_core_full.mjs llmstream_core_full.wasm \
  abi.js abi.d.ts; do
  install_file "$build/platform/wasm/$f"
done
for f in llmstream_transforms.mjs llmstream_transforms.wasm; do
  install_file "$build/platform/wasm/transforms/$f"
done
# gzipped size as the budget test (tests/node/npm_pack.test.mjs) and bench-js measure it: zlib
# level 9 in node, ~1 KB more than the gzip tool's -9 for the core module.
gzip_size() { node -e "process.stdout.write(String(require('zlib').gzipSync(require('fs').readFileSync(process.argv[1]), {level: 9}).length))" "$1"; }
if [ $quiet = 0 ]; then
  total=0
  for f in llmstream_core.wasm llmstream_core.mjs; do
    raw=$(stat -c %s "$out/$f")
    gz=$(gzip_size "$out/$f")
    total=$((total + gz))
    printf '  %-22s %8d bytes, %7d gzipped\n' "$f" "$raw" "$gz"
  done
  printf '  %-22s %8s        %7d gzipped (target < 120000)\n' total '' "$total"
  # The full core module (the wire APIs the core module leaves out) and the transforms module
  # are loaded on demand only: not part of the core's budget.
  for f in llmstream_core_full.wasm llmstream_core_full.mjs llmstream_transforms.wasm \
    llmstream_transforms.mjs; do
    printf '  %-26s %8d bytes, %7d gzipped (on demand)\n' "$f" "$(stat -c %s "$out/$f")" \
      "$(gzip_size "$out/$f")"
  done
fi
