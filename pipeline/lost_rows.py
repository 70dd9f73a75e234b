"""Print that OCR's page layout dropped or garbled, read again one run at a time.

Tesseract's page-layout analysis sometimes drops text the page plainly prints: the "Your caller ID" row of
a header box, the name line of the address block, the amounts of a billing column on a photo. The same
ink cropped and read alone as one line reads right, and nothing else would ever tell that it was there.

``read_lost_rows(page, image, engine, workdir) -> OcrPage`` finds the runs of ink on ``image`` (the pixels
the page's boxes refer to) that no word of ``page`` covers: every word's box blanked, the ink left joined
along a row on a half-size copy, text-sized (``_TEXT_HEIGHT`` at 300 dpi, scaled by the page's dpi): a
whole row, or the part of a row its words miss. Each is read alone as one line
(``OcrEngine.recognize_line``) and the words read with confidence (at least ``_MIN_CONFIDENCE``, holding a
letter or digit) join the page, in page pixels, before its rows are grouped again. A page with more than
``MAX_LOST_RUNS`` such runs (a noisy scan, a photo's background) is left as it is, so a page costs at most
that many small readings.

A row OCR did read but garbled whole (every word scored below ``GARBLED_BELOW``: "calle)  yes" for "Your
caller ID  143273" on a noisy scan; "[Noncroae  __[Taxremoomone" for the small capitals of a ruled header
table, its rules read into its words, so up to twice a line's height; up to ``MAX_GARBLED_ROWS`` a page)
counts as ink no word covers: its runs are read the same way, and a run's reading replaces the garbled words
centred across it only when every word of it holding a letter or digit is sure (``_SURE``; a cell's rule
read as "|" is no word); otherwise they stay as they were. So does one garbled word spread over a cell beside
words read well ("8122 SUMMIT PL    Fe", the "Fe" 1,072 pixels wide for "Call us at 800-829-0922"), or
standing two lines of print tall (``_STACKED``: a skewed scan's "Tax year" over "2023" read as "302 a").

The step ``lost_rows:<runs read>/<runs found>`` records both; a page with none found records nothing.
Finding them costs about 25 ms a page.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import cv2
import numpy as np
import regex

from pipeline.layout import group_words_into_lines, union_box
from pipeline.models import BBox, OcrLine, OcrPage, OcrWord, PageImage
from pipeline.ocr import OcrEngine, write_pgm

LOST_ROWS_STEP = "lost_rows"
MAX_LOST_RUNS = 12
MAX_GARBLED_ROWS = 4
GARBLED_BELOW = 0.5
_SURE = 0.8
_TEXT_HEIGHT = (16, 80)  # pixels at 300 dpi: a run of print from 6 to 18 points high
_RULED_ROW = 2  # how much taller a ruled table's garbled row stands (its rules read into its words)
_MIN_WIDTH = 40  # pixels at 300 dpi: a single narrow mark ("|", a speck) is no text
_MIN_INK = 240  # pixels of ink at 300 dpi
_JOIN = 30  # pixels at 300 dpi: marks closer along a row belong to one run (letters, words)
_RULE_LENGTH = 150  # pixels at 300 dpi (half an inch): a straight stroke this long is a rule, not a letter
_MIN_CONFIDENCE = 0.5
_SPREAD = 3  # heights a character: wider, one garbled word stands for a cell of print
_STACKED = 1.8  # lines of print: taller, one garbled word stands for two rows read as one
_LINE_SAMPLE = 10  # words read surely: fewer tell no page's line height
_TEXT = regex.compile(r"[\p{L}\d]")


def read_lost_rows(page: OcrPage, image: PageImage, engine: OcrEngine, workdir: Path) -> OcrPage:
    garbled = garbled_rows(page, image.dpi)
    runs = lost_runs(page, image, ignoring={word for row in garbled for word in row.words})
    if not runs or len(runs) > MAX_LOST_RUNS:
        return page
    readings = [
        _read_run(image, box, engine, workdir / f"lost-{page.number}-{number}.pgm")
        for number, box in enumerate(runs)
    ]
    replaced: set[OcrWord] = set()
    for row in garbled:
        for index in (index for index, box in enumerate(runs) if _overlaps(box, row.bbox)):
            text_words = [word for word in readings[index] if _TEXT.search(word.text)]
            if text_words and all(word.confidence >= _SURE for word in text_words):
                replaced.update(word for word in row.words if _centred_in(word.bbox, runs[index]))
            else:  # not read surely: the garbled words stay, and nothing is added over them
                readings[index] = []
    kept = [
        [word for word in words if word.confidence >= _MIN_CONFIDENCE and _TEXT.search(word.text)]
        for words in readings
    ]
    steps = (*page.steps, f"{LOST_ROWS_STEP}:{sum(bool(words) for words in kept)}/{len(runs)}")
    words = [word for line in page.lines for word in line.words if word not in replaced]
    found = [word for reading in kept for word in reading if not _read_already(word, words)]
    if not found:
        return page.model_copy(update={"steps": steps})
    return page.model_copy(update={"lines": group_words_into_lines(words + found), "steps": steps})


def _read_already(found: OcrWord, words: list[OcrWord]) -> bool:
    """The words of the page centred inside the found word's box spell it: a run's crop took in print OCR
    had read ("8," and "2025" of a fax's "January 8, 2025" read again around specks beside them, "31,2020"
    over "31," and "2020"). A speck or a "$" OCR read where the lost word stands is no copy of it."""
    x, y, width, height = found.bbox
    covered = sorted(
        (word for word in words if x <= word.bbox[0] + word.bbox[2] / 2 <= x + width
         and y <= word.bbox[1] + word.bbox[3] / 2 <= y + height),
        key=lambda word: word.bbox[0],
    )  # fmt: skip
    return bool(covered) and "".join(word.text for word in covered) == found.text


def garbled_rows(page: OcrPage, dpi: int) -> list[OcrLine]:
    """The text-sized rows of at least four characters whose every word OCR scored below ``GARBLED_BELOW``,
    and the garbled words spread over a cell or standing two rows tall beside words read well (at most
    ``MAX_GARBLED_ROWS`` in all), each with the garbled words beside it that OCR put in another row (a row
    of the next column, printed a little lower: "PETERSEN AUTO REPAIR INC  is" took "Your")."""
    scale = dpi / 300
    lowest, highest = (size * scale for size in _TEXT_HEIGHT)
    rows = [
        line
        for line in page.lines
        if all(word.confidence < GARBLED_BELOW for word in line.words)
        and len(line.text.replace(" ", "")) >= 4
        and lowest <= line.bbox[3] <= _RULED_ROW * highest
    ]
    line_height = _sure_line_height(page)
    rows += [  # one word spread over a cell, or two rows tall, beside words read well: the rest of its row
        _row_of(word)
        for line in page.lines
        if not all(word.confidence < GARBLED_BELOW for word in line.words)
        for word in line.words
        if (_spread_garbled(word) and lowest <= word.bbox[3] <= highest)
        or (_stacked_garbled(word, line_height) and word.bbox[3] <= _RULED_ROW * highest)
    ]
    garbled = [word for line in page.lines for word in line.words if word.confidence < GARBLED_BELOW]
    joined = [_with_words_beside(row, garbled) for row in rows]
    once = {row.words: row for row in joined}  # two tall words of one row make one row
    return list(once.values())[:MAX_GARBLED_ROWS]


def _spread_garbled(word: OcrWord) -> bool:
    """A word OCR was not sure of (below ``_SURE``) whose box is more than ``_SPREAD`` heights wide a
    character: a whole cell read as one garbled word ("Fe", 0.10, 1,072 pixels wide, for "Call us at
    800-829-0922"; "i.", 0.67, 442 pixels wide, for a shaded header cell's "Notice date")."""
    return (
        word.confidence < _SURE
        and _TEXT.search(word.text) is not None
        and word.bbox[2] > _SPREAD * word.bbox[3] * len(word.text)
    )


def _sure_line_height(page: OcrPage) -> float | None:
    """The median height of the words of three characters or more read surely: the page's line of print."""
    heights = sorted(
        word.bbox[3]
        for line in page.lines
        for word in line.words
        if word.confidence >= _SURE and len(word.text) >= 3
    )
    return heights[len(heights) // 2] if len(heights) >= _LINE_SAMPLE else None


def _stacked_garbled(word: OcrWord, line_height: float | None) -> bool:
    """A garbled word (below ``GARBLED_BELOW``) standing ``_STACKED`` lines of print tall: a label and the
    value under it read as one ("302 a", 65 pixels tall on a page of 26, for a skewed scan's "Tax year" over
    "2023")."""
    return (
        line_height is not None
        and word.confidence < GARBLED_BELOW
        and _TEXT.search(word.text) is not None
        and word.bbox[3] >= _STACKED * line_height
    )


def _row_of(word: OcrWord) -> OcrLine:
    return OcrLine(text=word.text, bbox=word.bbox, confidence=word.confidence, words=(word,))


def _with_words_beside(row: OcrLine, garbled: list[OcrWord]) -> OcrLine:
    x, y, width, height = row.bbox
    beside = [
        word
        for word in garbled
        if word not in row.words
        and word.bbox[1] < y + height
        and y < word.bbox[1] + word.bbox[3]
        and x - 3 * height < word.bbox[0] + word.bbox[2]
        and word.bbox[0] < x + width + 3 * height
    ]
    if not beside:
        return row
    words = sorted((*row.words, *beside), key=lambda word: word.bbox[0])
    return row.model_copy(update={"words": tuple(words), "bbox": union_box(word.bbox for word in words)})


def lost_runs(page: OcrPage, image: PageImage, ignoring: Collection[OcrWord] = ()) -> list[BBox]:
    """The text-sized runs of ink outside every word's box but those ``ignoring``, in page pixels: a row no
    word covers, or the part of a row its words do not ("SAVANNAH," lost beside a read "GA 31401-2113")."""
    scale = image.dpi / 300 / 2  # sizes at 300 dpi, measured on a half-size copy
    small = cv2.resize(image.pixels, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    ink[_word_mask(page, ink.shape, ignoring) | _ruled_lines(ink, scale)] = 0
    joined = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, round(_JOIN * scale)), 1)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    runs = []
    for index in range(1, count):
        x, y, width, height, _ = stats[index]
        if not _text_sized(width, height, scale):
            continue
        run_ink = (labels[y : y + height, x : x + width] == index) & (ink[y : y + height, x : x + width] > 0)
        if run_ink.sum() >= _MIN_INK * scale * scale:
            runs.append((int(x) * 2, int(y) * 2, int(width) * 2, int(height) * 2))
    return runs


def _ruled_lines(ink: np.ndarray, scale: float) -> np.ndarray:
    """True on a box's or a table's rules: straight strokes longer than any letter's (``_RULE_LENGTH``).
    Left in, they join the print of every cell they frame into one blob no text is sized like."""
    length = max(3, round(_RULE_LENGTH * scale))
    rules = [
        cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, shape))
        for shape in ((length, 1), (1, length))
    ]
    return cv2.dilate(cv2.bitwise_or(*rules), np.ones((3, 3), np.uint8)) > 0


