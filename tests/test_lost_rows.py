"""Print the page layout dropped is read again run by run (``pipeline.lost_rows``): with the real tesseract
on a drawn page, and with a fake engine for what is never read again."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from pipeline.layout import group_words_into_lines
from pipeline.lost_rows import MAX_LOST_RUNS, lost_runs, read_lost_rows
from pipeline.models import BBox, OcrPage, OcrWord, PageImage, PageSource
from pipeline.tesseract import TesseractEngine
from tests.drawn import SANS, draw_page

HEADER = [
    ((1600, 300), "Notice date    April 17, 2023"),
    ((1600, 360), "To contact us    800-829-7650"),
    ((1600, 420), "Your caller ID    115210"),
]


def _draw(rows: list[tuple[tuple[int, int], str]]) -> tuple[PageImage, list[BBox]]:
    return draw_page(rows, SANS, 36)


def _page_reading(rows: list[tuple[tuple[int, int], str]], boxes: list[BBox]) -> OcrPage:
    """An OCR reading of ``rows``: each row one word per token, spread over its box."""
    words = []
    for (_, text), (x, y, width, height) in zip(rows, boxes, strict=True):
        tokens = text.split()
        step = width // len(tokens)
        words += [
            OcrWord(text=t, confidence=0.95, bbox=(x + i * step, y, step - 6, height))
            for i, t in enumerate(tokens)
        ]
    return OcrPage(
        number=1, width=2550, height=1200, source=PageSource.OCR, lines=group_words_into_lines(words)
    )


@pytest.mark.tesseract
def test_a_header_row_the_page_layout_dropped_is_read_alone(tmp_path: Path) -> None:
    image, boxes = _draw(HEADER)
    page = _page_reading(HEADER[:2], boxes[:2])  # tesseract's page reading lost the caller ID row

    read = read_lost_rows(page, image, TesseractEngine(), tmp_path)

    assert any("Your caller ID" in line.text and "115210" in line.text for line in read.lines), read.lines
    assert read.steps[-1] == "lost_rows:2/2"  # the label and, past the gap, its value
    assert [line.text for line in read.lines[:2]] == [line.text for line in page.lines]


def _garbled_caller_id() -> tuple[OcrPage, PageImage]:
    """The header read whole, but its caller ID row garbled as on a noisy scan: "calle)  yes"."""
    image, boxes = _draw(HEADER)
    page = _page_reading(HEADER[:2], boxes[:2])
    x, y, width, height = boxes[2]
    garbled = [
        OcrWord(text="calle)", confidence=0.37, bbox=(x, y, width // 2, height)),
        OcrWord(text="yes", confidence=0.2, bbox=(x + width * 2 // 3, y, width // 3, height)),
    ]
    words = [word for line in page.lines for word in line.words] + garbled
    return page.model_copy(update={"lines": group_words_into_lines(words)}), image


@pytest.mark.tesseract
def test_a_row_ocr_garbled_whole_is_read_again_alone(tmp_path: Path) -> None:
    page, image = _garbled_caller_id()

    read = read_lost_rows(page, image, TesseractEngine(), tmp_path)

    assert [line.text for line in read.lines][-1] == "Your caller ID 115210", read.lines
    assert read.steps[-1] == "lost_rows:2/2"  # its label and, past the gap, its value


@pytest.mark.tesseract
@pytest.mark.parametrize("confidence", [0.1, 0.67])
def test_one_garbled_word_spread_over_a_cell_beside_words_read_well_is_read_again(
    tmp_path: Path, confidence: float
) -> None:
    """forme: "8122 SUMMIT PL    Fe", the "Fe" (0.10) 1,072 pixels wide where "Call us at 800-829-0922" is
    printed: the row is not garbled whole, yet the cell is lost. OCR may even score such a word fairly
    (stencil: "i.", 0.67, 442 pixels wide, for a shaded cell's "Notice date")."""
    rows = [((180, 300), "8122 SUMMIT PL"), ((1300, 300), "Call us at 800-829-0922")]
    image, boxes = _draw(rows)
    page = _page_reading(rows[:1], boxes[:1])
    x, y, width, height = boxes[1]
    spread = OcrWord(text="Fe", confidence=confidence, bbox=(x, y, width, height))
    words = [word for line in page.lines for word in line.words] + [spread]
    page = page.model_copy(update={"lines": group_words_into_lines(words)})

    read = read_lost_rows(page, image, TesseractEngine(), tmp_path)

    assert read.lines[-1].text == "8122 SUMMIT PL    Call us at 800-829-0922", read.lines


@pytest.mark.tesseract
def test_a_label_and_its_value_read_as_one_tall_garbled_word_are_read_again_row_by_row(
    tmp_path: Path,
) -> None:
    """sheaf skewed scan: "Tax year" over "2023" read as "302" (0.45) 65 pixels tall on a page of 26-pixel
    words, beside an address read well; a second tall garbled word reaches down into the garbled SSN row
    below ("roas-04-e7"), whose own words are no words of the rows read again and stay."""
    rows = [
        ((180, 200), "Notice date    April 17, 2023"),
        ((180, 300), "Tax year"),
        ((180, 345), "2023"),
        ((1300, 320), "4986 GRANITE LANE"),
        ((180, 430), "Social Security number    XXX-XX-4521"),
        ((1300, 500), "Internal Revenue Service Ogden"),
    ]
    image, boxes = _draw(rows)
    read_well = _page_reading([rows[0], rows[3], rows[5]], [boxes[0], boxes[3], boxes[5]])
    (x, y, width, _), (_, below, _, height) = boxes[1], boxes[2]
    ssn_x, ssn_y, ssn_width, ssn_height = boxes[4]
    garbled = [
        OcrWord(text="302", confidence=0.45, bbox=(x, y, width, below + height - y)),
        OcrWord(text="roas", confidence=0.05, bbox=(x + width + 40, below, 60, ssn_y + ssn_height - below)),
        OcrWord(text="Social", confidence=0.96, bbox=(ssn_x, ssn_y, 110, ssn_height)),
        OcrWord(text="XXX-XX-4521", confidence=0.34, bbox=(ssn_x + ssn_width - 230, ssn_y, 230, ssn_height)),
    ]
    words = [word for line in read_well.lines for word in line.words] + garbled
    page = read_well.model_copy(update={"lines": group_words_into_lines(words)})

    read = read_lost_rows(page, image, TesseractEngine(), tmp_path)

    texts = [line.text for line in read.lines]
    assert any(text.startswith("Tax year") for text in texts), texts
    assert any(text.split()[0] == "2023" for text in texts), texts
    assert "XXX-XX-4521" in " ".join(texts)


class LineEngine:
    name = "line-fake"

    def __init__(self) -> None:
        self.lines_read = 0

    def recognize(self, image_path: Path) -> list[OcrWord]:
        raise AssertionError("a page is never read whole again here")

    def recognize_line(self, image_path: Path) -> list[OcrWord]:
        self.lines_read += 1
        return [
            OcrWord(text="~", confidence=0.9, bbox=(0, 0, 5, 5)),
            OcrWord(text="115210", confidence=0.3, bbox=(9, 0, 40, 20)),
        ]

    def detect_rotation(self, image_path: Path) -> int:
        return 0


class RereadingEngine(LineEngine):
    """Reads a crop as one word spelling the page's words it spreads over (print OCR had read already, as a
    fax's "January 8, 8, 2025 2025"), and the lost value over a speck OCR had read where it stands."""

    def __init__(self, page_words: list[OcrWord]) -> None:
        super().__init__()
        self.spelled = "".join(word.text for word in sorted(page_words, key=lambda word: word.bbox[0]))

    def recognize_line(self, image_path: Path) -> list[OcrWord]:
        self.lines_read += 1
        return [
            OcrWord(text=self.spelled, confidence=0.9, bbox=(-9000, -9000, 20000, 20000)),
            OcrWord(text="115210", confidence=0.9, bbox=(9, 0, 200, 40)),
        ]


def test_words_of_a_lost_run_that_spell_words_already_read_are_not_added_again(tmp_path: Path) -> None:
    image, boxes = _draw(HEADER)
    page = _page_reading(HEADER[:2], boxes[:2])
    x, y, _, height = boxes[2]
    speck = OcrWord(text="'", confidence=0.6, bbox=(x + 400, y + height // 2 - 2, 4, 4))  # on 115210
    words = [word for line in page.lines for word in line.words]
    with_speck = page.model_copy(update={"lines": group_words_into_lines([*words, speck])})
    read = read_lost_rows(with_speck, image, RereadingEngine([*words, speck]), tmp_path)
    texts = [word.text for line in read.lines for word in line.words]
    assert "115210" in texts and not any(len(text) > 20 for text in texts), texts


def test_a_page_whose_print_every_word_covers_is_not_read_again(tmp_path: Path) -> None:
    image, boxes = _draw(HEADER)
    engine = LineEngine()
    assert read_lost_rows(_page_reading(HEADER, boxes), image, engine, tmp_path).steps == ()
    assert engine.lines_read == 0


def test_unsure_or_textless_words_of_a_lost_run_are_not_added(tmp_path: Path) -> None:
    image, boxes = _draw(HEADER)
    page = _page_reading(HEADER[:2], boxes[:2])
    read = read_lost_rows(page, image, LineEngine(), tmp_path)
    assert read.lines == page.lines and read.steps == ("lost_rows:0/2",)


def test_a_garbled_row_read_again_unsurely_stays_as_it_was(tmp_path: Path) -> None:
    page, image = _garbled_caller_id()
    read = read_lost_rows(page, image, LineEngine(), tmp_path)
    assert read.lines == page.lines and read.steps == ("lost_rows:0/2",)


def test_a_page_with_many_uncovered_runs_is_left_as_it_is(tmp_path: Path) -> None:
    rows = [
        ((200 + 700 * (i % 3), 100 + 80 * (i // 3)), f"speckle row {i}") for i in range(MAX_LOST_RUNS + 3)
    ]
    image, _ = _draw(rows)
    page = OcrPage(number=1, width=2550, height=1200, source=PageSource.OCR, lines=())
    assert len(lost_runs(page, image)) > MAX_LOST_RUNS
    engine = LineEngine()
    assert read_lost_rows(page, image, engine, tmp_path) is page and engine.lines_read == 0


def test_print_framed_by_a_box_is_found_with_its_rules_left_out() -> None:
    """A redesigned notice's boxed header band: the box's rules join every cell's print into one blob no
    text is sized like, so the rows tesseract dropped inside it had never been found."""
    image, boxes = _draw(HEADER)
    pixels = image.pixels.copy()
    left, top = min(x for x, _, _, _ in boxes) - 20, min(y for _, y, _, _ in boxes) - 20
    right = max(x + width for x, _, width, _ in boxes) + 20
    bottom = max(y + height for _, y, _, height in boxes) + 20
    cv2.rectangle(pixels, (left, top), (right, bottom), 0, 3)
    for _, y, _, _ in boxes[1:]:  # a rule between the cells
        cv2.line(pixels, (left, y - 12), (right, y - 12), 0, 2)
    framed = image.model_copy(update={"pixels": pixels})
    page = OcrPage(number=1, width=2550, height=1200, source=PageSource.OCR, lines=())
    assert len(lost_runs(page, framed)) == 2 * len(HEADER)  # each label and, past the gap, its value


@pytest.mark.tesseract
def test_a_ruled_header_row_ocr_garbled_with_its_rules_is_read_cell_by_cell(tmp_path: Path) -> None:
    """A typeset notice's ruled header table (typeset CP21C, blurred scan): OCR read the labels' row with
    the cells' rules as "[Noncroae  __[Taxremoomone", words as tall as the cell. Each cell is read alone;
    the rule the crop takes in ("|") is no word, and a cell read unsurely keeps its garbled word."""
    cells = [((250, 300), "NOTICE DATE"), ((850, 300), "TAX YEAR")]
    image, boxes = _draw(cells)
    pixels = image.pixels.copy()
    for x in (200, 800, 1400):
        cv2.line(pixels, (x, 260), (x, 380), 0, 3)
    cv2.line(pixels, (200, 260), (1400, 260), 0, 3)
    cv2.line(pixels, (200, 380), (1400, 380), 0, 3)
    ruled = image.model_copy(update={"pixels": pixels})
    tall = [
        OcrWord(text="[Noncroae", confidence=0.28, bbox=(200, 262, 330, 116)),
        OcrWord(text="__[Taxremoomone", confidence=0.0, bbox=(790, 262, 360, 116)),
    ]
    page = OcrPage(
        number=1, width=2550, height=1200, source=PageSource.OCR, lines=group_words_into_lines(tall)
    )

    read = read_lost_rows(page, ruled, TesseractEngine(), tmp_path)

    assert [line.text for line in read.lines] == ["NOTICE DATE    TAX YEAR"], read.lines
    unsure = read_lost_rows(page, ruled, LineEngine(), tmp_path)
    assert [line.text for line in unsure.lines] == [line.text for line in page.lines]
