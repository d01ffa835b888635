#!/usr/bin/env bash
# Install (first time), index corpus/ and start the chat on http://127.0.0.1:7860
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/install.sh app
exec .venv/bin/python -m assistant serve "$@"
