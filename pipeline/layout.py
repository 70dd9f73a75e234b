"""Group words into reading-order rows, the same way for OCR output and for PDF text layers.

``group_words_into_lines(words)`` returns ``OcrLine`` rows: words whose vertical centres fall within half a
line height of each other form one row, read left to right. A wide horizontal gap (more than three
character widths) is written as four spaces, so a label and its value printed far apart in a header block
still share a row, while extractors can still tell the columns apart.

``stacked_label_lines(rows)`` pairs a label with the values printed directly below it in the same column
(header boxes and letters print "Notice date" over "January 30, 2018"; stubs print "Amount due by" over the
date over the amount): each pairing is one more row, "Notice date    January 30, 2018", returned with the
index of the label's row so it can be read right after it. A label's last word that OCR put in the next
row (its baseline a little lower: "Tax" then "year" beside it) is joined back to it. Labels set too close
to be told apart by their gap ("Social Security number Caller ID") are cut where the next row's columns
start. The heading row of a table of tax periods pairs with nothing: its labels head columns of many rows. A
label with another column's print far beside it (the address block right of "Notice date") pairs with the
value under it too, and a stub's "Amount due by" with its amount beside it with the date under it.

A dot leader between a label and its value ("TAX YEAR..........: 2022", which OCR also reads as "TAX
YEAR... eee ee es 2022") is no word: rows are made without it (``without_leaders``), so the label and its
value stand a column gap apart. So is a box's rule OCR glued to the front of a cell's first word ("‘Date"),
and a short word OCR doubted whose box reaches into both neighbours' (``without_phantoms``: the print between
them read twice, "RIVERBEND VD DR").
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Callable, Iterable, Iterator, Sequence
from statistics import median

import regex

from extractors.dates import parse_month
from extractors.periods import is_period_heading
from extractors.text import NEXT_LABEL_WORDS
from pipeline.models import BBox, OcrLine, OcrWord

COLUMN_GAP = "    "


def group_words_into_lines(words: list[OcrWord]) -> tuple[OcrLine, ...]:
    rows: list[_Row] = []
    for word in sorted(words, key=lambda w: (w.bbox[1] + w.bbox[3] / 2, w.bbox[0])):
        centre = word.bbox[1] + word.bbox[3] / 2
        if rows and abs(centre - rows[-1].centre_near(word)) <= max(4.0, 0.5 * rows[-1].height()):
            rows[-1].add(word)
        else:
            rows.append(_Row(word))
    return tuple(_make_line(sorted(row.words, key=lambda w: w.bbox[0])) for row in rows)


class _Row:
    """The words of one row, with their heights kept sorted for the median."""

    __slots__ = ("words", "_heights")

    def __init__(self, word: OcrWord) -> None:
        self.words = [word]
        self._heights = [float(word.bbox[3])]

    def add(self, word: OcrWord) -> None:
        self.words.append(word)
        insort(self._heights, float(word.bbox[3]))

    def centre_near(self, word: OcrWord) -> float:
        """The centre of the row's word nearest ``word`` along the row: two columns printed side by side
        may sit a little apart in height ("P.O. Box 219236" beside "November 22, 2024"), so a word is
        measured against its neighbour, not against the other column."""
        left, right = word.bbox[0], word.bbox[0] + word.bbox[2]
        nearest = min(self.words, key=lambda w: max(w.bbox[0] - right, left - (w.bbox[0] + w.bbox[2]), 0))
        return nearest.bbox[1] + nearest.bbox[3] / 2

    def height(self) -> float:
        return _median_of_sorted(self._heights)


def _median_of_sorted(values: list[float]) -> float:
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def _char_width(row: Sequence[OcrWord]) -> float:
    return median(w.bbox[2] / max(1, len(w.text)) for w in row)


def _is_column_gap(previous: OcrWord, word: OcrWord, char_width: float) -> bool:
    return word.bbox[0] - (previous.bbox[0] + previous.bbox[2]) > 3 * char_width


# A dot or dash leader between a label and its value ("TAX YEAR..........: 2022", "Date ------ 11/28/2025"),
# inside a word or standing alone, and what OCR makes of the rest of a dot leader: small lowercase letters,
# mostly "e" and "c" ("cee ece eeee", "veces").
_LEADER = regex.compile(r"[.,:;+!·…'‘’=_~—–-]*(?:\.{2,}|\+{2,}|[—–-]{2,})[.,:;+!·…'‘’=_~—–-]*")
_DASH = regex.compile(r"[—–-]")  # one dash of a spaced dash leader ("Date - - - - - 11/28/2025")
_LEADER_NOISE = regex.compile(r"[ceinsuvaoxrtw.,:+-]{1,40}")


def _is_leader_noise(text: str, share: float = 0.5) -> bool:
    """Leader noise: mostly (``share``) "e", "c" and dots."""
    return _LEADER_NOISE.fullmatch(text) is not None and sum(c in "ec.+" for c in text) >= share * len(text)


# After a label's single dot ("DATE. cece ccccccrvecccc OCT. 23, 2023") only words of three or more
# characters, nearly all "e" and "c", are leader noise: "notice. once" or "year. see" are prose.
_NOISE_AFTER_DOT = 0.75


def without_leaders(row: Sequence[OcrWord]) -> list[OcrWord]:
    """``row`` without its dot leaders: a word holding one keeps its other parts (each with its share of
    the box), and the noise that follows a leader is dropped up to the value. The gap they leave is a
    column gap, as between any label and its value."""
    kept: list[OcrWord] = []
    after_leader = False
    for index, word in enumerate(row):
        if after_leader and _is_leader_noise(word.text):
            continue
        if _is_spaced_dash(row, index):
            after_leader = True
            continue
        parts = _LEADER.split(word.text)
        if len(parts) == 1:
            kept.append(word)
            after_leader = word.text.endswith(".") and _noise_follows(row[index + 1 :])
            continue
        # parts[0] stands before the first leader; every later part follows one, and may be its noise
        pieces = [part for index, part in enumerate(parts) if part and not (index and _is_leader_noise(part))]
        kept += _word_pieces(word, pieces)
        after_leader = not parts[-1] or _is_leader_noise(parts[-1])
    return kept or list(row)


def _is_spaced_dash(row: Sequence[OcrWord], index: int) -> bool:
    """A lone dash beside another: a dash leader printed as spaced dashes, not a sentence's dash."""
    neighbours = [*row[max(0, index - 1) : index], *row[index + 1 : index + 2]]
    return _DASH.fullmatch(row[index].text) is not None and any(_DASH.fullmatch(w.text) for w in neighbours)


