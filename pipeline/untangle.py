"""Rows that tesseract's line finding tangled, read again as a block of their own.

Where the rows of a header's two columns do not line up (the return address at the left, a column of labels
and values at the right half a row lower), tesseract's line finding may cut the print of a row into two
overlapping lines and read its glyphs twice, both times in pieces: "Date of this notice    May 5, 2023" came
back as "Date e of of th :  t :  M  2¢ 023 202" (a clean scan), most words scored 0.9 and more, so no
confidence tells. The words themselves do: two words whose boxes overlap are the same print read twice. The
same rows cropped and read alone read right.

``untangle_rows(page, image, engine, workdir) -> OcrPage``: the words that overlap another word by at least
``_OVERLAP`` of the smaller box are gathered into regions (``tangled_regions``: boxes near each other joined),
each region padded, grown to the whole boxes of the words it cuts and along its rows, cropped from ``image``
(the pixels the page's boxes refer to) and read alone (``OcrEngine.recognize``: the crop's own layout
analysis). On the tangled rows only, the crop's words (every mark: an in-care-of "%" too) replace the page's
words centred in the region, and only when none of them overlaps another, they keep the digits and read about
as surely (``_reads_better``); otherwise the page keeps its reading. At most
``MAX_REGIONS`` a page; the step ``untangle:<regions re-read>/<regions found>`` records it; a page without
tangled words records nothing and costs nothing (a region costs 20-40 ms).
"""

from __future__ import annotations

import statistics
from pathlib import Path

import numpy as np
import regex

from pipeline.layout import group_words_into_lines, union_box
from pipeline.models import BBox, OcrPage, OcrWord, PageImage
from pipeline.ocr import OcrEngine, write_pgm

UNTANGLE_STEP = "untangle"
MAX_REGIONS = 4
_OVERLAP = 0.3  # of the smaller box: less is two neighbours' boxes touching
_PAD = 0.5  # of a word's height, around a region
_JOIN = 1.0  # word heights: tangled words this close belong to one region
_ROW_REACH = 6  # word heights: a value this far from its label is still of the label's column
_INK, _PRINT_SHARE = 128, 0.1  # a column of a row holds print when this share of its pixels is dark
_SURE = 0.85  # a crop read this surely on average is no worse than tangled words read more surely
_TEXT = regex.compile(r"[\p{L}\d]")


def untangle_rows(page: OcrPage, image: PageImage, engine: OcrEngine, workdir: Path) -> OcrPage:
    words = [word for line in page.lines for word in line.words]
    tangled = tangled_regions(words)
    if not tangled:
        return page
    height = statistics.median(word.bbox[3] for word in words)
    regions = _joined([_grown(region, words, height, image.pixels) for region in tangled])[:MAX_REGIONS]
    kept = list(words)
    read = 0
    for number, box in enumerate(regions):
        rows = [(r[1] - height / 4, r[1] + r[3] + height / 4) for r in tangled if _overlap(r, box) > 0]
        old = [word for word in kept if _centred_in(word.bbox, box) and _on_rows(word.bbox, rows)]
        crop = _read_region(image, box, engine, workdir / f"untangle-{page.number}-{number}.pgm")
        new = [word for word in crop if _on_rows(word.bbox, rows)]
        if _reads_better(new, old):
            kept = [word for word in kept if word not in old] + new
            read += 1
    steps = (*page.steps, f"{UNTANGLE_STEP}:{read}/{len(regions)}")
    if not read:
        return page.model_copy(update={"steps": steps})
    return page.model_copy(update={"lines": group_words_into_lines(kept), "steps": steps})


def tangled_regions(words: list[OcrWord]) -> list[BBox]:
    """Boxes around the words (holding a letter or digit) that overlap another, those near each other
    (``_JOIN`` word heights) joined into one, top to bottom."""
    text_words = sorted((word for word in words if _TEXT.search(word.text)), key=lambda word: word.bbox[0])
    tangled: set[OcrWord] = set()
    for index, word in enumerate(text_words):
        for other in text_words[index + 1 :]:
            if other.bbox[0] >= word.bbox[0] + word.bbox[2]:
                break
            if _overlap(word.bbox, other.bbox) >= _OVERLAP:
                tangled.update((word, other))
    return _joined([word.bbox for word in tangled])


def _joined(boxes: list[BBox]) -> list[BBox]:
    """The boxes, those near each other (``_near``) joined into one, top to bottom."""
    merged = True
    while merged:
        merged = False
        for index, box in enumerate(boxes):
            near = [other for other in boxes[index + 1 :] if _near(box, other)]
            if near:
                boxes = [other for other in boxes if other is not box and other not in near]
                boxes.append(union_box([box, *near]))
                merged = True
                break
    return sorted(boxes, key=lambda box: box[1])


