"""A notice date or tax year OCR garbled beside its label, read again from its own crop of the page.

A header's value is where a page's noise does most harm: a speck or a box's shading beside "Notice date"
turns "June 12, 2023" into "J une 12. 12, 2023", "DECEMBER 20, 2024" into "4 DECEMBER 20, . 2024" or drops
it to "—«2", and a notice whose date is printed plainly goes to review as "printed but could not be read".
Read alone, as one line, the same pixels mostly read plainly.

``reread_label_values(page, image, engine, workdir, sure_from) -> OcrPage``: for each row where a notice
date's or tax year's label is followed by a digit (the field is printed: ``NOTICE_DATE_PRINTED``,
``TAX_YEAR_PRINTED``) and the field's own extractor reads no value from the row at confidence ``sure_from``
or more, the words after the label up to the end of their cell are cropped from ``image`` (the pixels the
page's boxes refer to; a value cut short to a digit or two is read as wide as a date), cleared of specks
and of what the crop cuts, and read as one line (``OcrEngine.recognize_line``). The crop's words replace
them when the extractor, given the label and the crop's words, reads a value at ``sure_from`` or more, the
value's own words too (0.9 on a page cleaning scaled up, where OCR takes one digit for another), and, when
the row had an unsure reading, the same value: two readings agree. Anything else leaves the page as it was;
the step ``reread_value:<values replaced>/<values tried>`` records it. Nothing is guessed: the words are what
the engine read, and the extractors and the decision treat them like any other reading. Only pages with
such a row pay for it (about 20 ms a value).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import regex

from extractors.notice_date import NOTICE_DATE_LABEL, NOTICE_DATE_PRINTED, find_notice_dates
from extractors.tax_year import TAX_YEAR_LABEL, TAX_YEAR_PRINTED, find_tax_years
from extractors.text import Candidate, TextLine
from pipeline.extract import text_line
from pipeline.layout import group_words_into_lines, union_box
from pipeline.models import BBox, OcrLine, OcrPage, OcrWord, PageImage
from pipeline.ocr import OcrEngine, write_pgm
from pipeline.preprocess import was_upscaled
from pipeline.ssn_reread import CROP_BORDER, SURE_ON_UPSCALED, marks_in_band, marks_only

VALUE_REREAD_STEP = "reread_value"
_MOST_VALUE_WORDS = 7  # "4 DECEMBER 20, . 2024": a date and the specks OCR read among its words
_CELL_GAP = 6  # line heights: a wider gap ends the value's cell (a dot leader OCR dropped is narrower)
_YEAR_DIGITS = 4  # a value with fewer digits ("2", "—«2", "ending 2") lost the rest of its date to OCR
_DATE_WIDTH = 12  # line heights: "December 31, 2024" is 17 characters of about 0.6 of the line's height


@dataclass(frozen=True)
class _Field:
    label: regex.Pattern[str]
    printed: regex.Pattern[str]
    find: Callable[[list[TextLine]], list[Candidate]]


_FIELDS = tuple(
    _Field(regex.compile(rf"(?<![A-Za-z])(?:{label})(?![A-Za-z])", regex.IGNORECASE), printed, find)
    for label, printed, find in (
        (NOTICE_DATE_LABEL, NOTICE_DATE_PRINTED, find_notice_dates),
        (TAX_YEAR_LABEL, TAX_YEAR_PRINTED, find_tax_years),
    )
)


@dataclass(frozen=True)
class _Unsure:
    """A printed value no rule read surely: its label's text, the words after the label, the box to read
    and the values the row was read as unsurely."""

    field: _Field
    label_text: str
    label_words: tuple[OcrWord, ...]
    value_words: tuple[OcrWord, ...]
    box: BBox
    first_readings: frozenset[str | int]


def reread_label_values(
    page: OcrPage, image: PageImage, engine: OcrEngine, workdir: Path, sure_from: float
) -> OcrPage:
    unsure = list(_unsure_values(page, sure_from))
    if not unsure:
        return page
    bar = max(sure_from, SURE_ON_UPSCALED) if was_upscaled(image) else sure_from
    replaced: set[OcrWord] = set()
    new_words: list[OcrWord] = []
    taken = 0
    for number, value in enumerate(unsure):
        if replaced.intersection(value.value_words):
            continue
        read = _read_crop(image, value.box, engine, workdir / f"value-{page.number}-{number}.pgm")
        if read and _confirms(page.number, value, read, bar):
            replaced.update(value.value_words)
            new_words += read
            taken += 1
    steps = (*page.steps, f"{VALUE_REREAD_STEP}:{taken}/{len(unsure)}")
    if not new_words:
        return page.model_copy(update={"steps": steps})
    kept = [word for line in page.lines for word in line.words if word not in replaced]
    return page.model_copy(update={"lines": group_words_into_lines(kept + new_words), "steps": steps})


def _unsure_values(page: OcrPage, sure_from: float) -> Iterator[_Unsure]:
    for row in page.lines:
        for field in _FIELDS:
            printed = field.printed.search(row.text)
            label = field.label.match(row.text, printed.start()) if printed else None
            if label is None:
                continue
            readings = field.find([text_line(page.number, row)])
            if any(candidate.confidence >= sure_from for candidate in readings):
                continue  # read surely (or a placeholder the notice prints)
            label_count, following = _split_at(row, label.end())
            value_words = _value_words(following)
            if value_words:
                yield _Unsure(
                    field, row.text[: label.end()], row.words[:label_count], value_words,
                    _value_box(value_words, following[len(value_words) :]),
                    frozenset(c.value for c in readings if c.value is not None),
                )  # fmt: skip


def _split_at(row: OcrLine, offset: int) -> tuple[int, tuple[OcrWord, ...]]:
    """How many of the row's words end by ``offset`` in its text, and the words after them."""
    position = 0
    for index, word in enumerate(row.words):
        position = row.text.index(word.text, position)
        if position >= offset:
            return index, row.words[index:]
        position += len(word.text)
    return len(row.words), ()