def _noise_follows(rest: Sequence[OcrWord]) -> bool:
    return bool(rest) and len(rest[0].text) >= 3 and _is_leader_noise(rest[0].text, _NOISE_AFTER_DOT)


def _word_pieces(word: OcrWord, pieces: list[str]) -> list[OcrWord]:
    x, y, width, height = word.bbox
    per_char = width / max(1, len(word.text))
    found, start = [], 0
    for piece in pieces:
        start = word.text.index(piece, start)
        left = x + round(start * per_char)
        box = (left, y, max(1, round(len(piece) * per_char)), height)
        found.append(word.model_copy(update={"text": piece, "bbox": box}))
        start += len(piece)
    return found


# A table's or a box's vertical rule that OCR read as a glyph ("|", "—|", "||" beside a cell's value).
_RULE_GLYPHS = regex.compile(r"[|¦\[\]—–_-]*[|¦][|¦\[\]—–_-]*")


def without_rules(row: Sequence[OcrWord]) -> list[OcrWord]:
    """``row`` without the words that are a rule read as glyphs: the gap they leave is a column gap."""
    kept = [word for word in row if not _RULE_GLYPHS.fullmatch(word.text)]
    return kept or list(row)


# A box's vertical rule that OCR read into the first letter of the cell beside it, as a quote mark or a bar
# ("‘Date    2026-11-11" for "Date" beside a skewed box's left edge).
_GLUED_RULE = regex.compile(r"^[‘’'`|\[](?=\p{Lu})")


def without_glued_rules(row: Sequence[OcrWord], char_width: float) -> list[OcrWord]:
    """``row`` with the rule glued to the front of a word that starts the row or a column taken off."""
    kept = []
    for index, word in enumerate(row):
        starts_cell = index == 0 or _is_column_gap(row[index - 1], word, char_width)
        glued = _GLUED_RULE.match(word.text) if starts_cell else None
        kept.append(_word_pieces(word, [word.text[glued.end() :]])[0] if glued else word)
    return kept


