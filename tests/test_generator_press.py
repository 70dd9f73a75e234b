"""The "press" layout family of the synthetic generator (notices laid out from HTML/CSS by WeasyPrint): every
catalog code renders, the same seed gives the same truth and PDF bytes (in another process too), the plan is
the other families' plan, the truth agrees with WeasyPrint's text layer read by ``pdftotext`` (every value
the truth records is in it, every value it records as absent is not, no full SSN), a page count asked for is
met with no blank page, the voucher sits at the foot of the last page, and every capture kind (both capture
models) writes a readable file of the right type and page count. No tesseract.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest

from fixtures.generator.corpus import FAMILIES, compose, plan
from fixtures.generator.modern_facts import format_phone
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
from fixtures.generator.stack import STACK_FAMILIES
from pipeline.catalog import load_catalog
from tests.family_checks import Printed, check_amounts_add_up, check_plan, truth_values
from tests.pdf_families import (
    CAPTURE_CASES,
    PAGE_HEIGHT_PT,
    amount_enclosed_top,
    check_absent_not_printed,
    check_cli_corpus,
    check_no_words_overlap,
    check_pages_asked_for,
    check_same_bytes_in_another_process,
    check_truth_contract,
    check_truth_in_text,
    check_written_capture,
    text_layer,
    words_of,
)

CATALOG = load_catalog()
PAGE_WIDTH_PT = 612  # US letter


@pytest.fixture(scope="module")
def docs() -> list[PressDocument]:
    """Every catalog code (born-digital, clean) and a seeded 16-notice plan (its kinds: photos fit a page)."""
    specs = [
        Spec(i, 41, notice.code, "pdf_text", "clean", family="press")
        for i, notice in enumerate(CATALOG.notices)
    ]
    specs += plan(16, seed=14, family="press")
    return [compose_press(spec) for spec in specs]


@pytest.fixture(scope="module")
def text_layers(docs: list[PressDocument], tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("press-text")
    return [text_layer(doc.pdf, folder / f"{i}.pdf") for i, doc in enumerate(docs)]


def _dates(day: dt.date) -> set[str]:
    return {format_date(day, style) for style in DATE_STYLES}


def _printed_values(doc: PressDocument) -> Printed:
    """What the truth says is printed, as it may be printed: a string, or a set one of which is (a payment
    as "-$12.00", "($12.00)" or "$12.00 CR")."""
    fields = doc.truth["fields"]
    tins = {mask.format(fields["ssn_last4"]) for mask in PERSON_MASKS + BUSINESS_MASKS}
    phones = {format_phone(fields["irs_phone"], style) for style in PHONE_STYLES}
    values = truth_values(
        SimpleNamespace(truth=doc.truth | {"billing_lines": []}, facts=doc.facts.base), _dates, tins, phones
    )
    cents = [round(Decimal(line["amount"]) * 100) for line in doc.truth["billing_lines"]]
    return values + [{format_money(amount, style) for style in CREDIT_STYLES} for amount in cents]


def test_press_is_a_family_with_the_plan_of_the_others():
    assert "press" in FAMILIES and "press" in STACK_FAMILIES
    check_plan("press")
    with pytest.raises(ValueError, match="WeasyPrint"):
        compose(plan(1, seed=1, family="press")[0])


def test_every_catalog_code_renders_with_a_truth_of_the_contract(docs):
    check_truth_contract(docs, "press")
    multi = sum(doc.truth["pages"] > 1 for doc in docs[len(CATALOG.notices) :])
    assert 2 <= multi <= 12  # about a third of the planned documents


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


def test_amounts_add_up(docs):
    check_amounts_add_up(docs)


def test_every_truth_value_is_in_the_text_layer(docs, text_layers):
    check_truth_in_text(docs, text_layers, _printed_values)
    for doc, text in zip(docs, text_layers, strict=True):
        assert not re.search(r"\b\d{3}-\d\d-\d{4}\b", text), doc.spec  # no full SSN


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


def test_values_recorded_absent_are_not_printed(docs, text_layers):
    absent = check_absent_not_printed(docs, text_layers, _dates)
    unstated = 0
    for doc, text in zip(docs, text_layers, strict=True):
        fields, base = doc.truth["fields"], doc.facts.base
        if base.deadline is not None and fields["deadline"] is None:
            unstated += 1
            assert "days from the date of this" not in text, doc.spec
            assert not any(day in text for day in _dates(base.deadline)), doc.spec
    assert min(absent.values()) >= 2 and unstated >= 1, (absent, unstated)  # each case checked


def test_a_notice_with_an_amount_due_ends_with_its_voucher_at_the_foot(docs, tmp_path):
    """On the last page, the voucher's "Amount enclosed" is in the lower third, above its scan line."""
    checked = 0
    for doc in docs:
        if doc.truth["fields"]["amount_due"] is None:
            continue
        top, words = amount_enclosed_top(doc.pdf, doc.truth["pages"], tmp_path / "voucher.pdf")
        assert top is not None and top > PAGE_HEIGHT_PT * 2 / 3, doc.spec
        bottoms = [float(y) for y in re.findall(r'yMax="([\d.]+)"', words) if float(y) < PAGE_HEIGHT_PT - 36]
        assert max(bottoms) > PAGE_HEIGHT_PT - 60, doc.spec  # the scan line
        checked += 1
    assert checked >= 30


