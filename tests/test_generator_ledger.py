"""The "ledger" layout family of the synthetic generator (notices written as raw PostScript and distilled to
PDF by Ghostscript): every catalog code renders, the same seed gives the same truth and PDF bytes (in another
process too), the plan is the other families' plan, the truth agrees with pdfwrite's text layer read by
``pdftotext`` (every value the truth records is in it, every value it records as absent is not, no full
SSN), a page count asked for is met with no blank page, the stub sits at the foot of the last page, the
fonts are Ghostscript's embedded faces, and every capture kind (all three capture models) writes a readable
file of the right type and page count. No tesseract; skipped when Ghostscript is not installed.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest

from fixtures.generator.family_facts import format_phone
from fixtures.generator.ledger_facts import (
    BUSINESS_MASKS,
    DATE_STYLES,
    FONTS,
    HEADERS,
    PERSON_MASKS,
    PHONE_STYLES,
    format_ledger_date,
)
from fixtures.generator.ledger_family import LedgerDocument, compose_ledger, has_ghostscript, write_ledger
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
    not has_ghostscript(),
    reason="Ghostscript is not installed (apt-get install ghostscript): the ledger family is distilled by it",
)
LETTER_LABELS = ("Taxpayer ID Number:", "Person to Contact:", "Employee ID Number:",
                 "Contact Hours:")  # fmt: skip


@pytest.fixture(scope="module")
def docs() -> list[LedgerDocument]:
    """Every catalog code (born-digital, clean) and a seeded 16-notice plan."""
    return [compose_ledger(spec) for spec in catalog_and_plan("ledger", 43, 16, 15)]


@pytest.fixture(scope="module")
def text_layers(docs: list[LedgerDocument], tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return text_layers_of(docs, tmp_path_factory.mktemp("ledger-text"))


_phones = spellings(format_phone, PHONE_STYLES)
_dates = spellings(format_ledger_date, DATE_STYLES)


def _printed_values(doc: LedgerDocument) -> Printed:
    """What the truth says is printed, as it may be printed: a string, or a set one of which is (billing
    and period amounts as the tables print them)."""
    values = table_truth_values(doc, _dates, PERSON_MASKS + BUSINESS_MASKS, _phones)
    return values + [_dates(dt.date.fromisoformat(p["period_end"])) for p in doc.truth.get("periods", [])]


class TestLedgerFamily(CaptureModelTests, ComposedPdfFamilyTests):
    family = ComposedPdfFamily(
        name="ledger",
        engine="Ghostscript",
        printed_values=_printed_values,
        dates=_dates,
        planned_multi_page=range(3, 11),
        least_unstated=0,  # the family always states a computed deadline's window
        compose=compose_ledger,
        write=write_ledger,
        pages_asked_for=(("CP59", 2), ("CP504", 4), ("LTR1058", 9), ("LTR5071C", 9)),
        recomposed=3,
    )


def test_layouts_vary(docs, tmp_path):
    facts = [doc.facts for doc in docs]
    assert {f.font for f in facts} == set(FONTS)
    assert {f.header for f in facts if not f.is_letter} == set(HEADERS)
    assert {f.header_dates for f in facts} == set(DATE_STYLES) and {f.size_pt for f in facts} >= {9, 11}
    assert {f.shaded for f in facts} == {f.dashed_rules for f in facts} == {True, False}
    assert any(len(f.irs.name_lines) > 1 for f in facts)
    fonts = set()
    for doc in docs[:: len(docs) // 12]:
        (tmp_path / "fonts.pdf").write_bytes(doc.pdf)
        listing = subprocess.run(["pdffonts", str(tmp_path / "fonts.pdf")], capture_output=True, text=True)
        assert (
            "Ghostscript"
            in subprocess.run(["pdfinfo", str(tmp_path / "fonts.pdf")], capture_output=True, text=True).stdout
        )
        fonts |= set(
            re.findall(r"^[A-Z]{6}\+(Helvetica|Times|Courier)\S* +Type 1C +\S+ +yes", listing.stdout, re.M)
        )
    assert fonts == {"Helvetica", "Times", "Courier"}  # embedded subsets: Ghostscript's own glyphs


def test_the_letterhead_names_the_treasury(docs, text_layers):
    for doc, text in zip(docs, text_layers, strict=True):
        assert "Department of the Treasury" in text and "Internal Revenue Service" in text, doc.spec


def test_letters_print_the_contact_column_and_a_closing_and_notices_do_not(docs, text_layers):
    letters = 0
    for doc, text in zip(docs, text_layers, strict=True):
        is_letter = doc.spec.code.startswith("LT")
        letters += is_letter
        assert all(label in text for label in LETTER_LABELS) == is_letter, doc.spec
        assert ("Sincerely" in text and "Enclosures:" in text and "Dear " in text) == is_letter, doc.spec
    assert letters >= 12


def test_multi_period_notices_print_every_period(docs, text_layers):
    check_every_period_printed(docs, text_layers, lambda doc, end: doc.facts.date(end))
