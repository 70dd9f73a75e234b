#!/usr/bin/env bash
# The test suite: lint, types, then pytest (unit, golden, and the real-tesseract integration tests).
# With arguments, pytest runs just those. Without, the generator's own tests (synthetic fixtures: no store,
# server or port) run in a second process beside the rest, on the second core; both must pass.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check pipeline extractors flows fixtures tests benchmarks
.venv/bin/ruff format --check pipeline extractors flows fixtures tests benchmarks
.venv/bin/mypy
if [ "$#" -gt 0 ]; then
    exec .venv/bin/python -m pytest "$@"
fi
generator_log=$(mktemp)
.venv/bin/python -m pytest -p no:cacheprovider tests/test_generator*.py > "$generator_log" 2>&1 &
generator=$!
status=0
.venv/bin/python -m pytest --ignore-glob='*/test_generator*.py' --ignore-glob='test_generator*.py' || status=$?
generator_status=0
wait "$generator" || generator_status=$?
echo "--- the generator's tests (second process) ---"
cat "$generator_log"
rm -f "$generator_log"
exit $((status != 0 ? status : generator_status))