_PHANTOM_READ, _PHANTOM_CHARS = 0.7, 2  # a word OCR doubted, this short, overlapping both neighbours


def without_phantoms(row: Sequence[OcrWord]) -> list[OcrWord]:
    """``row`` without the short words OCR doubted (below ``_PHANTOM_READ``) whose box reaches into both
    neighbours' boxes: the print between two words read a second time ("RIVERBEND VD DR", "MARK AND VD
    PATRICIA" on scans of two families), not a word of its own."""
    return [
        word
        for index, word in enumerate(row)
        if not (0 < index < len(row) - 1 and _is_phantom(row[index - 1], word, row[index + 1]))
    ]


def _is_phantom(left: OcrWord, word: OcrWord, right: OcrWord) -> bool:
    return (
        word.confidence < _PHANTOM_READ
        and len(word.text) <= _PHANTOM_CHARS
        and word.bbox[0] < left.bbox[0] + left.bbox[2]
        and right.bbox[0] < word.bbox[0] + word.bbox[2]
    )


def _make_line(row: Sequence[OcrWord]) -> OcrLine:
    row = without_rules(without_leaders(without_phantoms(row)))
    char_width = _char_width(row)
    row = without_glued_rules(row, char_width)
    parts = [row[0].text]
    for previous, word in zip(row, row[1:], strict=False):
        parts.append(COLUMN_GAP if _is_column_gap(previous, word, char_width) else " ")
        parts.append(word.text)
    return OcrLine(
        text="".join(parts),
        bbox=union_box(w.bbox for w in row),
        confidence=round(sum(w.confidence for w in row) / len(row), 3),
        words=tuple(row),
    )


def union_box(boxes: Iterable[BBox]) -> BBox:
    xs0, ys0, xs1, ys1 = [], [], [], []
    for x, y, w, h in boxes:
        xs0.append(x)
        ys0.append(y)
        xs1.append(x + w)
        ys1.append(y + h)
    return (min(xs0), min(ys0), max(xs1) - min(xs0), max(ys1) - min(ys0))


# --- values printed under their labels --------------------------------------------------------------------

_LABEL_MAX_WORDS = 5
_LABEL_MAX_CHARS = 40
_VALUE_MAX_CHARS = 32
_MOST_VALUES = 3  # "Amount due by" / "February 20, 2018" / "$1,075.21"
_OTHER_COLUMN = 20  # line heights between a label and the next print on its row: another column's
_REACH, _BAND_REACH = 1.5, 3.0  # line heights from a label (or the value above) down to its value
# label heights from a row-ending label's centre to its value's right of it: on its row (a baseline a little
# lower), or a line lower, starting within _DROPPED_VALUE_START label heights of its end, when nothing stands
# under the label
_BESIDE_REACH, _DROPPED_VALUE_REACH, _DROPPED_VALUE_START = 0.9, 2.0, 2.0
_DIGIT = regex.compile(r"\d")
# A header label's word OCR read with a digit for a letter ("Taxpayer 1D number", "S0cial") holds no value.
_LABEL_WORDS = frozenset(
    ["id", "social", "security", "number", "taxpayer", "identification"]
    + ["notice", "letter", "date", "tax", "year", "form", "period"]
)
_LETTER_OF_DIGIT = (str.maketrans("0158", "oisb"), str.maketrans("0158", "olsb"))
_LETTER = regex.compile(r"[A-Za-z]")
_WORD = regex.compile(r"[A-Za-z]{3,}")
_AMOUNT_END = regex.compile(r"\d[.,]\d{2}\s*$")
_PLACEHOLDER = regex.compile(r"^[nNxX*#]{3}\s?-")  # "nnn-nn-nnnn": a value that holds no digit
_CONNECTOR = regex.compile(r"^(?:by|on|due\s+by|to\s+be\s+received\s+by|no\s+later\s+than)$")
_LABEL_READ = 0.5  # a label's second line reads as surely as its first
# Of a line's height: how far apart a table's label and value may start and still be one left-aligned column
# (text layers and scans start them within a few pixels; words of prose rarely do)
_GRID_ALIGNMENT = 0.25
_WIDE_SPACE = 0.6  # of a run's height: a gap between a table's cells (a space between words is about 0.3)
_LETTER_OR_DIGIT = regex.compile(r"[\p{L}\p{N}]")
_SPECK_READ = 0.3
_AWAITS_DATE = regex.compile(r"\bdue\s+by(?:\s+(?P<month>[A-Za-z]{3,9}\.?))?$", regex.IGNORECASE)
_NUMBER_ONLY = regex.compile(r"^[-–$(),.\s\d]+$")  # an amount or the ", 2018" a text layer splits off


