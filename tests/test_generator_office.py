"""The "office" layout family of the synthetic generator (notices drawn with fpdf2): every catalog code
renders, the same seed gives the same truth and PDF bytes (in another process too), the plan is the other
families' plan, the truth agrees with fpdf2's text layer read by ``pdftotext`` (every value the truth records
is in it, every value it records as absent is not, no full SSN), a page count asked for is met with no blank
page, the voucher sits at the foot of the last page, and every capture kind writes a readable file of the
right type and page count. No tesseract.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from fixtures.generator.family_facts import format_phone
from fixtures.generator.office_facts import (
    BUSINESS_MASKS,
    CODE_PLACES,
    DATE_STYLES,
    FONTS,
    LABEL_STYLES,
    NEGATIVE_STYLES,
    PERSON_MASKS,
    PHONE_STYLES,
    format_date,
    format_money,
)
from fixtures.generator.office_family import OfficeDocument, compose_office, write_office
from tests.family_checks import Printed, spellings
from tests.pdf_families import (
    ComposedPdfFamily,
    ComposedPdfFamilyTests,
    base_truth_values,
    catalog_and_plan,
    check_no_words_overlap,
    text_layers_of,
)


@pytest.fixture(scope="module")
def docs() -> list[OfficeDocument]:
    """Every catalog code (born-digital, clean) and a seeded 30-notice plan."""
    return [compose_office(spec) for spec in catalog_and_plan("office", 31, 30, 12)]


@pytest.fixture(scope="module")
def text_layers(docs: list[OfficeDocument], tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return text_layers_of(docs, tmp_path_factory.mktemp("office-text"))


_dates = spellings(format_date, DATE_STYLES)
_phones = spellings(format_phone, PHONE_STYLES)


def _printed_values(doc: OfficeDocument) -> Printed:
    """What the truth says is printed, as it may be printed: a string, or a set one of which is (a payment
    as "-$12.00" or "($12.00)")."""
    values = base_truth_values(doc, _dates, PERSON_MASKS + BUSINESS_MASKS, _phones, "billing_lines")
    cents = [round(Decimal(line["amount"]) * 100) for line in doc.truth["billing_lines"]]
    return values + [{format_money(amount, style) for style in NEGATIVE_STYLES} for amount in cents]


class TestOfficeFamily(ComposedPdfFamilyTests):
    family = ComposedPdfFamily(
        name="office",
        engine="fpdf2",
        printed_values=_printed_values,
        dates=_dates,
        planned_multi_page=range(4, 21),
        stub_reaches=(36, 60),  # the scan line
        compose=compose_office,
        write=write_office,
        pages_asked_for=(("CP59", 2), ("CP14", 4), ("LT11", 9)),
        recomposed=6,
        another_process_fonts=("DejaVuSans", "LiberationSerif"),
    )


def test_layouts_vary(docs):
    facts = [doc.facts for doc in docs]
    assert {f.font for f in facts} == set(FONTS) and {f.code_place for f in facts} == set(CODE_PLACES)
    assert {f.label_style for f in facts} == set(LABEL_STYLES) and {f.body_dates for f in facts} == set(
        DATE_STYLES
    )
    assert {f.phone_style for f in facts} == set(PHONE_STYLES) and len({f.total_label for f in facts}) >= 4
    assert (
        {f.address_right for f in facts}
        == {f.shaded for f in facts}
        == {f.account_first for f in facts}
        == {f.amount_box for f in facts if f.base.amount_due is not None}
        == {True, False}
    )
    assert {f.negative_style for f in facts if any(line.cents < 0 for line in f.base.billing)} == set(
        NEGATIVE_STYLES
    )
    assert any(len(f.name_lines) > 1 for f in facts if f.base.tin.label == "Employer ID number")
    assert any(line.startswith(("C/O", "%")) for f in facts for line in f.name_lines)


def test_letters_are_correspondence_letters_and_notices_are_not(docs, text_layers):
    """An LT or LTR code is a letter: "Dear ...:", a person to contact, a signature; a CP notice has none."""
    letters = 0
    for doc, text in zip(docs, text_layers, strict=True):
        is_letter = doc.spec.code.startswith("LT")
        letters += is_letter
        assert ("Dear " in text and "Sincerely" in text and "Person to contact" in text) == is_letter, (
            doc.spec
        )
    assert letters >= 12


def test_no_two_words_overlap(docs, tmp_path):
    """Read back from the text layer, no word's box runs into another's on any page: labels, values, panel,
    address block, tables and voucher each keep their room."""
    check_no_words_overlap(docs, tmp_path / "boxes.pdf")
