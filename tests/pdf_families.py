"""Checks every layout family whose pages come from a PDF made elsewhere must pass (``web``: Chromium,
``print``: ReportLab), written once.

A document here has ``spec``, ``facts`` (with ``base``), ``pdf`` and ``truth``. ``text_layer`` reads a PDF's
text with ``pdftotext``; each ``check_*`` asserts over a family's documents and their text layers: every
truth has the contract's keys, every value the truth records is in the text layer (``printed_values`` says
how it may be printed) and every value it records as absent is not, the stub of a notice with an amount due
sits at the foot of its last page, a capture kind's file is readable, of the right type and page count,
every page asked for is printed, another process draws the same bytes, and the CLI writes a small corpus.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from pdf2image import pdfinfo_from_path
from PIL import Image

from fixtures.generator.__main__ import main
from fixtures.generator.spec import Spec
from pipeline.catalog import load_catalog
from tests.family_checks import FIELDS, TOP_LEVEL, Printed, missing

PAGE_HEIGHT_PT = 792  # US letter
CAPTURE_CASES = [  # kind, degradation, the file's suffix, pages asked for: every kind and file type once
    ("pdf_text", "clean", ".pdf", 2),
    ("pdf_scan", "skew", ".pdf", 2),
    ("scan", "rotate90", ".tif", 2),
    ("scan", "noise", ".png", 1),
    ("fax", "fax", ".tif", 3),
    ("photo", "photo", ".jpg", 1),
]


def text_layer(pdf: bytes, path: Path, *pages: str) -> str:
    """The PDF's text (``pages``: pdftotext's ``-f N -l N``), one space between words."""
    path.write_bytes(pdf)
    run = subprocess.run(
        ["pdftotext", "-layout", *pages, str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(run.stdout.split())


def check_truth_contract(docs: Iterable, family: str) -> None:
    docs = list(docs)
    assert {doc.spec.code for doc in docs} >= {notice.code for notice in load_catalog().notices}
    for doc in docs:
        truth = doc.truth
        assert set(truth) - {"periods"} == TOP_LEVEL and set(truth["fields"]) == FIELDS, doc.spec
        assert truth["family"] == family and truth["fields"]["notice_number"] == doc.spec.code
        assert doc.pdf.startswith(b"%PDF") and truth["pages"] >= 1
        assert doc.spec.kind != "photo" or truth["pages"] == 1, doc.spec
    assert any(doc.truth["pages"] > 1 for doc in docs) and any("periods" in doc.truth for doc in docs)


def check_truth_in_text(docs: Iterable, texts: Iterable[str], printed_values: Callable[..., Printed]) -> None:
    """Every value the truth records, every word of the name, the last page's footer; nothing unfilled."""
    for doc, text in zip(docs, texts, strict=True):
        assert missing(printed_values(doc), text) == [], doc.spec
        name_words = set(doc.truth["fields"]["taxpayer_name"].replace("&", " ").split()) - {"AND"}
        assert name_words <= set(text.replace("&", " ").split()), doc.spec
        pages = doc.truth["pages"]
        assert f"{pages} of {pages}" in text, doc.spec
        assert "None" not in text and "{" not in text, doc.spec


def check_absent_not_printed(docs: Iterable, texts: Iterable[str], dates_of: Callable) -> dict[str, int]:
    """A caller ID, form or amount the truth records as None is not printed; a computed deadline is said
    as a window from the notice date, never as a date. Returns how often each case was checked."""
    absent = {"caller_id": 0, "form": 0, "amount_due": 0, "computed deadline": 0}
    for doc, text in zip(docs, texts, strict=True):
        fields, base = doc.truth["fields"], doc.facts.base
        if fields["caller_id"] is None and base.caller_id:
            absent["caller_id"] += 1
            assert base.caller_id not in text and "Caller ID" not in text, doc.spec
        if fields["form"] is None:
            absent["form"] += 1
            assert f"Form {base.form}" not in text and "Tax form" not in text, doc.spec
        if fields["amount_due"] is None:
            absent["amount_due"] += 1
            assert "Amount enclosed" not in text and "$" not in text, doc.spec
        if fields["deadline_kind"] == "computed":
            absent["computed deadline"] += 1
            assert not any(day in text for day in dates_of(dt.date.fromisoformat(fields["deadline"]))), (
                doc.spec
            )
            assert "days from the date of this" in text, doc.spec
    return absent


