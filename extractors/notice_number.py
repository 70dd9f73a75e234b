"""Extract the notice or letter number ("CP14", "LTR1058") from notice text.

Handles, with literal examples:
- header or stub row: "Notice CP14", "Notice  CP2000", "Notice number: CP504", "Notice CP 3219A"
- letters: "Letter 1058", "LTR 1058", "Letter 5071C", "LTR 972CG" → "LTR1058", "LTR5071C", "LTR972CG";
  "LT11", "LT 11";
  the header row "Letter    1058" (label and value far apart)
- the form's revision line, which IRS letters and notices print at the foot of a page: "CP503 (Rev.
  12-2021)", "Letter 1058 (Rev. 7-2019)" (rule "revision_line": it names the form itself)
- the page's foot beside its page count, which names the form itself like a revision line: "CP503    Page 1
  of 2", "Page 2 of 3    CP71A" (rule "page_foot")
- the code alone in a cell of its row, as a header corner or band prints it: "Department of the Treasury
  CP71C" (rule "cell")
- the code anywhere else: "CP71C", "CP14", also a sentence naming another notice (rule "code")
- OCR damage inside the code: "CPl4" → "CP14", "CP2OOO" → "CP2000", "Notlce CP14", digits spaced apart
  ("Notice CP5 1 6" → "CP516"; in a cell anywhere, "CP5 16" → "CP516", "CP71 A" → "CP71A"; "CP14 2023" stays
  "CP14"), and a large heading's letters too ("C P 1 3"); a header's "Letter Number:    5447C"
Values are normalized codes (upper case, no spaces); whether a code is real is the catalog's business.
"""

from __future__ import annotations

import regex

from extractors.text import (
    COLUMN_GAP,
    LABEL_GAP,
    Candidate,
    TextLine,
    find_candidates,
    fuzzy_label,
    repair_digits,
)

_D = r"[0-9OolIS]"
_SPACED = rf"{_D}{{1,2}}(?:\s{_D}(?![0-9])){{1,2}}"  # digits OCR spaced apart: "CP5 1 6"
# A cell's code OCR split anywhere ("CP5 16", "CP 1 20", "CP2 50 1"): four digits at most, and the cell ends
# after it (or its letter), so "CP14 2023" stays CP14.
_CELL_END = r"(?:\s{2,}|$)"
_SPLIT = 0.8  # a code joined from pieces: alone in a cell, not sure enough to be processed
_SPLIT_IN_A_CELL = rf"{_D}(?:\s?{_D}){{1,3}}(?=\s?[A-H]{{0,2}}{_CELL_END})"
# A mark glued to a code's end may be its last character misread ("CP9}" for CP91 on a fax read CP09): the
# code is not read there.
_CODE_END = r"(?![A-Za-z0-9}\]|!])"
_CODE = rf"""(?P<code>
      (?P<prefix>C\s?P|LT)\s?(?P<number>{_SPACED}|(?P<split>{_SPLIT_IN_A_CELL})|{_D}{{1,4}})
      (?:\s(?=[A-H]{{1,2}}{_CELL_END}))?(?P<suffix>[A-H]{{0,2}}){_CODE_END}  # CP71C, a cell's "CP71 A"
    | (?P<prefix>LTR|Letter)\s?(?P<number>{_D}{{3,4}})(?P<suffix>[A-H]{{0,2}}){_CODE_END}  # LTR 972CG
)"""
_LABELLED = regex.compile(
    rf"(?<![A-Za-z]){fuzzy_label('Notice')}(?:\s*(?:number|no\.?))?{LABEL_GAP}{_CODE}",
    regex.VERBOSE | regex.IGNORECASE,
)
# "Letter 1058", "LTR    1058", and a header's "Letter Number:    5447C"
_LETTER = regex.compile(
    rf"(?<![A-Za-z])(?P<code>(?P<prefix>Letter|LTR)(?:\s+(?:[Nn]umber|NUMBER|[Nn]o\.)\s?:?)?\s{{0,8}}"
    rf"(?P<number>{_D}{{3,4}})(?P<suffix>[A-H]{{0,2}}))\b",
    regex.VERBOSE,
)
_REVISION_LINE = regex.compile(
    rf"(?<![A-Za-z0-9]){_CODE}\s{{0,3}}\(\s?Rev\b", regex.VERBOSE | regex.IGNORECASE
)
# "Page 1 of 2", its digits read as letters ("Pagelofl") or lost ("Page of").
_PAGE_COUNT = r"Pag[eo]\s?[\dlI]{0,2}\s?of(?:\s?[\dlI]{1,2})?\b"
_PAGE_FOOT = regex.compile(
    rf"(?<![A-Za-z0-9]){_CODE}\s+{_PAGE_COUNT}|{_PAGE_COUNT}\s+{_CODE}", regex.VERBOSE | regex.IGNORECASE
)
# A code read in small letters ("cp91" for a monospaced "CP91": OCR doubts such a reading) counts as one OCR
# repaired.
_CELL = regex.compile(
    rf"(?:^|{COLUMN_GAP.pattern}){_CODE}(?={COLUMN_GAP.pattern}|$)", regex.VERBOSE | regex.IGNORECASE
)
_BARE = regex.compile(rf"(?<![A-Za-z0-9]){_CODE}", regex.VERBOSE | regex.IGNORECASE)


def _normalize(match: regex.Match[str]) -> tuple[str | int | None, float] | None:
    prefix = match.group("prefix").upper().replace(" ", "")  # "C P 1 3": a large heading's letters spaced
    number = repair_digits(match.group("number").replace(" ", ""))  # "CP5 1 6": OCR spaced its digits
    if not number.isdigit() or len(number) > 4:
        return None
    prefix = "LTR" if prefix in ("LETTER", "LTR") else prefix
    read = match.group("prefix")  # in small letters ("cp91"), OCR doubted it
    repaired = number != match.group("number") or " " in read or read.islower()
    split = " " in (match.groupdict().get("split") or "")  # "CP2 100A": "CP2" may be a code of its own
    return (
        f"{prefix}{int(number)}{match.group('suffix').upper()}",
        _SPLIT if split else 0.9 if repaired else 1.0,
    )


# (pattern, rule, confidence), labelled ones first. A code is checked against the catalog, so an unsure
# OCR word in it needs no doubt of its own here (``judge_value``).
_RULES = (
    (_LABELLED, "labelled", 0.98),
    (_LETTER, "letter", 0.9),
    (_REVISION_LINE, "revision_line", 0.95),
    (_PAGE_FOOT, "page_foot", 0.95),
    (_CELL, "cell", 0.85),
    (_BARE, "code", 0.7),
)


def find_notice_numbers(lines: list[TextLine]) -> list[Candidate]:
    """Every notice-number candidate, labelled ones first. "CPl4" holds no digit once OCR has read its 1 as
    an l: lines without one are read too."""
    return [
        candidate
        for pattern, rule, confidence in _RULES
        for candidate in find_candidates(
            pattern, lines, rule, confidence, _normalize, needs_digit=False, judge_value=False
        )
    ]
