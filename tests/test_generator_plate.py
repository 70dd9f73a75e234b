"""The "plate" layout family of the synthetic generator (notices drawn as SVG pages and converted to PDF by
librsvg's rsvg-convert): every catalog code renders, the same seed gives the same truth and PDF bytes (in
another process too), the plan is the other families' plan, the truth agrees with cairo's text layer read by
``pdftotext`` (every value the truth records is in it, every value it records as absent is not, no full
SSN), a page count asked for is met with no blank page, the stub sits at the foot of the last page, no two
words overlap, and every capture kind (all three capture models) writes a readable file of the right type
and page count. No tesseract; skipped when rsvg-convert is not installed.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest

from fixtures.generator.family_facts import format_phone
from fixtures.generator.plate_facts import (
    BUSINESS_MASKS,
    CREDIT_STYLES,
    DATE_STYLES,
    FACES,
    PAGE_MARKS,
    PERIOD_STYLES,
    PERSON_MASKS,
    PHONE_STYLES,
    format_date,
    format_period,
)
from fixtures.generator.plate_family import PlateDocument, compose_plate, has_rsvg, write_plate
from fixtures.generator.plate_layout import HEADERS
from tests.family_checks import Printed, check_cli_stack, spellings
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
    not has_rsvg(),
    reason="rsvg-convert is not installed (apt-get install librsvg2-bin): it converts the plate family",
)
LETTER_LABELS = ("Letter Number:", "Letter Date:", "Person to Contact:", "Employee ID Number:",
                 "Contact Telephone Number:", "Contact Hours:")  # fmt: skip


@pytest.fixture(scope="module")
def docs() -> list[PlateDocument]:
    """Every catalog code (born-digital, clean) and a seeded 16-notice plan."""
    return [compose_plate(spec) for spec in catalog_and_plan("plate", 43, 16, 15)]


@pytest.fixture(scope="module")
def text_layers(docs: list[PlateDocument], tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return text_layers_of(docs, tmp_path_factory.mktemp("plate-text"))


_phones = spellings(format_phone, PHONE_STYLES)


def _dates(day: dt.date) -> set[str]:
    """A date as this family may print it: in a sentence or header, or as a tax period ("202312")."""
    return {format_date(day, style) for style in DATE_STYLES} | {format_period(day, "yyyymm")}


def _printed_values(doc: PlateDocument) -> Printed:
    """What the truth says is printed, as it may be printed: a string, or a set one of which is (billing
    and period amounts as the tables print them)."""
    return table_truth_values(doc, _dates, PERSON_MASKS + BUSINESS_MASKS, _phones)


class TestPlateFamily(CaptureModelTests, ComposedPdfFamilyTests):
    family = ComposedPdfFamily(
        name="plate",
        engine="rsvg-convert",
        printed_values=_printed_values,
        dates=_dates,
        planned_multi_page=range(3, 11),
        compose=compose_plate,
        write=write_plate,
        pages_asked_for=(("CP59", 2), ("CP504", 4), ("LTR1058", 9)),
        recomposed=3,
    )


def test_layouts_vary(docs, tmp_path):
    facts = [doc.facts for doc in docs]
    notices = [f for f in facts if not f.is_letter]
    assert {f.face for f in facts} == set(FACES) and {f.header for f in notices} == set(HEADERS)
    assert {f.page_mark for f in facts} == set(PAGE_MARKS) and {f.period_style for f in facts} == set(
        PERIOD_STYLES
    )
    assert {f.header_dates for f in facts} == set(DATE_STYLES)
    assert {f.credit_style for f in facts if any(line.cents < 0 for line in f.base.billing)} == set(
        CREDIT_STYLES
    )
    assert len({f.labels for f in facts}) > 2 and len({f.size_pt for f in facts}) > 3
    fonts = set()
    for doc in docs[:: len(docs) // 12]:
        (tmp_path / "fonts.pdf").write_bytes(doc.pdf)
        listing = subprocess.run(["pdffonts", str(tmp_path / "fonts.pdf")], capture_output=True, text=True)
        fonts |= set(re.findall(r"\+(DejaVu|Liberation)", listing.stdout))
    assert fonts == {"DejaVu", "Liberation"}


def test_cairo_wrote_the_pdf(docs, tmp_path):
    (tmp_path / "one.pdf").write_bytes(docs[0].pdf)
    info = subprocess.run(["pdfinfo", str(tmp_path / "one.pdf")], capture_output=True, text=True).stdout
    assert re.search(r"Producer:\s+cairo", info) and "612 x 792 pts" in info


def test_the_letterhead_names_the_treasury_and_the_year_or_period_is_printed(docs, text_layers):
    for doc, text in zip(docs, text_layers, strict=True):
        assert "Department of the Treasury" in text and "Internal Revenue Service" in text, doc.spec
        base = doc.facts.base
        year = doc.facts.period(base.period_end) if doc.facts.shows_period else str(base.tax_year)
        assert year in text, doc.spec


def test_letters_print_the_contact_column_and_a_signature_and_notices_do_not(docs, text_layers):
    letters = 0
    for doc, text in zip(docs, text_layers, strict=True):
        is_letter = doc.spec.code.startswith("LT")
        letters += is_letter
        assert all(label in text for label in LETTER_LABELS) == is_letter, doc.spec
        assert ("Enclosures:" in text and "Dear " in text) == is_letter, doc.spec
    assert letters >= 12


def test_multi_period_notices_print_every_period(docs, text_layers):
    check_every_period_printed(docs, text_layers, lambda doc, end: doc.facts.period(end))


def test_no_two_words_overlap(docs, tmp_path):
    check_no_words_overlap(docs[::3], tmp_path / "words.pdf")


def test_cli_writes_a_stack(tmp_path):
    check_cli_stack(tmp_path, "plate")
