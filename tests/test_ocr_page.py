"""``ocr_page`` with a fake engine: orientation is retried only when the first reading is poor; ``read_page``
reads a page that reads poorly after cleaning once more as it was loaded, and keeps the better reading."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import cv2
import numpy as np
import pytest

from pipeline.load import FileType, PageRef
from pipeline.models import OcrWord, PageImage
from pipeline.ocr import ocr_page, reads_well, reread_original
from pipeline.process import PipelineContext, read_page

TEXT = ("notice", "balance", "amount", "due", "penalty", "interest", "payment", "taxpayer", "period", "date")


def _words(confidence: float, count: int = 40, left: int = 100) -> list[OcrWord]:
    """``count`` words in rows of ten, 60 pixels apart from ``left`` on."""
    return [
        OcrWord(
            text=TEXT[i % len(TEXT)],
            confidence=confidence,
            bbox=(left + 60 * (i % 10), 20 * (i // 10), 50, 12),
        )
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

    def recognize_line(self, image_path: Path) -> list[OcrWord]:
        raise AssertionError("no SSN label on these pages: nothing to read again")

    def detect_rotation(self, image_path: Path) -> int:
        self.orientation_checks += 1
        return self.rotation


def _printed(shape: tuple[int, int]) -> np.ndarray:
    """A white page with print on it (a dark band where a line of text would be): the engine is asked."""
    pixels = np.full(shape, 255, np.uint8)
    pixels[100:112, 100:300] = 0
    return pixels


def _page(steps: tuple[str, ...] = ()) -> PageImage:
    return PageImage(number=1, dpi=100, pixels=_printed((1100, 850)), steps=steps)


def test_a_page_without_print_is_not_read() -> None:
    """A blank separator sheet's faint specks (its darkest pixel 207) kept tesseract busy past its timeout
    and failed a whole stack: a page with no ink is blank, read by nobody, and not read twice."""
    pixels = np.full((1100, 850), 250, np.uint8)
    pixels[::37, ::41] = 207
    engine = FakeEngine([], rotation=0)
    read = ocr_page(PageImage(number=1, dpi=100, pixels=pixels), engine, Path("."))
    assert engine.recognized == [] and engine.orientation_checks == 0
    assert read.page.lines == () and "blank_page" in read.page.steps and reads_well(read.page)


def test_good_reading_is_not_second_guessed(tmp_path: Path) -> None:
    engine = FakeEngine([_words(0.95)], rotation=180)
    page = ocr_page(_page(), engine, tmp_path).page
    assert engine.orientation_checks == 0 and len(engine.recognized) == 1
    assert page.lines[0].text.startswith("notice balance")


def test_poor_reading_of_upside_down_page_is_read_again_turned(tmp_path: Path) -> None:
    engine = FakeEngine([_words(0.2), _words(0.93)], rotation=180)
    page = ocr_page(_page(), engine, tmp_path).page
    assert engine.orientation_checks == 1 and len(engine.recognized) == 2
    assert "orientation:180" in page.steps
    assert page.lines[0].confidence > 0.9


def test_a_page_the_cleaning_turned_over_that_then_reads_poorly_is_read_with_the_turn_undone(
    tmp_path: Path,
) -> None:
    """A typed letter's stub page, all capitals, fooled the text-line test into turning it over; the engine's
    orientation check then saw nothing to turn. The turn is tried undone, and kept as it reads better."""
    engine = FakeEngine([_words(0.2), _words(0.93)], rotation=0)
    page = ocr_page(_page(("upside_down:2.26:180",)), engine, tmp_path).page
    assert len(engine.recognized) == 2 and "orientation:180" in page.steps
    assert page.lines[0].confidence > 0.9
    never_turned = FakeEngine([_words(0.2)], rotation=0)
    assert ocr_page(_page(), never_turned, tmp_path).page.steps == () and len(never_turned.recognized) == 1


def test_quarter_turn_is_confirmed_before_the_one_ocr_pass(tmp_path: Path) -> None:
    engine = FakeEngine([_words(0.95)], rotation=180)
    page = ocr_page(_page(("quarter_turn:90",)), engine, tmp_path).page
    assert engine.orientation_checks == 1 and len(engine.recognized) == 1
    assert page.steps == ("quarter_turn:90", "orientation:180")
    assert (page.width, page.height) == (850, 1100)


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
    page = PageImage(number=1, dpi=300, pixels=_printed((3300, 2550)))
    engine = SizeRecordingEngine([_words(0.95)])
    read = ocr_page(page, engine, tmp_path, ocr_dpi=240).page
    assert engine.sizes == [(2040, 2640)]
    assert (read.width, read.height) == (2550, 3300)
    first = read.lines[0].words[0]
    assert first.bbox == (round(100 / 0.8), 0, round(50 / 0.8), round(12 / 0.8))


def test_a_page_at_or_below_the_ocr_resolution_is_read_as_it_is(tmp_path: Path) -> None:
    page = PageImage(number=1, dpi=200, pixels=_printed((2200, 1700)))
    engine = SizeRecordingEngine([_words(0.95)])
    read = ocr_page(page, engine, tmp_path, ocr_dpi=240).page
    assert engine.sizes == [(1700, 2200)]
    assert read.lines[0].words[0].bbox == (100, 0, 50, 12)


def test_a_page_cleaning_scaled_up_is_read_at_that_size(tmp_path: Path) -> None:
    pixels = _printed((3300, 2550))
    page = PageImage(number=1, dpi=300, pixels=pixels, steps=("upscale:200->300dpi",))
    engine = SizeRecordingEngine([_words(0.95)])
    ocr_page(page, engine, tmp_path, ocr_dpi=240)
    assert engine.sizes == [(2550, 3300)]


def _loaded_page(tmp_path: Path) -> PageRef:
    """A blank 200-dpi page image on disk (the fake engine reads nothing from it)."""
    cv2.imwrite(str(tmp_path / "page.png"), _printed((2200, 1700)))
    return PageRef(number=1, path=tmp_path / "page.png", file_type=FileType.PNG, frame=0)


def _read(tmp_path: Path, engine: FakeEngine) -> tuple[list[str], dict[str, float]]:
    context = dataclasses.replace(PipelineContext.default(dt.date(2024, 1, 1)), engine=engine)
    page, timings = read_page(_loaded_page(tmp_path), context, tmp_path)
    return list(page.steps), timings


def test_a_page_that_reads_well_after_cleaning_is_read_once(tmp_path: Path) -> None:
    engine = FakeEngine([_words(0.95)], rotation=0)
    steps, timings = _read(tmp_path, engine)
    assert len(engine.recognized) == 1 and "ocr_reread" not in timings
    assert not any(step.startswith("reread_original") for step in steps)


@pytest.mark.parametrize(
    "poor",
    [
        pytest.param(_words(0.3), id="low-confidence"),
        pytest.param([w.model_copy(update={"text": "Ww:"}) for w in _words(0.9)], id="not-words"),
        pytest.param(_words(0.95, left=0), id="text-cut-at-the-side"),  # cleaning cut the sheet
    ],
)
def test_a_page_that_reads_poorly_after_cleaning_is_read_again_as_loaded(
    tmp_path: Path, poor: list[OcrWord]
) -> None:
    engine = FakeEngine([poor, _words(0.95, count=60)], rotation=0)
    steps, timings = _read(tmp_path, engine)
    assert len(engine.recognized) == 2 and "ocr_reread" in timings
    assert steps[-1].startswith("reread_original:kept:")


def test_the_cleaned_reading_is_kept_when_the_page_as_loaded_reads_worse(tmp_path: Path) -> None:
    engine = FakeEngine([_words(0.5, count=60), _words(0.2)], rotation=0)
    steps, _ = _read(tmp_path, engine)
    assert len(engine.recognized) == 2
    assert steps[-1].startswith("reread_original:dropped:") and steps[0].startswith("upscale")


def test_the_page_as_loaded_is_read_turned_as_the_cleaning_turned_it(tmp_path: Path) -> None:
    cleaned = ocr_page(_page(("quarter_turn:90",)), FakeEngine([_words(0.3)], rotation=0), tmp_path)
    engine = SizeRecordingEngine([_words(0.95)])
    original = PageImage(number=1, dpi=100, pixels=_printed((850, 1100)))  # on its side
    read = reread_original(cleaned, original, engine, tmp_path).page
    assert engine.sizes == [(850, 1100)]  # read upright, as the cleaned page was
    assert read.steps[-1].startswith("reread_original:kept")
