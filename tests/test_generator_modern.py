"""The "modern" layout family of the synthetic generator (the IRS's redesigned notices): deterministic per
seed, every catalog code in every capture kind, the same plan as the other families, and truth that agrees
with the printed text: every truth value is on the pages (and in a born-digital PDF's text layer), every
value the truth records as absent is not. Composed documents only, but for a few small written samples; no
tesseract.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import shutil

import pytest

from fixtures.generator.__main__ import main
from fixtures.generator.corpus import FAMILIES
from fixtures.generator.modern_facts import DATE_STYLES, format_date
from tests.family_checks import (
    Printed,
    check_amounts_add_up,
    check_cli_corpus,
    check_deadlines,
    check_every_code_and_kind,
    check_irs_dates,
    check_no_overlaps,
    check_pages_option,
    check_plan,
    check_runs_on_page,
    check_same_documents,
    check_same_files,
    check_text_layer,
    check_truth_printed,
    every_code_and_kind,
    texts,
    truth_values,
)


@functools.cache
def _docs() -> tuple:
    return every_code_and_kind("modern", 29, 14)


def _text(doc) -> str:
    """Every run of the document, one space between runs and words (a wrapped sentence reads whole)."""
    return " ".join(" ".join(item.text for page in doc.pages for item in texts(page)).split())


def _dates(day: dt.date) -> set[str]:
    return {format_date(day, style) for style in DATE_STYLES}


def _phones(phone: str) -> set[str]:
    return {phone, f"1-{phone}", f"({phone[:3]}) {phone[4:]}"}


def _printed_values(doc) -> Printed:
    last4, phone = doc.truth["fields"]["ssn_last4"], doc.truth["fields"]["irs_phone"]
    tins = {f"ending in {last4}", *(mask.format(last4) for mask in _masks())}
    return truth_values(doc, _dates, tins, _phones(phone))


def _masks() -> tuple[str, ...]:
    return ("XXX-XX-{}", "***-**-{}", "nnn-nn-{}", "NNN-NN-{}", "XX-XXX{}")


def test_same_seed_gives_identical_documents():
    check_same_documents("modern")


def test_same_seed_gives_identical_files(tmp_path):
    check_same_files(tmp_path, "modern")


def test_every_catalog_code_and_kind_composes():
    check_every_code_and_kind(_docs(), "modern")


def test_plan_is_the_plan_of_the_other_families():
    assert "modern" in FAMILIES
    check_plan("modern")


def test_every_truth_value_is_printed():
    check_truth_printed(_docs(), _printed_values, _text)


def test_values_recorded_absent_are_not_printed():
    absent = {"caller_id": 0, "form": 0, "amount_due": 0}
    for doc in _docs():
        fields, facts = doc.truth["fields"], doc.facts
        items = {item.text for page in doc.pages for item in texts(page)}
        if fields["caller_id"] is None and facts.caller_id:
            absent["caller_id"] += 1
            assert facts.caller_id not in _text(doc) and "Caller ID" not in items, doc.spec
        if fields["form"] is None:
            absent["form"] += 1
            assert f"Form {facts.form}" not in _text(doc) and facts.form not in items, doc.spec
        if fields["amount_due"] is None:
            absent["amount_due"] += 1
            assert not {"Amount due", "Amount due:", "Payment voucher"} & items, doc.spec
    assert min(absent.values()) >= 10  # each happens often enough to be checked


def test_deadlines_are_printed_as_the_truth_says():
    check_deadlines(_docs(), _text, _dates, "within {window} days of the date of this notice")


def test_amounts_add_up():
    check_amounts_add_up(_docs())


def test_dates_are_written_the_ways_the_irs_writes_them():
    check_irs_dates(_docs(), _text)


def test_every_text_run_stays_on_the_page_and_none_overlap():
    check_runs_on_page(_docs())
    check_no_overlaps(_docs())


def test_every_page_has_its_footer_and_the_last_page_the_voucher():
    for doc in _docs():
        count = len(doc.pages)
        for number, page in enumerate(doc.pages, 1):
            shown = {item.text for item in texts(page)}
            assert f"Page {number} of {count}" in shown and doc.spec.code in shown, doc.spec
        last = {item.text for item in texts(doc.pages[-1])}
        has_voucher = {"Payment voucher", "Amount you are paying"} <= last
        assert has_voucher == (doc.truth["fields"]["amount_due"] is not None), doc.spec
        assert not has_voucher or "United States Treasury" in " ".join(last)


def test_layouts_vary():
    seen: dict[str, set] = {name: set() for name in ("dates", "phones", "tins", "totals", "tables", "heads")}
    families, sizes, care_of = set(), set(), 0
    for doc in _docs():
        first = texts(doc.pages[0])
        shown = {t.text for t in first}
        text = _text(doc)
        seen["dates"] |= {s for s in DATE_STYLES if format_date(doc.facts.notice_date, s) in shown}
        phone = doc.facts.phone
        seen["phones"] |= {form[:2] for form in _phones(phone) if form in shown and form != phone}
        seen["tins"].add("ending" if "ending in" in text else "masked")
        seen["totals"] |= shown & {"Total amount due", "Balance due", "Amount you owe", "Amount due"}
        seen["tables"].add(
            "periods" if "periods" in doc.truth else "header row" if "Description" in text else "list"
        )
        seen["heads"] |= {t.x for t in first if t.text == "Notice date"}  # in the column, or a band's cell
        care_of += any(line.startswith(("C/O ", "% ")) for line in shown)
        families.add(frozenset(t.font.family for t in first))
        sizes |= {t.size for t in first}
    assert seen["dates"] == set(DATE_STYLES) and len(seen["phones"]) == 2 and len(seen["tins"]) == 2
    assert len(seen["heads"]) == 2
    assert len(seen["totals"]) == 4 and seen["tables"] == {"periods", "header row", "list"}
    assert care_of >= 5 and len(families) >= 4 and len(sizes) >= 10


def test_pages_option_gives_the_requested_count():
    check_pages_option("modern")


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler's pdftotext")
def test_pdf_text_layer_holds_every_truth_value(tmp_path):
    check_text_layer(tmp_path, "modern", _printed_values)


def test_cli_writes_a_modern_corpus_of_every_kind(tmp_path):
    check_cli_corpus(tmp_path, "modern")


def test_cli_writes_a_stack_of_modern_notices(tmp_path):
    args = ["stack", "--out", str(tmp_path), "--count", "1", "--seed", "3", "--family", "modern"]
    assert main([*args, "--kind", "pdf_text"]) == 0
    truth = json.loads((tmp_path / "stack_0000.truth.json").read_text())
    assert truth["family"] == "modern" and {n["truth"]["family"] for n in truth["notices"]} == {"modern"}