def _overlap(box: BBox, other: BBox) -> float:
    width = min(box[0] + box[2], other[0] + other[2]) - max(box[0], other[0])
    height = min(box[1] + box[3], other[1] + other[3]) - max(box[1], other[1])
    if width <= 0 or height <= 0:
        return 0.0
    return width * height / max(1, min(box[2] * box[3], other[2] * other[3]))


def _near(box: BBox, other: BBox) -> bool:
    reach = _JOIN * min(box[3], other[3])
    return (
        box[0] - reach < other[0] + other[2]
        and other[0] - reach < box[0] + box[2]
        and box[1] - reach < other[1] + other[3]
        and other[1] - reach < box[1] + box[3]
    )


def _grown(region: BBox, words: list[OcrWord], height: float, pixels: np.ndarray) -> BBox:
    """The region padded by ``_PAD`` word heights, widened to the whole box of every word it cuts (a crop
    through glyphs reads them as garbage) and along its rows over the words and the print of its column
    (``_ROW_REACH`` word heights apart at most: a label's value, not the next column), within the page."""
    pad = round(_PAD * height)
    box = (region[0] - pad, region[1] - pad, region[2] + 2 * pad, region[3] + 2 * pad)
    reach = round(_ROW_REACH * height)
    while True:
        along = (box[0] - reach, box[1], box[2] + 2 * reach, box[3])
        taken = [
            word.bbox
            for word in words
            if _overlap(word.bbox, box) > 0
            or (_overlap(word.bbox, along) > 0 and _centred_across(word.bbox, box))
        ]
        grown = _along_print(union_box([box, *taken]), pixels, reach)
        if grown == box:
            return grown
        box = grown


def _along_print(box: BBox, pixels: np.ndarray, reach: int) -> BBox:
    """The box widened over the print on its rows, up to ``reach`` pixels past its ends at a time (a word
    tesseract lost stands there too); a rule along the rows is no print (too little ink in a column)."""
    top, bottom = max(0, box[1]), min(pixels.shape[0], box[1] + box[3])
    band = pixels[top:bottom] < _INK
    printed = band.sum(axis=0) >= max(3, _PRINT_SHARE * (bottom - top))
    left, right = max(0, box[0]), min(pixels.shape[1], box[0] + box[2])
    while (after := np.flatnonzero(printed[right : right + reach])).size:
        right += int(after[-1]) + 1
    while (before := np.flatnonzero(printed[max(0, left - reach) : left])).size:
        left = max(0, left - reach) + int(before[0])
    return left, top, right - left, bottom - top


def _centred_across(box: BBox, region: BBox) -> bool:
    """The box's middle row lies within the region's rows."""
    return region[1] <= box[1] + box[3] / 2 <= region[1] + region[3]


def _centred_in(box: BBox, region: BBox) -> bool:
    centre_x, centre_y = box[0] + box[2] / 2, box[1] + box[3] / 2
    return region[0] <= centre_x <= region[0] + region[2] and region[1] <= centre_y <= region[1] + region[3]


def _on_rows(box: BBox, rows: list[tuple[float, float]]) -> bool:
    """The box's middle lies on one of the tangled rows: only those are read anew; the rows the crop took in
    for context keep the page's reading (a caller ID read right on the page, 594220, read 594270 alone)."""
    middle = box[1] + box[3] / 2
    return any(top <= middle <= bottom for top, bottom in rows)


def _read_region(image: PageImage, box: BBox, engine: OcrEngine, path: Path) -> list[OcrWord]:
    left, top, width, height = box
    words = engine.recognize(write_pgm(path, image.pixels[top : top + height, left : left + width]))
    return [
        word.model_copy(update={"bbox": (word.bbox[0] + left, word.bbox[1] + top, *word.bbox[2:])})
        for word in words
    ]


def _reads_better(new: list[OcrWord], old: list[OcrWord]) -> bool:
    """The crop's words tangle no more, keep at least half the digits the page's words there hold (those
    read twice hold up to twice a row's; a masked SSN's "48147" read again as a mask's marks "*AK_KK_ATAG"
    lost them however surely) and read as surely on average, or at least ``_SURE``."""
    if not new or tangled_regions(new) or 2 * _digits(new) < _digits(old):
        return False
    old_text = [word for word in old if _TEXT.search(word.text)]
    if not old_text:
        return True
    sure_from = min(_SURE, statistics.mean(word.confidence for word in old_text))
    return statistics.mean(word.confidence for word in new) >= sure_from


def _digits(words: list[OcrWord]) -> int:
    return sum(char.isdigit() for word in words for char in word.text)
