"""The real tesseract on committed samples: scans, a photo, rotated and multi-page documents."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pipeline.models import Status
from pipeline.process import PipelineContext, process_document

SAMPLES = Path(__file__).parent.parent / "fixtures" / "samples"
CORE_FIELDS = ("notice_number", "tax_year", "ssn_last4", "amount_due", "deadline", "notice_date")

pytestmark = pytest.mark.tesseract


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("notice_0021.png", id="blurred-scan"),
        pytest.param("notice_0018.png", id="scan-rotated-270"),
        pytest.param("notice_0012.jpg", id="phone-photo"),
        pytest.param("notice_0002.pdf", id="scanned-pdf-3-pages-rotated"),
        pytest.param("notice_0006.pdf", id="born-digital-pdf"),
    ],
)
def test_real_ocr_reads_the_truth(name: str) -> None:
    result = process_document(SAMPLES / name, PipelineContext.default(dt.date(2026, 11, 28)))
    truth = json.loads((SAMPLES / f"{Path(name).stem}.truth.json").read_text())
    assert result.status is not Status.FAILED
    assert {f: result.field_value(f) for f in CORE_FIELDS} == {f: truth["fields"][f] for f in CORE_FIELDS}
    assert result.pages == truth["pages"]


def test_born_digital_pdf_is_not_ocred() -> None:
    result = process_document(SAMPLES / "notice_0006.pdf", PipelineContext.default(dt.date(2026, 11, 28)))
    assert "ocr" not in result.timings
