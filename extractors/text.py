"""What every extractor reads and returns: ``TextLine`` in, ``Candidate`` out.

A ``TextLine`` is one row of a page as OCR (or a PDF text layer) read it, with its box and mean word
confidence. A ``Candidate`` is one possible value for a field, with the provenance the result keeps.
``find_candidates`` runs a compiled pattern over lines and builds candidates; ``repair_digits`` is the one
place where OCR letter/digit confusions are undone, and only inside numeric tokens. ``printed_after(label)``
and ``find_printed`` tell that a field's label is printed with digits after it, so a value we could not read
is never taken for a value the notice does not carry.

This package imports nothing from ``pipeline`` or ``flows``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache

import regex

BBox = tuple[int, int, int, int]

# Letters OCR commonly reads in place of digits. Applied only to tokens already known to be numeric.
_DIGIT_CONFUSIONS = str.maketrans(
    {
        "O": "0",
        "o": "0",
        "D": "0",
        "Q": "0",
        "l": "1",
        "I": "1",
        "i": "1",
        "|": "1",
        "!": "1",
        "L": "1",
        "S": "5",
        "s": "5",
        "B": "8",
        "Z": "2",
        "z": "2",
        "G": "6",
        "g": "9",
        "q": "9",
        "T": "7",
    }
)
MATCH_TIMEOUT_S = 1.0
_DIGIT = regex.compile(r"\d")
# Between a label and its value: spaces, a colon, and the specks of a fax or a dirty scan ("Notice  =  CP12").
LABEL_GAP = r"[\s:.#=_~|‘’'\"*,-]{0,12}?"
# What is left of a dot leader OCR read as words between a header label and the value that ends its row
# ("DATE    1.20000 e ee eet MARCH 7, 2024", "TAX YEAR    3 2022"): dots read as digits, "e", "c" or "s".
# Each piece holds a digit or a letter, or is two marks or more (a label's own colon is no leftover); a long
# piece may hold "n", "i", "l" and "u" too ("cccssecssessesseeescnseeseeesaes", "cceeleeeeeee"), a short one
# not ("is now"). A pattern using it must end with its value at the end of the row, or of its column
# (COLUMN_END) when a value of its kind cannot pass for a leader piece (a date with slashes or a month's
# name; not a year, an amount or a form: "Tax year 2022    2024    Page 1" would read 2024). Named ``junk``:
# the reading is judged without it.
_LEADER_MARKS = r"0-9.,+!?:;‘’'ecsaowrtv-"  # dots read as digits, marks and small round letters
LEADER_JUNK = (
    rf"(?P<junk>[\s:.]*(?:(?=\S*[0-9a-z]|\S{{2}})(?:[{_LEADER_MARKS}]{{1,30}}|[«nilu{_LEADER_MARKS}]{{8,150}})"
    r"(?:\s+[:.])?\s+){1,8}?)"
)
# A value ends its row, or its column where a wide gap starts the next one ("Notice date wo    5/10/2024
# Call us at    1-800-829-1040").
COLUMN_END = r"(?=\s*$|\s{3,}\S)"
# A header label starts its row, or its column after a wide gap ("Department of the Treasury    Date: ...").
CELL_START = r"(?:^|(?<=\S\s{3}))"


@dataclass(frozen=True, slots=True)
class TextLine:
    """One row; ``stacked`` rows are a label joined to the values printed below it (not a printed row).
    ``words`` are OCR's words of the row with their confidence, in order (empty when not known)."""

    page: int
    text: str
    bbox: BBox | None = None
    confidence: float = 1.0
    stacked: bool = False
    words: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Candidate:
    """One possible value of a field. ``value`` None means "the notice says there is none" (a placeholder
    SSN, a refund notice's amount)."""

    value: str | int | None
    raw: str
    page: int
    bbox: BBox | None
    rule: str
    confidence: float
    kind: str | None = None
    value_read: float = 1.0  # how surely OCR read the value's own words (``value_confidence``)


def repair_digits(token: str) -> str:
    """Undo OCR letter-for-digit confusions in a token that must be numeric ("2O24" → "2024")."""
    return token.translate(_DIGIT_CONFUSIONS)


