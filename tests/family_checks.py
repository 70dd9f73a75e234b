"""Checks every held-out layout family of the generator must pass (``letter``, ``modern``, ``typed``),
written once.

``every_code_and_kind`` composes a family's documents for the checks. Each ``check_*`` asserts over them or
a small written sample: every catalog code composes in every kind with a truth of the contract's keys, the
same seed gives the same documents and files, the plan is the other families' plan, deadlines follow the
catalog's rule, amounts add up, dates are written the IRS's ways, every text run stays on the page and
overlaps no other, ``pages`` gives the page count asked for, a born-digital PDF's text layer holds what the
truth says is printed, and the CLI writes a corpus of every kind and a stack. The tests themselves are
written once too (``HeldOutFamilyTests``): a family's own test module describes the family in a
``HeldOutFamily`` (what it prints, ``printed_values``, and how its text reads) and subclasses the tests as
``Test<Family>Family``, then checks its own layout.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import pytest

from fixtures.generator import KINDS, compose, generate, plan
from fixtures.generator.__main__ import main
from fixtures.generator.corpus import FAMILIES, Spec
from fixtures.generator.facts import money
from fixtures.generator.fonts import width
from fixtures.generator.layout import PAGE_HEIGHT, PAGE_WIDTH, Text
from pipeline.catalog import DeadlineRule, Presence, load_catalog

TOP_LEVEL = {"source", "notice_type", "kind", "degradation", "pages", "fields", "billing_lines", "family"}
FIELDS = {
    "notice_number", "tax_year", "ssn_last4", "amount_due", "deadline", "deadline_kind", "notice_date",
    "taxpayer_name", "address", "irs_phone", "caller_id", "form",
}  # fmt: skip
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
Printed = list[str | set[str]]  # a value as printed, or a set of ways one of which is printed


def texts(page) -> list[Text]:
    return [item for item in page.items if isinstance(item, Text)]


def spellings(write: Callable[[Any, str], str], styles: Iterable[str]) -> Callable[[Any], set[str]]:
    """The ways a family may print a value (a date, a phone number): ``write`` in each of ``styles``."""
    styles = tuple(styles)

    def spelled(value) -> set[str]:
        return {write(value, style) for style in styles}

    return spelled


def run_text(doc) -> str:
    """Every run of the document, one space between runs and words (a wrapped sentence reads whole)."""
    return " ".join(" ".join(item.text for page in doc.pages for item in texts(page)).split())


def missing(values: Printed, text: str) -> list:
    return [v for v in values if not (v in text if isinstance(v, str) else any(one in text for one in v))]


def every_code_and_kind(family: str, seed: int, plan_seed: int) -> tuple:
    """Every catalog code in every kind (clean) and a seeded 120-notice plan, composed."""
    specs = [
        Spec(i * len(KINDS) + k, seed, notice.code, kind, "clean", family=family)
        for i, notice in enumerate(load_catalog().notices)
        for k, kind in enumerate(KINDS)
    ]
    specs += plan(120, seed=plan_seed, family=family)
    return tuple(compose(spec) for spec in specs)


def truth_values(doc, dates_of: Callable, tins: set[str], phones: set[str]) -> Printed:
    """What the truth says is printed, as printed (a string, or a set of strings one of which is), for a
    family that prints every period of a multi-period notice: ``dates_of`` gives a date's spellings,
    ``tins`` and ``phones`` the ways the family writes the TIN (when it has last 4 digits) and phone."""
    fields, facts = doc.truth["fields"], doc.facts
    values: Printed = [
        doc.truth["notice_type"].removeprefix("LTR"),
        str(fields["tax_year"]),
        dates_of(dt.date.fromisoformat(fields["notice_date"])),
        facts.taxpayer.street,
        facts.taxpayer.city_line,
        phones,
    ]
    if fields["ssn_last4"]:
        values.append(tins)
    values += [_money(line["amount"]) for line in doc.truth["billing_lines"]]
    if fields["amount_due"]:
        values.append(_money(fields["amount_due"]))
    if fields["deadline_kind"] == "printed":
        values.append(dates_of(dt.date.fromisoformat(fields["deadline"])))
    values += [fields[name] for name in ("caller_id", "form") if fields[name]]
    for period in doc.truth.get("periods", []):
        values += [dates_of(dt.date.fromisoformat(period["period_end"])), _money(period["amount"])]
    return values


def _money(amount: str) -> str:
    return money(round(Decimal(amount) * 100))


def check_truth_printed(docs: Iterable, printed_values: Callable[..., Printed], text_of: Callable) -> None:
    """Every truth value is in the document's text, and every word of the taxpayer's name on page 1."""
    for doc in docs:
        assert missing(printed_values(doc), text_of(doc)) == [], doc.spec
        name_words = set(doc.truth["fields"]["taxpayer_name"].replace("&", " ").split()) - {"AND"}
        page_one = " ".join(item.text for item in texts(doc.pages[0]))
        assert name_words <= set(page_one.replace("&", " ").split()), doc.spec


def check_every_code_and_kind(docs: Iterable, family: str) -> None:
    docs = list(docs)
    seen = {(doc.spec.code, doc.spec.kind) for doc in docs}
    assert seen >= {(notice.code, kind) for notice in load_catalog().notices for kind in KINDS}
    for doc in docs:
        truth = doc.truth
        assert set(truth) - {"periods"} == TOP_LEVEL and set(truth["fields"]) == FIELDS
        assert truth["family"] == family and truth["fields"]["notice_number"] == doc.spec.code
        assert truth["pages"] == len(doc.pages) and (doc.spec.kind != "photo" or len(doc.pages) == 1)


def check_same_documents(family: str) -> None:
    first = [compose(spec) for spec in plan(40, seed=5, family=family)]
    again = [compose(spec) for spec in plan(40, seed=5, family=family)]
    assert [d.truth for d in first] == [d.truth for d in again]
    assert [repr(d.pages) for d in first] == [repr(d.pages) for d in again]
    other = [compose(spec).truth for spec in plan(40, seed=6, family=family)]
    assert [d.truth for d in first] != other


def check_same_files(tmp_path: Path, family: str) -> None:
    for run in ("a", "b"):
        generate(tmp_path / run, 3, seed=9, kinds=("pdf_text", "fax", "photo"), family=family)
    for path in sorted((tmp_path / "a").iterdir()):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


def check_plan(family: str) -> None:
    for classic, other in zip(plan(40, seed=3), plan(40, seed=3, family=family), strict=True):
        assert (classic.code, classic.kind, classic.degradation) == (
            other.code,
            other.kind,
            other.degradation,
        )
        assert other.family == family


def check_amounts_add_up(docs: Iterable) -> None:
    catalog = load_catalog()
    for doc in docs:
        fields, notice = doc.truth["fields"], catalog.get(doc.truth["notice_type"])
        assert (fields["amount_due"] is not None) >= (notice.amount_due is Presence.REQUIRED)
        if fields["amount_due"] is None:
            assert doc.truth["billing_lines"] == [] and notice.amount_due is not Presence.REQUIRED
            continue
        due = Decimal(fields["amount_due"])
        assert sum(Decimal(line["amount"]) for line in doc.truth["billing_lines"]) == due > 0
        if "periods" in doc.truth:
            assert sum(Decimal(period["amount"]) for period in doc.truth["periods"]) == due


def check_deadlines(docs: Iterable, text_of: Callable, dates_of: Callable, computed: str) -> None:
    """The truth's deadline follows the catalog's rule, and a computed one is said as a window (``computed``,
    a pattern with ``{window}`` for its days) with the date nowhere printed (``dates_of``: its spellings)."""
    catalog, kinds = load_catalog(), set()
    for doc in docs:
        fields, notice = doc.truth["fields"], catalog.get(doc.truth["notice_type"])
        if notice.deadline is DeadlineRule.NONE:
            assert fields["deadline"] is None and fields["deadline_kind"] is None
            continue
        deadline = dt.date.fromisoformat(fields["deadline"])
        window = (deadline - dt.date.fromisoformat(fields["notice_date"])).days
        kinds.add(fields["deadline_kind"])
        if fields["deadline_kind"] == "computed":
            assert re.search(computed.format(window=window), text_of(doc)), doc.spec
            assert not any(day in text_of(doc) for day in dates_of(deadline)), doc.spec
    assert kinds == {"printed", "computed"}


def check_irs_dates(docs: Iterable, text_of: Callable) -> None:
    for doc in docs:
        text = text_of(doc)
        assert not re.search(rf"\b\d{{1,2}} ({MONTHS}) \d{{4}}", text), doc.spec  # "1 July 2024"
        assert not re.search(r"\b\d{4}-\d\d-\d\d\b", text), doc.spec


def check_runs_on_page(docs: Iterable) -> None:
    for doc in docs:
        for page in doc.pages:
            for item in texts(page):
                run = width(item.font, item.size, item.text)
                left = item.x - run if item.align == "right" else item.x
                assert left >= 0 and left + run <= PAGE_WIDTH - 18, (doc.spec, item.text)
                assert 0 < item.y <= PAGE_HEIGHT - 18, (doc.spec, item.text)


def check_no_overlaps(docs: Iterable) -> None:
    """No two text runs of a page share any ink box (a run's box: its width by its ascent and descent)."""
    for doc in docs:
        for page in doc.pages:
            boxes = []
            for item in texts(page):
                run = width(item.font, item.size, item.text)
                left = item.x - run if item.align == "right" else item.x
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


def check_pages_option(family: str) -> None:
    for spec in plan(40, seed=2, pages=(2, 9), family=family):
        doc = compose(spec)
        assert len(doc.pages) == (1 if spec.kind == "photo" else spec.pages), spec
        assert all(len(" ".join(t.text for t in texts(page))) > 200 for page in doc.pages[1:]), spec


def check_text_layer(tmp_path: Path, family: str, printed_values: Callable[..., Printed]) -> None:
    truths = generate(tmp_path, 8, seed=6, kinds=("pdf_text",), family=family)
    docs = [compose(spec) for spec in plan(8, 6, kinds=("pdf_text",), family=family)]
    for truth, doc in zip(truths, docs, strict=True):
        assert truth == doc.truth
        text = subprocess.run(
            ["pdftotext", "-layout", str(tmp_path / truth["source"]), "-"], capture_output=True, text=True
        ).stdout
        flat = " ".join(text.split())
        values = [
            v if isinstance(v, str) else {" ".join(one.split()) for one in v} for v in printed_values(doc)
        ]
        assert missing(values, flat) == [], truth["source"]


def check_cli_corpus(tmp_path: Path, family: str) -> None:
    assert main(["--out", str(tmp_path), "--count", "13", "--seed", "2", "--family", family]) == 0
    truths = [json.loads(line) for line in (tmp_path / "truth.jsonl").read_text().splitlines()]
    assert {t["kind"] for t in truths} == set(KINDS) and {t["family"] for t in truths} == {family}
    for truth in truths:
        path = tmp_path / truth["source"]
        assert path.stat().st_size > 1000
        assert json.loads(path.with_suffix(".truth.json").read_text()) == truth


def check_cli_stack(tmp_path: Path, family: str) -> None:
    """``python -m fixtures.generator stack`` writes a stack of ``family``'s notices."""
    args = ["stack", "--out", str(tmp_path), "--count", "1", "--seed", "3", "--family", family]
    assert main([*args, "--kind", "pdf_text"]) == 0
    truth = json.loads((tmp_path / "stack_0000.truth.json").read_text())
    assert truth["family"] == family and {n["truth"]["family"] for n in truth["notices"]} == {family}


@dataclass(frozen=True, kw_only=True)
class HeldOutFamily:
    """What sets one held-out family apart in the tests every such family passes (``HeldOutFamilyTests``)."""

    name: str
    docs: Callable[[], tuple]  # the family's ``every_code_and_kind``, composed once
    printed_values: Callable[[Any], Printed]
    text: Callable[[Any], str]  # a document's text runs as one text
    dates: Callable[[dt.date], set[str]]  # the ways the family prints a date
    computed_deadline: str  # how a computed deadline is said: a pattern with ``{window}`` for its days


class HeldOutFamilyTests:
    """The tests every held-out family passes; a family's module subclasses it as ``Test<Family>Family`` and
    sets ``family``."""

    family: ClassVar[HeldOutFamily]

    def test_same_seed_gives_identical_documents(self) -> None:
        check_same_documents(self.family.name)

    def test_same_seed_gives_identical_files(self, tmp_path: Path) -> None:
        check_same_files(tmp_path, self.family.name)

    def test_every_catalog_code_and_kind_composes(self) -> None:
        check_every_code_and_kind(self.family.docs(), self.family.name)

    def test_plan_is_the_plan_of_the_other_families(self) -> None:
        assert self.family.name in FAMILIES
        check_plan(self.family.name)

    def test_every_truth_value_is_printed(self) -> None:
        check_truth_printed(self.family.docs(), self.family.printed_values, self.family.text)

    def test_deadlines_are_printed_as_the_truth_says(self) -> None:
        family = self.family
        check_deadlines(family.docs(), family.text, family.dates, family.computed_deadline)

    def test_amounts_add_up(self) -> None:
        check_amounts_add_up(self.family.docs())

    def test_dates_are_written_the_ways_the_irs_writes_them(self) -> None:
        check_irs_dates(self.family.docs(), self.family.text)

    def test_every_text_run_stays_on_the_page(self) -> None:
        check_runs_on_page(self.family.docs())

    def test_pages_option_gives_the_requested_count(self) -> None:
        check_pages_option(self.family.name)

    @pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler's pdftotext")
    def test_pdf_text_layer_holds_every_truth_value(self, tmp_path: Path) -> None:
        check_text_layer(tmp_path, self.family.name, self.family.printed_values)

    def test_cli_writes_a_corpus_of_every_kind(self, tmp_path: Path) -> None:
        check_cli_corpus(tmp_path, self.family.name)

    def test_cli_writes_a_stack(self, tmp_path: Path) -> None:
        check_cli_stack(tmp_path, self.family.name)
