#!/usr/bin/env bash
# Install everything the tests need, then run the whole suite on the real corpus and real components.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/install.sh dev
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
