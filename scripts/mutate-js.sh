#!/usr/bin/env bash
# Mutation testing of a focused part of the npm package with Stryker (issue 13).
#
#   scripts/mutate-js.sh [extra stryker args, e.g. --mutate npm/src/utf16.js]
#
# Stryker 9.5.1 (the last line that runs on node 20; 10.x needs node 22) is fetched by npx and is deliberately not a dependency in package.json. The config,
# scripts/stryker.config.json, names the files to mutate and the fast subset of node tests run for
# every mutant (command runner, concurrency 1). Stryker works in a sandbox copy of the tree, so the
# checkout is never edited. Report: /tmp/llmstream-stryker/report.json plus the clear-text table.
# Results and the accepted survivors are recorded in docs/testing.md ("Mutation testing").
set -euo pipefail
cd "$(dirname "$0")/.."
STRYKER_VERSION="${STRYKER_VERSION:-9.5.1}"
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
export LLMSTREAM_SHARED_DIR="${LLMSTREAM_SHARED_DIR:-/work/shared}"
mkdir -p /tmp/llmstream-stryker
if [[ ! -f npm/dist/core/abi.js ]]; then
  echo "npm/dist/core is missing: build the wasm core first (scripts/build-wasm.sh)" >&2
  exit 2
fi
start=$(date +%s)
npx --yes "@stryker-mutator/core@${STRYKER_VERSION}" run scripts/stryker.config.json "$@"
echo "mutate-js: $(( $(date +%s) - start )) s"
