"""The second capture model (``--captures desk``): its plan, files and marks, and the first model untouched.

Real rendered notices of the classic and print families go through the real captures; nothing here runs
tesseract. The recorded hashes were taken from files written by main before the desk model existed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest
from pdf2image import pdfinfo_from_path
from PIL import Image

from fixtures.generator.__main__ import main
from fixtures.generator.corpus import compose, plan, write
from fixtures.generator.desk import DESK_CAPTURES, capture_desk, mark_pages, stapled_pages, steps_of
from fixtures.generator.layout import Page, Text
from fixtures.generator.render import render

MARK_STEPS = ("desk_stamp", "desk_handwriting", "desk_staple", "desk_phone")  # marks drawn on the paper
RECEIVED = dt.date(2025, 3, 14)
# sha256 of files written on main before --captures existed, by `python -m fixtures.generator --out D
# --count 13 --seed 7 [--family print]`: (family, index) -> (file, hash)
DEFAULT_FILES = {
    ("classic", 0): ("notice_0000.png", "a938edb264beb6a5ff1667a60c20310484de2ae7bd26a7d7937f7c086e0e6e50"),
    ("classic", 7): ("notice_0007.tif", "f547c641400c9941ba81d2828a274c301a390ababdea4ae92da33441f9af7dca"),
    ("print", 8): ("notice_0008.jpg", "3ffadd11abb34e823d4d8bbcf002d5c8286ce09a6ca207bad4ef621d1fcb4c3c"),
}
MAGIC = {".png": b"\x89PNG", ".tif": b"II*\x00", ".jpg": b"\xff\xd8\xff", ".pdf": b"%PDF"}


def _pages(index: int, dpi: int = 100, family: str = "classic") -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Page 1 of a notice rendered at ``dpi``, and the same page with only its values (every run of print
    holding a digit: amounts, dates, ids, phone numbers)."""
    doc = compose(plan(index + 1, seed=3, kinds=("scan",), family=family)[index])
    page = doc.pages[0]
    values = Page(
        tuple(item for item in page.items if isinstance(item, Text) and any(map(str.isdigit, item.text)))
    )
    return [render(page, dpi)], [render(values, dpi)]


