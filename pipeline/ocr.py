"""OCR a cleaned page: the ``OcrEngine`` protocol and ``ocr_page``.

``ocr_page(page, engine, workdir, ocr_dpi) -> PageReading`` (the ``OcrPage`` and the pixels its boxes
refer to) writes the page once as uncompressed PGM (tesseract
reads it without decoding cost; PNG would cost seconds on a noisy scan), scaled down to ``ocr_dpi`` when it
has more (boxes come back in the page's own pixels), recognizes words with boxes and confidences in one
engine call, and groups them into rows. A page the cleaning stage turned a quarter is
first checked with the engine's orientation detection. When the words read badly (low confidence), it
asks the engine which way the page is turned and, if it is turned, reads the turned page once more and keeps
the better reading. Raises ``OcrEngineError`` when the engine fails.

Cleaning can also hurt (a grey-lit photo once had half its sheet cut off as if it were the table):
``reread_original(read, original, engine, workdir, ocr_dpi) -> PageReading`` reads the page as it was
loaded (turned like the cleaned one, nothing else) and keeps the better of the two readings. The caller
asks for it when ``reads_well(read.page)`` is False. One ``ReadingQuality`` judges every reading: whether
it reads well, and which of two readings is better (``score``).

The tesseract engine is ``pipeline.tesseract``; tests give ``ocr_page`` a fake engine that replays recorded
words.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple, Protocol, runtime_checkable

import cv2
import numpy as np

from pipeline.errors import OcrEngineError
from pipeline.layout import group_words_into_lines
from pipeline.models import BBox, OcrPage, OcrWord, PageImage, PageSource
from pipeline.preprocess import UPRIGHT_STEP, rotate_page, turn_like, was_upscaled

OCR_DPI = 240  # pages cleaned at more are read from a copy scaled down to this (see _recognize)
GOOD_WORD = 0.7
MIN_GOOD_WORDS = 25
MIN_MEAN_CONFIDENCE = 0.6
# Well-read notice pages measure 0.94-1.00 word-like words; upside-down ones read as they are 0.62-0.70.
MIN_WORDLIKE_SHARE = 0.8
EDGE_SHARE = 0.01  # of the page's width: a word this close to a side runs off the page
MAX_EDGE_WORDS = 3  # every notice has side margins: more words at a side than this were cut off
REREAD_STEP = "reread_original"
# A cleaned page with fewer pixels than this darker than ``INK_LEVEL`` carries no print: a blank separator
# sheet whose faint specks (its darkest pixel 207) tesseract's own threshold turned into noise it read for
# more than two minutes (slate stack 45014, page 15), failing a whole stack. Faint toner prints far darker.
INK_LEVEL, MIN_INK_PIXELS = 192, 50
BLANK_STEP = "blank_page"
# A word as a dictionary would spell it: capitalised or lower case, or an all-capitals word, with a vowel.
_WORDLIKE = re.compile(r"(?=[A-Za-z]*[AEIOUYaeiouy])(?:[A-Z]?[a-z]+|[A-Z]{2,})")
_PUNCTUATION = re.compile(r"^[^\w]+|[^\w]+$")


@runtime_checkable
class OcrEngine(Protocol):
    name: str

    def recognize(self, image_path: Path) -> list[OcrWord]:
        """Words with boxes (pixels) and confidences (0..1) of the image at ``image_path``."""
        ...

    def recognize_line(self, image_path: Path) -> list[OcrWord]:
        """Words of the image at ``image_path`` read as one line of text (a crop of one value)."""
        ...

    def detect_rotation(self, image_path: Path) -> int:
        """Degrees clockwise the page must be turned to be upright (0, 90, 180, 270)."""
        ...


class PageReading(NamedTuple):
    """An OCR'd page and the pixels its boxes refer to (turned as it was read)."""

    page: OcrPage
    image: PageImage


class ReadingQuality(NamedTuple):
    """How well one reading of a page went, from its words alone."""

    good_words: int  # read with confidence >= GOOD_WORD
    mean_confidence: float
    wordlike_share: float  # of the words with letters, those spelled like dictionary words
    edge_words: int  # touching the page's left or right side
    score: int  # what two readings of a page are compared by: confident, dictionary-like words

    @property
    def reads_well(self) -> bool:
        return (
            self.good_words >= MIN_GOOD_WORDS
            and self.mean_confidence >= MIN_MEAN_CONFIDENCE
            and self.wordlike_share >= MIN_WORDLIKE_SHARE
            and self.edge_words <= MAX_EDGE_WORDS
        )


def _is_wordlike(text: str) -> bool:
    return _WORDLIKE.fullmatch(_PUNCTUATION.sub("", text)) is not None


def _reading_quality(words: list[OcrWord], width: int) -> ReadingQuality:
    """The one measure of a reading (``width``: the page's, in the words' pixels). Numbers are left out of
    the word-like share: a billing page is mostly numbers and reads well."""
    good = [w for w in words if w.confidence >= GOOD_WORD]
    lettered = [
        w.text for w in words if any(c.isalpha() for c in w.text) and not any(c.isdigit() for c in w.text)
    ]
    margin = EDGE_SHARE * width
    return ReadingQuality(
        good_words=len(good),
        mean_confidence=sum(w.confidence for w in words) / len(words) if words else 0.0,
        wordlike_share=sum(map(_is_wordlike, lettered)) / len(lettered) if lettered else 0.0,
        edge_words=sum(1 for w in words if w.bbox[0] <= margin or w.bbox[0] + w.bbox[2] >= width - margin),
        score=sum(1 for w in good if _is_wordlike(w.text)),
    )


def reading_quality(page: OcrPage) -> ReadingQuality:
    return _reading_quality([word for line in page.lines for word in line.words], page.width)


