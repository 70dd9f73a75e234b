"""Shared test switches: ``--update-goldens`` rewrites expected results, ``--record-ocr`` re-records OCR."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens", action="store_true", help="rewrite the expected results of the samples"
    )
    parser.addoption(
        "--record-ocr", action="store_true", help="re-record the samples' OCR with the real tesseract first"
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture
def record_ocr(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--record-ocr"))
