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

pytestmark = pytest.mark.skipif(
    not has_groff(),
    reason="groff is not installed (apt-get install groff): the troff family is typeset by it",
)
CATALOG = load_catalog()
LETTER_LABELS = ("Letter Number:", "Letter Date:", "Taxpayer Identification Number:", "Tax Period(s):",
                 "Person to Contact:", "Employee ID Number:", "Contact Telephone Number:",
                 "Contact Hours:")  # fmt: skip


@pytest.fixture(scope="module")
def docs() -> list[TroffDocument]:
    """Every catalog code (born-digital, clean) and a seeded 16-notice plan (its kinds: photos fit a page)."""
    specs = [
        Spec(i, 41, notice.code, "pdf_text", "clean", family="troff")
        for i, notice in enumerate(CATALOG.notices)
    ]
    specs += plan(16, seed=14, family="troff")
    return [compose_troff(spec) for spec in specs]


@pytest.fixture(scope="module")
def text_layers(docs: list[TroffDocument], tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("troff-text")
    return [text_layer(doc.pdf, folder / f"{i}.pdf") for i, doc in enumerate(docs)]


def _dates(day: dt.date) -> set[str]:
    """A date as this family may print it: in a sentence or header, or as a tax period ("202312")."""
    return {format_date(day, style) for style in DATE_STYLES} | {format_period(day, "yyyymm")}


def _printed_values(doc: TroffDocument) -> Printed:
    """What the truth says is printed, as it may be printed: a string, or a set one of which is (billing
    and period amounts as the tables print them)."""
    fields = doc.truth["fields"]
    tins = {mask.format(fields["ssn_last4"]) for mask in PERSON_MASKS + BUSINESS_MASKS}
    phones = {format_phone(fields["irs_phone"], style) for style in PHONE_STYLES}
    bare = doc.truth | {"billing_lines": [], "periods": []}
    values = truth_values(SimpleNamespace(truth=bare, facts=doc.facts.base), _dates, tins, phones)
    amounts = [line["amount"] for line in doc.truth["billing_lines"]]
    amounts += [period["amount"] for period in doc.truth.get("periods", [])]
    return values + [{doc.facts.money(round(Decimal(amount) * 100), table=True)} for amount in amounts]


def test_troff_is_a_family_with_the_plan_of_the_others():
    assert "troff" in FAMILIES and "troff" in STACK_FAMILIES
    check_plan("troff")
    with pytest.raises(ValueError, match="groff"):
        compose(plan(1, seed=1, family="troff")[0])


def test_every_catalog_code_renders_with_a_truth_of_the_contract(docs):
    check_truth_contract(docs, "troff")
    check_amounts_add_up(docs)
    multi = sum(doc.truth["pages"] > 1 for doc in docs[len(CATALOG.notices) :])
    assert 3 <= multi <= 10  # about a third of the planned documents


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


def test_every_truth_value_is_in_the_text_layer(docs, text_layers):
    check_truth_in_text(docs, text_layers, _printed_values)
    for doc, text in zip(docs, text_layers, strict=True):
        assert not re.search(r"\b\d{3}-\d\d-\d{4}\b", text), doc.spec  # no full SSN
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
    checked = 0
    for doc, text in zip(docs, text_layers, strict=True):
        for period in doc.truth.get("periods", []):
            assert doc.facts.period(dt.date.fromisoformat(period["period_end"])) in text, doc.spec
            assert doc.facts.money(round(Decimal(period["amount"]) * 100), table=True) in text, doc.spec
            checked += 1
    assert checked >= 4


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
    """On the last page, the voucher's "Amount enclosed" is in the lower third; no voucher without an
    amount."""
    checked = 0
    for doc in docs:
        top, _ = amount_enclosed_top(doc.pdf, doc.truth["pages"], tmp_path / "stub.pdf")
        if doc.truth["fields"]["amount_due"] is None:
            assert top is None, doc.spec
            continue
        assert top is not None and top > PAGE_HEIGHT_PT * 2 / 3, doc.spec
        checked += 1
    assert checked >= 30


def test_same_seed_gives_the_same_truth_and_pdf(docs):
    for doc in docs[-3:]:
        again = compose_troff(doc.spec)
        assert again.truth == doc.truth and again.pdf == doc.pdf
    other = compose_troff(Spec(0, 99, docs[0].spec.code, "pdf_text", "clean", family="troff"))
    assert other.truth != docs[0].truth and other.pdf != docs[0].pdf


def test_same_seed_gives_the_same_bytes_in_another_process(docs):
    check_same_bytes_in_another_process(compose_troff, docs[-1].spec)


@pytest.mark.parametrize(("code", "pages"), [("CP59", 2), ("CP504", 4), ("LTR1058", 9)])
def test_pages_asked_for_are_printed_and_none_is_blank(tmp_path, code, pages):
    doc = compose_troff(Spec(3, 2, code, "pdf_text", "clean", pages=pages, family="troff"))
    assert doc.truth["pages"] == pages
    check_pages_asked_for(doc.pdf, pages, tmp_path / "pages.pdf")


@pytest.mark.parametrize(("kind", "degradation", "suffix", "pages"), CAPTURE_CASES)
def test_each_capture_kind_writes_a_readable_file(tmp_path, kind, degradation, suffix, pages):
    spec = Spec(7, 3, "CP504", kind, degradation, pages=pages, family="troff")
    check_written_capture(write_troff, spec, tmp_path, suffix)


@pytest.mark.parametrize(
    ("captures", "kind", "degradation", "suffix", "pages"),
    [
        ("desk", "pdf_scan", "desk_stamp", ".pdf", 2),
        ("intake", "pdf_scan", "mfp_bitonal", ".pdf", 2),
        ("intake", "fax", "fax_fine", ".tif", 2),
    ],
)
def test_desk_and_intake_captures_write_a_readable_file(tmp_path, captures, kind, degradation, suffix, pages):
    spec = Spec(5, 4, "LT11", kind, degradation, pages=pages, family="troff", captures=captures)
    check_written_capture(write_troff, spec, tmp_path, suffix)
    assert json.loads((tmp_path / f"{spec.name}.truth.json").read_text())["captures"] == captures


def test_cli_writes_a_corpus(tmp_path):
    check_cli_corpus(tmp_path, "troff")
