#!/usr/bin/env bash
# The main job (README): set up, build, then start the local provider server and serve the web
# playground from it, or stream through the `llmstream` CLI.
#
#   scripts/start.sh              build the wasm core (scripts/build-wasm.sh), start the local
#                                 provider with the playground (web/) and the npm package on the
#                                 same origin, print the URL (http://127.0.0.1:8787/) and keep
#                                 running until Ctrl-C; API requests are logged on the terminal
#   scripts/start.sh --cli-demo   build native-release and run the CLI demo: an OpenAI-style
#                                 stream, an Anthropic-style one, a recorded Anthropic thinking
#                                 stream served by the local provider, and the replay of a
#                                 recording of the first one
#   scripts/start.sh ARGS...      run the CLI with ARGS (the local provider runs meanwhile), e.g.
#       scripts/start.sh --metrics "Tell me about streaming"
#       scripts/start.sh --replay ../shared/fixtures/anthropic-text.sse --pace-ms 30 --metrics
# Environment: LLMSTREAM_SHARED_DIR (default ../shared), PACE_MS (CLI demo, default 30), PORT
# (default 8787; 0 = any free port), SKIP_SETUP=1, SKIP_BUILD=1 (use what is already built).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export LLMSTREAM_SHARED_DIR="${LLMSTREAM_SHARED_DIR:-$repo/../shared}"
[ "${SKIP_SETUP:-0}" = 1 ] || bash "$repo/scripts/setup.sh"

mkdir -p "$repo/build/logs"
mode=cli
[ $# -eq 0 ] && mode=playground
if [ "${1:-}" = --cli-demo ]; then
  mode=cli-demo
  shift
fi

# build_native: the native-release preset (the library and the CLI).
build_native() {
  local log="$repo/build/logs/start-build.log"
  if [ "${SKIP_BUILD:-0}" != 1 ] && ! { cmake --preset native-release -DLLMSTREAM_SHARED_DIR="$LLMSTREAM_SHARED_DIR" &&
         cmake --build --preset native-release; } >"$log" 2>&1; then
    tail -n 80 "$log"
    echo "start.sh: the native-release build failed (full log: $log)" >&2
    exit 1
  fi
  cli="$repo/build/native-release/platform/native/llmstream"
  if [ ! -x "$cli" ]; then
    echo "start.sh: the CLI is not built: $cli is missing (target llmstream_cli)." >&2
    exit 1
  fi
}

# build_wasm: the WebAssembly core the playground loads (npm/dist/core/).
build_wasm() {
  local log="$repo/build/logs/start-wasm.log" module="$repo/npm/dist/core/llmstream_core.wasm"
  if [ "${SKIP_BUILD:-0}" != 1 ] && ! bash "$repo/scripts/build-wasm.sh" --quiet >"$log" 2>&1; then
    tail -n 40 "$log"
    if [ ! -f "$module" ]; then
      echo "start.sh: the wasm build failed and there is no earlier build (full log: $log)" >&2
      exit 1
    fi
    echo "start.sh: warning: the wasm build failed (log: $log); serving the earlier build" >&2
  fi
  if [ ! -f "$module" ]; then
    echo "start.sh: the wasm core is missing ($module): run scripts/build-wasm.sh" >&2
    exit 1
  fi
}

if [ $mode = playground ]; then build_wasm; else build_native; fi

# The local provider, in the background for as long as this script runs. Loopback traffic must
# not go through a proxy from the environment.
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"
port="${PORT:-8787}"
server_out="$repo/build/logs/start-server.log"
server_args=(--port "$port" --fixtures "$LLMSTREAM_SHARED_DIR/fixtures")
if [ $mode = playground ]; then
  # The playground: web/ at /, the npm package at /npm/src/ and /npm/dist/, the API beside them.
  # Per-request lines (stderr) go to the terminal: stops show up as client_disconnected.
  node server/local-provider.mjs "${server_args[@]}" --web "$repo/web" >"$server_out" &
else
  node server/local-provider.mjs "${server_args[@]}" --quiet >"$server_out" 2>&1 &
fi
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true' EXIT
# It prints "llmstream local provider listening on http://127.0.0.1:PORT" once it listens.
for _ in $(seq 100); do
  grep -q 'listening on' "$server_out" 2>/dev/null && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    cat "$server_out" >&2
    echo "start.sh: the local provider did not start (port $port busy? set PORT=...)" >&2
    exit 1
  fi
  sleep 0.1
done
base_url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$server_out" | head -n 1)

if [ $mode = playground ]; then
  printf '\n  llmstream playground: \033[1m%s/\033[0m\n' "$base_url"
  printf '  (local provider API at %s/v1; fixtures from %s)\n' "$base_url" "$LLMSTREAM_SHARED_DIR/fixtures"
  printf '  Press Ctrl-C to stop.\n\n'
  stop_server() {
    trap - INT TERM
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    echo "start.sh: stopped"
    exit 0
  }
  trap stop_server INT TERM
  status=0
  wait "$server_pid" || status=$?
  echo "start.sh: the local provider exited (status $status)" >&2
  exit "$status"
fi

if [ $mode = cli ]; then
  # Not exec: the trap must still stop the server afterwards.
  status=0
  "$cli" --base-url "$base_url" "$@" || status=$?
  exit "$status"
fi

pace="${PACE_MS:-30}"
recording="$repo/build/logs/start-openai.rec"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "OpenAI-style Chat Completions stream (local provider at $base_url, recorded to $recording)"
"$cli" --base-url "$base_url" --scenario "pace_ms=$pace; tokens=60" --record "$recording" \
  --metrics "Explain streaming in one paragraph"

step "Anthropic-style Messages stream with thinking (--api messages)"
"$cli" --base-url "$base_url" --api messages --scenario "pace_ms=$pace; reasoning=20; tokens=40" \
  --metrics "Why do LLM APIs stream tokens?"

step "A recorded Anthropic thinking stream, served by the local provider (fixture)"
"$cli" --base-url "$base_url" --api messages --model claude-haiku-4-5 \
  --scenario "pace_ms=$((pace * 5)); fixture=anthropic-thinking-signature" --metrics "Name a pelican"

step "The first stream again, replayed from its recording at twice the speed (no network)"
"$cli" --replay "$recording" --speed 2 --metrics
