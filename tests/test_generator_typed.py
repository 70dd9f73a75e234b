"""The "typed" layout family of the synthetic generator (the IRS's computer-printed letters and pre-redesign
CP notices, one monospace font on a grid of characters): deterministic per seed, every catalog code in every
capture kind, the same plan as the other families, and truth that agrees with the printed text: every
truth value is on the pages (and in a born-digital PDF's text layer), every value the truth records as
absent is not. Composed documents only, but for a few small written samples; no tesseract.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from fixtures.generator.facts import MASKS
from fixtures.generator.family_facts import format_phone
from fixtures.generator.fonts import width
from fixtures.generator.modern_facts import PHONE_STYLES
from fixtures.generator.typed_facts import DATE_STYLES, format_date
from fixtures.generator.typed_layout import TOP
from tests.family_checks import (
    HeldOutFamily,
    HeldOutFamilyTests,
    Printed,
    check_no_overlaps,
    every_code_and_kind,
    run_text,
    texts,
    truth_values,
)

TOTAL_LABELS = ("AMOUNT YOU OWE", "BALANCE DUE", "TOTAL AMOUNT DUE")


@functools.cache
def _docs() -> tuple:
    return every_code_and_kind("typed", 31, 16)


def _dates(day: dt.date) -> set[str]:
    return {format_date(day, style, caps) for style in DATE_STYLES for caps in (True, False)}


def _printed_values(doc) -> Printed:
    last4, phone = doc.truth["fields"]["ssn_last4"], doc.truth["fields"]["irs_phone"]
    phones = {format_phone(phone, style) for style in PHONE_STYLES}
    return truth_values(doc, _dates, {mask.format(last4) for mask in (*MASKS, "XX-XXX{}")}, phones)


class TestTypedFamily(HeldOutFamilyTests):
    family = HeldOutFamily(
        name="typed",
        docs=_docs,
        printed_values=_printed_values,
        text=run_text,
        dates=_dates,
        computed_deadline=r"(?i)within {window} days from the date of this (letter|notice)",
    )


def test_values_recorded_absent_are_not_printed():
    absent = {"caller_id": 0, "form": 0, "amount_due": 0}
    for doc in _docs():
        fields, facts, text = doc.truth["fields"], doc.facts, run_text(doc)
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


def test_no_two_text_runs_overlap():
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
