"""OCR a cleaned page: the ``OcrEngine`` protocol and ``ocr_page``.

``ocr_page(page, engine, workdir, ocr_dpi) -> OcrPage`` writes the page once as uncompressed PGM (tesseract
reads it without decoding cost; PNG would cost seconds on a noisy scan), scaled down to ``ocr_dpi`` when it
has more (boxes come back in the page's own pixels), recognizes words with boxes and confidences in one
engine call, and groups them into rows. A page the cleaning stage turned a quarter is
first checked with the engine's orientation detection. When the words read badly (low confidence), it
asks the engine which way the page is turned and, if it is turned, reads the turned page once more and keeps
the better reading. Raises ``OcrEngineError`` when the engine fails.

The tesseract engine is ``pipeline.tesseract``; tests give ``ocr_page`` a fake engine that replays recorded
words.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

import cv2
import numpy as np

from pipeline.errors import OcrEngineError
from pipeline.layout import group_words_into_lines
from pipeline.models import BBox, OcrPage, OcrWord, PageImage, PageSource
from pipeline.preprocess import UPRIGHT_STEP, UPSCALE_STEP, rotate_page

OCR_DPI = 240  # pages cleaned at more are read from a copy scaled down to this (see _recognize)
GOOD_WORD = 0.7
MIN_GOOD_WORDS = 25
MIN_MEAN_CONFIDENCE = 0.6


@runtime_checkable
class OcrEngine(Protocol):
    name: str

    def recognize(self, image_path: Path) -> list[OcrWord]:
        """Words with boxes (pixels) and confidences (0..1) of the image at ``image_path``."""
        ...

    def detect_rotation(self, image_path: Path) -> int:
        """Degrees clockwise the page must be turned to be upright (0, 90, 180, 270)."""
        ...


def _reading_quality(words: list[OcrWord]) -> tuple[int, float]:
    good = sum(1 for w in words if w.confidence >= GOOD_WORD)
    mean = sum(w.confidence for w in words) / len(words) if words else 0.0
    return good, mean


def _reads_well(words: list[OcrWord]) -> bool:
    good, mean = _reading_quality(words)
    return good >= MIN_GOOD_WORDS and mean >= MIN_MEAN_CONFIDENCE


def _recognize(page: PageImage, engine: OcrEngine, workdir: Path, ocr_dpi: int) -> tuple[Path, list[OcrWord]]:
    """The page's words, boxes in the page's pixels. A page above ``ocr_dpi`` is read from a copy scaled
    down to it, unless cleaning scaled it up (a fax, a low-resolution scan) to be read at that size.
    Tesseract scales every text line to one height before recognizing it, so pixels beyond ``ocr_dpi``
    cost layout-analysis time (a tenth of a page's OCR at 300 against 240 dpi) and read no field better
    (benchmarks/accuracy.py, same corpora at both)."""
    upscaled = any(step.startswith(UPSCALE_STEP) for step in page.steps)
    scale = 1.0 if upscaled else min(1.0, ocr_dpi / page.dpi)
    pixels = page.pixels
    if scale < 1:
        pixels = cv2.resize(pixels, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    image_path = _write_pgm(workdir / f"page-{page.number}.pgm", pixels)
    words = engine.recognize(image_path)
    if scale < 1:
        words = [word.model_copy(update={"bbox": _unscaled(word.bbox, scale)}) for word in words]
    return image_path, words


def _write_pgm(path: Path, pixels: np.ndarray) -> Path:
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
    small_path = _write_pgm(workdir / f"orientation-{page.number}.pgm", small)
    rotation = engine.detect_rotation(small_path)
    return rotate_page(page, rotation, "orientation") if rotation else page


def ocr_page(page: PageImage, engine: OcrEngine, workdir: Path, ocr_dpi: int = OCR_DPI) -> OcrPage:
    page = _confirm_quarter_turn(page, engine, workdir)
    image_path, words = _recognize(page, engine, workdir, ocr_dpi)
    if not _reads_well(words):
        rotation = engine.detect_rotation(image_path)
        if rotation:
            turned = rotate_page(page, rotation, "orientation")
            _, turned_words = _recognize(turned, engine, workdir, ocr_dpi)
            if _reading_quality(turned_words) > _reading_quality(words):
                page, words = turned, turned_words
    height, width = page.pixels.shape[:2]
    return OcrPage(
        number=page.number,
        width=width,
        height=height,
        source=PageSource.OCR,
        lines=group_words_into_lines(words),
        steps=page.steps,
    )
