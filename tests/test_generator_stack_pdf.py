"""Stacks of the PDF families (fixtures.generator.stack: web, print, office, press, typeset, troff: notices
made by Chromium, ReportLab, fpdf2, WeasyPrint, Typst or groff) and stacks of the desk capture model: a
written stack's pages agree with its truth (its page count, each notice's range, the blank pages), a
text-layer stack holds each notice's code on its first page and "k of N" on its k-th, the same seed writes
the same files, and a desk stack's notices are the desk model's captures. A few small stacks are written; no
tesseract. (The truth's structure of print and office stacks: tests/test_generator_stack.py.) The web
family's stacks need Chromium (the ``printer`` fixture, tests/conftest.py); the troff family's need groff."""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from pdf2image import convert_from_path, pdfinfo_from_path

from fixtures.generator.__main__ import main
from fixtures.generator.stack import (
    DESK_STACK_CAPTURES,
    PdfNotice,
    Stack,
    compose_stack,
    write_stack,
)
from fixtures.generator.troff_family import has_groff
from tests.pdf_families import text_layer

STACK_SEED = 5
# (family, stack index): small stacks (10-12 pages) that hold a fax, two other captures and a blank sheet
SCANNED_STACKS = [("print", 31), ("office", 59), ("web", 33)]
NO_GROFF = pytest.mark.skipif(not has_groff(), reason="groff is not installed (apt-get install groff)")
TEXT_STACKS = [("print", 36), ("office", 0), ("web", 0), ("press", 0), ("typeset", 0)]
TEXT_STACKS += [pytest.param("troff", 0, marks=NO_GROFF)]
INKED = 128  # the darkest pixel of a notice's page at 50 dpi is darker; of a blank sheet, lighter


def _compose(request: pytest.FixtureRequest, family: str, index: int, kind: str, **options) -> Stack:
    printer = request.getfixturevalue("printer") if family == "web" else None
    return compose_stack(STACK_SEED, index, family, kind, printer=printer, **options)


def _page_count(path: Path) -> int:
    return int(pdfinfo_from_path(str(path))["Pages"])


def _images(path: Path) -> list[tuple[int, int, str]]:
    """Each page's image (``pdfimages -list``: one a page): its resolution, bits per pixel and colour."""
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True)
    rows = [row.split() for row in listing.stdout.splitlines()[2:]]
    assert [int(row[0]) for row in rows] == list(range(1, len(rows) + 1))  # one image on every page
    return [(int(row[12]), int(row[7]), row[5]) for row in rows]


def _expected_image(truth: dict) -> tuple[set[int], int]:
    """The resolutions and bits per pixel a notice's capture scans its pages at (``degrade.render_dpi``)."""
    if truth["kind"] == "fax":
        return {200}, 1
    return ({150, 200} if truth["degradation"] == "low_dpi" else {300}), 8


def _code_pattern(code: str) -> str:
    """A code as notices print it: "CP14", "CP 14", "LT11"; a letter's number ("Letter 525", "5071C")."""
    prefix, number = re.fullmatch(r"(LTR|CP|LT)(\w+)", code).groups()  # type: ignore[union-attr]
    return rf"\b{number}\b" if prefix == "LTR" else rf"\b{prefix}\s?{number}\b"


@pytest.mark.parametrize(("family", "index"), SCANNED_STACKS)
def test_a_scanned_stack_has_each_notices_capture_on_its_pages(request, tmp_path, family, index):
    stack = _compose(request, family, index, "pdf_scan")
    truth = write_stack(stack, tmp_path)
    path = tmp_path / stack.source
    images = _images(path)
    assert len(images) == _page_count(path) == truth["pages"]
    degradations = Counter(notice["truth"]["degradation"] for notice in truth["notices"])
    assert degradations["fax"] and len(degradations) > 2 and truth["blank_pages"]  # the case it is chosen for
    for notice, composed in zip(truth["notices"], stack.notices, strict=True):
        first, last = notice["page_range"]
        assert isinstance(composed, PdfNotice) and composed.truth["pages"] == last - first + 1
        assert _page_count_of(composed.pdf, tmp_path) == last - first + 1
        resolutions, bits = _expected_image(notice["truth"])
        pages = {images[number - 1][:2] for number in range(first, last + 1)}
        assert len(pages) == 1 and pages <= {(dpi, bits) for dpi in resolutions}, (
            notice["page_range"],
            pages,
        )
    for blank in truth["blanks"]:
        front = images[blank["page"] - 2][0] if blank["role"] == "back" else 300
        assert images[blank["page"] - 1][:2] == (front, 8)
    darkest = [int(np.asarray(page).min()) for page in convert_from_path(path, dpi=50, grayscale=True)]
    inked = [number for number, value in enumerate(darkest, 1) if value < INKED]
    assert sorted(set(inked) | set(truth["blank_pages"])) == list(range(1, truth["pages"] + 1))
    assert not set(inked) & set(truth["blank_pages"])


