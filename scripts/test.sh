#!/usr/bin/env bash
# Set up everything the tests need (venv, test extras, Debian's Chromium) and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
.venv/bin/python -m pytest "$@"
