"""The "press" layout family of the synthetic generator (notices laid out from HTML/CSS by WeasyPrint): every
catalog code renders, the same seed gives the same truth and PDF bytes (in another process too), the plan is
the other families' plan, the truth agrees with WeasyPrint's text layer read by ``pdftotext`` (every value
the truth records is in it, every value it records as absent is not, no full SSN), a page count asked for is
met with no blank page, the voucher sits at the foot of the last page, and every capture kind (both capture
models) writes a readable file of the right type and page count. No tesseract.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from fixtures.generator.family_facts import format_phone
from fixtures.generator.press_facts import (
    BUSINESS_MASKS,
    CODE_PLACES,
    CREDIT_STYLES,
    DATE_STYLES,
    FACES,
    HEADERS,
    PERIOD_STYLES,
    PERSON_MASKS,
    PHONE_STYLES,
    format_date,
    format_money,
)
from fixtures.generator.press_family import PressDocument, compose_press, write_press
from fixtures.generator.press_wording import period_printed
from fixtures.generator.spec import Spec
from tests.family_checks import Printed, spellings
from tests.pdf_families import (
    ComposedPdfFamily,
    ComposedPdfFamilyTests,
    base_truth_values,
    catalog_and_plan,
    check_no_words_overlap,
    check_written_capture_model,
    text_layers_of,
    words_of,
)

PAGE_WIDTH_PT = 612  # US letter


@pytest.fixture(scope="module")
def docs() -> list[PressDocument]:
    """Every catalog code (born-digital, clean) and a seeded 16-notice plan."""
    return [compose_press(spec) for spec in catalog_and_plan("press", 41, 16, 14)]


@pytest.fixture(scope="module")
def text_layers(docs: list[PressDocument], tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return text_layers_of(docs, tmp_path_factory.mktemp("press-text"))


_dates = spellings(format_date, DATE_STYLES)
_phones = spellings(format_phone, PHONE_STYLES)


def _printed_values(doc: PressDocument) -> Printed:
    """What the truth says is printed, as it may be printed: a string, or a set one of which is (a payment
    as "-$12.00", "($12.00)" or "$12.00 CR")."""
    values = base_truth_values(doc, _dates, PERSON_MASKS + BUSINESS_MASKS, _phones, "billing_lines")
    cents = [round(Decimal(line["amount"]) * 100) for line in doc.truth["billing_lines"]]
    return values + [{format_money(amount, style) for style in CREDIT_STYLES} for amount in cents]


class TestPressFamily(ComposedPdfFamilyTests):
    family = ComposedPdfFamily(
        name="press",
        engine="WeasyPrint",
        printed_values=_printed_values,
        dates=_dates,
        planned_multi_page=range(2, 13),
        stub_reaches=(36, 60),  # the scan line
        compose=compose_press,
        write=write_press,
        pages_asked_for=(("CP59", 2), ("CP14", 4), ("LT11", 9)),
        recomposed=6,
    )


def test_layouts_vary(docs):
    facts = [doc.facts for doc in docs]
    assert {f.face for f in facts} == set(FACES) and {f.header for f in facts if not f.is_letter} == set(
        HEADERS
    )
    assert {f.code_place for f in facts} == set(CODE_PLACES) and {f.period_style for f in facts} == set(
        PERIOD_STYLES
    )
    assert {f.body_dates for f in facts} == set(DATE_STYLES) and {f.phone_style for f in facts} == set(
        PHONE_STYLES
    )
    assert {f.credit_style for f in facts if any(line.cents < 0 for line in f.base.billing)} == set(
        CREDIT_STYLES
    )
    assert len({f.total_label for f in facts}) >= 4
    assert any(len(f.name_lines) > 1 for f in facts if f.base.tin.label == "Employer ID number")
    assert any(line.startswith("C/O") for f in facts for line in f.name_lines)


def test_tax_periods_are_printed_as_years_and_as_period_ends(docs, text_layers):
    """ "Tax year 2023", "Tax period ending 12/31/2023", "Tax period: December 31, 2023", quarters for a 941;
    the truth's tax year is the year of the period end either way."""
    seen = set()
    for doc, text in zip(docs, text_layers, strict=True):
        end = doc.facts.base.period_end
        label, value = period_printed(doc.facts)
        assert doc.truth["fields"]["tax_year"] == end.year
        assert label in text and value in text, doc.spec  # boxed values: the labels' row, then the values'
        seen.add(label if end.month == 12 else f"{label} (quarter)")
    assert seen >= {"Tax year", "Tax period ending", "Tax period", "Tax period ending (quarter)"}, seen


def test_letters_are_correspondence_letters_and_notices_are_not(docs, text_layers):
    """An LT or LTR code is a letter: "Dear ...:", a person to contact and their hours, a signature."""
    letters = 0
    for doc, text in zip(docs, text_layers, strict=True):
        is_letter = doc.spec.code.startswith("LT")
        letters += is_letter
        header = "Person to contact" in text and "Employee ID number" in text and "Contact hours" in text
        assert ("Dear " in text and "Sincerely" in text and header) == is_letter, doc.spec
    assert letters >= 12


def test_no_two_words_overlap_and_every_word_is_on_the_page(docs, tmp_path):
    """Read back from the text layer: panel, boxes, tables and voucher each keep their room, and no word runs
    off the paper (a table too wide for its column)."""
    check_no_words_overlap(docs, tmp_path / "boxes.pdf")
    for doc in docs:
        right_edges = re.findall(r'xMax="([\d.]+)"', words_of(doc.pdf, tmp_path / "edges.pdf"))
        assert max(float(x) for x in right_edges) < PAGE_WIDTH_PT - 18, doc.spec


@pytest.mark.parametrize(
    ("kind", "degradation", "suffix", "pages"),
    [("pdf_scan", "desk_stamp", ".pdf", 2), ("photo", "desk_fold+desk_phone", ".jpg", 1)],
)
def test_desk_captures_write_a_readable_file(tmp_path, kind, degradation, suffix, pages):
    spec = Spec(5, 4, "CP14", kind, degradation, pages=pages, family="press", captures="desk")
    check_written_capture_model(write_press, spec, tmp_path, suffix)
