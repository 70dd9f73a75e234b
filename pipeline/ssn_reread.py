"""A masked SSN or EIN that OCR garbled, read again from its own crop of the page.

On clean pages the masked SSN is the value tesseract loses most: in many fonts the asterisks of
"***-**-0269" run into the digits and the whole token reads as "EK_*KK_.6O" or "#*K _*K_ 6649", so a notice
that prints its SSN plainly went to review as "printed but could not be read". The digits themselves are
easy to read once the mask is gone, and the mask's marks are told apart by where they stand: an asterisk
sits high in the line and a hyphen in its middle, while every digit (and a mask's X) stands on the
baseline.

``reread_masked_ssns(page, image, engine, workdir, sure_from) -> OcrPage``: for each SSN or EIN label on the
page (beside its value, or above it as in a letter's header) whose value no SSN rule reads at confidence
``sure_from`` or more, it crops the value's words from ``image`` (the pixels the page's boxes refer to),
keeps only the marks that stand on the baseline, reads the crop as one line (``OcrEngine.recognize_line``)
and, when exactly four digits come back, puts one word ``XXX-XX-dddd`` (``XX-XXXdddd`` after an EIN label;
the engine's confidence, the value words' box) in place of the value's words:
- a value no rule read (garbled into "EK_*KK_.6O") becomes the crop's reading;
- a value a rule read unsurely (the mask's marks pull a "***-**-8457" down to 0.57) is confirmed only when
  the crop reads the same four digits, itself surely (``sure_from``): two readings, one without the mask's
  marks, agree. When they differ the page keeps its first, unsure reading, and a person looks;
- under a header label whose row holds no value (a grid of labels over a row of values), the words that
  stand where the value goes are read again whatever OCR made of them ("HR AKT TAB").
Value words that are all numbers read surely (a year, a form's number beside or under a label whose mask
OCR dropped) are no garbled mask: they are never read again ("AK _AK_O7 20", the last four's first digits
read surely after a garbled mask, is one).
Anything else leaves the page as it was; the step ``reread_ssn:<values read>/<values tried>`` records it.
Nothing is guessed: the four digits are what the engine read, and the extractors and the decision treat
them like any other reading. Only pages with such a label and no sure reading pay for it (about 20 ms a
value, read by a tesseract kept running for crops).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import regex

from extractors.ssn import EIN_LABEL, EIN_MASK, SSN_LABEL, SSN_MASK, find_ssn_last4
from pipeline.extract import text_line
from pipeline.layout import group_words_into_lines, labels_over_anything, stacked_label_lines, union_box
from pipeline.models import BBox, OcrLine, OcrPage, OcrWord, PageImage
from pipeline.ocr import OcrEngine, write_pgm
from pipeline.preprocess import was_upscaled

SSN_REREAD_STEP = "reread_ssn"
_MOST_VALUE_WORDS = 6  # "XXX-XX-0269" read as up to six pieces: "#*K _*K_ 66 49", "rea _ kk _1)3 50)"
# Four digits, perhaps after what is left of a mask that stands on the baseline (X, n) or punctuation: never
# a word's letters ("Form 1040" under a misplaced label is no SSN).
_PLAIN_NUMBER = regex.compile(r"^\W*\d+\W*$")
_LAST4_ALONE = regex.compile(r"^[XxNn\W_]*(\d{4})\W*$")
_VALUE_MARK = regex.compile(r"[\d*#_~\-]")  # what a garbled mask or its digits keep, a word does not
# A label a comma follows names the SSN in a sentence ("Write your Taxpayer ID number, the tax year (2022) and
# the form number"): there is no value to read after it.
_IN_A_SENTENCE = regex.compile(r"^\s*,")
_LABELS = ((SSN_LABEL, SSN_MASK), (EIN_LABEL, EIN_MASK))
_MIN_CONFIDENCE = 0.6
# A page the cleaning scaled up (a fax, a low-resolution scan) is where OCR takes one digit for another
# (a fax's slashed 0 read as 6 at 0.82): its digits must read surely. Right rereads there: 0.79-0.96.
SURE_ON_UPSCALED = 0.9
_LOST_VALUE_WIDTH = 9  # line heights: "XXX-XX-1234" is 11 characters of about 0.6 of the line's height
_MIN_MARK_AREA = 5  # pixels: smaller specks are noise
CROP_BORDER = 16  # pixels of white around a crop read as one line
_BASELINE_SLACK = 0.2  # of the line's height: how far above the baseline a digit's foot may end
_MIN_MARK_HEIGHT = 0.5  # of the line's height: shorter marks (hyphens, underscores, dots) are not digits


def reread_masked_ssns(
    page: OcrPage, image: PageImage, engine: OcrEngine, workdir: Path, sure_from: float
) -> OcrPage:
    unsure = list(_unsure_ssn_values(page, sure_from))
    if not unsure:
        return page
    replaced: set[OcrWord] = set()
    new_words = []
    for number, (words, box, mask, first_reading) in enumerate(unsure):
        masked = _read_masked(image, box, mask, engine, workdir / f"ssn-{page.number}-{number}.pgm")
        if masked is not None and (
            first_reading is None or (masked.text[-4:] == first_reading and masked.confidence >= sure_from)
        ):
            replaced.update(words)
            new_words.append(masked)
    steps = (*page.steps, f"{SSN_REREAD_STEP}:{len(new_words)}/{len(unsure)}")
    if not new_words:
        return page.model_copy(update={"steps": steps})
    kept = [word for line in page.lines for word in line.words if word not in replaced]
    return page.model_copy(update={"lines": group_words_into_lines(kept + new_words), "steps": steps})


def _unsure_ssn_values(
    page: OcrPage, sure_from: float
) -> Iterator[tuple[tuple[OcrWord, ...], BBox, str, str | None]]:
    """The value words of every SSN or EIN label that no SSN rule reads surely, each set once, with the box
    to read, the mask its number is printed with and the four digits a rule read unsurely (None when no rule
    read any). A label ending its row with nothing after it has lost its value to OCR (a clean page's
    "***-**-3310" dropped whole): its box is where the value goes, beside the label."""
    seen: set[tuple[OcrWord, ...]] = set()
    stacked = [joined for _, joined in stacked_label_lines(page.lines)]
    under = labels_over_anything(page.lines, _heads_a_column)
    rows = [(row, False) for row in (*page.lines, *stacked)] + [(row, True) for row in under]
    joined_below = {word for row, _ in rows[len(page.lines) :] for word in row.words}
    for row, placed in rows:
        label, mask = _label(row.text)
        if label is None or _IN_A_SENTENCE.match(row.text[label.end() :]):
            continue
        read = find_ssn_last4([text_line(page.number, row)])
        if any(candidate.value is None or candidate.confidence >= sure_from for candidate in read):
            continue  # a placeholder ("nnn-nn-nnnn"), or a reading sure enough
        readings = {str(candidate.value) for candidate in read}
        label_words = len(row.text[: label.end()].split())
        words = _value_words(row, label_words, placed)
        if words and all(_PLAIN_NUMBER.match(word.text) and word.confidence >= sure_from for word in words):
            continue  # a year or a form's number read surely where the value goes: no mask OCR garbled
        if len(readings) < 2 and words and words not in seen:
            seen.add(words)
            yield words, union_box(word.bbox for word in words), mask, next(iter(readings), None)
        elif _lost_its_value(row, label_words, placed) and row.words[-1] not in joined_below:
            yield (), _beside(row.words[-1]), mask, None


def _heads_a_column(text: str) -> bool:
    """An SSN or EIN label heading a grid's column ("Social Security number" over its value); a "Label:"
    has its value beside it."""
    return _label(text)[0] is not None and not text.rstrip().endswith(":")


def _lost_its_value(row: OcrLine, label_words: int, placed: bool) -> bool:
    """A "Label:" ending its row with nothing after it: the value printed beside it was lost to OCR."""
    return not placed and label_words == len(row.words) and row.text.rstrip().endswith(":")


def _beside(label_end: OcrWord) -> BBox:
    """Where a value lost to OCR stands: right of its label, on the label's line, as wide as a mask."""
    x, y, width, height = label_end.bbox
    return (x + width + height // 2, y, _LOST_VALUE_WIDTH * height, height)


def _label(text: str) -> tuple[regex.Match[str] | None, str]:
    """The row's first SSN or EIN label, and the mask its number is printed with."""
    found = [(match, mask) for pattern, mask in _LABELS if (match := pattern.search(text)) is not None]
    return min(found, key=lambda item: item[0].start(), default=(None, ""))


def _value_words(row: OcrLine, label_words: int, placed: bool) -> tuple[OcrWord, ...]:
    """The words after the label that make one value: on one line, without a wide gap between them, up to
    the piece that brings its fourth digit, and holding a digit or a mask's symbol (a sentence that names the
    SSN holds none: "number. To protect"), unless they are ``placed`` where the value goes (under a header
    label)."""
    following = row.words[label_words:]
    if not following:
        return ()
    value = [following[0]]
    for word in following[1:_MOST_VALUE_WORDS]:
        if sum(char.isdigit() for piece in value for char in piece.text) >= 4:
            break  # the last four are in: what follows is the sentence ("66 49 for tax year")
        previous = value[-1]
        height = max(previous.bbox[3], word.bbox[3])  # a garbled piece can be x-height only: "ke"
        same_line = abs(_centre(word) - _centre(previous)) < height / 2
        close = word.bbox[0] - (previous.bbox[0] + previous.bbox[2]) < 2 * height
        if not (same_line and close):
            break
        value.append(word)
    return tuple(value) if placed or any(_VALUE_MARK.search(word.text) for word in value) else ()


def _centre(word: OcrWord) -> float:
    return word.bbox[1] + word.bbox[3] / 2


def _read_masked(image: PageImage, box: BBox, mask: str, engine: OcrEngine, path: Path) -> OcrWord | None:
    """The word ``mask`` + ``dddd`` in ``box``, its four digits read once the marks off the baseline are
    gone, or None."""
    x, y, width, height = box
    pad = max(4, height // 3)
    top = max(0, y - pad)
    crop = image.pixels[top : y + height + pad, max(0, x - pad) : x + width + height]
    if crop.size == 0:
        return None
    value_rows = (y - top, y - top + height)
    read = engine.recognize_line(write_pgm(path, _baseline_marks_only(crop, value_rows)))
    text = "".join(word.text for word in read)
    found = _LAST4_ALONE.match(text)
    if found is None or not read:
        return None
    confidence = min(word.confidence for word in read)
    if confidence < (SURE_ON_UPSCALED if was_upscaled(image) else _MIN_CONFIDENCE):
        return None
    return OcrWord(text=f"{mask}{found.group(1)}", confidence=confidence, bbox=box)


def _baseline_marks_only(grey: np.ndarray, band: tuple[int, int]) -> np.ndarray:
    """``grey`` with every mark that does not stand on the text's baseline, is short, lies outside the
    value's rows ``band`` (the crop's padding can catch the lines above and below), or is cut by the crop's
    left or right side painted white: half a "0" OCR left out of the value's words reads as a "1"."""
    labels, stats, marks = marks_in_band(grey, band)
    if not marks:
        return grey
    feet = np.array([stats[i][cv2.CC_STAT_TOP] + stats[i][cv2.CC_STAT_HEIGHT] for i in marks])
    line_height = float(np.percentile([stats[i][cv2.CC_STAT_HEIGHT] for i in marks], 90))
    baseline = float(np.percentile(feet, 90))
    standing = [
        index
        for index, foot in zip(marks, feet, strict=True)
        if foot >= baseline - _BASELINE_SLACK * line_height  # on the baseline
        and stats[index][cv2.CC_STAT_HEIGHT] >= _MIN_MARK_HEIGHT * line_height  # and tall
    ]
    return marks_only(grey, labels, standing)


def marks_only(grey: np.ndarray, labels: np.ndarray, marks: list[int]) -> np.ndarray:
    """``grey`` with only the components ``marks`` of ``labels`` kept, the rest painted white, inside a white
    border of ``CROP_BORDER`` pixels: tesseract reads a line poorly when its ink touches the edge."""
    kept = np.full_like(grey, 255)
    inked = np.isin(labels, marks)
    kept[inked] = grey[inked]
    return cv2.copyMakeBorder(kept, *(CROP_BORDER,) * 4, cv2.BORDER_CONSTANT, value=255)


def marks_in_band(grey: np.ndarray, band: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """The marks of a crop's ink (Otsu) that may be the value's print: no speck, centred within the value's
    rows ``band``, not cut by the crop's left or right side. Their component labels, stats and indices."""
    _, ink = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    count, labels, stats, centres = cv2.connectedComponentsWithStats(ink, connectivity=8)
    marks = [
        index
        for index in range(1, count)
        if stats[index][cv2.CC_STAT_AREA] >= _MIN_MARK_AREA
        and band[0] <= centres[index][1] <= band[1]
        and not _cut_by_a_side(stats[index], grey.shape[1])
    ]
    return labels, stats, marks


def _cut_by_a_side(stats: np.ndarray, width: int) -> bool:
    left = stats[cv2.CC_STAT_LEFT]
    return bool(left == 0 or left + stats[cv2.CC_STAT_WIDTH] >= width)
