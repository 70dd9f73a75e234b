"""The "letter" layout family of the synthetic generator: deterministic per seed, every catalog code in every
capture kind, the same plan as the other families, and truth that agrees with the printed text: every truth
value is on the pages (and in a born-digital PDF's text layer), every value the truth records as absent is
not. Composed documents only, but for a few small written samples; no tesseract.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal

from fixtures.generator.facts import money
from fixtures.generator.letter_facts import DATE_STYLES, format_date
from tests.family_checks import (
    HeldOutFamily,
    HeldOutFamilyTests,
    Printed,
    every_code_and_kind,
    spellings,
    texts,
)


@functools.cache
def _docs() -> tuple:
    return every_code_and_kind("letter", 23, 12)


def _text(doc) -> str:
    return "\n".join(item.text for page in doc.pages for item in texts(page))


_dates = spellings(format_date, DATE_STYLES)


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


class TestLetterFamily(HeldOutFamilyTests):
    family = HeldOutFamily(
        name="letter",
        docs=_docs,
        printed_values=_printed_values,
        text=_text,
        dates=_dates,
        computed_deadline=r"within {window} days (from|of) the date of this letter",
    )


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