def column_segments(line: OcrLine) -> list[OcrLine]:
    """The parts of a row that the wide gaps separate (header label, its value, another column)."""
    if len(line.words) < 2:
        return [line]
    char_width = _char_width(line.words)
    segments: list[list[OcrWord]] = [[line.words[0]]]
    for previous, word in zip(line.words, line.words[1:], strict=False):
        if _is_column_gap(previous, word, char_width):
            segments.append([word])
        else:
            segments[-1].append(word)
    return [_make_line(words) for words in segments]


def stacked_label_lines(rows: Sequence[OcrLine]) -> Iterator[tuple[int, OcrLine]]:
    """(index of the label's row, label joined to its values) for every label whose value is printed under
    it, or beside it but low enough to fall into the next row."""
    segmented = _label_cells(rows)
    for index, position in _label_positions(rows, segmented):
        segments = segmented[index]
        segment = segments[position]
        values: list[OcrLine] = []
        label = segment
        height = _line_height(rows[index], segment)
        if _has_no_value_beside(segments, position) or _column_beside(segments, position, height):
            label, below = _wrapped_label(
                segmented, index, _completed_label(segmented, index, segment), height
            )
            values = _values_below(segmented, below, label, height) or _value_across_band(
                segmented, index, label, height
            )
        if not values and position == len(segments) - 1 and _is_row_tail_label(segment):
            values = _value_beside(segmented, index, segment)
        if values:
            yield index, _joined(label, values)
        elif (dated := _date_under_label(segmented, index, position, height)) is not None:
            yield index, dated


def _label_cells(rows: Sequence[OcrLine]) -> list[list[OcrLine]]:
    """Each row's column segments, a run of bare labels set too close to tell apart by their gap cut where
    a column of the next row starts under one of its words ("Social Security number Caller ID" over
    "XXX-XX-7624    407188": two labels, each over its value), when the run's first word heads a column of
    that row too (a table's left-aligned cells: not a label over a centred value, not a name block). The row
    of values may come one row later, after the second line of a wrapped label ("Social Security" /
    "number"). Right over its row of values, a run too long for one label is cut where its words and the
    values' words start together, into bare labels or not at all, and under a band of three or more bare
    labels read surely the row of values is cut where a label's column starts (``_GRID_ALIGNMENT``)."""
    segmented = [column_segments(row) for row in rows]
    for index in range(len(segmented) - 1):
        below = segmented[index + 1 : index + 3]
        at = next((n for n, row in enumerate(below) if not all(_is_bare_label(cell) for cell in row)), 0)
        values = below[at]
        starts = [segment.bbox[0] for segment in values]
        aligned = _aligned_starts(segmented[index], values) if at == 0 else []
        segmented[index] = [
            cell for run in segmented[index] for cell in _cut_at_columns(run, starts, aligned)
        ]
        labels = segmented[index]
        if (
            at == 0
            and len(labels) >= 3
            and all(_is_bare_label(c) and c.confidence >= _LABEL_READ for c in labels)
        ):
            heads = [label.bbox[0] for label in labels]
            segmented[index + 1] = [
                cell for run in values for cell in _cut_where(run, heads, _GRID_ALIGNMENT)
            ]
    return segmented


def _aligned_starts(labels: list[OcrLine], values: list[OcrLine]) -> list[int]:
    """Where a word of the row of labels and a word of the row of values below it start together, within
    ``_GRID_ALIGNMENT``, each after a gap wider than a space: the columns of a table whose cells sit too
    close to tell apart by their gap in either row ("Tax year Social Security number" over "2022
    nnn-nn-0324": "Tax" and "2022", "Social" and "nnn-nn-0324"; not "NOTICE DATE" over "Sep. 2, 2025",
    whose "DATE" starts where "2025" does)."""
    label_boxes = list(_spaced_words(labels))
    return [
        box[0]
        for box in _spaced_words(values)
        if any(abs(box[0] - label[0]) <= _GRID_ALIGNMENT * label[3] for label in label_boxes)
    ]


