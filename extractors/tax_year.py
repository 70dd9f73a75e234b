"""Extract the tax year a notice is about.

Handles: "Tax year 2023", "Tax year: 2O23", "Tax Year  2023", "Tax period December 31, 2017" → 2017,
"Tax period ending 12/31/2022" → 2022, "Tax period(s) ended: Dec. 31, 2023" and "Tax year ending:    Dec. 31,
2021" (letters), "Tax Period(s): 202312"
(year and month) → 2023,
"Tax periods 2021" (labels that start a row or column), a header cell's "Year    2022", "For tax year
2023", "Period ending    Sep. 30, 2024" and "Period:    2022-12-31" (ending its cell; less surely), and
"for tax year 2022" (body text, lower confidence: a CP49 names the year it took the refund from too),
"the tax year (2023)" (the stub's instruction), "the tax year ending / December 31, 2025" (wrapped),
"your 2022 Form 1040" (weakest; as sure as a header's cell when every such mention and every other reading
name one year), the tax return or period named as a form ("Tax return    Form 1040 for 2024",
"Tax period    Form 941, quarter ending 09/30/2024"), the body's "This notice is about your Form 1040 for
2024" / "... your taxes for 2022" / "... your Form 1040 return for tax year 2023" / "... your Form 941,
quarter ending 09/30/2024" / "... the tax period ending Dec. 31, 2021" / "... your Form 941 return for the
tax period ending September 30, 2023", and Spanish
"Año tributario 2023" ("Ano tributario", "Año fiscal").
A fax's "Tax year 2625" is 2025 (its 0 read as 6; only when no other digit is a 6), at lower confidence.
A header's year after a dot leader OCR could not read ("Tax year rrr r creer 2021    Person to contact"),
also when the leader ate the label's "year" ("TAX. YORE 260i sees ss 2023", less surely).
For a period, the year the period ends is returned.
"""

from __future__ import annotations

from dataclasses import replace

import regex

from extractors.dates import DATE, YEAR_MONTH, ZERO_MISREAD_FACTOR, month_end, parse_date, repair_zero_year
from extractors.text import (
    COLUMN_END,
    LABEL_GAP,
    LEADER_JUNK,
    UNREAD_LEADER,
    Candidate,
    TextLine,
    find_candidates,
    first_per_row,
    fuzzy_label,
    printed_after,
    repair_digits,
    with_next_lines,
)

