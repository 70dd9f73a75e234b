"""Shared test switches: ``--update-goldens`` rewrites recorded OCR and expected results."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="re-record OCR of fixtures/samples with the real tesseract and rewrite the expected results",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))
