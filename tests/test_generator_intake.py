"""The third capture model (``--captures intake``): its plan, its devices and marks, its files and truth, and
the first two models untouched.

Real rendered notices go through the real captures (pages rendered at 100 dpi where only the pixels matter);
nothing here runs tesseract. The desk hash was taken from a file written by main before the intake model.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from pdf2image import pdfinfo_from_path
from PIL import Image

from fixtures.generator.__main__ import main
from fixtures.generator.corpus import compose, plan, write
from fixtures.generator.desk import steps_of
from fixtures.generator.intake import INTAKE_DEVICES, INTAKE_STEPS, LID, TABLE, capture_intake
from fixtures.generator.intake_paper import PAPER_MARKS, mark_paper
from fixtures.generator.render import render
from tests.test_generator_desk import DEFAULT_FILES, MAGIC

RECEIVED = dt.date(2025, 3, 14)
DEVICE_KINDS = {
    "mfp_bitonal": {"scan", "pdf_scan"},
    "mfp_colour": {"scan", "pdf_scan"},
    "app_scan": {"photo"},
    "fax_fine": {"fax"},
    "fax_standard": {"fax"},
}
# sha256 of a desk file written on main before --captures intake existed, by `python -m fixtures.generator
# --out D --count 12 --seed 3 --captures desk`: (index, file, hash)
DESK_FILE = (4, "notice_0004.png", "9db71b688a5ecb1083a35499770611e8bafabd3713831d1e03959a8b051d20b1")


def _page(index: int = 1, dpi: int = 100) -> np.ndarray:
    return render(compose(plan(index + 1, seed=3, kinds=("scan",))[index]).pages[0], dpi)


def _device(capture: str) -> str:
    return next(step for step in steps_of(capture) if step in INTAKE_DEVICES)


def test_the_intake_plan_gives_every_device_and_effect_its_share():
    specs = plan(100, seed=4, captures="intake")
    steps = Counter(step for spec in specs for step in steps_of(spec.degradation) if spec.kind != "pdf_text")
    assert set(steps) == set(INTAKE_STEPS)
    assert {spec.captures for spec in specs} == {"intake"}
    born_digital = [spec for spec in specs if spec.kind == "pdf_text"]
    assert 10 <= len(born_digital) <= 15 and {spec.degradation for spec in born_digital} == {"clean"}
    for spec in specs:
        if spec.kind != "pdf_text":
            assert spec.kind in DEVICE_KINDS[_device(spec.degradation)]
    untouched = [spec for spec in specs if spec.kind != "pdf_text" and "+" not in spec.degradation]
    assert 5 <= len(untouched) <= 40  # most documents carry a mark or a fault, some none


def test_the_intake_plan_keeps_the_codes_and_honours_filters():
    default, intake = plan(40, seed=8), plan(40, seed=8, captures="intake")
    assert [spec.code for spec in default] == [spec.code for spec in intake]
    assert plan(40, seed=8, captures="intake") == intake  # the same seed, the same chains
    chosen = plan(30, seed=8, degradations=("mfp_bitonal", "paper_stamp", "mfp_dark"), captures="intake")
    assert {_device(spec.degradation) for spec in chosen} == {"mfp_bitonal"}
    assert {step for spec in chosen for step in steps_of(spec.degradation)} == {
        "mfp_bitonal",
        "paper_stamp",
        "mfp_dark",
    }


@pytest.mark.parametrize(
    "capture",
    [
        "paper_stamp+paper_crease+mfp_bitonal+mfp_dark+mfp_moire",
        "paper_coffee+paper_clip+mfp_colour+mfp_lid+mfp_streak",
        "paper_pen+app_scan+app_bow+app_magic+app_cut_margin",
        "paper_punch+fax_standard+fax_twice",
    ],
)
def test_an_intake_capture_is_deterministic_per_seed(capture):
    pages = [_page()]
    first = capture_intake(pages, capture, RECEIVED, np.random.default_rng(11))
    again = capture_intake(pages, capture, RECEIVED, np.random.default_rng(11))
    other = capture_intake(pages, capture, RECEIVED, np.random.default_rng(12))
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(a.shape == b.shape and np.array_equal(a, b) for a, b in zip(first, other, strict=True))


@pytest.mark.parametrize("mark", [name for name, _ in PAPER_MARKS])
def test_each_paper_mark_changes_the_paper(mark):
    page = np.repeat(_page()[:, :, None], 3, axis=2)
    marked = mark_paper([page], (mark,), RECEIVED, LID, np.random.default_rng(3))[0]
    assert marked.shape == page.shape
    assert (np.abs(marked.astype(int) - page).max(axis=2) > 30).sum() > 100


def test_a_stamp_is_coloured_and_holes_show_what_is_behind():
    page = np.repeat(_page()[:, :, None], 3, axis=2)
    stamped = mark_paper([page], ("paper_stamp",), RECEIVED, LID, np.random.default_rng(5))[0].astype(int)
    red_or_blue = np.abs(stamped[:, :, 2] - stamped[:, :, 0]) > 60
    assert red_or_blue.sum() > 200 and not red_or_blue[page.shape[0] // 2 :].any()  # in the top half
    punched = mark_paper([page, page], ("paper_punch",), RECEIVED, TABLE, np.random.default_rng(5))
    holes = [np.all(p == TABLE, axis=2) for p in punched]
    assert holes[0].sum() > 50 and np.array_equal(holes[0], holes[1])  # through every page alike
    assert not holes[0][:, round(page.shape[1] / 8.5 * 0.6) :].any()  # along the left edge


def test_device_faults_leave_their_trace():
    page = _page()
    streaked = capture_intake([page], "mfp_bitonal+mfp_streak", RECEIVED, np.random.default_rng(2))[0]
    assert (
        set(np.unique(streaked)) <= {0, 255} and (streaked == 0).mean(axis=0).max() > 0.4
    )  # dark or dithered
    clean = capture_intake([page], "mfp_bitonal", RECEIVED, np.random.default_rng(2))[0]
    assert (clean == 0).mean(axis=0).max() < 0.3
    lid = capture_intake([page], "mfp_colour+mfp_lid", RECEIVED, np.random.default_rng(2))[0]
    edges = (lid[:3].mean(), lid[-3:].mean(), lid[:, :3].mean(), lid[:, -3:].mean())
    assert lid.ndim == 3 and min(edges) < 90
    strip = capture_intake([page], "app_scan+app_table_strip", RECEIVED, np.random.default_rng(2))[0]
    edges = (strip[:3], strip[-3:], strip[:, :3], strip[:, -3:])
    assert any(np.abs(edge.reshape(-1, 3).mean(axis=0) - TABLE).max() < 15 for edge in edges)


@pytest.mark.parametrize(("capture", "lines"), [("fax_fine", 196), ("fax_standard+fax_twice", 98)])
def test_a_fax_keeps_its_grid(capture, lines):
    page = _page(dpi=200)
    fax = capture_intake([page], capture, RECEIVED, np.random.default_rng(1))[0]
    assert set(np.unique(fax)) <= {0, 255}
    assert fax.shape == (round(page.shape[0] * lines / 200), round(page.shape[1] * 204 / 200))


@pytest.mark.parametrize(
    ("family", "kind", "capture", "pages", "mode", "suffix"),
    [
        ("classic", "scan", "paper_punch+mfp_bitonal+mfp_deskew", 2, "1", ".tif"),
        ("classic", "pdf_scan", "paper_stamp+mfp_colour", 1, None, ".pdf"),
        ("classic", "photo", "paper_coffee+app_scan+app_bow", 1, "RGB", ".jpg"),
        ("classic", "fax", "paper_pen+fax_fine+fax_twice", 2, "1", ".tif"),
        ("classic", "fax", "fax_standard", 1, "1", ".tif"),
        ("classic", "pdf_text", "clean", 1, None, ".pdf"),
        ("print", "pdf_scan", "paper_clip+mfp_bitonal+mfp_light", None, None, ".pdf"),
    ],
)
def test_intake_files_have_their_type_page_count_and_truth(
    tmp_path, family, kind, capture, pages, mode, suffix
):
    spec = replace(
        plan(1, seed=6, family=family, captures="intake")[0], kind=kind, degradation=capture, pages=pages
    )
    truth = write(spec, tmp_path)
    path = tmp_path / truth["source"]
    assert path.suffix == suffix and path.read_bytes().startswith(MAGIC[suffix])
    assert truth["captures"] == "intake" and truth["degradation"] == capture  # the effects applied
    assert json.loads((tmp_path / f"{spec.name}.truth.json").read_text()) == truth
    assert truth["pages"] >= (pages or 1)
    if suffix == ".pdf":
        assert pdfinfo_from_path(path)["Pages"] == truth["pages"]
        return
    with Image.open(path) as image:
        assert getattr(image, "n_frames", 1) == truth["pages"] and image.mode == mode
        if kind in ("fax", "scan") and mode == "1":
            assert image.info["compression"] == "group4"
        if kind == "fax":
            assert image.info["dpi"] == ((204, 196) if "fax_fine" in capture else (204, 98))


def test_the_default_and_desk_models_are_untouched(tmp_path):
    name, recorded = DEFAULT_FILES[("classic", 0)]
    truth = write(plan(13, seed=7)[0], tmp_path)
    assert truth["source"] == name and "captures" not in truth
    assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == recorded
    index, name, recorded = DESK_FILE
    truth = write(plan(12, seed=3, captures="desk")[index], tmp_path)
    assert truth["source"] == name and truth["captures"] == "desk"
    assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == recorded


def test_cli_writes_an_intake_corpus(tmp_path, capsys):
    args = ["--out", str(tmp_path), "--count", "2", "--seed", "1", "--kinds", "pdf_text,fax"]
    assert main([*args, "--captures", "intake"]) == 0
    truths = [json.loads(line) for line in (tmp_path / "truth.jsonl").read_text().splitlines()]
    assert [t["captures"] for t in truths] == ["intake", "intake"]
    assert all(Path(tmp_path / t["source"]).exists() for t in truths)
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "intake" in capsys.readouterr().out
