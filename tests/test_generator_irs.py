"""The "irs" layout family of the synthetic generator: every catalog code and kind, truth that adds up and
agrees with the pages, the header variants, separate text objects in the PDF text layer, and a classic
family that stays byte-identical. Composed documents only (no pixels but one small written sample), no
tesseract.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import shutil
import subprocess
import zlib
from decimal import Decimal

import pytest

from fixtures.generator import KINDS, compose, generate, plan
from fixtures.generator.__main__ import main
from fixtures.generator.corpus import Spec, write
from fixtures.generator.facts import money
from fixtures.generator.irs_facts import make_irs_facts
from fixtures.generator.layout import Text
from fixtures.generator.pdf import pdf_bytes
from pipeline.catalog import DeadlineRule, Presence, load_catalog

CATALOG = load_catalog()
CLASSIC_KEYS = {"source", "notice_type", "kind", "degradation", "pages", "fields", "billing_lines"}
# The classic family before the irs family existed (seed 4, the first 20 catalog codes, explicit specs).
FIRST_CODES = (
    "CP14", "CP501", "CP503", "CP71A", "CP71C", "CP161", "CP504", "CP90", "CP297", "LT11", "LTR1058", "CP523",
    "CP2000", "CP3219A", "CP11", "CP12", "CP22A", "CP49", "CP59", "LTR5071C",
)  # fmt: skip
CLASSIC_COMPOSED_SHA = "7eb44522a07447209c7a6b7bb0774d6330f721c8fd421714faadb64129d6333f"
CLASSIC_FILES_SHA = "0fb1317a406b7bf82692e9af9499da87ca3faf104992ccfba8bd16387a9e508e"


@functools.cache
def _docs() -> tuple:
    """Every catalog code in every kind, plus a seeded plan with random page counts."""
    specs = [
        Spec(i * len(KINDS) + k, 17, notice.code, kind, "clean", family="irs")
        for i, notice in enumerate(CATALOG.notices)
        for k, kind in enumerate(KINDS)
    ]
    specs += plan(120, seed=8, family="irs")
    return tuple(compose(spec) for spec in specs)


def _texts(page) -> list[Text]:
    return [item for item in page.items if isinstance(item, Text)]


def _page_text(page) -> str:
    return " ".join(item.text for item in _texts(page))


def test_every_catalog_code_and_kind_composes():
    seen = {(doc.spec.code, doc.spec.kind) for doc in _docs()}
    assert seen >= {(notice.code, kind) for notice in CATALOG.notices for kind in KINDS}
    for doc in _docs():
        assert doc.truth["family"] == "irs"
        assert set(doc.truth) - {"family", "periods", "revised"} == CLASSIC_KEYS
        assert doc.truth["pages"] == len(doc.pages)
        assert doc.spec.kind != "photo" or len(doc.pages) == 1


def test_billing_lines_and_periods_add_up_to_the_amount_due():
    for doc in _docs():
        fields, notice = doc.truth["fields"], CATALOG.get(doc.truth["notice_type"])
        assert (fields["amount_due"] is not None) >= (notice.amount_due is Presence.REQUIRED)
        if notice.amount_due is Presence.ABSENT or fields["amount_due"] is None:
            assert fields["amount_due"] is None and doc.truth["billing_lines"] == []
            continue
        due = Decimal(fields["amount_due"])
        assert sum(Decimal(line["amount"]) for line in doc.truth["billing_lines"]) == due > 0
        if "periods" in doc.truth:
            assert len(doc.truth["periods"]) >= 2
            assert sum(Decimal(p["amount"]) for p in doc.truth["periods"]) == due
            assert doc.truth["periods"][0]["period_end"][:4] == str(fields["tax_year"])


def test_the_printed_total_is_the_sum_of_the_printed_rows():
    """Read the Billing Summary back off page 1: every row's amount, negatives included, adds up."""
    amount = re.compile(r"^-?\$?[\d,]+\.\d\d$")
    for doc in _docs():
        fields = doc.truth["fields"]
        if not fields["amount_due"] or "periods" in doc.truth:
            continue
        printed = [t.text for t in _texts(doc.pages[0]) if t.align == "right" and amount.match(t.text)]
        cents = [round(Decimal(text.replace("$", "").replace(",", "")) * 100) for text in printed]
        rows = len(doc.truth["billing_lines"])
        assert sum(cents[:rows]) == cents[rows] == round(Decimal(fields["amount_due"]) * 100), doc.spec


