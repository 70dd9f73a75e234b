"""The "print" layout family of the synthetic generator (notices composed by ReportLab's platypus): every
catalog code renders, the same seed gives the same truth, text layer and PDF bytes, the plan is the other
families' plan, the truth agrees with ReportLab's text layer read by ``pdftotext`` (every value the truth
records is in it, every value it records as absent is not), a page count asked for is met, the voucher sits
at the foot of the last page, and every capture kind writes a readable file of the right type and page
count. No tesseract.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from pdf2image import pdfinfo_from_path
from PIL import Image

from fixtures.generator.__main__ import main
from fixtures.generator.corpus import FAMILIES, compose, plan
from fixtures.generator.facts import money
from fixtures.generator.modern_facts import DATE_STYLES, format_date, format_phone
from fixtures.generator.print_facts import FONTS, LOOKS, PANEL_PLACES, PHONE_STYLES
from fixtures.generator.print_family import PrintDocument, compose_print, write_print
from fixtures.generator.spec import Spec
from fixtures.generator.stack import STACK_FAMILIES
from pipeline.catalog import load_catalog
from tests.family_checks import FIELDS, TOP_LEVEL, check_amounts_add_up, check_plan, missing

CATALOG = load_catalog()
MASKS = ("XXX-XX-{}", "***-**-{}", "XX-XXX{}")


@pytest.fixture(scope="module")
def docs() -> list[PrintDocument]:
    """Every catalog code (born-digital, clean) and a seeded 40-notice plan (its kinds: photos fit a page)."""
    specs = [
        Spec(i, 31, notice.code, "pdf_text", "clean", family="print")
        for i, notice in enumerate(CATALOG.notices)
    ]
    specs += plan(40, seed=12, family="print")
    return [compose_print(spec) for spec in specs]


@pytest.fixture(scope="module")
def text_layers(docs: list[PrintDocument], tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("print-text")
    return [_text_layer(doc.pdf, folder / f"{i}.pdf") for i, doc in enumerate(docs)]


def _text_layer(pdf: bytes, path: Path, *pages: str) -> str:
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", *pages, str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(text.stdout.split())


def _dates(day: dt.date) -> set[str]:
    return {format_date(day, style) for style in DATE_STYLES}


def _money(amount: str) -> str:
    return money(round(Decimal(amount) * 100))


def _printed_values(doc: PrintDocument) -> list[str | set[str]]:
    """What the truth says is printed, as it may be printed: a string, or a set one of which is."""
    fields = doc.truth["fields"]
    taxpayer = doc.facts.base.taxpayer
    values: list[str | set[str]] = [
        doc.truth["notice_type"].removeprefix("LTR"),
        str(fields["tax_year"]),
        _dates(dt.date.fromisoformat(fields["notice_date"])),
        taxpayer.street,
        taxpayer.city_line,
        {format_phone(fields["irs_phone"], style) for style in PHONE_STYLES},
    ]
    if fields["ssn_last4"]:
        values.append({mask.format(fields["ssn_last4"]) for mask in MASKS})
    values += [_money(line["amount"]) for line in doc.truth["billing_lines"]]
    if fields["amount_due"]:
        values.append(_money(fields["amount_due"]))
    if fields["deadline_kind"] == "printed":
        values.append(_dates(dt.date.fromisoformat(fields["deadline"])))
    values += [fields[name] for name in ("caller_id", "form") if fields[name]]
    for period in doc.truth.get("periods", []):
        values += [_dates(dt.date.fromisoformat(period["period_end"])), _money(period["amount"])]
    return values


def test_print_is_a_family_with_the_plan_of_the_others():
    assert "print" in FAMILIES and "print" not in STACK_FAMILIES
    check_plan("print")
    with pytest.raises(ValueError, match="ReportLab"):
        compose(plan(1, seed=1, family="print")[0])


def test_every_catalog_code_renders_with_a_truth_of_the_contract(docs):
    assert {doc.spec.code for doc in docs} >= {notice.code for notice in CATALOG.notices}
    for doc in docs:
        truth = doc.truth
        assert set(truth) - {"periods"} == TOP_LEVEL and set(truth["fields"]) == FIELDS, doc.spec
        assert truth["family"] == "print" and truth["fields"]["notice_number"] == doc.spec.code
        assert doc.pdf.startswith(b"%PDF") and truth["pages"] >= 1
        assert doc.spec.kind != "photo" or truth["pages"] == 1, doc.spec
    assert any(doc.truth["pages"] > 1 for doc in docs) and any("periods" in doc.truth for doc in docs)
    multi = sum(doc.truth["pages"] > 1 for doc in docs[len(CATALOG.notices) :])
    assert 6 <= multi <= 26  # about a third of the planned documents


def test_layouts_vary(docs):
    facts = [doc.facts for doc in docs]
    assert {f.look for f in facts} == set(LOOKS) and {f.panel_place for f in facts} == set(PANEL_PLACES)
    assert {f.font for f in facts} == set(FONTS) and {f.body_dates for f in facts} == set(DATE_STYLES)
    assert 8.5 <= min(f.size_pt for f in facts) < max(f.size_pt for f in facts) <= 12
    assert {f.phone_style for f in facts} == set(PHONE_STYLES) and len({f.total_label for f in facts}) >= 4
    assert (
        {f.label_above for f in facts}
        == {f.bordered for f in facts}
        == {f.shaded for f in facts}
        == {True, False}
    )
    assert any(f.care_of for f in facts) and any(f.contact for f in facts)
    assert {f.base.tin.label for f in facts} >= {"Social Security number", "Employer ID number"}


def test_amounts_add_up(docs):
    check_amounts_add_up(docs)


def test_every_truth_value_is_in_the_text_layer(docs, text_layers):
    for doc, text in zip(docs, text_layers, strict=True):
        assert missing(_printed_values(doc), text) == [], doc.spec
        name_words = set(doc.truth["fields"]["taxpayer_name"].replace("&", " ").split()) - {"AND"}
        assert name_words <= set(text.replace("&", " ").split()), doc.spec
        pages = doc.truth["pages"]
        assert f"Page {pages} of {pages}" in text or f"{pages} of {pages}" in text, doc.spec
        assert "None" not in text and "{" not in text, doc.spec  # no unfilled value
        assert not re.search(r"\b\d{3}-\d\d-\d{4}\b", text), doc.spec  # no full SSN


def test_values_recorded_absent_are_not_printed(docs, text_layers):
    absent = {"caller_id": 0, "form": 0, "amount_due": 0, "computed deadline": 0, "unstated window": 0}
    for doc, text in zip(docs, text_layers, strict=True):
        fields, base = doc.truth["fields"], doc.facts.base
        if fields["caller_id"] is None and base.caller_id:
            absent["caller_id"] += 1
            assert base.caller_id not in text and "Caller ID" not in text, doc.spec
        if fields["form"] is None:
            absent["form"] += 1
            assert f"Form {base.form}" not in text and "Tax form" not in text, doc.spec
            assert f"({base.form})" not in text, doc.spec
        if fields["amount_due"] is None:
            absent["amount_due"] += 1
            assert "Amount enclosed" not in text and "$" not in text, doc.spec
        if fields["deadline_kind"] == "computed":
            absent["computed deadline"] += 1
            assert not any(day in text for day in _dates(dt.date.fromisoformat(fields["deadline"]))), doc.spec
            days = (
                dt.date.fromisoformat(fields["deadline"]) - dt.date.fromisoformat(fields["notice_date"])
            ).days
            assert f"within {days} days from the date of this" in text, doc.spec
        if base.deadline is not None and fields["deadline"] is None:
            absent["unstated window"] += 1
            assert "days from the date of this" not in text, doc.spec
    assert min(absent.values()) >= 2, absent  # each happens often enough to be checked


def test_a_notice_with_an_amount_due_ends_with_its_voucher_at_the_foot(docs, tmp_path):
    """On the last page (letter: 792 pt high), the stub's "Amount enclosed" is in the lower half and the
    stub reaches down to the foot of the body (it ends 54 pt above the page's edge; the footer is below)."""
    checked = 0
    for doc in docs:
        if doc.truth["fields"]["amount_due"] is None:
            continue
        path, last = tmp_path / "voucher.pdf", str(doc.truth["pages"])
        path.write_bytes(doc.pdf)
        words = ["pdftotext", "-bbox", "-f", last, "-l", last, str(path), "-"]
        html = subprocess.run(words, capture_output=True, text=True, check=True).stdout
        found = re.search(r'>Amount</word>\s*<word[^>]*yMin="([\d.]+)"[^>]*>enclosed<', html)
        assert found is not None and float(found.group(1)) > 792 / 2, doc.spec
        bottoms = [float(y) for y in re.findall(r'yMax="([\d.]+)"', html) if float(y) < 792 - 40]
        assert max(bottoms) > 792 - 54 - 40, doc.spec
        checked += 1
    assert checked >= 30


def test_same_seed_gives_the_same_truth_text_and_pdf(docs, text_layers, tmp_path):
    for doc, text in list(zip(docs, text_layers, strict=True))[-8:]:
        again = compose_print(doc.spec)
        assert again.truth == doc.truth and again.pdf == doc.pdf
        assert _text_layer(again.pdf, tmp_path / "again.pdf") == text
    other = compose_print(Spec(0, 99, docs[0].spec.code, "pdf_text", "clean", family="print"))
    assert other.truth != docs[0].truth


def test_same_seed_gives_the_same_bytes_in_another_process(docs):
    """Embedded TrueType subsets and ReportLab's ids do not depend on what the process drew before."""
    spec = next(doc.spec for doc in docs if doc.facts.font in ("DejaVuSans", "LiberationSerif"))
    code = (
        "import sys; from fixtures.generator.print_family import compose_print; "
        "from fixtures.generator.spec import Spec; "
        f"sys.stdout.buffer.write(compose_print(Spec({spec.index}, {spec.seed}, {spec.code!r}, "
        f"{spec.kind!r}, {spec.degradation!r}, family='print')).pdf)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    assert run.stdout == compose_print(spec).pdf


@pytest.mark.parametrize(("code", "pages"), [("CP59", 2), ("CP14", 4), ("CP504", 9)])
def test_pages_asked_for_are_printed_and_none_is_blank(tmp_path, code, pages):
    doc = compose_print(Spec(3, 2, code, "pdf_text", "clean", pages=pages, family="print"))
    assert doc.truth["pages"] == pages
    for number in range(1, pages + 1):
        text = _text_layer(doc.pdf, tmp_path / "pages.pdf", "-f", str(number), "-l", str(number))
        assert len(text) > 150 and f"{number} of {pages}" in text, number


@pytest.mark.parametrize(
    ("kind", "degradation", "suffix", "pages"),
    [
        ("pdf_text", "clean", ".pdf", 2),
        ("pdf_scan", "skew", ".pdf", 2),
        ("scan", "rotate90", ".tif", 2),
        ("scan", "noise", ".png", 1),
        ("fax", "fax", ".tif", 3),
        ("photo", "photo", ".jpg", 1),
    ],
)
def test_each_capture_kind_writes_a_readable_file(tmp_path, kind, degradation, suffix, pages):
    spec = Spec(7, 3, "CP504", kind, degradation, pages=pages, family="print")
    truth = write_print(spec, tmp_path)
    path = tmp_path / truth["source"]
    assert path.suffix == suffix and truth["kind"] == kind and truth["pages"] == pages
    assert json.loads((tmp_path / f"{spec.name}.truth.json").read_text()) == truth
    if suffix == ".pdf":
        assert int(pdfinfo_from_path(str(path))["Pages"]) == truth["pages"]
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
        assert ("Type" in fonts or "CID" in fonts) == (kind == "pdf_text")  # text layer or images only
        return
    with Image.open(path) as image:
        assert getattr(image, "n_frames", 1) == truth["pages"]
        expected = {"fax": "1", "photo": "RGB"}.get(kind, "L")
        assert image.mode == expected and min(image.size) > 1500


def test_cli_writes_a_print_corpus(tmp_path):
    argv = [
        "--out",
        str(tmp_path),
        "--count",
        "4",
        "--seed",
        "2",
        "--family",
        "print",
        "--kinds",
        "pdf_text,fax",
    ]
    assert main(argv) == 0
    truths = [json.loads(line) for line in (tmp_path / "truth.jsonl").read_text().splitlines()]
    assert len(truths) == 4 and {t["family"] for t in truths} == {"print"}
    for truth in truths:
        path = tmp_path / truth["source"]
        assert path.stat().st_size > 1000
        assert json.loads(path.with_suffix(".truth.json").read_text()) == truth
