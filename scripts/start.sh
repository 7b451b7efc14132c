#!/usr/bin/env bash
# The main job (README): set up, build native-release, run the `llmstream` CLI.
#
#   scripts/start.sh              replay a few recorded provider streams at a realistic pace
#   scripts/start.sh ARGS...      run the CLI with ARGS, e.g.
#       scripts/start.sh --replay ../shared/fixtures/anthropic-text.sse --provider anthropic \
#                        --pace-ms 30 --metrics
# Environment: LLMSTREAM_SHARED_DIR (default ../shared), PACE_MS (default 30), SKIP_SETUP=1.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export LLMSTREAM_SHARED_DIR="${LLMSTREAM_SHARED_DIR:-$repo/../shared}"
[ "${SKIP_SETUP:-0}" = 1 ] || bash "$repo/scripts/setup.sh"

log="$repo/build/logs/start-build.log"
mkdir -p "$(dirname "$log")"
if ! { cmake --preset native-release -DLLMSTREAM_SHARED_DIR="$LLMSTREAM_SHARED_DIR" &&
       cmake --build --preset native-release; } >"$log" 2>&1; then
  tail -n 80 "$log"
  echo "start.sh: the native-release build failed (full log: $log)" >&2
  exit 1
fi

cli="$repo/build/native-release/platform/native/llmstream"
if [ ! -x "$cli" ]; then
  echo "start.sh: the CLI is not built: $cli is missing." >&2
  echo "start.sh: it comes from platform/native/cli/*.cpp (target llmstream_cli), which is not" \
       "written yet." >&2
  exit 1
fi

if [ $# -gt 0 ]; then
  exec "$cli" "$@"
fi

# No arguments: one recorded stream per provider, in turn.
fixtures="$LLMSTREAM_SHARED_DIR/fixtures"
for pair in openai:openai-chat-text-usage.sse anthropic:anthropic-text.sse \
            groq:groq-reasoning-text.sse openrouter:openrouter-usage-cost.sse; do
  provider=${pair%%:*} file="$fixtures/${pair#*:}"
  echo "==> $provider: $file"
  "$cli" --replay "$file" --provider "$provider" --pace-ms "${PACE_MS:-30}" --metrics
  echo
done