def amount_enclosed_top(pdf: bytes, page: int, path: Path) -> tuple[float | None, str]:
    """Where the stub's "Amount enclosed" starts on ``page`` (points from the top), and the page's words
    with their boxes (pdftotext ``-bbox``)."""
    path.write_bytes(pdf)
    words = ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"]
    html = subprocess.run(words, capture_output=True, text=True, check=True).stdout
    found = re.search(r'>Amount</word>\s*<word[^>]*yMin="([\d.]+)"[^>]*>enclosed<', html)
    return (float(found.group(1)) if found else None), html


def check_no_words_overlap(docs: Iterable, path: Path) -> None:
    """Read back from each document's text layer (``pdftotext -bbox``), no word's box runs into another's on
    any page."""
    for doc in docs:
        for page in words_of(doc.pdf, path).split("<page ")[1:]:
            assert _overlapping(page) == [], doc.spec


def words_of(pdf: bytes, path: Path) -> str:
    """Every page's words with their boxes (``pdftotext -bbox``, its HTML)."""
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True).stdout


def _overlapping(page: str) -> list[tuple[str, str]]:
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    boxes = sorted(
        (float(y0), float(y1), float(x0), float(x1), w) for x0, y0, x1, y1, w in re.findall(pattern, page)
    )
    found = []
    for i, (_top, bottom, left, right, word) in enumerate(boxes):
        for other in boxes[i + 1 :]:
            if other[0] >= bottom - 1:
                break
            if other[2] < right - 1 and left < other[3] - 1:
                found.append((word, other[4]))
    return found


def check_capture_file(folder: Path, truth: dict, name: str, kind: str, suffix: str) -> None:
    """The file a capture kind wrote: its type, its page count, its truth file; a PDF has fonts only when
    born digital, an image is greyscale (fax: bilevel, photo: colour) and large enough to read."""
    path = folder / truth["source"]
    assert path.suffix == suffix and truth["kind"] == kind
    assert json.loads((folder / f"{name}.truth.json").read_text()) == truth
    if suffix == ".pdf":
        assert int(pdfinfo_from_path(str(path))["Pages"]) == truth["pages"]
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
        assert ("Type" in fonts or "CID" in fonts) == (kind == "pdf_text")  # text layer or images only
        return
    with Image.open(path) as image:
        assert getattr(image, "n_frames", 1) == truth["pages"]
        expected = {"fax": "1", "photo": "RGB"}.get(kind, "L")
        assert image.mode == expected and min(image.size) > 1500


def check_written_capture(write: Callable[[Spec, Path], dict], spec: Spec, folder: Path, suffix: str) -> None:
    """``write`` (a family's ``write_*``) writes ``spec`` (with ``pages`` asked for) as a readable file."""
    truth = write(spec, folder)
    assert truth["pages"] == spec.pages
    check_capture_file(folder, truth, spec.name, spec.kind, suffix)


def check_pages_asked_for(pdf: bytes, pages: int, path: Path) -> None:
    """Every page asked for is printed, none blank, each with its "k of N"."""
    for number in range(1, pages + 1):
        text = text_layer(pdf, path, "-f", str(number), "-l", str(number))
        assert len(text) > 150 and f"{number} of {pages}" in text, number


def check_same_bytes_in_another_process(compose: Callable[[Spec], object], spec: Spec) -> None:
    """``compose`` (a family's ``compose_*``) draws the same PDF in a fresh process: embedded TrueType
    subsets and object ids do not depend on what the process drew before."""
    code = (
        f"import sys; from {compose.__module__} import {compose.__name__}; "
        "from fixtures.generator.spec import Spec; "
        f"sys.stdout.buffer.write({compose.__name__}(Spec({spec.index}, {spec.seed}, {spec.code!r}, "
        f"{spec.kind!r}, {spec.degradation!r}, family={spec.family!r})).pdf)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    assert run.stdout == compose(spec).pdf  # type: ignore[attr-defined]


def check_cli_corpus(folder: Path, family: str) -> None:
    """``python -m fixtures.generator`` writes four documents of ``family`` (born digital and faxed), each
    with its truth."""
    argv = ["--out", str(folder), "--count", "4", "--seed", "2", "--family", family]
    assert main([*argv, "--kinds", "pdf_text,fax"]) == 0
    truths = [json.loads(line) for line in (folder / "truth.jsonl").read_text().splitlines()]
    assert len(truths) == 4 and {t["family"] for t in truths} == {family}
    for truth in truths:
        path = folder / truth["source"]
        assert path.stat().st_size > 1000
        assert json.loads(path.with_suffix(".truth.json").read_text()) == truth