def _overlaps(box: BBox, other: BBox) -> bool:
    x, y, width, height = box
    left, top, other_width, other_height = other
    return x < left + other_width and left < x + width and y < top + other_height and top < y + height


def _centred_in(box: BBox, run: BBox) -> bool:
    """The box's centre lies across the run and the box reaches into its row (a garbled word of the row the
    run re-read, or one standing over it and the next; not a garbled word of a row below it)."""
    centre = box[0] + box[2] / 2
    return run[0] <= centre <= run[0] + run[2] and run[1] < box[1] + box[3] and box[1] < run[1] + run[3]


def _text_sized(width: int, height: int, scale: float) -> bool:
    lowest, highest = (size * scale for size in _TEXT_HEIGHT)
    return lowest <= height <= highest and width >= _MIN_WIDTH * scale


def _word_mask(page: OcrPage, shape: tuple[int, ...], ignoring: Collection[OcrWord]) -> np.ndarray:
    """True inside every word's box but those ``ignoring`` (a little widened), on the half-size copy."""
    mask = np.zeros(shape[:2], dtype=bool)
    for line in page.lines:
        for word in line.words:
            if word in ignoring:
                continue
            x, y, width, height = (value // 2 for value in word.bbox)
            mask[max(0, y - 3) : y + height + 3, max(0, x - 3) : x + width + 3] = True
    return mask


def _read_run(image: PageImage, box: BBox, engine: OcrEngine, path: Path) -> list[OcrWord]:
    x, y, width, height = box
    pad = max(6, height // 4)
    left, top = max(0, x - pad), max(0, y - pad)
    crop = image.pixels[top : y + height + pad, left : x + width + pad]
    words = engine.recognize_line(write_pgm(path, crop))
    return [
        word.model_copy(update={"bbox": (word.bbox[0] + left, word.bbox[1] + top, *word.bbox[2:])})
        for word in words
    ]
