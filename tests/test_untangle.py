"""Rows tesseract read twice in overlapping pieces are read again as a block (``pipeline.untangle``): with the
real tesseract on a drawn header, and with a fake engine for the readings that must not replace the page's."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.layout import group_words_into_lines
from pipeline.models import BBox, OcrPage, OcrWord, PageImage, PageSource
from pipeline.tesseract import TesseractEngine
from pipeline.untangle import tangled_regions, untangle_rows
from tests.drawn import SANS, draw_page

RETURN_ADDRESS = [((220, 228), "Internal Revenue Service"), ((220, 279), "P.O. Box 149338")]
HEADER = [((1128, 245), "Date of this notice"), ((1696, 245), "May 5, 2023"), ((1128, 312), "Tax year")]


def _drawn() -> tuple[PageImage, list[BBox]]:
    return draw_page([*RETURN_ADDRESS, *HEADER], SANS, 36)


def _word(text: str, confidence: float, box: BBox) -> OcrWord:
    return OcrWord(text=text, confidence=confidence, bbox=box)


def _tangled_reading(boxes: list[BBox]) -> OcrPage:
    """Docket family, a clean scan: the return address read right, the header's date row read twice in
    overlapping pieces ("Date e of of th :  M 2¢ 023 202"), each piece scored high."""
    words = [
        _word(token, 0.96, (x + 200 * i, y, 180, height))
        for (_, text), (x, y, _, height) in zip(RETURN_ADDRESS, boxes[:2], strict=True)
        for i, token in enumerate(text.split())
    ]
    (lx, ly, lw, lh), (vx, vy, vw, vh), (tx, ty, tw, th) = boxes[2:]
    words += [
        _word("Date", 0.95, (lx, ly, 75, lh)),
        _word("e", 0.93, (lx + 78, ly + 9, 22, lh - 9)),
        _word("of", 0.96, (lx + 112, ly - 6, 49, lh + 12)),
        _word("of", 0.97, (lx + 121, ly + 9, 24, lh - 9)),
        _word("th", 0.96, (lx + 178, ly, 42, lh)),
        _word("M", 0.91, (vx, vy, 38, vh)),
        _word("2¢", 0.69, (vx + 186, vy, 47, vh)),
        _word("023", 0.96, (vx + 216, vy, 90, vh)),
        _word("202", 0.96, (vx + 250, vy, 24, vh)),
        _word("Tax", 0.95, (tx, ty, 70, th)),
        _word("year", 0.95, (tx + 85, ty, tw - 85, th)),
    ]
    return OcrPage(
        number=1, width=2550, height=1200, source=PageSource.OCR, lines=group_words_into_lines(words)
    )


@pytest.mark.tesseract
def test_a_row_read_twice_in_overlapping_pieces_is_read_again_as_a_block(tmp_path: Path) -> None:
    image, boxes = _drawn()
    page = _tangled_reading(boxes)

    read = untangle_rows(page, image, TesseractEngine(), tmp_path)

    texts = [line.text for line in read.lines]
    assert any("Date of this notice" in text and "May 5, 2023" in text for text in texts), texts
    read_again, found = read.steps[-1].removeprefix("untangle:").split("/")
    assert read_again == found != "0"  # the label's row, and its value's (by itself or with it)
    assert "Internal Revenue Service" in " ".join(texts)  # the other column stays as it was read
    assert tangled_regions([word for line in read.lines for word in line.words]) == []


def test_a_page_whose_words_do_not_overlap_is_left_as_it_is(tmp_path: Path) -> None:
    image, boxes = _drawn()
    page = _tangled_reading(boxes)
    untangled = [word for word in page.lines[0].words]
    plain = page.model_copy(update={"lines": group_words_into_lines(untangled)})
    assert untangle_rows(plain, image, NoEngine(), tmp_path) == plain


class NoEngine:
    name = "no-fake"

    def recognize(self, image_path: Path) -> list[OcrWord]:
        raise AssertionError("nothing is read again on a page without tangled words")

    def recognize_line(self, image_path: Path) -> list[OcrWord]:
        raise AssertionError("no line is read here")

    def detect_rotation(self, image_path: Path) -> int:
        return 0


class FixedEngine(NoEngine):
    """Reads every crop as the same words, at the crop's top left."""

    def __init__(self, words: list[tuple[str, float]]) -> None:
        self.words = words

    def recognize(self, image_path: Path) -> list[OcrWord]:
        return [_word(text, conf, (60 * i, 0, 50, 30)) for i, (text, conf) in enumerate(self.words)]


@pytest.mark.parametrize(
    "crop_reading",
    [
        pytest.param([("Date", 0.5), ("of", 0.5), ("this", 0.5)], id="less-surely"),
        pytest.param([], id="nothing"),
    ],
)
def test_a_crop_reading_that_is_no_better_leaves_the_page_as_it_was(
    tmp_path: Path, crop_reading: list[tuple[str, float]]
) -> None:
    """The page keeps its reading, and says it tried."""
    image, boxes = _drawn()
    page = _tangled_reading(boxes)

    read = untangle_rows(page, image, FixedEngine(crop_reading), tmp_path)

    assert read.lines == page.lines
    assert read.steps[-1].startswith("untangle:0/")


def test_a_crop_reading_that_loses_the_digits_does_not_replace_them(tmp_path: Path) -> None:
    """A masked SSN's "48147" re-read as a mask's marks "*AK_KK_ATAG" at 0.96 lost its digits (docket, a
    scan): the value's words stay; the label's row, which holds none, may be read again."""
    image, boxes = _drawn()
    page = _tangled_reading(boxes)

    read = untangle_rows(page, image, FixedEngine([("*AK_KK_ATAG", 0.96)]), tmp_path)

    words = [word.text for line in read.lines for word in line.words]
    assert {"2¢", "023", "202"} <= set(words)
