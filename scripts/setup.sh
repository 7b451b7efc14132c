#!/usr/bin/env bash
# Installs everything the build and the tests need on Debian 12, idempotently:
# apt packages only when one is missing, `npm ci` only when package-lock.json changed.
# Quiet when everything is already there. SKIP_APT=1 skips the apt step.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(build-essential cmake ninja-build pkg-config ca-certificates git
  libcurl4-openssl-dev nlohmann-json3-dev libboost-dev libgtest-dev googletest
  clang clang-format clang-tidy libclang-rt-14-dev valgrind emscripten chromium nodejs
  redis-server)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${SKIP_APT:-0}" != 1 ] && [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  echo "setup: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi
# Debian's npm conflicts with a nodesource nodejs (which bundles npm): install it only when missing.
if ! command -v npm >/dev/null; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
fi

# npm dependencies (dev tools only: playwright-core, typescript). Re-run only when the lock changed.
if [ -f package-lock.json ]; then
  stamp=node_modules/.llmstream-lock.sha
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" > "$stamp"
  fi
fi
