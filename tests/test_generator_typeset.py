"""The "typeset" layout family of the synthetic generator (notices written as Typst markup and compiled by
Typst): every catalog code renders, the same seed gives the same truth and PDF bytes (in another process
too), the plan is the other families' plan, the truth agrees with Typst's text layer read by ``pdftotext``
(every value the truth records is in it, every value it records as absent is not, no full SSN), a page
count asked for is met with no blank page, the stub sits at the foot of the last page, and every capture
kind (all three capture models) writes a readable file of the right type and page count. No tesseract.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from decimal import Decimal
from types import SimpleNamespace

import pytest

from fixtures.generator.corpus import FAMILIES, compose, plan
from fixtures.generator.modern_facts import format_phone
from fixtures.generator.spec import Spec
from fixtures.generator.stack import STACK_FAMILIES
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
)

CATALOG = load_catalog()


@pytest.fixture(scope="module")
def docs() -> list[TypesetDocument]:
    """Every catalog code (born-digital, clean) and a seeded 16-notice plan (its kinds: photos fit a page)."""
    specs = [
        Spec(i, 41, notice.code, "pdf_text", "clean", family="typeset")
        for i, notice in enumerate(CATALOG.notices)
    ]
    specs += plan(16, seed=14, family="typeset")
    return [compose_typeset(spec) for spec in specs]


@pytest.fixture(scope="module")
def text_layers(docs: list[TypesetDocument], tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("typeset-text")
    return [text_layer(doc.pdf, folder / f"{i}.pdf") for i, doc in enumerate(docs)]


def _dates(day: dt.date) -> set[str]:
    return {format_date(day, style) for style in DATE_STYLES}


def _printed_values(doc: TypesetDocument) -> Printed:
    """What the truth says is printed, as it may be printed: a string, or a set one of which is (a credit
    as "-$12.00" or "($12.00)")."""
    fields = doc.truth["fields"]
    tins = {mask.format(fields["ssn_last4"]) for mask in PERSON_MASKS + BUSINESS_MASKS}
    phones = {format_phone(fields["irs_phone"], style) for style in PHONE_STYLES}
    values = truth_values(
        SimpleNamespace(truth=doc.truth | {"billing_lines": []}, facts=doc.facts.base), _dates, tins, phones
    )
    return values + [
        {doc.facts.money(round(Decimal(line["amount"]) * 100))} for line in doc.truth["billing_lines"]
    ]


def test_typeset_is_a_family_with_the_plan_of_the_others():
    assert "typeset" in FAMILIES and "typeset" in STACK_FAMILIES
    check_plan("typeset")
    with pytest.raises(ValueError, match="Typst"):
        compose(plan(1, seed=1, family="typeset")[0])


def test_every_catalog_code_renders_with_a_truth_of_the_contract(docs):
    check_truth_contract(docs, "typeset")
    check_amounts_add_up(docs)
    multi = sum(doc.truth["pages"] > 1 for doc in docs[len(CATALOG.notices) :])
    assert 3 <= multi <= 10  # about a third of the planned documents


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


def test_every_truth_value_is_in_the_text_layer(docs, text_layers):
    check_truth_in_text(docs, text_layers, _printed_values)
    for doc, text in zip(docs, text_layers, strict=True):
        assert not re.search(r"\b\d{3}-\d\d-\d{4}\b", text), doc.spec  # no full SSN
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


def test_a_notice_with_an_amount_due_ends_with_its_stub_at_the_foot(docs, tmp_path):
    """On the last page, the stub's "Amount enclosed" is in the lower third; no stub without an amount."""
    checked = 0
    for doc in docs:
        top, _ = amount_enclosed_top(doc.pdf, doc.truth["pages"], tmp_path / "stub.pdf")
        if doc.truth["fields"]["amount_due"] is None:
            assert top is None, doc.spec
            continue
        assert top is not None and top > PAGE_HEIGHT_PT * 2 / 3, doc.spec
        checked += 1
    assert checked >= 30


def test_no_two_words_overlap(docs, tmp_path):
    """Read back from the text layer: header, cells, tables and stub each keep their room."""
    check_no_words_overlap(docs, tmp_path / "words.pdf")


def test_same_seed_gives_the_same_truth_and_pdf(docs):
    for doc in docs[-4:]:
        again = compose_typeset(doc.spec)
        assert again.truth == doc.truth and again.pdf == doc.pdf
    other = compose_typeset(Spec(0, 99, docs[0].spec.code, "pdf_text", "clean", family="typeset"))
    assert other.truth != docs[0].truth and other.pdf != docs[0].pdf


def test_same_seed_gives_the_same_bytes_in_another_process(docs):
    check_same_bytes_in_another_process(compose_typeset, docs[-1].spec)


@pytest.mark.parametrize(("code", "pages"), [("CP59", 2), ("CP504", 4), ("LTR1058", 9)])
def test_pages_asked_for_are_printed_and_none_is_blank(tmp_path, code, pages):
    doc = compose_typeset(Spec(3, 2, code, "pdf_text", "clean", pages=pages, family="typeset"))
    assert doc.truth["pages"] == pages
    check_pages_asked_for(doc.pdf, pages, tmp_path / "pages.pdf")


@pytest.mark.parametrize(("kind", "degradation", "suffix", "pages"), CAPTURE_CASES)
def test_each_capture_kind_writes_a_readable_file(tmp_path, kind, degradation, suffix, pages):
    spec = Spec(7, 3, "CP504", kind, degradation, pages=pages, family="typeset")
    check_written_capture(write_typeset, spec, tmp_path, suffix)


@pytest.mark.parametrize(
    ("captures", "kind", "degradation", "suffix", "pages"),
    [
        ("desk", "pdf_scan", "desk_stamp", ".pdf", 2),
        ("intake", "pdf_scan", "mfp_bitonal", ".pdf", 2),
        ("intake", "fax", "fax_fine", ".tif", 2),
    ],
)
def test_desk_and_intake_captures_write_a_readable_file(tmp_path, captures, kind, degradation, suffix, pages):
    spec = Spec(5, 4, "CP14", kind, degradation, pages=pages, family="typeset", captures=captures)
    check_written_capture(write_typeset, spec, tmp_path, suffix)
    assert json.loads((tmp_path / f"{spec.name}.truth.json").read_text())["captures"] == captures


def test_cli_writes_a_corpus(tmp_path):
    check_cli_corpus(tmp_path, "typeset")