_YEAR = r"(?P<year>[12][0-9OolIS]{3})(?![0-9])"
# "for 2022 and 2023", "Tax Period(s): 202312, 202212": no one year
_NOT_A_LIST = r"(?!\s*(?:,|and\b|&|through\b|to\b|-|–)\s*[12]\d{3})"
# A header label starts its row or column, perhaps after a stray mark ("|Tax", "_ Tax Year", a speck read as a
# quote: "‘fax year"); not a sentence.
_SEGMENT_START = r"(?:^|(?<=\s{3})|(?<=[|:_‘’'\"]\s?))"
# "Tax year", "Tax year ending", Spanish "Año tributario"
_LABEL = rf"{fuzzy_label('Tax year')}s?(?:\s+end(?:ing|ed))?|A[ñn]o\s+(?:tributario|fiscal)"
_TAX_YEAR = regex.compile(
    rf"{_SEGMENT_START}(?:{_LABEL}){LABEL_GAP}{_YEAR}",
    regex.IGNORECASE | regex.VERBOSE,
)
# "Tax period ending", "Tax period(s)", and a letter's "Tax year ending:    Dec. 31, 2021" (as sure)
_PERIOD_LABEL = (
    rf"(?:{fuzzy_label('Tax period')}(?:s|\(s[)}}\]])?\s*(?:ending|ended)?"
    rf"|{fuzzy_label('Tax year')}\s+end(?:ing|ed))"
)
# Any of them: the label a printed tax year or period follows ("Tax period ending" whole: its value is the
# date). "Tax period    Form 941, quarter ending ..." prints a form's number, no year, after the label.
TAX_YEAR_LABEL = rf"{_SEGMENT_START}(?:{_PERIOD_LABEL}|{_LABEL})"
TAX_YEAR_PRINTED = printed_after(TAX_YEAR_LABEL)
# "Tax Period(s): December 31, 2022, December 31, 2023" lists periods: no one year.
_NO_OTHER_DATE = (
    r"(?!\s*(?:[,;&/]|and\b)\s*(?:[A-Za-z]{3,9}\.?\s+\d{1,2}\b|\d{1,2}\s?/\s?\d{1,2}\s?/|\d{1,2}-\d{1,2}-))"
)
_TAX_PERIOD = regex.compile(
    rf"{_SEGMENT_START}{_PERIOD_LABEL}{LABEL_GAP}{DATE}{_NO_OTHER_DATE}",
    regex.IGNORECASE | regex.VERBOSE,
)
# A header cell's shorter labels: "Year    2022", "Period ending    Sep. 30, 2024" (never a sentence: a
# header cell starts its row or column, and the value follows the label alone).
_BARE_YEAR = regex.compile(
    rf"{_SEGMENT_START}(?<!Tax\s)Year:?{LABEL_GAP}{_YEAR}{_NOT_A_LIST}{COLUMN_END}",
    regex.IGNORECASE | regex.VERBOSE,
)
_BARE_PERIOD = regex.compile(
    rf"{_SEGMENT_START}Period(?:\s+end(?:ing|ed):?{LABEL_GAP}{DATE}|:?{LABEL_GAP}{DATE}(?={COLUMN_END}))"
    rf"{_NO_OTHER_DATE}",
    regex.IGNORECASE | regex.VERBOSE,
)
# A header cell's "For tax year    2023": a wide gap after the label and the year ending its column (a
# sentence's "For tax year 2022, we applied ..." names a year with one space).
_FOR_TAX_YEAR_CELL = regex.compile(
    rf"{_SEGMENT_START}For\s*tax\s+year:?\s{{2,}}{_YEAR}{_NOT_A_LIST}{COLUMN_END}", regex.IGNORECASE
)
# Periods as year and month come in lists separated any way ("202212 202312", "202212; 202312"), or the
# list wraps after a comma ending its row.
_NO_OTHER_MONTH = r"(?!\s*(?:[,;/&]|and\b)?\s*(?:19|20)\d{4}(?!\d))(?!\s*,\s*$)"
_TAX_PERIOD_YEAR_MONTH = regex.compile(
    rf"{_SEGMENT_START}{_PERIOD_LABEL}{LABEL_GAP}{YEAR_MONTH}{_NOT_A_LIST}{_NO_OTHER_MONTH}",
    regex.IGNORECASE | regex.VERBOSE,
)
_TAX_YEAR_AFTER_LEADER = regex.compile(
    rf"{_SEGMENT_START}(?:{_LABEL}){LEADER_JUNK}{_YEAR}\s*$", regex.IGNORECASE | regex.VERBOSE
)
# The leader's words OCR could not read (``UNREAD_LEADER``): the year may end its column ("Tax year    rrr r
# creer eee 2021    Person to contact"), for a year between them would be no leader; not a list of years
# in columns ("Tax years    —    2021    2022").
_NO_YEAR_AFTER = r"(?!\s+[12]\d{3}\b)"
_TAX_YEAR_AFTER_UNREAD_LEADER = regex.compile(
    rf"{_SEGMENT_START}(?:{_LABEL}){UNREAD_LEADER}{_YEAR}{_NOT_A_LIST}{_NO_YEAR_AFTER}{COLUMN_END}",
    regex.IGNORECASE | regex.VERBOSE,
)
# "Tax" and its "year" OCR garbled with the leader ("Tax ‘VOaN wmmms ss sem 6 3.8 2020": words at 0.07, 0.00,
# ...): a year of this century or the last, by a label of one word, so less surely.
_TAX_AFTER_UNREAD_LEADER = regex.compile(
    rf"{_SEGMENT_START}Tax\.?(?=\s){UNREAD_LEADER}(?P<year>(?:19|20)\d\d)(?![0-9]){_NOT_A_LIST}{_NO_YEAR_AFTER}"
    rf"{COLUMN_END}",
    regex.IGNORECASE | regex.VERBOSE,
)
_TAX_PERIOD_AFTER_LEADER = regex.compile(
    rf"{_SEGMENT_START}{_PERIOD_LABEL}{LEADER_JUNK}{DATE}\s*$",
    regex.IGNORECASE | regex.VERBOSE,
)
_BODY = regex.compile(rf"\b(?:for|in)\s+tax\s+year\s+{_YEAR}", regex.IGNORECASE)
_STUB = regex.compile(
    rf"\b(?:the\s+)?tax\s+year\s*\(\s*{_YEAR}\s*\)", regex.IGNORECASE
)  # "Write ... the tax year (2023)"
_YEAR_ENDING = regex.compile(rf"\btax\s+year\s+end(?:ing|ed)\s+{DATE}", regex.IGNORECASE | regex.VERBOSE)
_RETURN = regex.compile(rf"\byour\s+{_YEAR}\s+(?:Form|tax\s+return|federal)", regex.IGNORECASE)
# "your 2022 Form 1040" may name another year than the notice's beside a header that prints it (a CP49's
# refund year); where every mention and every other reading (a header label OCR damaged, read unsurely)
# name the same one, it is the notice's.
_SOLE_MENTION_LIFT = 0.85 / 0.6
# A year alone in the last cell of its row; a body's year it repeats is lifted to a header cell's sureness.
_YEAR_CELL = regex.compile(r"(?:^|\s{3})(?P<year>(?:19|20)\d\d)\s*$")
_CELL_CONFIRMED_LIFT = 0.85 / 0.7
# A return named by its form and year, or a quarter by its form and end: after a header label, or in the
# sentence that says what the notice is about (as sure as a label: it is the notice's own statement).
_FORM_FOR = r"Form\s+[0-9][\w-]*,?\s+"
_FORM_PERIOD = rf"{_FORM_FOR}(?:quarter|period|year)\s+end(?:ing|ed)\s+{DATE}"
_ABOUT = r"\b(?:notice|letter)\s+is\s+about\s+"
# "This letter is about your Form 1040 return for tax year 2023", "... your tax return for tax year 2024"
_RETURN_OF = r"(?:(?:tax\s+)?return\s+)?for\s+(?:tax\s+year\s+)?"
_RETURN_FOR = regex.compile(
    rf"(?:{_SEGMENT_START}Tax\s+return{LABEL_GAP}{_FORM_FOR}for\s+{_YEAR}"
    rf"|{_ABOUT}your\s+{_FORM_FOR}{_RETURN_OF}{_YEAR}"
    rf"|{_ABOUT}your\s+(?:taxes|tax\s+return)\s+for\s+(?:tax\s+year\s+)?{_YEAR}){_NOT_A_LIST}",
    regex.IGNORECASE,
)
_PERIOD_OF_FORM = regex.compile(
    rf"(?:{_SEGMENT_START}{_PERIOD_LABEL}{LABEL_GAP}|{_ABOUT}your\s+){_FORM_PERIOD}"
    rf"|{_ABOUT}(?:your\s+(?:{_FORM_FOR}|tax\s+)?return\s+for\s+)?the\s+tax\s+period\s+end(?:ing|ed)\s+{DATE}"
    rf"{_NO_OTHER_DATE}",
    regex.IGNORECASE | regex.VERBOSE,
)