def test_deadlines_are_printed_as_the_truth_says():
    printed_kinds = set()
    for doc in _docs():
        fields, notice = doc.truth["fields"], CATALOG.get(doc.truth["notice_type"])
        text = " ".join(_page_text(page) for page in doc.pages)
        if notice.deadline is DeadlineRule.NONE:
            assert fields["deadline"] is None and fields["deadline_kind"] is None
            continue
        deadline = dt.date.fromisoformat(fields["deadline"])
        notice_date = dt.date.fromisoformat(fields["notice_date"])
        printed = doc.facts.date(deadline)
        printed_kinds.add((doc.spec.code, fields["deadline_kind"]))
        if fields["deadline_kind"] == "printed":
            assert printed in text, doc.spec
            assert deadline - notice_date in {
                dt.timedelta(days=notice.response_window_days or 0),
                dt.timedelta(days=21),  # CP504 prints "by <notice date + 21 days>"
            }
        else:
            assert notice.deadline is DeadlineRule.COMPUTED
            assert f"within {notice.response_window_days} days from the date of this" in text
            assert printed not in text
    assert {("CP504", "printed"), ("CP504", "computed")} <= printed_kinds


def test_printed_values_match_the_truth():
    for doc in _docs():
        fields, facts = doc.truth["fields"], doc.facts
        first, last = _page_text(doc.pages[0]), _page_text(doc.pages[-1])
        assert facts.code_text.split()[-1] in first and facts.date(facts.notice_date) in first
        assert f"Phone {facts.phone_printed}" in first and facts.tin.printed in first
        assert (fields["caller_id"] is None) == ("Your caller ID" not in first)
        assert facts.taxpayer.street in first and facts.taxpayer.city_line in first
        assert f"Page 1 of {len(doc.pages)}" in first
        if fields["amount_due"]:
            assert money(round(Decimal(fields["amount_due"]) * 100)) in last  # the payment stub
        assert any(t.text == "INTERNAL REVENUE SERVICE" for t in _texts(doc.pages[-1]))


def test_joint_names_print_in_several_ways_and_the_truth_keeps_the_facts_name():
    printed = set()
    for doc in _docs():
        name = doc.truth["fields"]["taxpayer_name"]
        assert name == doc.facts.taxpayer.name
        lines = {t.text for t in _texts(doc.pages[0])}
        if " & " in name or " AND " in name:
            first, last = name.split()[0], name.split()[-1]
            shown = [line for line in lines if line.startswith(first) and line.endswith(last)]
            printed.add("two lines" if f"{first} {last}" in lines else shown[0].replace(first, "A", 1))
    assert len(printed) >= 3


def test_header_values_sit_beside_below_or_apart_from_their_labels():
    layouts = set()
    for doc in _docs():
        texts = _texts(doc.pages[0])
        label = next(t for t in texts if t.text == doc.facts.date_label)
        value = next(t for t in texts if t.text == doc.facts.date(doc.facts.notice_date) and t.x > 250)
        if value.x == label.x and value.y > label.y:
            layouts.add("below")
        elif value.y == label.y and value.align == "right":
            layouts.add("apart")
        elif value.y == label.y:
            layouts.add("beside")
    assert layouts == {"below", "apart", "beside"}


def test_multi_page_notices_have_explanation_and_response_form_pages():
    pages = [doc for doc in _docs() if doc.spec.pages]
    assert any(doc.spec.code == "CP2000" and len(doc.pages) > 1 for doc in _docs())
    for doc in _docs():
        if len(doc.pages) > 1:
            assert all(len(_page_text(page)) > 200 for page in doc.pages[1:])
            if doc.spec.code == "CP2000":
                assert "Response form" in _page_text(doc.pages[-1])
    for doc in pages:
        assert len(doc.pages) >= doc.spec.pages or doc.spec.kind == "photo"


def test_pages_option_gives_the_requested_count():
    for spec in plan(30, seed=2, pages=(2, 6), family="irs"):
        doc = compose(spec)
        assert len(doc.pages) == (1 if spec.kind == "photo" else spec.pages), spec