def one_character_apart(text: str, other: str) -> bool:
    """Of one length, differing in one character: what one misread letter or digit makes ("1046", "1040")."""
    return len(text) == len(other) and sum(a != b for a, b in zip(text, other, strict=True)) == 1


def search_lines(
    pattern: regex.Pattern[str],
    lines: Iterable[TextLine],
    needs_digit: bool = True,
    anchors: tuple[str, ...] = (),
) -> Iterator[tuple[TextLine, regex.Match[str]]]:
    """Every match of ``pattern`` in every line, in reading order. Fuzzy patterns are costly, so a line is
    skipped first when it cannot match: it has no digit (every value we look for holds one) or none of the
    ``anchors`` (lower-case words of the label, several so that OCR damage to one still leaves another).
    Matching releases the GIL, so documents read in parallel threads really run in parallel."""
    for line in lines:
        if needs_digit and _DIGIT.search(line.text) is None:
            continue
        if anchors:
            lowered = line.text.lower()
            if not any(anchor in lowered for anchor in anchors):
                continue
        for match in pattern.finditer(line.text, timeout=MATCH_TIMEOUT_S, concurrent=True):
            yield line, match


def find_candidates(
    pattern: regex.Pattern[str],
    lines: Iterable[TextLine],
    rule: str,
    base_confidence: float,
    parse: Callable[[regex.Match[str]], tuple[str | int | None, float] | None],
    needs_digit: bool = True,
    anchors: tuple[str, ...] = (),
    judge_value: bool = True,
    value_group: str | None = None,
    doubted_label: str | None = None,
) -> list[Candidate]:
    """Candidates from every match that ``parse`` accepts; ``parse`` returns (value, confidence factor).
    ``judge_value``: a value word OCR scored below ``UNSURE_VALUE_WORD`` lowers the candidate's confidence
    (off for a value checked elsewhere: a notice code must be in the catalog). ``value_group``: the named
    group that holds the value, when what comes between it and the label may hold digits (a leader OCR read
    as "0.0.0"); else the value starts at the match's first digit. A pattern with an ``UNREAD_LEADER``
    matches only where OCR could not read any of the leader's words, and is judged by its label and value
    alone. ``doubted_label``: the named group of a label matched with more OCR edits than its usual rule
    allows ("Novice parE" for "Notice date"): the match counts only where OCR scored one of the label's words
    below ``LEADER_WORD_CONFIDENCE`` (it doubted its own reading), and is judged by its value alone."""
    found = []
    for line, match in search_lines(pattern, lines, needs_digit, anchors):
        leader = match.span("unread") if match.groupdict().get("unread") is not None else None
        if leader is not None and not _unread(line, leader):
            continue
        if doubted_label is not None:
            leader = match.span(doubted_label)
            if not _doubted(line, leader):
                continue
        parsed = parse(match)
        if parsed is None:
            continue
        value, factor = parsed
        value_read = value_confidence(line, match, value_group) if judge_value else 1.0
        unsure = judge_value and value_read < UNSURE_VALUE_WORD
        line_read = _match_read(line, match, leader, value_group)
        read = min(line_read, value_read) if unsure else line_read
        confidence = round(base_confidence * factor * (0.5 + 0.5 * read), 3)
        raw = match.group(0).strip()
        found.append(Candidate(value, raw, line.page, line.bbox, rule, confidence, value_read=value_read))
    return found


# A value word OCR scored below this is a guess, however well the rest of its line read: the line's mean no
# longer speaks for it ("Taxpayer ID Number: ***-**-9894" read 0.75 on average, its value 0.30).
UNSURE_VALUE_WORD = 0.5
# A house number, a ZIP or a caller ID has no spelling to check it: a digit misread reads as sure as a right
# one. Over 880 processed addresses of 12 corpora, digits below 0.75 were wrong in 2 of 4 (a scan's 7169 for
# 7769 at 0.73), from 0.75 to 0.85 right in 7 of 7; caller IDs of 4 corpora, 1 of 2 (956388 for 556388 at
# 0.69), none of 122 above.
LOW_DIGITS_CONFIDENCE = 0.75
# A label word OCR spelled exactly is read, whatever its score: a leader's dots glued to it ("YEAR" at 0.00
# before "22222222: 2022", "DATE" at 0.26 before "06/12/2026") take the score, not its letters.
SPELLED_LABEL_WORD = 0.9


