#!/usr/bin/env bash
# The test suite: lint, types, then pytest (unit, golden, and the real-tesseract integration tests).
# Without arguments, pytest runs the whole suite on two pytest-xdist workers (-n 2, a file at a time on a
# worker: --dist loadfile, so a module's fixtures are built once; the long files first, in the order
# tests/conftest.py gives: --no-loadscope-reorder), one summary of every failure at the end;
# each worker has its own ports, NOTICEFLOW_HOME and PREFECT_HOME (tests/servers.py, tests/conftest.py),
# and every PostgreSQL test its own schema. With arguments, one pytest runs just those.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check pipeline extractors flows fixtures tests benchmarks
.venv/bin/ruff format --check pipeline extractors flows fixtures tests benchmarks
.venv/bin/mypy
if [ "$#" -gt 0 ]; then
    exec .venv/bin/python -m pytest "$@"
fi
exec .venv/bin/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder
