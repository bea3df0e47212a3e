#!/usr/bin/env bash
# Install mkdocs-exdr with Material and serve the example DR wiki on http://127.0.0.1:8000/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh material
exec .venv/bin/mkdocs serve "$@"