def value_confidence(line: TextLine, match: regex.Match[str], value_group: str | None = None) -> float:
    """How surely OCR read the value ``match`` holds: the lowest confidence of the line's words from the
    value's start to the match's end (a label read well beside "***-**-9894" read at 0.30 is no sure value).
    The value starts at ``value_group`` when the pattern names it and it matched (the "0.0.0" OCR made of a
    dot leader between "Notice date" and "Apr. 4, 2025" is not the date), else at the match's first digit.
    1.0 when the line's words are not known or the match holds no digit."""
    value_start = _value_start(match, value_group)
    spans = _word_spans(line)
    if spans is None or value_start is None:
        return 1.0
    return min(
        (conf for _, start, end, conf in spans if end > value_start and start < match.end()), default=1.0
    )


def _word_spans(line: TextLine) -> list[tuple[str, int, int, float]] | None:
    """(word, start, end, confidence) of each OCR word in the line's text; None when the words are not
    known or the text is not theirs (rewritten)."""
    if not line.words:
        return None
    spans, cursor = [], 0
    for text, confidence in line.words:
        start = line.text.find(text, cursor)
        if start < 0:
            return None
        cursor = start + len(text)
        spans.append((text, start, cursor, confidence))
    return spans


# What OCR made of a dot leader it could not read: words between a header label and its value that it
# scored below ``LEADER_WORD_CONFIDENCE``, or marks ("Date — Se a me Oct. 2, 2026": 0.47, 0.10, 0.19, 0.11).
# A pattern puts it where the leader is; ``find_candidates`` checks the words (known words only: text alone
# proves nothing, "Date of birth 1/2/1980" is no leader).
UNREAD_LEADER = r"(?P<unread>(?:\s+\S+){1,20}?)\s+"
LEADER_WORD_CONFIDENCE = 0.6
LEADER_DIGITS_CONFIDENCE = 0.2
_MARKS_ONLY = regex.compile(r"^[^\p{L}\p{N}]+$")
_DIGITS = regex.compile(r"\d")


def first_per_row(*groups: list[Candidate]) -> list[Candidate]:
    """The candidates of each group whose row no earlier group read: a row two rules read is one reading
    (a leader both the text and its words show to be one; a row the label's own rule reads has no leader)."""
    kept: list[Candidate] = []
    for group in groups:
        rows = {(candidate.page, candidate.bbox) for candidate in kept}
        kept += [candidate for candidate in group if (candidate.page, candidate.bbox) not in rows]
    return kept


def _unread(line: TextLine, leader: tuple[int, int]) -> bool:
    """Every word of the leader OCR scored low or a mark; one holding two digits or more scored next to
    nothing, as the dots OCR read as digits do ("2.0000.", "2222-:", "024-22": 0.00 in every one seen): one
    read at 0.45 is a value read unsurely ("Tax year    2O22    2024": the next column's 2024 is no year)."""
    spans = _word_spans(line) or []
    inside = [(text, conf) for text, start, end, conf in spans if _overlap(start, end, leader)]
    return bool(inside) and all(
        (conf < LEADER_WORD_CONFIDENCE or _MARKS_ONLY.match(text))
        and (len(_DIGITS.findall(text)) < 2 or conf < LEADER_DIGITS_CONFIDENCE)
        for text, conf in inside
    )


def _doubted(line: TextLine, label: tuple[int, int]) -> bool:
    """OCR scored one of the label's words below ``LEADER_WORD_CONFIDENCE``."""
    spans = _word_spans(line) or []
    return any(conf < LEADER_WORD_CONFIDENCE for _, start, end, conf in spans if _overlap(start, end, label))


