"""The real tesseract on committed samples: scans, a photo, rotated and multi-page documents."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pipeline.load import PageRef, load_document
from pipeline.models import Status
from pipeline.ocr import reads_well
from pipeline.process import PipelineContext, process_document, read_page

SAMPLES = Path(__file__).parent.parent / "fixtures" / "samples"
PHOTOS = Path(__file__).parent.parent / "fixtures" / "photos"
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


def test_a_grey_lit_tilted_photo_filling_the_frame_is_read_whole(tmp_path: Path) -> None:
    """A synthetic CP14 (a generator render, tilted 3 degrees, lit 60% on the left to 90% on the right,
    165 dpi, JPEG): cleaning once took its lit part for a sheet on a table and cut off the left, so only
    the notice number was left to read. Bare tesseract reads it whole; so must we, in one reading."""
    ref = load_document(PHOTOS / "cp14_grey_lit_tilted.jpg").pages[0]
    assert isinstance(ref, PageRef)
    page, timings = read_page(ref, PipelineContext.default(dt.date(2024, 8, 1)), tmp_path)
    text = "\n".join(line.text for line in page.lines)
    assert "unwarp_photo" not in page.steps and "ocr_reread" not in timings and reads_well(page)
    for printed in ("CP14", "Amount due", "$1,061.69", "July 26, 2024", "August 16, 2024", "nnn-nn-2814"):
        assert printed in text
