"""The ingest service: dedupe before reading, one failure policy, the channel in the result and the audit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline import ingest
from pipeline.errors import CorruptDocument, OcrEngineError, StoreUnavailable
from pipeline.ingest import Incoming, Policy
from pipeline.models import Channel, NoticeResult, Status
from pipeline.process import PipelineContext, failed_result, process_document
from pipeline.settings import Settings
from pipeline.store import Store, open_store

OCR_DOWN = OcrEngineError("tesseract stopped")
SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "samples" / "notice_0006.pdf"  # a text layer
QUICK = Policy(delays_s=(0.0,))


@pytest.fixture
def context(tmp_path: Path) -> PipelineContext:
    return PipelineContext.default(dt.date(2026, 11, 28), Settings(home=tmp_path / "home"))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'noticeflow.db'}")


class CountingReader:
    """Reads like the pipeline, after ``failures`` failed attempts of the given kind."""

    def __init__(self, failures: int = 0, error: Exception | None = None) -> None:
        self.calls, self.failures, self.error = 0, failures, error

    def __call__(self, path: Path, context: PipelineContext, source: str | None) -> NoticeResult:
        self.calls += 1
        if self.calls <= self.failures:
            if isinstance(self.error, OcrEngineError | CorruptDocument):
                return failed_result(path, source or str(path), self.error, {})
            raise RuntimeError("a bug")
        return process_document(path, context, source)


def test_the_channel_is_in_the_result_and_the_audit(context: PipelineContext, store: Store) -> None:
    result = ingest.ingest(Incoming(SAMPLE, "scan.pdf", Channel.API, "acme"), context, store)
    assert (result.status, result.channel, result.source) == (Status.PROCESSED, Channel.API, "scan.pdf")
    assert [(row.actor, row.action) for row in store.audit_log(result.document_id, "acme")] == [
        ("api", "ingested")
    ]


def test_a_stored_document_is_a_duplicate_without_being_read(context: PipelineContext, store: Store) -> None:
    ingest.ingest(Incoming(SAMPLE, "first.pdf", Channel.CLI), context, store)
    reader = CountingReader()
    again = ingest.ingest(Incoming(SAMPLE, "again.pdf", Channel.WATCH), context, store, reader)
    assert (again.status, again.source, reader.calls) == (Status.DUPLICATE, "first.pdf", 0)


@pytest.mark.parametrize(
    ("error", "failures", "calls", "status", "code"),
    [
        pytest.param(OCR_DOWN, 2, 3, Status.PROCESSED, None, id="retry-succeeds"),
        pytest.param(
            OcrEngineError("tesseract stopped"), 9, 3, Status.FAILED, "ocr_failed", id="retry-bounded"
        ),
        pytest.param(CorruptDocument("torn"), 9, 1, Status.FAILED, "corrupt_file", id="bad-document-once"),
        pytest.param(None, 9, 1, Status.FAILED, "internal_error", id="bug-once"),
    ],
)
def test_one_failure_policy(
    context: PipelineContext, store: Store, error: Exception | None, failures: int, calls: int,
    status: Status, code: str | None,
) -> None:  # fmt: skip
    reader = CountingReader(failures, error)
    result = ingest.ingest(Incoming(SAMPLE, "scan.pdf", Channel.CLI), context, store, reader, QUICK)
    assert (reader.calls, result.status, result.error and result.error.code) == (calls, status, code)
    if result.error is not None:
        assert result.error.attempts == calls
        assert store.get_result(result.document_id).status is Status.FAILED  # a later copy reads it again


def test_a_store_that_stays_down_is_tried_three_times_then_raises(context: PipelineContext) -> None:
    class DownStore:
        def __init__(self) -> None:
            self.saves = 0

        def get_result(self, document_id: str, tenant: str = "default") -> None:
            return None

        def save_result(self, result: NoticeResult, **_: object) -> NoticeResult:
            self.saves += 1
            raise StoreUnavailable("the store is locked")

    down = DownStore()
    with pytest.raises(StoreUnavailable):
        ingest.ingest(Incoming(SAMPLE, "scan.pdf", Channel.API), context, down, policy=QUICK)  # type: ignore[arg-type]
    assert down.saves == 3


def test_masking_keeps_a_line_without_an_ssn_as_read() -> None:
    """Geometry pairing reads words: a line without a full SSN keeps them; one with an SSN loses its text."""
    from pipeline.models import OcrDocument, OcrLine, OcrPage, OcrWord, PageSource
    from pipeline.process import mask_document

    words = (OcrWord(text="Increase", confidence=0.9, bbox=(0, 0, 10, 10)),)
    plain = OcrLine(text="Increase in tax $5,030.58", bbox=(0, 0, 100, 10), confidence=0.9, words=words)
    leaky = OcrLine(text="SSN 287 - 65 - 5364", bbox=(0, 20, 100, 10), confidence=0.9, words=words)
    page = OcrPage(number=1, width=100, height=100, source=PageSource.OCR, lines=(plain, leaky))
    masked, full = mask_document(OcrDocument(pages=(page,)))
    kept, cut = masked.pages[0].lines
    assert kept == plain and full == 1
    assert "287" not in cut.text and cut.text.endswith("5364") and cut.words == ()