def reads_well(page: OcrPage) -> bool:
    """Whether an OCR'd page needs no second reading (a blank page has nothing to read twice)."""
    return page.source is not PageSource.OCR or BLANK_STEP in page.steps or reading_quality(page).reads_well


def _recognize(page: PageImage, engine: OcrEngine, workdir: Path, ocr_dpi: int) -> tuple[Path, list[OcrWord]]:
    """The page's words, boxes in the page's pixels. A page above ``ocr_dpi`` is read from a copy scaled
    down to it, unless cleaning scaled it up (a fax, a low-resolution scan) to be read at that size.
    Tesseract scales every text line to one height before recognizing it, so pixels beyond ``ocr_dpi``
    cost layout-analysis time (a tenth of a page's OCR at 300 against 240 dpi) and read no field better
    (benchmarks/accuracy.py, same corpora at both)."""
    scale = 1.0 if was_upscaled(page) else min(1.0, ocr_dpi / page.dpi)
    pixels = page.pixels
    if scale < 1:
        pixels = cv2.resize(pixels, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    image_path = write_pgm(workdir / f"page-{page.number}.pgm", pixels)
    words = engine.recognize(image_path)
    if scale < 1:
        words = [word.model_copy(update={"bbox": _unscaled(word.bbox, scale)}) for word in words]
    return image_path, words


def write_pgm(path: Path, pixels: np.ndarray) -> Path:
    try:
        written = cv2.imwrite(str(path), pixels)
    except cv2.error as exc:
        raise OcrEngineError(f"cannot write page image to {path.parent}: {exc}") from exc
    if not written:
        raise OcrEngineError(f"cannot write page image to {path.parent}")
    return path


def _unscaled(box: BBox, scale: float) -> BBox:
    x, y, width, height = (round(value / scale) for value in box)
    return (x, y, width, height)


def _confirm_quarter_turn(page: PageImage, engine: OcrEngine, workdir: Path) -> PageImage:
    """The cleaning stage turns a page that looks sideways, but cannot tell 90 from 270 degrees and can be
    fooled by a photo's edges; the engine's orientation check on a half-size copy (0.5 s) settles it
    before the one full OCR pass."""
    if not any(step.startswith("quarter_turn") for step in page.steps):
        return page
    if any(step.startswith((UPRIGHT_STEP, "upside_down")) for step in page.steps):
        return page  # the cleaning stage's text-line test already gave a clear verdict
    small = cv2.resize(page.pixels, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    small_path = write_pgm(workdir / f"orientation-{page.number}.pgm", small)
    rotation = engine.detect_rotation(small_path)
    return rotate_page(page, rotation, "orientation") if rotation else page


def ocr_page(page: PageImage, engine: OcrEngine, workdir: Path, ocr_dpi: int = OCR_DPI) -> PageReading:
    """The cleaned page read by ``engine``, turned when the engine's orientation check says so; a page with
    no print (``MIN_INK_PIXELS``) is not read at all: no words, the step ``blank_page``."""
    if int((page.pixels < INK_LEVEL).sum()) < MIN_INK_PIXELS:
        return PageReading(_ocr_result(page, [], (*page.steps, BLANK_STEP)), page)
    page = _confirm_quarter_turn(page, engine, workdir)
    image_path, words = _recognize(page, engine, workdir, ocr_dpi)
    if not _quality(words, page).reads_well:
        rotation = engine.detect_rotation(image_path) or _cleaning_turned_upside_down(page)
        if rotation:
            turned = rotate_page(page, rotation, "orientation")
            _, turned_words = _recognize(turned, engine, workdir, ocr_dpi)
            if _quality(turned_words, turned).score > _quality(words, page).score:
                page, words = turned, turned_words
    return PageReading(_ocr_result(page, words, page.steps), page)


def _cleaning_turned_upside_down(page: PageImage) -> int:
    """180 when the cleaning stage turned the page over by its text-line test, which a page of capitals
    can fool (no ascenders, underscores below the line: a typed letter's stub page measured 2.3 and 10.7),
    and the engine's orientation check saw nothing to turn: the turn is tried undone. 0 otherwise."""
    return 180 if any(step.startswith("upside_down") for step in page.steps) else 0


def reread_original(
    read: PageReading, original: PageImage, engine: OcrEngine, workdir: Path, ocr_dpi: int = OCR_DPI
) -> PageReading:
    """The better of ``read`` (a poor reading of the cleaned page) and a reading of ``original``, the page
    as loaded, turned as the cleaned page was and nothing else (what bare tesseract would see). The steps
    say which was kept: the cleaning steps, then ``reread_original:kept:<score>><score>`` (words and
    boxes are the original's) or ``reread_original:dropped:<score><=<score>``."""
    steps = read.page.steps
    plain = turn_like(original, steps)
    _, words = _recognize(plain, engine, workdir, ocr_dpi)
    first, second = reading_quality(read.page).score, _quality(words, plain).score
    if second > first:
        return PageReading(_ocr_result(plain, words, (*steps, f"{REREAD_STEP}:kept:{second}>{first}")), plain)
    dropped = read.page.model_copy(update={"steps": (*steps, f"{REREAD_STEP}:dropped:{second}<={first}")})
    return PageReading(dropped, read.image)


def _quality(words: list[OcrWord], page: PageImage) -> ReadingQuality:
    return _reading_quality(words, page.pixels.shape[1])


def _ocr_result(page: PageImage, words: list[OcrWord], steps: tuple[str, ...]) -> OcrPage:
    height, width = page.pixels.shape[:2]
    return OcrPage(
        number=page.number,
        width=width,
        height=height,
        source=PageSource.OCR,
        lines=group_words_into_lines(words),
        steps=steps,
    )
