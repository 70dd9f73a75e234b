"""The "typeset" layout family of the synthetic generator (notices written as Typst markup and compiled by
Typst): every catalog code renders, the same seed gives the same truth and PDF bytes (in another process
too), the plan is the other families' plan, the truth agrees with Typst's text layer read by ``pdftotext``
(every value the truth records is in it, every value it records as absent is not, no full SSN), a page
count asked for is met with no blank page, the stub sits at the foot of the last page, and every capture
kind (all three capture models) writes a readable file of the right type and page count. No tesseract.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from decimal import Decimal

import pytest

from fixtures.generator.family_facts import format_phone
from fixtures.generator.typeset_facts import (
    BUSINESS_MASKS,
    CODE_PLACES,
    CREDIT_STYLES,
    DATE_STYLES,
    FACES,
    HEADERS,
    PAGE_MARKS,
    PERIOD_STYLES,
    PERSON_MASKS,
    PHONE_STYLES,
    format_date,
    period_printed,
)
from fixtures.generator.typeset_family import TypesetDocument, compose_typeset, write_typeset
from tests.family_checks import Printed, spellings
from tests.pdf_families import (
    CaptureModelTests,
    ComposedPdfFamily,
    ComposedPdfFamilyTests,
    base_truth_values,
    catalog_and_plan,
    check_no_words_overlap,
    text_layers_of,
)


@pytest.fixture(scope="module")
def docs() -> list[TypesetDocument]:
    """Every catalog code (born-digital, clean) and a seeded 16-notice plan."""
    return [compose_typeset(spec) for spec in catalog_and_plan("typeset", 41, 16, 14)]


@pytest.fixture(scope="module")
def text_layers(docs: list[TypesetDocument], tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return text_layers_of(docs, tmp_path_factory.mktemp("typeset-text"))


_dates = spellings(format_date, DATE_STYLES)
_phones = spellings(format_phone, PHONE_STYLES)


def _printed_values(doc: TypesetDocument) -> Printed:
    """What the truth says is printed, as it may be printed: a string, or a set one of which is (a credit
    as "-$12.00" or "($12.00)")."""
    values = base_truth_values(doc, _dates, PERSON_MASKS + BUSINESS_MASKS, _phones, "billing_lines")
    cents = [round(Decimal(line["amount"]) * 100) for line in doc.truth["billing_lines"]]
    return values + [{doc.facts.money(amount)} for amount in cents]


class TestTypesetFamily(CaptureModelTests, ComposedPdfFamilyTests):
    capture_model_code = "CP14"
    family = ComposedPdfFamily(
        name="typeset",
        engine="Typst",
        printed_values=_printed_values,
        dates=_dates,
        planned_multi_page=range(3, 11),
        compose=compose_typeset,
        write=write_typeset,
        pages_asked_for=(("CP59", 2), ("CP504", 4), ("LTR1058", 9)),
        recomposed=4,
    )


def test_layouts_vary(docs, tmp_path):
    facts = [doc.facts for doc in docs]
    embedded = set()
    for doc in docs[:: len(docs) // 20]:
        (tmp_path / "fonts.pdf").write_bytes(doc.pdf)
        listing = subprocess.run(["pdffonts", str(tmp_path / "fonts.pdf")], capture_output=True, text=True)
        embedded |= set(re.findall(r"\+([A-Za-z]+)", listing.stdout))
    assert embedded >= {
        "DejaVuSerif",
        "DejaVuSans",
        "LiberationSerif",
        "LiberationSansNarrow",
        "LibertinusSerif",
    }
    assert {f.face for f in facts} == set(FACES) and {f.header for f in facts} == set(HEADERS)
    assert {f.code_place for f in facts} == set(CODE_PLACES) and {f.page_mark for f in facts} == set(
        PAGE_MARKS
    )
    assert {f.period_style for f in facts} == set(PERIOD_STYLES) and {f.body_dates for f in facts} == set(
        DATE_STYLES
    )
    assert {f.credit_style for f in facts if any(line.cents < 0 for line in f.base.billing)} == set(
        CREDIT_STYLES
    )
    assert {f.justified for f in facts} == {f.small_caps for f in facts} == {True, False}
    assert any(len(f.name_lines) > 1 for f in facts if f.base.tin.label == "Employer ID number")
    assert any(line.startswith("C/O") for f in facts for line in f.name_lines)


def test_the_letterhead_names_the_treasury_and_the_campus_with_its_zip(docs, text_layers):
    for doc, text in zip(docs, text_layers, strict=True):
        assert "Department of the Treasury" in text and "Internal Revenue Service" in text, doc.spec
        assert re.search(r"\b\d{5}-\d{4}\b", doc.facts.campus), doc.spec  # the campus with its ZIP+4


def test_tax_periods_are_printed_as_years_period_ends_and_forms(docs, text_layers):
    """ "Tax year 2023", "Tax period ending 12/31/2023", "Form 1040 for 2023", quarters for a 941; the truth's
    tax year is the year of the period end either way, and a notice naming the form records it."""
    seen = set()
    for doc, text in zip(docs, text_layers, strict=True):
        end = doc.facts.base.period_end
        label, value = period_printed(doc.facts)
        assert doc.truth["fields"]["tax_year"] == end.year
        assert label in text and value in text, doc.spec
        if value.startswith("Form "):
            assert doc.truth["fields"]["form"] == doc.facts.base.form, doc.spec
        seen.add(label if end.month == 12 else f"{label} (quarter)")
    assert seen >= {"Tax year", "Tax period ending", "Tax return", "Tax period ending (quarter)"}, seen


def test_multi_period_notices_print_every_period(docs, text_layers):
    checked = 0
    for doc, text in zip(docs, text_layers, strict=True):
        for period in doc.truth.get("periods", []):
            end = dt.date.fromisoformat(period["period_end"])
            assert doc.facts.date(end) in text and period["form"] in text, doc.spec
            assert doc.facts.money(round(Decimal(period["amount"]) * 100)) in text, doc.spec
            checked += 1
    assert checked >= 4


def test_letters_are_correspondence_letters_and_notices_are_not(docs, text_layers):
    letters = 0
    for doc, text in zip(docs, text_layers, strict=True):
        is_letter = doc.spec.code.startswith("LT")
        letters += is_letter
        signed = "Dear " in text and "Sincerely" in text and "Person to contact" in text
        assert signed == is_letter, doc.spec
    assert letters >= 12


def test_no_two_words_overlap(docs, tmp_path):
    """Read back from the text layer: header, cells, tables and stub each keep their room."""
    check_no_words_overlap(docs, tmp_path / "words.pdf")
