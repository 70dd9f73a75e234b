"""The synthetic notice generator: deterministic truth that agrees with the catalog and with the pages.

Everything but the small written corpus works on composed documents (facts, laid-out pages, truth) and
needs no pixels; nothing here runs tesseract.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import shutil
import subprocess
from collections import Counter
from decimal import Decimal
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from fixtures.generator import DEGRADATIONS, KINDS, compose, generate, plan
from fixtures.generator.__main__ import main
from fixtures.generator.degrade import degrade
from fixtures.generator.facts import money
from fixtures.generator.layout import Text
from pipeline.catalog import DeadlineRule, Presence, load_catalog

FIELDS = {
    "notice_number", "tax_year", "ssn_last4", "amount_due", "deadline", "deadline_kind", "notice_date",
    "taxpayer_name", "address", "irs_phone", "caller_id", "form",
}  # fmt: skip
TOP_LEVEL = {"source", "notice_type", "kind", "degradation", "pages", "fields", "billing_lines"}
CATALOG = load_catalog()


@functools.cache
def _composed(count: int = 200, seed: int = 11) -> tuple:
    return tuple(compose(spec) for spec in plan(count, seed))


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def _page_texts(doc) -> list[str]:
    return [" ".join(item.text for item in page.items if isinstance(item, Text)) for page in doc.pages]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """One written document per slot: every kind and every degradation."""
    out = tmp_path_factory.mktemp("corpus")
    generate(out, 13, seed=2)
    return out


def test_same_seed_gives_identical_truth():
    first = [compose(spec).truth for spec in plan(60, seed=5)]
    assert first == [compose(spec).truth for spec in plan(60, seed=5)]
    assert first != [compose(spec).truth for spec in plan(60, seed=6)]


def test_same_seed_gives_identical_files(tmp_path):
    for run in ("a", "b"):
        generate(tmp_path / run, 2, seed=9, kinds=("pdf_scan", "photo"))
    for path in sorted((tmp_path / "a").iterdir()):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


def test_truth_has_the_contract_shape():
    for doc in _composed():
        truth = doc.truth
        assert set(truth) - {"revised"} == TOP_LEVEL  # "revised" only on a revision: always true
        assert truth.get("revised", True) is True and (
            "revised" not in truth or truth["notice_type"] == "CP2000"
        )
        assert set(truth["fields"]) == FIELDS
        assert truth["fields"]["notice_number"] == truth["notice_type"]
        assert truth["kind"] in KINDS and truth["degradation"] in DEGRADATIONS
        assert truth["pages"] == len(doc.pages) >= 1
        assert truth["kind"] != "pdf_text" or truth["degradation"] == "clean"
        assert isinstance(truth["fields"]["tax_year"], int)


def test_billing_lines_sum_to_amount_due():
    for doc in _composed():
        fields, lines = doc.truth["fields"], doc.truth["billing_lines"]
        required = CATALOG.get(doc.truth["notice_type"]).amount_due is Presence.REQUIRED
        assert (fields["amount_due"] is not None) == required
        if required:
            assert sum(Decimal(line["amount"]) for line in lines) == Decimal(fields["amount_due"]) > 0
        else:
            assert lines == []


def test_deadlines_follow_the_catalog_rules():
    for doc in _composed():
        fields = doc.truth["fields"]
        notice = CATALOG.get(doc.truth["notice_type"])
        notice_date = dt.date.fromisoformat(fields["notice_date"])
        text = " ".join(_page_texts(doc))
        if notice.deadline is DeadlineRule.NONE:
            assert fields["deadline"] is None and fields["deadline_kind"] is None
            continue
        deadline = dt.date.fromisoformat(fields["deadline"])
        assert deadline - notice_date == dt.timedelta(days=notice.response_window_days)
        assert fields["deadline_kind"] == notice.deadline.value
        printed = doc.facts.date(deadline)
        if notice.deadline is DeadlineRule.COMPUTED:
            assert f"within {notice.response_window_days} days from the date of this notice" in text
            assert printed not in text
        else:
            assert printed in text


def test_dates_and_tax_years_are_plausible():
    for doc in _composed():
        fields = doc.truth["fields"]
        notice_date = dt.date.fromisoformat(fields["notice_date"])
        assert 2023 <= notice_date.year <= 2026
        assert 1 <= notice_date.year - fields["tax_year"] <= 3


def test_printed_values_match_the_truth():
    for doc in _composed():
        fields = doc.truth["fields"]
        page_one = _page_texts(doc)[0]
        assert doc.facts.code_text.split()[-1] in page_one
        assert doc.facts.date(doc.facts.notice_date) in page_one
        assert fields["taxpayer_name"] in page_one and doc.facts.taxpayer.city_line in page_one
        assert fields["address"].startswith(doc.facts.taxpayer.street)
        assert doc.facts.phone_printed in page_one
        assert fields["irs_phone"].replace("-", "") in "".join(filter(str.isdigit, doc.facts.phone_printed))
        assert ("Your caller ID" in page_one) == (fields["caller_id"] is not None)
        assert fields["caller_id"] is None or fields["caller_id"] in page_one
        tin = doc.facts.tin.printed
        assert tin in page_one and (fields["ssn_last4"] is None or tin.endswith(fields["ssn_last4"]))
        if fields["amount_due"]:
            assert money(round(Decimal(fields["amount_due"]) * 100)) in _page_texts(doc)[-1]  # the stub


def test_a_corpus_as_large_as_the_catalog_covers_every_code_kind_and_degradation():
    count = max(60, len(CATALOG.notices))
    specs = plan(count, seed=0)
    assert {spec.code for spec in specs} == {notice.code for notice in CATALOG.notices}
    assert {spec.kind for spec in specs} == set(KINDS)
    assert min(Counter(spec.degradation for spec in specs).values()) >= 4
    multi = sum(compose(spec).truth["pages"] > 1 for spec in specs)
    assert count / 6 <= multi <= count / 2


def test_plan_honours_kind_and_degradation_filters():
    specs = plan(20, seed=1, kinds=("fax", "scan"), degradations=("fax", "blur", "photo"))
    assert {(spec.kind, spec.degradation) for spec in specs} == {("fax", "fax"), ("scan", "blur")}
    with pytest.raises(ValueError):
        plan(5, seed=1, kinds=("pdf_text",), degradations=("blur",))


def test_a_page_range_gives_each_document_its_count_and_changes_nothing_else():
    chosen, free = plan(40, seed=9, pages=(4, 8)), plan(40, seed=9)
    assert [spec.pages for spec in chosen if spec.kind != "photo"] != []
    for spec, same in zip(chosen, free, strict=True):
        assert (spec.code, spec.kind, spec.degradation) == (same.code, same.kind, same.degradation)
        doc = compose(spec)
        assert doc.truth["pages"] == (1 if spec.kind == "photo" else 4 + spec.index % 5)
        assert doc.truth["fields"] == compose(same).truth["fields"]
        assert all(len(text) > 200 for text in _page_texts(doc)[1:])  # more than a continuation header
    for wrong in ("8-4", "4-10"):  # backwards; more pages than there are sections to fill them
        with pytest.raises(SystemExit):
            main(["--out", "unused", "--pages", wrong])


def test_photos_are_single_pages():
    assert all(compose(spec).truth["pages"] == 1 for spec in plan(100, seed=4, kinds=("photo",)))


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler's pdftotext")
def test_pdf_text_layer_reads_back_with_pdftotext(tmp_path):
    truths = generate(tmp_path, 6, seed=3, kinds=("pdf_text",))
    for truth, doc in zip(truths, (compose(spec) for spec in plan(6, 3, kinds=("pdf_text",))), strict=True):
        text = _run("pdftotext", "-layout", str(tmp_path / truth["source"]), "-")
        pages = text.split("\f")
        for page, texts in zip(pages, doc.pages, strict=False):
            for item in texts.items:
                if isinstance(item, Text):
                    assert item.text in page
        fields = truth["fields"]
        for value in (fields["taxpayer_name"], doc.facts.date(doc.facts.notice_date), doc.facts.tin.printed):
            assert value in text
        if fields["amount_due"]:
            assert money(round(Decimal(fields["amount_due"]) * 100)) in text


def test_written_files_open_and_match_the_manifest(corpus):
    manifest = [json.loads(line) for line in (corpus / "truth.jsonl").read_text().splitlines()]
    assert {(t["kind"], t["degradation"]) for t in manifest} >= {("fax", "fax"), ("photo", "photo")}
    for truth in manifest:
        assert json.loads((corpus / truth["source"]).with_suffix(".truth.json").read_text()) == truth
        path = corpus / truth["source"]
        if path.suffix == ".pdf":
            assert path.read_bytes().startswith(b"%PDF-")
            continue
        with Image.open(path) as image:
            assert getattr(image, "n_frames", 1) == truth["pages"]
        if path.suffix == ".tif":
            ok, frames = cv2.imreadmulti(str(path))
            assert ok and len(frames) == truth["pages"]
        else:
            assert cv2.imread(str(path)) is not None


@pytest.mark.skipif(not shutil.which("pdfimages"), reason="needs poppler's pdfimages")
def test_pdf_scans_hold_one_image_per_page(corpus):
    for truth in map(json.loads, (corpus / "truth.jsonl").read_text().splitlines()):
        if truth["kind"] == "pdf_scan":
            listing = _run("pdfimages", "-list", str(corpus / truth["source"]))
            assert len(listing.splitlines()) - 2 == truth["pages"]


def test_degradations_keep_pages_usable():
    page = np.full((660, 510), 255, np.uint8)
    page[100:110, 50:400] = 0
    rng = np.random.default_rng(0)
    shapes = {name: degrade([page], name, rng)[0] for name in DEGRADATIONS}
    assert shapes["rotate90"].shape == (510, 660) and shapes["rotate180"].shape == page.shape
    assert shapes["skew"].shape[0] > 660 and shapes["skew"][0, 0] == 255
    assert set(np.unique(shapes["fax"])) <= {0, 255}
    assert shapes["photo"].ndim == 3 and shapes["photo"].shape[0] > 660
    for name, image in shapes.items():
        assert image.dtype == np.uint8 and image.min() < 100 < image.max(), name


def test_cli_writes_a_corpus_and_rejects_bad_arguments(tmp_path, capsys):
    assert main(["--out", str(tmp_path), "--count", "2", "--seed", "1", "--kinds", "pdf_text"]) == 0
    assert len((tmp_path / "truth.jsonl").read_text().splitlines()) == 2
    assert main(["--out", str(tmp_path), "--kinds", "pdf_text", "--degradations", "blur"]) == 2
    with pytest.raises(SystemExit):
        main(["--out", str(tmp_path), "--kinds", "polaroid"])