def _spaced_words(runs: list[OcrLine]) -> Iterator[BBox]:
    """The boxes of the words that start their run or follow a gap wider than a space."""
    for run in (run for run in runs if run.words):
        yield run.words[0].bbox
        for previous, word in zip(run.words, run.words[1:], strict=False):
            if word.bbox[0] - (previous.bbox[0] + previous.bbox[2]) >= _WIDE_SPACE * run.bbox[3]:
                yield word.bbox


def _cut_at_columns(run: OcrLine, starts: list[int], aligned: list[int]) -> list[OcrLine]:
    """A run of labels cut where the row of values' cells start, and where its words and the values' words
    start together (``aligned``): before a word that begins another label (``NEXT_LABEL_WORDS``: "Tax form
    Caller ID" over "1040 374890"), or, in a run too long for one label ("Tax year Social Security number
    Phone"), anywhere, into bare labels or not at all."""
    if len(run.words) < 2 or len(run.words) > 2 * _LABEL_MAX_WORDS or _has_digit(run.text):
        return [run]
    bare = _is_bare_label(run)
    if not any(abs(run.words[0].bbox[0] - start) <= run.bbox[3] for start in (starts if bare else aligned)):
        return [run]  # the run heads no column: a label over a centred value, a name block
    if bare:
        return _cut_label(run, starts, aligned)
    cells = _cut_where(run, aligned, _GRID_ALIGNMENT)
    return cells if all(_is_bare_label(cell) for cell in cells) else [run]


def _cut_label(run: OcrLine, starts: list[int], aligned: list[int]) -> list[OcrLine]:
    """A bare label's run cut where the values' cells start, and where it and the values start together
    only before a word that begins another label ("Tax form Caller ID" over "1040 374890")."""
    heads = [word.bbox[0] for word in run.words[1:] if word.text in NEXT_LABEL_WORDS]
    reach = _GRID_ALIGNMENT * run.bbox[3]
    label_starts = [x for x in aligned if any(abs(x - head) <= reach for head in heads)]
    return [
        piece for cell in _cut_where(run, starts) for piece in _cut_where(cell, label_starts, _GRID_ALIGNMENT)
    ]


def _cut_where(run: OcrLine, starts: list[int], tolerance: float = 1.0) -> list[OcrLine]:
    """``run`` cut before each word that starts within ``tolerance`` line heights of where a column of the
    row above or below starts: a row of labels over values set too close to tell apart by their gap, or a
    row of values under a band of labels ("CP21C    September 25, 2025 ***-**-5915" under "Notice    Date
    of this notice    Taxpayer ID number    ...": the date and the SSN, each under its label)."""
    if len(run.words) < 2:
        return [run]
    reach = tolerance * run.bbox[3]
    cells: list[list[OcrWord]] = [[run.words[0]]]
    for previous, word in zip(run.words, run.words[1:], strict=False):
        after_previous = previous.bbox[0] + previous.bbox[2]  # a column of its own, not the run's
        if any(abs(word.bbox[0] - x) <= reach and x >= after_previous for x in starts):
            cells.append([word])
        else:
            cells[-1].append(word)
    return [_make_line(words) for words in cells] if len(cells) > 1 else [run]


def _label_positions(rows: Sequence[OcrLine], segmented: list[list[OcrLine]]) -> Iterator[tuple[int, int]]:
    """(row, segment) of every segment of a row that may be a label: every row but a periods heading
    ("Amount you owe" heads a column of periods, not the first period's amount)."""
    for index, segments in enumerate(segmented):
        if not is_period_heading(rows[index].text):
            yield from ((index, position) for position in range(len(segments)))


def _has_no_value_beside(segments: list[OcrLine], position: int) -> bool:
    """The segment is a bare label and no value follows it on its row: its value is below."""
    return _is_bare_label(segments[position]) and not any(_is_value(s) for s in segments[position + 1 :])


