"""The "modern" layout family of the synthetic generator (the IRS's redesigned notices): deterministic per
seed, every catalog code in every capture kind, the same plan as the other families, and truth that agrees
with the printed text: every truth value is on the pages (and in a born-digital PDF's text layer), every
value the truth records as absent is not. Composed documents only, but for a few small written samples; no
tesseract.
"""

from __future__ import annotations

import functools

from fixtures.generator.modern_facts import DATE_STYLES, format_date
from tests.family_checks import (
    HeldOutFamily,
    HeldOutFamilyTests,
    Printed,
    check_no_overlaps,
    every_code_and_kind,
    run_text,
    spellings,
    texts,
    truth_values,
)


@functools.cache
def _docs() -> tuple:
    return every_code_and_kind("modern", 29, 14)


_dates = spellings(format_date, DATE_STYLES)


def _phones(phone: str) -> set[str]:
    return {phone, f"1-{phone}", f"({phone[:3]}) {phone[4:]}"}


def _printed_values(doc) -> Printed:
    last4, phone = doc.truth["fields"]["ssn_last4"], doc.truth["fields"]["irs_phone"]
    tins = {f"ending in {last4}", *(mask.format(last4) for mask in _masks())}
    return truth_values(doc, _dates, tins, _phones(phone))


def _masks() -> tuple[str, ...]:
    return ("XXX-XX-{}", "***-**-{}", "nnn-nn-{}", "NNN-NN-{}", "XX-XXX{}")


class TestModernFamily(HeldOutFamilyTests):
    family = HeldOutFamily(
        name="modern",
        docs=_docs,
        printed_values=_printed_values,
        text=run_text,
        dates=_dates,
        computed_deadline="within {window} days of the date of this notice",
    )


def test_values_recorded_absent_are_not_printed():
    absent = {"caller_id": 0, "form": 0, "amount_due": 0}
    for doc in _docs():
        fields, facts = doc.truth["fields"], doc.facts
        items = {item.text for page in doc.pages for item in texts(page)}
        if fields["caller_id"] is None and facts.caller_id:
            absent["caller_id"] += 1
            assert facts.caller_id not in run_text(doc) and "Caller ID" not in items, doc.spec
        if fields["form"] is None:
            absent["form"] += 1
            assert f"Form {facts.form}" not in run_text(doc) and facts.form not in items, doc.spec
        if fields["amount_due"] is None:
            absent["amount_due"] += 1
            assert not {"Amount due", "Amount due:", "Payment voucher"} & items, doc.spec
    assert min(absent.values()) >= 10  # each happens often enough to be checked


def test_no_two_text_runs_overlap():
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
        text = run_text(doc)
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
