"""The "letter" layout family of the synthetic generator: deterministic per seed, every catalog code in every
capture kind, the same plan as the other families, and truth that agrees with the printed text: every truth
value is on the pages (and in a born-digital PDF's text layer), every value the truth records as absent is
not. Composed documents only, but for a few small written samples; no tesseract.
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
from fixtures.generator.corpus import Spec
from fixtures.generator.facts import money
from fixtures.generator.fonts import width
from fixtures.generator.layout import PAGE_HEIGHT, PAGE_WIDTH, Text
from fixtures.generator.letter_facts import DATE_STYLES, format_date
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
        Spec(i * len(KINDS) + k, 23, notice.code, kind, "clean", family="letter")
        for i, notice in enumerate(CATALOG.notices)
        for k, kind in enumerate(KINDS)
    ]
    specs += plan(120, seed=12, family="letter")
    return tuple(compose(spec) for spec in specs)


def _texts(page) -> list[Text]:
    return [item for item in page.items if isinstance(item, Text)]


def _text(doc) -> str:
    return "\n".join(item.text for page in doc.pages for item in _texts(page))


def _dates(day: dt.date) -> set[str]:
    return {format_date(day, style) for style in DATE_STYLES}


def _printed_values(doc) -> list[str | set[str]]:
    """What the truth says is printed, as printed: a string, or a set of strings one of which is."""
    fields, facts = doc.truth["fields"], doc.facts
    values: list[str | set[str]] = [
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


def _missing(values: list[str | set[str]], text: str) -> list:
    return [v for v in values if not (v in text if isinstance(v, str) else any(one in text for one in v))]


def test_same_seed_gives_identical_documents():
    first = [compose(spec) for spec in plan(40, seed=5, family="letter")]
    again = [compose(spec) for spec in plan(40, seed=5, family="letter")]
    assert [d.truth for d in first] == [d.truth for d in again]
    assert [repr(d.pages) for d in first] == [repr(d.pages) for d in again]
    other = [compose(spec).truth for spec in plan(40, seed=6, family="letter")]
    assert [d.truth for d in first] != other


def test_same_seed_gives_identical_files(tmp_path):
    for run in ("a", "b"):
        generate(tmp_path / run, 3, seed=9, kinds=("pdf_text", "fax", "photo"), family="letter")
    for path in sorted((tmp_path / "a").iterdir()):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


def test_every_catalog_code_and_kind_composes():
    seen = {(doc.spec.code, doc.spec.kind) for doc in _docs()}
    assert seen >= {(notice.code, kind) for notice in CATALOG.notices for kind in KINDS}
    for doc in _docs():
        truth = doc.truth
        assert set(truth) - {"periods"} == TOP_LEVEL and set(truth["fields"]) == FIELDS
        assert truth["family"] == "letter" and truth["fields"]["notice_number"] == doc.spec.code
        assert truth["pages"] == len(doc.pages) and (doc.spec.kind != "photo" or len(doc.pages) == 1)


def test_plan_is_the_plan_of_the_other_families():
    for classic, letter in zip(plan(40, seed=3), plan(40, seed=3, family="letter"), strict=True):
        assert (classic.code, classic.kind, classic.degradation) == (
            letter.code,
            letter.kind,
            letter.degradation,
        )
        assert letter.family == "letter"


def test_every_truth_value_is_printed():
    for doc in _docs():
        assert _missing(_printed_values(doc), _text(doc)) == [], doc.spec
        name_words = set(doc.truth["fields"]["taxpayer_name"].replace("&", " ").split()) - {"AND"}
        page_one = " ".join(item.text for item in _texts(doc.pages[0]))
        assert name_words <= set(page_one.replace("&", " ").split()), doc.spec


def test_values_recorded_absent_are_not_printed():
    absent = {"caller_id": 0, "form": 0}
    for doc in _docs():
        fields, facts = doc.truth["fields"], doc.facts
        items = {item.text for page in doc.pages for item in _texts(page)}
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
            assert re.search(rf"within {window} days (from|of) the date of this letter", _text(doc)), doc.spec
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


def test_every_text_run_stays_on_the_page():
    for doc in _docs():
        for page in doc.pages:
            for item in _texts(page):
                run = width(item.font, item.size, item.text)
                left = item.x - run if item.align == "right" else item.x
                assert left >= 0 and left + run <= PAGE_WIDTH - 18, (doc.spec, item.text)
                assert 0 < item.y <= PAGE_HEIGHT - 18, (doc.spec, item.text)


def test_layouts_vary():
    labels, styles, tables, families, sizes = set(), set(), set(), set(), set()
    for doc in _docs():
        first = _texts(doc.pages[0])
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
    for spec in plan(40, seed=2, pages=(2, 9), family="letter"):
        doc = compose(spec)
        assert len(doc.pages) == (1 if spec.kind == "photo" else spec.pages), spec
        assert all(len(" ".join(t.text for t in _texts(page))) > 200 for page in doc.pages[1:]), spec


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler's pdftotext")
def test_pdf_text_layer_holds_every_truth_value(tmp_path):
    truths = generate(tmp_path, 8, seed=6, kinds=("pdf_text",), family="letter")
    docs = [compose(spec) for spec in plan(8, 6, kinds=("pdf_text",), family="letter")]
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


def test_cli_writes_a_letter_corpus_of_every_kind(tmp_path):
    assert main(["--out", str(tmp_path), "--count", "13", "--seed", "2", "--family", "letter"]) == 0
    truths = [json.loads(line) for line in (tmp_path / "truth.jsonl").read_text().splitlines()]
    assert {t["kind"] for t in truths} == set(KINDS) and {t["family"] for t in truths} == {"letter"}
    for truth in truths:
        path = tmp_path / truth["source"]
        assert path.stat().st_size > 1000
        assert json.loads(path.with_suffix(".truth.json").read_text()) == truth