def _date_under_label(
    segmented: Sequence[list[OcrLine]], index: int, position: int, height: int
) -> OcrLine | None:
    """A label awaiting its date ("Amount due by"; a narrow stub cell's "Amount due by July"), its amount
    beside it and the date, or the rest of it, under it: one row of label, date and amount ("Amount due by
    02/20/2023 $11,705.74")."""
    segments = segmented[index]
    label = segments[position]
    if position + 1 == len(segments) or not _AMOUNT_END.search(segments[position + 1].text):
        return None
    if (awaited := _AWAITS_DATE.search(label.text)) is None:
        return None
    below = _values_below(segmented, index, label, height)
    if not below:
        return None
    if awaited.group("month") is None:
        date = below[0]
    elif parse_month(awaited.group("month")) is not None:  # a month ends the cell, the rest under it
        label, date = _make_line(label.words[:-1]), _make_line([label.words[-1], *below[0].words])
    else:
        return None
    return _joined(label, [date, segments[position + 1]])


def _column_beside(segments: list[OcrLine], position: int, height: int) -> bool:
    """The segment is a bare label and what follows it on its row starts ``_OTHER_COLUMN`` line heights
    away or more: another column's print (the address block right of a header's "Notice date", its date
    under it), not the label's value."""
    if not _is_bare_label(label := segments[position]) or position + 1 == len(segments):
        return False
    return segments[position + 1].bbox[0] - (label.bbox[0] + label.bbox[2]) >= _OTHER_COLUMN * height


def labels_over_anything(rows: Sequence[OcrLine], is_label: Callable[[str], bool]) -> Iterator[OcrLine]:
    """Each label ``is_label`` accepts whose value ``stacked_label_lines`` would look for below it, joined to
    the segment that starts under it on the next row, whatever that holds: a value OCR garbled into letters
    ("HR AKT TAB" under "Social Security number") is no value to ``stacked_label_lines``, but it still
    stands where the value goes."""
    segmented = _label_cells(rows)
    for index, position in _label_positions(rows, segmented):
        label = segmented[index][position]
        if index + 1 == len(rows) or not (
            _has_no_value_beside(segmented[index], position) and is_label(label.text)
        ):
            continue
        height = _line_height(rows[index], label)
        below = next((s for s in segmented[index + 1] if _is_under(s, label, label, height)), None)
        if below is not None:
            yield _joined(label, [below])


def _reads_as_label(text: str) -> bool:
    """Short, with a letter, and not the end of a sentence."""
    return (
        len(text) <= _LABEL_MAX_CHARS
        and _LETTER.search(text) is not None
        and not text.endswith((".", ",", ";"))
    )


def _is_bare_label(segment: OcrLine) -> bool:
    text = segment.text.strip()
    return _reads_as_label(text) and len(text.split()) <= _LABEL_MAX_WORDS and not _has_digit(text)


def _has_digit(text: str) -> bool:
    """A digit a value holds, not one OCR read for a letter of a label word (``_LABEL_WORDS``)."""
    return any(_DIGIT.search(word) and not _misread_label_word(word) for word in text.split())


def _misread_label_word(word: str) -> bool:
    return any(word.lower().translate(letters) in _LABEL_WORDS for letters in _LETTER_OF_DIGIT)


def _is_row_tail_label(segment: OcrLine) -> bool:
    """A label, or a label with a date ("Amount due by May 20, 2024"), that ends its row."""
    text = segment.text.strip()
    return _reads_as_label(text) and _AMOUNT_END.search(text) is None


def _is_value(segment: OcrLine) -> bool:
    """Short, with a digit (or a placeholder's shape), and at most two words: "May 20, 2024", "Phone
    800-829-0922", "$1,075.21", "nnn-nn-1234"; not "Amount due by May 20, 2024", a label with its value."""
    text = segment.text.strip()
    return (
        len(text) <= _VALUE_MAX_CHARS
        and len(_WORD.findall(text)) <= 2
        and (_has_digit(text) or _PLACEHOLDER.match(text) is not None)
    )


def _line_height(row: OcrLine, label: OcrLine) -> int:
    """The height of the line ``label`` stands on: its tallest word, or a neighbour's on its row with a
    descender ("Tax period(s)" beside "Date of this letter", which has none), but not a heading's."""
    heights = [word.bbox[3] for word in row.words]
    return max((h for h in heights if h <= 1.5 * label.bbox[3]), default=label.bbox[3])