def _year(match: regex.Match[str]) -> tuple[str | int | None, float] | None:
    raw = match.group("year")
    year = repair_digits(raw)
    factor = 1.0 if raw == year else 0.9
    if (printed := repair_zero_year(year)) != year:  # a fax's "Tax year 2625"
        year, factor = printed, ZERO_MISREAD_FACTOR
    if not year.isdigit() or not 1990 <= int(year) <= 2100:
        return None
    return int(year), factor


def _period_month(match: regex.Match[str]) -> tuple[str | int | None, float] | None:
    return month_end(match.group("year_month")).year, 1.0


def _period(match: regex.Match[str]) -> tuple[str | int | None, float] | None:
    date = parse_date(match.group("date"))
    return (date.year, 1.0) if date else None


def find_tax_years(lines: list[TextLine]) -> list[Candidate]:
    candidates = _confirmed_by_a_year_cell(_labelled_tax_years(lines), lines)
    mentions = find_candidates(_RETURN, lines, "return_mention", 0.6, _year)
    if not mentions or len({candidate.value for candidate in (*candidates, *mentions)}) != 1:
        return candidates + mentions
    return candidates + [replace(m, confidence=m.confidence * _SOLE_MENTION_LIFT) for m in mentions]


def _confirmed_by_a_year_cell(candidates: list[Candidate], lines: list[TextLine]) -> list[Candidate]:
    """A body's "for tax year 2023" (unsure alone: a CP49 names its refund year so) that every other reading
    agrees with and a cell of the first page repeats alone at the end of its row ("JGESeen    2023", the
    header's label OCR garbled beyond reading) is the notice's year, as sure as a header's cell."""
    if len({candidate.value for candidate in candidates}) != 1:
        return candidates
    year = str(candidates[0].value)
    if not any(
        match.group("year") == year
        for line in lines
        if line.page == 1 and not line.stacked
        for match in _YEAR_CELL.finditer(line.text)
    ):
        return candidates
    return [
        replace(c, confidence=c.confidence * _CELL_CONFIRMED_LIFT) if c.rule == "body" else c
        for c in candidates
    ]


