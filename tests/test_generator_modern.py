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
import re
import shutil
import subprocess
from decimal import Decimal

import pytest

from fixtures.generator import KINDS, compose, generate, plan
from fixtures.generator.__main__ import main
from fixtures.generator.corpus import FAMILIES, Spec
from fixtures.generator.facts import money
from fixtures.generator.fonts import width
from fixtures.generator.layout import PAGE_HEIGHT, PAGE_WIDTH, Text
from fixtures.generator.modern_facts import DATE_STYLES, format_date
from pipeline.catalog import DeadlineRule, Presence, load_catalog

CATALOG = load_catalog()
TOP_LEVEL = {"source", "notice_type", "kind", "degradation", "pages", "fields", "billing_lines", "family"}
FIELDS = {
    "notice_number", "tax_year", "ssn_last4", "amount_due", "deadline", "deadline_kind", "notice_date",
    "taxpayer_name", "address", "irs_phone", "caller_id", "form",
}  # fmt: skip
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


@functools.cache
def _docs() -> tuple:
    """Every catalog code in every kind, plus a seeded plan with random page counts."""
    specs = [
        Spec(i * len(KINDS) + k, 29, notice.code, kind, "clean", family="modern")
        for i, notice in enumerate(CATALOG.notices)
        for k, kind in enumerate(KINDS)
    ]
    specs += plan(120, seed=14, family="modern")
    return tuple(compose(spec) for spec in specs)


def _texts(page) -> list[Text]:
    return [item for item in page.items if isinstance(item, Text)]


def _text(doc) -> str:
    """Every run of the document, one space between runs and words (a wrapped sentence reads whole)."""
    return " ".join(" ".join(item.text for page in doc.pages for item in _texts(page)).split())


def _dates(day: dt.date) -> set[str]:
    return {format_date(day, style) for style in DATE_STYLES}


def _phones(phone: str) -> set[str]:
    return {phone, f"1-{phone}", f"({phone[:3]}) {phone[4:]}"}


def _printed_values(doc) -> list[str | set[str]]:
    """What the truth says is printed, as printed: a string, or a set of strings one of which is."""
    fields, facts = doc.truth["fields"], doc.facts
    values: list[str | set[str]] = [
        doc.truth["notice_type"].removeprefix("LTR"),
        str(fields["tax_year"]),
        _dates(dt.date.fromisoformat(fields["notice_date"])),
        facts.taxpayer.street,
        facts.taxpayer.city_line,
        _phones(fields["irs_phone"]),
    ]
    if fields["ssn_last4"]:
        last4 = fields["ssn_last4"]
        values.append({f"ending in {last4}", *(mask.format(last4) for mask in _masks())})
    values += [money(round(Decimal(line["amount"]) * 100)) for line in doc.truth["billing_lines"]]
    if fields["amount_due"]:
        values.append(money(round(Decimal(fields["amount_due"]) * 100)))
    if fields["deadline_kind"] == "printed":
        values.append(_dates(dt.date.fromisoformat(fields["deadline"])))
    for name in ("caller_id", "form"):
        if fields[name]:
            values.append(fields[name])
    for period in doc.truth.get("periods", []):
        values += [
            _dates(dt.date.fromisoformat(period["period_end"])),
            money(round(Decimal(period["amount"]) * 100)),
        ]
    return values


def _masks() -> tuple[str, ...]:
    return ("XXX-XX-{}", "***-**-{}", "nnn-nn-{}", "NNN-NN-{}", "XX-XXX{}")


def _missing(values: list[str | set[str]], text: str) -> list:
    return [v for v in values if not (v in text if isinstance(v, str) else any(one in text for one in v))]


def test_same_seed_gives_identical_documents():
    first = [compose(spec) for spec in plan(40, seed=5, family="modern")]
    again = [compose(spec) for spec in plan(40, seed=5, family="modern")]
    assert [d.truth for d in first] == [d.truth for d in again]
    assert [repr(d.pages) for d in first] == [repr(d.pages) for d in again]
    other = [compose(spec).truth for spec in plan(40, seed=6, family="modern")]
    assert [d.truth for d in first] != other