def _page_count_of(pdf: bytes, folder: Path) -> int:
    path = folder / "notice.pdf"
    path.write_bytes(pdf)
    return _page_count(path)


@pytest.mark.parametrize(("family", "index"), TEXT_STACKS)
def test_a_text_stack_holds_each_notice_on_its_pages(request, tmp_path, family, index):
    stack = _compose(request, family, index, "pdf_text")
    truth = write_stack(stack, tmp_path)
    pdf = (tmp_path / stack.source).read_bytes()
    assert _page_count(tmp_path / stack.source) == truth["pages"] and truth["blank_pages"]
    pages = range(1, truth["pages"] + 1)
    texts = [text_layer(pdf, tmp_path / "read.pdf", "-f", str(n), "-l", str(n)) for n in pages]
    assert [number for number, text in zip(pages, texts, strict=True) if not text] == truth["blank_pages"]
    for notice in truth["notices"]:
        first, last = notice["page_range"]
        code = notice["truth"]["notice_type"]
        assert re.search(_code_pattern(code), texts[first - 1]), (code, texts[first - 1][:300])
        for k, number in enumerate(range(first, last + 1), 1):
            assert f"{k} of {last - first + 1}" in texts[number - 1], (code, number)


@pytest.mark.parametrize(
    ("family", "index", "kind"),
    [("print", 36, "pdf_text"), ("office", 0, "pdf_text"), ("office", 59, "pdf_scan")],
)
def test_the_same_seed_writes_the_same_stack_and_another_seed_does_not(tmp_path, family, index, kind):
    written = []
    for folder in (tmp_path / "first", tmp_path / "again"):
        folder.mkdir()
        write_stack(compose_stack(STACK_SEED, index, family, kind), folder)
        written.append({path.name: path.read_bytes() for path in folder.iterdir()})
    assert written[0] == written[1] and len(written[0]) == 2
    other = compose_stack(STACK_SEED + 1, index, family, kind).truth
    assert other["notices"] != json.loads(written[0][f"stack_{index:04d}.truth.json"])["notices"]


def test_desk_stacks_take_every_capture_from_the_desk_model_and_keep_the_codes():
    desk = [compose_stack(41, index, "classic", captures="desk") for index in range(12)]
    notices = [notice["truth"] for stack in desk for notice in stack.truth["notices"]]
    assert {(truth["kind"], truth["degradation"]) for truth in notices} == set(DESK_STACK_CAPTURES)
    assert {truth.get("captures") for truth in notices} == {"desk"}
    default = compose_stack(41, 0, "classic")
    assert {notice["truth"].get("captures") for notice in default.truth["notices"]} == {None}
    codes = [
        [notice["truth"]["notice_type"] for notice in stack.truth["notices"]] for stack in (desk[0], default)
    ]
    assert codes[0] == codes[1]


def test_a_written_desk_stack_of_a_pdf_family_shows_each_capture(tmp_path):
    stack = compose_stack(STACK_SEED, 0, "office", captures="desk")  # 8 pages: faxed, bled, annotated
    truth = write_stack(stack, tmp_path)
    images = _images(tmp_path / stack.source)
    assert len(images) == truth["pages"]
    seen = set()
    for notice in truth["notices"]:
        first, last = notice["page_range"]
        capture = notice["truth"]["degradation"]
        looks = {images[number - 1] for number in range(first, last + 1)}
        faxed = "desk_fax" in capture
        assert all((bits == 1) == faxed for _, bits, _ in looks), (capture, looks)
        assert all(dpi == (200 if faxed else 300) for dpi, _, _ in looks), (capture, looks)
        seen.add(capture)
    assert len(seen) > 2


def test_cli_writes_desk_stacks_of_a_pdf_family(tmp_path, capsys):
    argv = ["stack", "--out", str(tmp_path), "--count", "1", "--seed", "3", "--family", "print"]
    assert main([*argv, "--kind", "pdf_text", "--captures", "desk"]) == 0
    assert "wrote 1 stacks" in capsys.readouterr().out
    (line,) = (tmp_path / "stacks.jsonl").read_text().splitlines()
    truth = json.loads(line)
    assert truth == compose_stack(3, 0, "print", "pdf_text", captures="desk").truth
    assert {notice["truth"]["captures"] for notice in truth["notices"]} == {"desk"}
    assert _page_count(tmp_path / "stack_0000.pdf") == truth["pages"]