def test_no_two_words_overlap_and_every_word_is_on_the_page(docs, tmp_path):
    """Read back from the text layer: panel, boxes, tables and voucher each keep their room, and no word runs
    off the paper (a table too wide for its column)."""
    check_no_words_overlap(docs, tmp_path / "boxes.pdf")
    for doc in docs:
        right_edges = re.findall(r'xMax="([\d.]+)"', words_of(doc.pdf, tmp_path / "edges.pdf"))
        assert max(float(x) for x in right_edges) < PAGE_WIDTH_PT - 18, doc.spec


def test_same_seed_gives_the_same_truth_and_pdf(docs):
    for doc in docs[-6:]:
        again = compose_press(doc.spec)
        assert again.truth == doc.truth and again.pdf == doc.pdf
    other = compose_press(Spec(0, 99, docs[0].spec.code, "pdf_text", "clean", family="press"))
    assert other.truth != docs[0].truth


def test_same_seed_gives_the_same_bytes_in_another_process(docs):
    check_same_bytes_in_another_process(compose_press, docs[-1].spec)


@pytest.mark.parametrize(("code", "pages"), [("CP59", 2), ("CP14", 4), ("LT11", 9)])
def test_pages_asked_for_are_printed_and_none_is_blank(tmp_path, code, pages):
    doc = compose_press(Spec(3, 2, code, "pdf_text", "clean", pages=pages, family="press"))
    assert doc.truth["pages"] == pages
    check_pages_asked_for(doc.pdf, pages, tmp_path / "pages.pdf")


@pytest.mark.parametrize(("kind", "degradation", "suffix", "pages"), CAPTURE_CASES)
def test_each_capture_kind_writes_a_readable_file(tmp_path, kind, degradation, suffix, pages):
    check_written_capture(
        write_press, Spec(7, 3, "CP504", kind, degradation, pages=pages, family="press"), tmp_path, suffix
    )


@pytest.mark.parametrize(
    ("kind", "degradation", "suffix", "pages"),
    [("pdf_scan", "desk_stamp", ".pdf", 2), ("photo", "desk_fold+desk_phone", ".jpg", 1)],
)
def test_desk_captures_write_a_readable_file(tmp_path, kind, degradation, suffix, pages):
    spec = Spec(5, 4, "CP14", kind, degradation, pages=pages, family="press", captures="desk")
    check_written_capture(write_press, spec, tmp_path, suffix)
    assert json.loads((tmp_path / f"{spec.name}.truth.json").read_text())["captures"] == "desk"


def test_cli_writes_a_corpus(tmp_path):
    check_cli_corpus(tmp_path, "press")