def test_same_seed_gives_identical_files(tmp_path):
    for run in ("a", "b"):
        generate(tmp_path / run, 3, seed=9, kinds=("pdf_text", "fax", "photo"), family="modern")
    for path in sorted((tmp_path / "a").iterdir()):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


def test_every_catalog_code_and_kind_composes():
    seen = {(doc.spec.code, doc.spec.kind) for doc in _docs()}
    assert seen >= {(notice.code, kind) for notice in CATALOG.notices for kind in KINDS}
    for doc in _docs():
        truth = doc.truth
        assert set(truth) - {"periods", "revised"} == TOP_LEVEL and set(truth["fields"]) == FIELDS
        assert truth["family"] == "modern" and truth["fields"]["notice_number"] == doc.spec.code
        assert truth["pages"] == len(doc.pages) and (doc.spec.kind != "photo" or len(doc.pages) == 1)


def test_plan_is_the_plan_of_the_other_families():
    assert "modern" in FAMILIES
    for classic, modern in zip(plan(40, seed=3), plan(40, seed=3, family="modern"), strict=True):
        assert (classic.code, classic.kind, classic.degradation) == (
            modern.code,
            modern.kind,
            modern.degradation,
        )
        assert modern.family == "modern"


def test_every_truth_value_is_printed():
    for doc in _docs():
        assert _missing(_printed_values(doc), _text(doc)) == [], doc.spec
        name_words = set(doc.truth["fields"]["taxpayer_name"].replace("&", " ").split()) - {"AND"}
        page_one = " ".join(item.text for item in _texts(doc.pages[0]))
        assert name_words <= set(page_one.replace("&", " ").split()), doc.spec


def test_values_recorded_absent_are_not_printed():
    absent = {"caller_id": 0, "form": 0, "amount_due": 0}
    for doc in _docs():
        fields, facts = doc.truth["fields"], doc.facts
        items = {item.text for page in doc.pages for item in _texts(page)}
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
    kinds = set()
    for doc in _docs():
        fields, notice = doc.truth["fields"], CATALOG.get(doc.truth["notice_type"])
        if notice.deadline is DeadlineRule.NONE:
            assert fields["deadline"] is None and fields["deadline_kind"] is None
            continue
        deadline = dt.date.fromisoformat(fields["deadline"])
        window = (deadline - dt.date.fromisoformat(fields["notice_date"])).days
        kinds.add(fields["deadline_kind"])
        if fields["deadline_kind"] == "computed":
            assert f"within {window} days of the date of this notice" in _text(doc), doc.spec
            assert not any(day in _text(doc) for day in _dates(deadline)), doc.spec
    assert kinds == {"printed", "computed"}


def test_amounts_add_up():
    for doc in _docs():
        fields, notice = doc.truth["fields"], CATALOG.get(doc.truth["notice_type"])
        assert (fields["amount_due"] is not None) >= (notice.amount_due is Presence.REQUIRED)
        if fields["amount_due"] is None:
            assert doc.truth["billing_lines"] == [] and notice.amount_due is not Presence.REQUIRED
            continue
        due = Decimal(fields["amount_due"])
        assert sum(Decimal(line["amount"]) for line in doc.truth["billing_lines"]) == due > 0
        if "periods" in doc.truth:
            assert sum(Decimal(period["amount"]) for period in doc.truth["periods"]) == due


def test_dates_are_written_the_ways_the_irs_writes_them():
    for doc in _docs():
        text = _text(doc)
        assert not re.search(rf"\b\d{{1,2}} ({MONTHS}) \d{{4}}", text), doc.spec  # "1 July 2024"
        assert not re.search(r"\b\d{4}-\d\d-\d\d\b", text), doc.spec


