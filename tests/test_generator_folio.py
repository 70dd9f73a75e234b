"""The "folio" layout family of the synthetic generator (notices and letters drawn line by line with PyMuPDF):
every catalog code renders, the same seed gives the same truth and PDF bytes (in another process too, an
embedded TrueType subset included), the plan is the other families' plan, the truth agrees with MuPDF's text
layer read by ``pdftotext`` (every value the truth records is in it, every value it records as absent is not,
no full SSN), no two words overlap, a page count asked for is met with no blank page, the stub sits at the
foot of the last page, and every capture kind (all three capture models) writes a readable file of the right
type and page count. No tesseract; skipped when PyMuPDF is not installed.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest

from fixtures.generator.family_facts import format_phone
from fixtures.generator.folio_facts import (
    BUSINESS_MASKS,
    DATE_STYLES,
    FACES,
    HEADERS,
    LABEL_SETS,
    PERSON_MASKS,
    PHONE_STYLES,
)
from fixtures.generator.folio_family import FolioDocument, compose_folio, has_pymupdf, write_folio
from fixtures.generator.ledger_facts import format_ledger_date
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
    not has_pymupdf(),
    reason="PyMuPDF is not installed (pip install 'pymupdf>=1.24,<2'): it draws the folio family",
)
LETTER_LABELS = ("Letter Number:", "Taxpayer ID Number:", "Person to Contact:", "Contact ID Number:",
                 "Contact Telephone Number:")  # fmt: skip


@pytest.fixture(scope="module")
def docs() -> list[FolioDocument]:
    """Every catalog code (born-digital, clean) and a seeded 16-notice plan."""
    return [compose_folio(spec) for spec in catalog_and_plan("folio", 43, 16, 15)]


@pytest.fixture(scope="module")
def text_layers(docs: list[FolioDocument], tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return text_layers_of(docs, tmp_path_factory.mktemp("folio-text"))


_phones = spellings(format_phone, PHONE_STYLES)
_dates = spellings(format_ledger_date, DATE_STYLES)


def _printed_values(doc: FolioDocument) -> Printed:
    """What the truth says is printed, as it may be printed (billing and period amounts as the tables print
    them)."""
    return table_truth_values(doc, _dates, PERSON_MASKS + BUSINESS_MASKS, _phones)


class TestFolioFamily(CaptureModelTests, ComposedPdfFamilyTests):
    family = ComposedPdfFamily(
        name="folio",
        engine="PyMuPDF",
        printed_values=_printed_values,
        dates=_dates,
        planned_multi_page=range(3, 11),
        compose=compose_folio,
        write=write_folio,
        pages_asked_for=(("CP59", 2), ("CP504", 4), ("LTR1058", 9)),
        recomposed=3,
        another_process_fonts=("DejaVu Sans", "DejaVu Serif", "DejaVu Sans Condensed"),
    )


def test_layouts_vary(docs, tmp_path):
    facts = [doc.facts for doc in docs]
    assert {f.face for f in facts} == set(FACES) and {f.header for f in facts} == set(HEADERS)
    assert {f.labels for f in facts} == set(LABEL_SETS) and {f.header_dates for f in facts} == set(
        DATE_STYLES
    )
    assert {f.shaded for f in facts} == {f.dashed_rules for f in facts} == {True, False}
    fonts = set()
    for doc in docs[:: len(docs) // 12]:
        (tmp_path / "fonts.pdf").write_bytes(doc.pdf)
        listing = subprocess.run(["pdffonts", str(tmp_path / "fonts.pdf")], capture_output=True, text=True)
        fonts |= set(re.findall(r"(Helvetica|Times|Courier|DejaVu)", listing.stdout))
    assert fonts == {"Helvetica", "Times", "Courier", "DejaVu"}


def test_no_two_words_overlap(docs, tmp_path):
    check_no_words_overlap(docs, tmp_path / "words.pdf")


def test_the_letterhead_names_the_treasury_and_the_period_is_printed(docs, text_layers):
    for doc, text in zip(docs, text_layers, strict=True):
        base = doc.facts.base
        assert "Department of the Treasury" in text and "Internal Revenue Service" in text, doc.spec
        period = doc.facts.date(base.period_end, "header") if base.show_period else str(base.tax_year)
        assert period in text, doc.spec


def test_letters_print_the_contact_column_and_notices_do_not(docs, text_layers):
    letters = 0
    for doc, text in zip(docs, text_layers, strict=True):
        is_letter = doc.spec.code.startswith("LT")
        letters += is_letter
        assert all(label in text for label in LETTER_LABELS) == is_letter, doc.spec
        assert (doc.facts.signer is not None and doc.facts.signer.signature in text) == is_letter, doc.spec
    assert letters >= 12


def test_multi_period_notices_print_every_period(docs, text_layers):
    check_every_period_printed(docs, text_layers, lambda doc, end: doc.facts.date(end))


def test_a_computed_deadline_is_never_a_date(docs, text_layers):
    """A notice whose deadline counts from its date says the window; its date appears in no style."""
    checked = 0
    for doc, text in zip(docs, text_layers, strict=True):
        fields = doc.truth["fields"]
        if fields["deadline_kind"] == "computed":
            window = (dt.date.fromisoformat(fields["deadline"]) - doc.facts.base.notice_date).days
            assert f"within {window} days from the date of this" in text, doc.spec
            checked += 1
    assert checked >= 10
