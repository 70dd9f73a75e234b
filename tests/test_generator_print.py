"""The "print" layout family of the synthetic generator (notices composed by ReportLab's platypus): every
catalog code renders, the same seed gives the same truth, text layer and PDF bytes, the plan is the other
families' plan, the truth agrees with ReportLab's text layer read by ``pdftotext`` (every value the truth
records is in it, every value it records as absent is not), a page count asked for is met, the voucher sits
at the foot of the last page, and every capture kind writes a readable file of the right type and page
count. No tesseract.
"""

from __future__ import annotations

import datetime as dt

import pytest

from fixtures.generator.family_facts import format_phone
from fixtures.generator.modern_facts import DATE_STYLES, format_date
from fixtures.generator.print_facts import FONTS, LOOKS, PANEL_PLACES, PHONE_STYLES
from fixtures.generator.print_family import PrintDocument, compose_print, write_print
from tests.family_checks import Printed, spellings
from tests.pdf_families import (
    ComposedPdfFamily,
    ComposedPdfFamilyTests,
    base_truth_values,
    catalog_and_plan,
    text_layers_of,
)

MASKS = ("XXX-XX-{}", "***-**-{}", "XX-XXX{}")


@pytest.fixture(scope="module")
def docs() -> list[PrintDocument]:
    """Every catalog code (born-digital, clean) and a seeded 40-notice plan."""
    return [compose_print(spec) for spec in catalog_and_plan("print", 31, 40, 12)]


@pytest.fixture(scope="module")
def text_layers(docs: list[PrintDocument], tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return text_layers_of(docs, tmp_path_factory.mktemp("print-text"))


_dates = spellings(format_date, DATE_STYLES)
_phones = spellings(format_phone, PHONE_STYLES)


def _printed_values(doc: PrintDocument) -> Printed:
    """What the truth says is printed, as it may be printed: a string, or a set one of which is."""
    return base_truth_values(doc, _dates, MASKS, _phones)


class TestPrintFamily(ComposedPdfFamilyTests):
    family = ComposedPdfFamily(
        name="print",
        engine="ReportLab",
        printed_values=_printed_values,
        dates=_dates,
        planned_multi_page=range(6, 27),
        least_unstated=2,
        stub_below=1 / 2,
        stub_reaches=(40, 54 + 40),  # the body ends 54 pt above the page's edge, only the footer below
        compose=compose_print,
        write=write_print,
        pages_asked_for=(("CP59", 2), ("CP14", 4), ("CP504", 9)),
        recomposed=8,
        another_process_fonts=("DejaVuSans", "LiberationSerif"),
    )


def test_layouts_vary(docs):
    facts = [doc.facts for doc in docs]
    assert {f.look for f in facts} == set(LOOKS) and {f.panel_place for f in facts} == set(PANEL_PLACES)
    assert {f.font for f in facts} == set(FONTS) and {f.body_dates for f in facts} == set(DATE_STYLES)
    assert 8.5 <= min(f.size_pt for f in facts) < max(f.size_pt for f in facts) <= 12
    assert {f.phone_style for f in facts} == set(PHONE_STYLES) and len({f.total_label for f in facts}) >= 4
    assert (
        {f.label_above for f in facts}
        == {f.bordered for f in facts}
        == {f.shaded for f in facts}
        == {True, False}
    )
    assert any(f.care_of for f in facts) and any(f.contact for f in facts)
    assert {f.base.tin.label for f in facts} >= {"Social Security number", "Employer ID number"}


def test_the_stub_names_no_unrecorded_form_and_a_computed_deadline_gives_its_days(docs, text_layers):
    """Besides the values recorded absent (``TestPrintFamily``): the stub's "the form number (1040)" only for
    a form the truth records, and a computed deadline as "within N days from the date of this" notice."""
    for doc, text in zip(docs, text_layers, strict=True):
        fields, base = doc.truth["fields"], doc.facts.base
        if fields["form"] is None:
            assert f"({base.form})" not in text, doc.spec
        if fields["deadline_kind"] == "computed":
            days = (dt.date.fromisoformat(fields["deadline"]) - base.notice_date).days
            assert f"within {days} days from the date of this" in text, doc.spec


def test_a_balance_due_notice_without_an_amount_asks_for_no_payment(docs, text_layers):
    """An LT16 states no amount: no "Pay the amount due of" with nothing after it."""
    without = [
        (doc, text)
        for doc, text in zip(docs, text_layers, strict=True)
        if not doc.truth["fields"]["amount_due"]
    ]
    assert any(doc.spec.code == "LT16" for doc, _ in without)
    for doc, text in without:
        assert "amount due of" not in text, doc.spec
