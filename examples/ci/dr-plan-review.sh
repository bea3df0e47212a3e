#!/usr/bin/env bash
# Review a branch of the DR plan without GitHub: prints the Markdown summary of what the change
# does, builds the wiki strictly, and exits 1 if either says the plan got weaker.
# Usage: examples/ci/dr-plan-review.sh [BASE_REVISION]   (default: origin/main)
set -uo pipefail
base="${1:-origin/main}"
mkdocs-exdr diff "$base" --format markdown | tee dr-diff.md
diff_status=${PIPESTATUS[0]}
mkdocs build --strict
build_status=$?
if [ "$diff_status" -ge 2 ]; then
  exit "$diff_status"     # invalid input (2) or an internal error (3)
fi
if [ "$build_status" -ne 0 ]; then
  exit 1                  # findings at or above fail_on
fi
exit "$diff_status"       # 1 when the change weakens the plan
