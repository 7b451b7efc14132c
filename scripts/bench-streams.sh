#!/usr/bin/env bash
# Concurrency benchmark of the native client (not a test): STREAMS slow streams (default 10,000,
# ~20 tokens/s each) on one thread against the local provider server. Prints the JSON line of
# bench/concurrent_streams.cpp (streams held, RSS per stream, CPU, worst token gap, latency).
#
#   scripts/bench-streams.sh
#   STREAMS=2000 TOKENS=60 PACE_MS=50 scripts/bench-streams.sh
#   SERVER=native scripts/bench-streams.sh   bench/sse_load_server (C++) instead of the Node local
#                                            provider, which cannot feed 10,000 streams (README)
#   PIN=1 ...                                server on CPU 0, client on CPU 1 (taskset)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DLLMSTREAM_BUILD_TESTS=OFF >/dev/null
cmake --build build/bench --target concurrent_streams sse_load_server >/dev/null
# Both processes hold one socket per stream.
ulimit -n "$(ulimit -Hn)"
log=$(mktemp)
server_cpu=() client_cpu=()
if [ "${PIN:-0}" = 1 ]; then server_cpu=(taskset -c 0) client_cpu=(taskset -c 1); fi
if [ "${SERVER:-node}" = native ]; then
  "${server_cpu[@]}" build/bench/bench/sse_load_server --tokens "${TOKENS:-100}" --pace-ms "${PACE_MS:-50}" >"$log" &
else
  # The dev server caps connections (256 by default, server/README.md "Limits"): lift it here.
  "${server_cpu[@]}" node server/local-provider.mjs --port 0 --quiet --max-connections 0 >"$log" &
fi
server=$!
trap 'kill $server 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 100); do grep -q listening "$log" && break; sleep 0.1; done
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$log")/v1
echo "# server: ${SERVER:-node}; $(date -u +%FT%TZ) $(uname -m) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"${client_cpu[@]}" build/bench/bench/concurrent_streams --base-url "$url" --streams "${STREAMS:-10000}" \
  --tokens "${TOKENS:-100}" --pace-ms "${PACE_MS:-50}" --ramp-per-100ms "${RAMP:-1000}" --stamp "${STAMP:-1}" --batch-ms "${BATCH_MS:-0}"
