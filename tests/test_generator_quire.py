"""The "quire" layout family of the synthetic generator (notices laid out in Python as draw lists and drawn
by PDFKit under Node.js): every catalog code renders, the same seed gives the same truth and PDF bytes (in
another process too), the plan is the other families' plan, the truth agrees with PDFKit's text layer read
by ``pdftotext`` (every value the truth records is in it, every value it records as absent is not, no full
SSN), a page count asked for is met with no blank page, the stub sits at the foot of the last page, and
every capture kind (all three capture models) writes a readable file of the right type and page count. No
tesseract; skipped when node or the installed pdfkit is missing.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import numpy as np
import pytest
from pdf2image import convert_from_bytes

from fixtures.generator.family_facts import format_phone
from fixtures.generator.quire_facts import (
    BUSINESS_MASKS,
    CREDIT_STYLES,
    DATE_STYLES,
    HEADER_PLACES,
    PERSON_MASKS,
    PHONE_STYLES,
    format_date,
)
from fixtures.generator.quire_family import (
    QuireDocument,
    compose_quire,
    draw_pdfs,
    has_pdfkit,
    write_quire,
)
from tests.family_checks import Printed, spellings
from tests.pdf_families import (
    CaptureModelTests,
    ComposedPdfFamily,
    ComposedPdfFamilyTests,
    catalog_and_plan,
    check_every_period_printed,
    check_no_words_overlap,
    table_truth_values,
    text_layers_of,
)

pytestmark = pytest.mark.skipif(
    not has_pdfkit(),
    reason="node or pdfkit is missing (apt-get install nodejs npm; npm ci --prefix fixtures/generator/quire)",
)
LETTER_LABELS = ("Letter Number:", "Person to Contact:", "Employee ID Number:", "Sincerely,", "Enclosures:")


@pytest.fixture(scope="module")
def docs() -> list[QuireDocument]:
    """Every catalog code (born-digital, clean) and a seeded 16-notice plan."""
    return [compose_quire(spec) for spec in catalog_and_plan("quire", 61, 16, 14)]


@pytest.fixture(scope="module")
def text_layers(docs: list[QuireDocument], tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return text_layers_of(docs, tmp_path_factory.mktemp("quire-text"))


_phones = spellings(format_phone, PHONE_STYLES)
_dates = spellings(format_date, DATE_STYLES)


def _printed_values(doc: QuireDocument) -> Printed:
    """What the truth says is printed, as it may be printed (amounts as the tables print them)."""
    return table_truth_values(doc, _dates, PERSON_MASKS + BUSINESS_MASKS, _phones)


class TestQuireFamily(CaptureModelTests, ComposedPdfFamilyTests):
    family = ComposedPdfFamily(
        name="quire",
        engine="PDFKit",
        printed_values=_printed_values,
        dates=_dates,
        planned_multi_page=range(3, 11),
        compose=compose_quire,
        write=write_quire,
        pages_asked_for=(("CP59", 2), ("CP504", 4), ("LTR1058", 9)),
        recomposed=3,
    )


def test_layouts_vary(docs, tmp_path):
    facts = [doc.facts for doc in docs]
    assert {f.header_place for f in facts} == set(HEADER_PLACES)
    assert {f.date_style for f in facts} == set(DATE_STYLES)
    assert {f.credit_style for f in facts if any(line.cents < 0 for line in f.base.billing)} == set(
        CREDIT_STYLES
    )
    assert {f.shaded for f in facts} == {f.page_mark_top for f in facts} == {True, False}
    fonts = set()
    for doc in docs:
        (tmp_path / "fonts.pdf").write_bytes(doc.pdf)
        listing = subprocess.run(["pdffonts", str(tmp_path / "fonts.pdf")], capture_output=True, text=True)
        fonts |= set(re.findall(r"(Times|Helvetica|Courier|DejaVu\w+|Liberation\w+)", listing.stdout))
    assert {"Times", "Helvetica", "Courier"} <= fonts and any(font.startswith("DejaVu") for font in fonts)


def test_the_letterhead_names_the_treasury_and_the_words_are_spaced(docs, text_layers):
    for doc, text in zip(docs, text_layers, strict=True):
        assert "Department of the Treasury" in text and "Internal Revenue Service" in text, doc.spec
        assert doc.facts.base.notice.title in text, doc.spec  # wrapped words read back whole, one space apart


def test_no_words_overlap(docs, tmp_path):
    check_no_words_overlap(docs[::5], tmp_path / "words.pdf")


def test_letters_read_as_letters_and_notices_do_not(docs, text_layers):
    letters = 0
    for doc, text in zip(docs, text_layers, strict=True):
        is_letter = doc.spec.code.startswith("LT")
        letters += is_letter
        assert all(label in text for label in LETTER_LABELS) == is_letter, doc.spec
    assert letters >= 12


def test_a_box_without_a_fill_is_outlined_not_filled():
    """An outlined box (``fill`` null, as an unshaded notice sends it) leaves its inside white."""
    box = {"t": "box", "x": 100, "y": 100, "w": 300, "h": 200, "fill": None}
    page = {"limit": 700, "ops": [box]}
    fonts = {"R": "Helvetica", "B": "Helvetica-Bold"}
    [pdf] = draw_pdfs([{"date": "2026-01-05T12:00:00Z", "title": "box", "fonts": fonts, "pages": [page]}])
    assert isinstance(pdf, bytes)
    pixels = np.asarray(convert_from_bytes(pdf, dpi=36, grayscale=True)[0])
    assert pixels[60:140, 60:190].min() > 200 and pixels[50, 50:200].min() < 128  # white inside, a dark edge


def test_a_page_that_runs_past_its_limit_is_refused():
    flow = {"t": "flow", "s": "word " * 400, "x": 54, "w": 504, "font": "R", "size": 11}
    fonts = {"R": "Helvetica"}
    page = {"limit": 200, "ops": [{"t": "at", "y": 100}, flow]}
    [drawn] = draw_pdfs([{"date": "2026-01-05T12:00:00Z", "title": "long", "fonts": fonts, "pages": [page]}])
    assert isinstance(drawn, str) and "past its limit" in drawn


def test_multi_period_notices_print_every_period(docs, text_layers):
    check_every_period_printed(docs, text_layers, lambda doc, end: doc.facts.period(end))


def test_dates_are_written_in_each_style():
    day = dt.date(2026, 1, 5)
    assert {format_date(day, style) for style in DATE_STYLES} == {
        "January 5, 2026", "01/05/2026", "Jan. 5, 2026", "2026-01-05",
    }  # fmt: skip
    assert format_date(dt.date(2026, 6, 1), "abbreviated") == "June 1, 2026"
