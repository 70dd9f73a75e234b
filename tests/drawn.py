"""Pages drawn for the tests that run a real OCR step on known print: white 300-dpi pixels with rows of
text at given positions, and each row's box (what a perfect OCR would report for it)."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from pipeline.models import BBox, PageImage

SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"


def draw_page(
    rows: list[tuple[tuple[int, int], str]], font: str, size: int, height: int = 1200
) -> tuple[PageImage, list[BBox]]:
    image = Image.new("L", (2550, height), 255)
    draw = ImageDraw.Draw(image)
    face = ImageFont.truetype(font, size)
    boxes = []
    for position, text in rows:
        draw.text(position, text, font=face, fill=0)
        left, top, right, bottom = draw.textbbox(position, text, font=face)
        boxes.append((left, top, right - left, bottom - top))
    return PageImage(number=1, dpi=300, pixels=np.array(image)), boxes
