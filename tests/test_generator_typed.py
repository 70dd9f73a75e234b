"""The "typed" layout family of the synthetic generator (the IRS's computer-printed letters and pre-redesign
CP notices, one monospace font on a grid of characters): deterministic per seed, every catalog code in every
capture kind, the same plan as the other families, and truth that agrees with the printed text: every
truth value is on the pages (and in a born-digital PDF's text layer), every value the truth records as
absent is not. Composed documents only, but for a few small written samples; no tesseract.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import shutil

import pytest

from fixtures.generator.__main__ import main
from fixtures.generator.corpus import FAMILIES
from fixtures.generator.facts import MASKS
from fixtures.generator.fonts import width
from fixtures.generator.modern_facts import PHONE_STYLES, format_phone
from fixtures.generator.typed_facts import DATE_STYLES, format_date
from fixtures.generator.typed_layout import TOP
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

TOTAL_LABELS = ("AMOUNT YOU OWE", "BALANCE DUE", "TOTAL AMOUNT DUE")


@functools.cache
def _docs() -> tuple:
    return every_code_and_kind("typed", 31, 16)


def _text(doc) -> str:
    """Every run of the document, one space between runs and words (a wrapped sentence reads whole)."""
    return " ".join(" ".join(item.text for page in doc.pages for item in texts(page)).split())


def _dates(day: dt.date) -> set[str]:
    return {format_date(day, style, caps) for style in DATE_STYLES for caps in (True, False)}


def _printed_values(doc) -> Printed:
    last4, phone = doc.truth["fields"]["ssn_last4"], doc.truth["fields"]["irs_phone"]
    phones = {format_phone(phone, style) for style in PHONE_STYLES}
    return truth_values(doc, _dates, {mask.format(last4) for mask in (*MASKS, "XX-XXX{}")}, phones)


def test_same_seed_gives_identical_documents():
    check_same_documents("typed")


def test_same_seed_gives_identical_files(tmp_path):
    check_same_files(tmp_path, "typed")


def test_every_catalog_code_and_kind_composes():
    check_every_code_and_kind(_docs(), "typed")


def test_plan_is_the_plan_of_the_other_families():
    assert "typed" in FAMILIES
    check_plan("typed")


def test_every_truth_value_is_printed():
    check_truth_printed(_docs(), _printed_values, _text)


def test_values_recorded_absent_are_not_printed():
    absent = {"caller_id": 0, "form": 0, "amount_due": 0}
    for doc in _docs():
        fields, facts, text = doc.truth["fields"], doc.facts, _text(doc)
        if fields["caller_id"] is None and facts.caller_id:
            absent["caller_id"] += 1
            assert facts.caller_id not in text and "CALLER ID" not in text.upper(), doc.spec
        if fields["form"] is None:
            absent["form"] += 1
            assert f"FORM {facts.form}" not in text.upper(), doc.spec
            assert not re.search(r"\b(FORM|FORM NUMBER|TAX FORM)\.*: ", text, re.IGNORECASE), doc.spec
        if fields["amount_due"] is None:
            absent["amount_due"] += 1
            assert "RETURN THIS PART WITH YOUR PAYMENT" not in text, doc.spec
            assert not any(label in text for label in TOTAL_LABELS), doc.spec
    assert min(absent.values()) >= 10  # each happens often enough to be checked


def test_deadlines_are_printed_as_the_truth_says():
    check_deadlines(_docs(), _text, _dates, r"(?i)within {window} days from the date of this (letter|notice)")


def test_amounts_add_up():
    check_amounts_add_up(_docs())


def test_dates_are_written_the_ways_the_irs_writes_them():
    check_irs_dates(_docs(), _text)


def test_every_text_run_stays_on_the_page_and_none_overlap():
    check_runs_on_page(_docs())
    check_no_overlaps(_docs())


def test_the_body_is_one_monospace_font_on_a_grid_of_characters():
    for doc in _docs():
        for page in doc.pages:
            body = [item for item in texts(page) if item.font.family == "mono" and item.y > TOP]
            assert len({(item.font.face, item.size) for item in body}) == 1, doc.spec
            left, pitch = min(item.x for item in body), width(body[0].font, body[0].size, "M")
            assert all(abs((item.x - left) / pitch - round((item.x - left) / pitch)) < 1e-6 for item in body)
            letterhead = [item for item in texts(page) if item.font.family != "mono"]
            assert all(item.y < TOP + 5 * item.size * 1.2 for item in letterhead), doc.spec


def test_every_page_has_its_footer_and_the_last_page_the_stub():
    for doc in _docs():
        count = len(doc.pages)
        for number, page in enumerate(doc.pages, 1):
            shown = [item.text for item in texts(page)]
            assert any(re.fullmatch(r".+ \(REV\. \d\d-\d{4}\)", text) for text in shown), doc.spec
            if number > 1:
                assert f"PAGE {number}" in shown or f"PAGE {number} OF {count}" in shown, doc.spec
        last = " ".join(item.text for item in texts(doc.pages[-1]))
        has_stub = "RETURN THIS PART WITH YOUR PAYMENT" in last and "AMOUNT ENCLOSED" in last
        assert has_stub == (doc.truth["fields"]["amount_due"] is not None), doc.spec


def test_layouts_vary():
    seen: dict[str, set] = {
        name: set()
        for name in ("dates", "labels", "totals", "letterheads", "cases", "label_cases", "tables", "sizes")
    }
    care_of = 0
    for doc in _docs():
        first = texts(doc.pages[0])
        shown = " ".join(t.text for t in first)
        seen["dates"] |= {s for s in DATE_STYLES if format_date(doc.facts.notice_date, s) in shown}
        seen["labels"] |= {s for s, mark in (("leaders", "..: "), ("colon", ": ")) if mark in shown}
        seen["totals"] |= {label for label in TOTAL_LABELS if label in shown}
        seen["letterheads"].add(frozenset(t.font.family for t in first))
        seen["cases"].add("caps" if "Make your check" not in shown else "mixed")
        seen["label_cases"].add(
            "title"
            if re.search(r"(Taxpayer|Social|Employer) (Identification|ID|Security)", shown)
            else "caps"
        )
        seen["tables"].add("periods" if "periods" in doc.truth else "rows")
        seen["sizes"] |= {t.size for t in first if t.font.family == "mono"}
        care_of += any(t.text.startswith(("C/O ", "% ")) for t in first)
    assert seen["dates"] == set(DATE_STYLES) and seen["labels"] == {"leaders", "colon"}
    assert len(seen["totals"]) == 3 and len(seen["letterheads"]) >= 2 and seen["cases"] == {"caps", "mixed"}
    assert seen["label_cases"] == {"title", "caps"}
    assert seen["tables"] == {"periods", "rows"} and len(seen["sizes"]) >= 5 and care_of >= 5


def test_pages_option_gives_the_requested_count():
    check_pages_option("typed")


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler's pdftotext")
def test_pdf_text_layer_holds_every_truth_value(tmp_path):
    check_text_layer(tmp_path, "typed", _printed_values)


def test_cli_writes_a_typed_corpus_of_every_kind(tmp_path):
    check_cli_corpus(tmp_path, "typed")


def test_cli_writes_a_stack_of_typed_notices(tmp_path):
    args = ["stack", "--out", str(tmp_path), "--count", "1", "--seed", "3", "--family", "typed"]
    assert main([*args, "--kind", "pdf_text"]) == 0
    truth = json.loads((tmp_path / "stack_0000.truth.json").read_text())
    assert truth["family"] == "typed" and {n["truth"]["family"] for n in truth["notices"]} == {"typed"}
