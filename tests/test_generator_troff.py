"""The "troff" layout family of the synthetic generator (notices written as troff source with the ms macros
and tbl, typeset by groff): every catalog code renders, the same seed gives the same truth and PDF bytes (in
another process too), the plan is the other families' plan, the truth agrees with gropdf's text layer read
by ``pdftotext`` (every value the truth records is in it, every value it records as absent is not, no full
SSN), a page count asked for is met with no blank page, the voucher sits at the foot of the last page, and
every capture kind (all three capture models) writes a readable file of the right type and page count. No
tesseract; skipped when groff is not installed.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest

from fixtures.generator.family_facts import format_phone
from fixtures.generator.troff_facts import (
    BUSINESS_MASKS,
    CREDIT_STYLES,
    DATE_STYLES,
    FACES,
    PAGE_MARKS,
    PERIOD_STYLES,
    PERSON_MASKS,
    PHONE_STYLES,
    format_period,
)
from fixtures.generator.troff_family import TroffDocument, compose_troff, has_groff, write_troff
from fixtures.generator.typeset_facts import format_date
from tests.family_checks import Printed, spellings
from tests.pdf_families import (
    CaptureModelTests,
    ComposedPdfFamily,
    ComposedPdfFamilyTests,
    catalog_and_plan,
    check_every_period_printed,
    table_truth_values,
    text_layers_of,
)

pytestmark = pytest.mark.skipif(
    not has_groff(),
    reason="groff is not installed (apt-get install groff): the troff family is typeset by it",
)
LETTER_LABELS = ("Letter Number:", "Letter Date:", "Taxpayer Identification Number:", "Tax Period(s):",
                 "Person to Contact:", "Employee ID Number:", "Contact Telephone Number:",
                 "Contact Hours:")  # fmt: skip


@pytest.fixture(scope="module")
def docs() -> list[TroffDocument]:
    """Every catalog code (born-digital, clean) and a seeded 16-notice plan."""
    return [compose_troff(spec) for spec in catalog_and_plan("troff", 41, 16, 14)]


@pytest.fixture(scope="module")
def text_layers(docs: list[TroffDocument], tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return text_layers_of(docs, tmp_path_factory.mktemp("troff-text"))


_phones = spellings(format_phone, PHONE_STYLES)


def _dates(day: dt.date) -> set[str]:
    """A date as this family may print it: in a sentence or header, or as a tax period ("202312")."""
    return {format_date(day, style) for style in DATE_STYLES} | {format_period(day, "yyyymm")}


def _printed_values(doc: TroffDocument) -> Printed:
    """What the truth says is printed, as it may be printed: a string, or a set one of which is (billing
    and period amounts as the tables print them)."""
    return table_truth_values(doc, _dates, PERSON_MASKS + BUSINESS_MASKS, _phones)


class TestTroffFamily(CaptureModelTests, ComposedPdfFamilyTests):
    family = ComposedPdfFamily(
        name="troff",
        engine="groff",
        printed_values=_printed_values,
        dates=_dates,
        planned_multi_page=range(3, 11),
        compose=compose_troff,
        write=write_troff,
        pages_asked_for=(("CP59", 2), ("CP504", 4), ("LTR1058", 9)),
        recomposed=3,
    )


def test_layouts_vary(docs, tmp_path):
    facts = [doc.facts for doc in docs]
    embedded = {f.embeds_fonts for f in facts}
    assert {f.family for f in facts} == set(FACES) and embedded == {True, False}
    assert {f.page_mark for f in facts} == set(PAGE_MARKS) and {f.period_style for f in facts} == set(
        PERIOD_STYLES
    )
    assert {f.credit_style for f in facts if any(line.cents < 0 for line in f.base.billing)} == set(
        CREDIT_STYLES
    )
    assert {f.justified for f in facts} == {f.dollar_in_tables for f in facts} == {True, False}
    assert any(len(f.name_lines) > 1 for f in facts if f.base.tin.label == "Employer ID number")
    assert any(line.startswith("C/O") for f in facts for line in f.name_lines)
    fonts = set()
    for doc in docs[:: len(docs) // 12]:
        (tmp_path / "fonts.pdf").write_bytes(doc.pdf)
        listing = subprocess.run(["pdffonts", str(tmp_path / "fonts.pdf")], capture_output=True, text=True)
        fonts |= set(re.findall(r"^(Times|Helvetica|Courier)", listing.stdout, re.MULTILINE))
    assert fonts == {"Times", "Helvetica", "Courier"}


def test_the_letterhead_names_the_treasury_and_the_tax_period_is_printed(docs, text_layers):
    for doc, text in zip(docs, text_layers, strict=True):
        assert "Department of the Treasury" in text and "Internal Revenue Service" in text, doc.spec
        assert doc.facts.period(doc.facts.base.period_end) in text, doc.spec


def test_letters_print_the_correspondence_header_and_notices_do_not(docs, text_layers):
    letters = 0
    for doc, text in zip(docs, text_layers, strict=True):
        is_letter = doc.spec.code.startswith("LT")
        letters += is_letter
        assert all(label in text for label in LETTER_LABELS) == is_letter, doc.spec
        assert ("Sincerely" in text and "Enclosures:" in text and "Reply to:" in text) == is_letter, doc.spec
    assert letters >= 12


def test_multi_period_notices_print_every_period(docs, text_layers):
    check_every_period_printed(docs, text_layers, lambda doc, end: doc.facts.period(end))