def _value_damage(before: np.ndarray, after: np.ndarray, values: np.ndarray) -> int:
    """How many pixels in the values' boxes a mark spoilt: print that is no longer dark, or paper that is no
    longer light (a translucent tint, such as a highlighter's, spoils neither)."""
    grey = after.astype(np.float32) @ np.array([0.114, 0.587, 0.299], np.float32)  # BGR luminance
    boxes = (
        cv2.dilate((values < 128).astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
    )  # each value and around
    original = before.astype(np.float32)
    spoilt_print = (original < 100) & (grey > 160)
    spoilt_paper = (original > 200) & (grey < 170)
    return int(((spoilt_print | spoilt_paper) & boxes).sum())


def test_the_desk_plan_gives_every_capture_its_share():
    for count, least in ((30, 1), (100, 10)):  # each at least once in 30, count // 10 times in 100
        specs = plan(count, seed=4, captures="desk")
        steps = Counter(
            step for spec in specs for step in steps_of(spec.degradation) if spec.kind != "pdf_text"
        )
        assert set(steps) == set(DESK_CAPTURES)
        assert min(steps.values()) >= least
        assert {spec.captures for spec in specs} == {"desk"}
    born_digital = [spec for spec in specs if spec.kind == "pdf_text"]
    assert 13 <= len(born_digital) <= 18 and {spec.degradation for spec in born_digital} == {"clean"}
    for spec in specs:
        assert spec.pages is None or ("desk_staple" in spec.degradation and spec.pages >= 2)
        assert ("desk_fax" in spec.degradation) == (spec.kind == "fax")
        assert ("desk_phone" in spec.degradation) == (spec.kind == "photo")


def test_the_desk_plan_keeps_the_codes_and_honours_filters():
    default, desk = plan(40, seed=8), plan(40, seed=8, captures="desk")
    assert [spec.code for spec in default] == [spec.code for spec in desk]
    folds = plan(20, seed=8, kinds=("scan", "photo"), degradations=("desk_fold",), captures="desk")
    assert {spec.degradation for spec in folds} == {"desk_fold"}  # desk_fold+desk_phone needs desk_phone too
    with pytest.raises(ValueError):
        plan(5, seed=8, captures="kitchen")


@pytest.mark.parametrize("capture", [*DESK_CAPTURES, "desk_stamp+desk_fax"])
def test_a_desk_capture_is_deterministic_per_seed(capture):
    pages, _ = _pages(2)
    first = capture_desk(pages, capture, RECEIVED, np.random.default_rng(11))
    again = capture_desk(pages, capture, RECEIVED, np.random.default_rng(11))
    other = capture_desk(pages, capture, RECEIVED, np.random.default_rng(12))
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(a.shape == b.shape and np.array_equal(a, b) for a, b in zip(first, other, strict=True))
    assert not np.array_equal(first[0][: pages[0].shape[0], : pages[0].shape[1]], pages[0])


@pytest.mark.parametrize(("family", "index"), [("classic", 0), ("classic", 1), ("irs", 2), ("modern", 3)])
@pytest.mark.parametrize("step", MARK_STEPS)
def test_marks_never_cover_a_printed_value(family, index, step):
    pages, values = _pages(index, family=family)
    before = pages[0]
    colour = [np.repeat(before[:, :, None], 3, axis=2)]
    marked = mark_pages(colour, (step,), RECEIVED, np.random.default_rng(index))[0]
    assert np.abs(marked.astype(int) - colour[0]).max(axis=2).__gt__(40).sum() > 200  # a mark was drawn
    assert _value_damage(before, marked, values[0]) == 0


def test_the_value_check_sees_a_mark_drawn_over_a_value():
    pages, values = _pages(0)
    before = pages[0]
    spoilt = np.repeat(before[:, :, None], 3, axis=2)
    ys, xs = np.nonzero(values[0] < 128)
    spoilt[ys[0] - 4 : ys[0] + 8, xs[0] - 4 : xs[0] + 30] = (40, 40, 200)  # an opaque red stamp on a value
    assert _value_damage(before, spoilt, values[0]) > 0


@pytest.mark.parametrize(
    ("family", "kind", "capture", "pages"),
    [
        ("classic", "scan", "desk_staple", None),  # the plan staples 2-4 pages
        ("classic", "fax", "desk_stamp+desk_fax", 1),
        ("classic", "photo", "desk_phone", 1),
        ("classic", "pdf_text", "clean", 2),
        ("print", "pdf_scan", "desk_bleed", None),
    ],
)
def test_desk_files_have_their_type_and_page_count(tmp_path, family, kind, capture, pages):
    spec = stapled_pages(
        replace(
            plan(1, seed=6, family=family, captures="desk")[0], kind=kind, degradation=capture, pages=pages
        )
    )
    truth = write(spec, tmp_path)
    path = tmp_path / truth["source"]
    assert path.read_bytes().startswith(MAGIC[path.suffix])
    assert truth["captures"] == "desk" and truth["degradation"] == capture
    assert truth["pages"] >= (spec.pages or 1)  # a notice asked for 2 pages may run onto a third
    assert json.loads((tmp_path / f"{spec.name}.truth.json").read_text()) == truth
    if path.suffix == ".pdf":
        assert pdfinfo_from_path(path)["Pages"] == truth["pages"]
        return
    with Image.open(path) as image:
        assert getattr(image, "n_frames", 1) == truth["pages"]
        if kind == "fax":
            assert image.mode == "1" and round(image.info["dpi"][0]) == 200
        if kind == "photo":
            assert image.mode == "RGB" and 1600 <= max(image.size) <= 2400


@pytest.mark.parametrize(("family", "index"), sorted(DEFAULT_FILES))
def test_the_default_capture_model_is_untouched(tmp_path, family, index):
    name, recorded = DEFAULT_FILES[(family, index)]
    spec = plan(13, seed=7, family=family)[index]
    truth = write(spec, tmp_path)
    assert truth["source"] == name and "captures" not in truth
    assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == recorded


def test_cli_writes_a_desk_corpus(tmp_path, capsys):
    assert (
        main(
            [
                "--out",
                str(tmp_path),
                "--count",
                "2",
                "--seed",
                "1",
                "--kinds",
                "pdf_text,fax",
                "--captures",
                "desk",
            ]
        )
        == 0
    )
    truths = [json.loads(line) for line in (tmp_path / "truth.jsonl").read_text().splitlines()]
    assert [t["captures"] for t in truths] == ["desk", "desk"]
    assert all(Path(tmp_path / t["source"]).exists() for t in truths)
    with pytest.raises(SystemExit):
        main(["--out", str(tmp_path), "--captures", "kitchen"])