def _values_below(
    segmented: Sequence[list[OcrLine]], index: int, label: OcrLine, height: int
) -> list[OcrLine]:
    """The value segments stacked under ``label``: each starts in the label's column, within a line's
    height below the one before; a connector ("by") may come between, numbers may follow the value. A row
    with nothing under the label (the second line of a neighbour's wrapped label: "Social Security" /
    "number") belongs to the label's band: the value is looked for below it. Specks are nothing
    (``_is_speck``: a 2-pixel "-" read at 0.00 between "Form" and "1040")."""
    chain: list[OcrLine] = []
    above = label
    for row in segmented[index + 1 : index + 1 + 2 * _MOST_VALUES]:
        segments = [segment for segment in row if not _is_speck(segment)]
        below = next(
            (
                s
                for s in segments
                if _is_under(s, label, above, height) or _right_under(s, label, chain, height)
            ),
            None,
        )
        below = below or _part_under(segments, label, above, height)
        if below is None:
            if segments and segments[0].bbox[1] > above.bbox[1] + above.bbox[3] + _REACH * height:
                break
            if not chain and _continues_the_labels(segments, segmented[index], height):
                above = _reaching_down_to(above, segments)
            continue
        has_value = any(_is_value(s) for s in chain)
        text = below.text.strip()
        fits = _is_value(below) and (not has_value or _NUMBER_ONLY.match(text) is not None)
        if not (fits or (not has_value and _CONNECTOR.match(text.lower()))):
            break
        chain.append(below)
        above = below
        if len(chain) == _MOST_VALUES:
            break
    return chain if any(_is_value(s) for s in chain) else []


def _right_under(segment: OcrLine, label: OcrLine, chain: list[OcrLine], height: int) -> bool:
    """The first value right under its label's own line, whatever row was taken for the label's second line
    before it (a return address's "Internal Revenue Service" beside a header band, lower than the band's
    labels and overlapping their row of values)."""
    return not chain and _is_under(segment, label, label, height)


def _is_speck(segment: OcrLine) -> bool:
    """Marks OCR could not read (no letter or digit, scored below ``_SPECK_READ``): a speck, not print."""
    return segment.confidence < _SPECK_READ and _LETTER_OR_DIGIT.search(segment.text) is None


def _continues_the_labels(segments: list[OcrLine], labels: list[OcrLine], height: int) -> bool:
    """Every part of the row is a bare label standing under one of the label row's other labels: their
    second lines ("number" under "Social Security"), not a row of values. Words OCR could not read are
    no label: a masked SSN it split off the row of values ("wee _**", read at 0.00) is part of that row."""
    return bool(segments) and all(
        _is_bare_label(part)
        and part.confidence >= _LABEL_READ
        and any(_in_column(part.bbox[0], label, height) for label in labels)
        for part in segments
    )


def _reaching_down_to(label: OcrLine, segments: list[OcrLine]) -> OcrLine:
    """``label`` with its box stretched down to the bottom of the row ``segments`` make."""
    x, y, width, _ = label.bbox
    bottom = max(segment.bbox[1] + segment.bbox[3] for segment in segments)
    return label.model_copy(update={"bbox": (x, y, width, max(bottom, y + label.bbox[3]) - y)})


def _value_beside(segmented: Sequence[list[OcrLine]], index: int, label: OcrLine) -> list[OcrLine]:
    """A value right of the label whose baseline sits a little lower, so that it fell into the next row
    (a text layer's amount column, a tilted scan), or a whole line lower when nothing of the next row stands
    under the label (a right-aligned value a long label pushed onto the line below: "Date of this notice" /
    "Dec. 13, 2024"); not one a label of its own row stands before (the label is then the lower half of a
    label OCR split across rows: "Notice" / "date" over "Tax period 12/31/2020")."""
    x0, top, width, height = label.bbox
    centre, label_end = top + height / 2, x0 + width
    reach = _DROPPED_VALUE_REACH
    for row in segmented[index + 1 : index + 3]:  # OCR may give a lower value a row of its own
        if any(_overlaps_across(part, label) for part in row):
            reach = min(reach, _BESIDE_REACH)
        for position, segment in enumerate(row):
            x, y, _, h = segment.bbox
            lower = abs(y + h / 2 - centre) / height
            dropped = lower <= reach and x - label_end <= _DROPPED_VALUE_START * height
            if x > label_end and (lower <= _BESIDE_REACH or dropped):
                owned = position > 0 and _is_bare_label(row[position - 1])
                return [segment] if _is_value(segment) and not owned else []
    return []


def _overlaps_across(segment: OcrLine, label: OcrLine) -> bool:
    (x, _, width, _), (label_x, _, label_width, _) = segment.bbox, label.bbox
    return x < label_x + label_width and label_x < x + width