def test_every_text_run_stays_on_the_page_and_none_overlap():
    for doc in _docs():
        for page in doc.pages:
            boxes = []
            for item in _texts(page):
                run = width(item.font, item.size, item.text)
                left = item.x - run if item.align == "right" else item.x
                assert left >= 0 and left + run <= PAGE_WIDTH - 18, (doc.spec, item.text)
                assert 0 < item.y <= PAGE_HEIGHT - 18, (doc.spec, item.text)
                boxes.append(
                    (item.y - item.size * 0.75, item.y + item.size * 0.2, left, left + run, item.text)
                )
            assert _overlaps(boxes) == [], doc.spec


def _overlaps(boxes: list[tuple]) -> list[tuple[str, str]]:
    boxes.sort()
    found = []
    for i, (_top, bottom, left, right, text) in enumerate(boxes):
        for other in boxes[i + 1 :]:
            if other[0] >= bottom:
                break
            if other[2] < right and left < other[3]:
                found.append((text, other[4]))
    return found


def test_every_page_has_its_footer_and_the_last_page_the_voucher():
    for doc in _docs():
        count = len(doc.pages)
        for number, page in enumerate(doc.pages, 1):
            shown = {item.text for item in _texts(page)}
            assert f"Page {number} of {count}" in shown and doc.spec.code in shown, doc.spec
        last = {item.text for item in _texts(doc.pages[-1])}
        has_voucher = {"Payment voucher", "Amount you are paying"} <= last
        assert has_voucher == (doc.truth["fields"]["amount_due"] is not None), doc.spec
        assert not has_voucher or "United States Treasury" in " ".join(last)


def test_layouts_vary():
    seen: dict[str, set] = {name: set() for name in ("dates", "phones", "tins", "totals", "tables", "heads")}
    families, sizes, care_of = set(), set(), 0
    for doc in _docs():
        first = _texts(doc.pages[0])
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
    for spec in plan(40, seed=2, pages=(2, 9), family="modern"):
        doc = compose(spec)
        assert len(doc.pages) == (1 if spec.kind == "photo" else spec.pages), spec
        assert all(len(" ".join(t.text for t in _texts(page))) > 200 for page in doc.pages[1:]), spec


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler's pdftotext")
def test_pdf_text_layer_holds_every_truth_value(tmp_path):
    truths = generate(tmp_path, 8, seed=6, kinds=("pdf_text",), family="modern")
    docs = [compose(spec) for spec in plan(8, 6, kinds=("pdf_text",), family="modern")]
    for truth, doc in zip(truths, docs, strict=True):
        assert truth == doc.truth
        text = subprocess.run(
            ["pdftotext", "-layout", str(tmp_path / truth["source"]), "-"], capture_output=True, text=True
        ).stdout
        flat = " ".join(text.split())
        values = [
            v if isinstance(v, str) else {" ".join(one.split()) for one in v} for v in _printed_values(doc)
        ]
        assert _missing(values, flat) == [], truth["source"]


def test_cli_writes_a_modern_corpus_of_every_kind(tmp_path):
    assert main(["--out", str(tmp_path), "--count", "13", "--seed", "2", "--family", "modern"]) == 0
    truths = [json.loads(line) for line in (tmp_path / "truth.jsonl").read_text().splitlines()]
    assert {t["kind"] for t in truths} == set(KINDS) and {t["family"] for t in truths} == {"modern"}
    for truth in truths:
        path = tmp_path / truth["source"]
        assert path.stat().st_size > 1000
        assert json.loads(path.with_suffix(".truth.json").read_text()) == truth


def test_cli_writes_a_stack_of_modern_notices(tmp_path):
    args = ["stack", "--out", str(tmp_path), "--count", "1", "--seed", "3", "--family", "modern"]
    assert main([*args, "--kind", "pdf_text"]) == 0
    truth = json.loads((tmp_path / "stack_0000.truth.json").read_text())
    assert truth["family"] == "modern" and {n["truth"]["family"] for n in truth["notices"]} == {"modern"}
