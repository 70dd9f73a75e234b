"""The "letter" layout family of the synthetic generator: deterministic per seed, every catalog code in every
capture kind, the same plan as the other families, and truth that agrees with the printed text: every truth
value is on the pages (and in a born-digital PDF's text layer), every value the truth records as absent is
not. Composed documents only, but for a few small written samples; no tesseract.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import shutil
from decimal import Decimal

import pytest

from fixtures.generator.facts import money
from fixtures.generator.letter_facts import DATE_STYLES, format_date
from tests.family_checks import (
    Printed,
    check_amounts_add_up,
    check_cli_corpus,
    check_deadlines,
    check_every_code_and_kind,
    check_irs_dates,
    check_pages_option,
    check_plan,
    check_runs_on_page,
    check_same_documents,
    check_same_files,
    check_text_layer,
    check_truth_printed,
    every_code_and_kind,
    texts,
)


@functools.cache
def _docs() -> tuple:
    return every_code_and_kind("letter", 23, 12)


def _text(doc) -> str:
    return "\n".join(item.text for page in doc.pages for item in texts(page))


def _dates(day: dt.date) -> set[str]:
    return {format_date(day, style) for style in DATE_STYLES}


def _printed_values(doc) -> Printed:
    """What the truth says is printed, as printed: a string, or a set of strings one of which is."""
    fields, facts = doc.truth["fields"], doc.facts
    values: Printed = [
        doc.truth["notice_type"].removeprefix("LTR"),
        str(fields["tax_year"]),
        facts.tin.printed,
        _dates(dt.date.fromisoformat(fields["notice_date"])),
        facts.taxpayer.street,
        facts.taxpayer.city_line,
        facts.phone_printed,
    ]
    values += [money(round(Decimal(line["amount"]) * 100)) for line in doc.truth["billing_lines"]]
    if fields["amount_due"]:
        values.append(money(round(Decimal(fields["amount_due"]) * 100)))
    if fields["deadline_kind"] == "printed":
        values.append(_dates(dt.date.fromisoformat(fields["deadline"])))
    for name in ("caller_id", "form"):
        if fields[name]:
            values.append(fields[name])
    return values


def test_same_seed_gives_identical_documents():
    check_same_documents("letter")


def test_same_seed_gives_identical_files(tmp_path):
    check_same_files(tmp_path, "letter")


def test_every_catalog_code_and_kind_composes():
    check_every_code_and_kind(_docs(), "letter")


def test_plan_is_the_plan_of_the_other_families():
    check_plan("letter")


def test_every_truth_value_is_printed():
    check_truth_printed(_docs(), _printed_values, _text)


def test_values_recorded_absent_are_not_printed():
    absent = {"caller_id": 0, "form": 0}
    for doc in _docs():
        fields, facts = doc.truth["fields"], doc.facts
        items = {item.text for page in doc.pages for item in texts(page)}
        if fields["caller_id"] is None and facts.caller_id:
            absent["caller_id"] += 1
            assert facts.caller_id not in items and "caller ID" not in _text(doc), doc.spec
        if fields["form"] is None:
            absent["form"] += 1
            assert f"Form {facts.form}" not in _text(doc) and facts.form not in items, doc.spec
        if fields["ssn_last4"] is None:
            assert not re.search(r"\d{4}$", facts.tin.printed)
    assert min(absent.values()) >= 10  # both happen often enough to be checked


def test_deadlines_are_printed_as_the_truth_says():
    check_deadlines(_docs(), _text, _dates, r"within {window} days (from|of) the date of this letter")


def test_amounts_add_up():
    check_amounts_add_up(_docs())


def test_dates_are_written_the_ways_the_irs_writes_them():
    check_irs_dates(_docs(), _text)


def test_every_text_run_stays_on_the_page():
    check_runs_on_page(_docs())


def test_layouts_vary():
    labels, styles, tables, families, sizes = set(), set(), set(), set(), set()
    for doc in _docs():
        first = texts(doc.pages[0])
        shown = {t.text for t in first}
        labels |= {text for text in shown if text.endswith(":") and "date" in text.lower()}
        styles |= {s for s in DATE_STYLES if format_date(doc.facts.notice_date, s) in shown}
        tables.add("periods" if "periods" in doc.truth else "rows" if doc.truth["billing_lines"] else "none")
        families.add(frozenset(t.font.family for t in first))
        sizes |= {t.size for t in first}
    assert {"Date of this letter:", "Letter date:", "Date:"} <= labels
    assert {"long", "numeric"} <= styles
    assert tables == {"periods", "rows", "none"}
    assert len(families) == 4 and len(sizes) >= 10  # sans footers with or without serif and mono; many sizes


def test_pages_option_gives_the_requested_count():
    check_pages_option("letter")


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler's pdftotext")
def test_pdf_text_layer_holds_every_truth_value(tmp_path):
    check_text_layer(tmp_path, "letter", _printed_values)


def test_cli_writes_a_letter_corpus_of_every_kind(tmp_path):
    check_cli_corpus(tmp_path, "letter")