def _match_read(
    line: TextLine, match: regex.Match[str], leader: tuple[int, int] | None, value_group: str | None
) -> float:
    """How surely OCR read the match: its line's mean confidence; but where a leader came between label and
    value (``UNREAD_LEADER``, a doubted label, what OCR left of a dot leader: ``LEADER_JUNK``) or a word of a
    label spelled exactly scored low (the dots of a leader glued to "YEAR" score it 0.00, not its letters),
    the mean of the match's words outside the leader, an exactly spelled label's words counted as read at
    least ``SPELLED_LABEL_WORD``."""
    spans = _word_spans(line)
    if spans is None:
        return line.confidence
    junk = match.span("junk") if match.groupdict().get("junk") is not None else None
    skipped = leader or junk
    label_end = _value_start(match, value_group) or match.end()
    spelled = _spelled_exactly(match)
    inside = [  # (a word of the label spelled exactly, its score)
        (spelled and end <= label_end, conf)
        for _, start, end, conf in spans
        if _overlap(start, end, match.span()) and not (skipped and _overlap(start, end, skipped))
    ]
    if not inside or (skipped is None and all(conf >= SPELLED_LABEL_WORD for label, conf in inside if label)):
        return line.confidence
    read = [max(conf, SPELLED_LABEL_WORD) if label else conf for label, conf in inside]
    return sum(read) / len(read)


def _spelled_exactly(match: regex.Match[str]) -> bool:
    """The match needs no OCR edit. A fuzzy match reports the edits of the first fit it found, not the
    fewest ("Notice date" matched with a substitution and a deletion), so the fewest are asked for."""
    if not any(match.fuzzy_counts):
        return True
    best = _best_fit(match.re).match(match.string, match.start(), timeout=MATCH_TIMEOUT_S)
    return best is not None and not any(best.fuzzy_counts)


@cache
def _best_fit(pattern: regex.Pattern[str]) -> regex.Pattern[str]:
    return regex.compile(pattern.pattern, pattern.flags | regex.ENHANCEMATCH)


def _overlap(start: int, end: int, span: tuple[int, int]) -> bool:
    return start < span[1] and end > span[0]


def _value_start(match: regex.Match[str], value_group: str | None) -> int | None:
    if value_group is not None and match.groupdict().get(value_group) is not None:
        return match.start(value_group)
    first_digit = _DIGIT.search(match.string, match.start(), match.end())
    return first_digit.start() if first_digit else None


COLUMN_GAP = regex.compile(r"\s{4,}")  # how a row writes the gap between columns (pipeline.layout)
_WRAP_LOOKAHEAD = 3  # rows of another column (a billing summary beside a paragraph) may come between


def with_next_lines(lines: list[TextLine]) -> list[TextLine]:
    """Each line joined to the row its paragraph wraps onto ("within 30 days from / the date of this
    notice"). The joined line keeps the first line's page and box. See ``wrapped_lines``."""
    return [joined for joined, _ in wrapped_lines(lines)]


def wrapped_lines(lines: list[TextLine]) -> list[tuple[TextLine, int]]:
    """(line joined to its continuation, offset where the continuation starts) for every printed line.

    The continuation is the next printed row on the page that starts in the line's column: rows of a
    column beside it (a billing summary next to the paragraph) may come between. When the line shares its
    row with another column ("... from the date of this    Refund you requested  $1,393.09"), the paragraph
    goes on from its first column, so the joined text is the first column and the continuation's."""
    printed = [line for line in lines if not line.stacked]
    joined = []
    for index, line in enumerate(printed):
        following = _continuation(line, printed[index + 1 : index + 1 + _WRAP_LOOKAHEAD])
        if following is None:
            joined.append((line, len(line.text)))
            continue
        first = COLUMN_GAP.split(line.text.strip())[0]
        text = f"{first} {following.text.strip()}"
        confidence = min(line.confidence, following.confidence)
        joined.append((TextLine(line.page, text, line.bbox, confidence), len(first) + 1))
    return joined


def _continuation(line: TextLine, after: list[TextLine]) -> TextLine | None:
    """The first of ``after`` on the line's page that starts in its column, within two rows below it; the
    very next line when boxes are unknown."""
    same_page = [other for other in after if other.page == line.page]
    if line.bbox is None:
        return same_page[0] if same_page else None
    x, y, _, height = line.bbox
    for other in same_page:
        if other.bbox is None:
            continue
        if other.bbox[1] - (y + height) > 2 * height:
            return None
        if abs(other.bbox[0] - x) <= 2 * height:
            return other
    return None


