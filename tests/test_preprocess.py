"""Cleaning on synthetic text pages: upright, upside down, sideways and skewed pages come out upright; a fax
is smoothed before it is scaled up."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.models import PageImage
from pipeline.preprocess import ascender_ratio, estimate_skew, preprocess_page

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
TEXT = "Your balance is due by June 10, 2024; pay the full amount to avoid penalty and interest."


@pytest.fixture(scope="module")
def page() -> Image.Image:
    image = Image.new("L", (2550, 3300), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 40)
    words = TEXT.split()
    for row in range(40):  # every row different, as on a real page (identical rows make sharp columns)
        line = " ".join(words[row % len(words) :] + words[: row % len(words)])[: 40 + row % 30]
        draw.text((150 + 7 * (row % 5), 150 + row * 70), line, font=font, fill=0)
    return image


def _clean(image: Image.Image) -> PageImage:
    return preprocess_page(PageImage(number=1, dpi=300, pixels=np.asarray(image)))


def test_upright_page_gets_a_clear_verdict_and_nothing_else(page: Image.Image) -> None:
    cleaned = _clean(page)
    assert [step.split(":")[0] for step in cleaned.steps] == ["upright"]
    assert ascender_ratio(cleaned.pixels)[0] < 0.67


def test_upside_down_page_is_turned_before_ocr(page: Image.Image) -> None:
    cleaned = _clean(page.rotate(180))
    assert any(step.startswith("upside_down") for step in cleaned.steps)
    assert np.array_equal(cleaned.pixels, np.asarray(page))


@pytest.mark.parametrize("turn", [90, 270])
def test_sideways_page_comes_out_upright(page: Image.Image, turn: int) -> None:
    cleaned = _clean(page.rotate(turn, expand=True))
    assert cleaned.pixels.shape == (3300, 2550)
    assert np.array_equal(cleaned.pixels, np.asarray(page))


@pytest.mark.parametrize("angle", [-8.0, -1.5, 3.0, 10.0])
def test_skew_is_estimated_within_a_fifth_of_a_degree(page: Image.Image, angle: float) -> None:
    turned = np.asarray(page.rotate(angle, fillcolor=255))
    assert abs(estimate_skew(turned, 12.0) + angle) <= 0.2  # the turn that undoes it


def test_a_page_lit_from_one_side_is_not_taken_for_a_sheet_on_a_table(page: Image.Image) -> None:
    """Otsu's threshold splits such a page along the light's falloff; unwarping its bright part cut off
    the text in the shade."""
    pixels = np.asarray(page).astype(np.float32)
    light = np.linspace(0.6, 0.9, pixels.shape[1], dtype=np.float32)  # darker to the left
    cleaned = preprocess_page(PageImage(number=1, dpi=300, pixels=(pixels * light).astype(np.uint8)))
    assert not any(step.startswith("unwarp_photo") for step in cleaned.steps)
    assert cleaned.pixels.shape == pixels.shape


def test_a_sheet_on_a_darker_table_is_cut_out(page: Image.Image) -> None:
    table = np.full((3700, 2900), 110, np.uint8)
    table[200:3500, 175:2725] = np.asarray(page)
    cleaned = preprocess_page(PageImage(number=1, dpi=300, pixels=table))
    assert cleaned.steps[0] == "unwarp_photo"
    assert abs(cleaned.pixels.shape[1] - 2550) < 20 and abs(cleaned.pixels.shape[0] - 3300) < 20


def _fax_and_original() -> tuple[np.ndarray, np.ndarray]:
    """The same lines of bold text as a 200-dpi fax (thresholded, 5% toner dropout) and as ink at 300 dpi."""
    rng = np.random.default_rng(12)
    pages = []
    for dpi in (200, 300):
        image = Image.new("L", (int(8.5 * dpi), int(3 * dpi)), 255)
        draw, font = ImageDraw.Draw(image), ImageFont.truetype(BOLD_FONT, round(10 * dpi / 72))
        for row in range(6):
            draw.text(
                (dpi // 2, dpi // 4 + row * dpi // 4), f"Phone 800-829-0922 December 31, 202{row}", font=font
            )
        pages.append(np.asarray(image) < 128)
    fax = pages[0] & (rng.random(pages[0].shape) > 0.05)
    return np.where(fax, 0, 255).astype(np.uint8), pages[1]


def test_a_fax_is_smoothed_before_it_is_scaled_up_so_its_strokes_come_out_whole() -> None:
    """Scaled as it was, a fax's staircase edges and dropout holes were scaled too (bold zeros read as 6
    and 8); smoothed first, the thresholded page is closer to the ink that was printed."""
    fax, printed = _fax_and_original()
    cleaned = preprocess_page(PageImage(number=1, dpi=200, pixels=fax))
    assert "upscale:200->300dpi:smoothed" in cleaned.steps
    plain = cv2.resize(fax, None, fx=1.5, fy=1.5, interpolation=cv2.INTER_CUBIC)

    def overlap(pixels: np.ndarray) -> float:
        ink = pixels[: printed.shape[0], : printed.shape[1]] < 128
        return float((ink & printed).sum() / (ink | printed).sum())

    assert overlap(cleaned.pixels) > overlap(plain) + 0.02
