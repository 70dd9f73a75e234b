"""The "print" layout family of the synthetic generator (notices composed by ReportLab's platypus): every
catalog code renders, the same seed gives the same truth, text layer and PDF bytes, the plan is the other
families' plan, the truth agrees with ReportLab's text layer read by ``pdftotext`` (every value the truth
records is in it, every value it records as absent is not), a page count asked for is met, the voucher sits
at the foot of the last page, and every capture kind writes a readable file of the right type and page
count. No tesseract.
"""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest

from fixtures.generator.corpus import FAMILIES, compose, plan
from fixtures.generator.modern_facts import DATE_STYLES, format_date, format_phone
from fixtures.generator.print_facts import FONTS, LOOKS, PANEL_PLACES, PHONE_STYLES
from fixtures.generator.print_family import PrintDocument, compose_print, write_print
from fixtures.generator.spec import Spec
from fixtures.generator.stack import STACK_FAMILIES
from pipeline.catalog import load_catalog
from tests.family_checks import Printed, check_amounts_add_up, check_plan, truth_values
from tests.pdf_families import (
    CAPTURE_CASES,
    PAGE_HEIGHT_PT,
    amount_enclosed_top,
    check_absent_not_printed,
    check_cli_corpus,
    check_pages_asked_for,
    check_same_bytes_in_another_process,
    check_truth_contract,
    check_truth_in_text,
    check_written_capture,
    text_layer,
)

CATALOG = load_catalog()
MASKS = ("XXX-XX-{}", "***-**-{}", "XX-XXX{}")


@pytest.fixture(scope="module")
def docs() -> list[PrintDocument]:
    """Every catalog code (born-digital, clean) and a seeded 40-notice plan (its kinds: photos fit a page)."""
    specs = [
        Spec(i, 31, notice.code, "pdf_text", "clean", family="print")
        for i, notice in enumerate(CATALOG.notices)
    ]
    specs += plan(40, seed=12, family="print")
    return [compose_print(spec) for spec in specs]


@pytest.fixture(scope="module")
def text_layers(docs: list[PrintDocument], tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("print-text")
    return [text_layer(doc.pdf, folder / f"{i}.pdf") for i, doc in enumerate(docs)]


def _dates(day: dt.date) -> set[str]:
    return {format_date(day, style) for style in DATE_STYLES}


def _printed_values(doc: PrintDocument) -> Printed:
    """What the truth says is printed, as it may be printed: a string, or a set one of which is."""
    fields = doc.truth["fields"]
    tins = {mask.format(fields["ssn_last4"]) for mask in MASKS}
    phones = {format_phone(fields["irs_phone"], style) for style in PHONE_STYLES}
    return truth_values(SimpleNamespace(truth=doc.truth, facts=doc.facts.base), _dates, tins, phones)


def test_print_is_a_family_with_the_plan_of_the_others():
    assert "print" in FAMILIES and "print" in STACK_FAMILIES
    check_plan("print")
    with pytest.raises(ValueError, match="ReportLab"):
        compose(plan(1, seed=1, family="print")[0])


def test_every_catalog_code_renders_with_a_truth_of_the_contract(docs):
    check_truth_contract(docs, "print")
    multi = sum(doc.truth["pages"] > 1 for doc in docs[len(CATALOG.notices) :])
    assert 6 <= multi <= 26  # about a third of the planned documents


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


def test_amounts_add_up(docs):
    check_amounts_add_up(docs)


def test_every_truth_value_is_in_the_text_layer(docs, text_layers):
    check_truth_in_text(docs, text_layers, _printed_values)
    for doc, text in zip(docs, text_layers, strict=True):
        assert not re.search(r"\b\d{3}-\d\d-\d{4}\b", text), doc.spec  # no full SSN


def test_values_recorded_absent_are_not_printed(docs, text_layers):
    absent = check_absent_not_printed(docs, text_layers, _dates)
    unstated = 0
    for doc, text in zip(docs, text_layers, strict=True):
        fields, base = doc.truth["fields"], doc.facts.base
        if fields["form"] is None:
            assert f"({base.form})" not in text, doc.spec  # "the form number (1040)" on the stub
        if fields["deadline_kind"] == "computed":
            days = (dt.date.fromisoformat(fields["deadline"]) - base.notice_date).days
            assert f"within {days} days from the date of this" in text, doc.spec
        if base.deadline is not None and fields["deadline"] is None:
            unstated += 1
            assert "days from the date of this" not in text, doc.spec
    assert min(absent.values()) >= 2 and unstated >= 2, (absent, unstated)  # each case checked


def test_a_notice_with_an_amount_due_ends_with_its_voucher_at_the_foot(docs, tmp_path):
    """On the last page, the stub's "Amount enclosed" is in the lower half and the stub reaches down to the
    foot of the body (which ends 54 pt above the page's edge; only the footer is below)."""
    checked = 0
    for doc in docs:
        if doc.truth["fields"]["amount_due"] is None:
            continue
        top, words = amount_enclosed_top(doc.pdf, doc.truth["pages"], tmp_path / "voucher.pdf")
        assert top is not None and top > PAGE_HEIGHT_PT / 2, doc.spec
        bottoms = [float(y) for y in re.findall(r'yMax="([\d.]+)"', words) if float(y) < PAGE_HEIGHT_PT - 40]
        assert max(bottoms) > PAGE_HEIGHT_PT - 54 - 40, doc.spec
        checked += 1
    assert checked >= 30


def test_same_seed_gives_the_same_truth_text_and_pdf(docs, text_layers, tmp_path):
    for doc, text in list(zip(docs, text_layers, strict=True))[-8:]:
        again = compose_print(doc.spec)
        assert again.truth == doc.truth and again.pdf == doc.pdf
        assert text_layer(again.pdf, tmp_path / "again.pdf") == text
    other = compose_print(Spec(0, 99, docs[0].spec.code, "pdf_text", "clean", family="print"))
    assert other.truth != docs[0].truth


def test_same_seed_gives_the_same_bytes_in_another_process(docs):
    spec = next(doc.spec for doc in docs if doc.facts.font in ("DejaVuSans", "LiberationSerif"))
    check_same_bytes_in_another_process(compose_print, spec)


@pytest.mark.parametrize(("code", "pages"), [("CP59", 2), ("CP14", 4), ("CP504", 9)])
def test_pages_asked_for_are_printed_and_none_is_blank(tmp_path, code, pages):
    doc = compose_print(Spec(3, 2, code, "pdf_text", "clean", pages=pages, family="print"))
    assert doc.truth["pages"] == pages
    check_pages_asked_for(doc.pdf, pages, tmp_path / "pages.pdf")


@pytest.mark.parametrize(("kind", "degradation", "suffix", "pages"), CAPTURE_CASES)
def test_each_capture_kind_writes_a_readable_file(tmp_path, kind, degradation, suffix, pages):
    check_written_capture(
        write_print, Spec(7, 3, "CP504", kind, degradation, pages=pages, family="print"), tmp_path, suffix
    )


def test_cli_writes_a_corpus(tmp_path):
    check_cli_corpus(tmp_path, "print")