def _labelled_tax_years(lines: list[TextLine]) -> list[Candidate]:
    leaders = first_per_row(
        find_candidates(
            _TAX_YEAR_AFTER_UNREAD_LEADER, lines, "tax_year_after_unread_leader", 0.85, _year,
            value_group="year",
        ),
        find_candidates(
            _TAX_AFTER_UNREAD_LEADER, lines, "tax_after_unread_leader", 0.8, _year, value_group="year"
        ),
        find_candidates(
            _TAX_YEAR_AFTER_LEADER, lines, "tax_year_after_leader", 0.85, _year, value_group="year"
        ),
    )  # fmt: skip
    return (
        find_candidates(_TAX_YEAR, lines, "tax_year_label", 0.97, _year, value_group="year")
        + find_candidates(_TAX_PERIOD, lines, "tax_period_label", 0.95, _period, value_group="date")
        + leaders
        + find_candidates(
            _TAX_PERIOD_AFTER_LEADER, lines, "tax_period_after_leader", 0.85, _period, value_group="date"
        )
        + find_candidates(_TAX_PERIOD_YEAR_MONTH, lines, "tax_period_year_month", 0.95, _period_month)
        + find_candidates(_BARE_YEAR, lines, "year_label", 0.9, _year, value_group="year")
        + find_candidates(_FOR_TAX_YEAR_CELL, lines, "for_tax_year_cell", 0.9, _year, value_group="year")
        + find_candidates(_BARE_PERIOD, lines, "period_ending_label", 0.9, _period, value_group="date")
        + find_candidates(_BODY, lines, "body", 0.7, _year)
        + find_candidates(_STUB, lines, "stub_instruction", 0.85, _year)
        + find_candidates(_YEAR_ENDING, with_next_lines(lines), "tax_year_ending", 0.85, _period)
        + find_candidates(_RETURN_FOR, with_next_lines(lines), "return_named", 0.95, _year)
        + find_candidates(_PERIOD_OF_FORM, with_next_lines(lines), "period_named", 0.95, _period)
    )
