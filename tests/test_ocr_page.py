"""``ocr_page`` with a fake engine: orientation is retried only when the first reading is poor."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from pipeline.models import OcrWord, PageImage
from pipeline.ocr import ocr_page


def _words(confidence: float, count: int = 40) -> list[OcrWord]:
    return [
        OcrWord(text=f"word{i}", confidence=confidence, bbox=(10 + 60 * (i % 10), 20 * (i // 10), 50, 12))
        for i in range(count)
    ]


class FakeEngine:
    """Replays recorded readings: the first call reads garbage, the next reads well."""

    name = "fake"

    def __init__(self, readings: list[list[OcrWord]], rotation: int) -> None:
        self.readings = readings
        self.rotation = rotation
        self.recognized: list[Path] = []
        self.orientation_checks = 0

    def recognize(self, image_path: Path) -> list[OcrWord]:
        self.recognized.append(image_path)
        return self.readings[len(self.recognized) - 1]

    def detect_rotation(self, image_path: Path) -> int:
        self.orientation_checks += 1
        return self.rotation


def _page(steps: tuple[str, ...] = ()) -> PageImage:
    return PageImage(number=1, dpi=300, pixels=np.full((40, 30), 255, np.uint8), steps=steps)


def test_good_reading_is_not_second_guessed(tmp_path: Path) -> None:
    engine = FakeEngine([_words(0.95)], rotation=180)
    page = ocr_page(_page(), engine, tmp_path)
    assert engine.orientation_checks == 0 and len(engine.recognized) == 1
    assert page.lines[0].text.startswith("word0")


def test_poor_reading_of_upside_down_page_is_read_again_turned(tmp_path: Path) -> None:
    engine = FakeEngine([_words(0.2), _words(0.93)], rotation=180)
    page = ocr_page(_page(), engine, tmp_path)
    assert engine.orientation_checks == 1 and len(engine.recognized) == 2
    assert "orientation:180" in page.steps
    assert page.lines[0].confidence > 0.9


def test_quarter_turn_is_confirmed_before_the_one_ocr_pass(tmp_path: Path) -> None:
    engine = FakeEngine([_words(0.95)], rotation=180)
    page = ocr_page(_page(("quarter_turn:90",)), engine, tmp_path)
    assert engine.orientation_checks == 1 and len(engine.recognized) == 1
    assert page.steps == ("quarter_turn:90", "orientation:180")
    assert (page.width, page.height) == (30, 40)


class SizeRecordingEngine(FakeEngine):
    """Also records the size of every image it is given."""

    def __init__(self, readings: list[list[OcrWord]]) -> None:
        super().__init__(readings, rotation=0)
        self.sizes: list[tuple[int, int]] = []

    def recognize(self, image_path: Path) -> list[OcrWord]:
        height, width = cv2.imread(str(image_path), cv2.IMREAD_GRAYSCALE).shape
        self.sizes.append((width, height))
        return super().recognize(image_path)


def test_a_page_above_the_ocr_resolution_is_read_scaled_down_boxes_in_page_pixels(
    tmp_path: Path,
) -> None:
    page = PageImage(number=1, dpi=300, pixels=np.full((3300, 2550), 255, np.uint8))
    engine = SizeRecordingEngine([_words(0.95)])
    read = ocr_page(page, engine, tmp_path, ocr_dpi=240)
    assert engine.sizes == [(2040, 2640)]
    assert (read.width, read.height) == (2550, 3300)
    first = read.lines[0].words[0]
    assert first.bbox == (round(10 / 0.8), 0, round(50 / 0.8), round(12 / 0.8))


def test_a_page_at_or_below_the_ocr_resolution_is_read_as_it_is(tmp_path: Path) -> None:
    page = PageImage(number=1, dpi=200, pixels=np.full((2200, 1700), 255, np.uint8))
    engine = SizeRecordingEngine([_words(0.95)])
    read = ocr_page(page, engine, tmp_path, ocr_dpi=240)
    assert engine.sizes == [(1700, 2200)]
    assert read.lines[0].words[0].bbox == (10, 0, 50, 12)


def test_a_page_cleaning_scaled_up_is_read_at_that_size(tmp_path: Path) -> None:
    pixels = np.full((3300, 2550), 255, np.uint8)
    page = PageImage(number=1, dpi=300, pixels=pixels, steps=("upscale:200->300dpi",))
    engine = SizeRecordingEngine([_words(0.95)])
    ocr_page(page, engine, tmp_path, ocr_dpi=240)
    assert engine.sizes == [(2550, 3300)]
