"""Read a PDF's own text layer, with word boxes, without OCR.

``read_text_layer(path, dpi) -> {page number: OcrPage}`` runs poppler's ``pdftotext -bbox`` once for the
whole file and returns every page that has words, with boxes scaled to pixels at ``dpi`` so they line up
with a rendered page. Text-layer words are exact: confidence 1.0. Pages without words are absent.
"""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from pipeline.errors import CorruptDocument
from pipeline.layout import group_words_into_lines
from pipeline.models import OcrPage, OcrWord, PageSource

POINTS_PER_INCH = 72


def read_text_layer(path: Path, dpi: int) -> dict[int, OcrPage]:
    run = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, timeout=120)
    if run.returncode != 0:
        raise CorruptDocument("the PDF's text cannot be read: " + run.stderr.decode(errors="replace")[:200])
    try:
        root = ElementTree.fromstring(run.stdout)
    except ElementTree.ParseError as exc:
        raise CorruptDocument(f"the PDF's text layer is malformed: {exc}") from exc
    scale = dpi / POINTS_PER_INCH
    pages = {}
    for number, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), start=1):
        words = [_word(node, scale) for node in page.iter("{http://www.w3.org/1999/xhtml}word") if node.text]
        if words:
            pages[number] = OcrPage(
                number=number,
                width=round(float(page.get("width", 612)) * scale),
                height=round(float(page.get("height", 792)) * scale),
                source=PageSource.TEXT_LAYER,
                lines=group_words_into_lines(words),
            )
    return pages


def _word(node: ElementTree.Element, scale: float) -> OcrWord:
    x0, y0 = float(node.get("xMin", 0)) * scale, float(node.get("yMin", 0)) * scale
    x1, y1 = float(node.get("xMax", 0)) * scale, float(node.get("yMax", 0)) * scale
    box = (round(x0), round(y0), max(1, round(x1 - x0)), max(1, round(y1 - y0)))
    return OcrWord(text=node.text or "", confidence=1.0, bbox=box)
