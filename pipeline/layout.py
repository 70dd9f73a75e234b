"""Group words into reading-order rows, the same way for OCR output and for PDF text layers.

``group_words_into_lines(words)`` returns ``OcrLine`` rows: words whose vertical centres fall within half a
line height of each other form one row, read left to right. A wide horizontal gap (more than three
character widths) is written as four spaces, so a label and its value printed far apart in a header block
still share a row, while extractors can still tell the columns apart.
"""

from __future__ import annotations

from bisect import insort
from statistics import median

from pipeline.models import BBox, OcrLine, OcrWord

COLUMN_GAP = "    "


def group_words_into_lines(words: list[OcrWord]) -> tuple[OcrLine, ...]:
    rows: list[_Row] = []
    for word in sorted(words, key=lambda w: (w.bbox[1] + w.bbox[3] / 2, w.bbox[0])):
        centre = word.bbox[1] + word.bbox[3] / 2
        if rows and abs(centre - rows[-1].centre()) <= max(4.0, 0.5 * rows[-1].height()):
            rows[-1].add(word, centre)
        else:
            rows.append(_Row(word, centre))
    return tuple(_make_line(sorted(row.words, key=lambda w: w.bbox[0])) for row in rows)


class _Row:
    """The words of one row, with their centres and heights kept sorted for the medians."""

    __slots__ = ("words", "_centres", "_heights")

    def __init__(self, word: OcrWord, centre: float) -> None:
        self.words = [word]
        self._centres = [centre]
        self._heights = [float(word.bbox[3])]

    def add(self, word: OcrWord, centre: float) -> None:
        self.words.append(word)
        insort(self._centres, centre)
        insort(self._heights, float(word.bbox[3]))

    def centre(self) -> float:
        return _median_of_sorted(self._centres)

    def height(self) -> float:
        return _median_of_sorted(self._heights)


def _median_of_sorted(values: list[float]) -> float:
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def _make_line(row: list[OcrWord]) -> OcrLine:
    char_width = median(w.bbox[2] / max(1, len(w.text)) for w in row)
    parts = [row[0].text]
    for previous, word in zip(row, row[1:], strict=False):
        gap = word.bbox[0] - (previous.bbox[0] + previous.bbox[2])
        parts.append(COLUMN_GAP if gap > 3 * char_width else " ")
        parts.append(word.text)
    return OcrLine(
        text="".join(parts),
        bbox=_union(w.bbox for w in row),
        confidence=round(sum(w.confidence for w in row) / len(row), 3),
        words=tuple(row),
    )


def _union(boxes: object) -> BBox:
    xs0, ys0, xs1, ys1 = [], [], [], []
    for x, y, w, h in boxes:  # type: ignore[attr-defined]
        xs0.append(x)
        ys0.append(y)
        xs1.append(x + w)
        ys1.append(y + h)
    return (min(xs0), min(ys0), max(xs1) - min(xs0), max(ys1) - min(ys0))
