"""Shared test switches: ``--update-goldens`` rewrites expected results, ``--record-ocr`` re-records OCR;
``printer``: one headless Chromium per test module for the web family (skipped without Chromium or
Playwright, except under CI (``CI=true``), where it fails). ``batch``, ``docs`` and ``text_layers``: what a
batched PDF family's module reads (tests.pdf_families: its ``BatchedPdfFamilyTests`` subclass names the
family), drawn once per module in one run of the family's producer.

Each test process (each pytest-xdist worker) gets a ``NOTICEFLOW_HOME`` and a ``PREFECT_HOME`` of its own
under its pytest temp dir, so a test or a command it starts that sets neither never shares a store, a
Prefect database or a page cache with another worker (or with the user's ``~/.noticeflow``).

Under xdist (``scripts/test.sh``: ``--dist loadfile --no-loadscope-reorder``) each worker collects the files
long ones first (a file with a test marked ``slow``, ``tesseract``, ``scale_out`` or ``orchestration``),
then the others by number of tests, most first: the short files fill in at the end, so the two workers end
together rather than one running a minute-long file picked last while the other waits."""

from __future__ import annotations

import importlib.util
import os
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from fixtures.generator.web import WebPrinter
    from tests.pdf_families import Batch


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens", action="store_true", help="rewrite the expected results of the samples"
    )
    parser.addoption(
        "--record-ocr", action="store_true", help="re-record the samples' OCR with the real tesseract first"
    )


LONG_RUNNING_MARKS = ("slow", "tesseract", "scale_out", "orchestration")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    long_files = {item.path for item in items if any(map(item.get_closest_marker, LONG_RUNNING_MARKS))}
    tests_in = Counter(item.path for item in items)
    # A stable sort: each file's tests stay together and in their own order.
    items.sort(key=lambda item: (item.path not in long_files, -tests_in[item.path]))


@pytest.fixture(scope="session", autouse=True)
def own_homes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("NOTICEFLOW_HOME", str(tmp_path_factory.mktemp("noticeflow-home")))
        env.setenv("PREFECT_HOME", str(tmp_path_factory.mktemp("prefect-home")))
        yield


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture
def record_ocr(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--record-ocr"))


@pytest.fixture(scope="module")
def printer() -> Iterator[WebPrinter]:
    from fixtures.generator.web import CHROMIUM, open_printer  # only the tests that print load the family

    if not (CHROMIUM.exists() and importlib.util.find_spec("playwright") is not None):
        message = "chromium or playwright not installed (apt-get install chromium; pip install playwright)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with open_printer() as opened:
        yield opened


@pytest.fixture(scope="module")
def batch(request: pytest.FixtureRequest) -> Batch[Any]:
    """Every document a batched PDF family's module reads, drawn in one run of its producer (a JVM, soffice,
    Node or wkhtmltopdf takes a second or more to start)."""
    from tests.pdf_families import batched_family_of, compose_batch  # only the family modules load them

    return compose_batch(batched_family_of(request.module))


@pytest.fixture(scope="module")
def docs(batch: Batch[Any]) -> list[Any]:
    """Every catalog code (born-digital, clean) and the family's seeded plan."""
    return batch.docs


@pytest.fixture(scope="module")
def text_layers(
    docs: list[Any], request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> list[str]:
    from tests.pdf_families import batched_family_of, text_layers_of

    folder = tmp_path_factory.mktemp(f"{batched_family_of(request.module).name}-text")
    return text_layers_of(docs, folder)