def _value_words(following: tuple[OcrWord, ...]) -> tuple[OcrWord, ...]:
    """The words after a label that make its value: on its line, up to a gap that ends the cell."""
    if not following:
        return ()
    value = [following[0]]
    for word in following[1:_MOST_VALUE_WORDS]:
        previous = value[-1]
        height = max(previous.bbox[3], word.bbox[3])
        if word.bbox[0] - (previous.bbox[0] + previous.bbox[2]) > _CELL_GAP * height:
            break
        value.append(word)
    return tuple(value)


def _value_box(value: tuple[OcrWord, ...], after: tuple[OcrWord, ...]) -> BBox:
    """The value's box; a value cut short is widened to a date's width from its last word, short of the next
    word on its row."""
    x, y, width, height = union_box(word.bbox for word in value)
    if sum(char.isdigit() for word in value for char in word.text) < _YEAR_DIGITS:
        right = value[-1].bbox[0] + _DATE_WIDTH * height
        if after:
            right = min(right, after[0].bbox[0] - height // 2)
        width = max(width, right - x)
    return (x, y, width, height)


def _read_crop(image: PageImage, box: BBox, engine: OcrEngine, path: Path) -> list[OcrWord]:
    """The words in ``box`` read as one line, their boxes in the page's pixels; specks, the rows above and
    below and the glyphs the crop cuts are painted out first (``ssn_reread.marks_in_band``,
    ``marks_only``)."""
    x, y, width, height = box
    pad = max(4, height // 4)
    left, top = max(0, x - pad), max(0, y - pad)
    crop = image.pixels[top : y + height + pad, left : x + width + pad]
    if crop.size == 0:
        return []
    labels, _, marks = marks_in_band(crop, (y - top, y - top + height))
    read = engine.recognize_line(write_pgm(path, marks_only(crop, labels, marks)))
    shift = (left - CROP_BORDER, top - CROP_BORDER)
    return [word.model_copy(update={"bbox": _in_page(word.bbox, *shift)}) for word in read]


def _in_page(box: BBox, left: int, top: int) -> BBox:
    x, y, width, height = box
    return (x + left, y + top, width, height)


def _confirms(page_number: int, value: _Unsure, read: list[OcrWord], bar: float) -> bool:
    """Whether the label followed by the crop's words reads a value surely, its own words read surely too,
    the same as any first reading."""
    words = (*value.label_words, *read)
    line = TextLine(
        page_number,
        value.label_text + "    " + " ".join(word.text for word in read),
        union_box(word.bbox for word in words),
        round(sum(word.confidence for word in words) / len(words), 3),
        False,
        tuple((word.text, word.confidence) for word in words),
    )
    return any(
        candidate.value is not None
        and min(candidate.confidence, candidate.value_read) >= bar
        and (not value.first_readings or candidate.value in value.first_readings)
        for candidate in value.field.find([line])
    )