def find_wrapped_candidates(
    pattern: regex.Pattern[str],
    lines: list[TextLine],
    rule: str,
    base_confidence: float,
    parse: Callable[[regex.Match[str]], tuple[str | int | None, float] | None],
    anchors: tuple[str, ...] = (),
) -> list[Candidate]:
    """Like ``find_candidates``, for the values that a wrap splits ("File your tax return by November 30,
    / 2025."): a match that crosses from a line into its continuation, and whose value neither part reads
    alone (a fuzzy label may take a stray letter across the wrap), so none is found twice."""
    found = []
    for joined, cut in wrapped_lines(lines):
        crossing = [
            candidate
            for candidate in find_candidates(pattern, [joined], rule, base_confidence, parse, anchors=anchors)
            if _crosses(joined.text, candidate.raw, cut)
        ]
        if not crossing:
            continue
        parts = [TextLine(joined.page, joined.text[: cut - 1]), TextLine(joined.page, joined.text[cut:])]
        alone = {
            c.value for c in find_candidates(pattern, parts, rule, base_confidence, parse, anchors=anchors)
        }
        found += [candidate for candidate in crossing if candidate.value not in alone]
    return found


def _crosses(text: str, raw: str, cut: int) -> bool:
    start = text.find(raw)
    return start < cut < start + len(raw)


def fuzzy_label(words: str, errors: int | None = None) -> str:
    """A regex fragment matching ``words`` with up to ``errors`` OCR edits (by default 1, or 2 for labels
    of ten letters or more: "Arnount due" is two edits from "Amount due"), flexible about spaces."""
    if errors is None:
        errors = 2 if len(words) >= 10 else 1
    body = r"\s*".join(regex.escape(word) for word in words.split())
    return f"(?:{body}){{e<={errors}}}" if errors else f"(?:{body})"


# Words that begin another header label: a number after one of them is that label's ("NOTICE DATE    Tax
# RETURN    Soc1aL SECURITY NUMBER", "Social Security number Caller ID    918979"), or a page's count.
NEXT_LABEL_WORDS = (
    "Page",
    "Tax",
    "Notice",
    "Social",
    "Taxpayer",
    "Employer",
    "Caller",
    "Amount",
    "Form",
    "Letter",
)


# A year after "for" names what a label is about, not its value ("... taxpayer identification number for
# 2024", "You have a balance due for 2024"; "Amount due for 2023:    $1,234.56" still prints one).
YEAR_AFTER_FOR = r"\bfor\s+(?:tax\s+year\s+)?[12]\d{3}(?!\s*[:$\d])"


def printed_after(label: str, not_values: tuple[str, ...] = ()) -> regex.Pattern[str]:
    """A pattern for ``label`` followed, within a few characters, by a digit: the field is printed. The
    number after a word of ``NEXT_LABEL_WORDS`` or ``not_values`` is no value of the label ("Page 2 of 3" in
    the next column, the caller ID of the label beside it); the label ends a word (a fuzzy label must not
    eat into the next one: "Social Security number Ca|ller ID    918979")."""
    skipped = "|".join((*NEXT_LABEL_WORDS, *not_values))
    return regex.compile(
        rf"(?<![A-Za-z])(?:{label})(?![A-Za-z])(?:(?!(?:{skipped})\b)[^\d\n]){{0,24}}\d", regex.IGNORECASE
    )


def label_alone(label: str) -> regex.Pattern[str]:
    """A pattern for ``label`` as the whole of a row's cell (a colon after it at most)."""
    return regex.compile(rf"(?:^|\s{{4}})\s*(?:{label})\s*:?\s*(?:\s{{4}}|$)", regex.IGNORECASE)


def find_printed(
    pattern: regex.Pattern[str], lines: Iterable[TextLine], needs_digit: bool = True
) -> str | None:
    """The first text ``pattern`` (from ``printed_after``, or ``label_alone`` without ``needs_digit``)
    matches, or None."""
    return next((match.group(0) for _, match in search_lines(pattern, lines, needs_digit)), None)