def test_pdf_text_layer_has_label_and_value_as_separate_text_objects():
    doc = compose(Spec(0, 3, "CP14", "pdf_text", "clean", family="irs"))
    data = pdf_bytes(doc.pages)
    streams = re.findall(rb"stream\n(.*?)\nendstream", data, re.S)
    ops = [op for s in streams for op in zlib.decompress(s).split(b"\n") if op.startswith(b"BT")]
    shown = [re.search(rb"\((.*)\) Tj", op).group(1).decode("cp1252") for op in ops]
    facts = doc.facts
    for label, value in (
        ("Notice", "CP14"),
        (facts.date_label, facts.date(facts.notice_date)),
        (facts.tin.label, facts.tin.printed),
        ("To contact us", f"Phone {facts.phone_printed}"),
    ):
        assert label in shown and value in shown


def test_plan_is_the_classic_plan_with_another_family():
    for classic, irs in zip(plan(40, seed=3), plan(40, seed=3, family="irs"), strict=True):
        assert (classic.code, classic.kind, classic.degradation) == (irs.code, irs.kind, irs.degradation)
        assert classic.family == "classic" and irs.family == "irs"
    with pytest.raises(ValueError):
        plan(3, seed=1, family="gothic")


def test_classic_family_is_byte_identical():
    """The pinned hashes were computed on the classic family before the irs family was added."""
    digest = hashlib.sha256()
    for i, code in enumerate(FIRST_CODES * 2):
        doc = compose(Spec(i, 4, code, KINDS[i % len(KINDS)], "clean"))
        assert "family" not in doc.truth
        digest.update(json.dumps(doc.truth, sort_keys=True).encode())
        digest.update(repr(doc.pages).encode())
    assert digest.hexdigest() == CLASSIC_COMPOSED_SHA


def test_classic_files_are_byte_identical(tmp_path):
    for spec in (
        Spec(0, 4, "CP14", "pdf_text", "clean"),
        Spec(1, 4, "LT11", "pdf_text", "clean"),
        Spec(2, 4, "CP2000", "scan", "low_dpi"),
    ):
        write(spec, tmp_path)
    digest = hashlib.sha256()
    for path in sorted(tmp_path.iterdir()):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    assert digest.hexdigest() == CLASSIC_FILES_SHA


def test_irs_facts_draw_several_periods_for_collection_notices():
    import random

    notice = CATALOG.get("LT11")
    drawn = [make_irs_facts(notice, random.Random(seed)) for seed in range(40)]
    multi = [facts for facts in drawn if facts.periods]
    assert 10 <= len(multi) < 40
    for facts in multi:
        ends = [period.period_end for period in facts.periods]
        assert ends == sorted(ends, reverse=True) and len(set(ends)) == len(ends)


def test_cli_writes_an_irs_corpus(tmp_path):
    assert (
        main(
            ["--out", str(tmp_path), "--count", "2", "--seed", "1", "--kinds", "pdf_text", "--family", "irs"]
        )
        == 0
    )
    truths = [json.loads(line) for line in (tmp_path / "truth.jsonl").read_text().splitlines()]
    assert [t["family"] for t in truths] == ["irs", "irs"]
    assert all((tmp_path / t["source"]).read_bytes().startswith(b"%PDF-") for t in truths)
    assert generate(tmp_path / "again", 2, seed=1, kinds=("pdf_text",), family="irs") == truths
    with pytest.raises(SystemExit):
        main(["--out", str(tmp_path), "--family", "gothic"])


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler's pdftotext")
def test_pdf_text_layer_reads_back_with_pdftotext(tmp_path):
    truths = generate(tmp_path, 4, seed=6, kinds=("pdf_text",), family="irs")
    for truth in truths:
        text = subprocess.run(
            ["pdftotext", "-layout", str(tmp_path / truth["source"]), "-"], capture_output=True, text=True
        ).stdout
        fields = truth["fields"]
        assert fields["notice_number"][-4:] in text and fields["address"].split(",")[0] in text
        if fields["amount_due"]:
            assert money(round(Decimal(fields["amount_due"]) * 100)) in text
