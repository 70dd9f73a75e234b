"""Print that OCR's page layout dropped, read again one run at a time.

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
that many small readings. The step ``lost_rows:<runs read>/<runs found>`` records it; a page with none
found records nothing. Finding them costs about 25 ms a page.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import regex

from pipeline.layout import group_words_into_lines
from pipeline.models import BBox, OcrPage, OcrWord, PageImage
from pipeline.ocr import OcrEngine, write_pgm

LOST_ROWS_STEP = "lost_rows"
MAX_LOST_RUNS = 6
_TEXT_HEIGHT = (16, 80)  # pixels at 300 dpi: a run of print from 6 to 18 points high
_MIN_WIDTH = 40  # pixels at 300 dpi: a single narrow mark ("|", a speck) is no text
_MIN_INK = 240  # pixels of ink at 300 dpi
_JOIN = 30  # pixels at 300 dpi: marks closer along a row belong to one run (letters, words)
_MIN_CONFIDENCE = 0.5
_TEXT = regex.compile(r"[\p{L}\d]")


def read_lost_rows(page: OcrPage, image: PageImage, engine: OcrEngine, workdir: Path) -> OcrPage:
    runs = lost_runs(page, image)
    if not runs or len(runs) > MAX_LOST_RUNS:
        return page
    found: list[OcrWord] = []
    read = 0
    for number, box in enumerate(runs):
        words = _read_run(image, box, engine, workdir / f"lost-{page.number}-{number}.pgm")
        read += bool(words)
        found += words
    steps = (*page.steps, f"{LOST_ROWS_STEP}:{read}/{len(runs)}")
    if not found:
        return page.model_copy(update={"steps": steps})
    words = [word for line in page.lines for word in line.words] + found
    return page.model_copy(update={"lines": group_words_into_lines(words), "steps": steps})


def lost_runs(page: OcrPage, image: PageImage) -> list[BBox]:
    """The text-sized runs of ink outside every word's box, in page pixels: a row no word covers, or the
    part of a row its words do not ("SAVANNAH," lost beside a read "GA 31401-2113")."""
    scale = image.dpi / 300 / 2  # sizes at 300 dpi, measured on a half-size copy
    small = cv2.resize(image.pixels, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    ink[_word_mask(page, ink.shape)] = 0
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


def _text_sized(width: int, height: int, scale: float) -> bool:
    lowest, highest = (size * scale for size in _TEXT_HEIGHT)
    return lowest <= height <= highest and width >= _MIN_WIDTH * scale


def _word_mask(page: OcrPage, shape: tuple[int, ...]) -> np.ndarray:
    """True inside every word's box (a little widened), on the half-size copy."""
    mask = np.zeros(shape[:2], dtype=bool)
    for line in page.lines:
        for word in line.words:
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
        if word.confidence >= _MIN_CONFIDENCE and _TEXT.search(word.text)
    ]
