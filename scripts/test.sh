#!/usr/bin/env bash
# The test suite: lint, types, then pytest (unit, golden, and the real-tesseract integration tests).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check pipeline extractors flows fixtures tests benchmarks
.venv/bin/ruff format --check pipeline extractors flows fixtures tests benchmarks
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
