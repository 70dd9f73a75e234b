"""The "sheet" layout family of the synthetic generator (notices drawn page by page by matplotlib's PDF
backend): every catalog code draws, the same seed gives the same truth and PDF bytes (in another process too),
the plan is the other families' plan, the truth agrees with matplotlib's text layer read by ``pdftotext``
(every value the truth records is in it, every value it records as absent is not, no full SSN, no word runs
into another), a page count asked for is met with no blank page, the stub sits at the foot of the last page,
every capture kind writes a readable file of the right type and page count, and the CLI writes a stack. No
tesseract; skipped when matplotlib is not installed.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest

from fixtures.generator.family_facts import format_phone
from fixtures.generator.sheet_facts import (
    BUSINESS_MASKS,
    CREDIT_STYLES,
    DATE_STYLES,
    FACES,
    HEADERS,
    PERSON_MASKS,
    PHONE_STYLES,
    format_sheet_date,
)
from fixtures.generator.sheet_family import SheetDocument, compose_sheet, has_matplotlib, write_sheet
from fixtures.generator.spec import Spec
from tests.family_checks import Printed, check_cli_stack, spellings
from tests.pdf_families import (
    ComposedPdfFamily,
    ComposedPdfFamilyTests,
    catalog_and_plan,
    check_every_period_printed,
    check_no_words_overlap,
    check_written_capture_model,
    table_truth_values,
    text_layers_of,
)

pytestmark = pytest.mark.skipif(
    not has_matplotlib(),
    reason="matplotlib is not installed (pip install 'matplotlib>=3.8'): it draws the sheet family",
)


@pytest.fixture(scope="module")
def docs() -> list[SheetDocument]:
    """Every catalog code (born-digital, clean) and a seeded 16-notice plan."""
    return [compose_sheet(spec) for spec in catalog_and_plan("sheet", 43, 16, 17)]


@pytest.fixture(scope="module")
def text_layers(docs: list[SheetDocument], tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return text_layers_of(docs, tmp_path_factory.mktemp("sheet-text"))


_phones = spellings(format_phone, PHONE_STYLES)
_dates = spellings(format_sheet_date, DATE_STYLES)


def _printed_values(doc: SheetDocument) -> Printed:
    """What the truth says is printed, as it may be printed: billing and period amounts as the tables print
    them."""
    return table_truth_values(doc, _dates, PERSON_MASKS + BUSINESS_MASKS, _phones)


class TestSheetFamily(ComposedPdfFamilyTests):
    family = ComposedPdfFamily(
        name="sheet",
        engine="matplotlib",
        printed_values=_printed_values,
        dates=_dates,
        planned_multi_page=range(2, 11),  # of 16 planned, a third expected (5); 2 at this seed
        compose=compose_sheet,
        write=write_sheet,
        pages_asked_for=(("CP59", 2), ("CP504", 4), ("LTR1058", 9)),
        recomposed=3,
    )


def test_layouts_vary(docs):
    facts = [doc.facts for doc in docs]
    assert {f.face for f in facts} == set(FACES) and {f.header for f in facts if not f.is_letter} == set(
        HEADERS
    )
    assert {f.date_style for f in facts} == set(DATE_STYLES) and {f.shaded for f in facts} == {True, False}
    assert {f.credit_style for f in facts if any(line.cents < 0 for line in f.base.billing)} == set(
        CREDIT_STYLES
    )
    assert {f.dollar_in_tables for f in facts} == {True, False}
    assert any(line.startswith(("C/O", "%")) for f in facts for line in f.name_lines)


def test_matplotlib_wrote_the_pdf_with_embedded_truetype_fonts(docs, tmp_path):
    faces = set()
    for doc in docs[:: len(docs) // 10]:
        path = tmp_path / "sheet.pdf"
        path.write_bytes(doc.pdf)
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        assert re.search(r"Producer:\s+Matplotlib pdf backend", info), doc.spec
        listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        rows = listing.splitlines()[2:]
        assert rows and all("TrueType" in row and " yes " in row for row in rows), listing
        faces |= set(re.findall(r"\+(DejaVu|Liberation)", listing))
    assert faces == {"DejaVu", "Liberation"}


def test_no_word_runs_into_another(docs, tmp_path):
    check_no_words_overlap(docs, tmp_path / "words.pdf")


def test_letters_look_like_letters_and_notices_do_not(docs, text_layers):
    letters = 0
    for doc, text in zip(docs, text_layers, strict=True):
        is_letter = doc.spec.code.startswith("LT")
        letters += is_letter
        assert ("Person to contact:" in text and "Dear " in text) == is_letter, doc.spec
        assert "Department of the Treasury" in text and "Internal Revenue Service" in text, doc.spec
    assert letters >= 12


def test_multi_period_notices_print_every_period(docs, text_layers):
    check_every_period_printed(docs, text_layers, lambda doc, end: doc.facts.date(end))


def test_a_date_is_written_in_the_document_style(docs, text_layers):
    for doc, text in zip(docs, text_layers, strict=True):
        day = dt.date.fromisoformat(doc.truth["fields"]["notice_date"])
        assert doc.facts.date(day) in text, doc.spec


@pytest.mark.parametrize(
    ("captures", "kind", "degradation", "suffix"), [("intake", "fax", "fax_fine", ".tif")]
)
def test_intake_capture_writes_a_readable_file(tmp_path, captures, kind, degradation, suffix):
    spec = Spec(5, 4, "LT11", kind, degradation, pages=2, family="sheet", captures=captures)
    check_written_capture_model(write_sheet, spec, tmp_path, suffix)


def test_cli_writes_a_stack_of_sheet_notices(tmp_path):
    check_cli_stack(tmp_path, "sheet")