_CONTINUATION = regex.compile(r"^\p{Ll}\S*(?:\s+\S+){0,2}$")  # "number", "of this notice"


def _wrapped_label(
    segmented: Sequence[list[OcrLine]], index: int, label: OcrLine, height: int
) -> tuple[OcrLine, int]:
    """The label with its second line ("Contact telephone" / "number", the values under both), and the row
    the label ends on; the label and its own row when it does not wrap."""
    for segment in segmented[index + 1] if index + 1 < len(segmented) else ():
        text = segment.text.strip()
        if _is_under(segment, label, label, height) and _is_bare_label(segment) and _CONTINUATION.match(text):
            return _make_line([*label.words, *segment.words]), index + 1
    return label, index


def _completed_label(segmented: Sequence[list[OcrLine]], index: int, label: OcrLine) -> OcrLine:
    """The label with the word OCR put in the next row because its baseline sits a little lower ("Tax"
    then "year" just right of it, the value under "Tax"); the label itself when there is none."""
    if index + 1 >= len(segmented):
        return label
    x, y, width, height = label.bbox
    for segment in segmented[index + 1]:
        sx, sy, _, sh = segment.bbox
        is_next_word = x + width <= sx <= x + width + 2 * height  # a space, not a column gap
        is_same_row = abs(sy + sh / 2 - (y + height / 2)) <= 0.6 * height
        if is_next_word and is_same_row and _is_bare_label(segment) and len(segment.text.split()) <= 2:
            return _make_line([*label.words, *segment.words])
    return label


def _part_under(segments: list[OcrLine], label: OcrLine, above: OcrLine, height: int) -> OcrLine | None:
    """The words of a row under ``label`` when the row's cells sit too close to be told apart by their gap
    (a header table: "Notice    Notice date" over "CP21C May 10, 2024"): from the first word that starts in
    the label's column to the next column gap."""
    words = [word for segment in segments for word in segment.words]
    char_width = _char_width(words) if words else 0.0
    part: list[OcrWord] = []
    for word in words:
        if part:
            if _is_column_gap(part[-1], word, char_width):
                break
            part.append(word)
        elif _starts_under(word.bbox, label, above, height) and word is not words[0]:
            part.append(word)
    return _make_line(part) if part else None


def _starts_under(box: BBox, label: OcrLine, above: OcrLine, height: int, reach: float = _REACH) -> bool:
    """``box`` starts in the label's column, within ``reach`` lines below the one above: the larger of the
    two lines sets the spacing (small-capital labels over values set larger)."""
    x, y, _, box_height = box
    gap = y - (above.bbox[1] + above.bbox[3])
    return _in_column(x, label, height) and -0.3 * height <= gap <= reach * max(height, box_height)


def _in_column(x: int, label: OcrLine, height: int) -> bool:
    return label.bbox[0] - height <= x <= label.bbox[0] + label.bbox[2]


def _is_under(segment: OcrLine, label: OcrLine, above: OcrLine, height: int, reach: float = _REACH) -> bool:
    return _starts_under(segment.bbox, label, above, height, reach)


def _value_across_band(
    segmented: Sequence[list[OcrLine]], index: int, label: OcrLine, height: int
) -> list[OcrLine]:
    """The value under ``label`` on the very next row, up to ``_BAND_REACH`` lines down, when the label is one
    of a band of three or more bare labels across its row and that next row holds values under two of them
    (a spreadsheet's padded rows); nothing when the label's own cell below is empty."""
    labels = segmented[index]
    if index + 1 >= len(segmented) or len(labels) < 3 or not all(_is_bare_label(cell) for cell in labels):
        return []
    values = [cell for cell in segmented[index + 1] if _is_value(cell)]
    if sum(any(_in_column(v.bbox[0], other, height) for other in labels) for v in values) < 2:
        return []
    return next(([v] for v in values if _is_under(v, label, label, height, _BAND_REACH)), [])


def _joined(label: OcrLine, values: list[OcrLine]) -> OcrLine:
    parts = [label, *values]
    return OcrLine(
        text=COLUMN_GAP.join([label.text, " ".join(value.text for value in values)]),
        bbox=union_box(part.bbox for part in parts),
        confidence=min(part.confidence for part in parts),
        words=tuple(word for part in parts for word in part.words),
    )
