"""Extract the date the notice was issued.

Handles: "Notice date May 20, 2024", "Notice date: 05/20/2024", "Notlce date Mav 20, 2O24",
"Letter date May 20, 2024", "Date of this notice: May 20, 2024", "Date of this letter May 20, 2024",
"Date of this    May 20, 2024" (its "notice" wrapped to the row below), "Date of notice 2024-05-20",
Spanish notices: "Fecha del aviso 20 de mayo de 2024", "Fecha de la carta ...", and, weakest, a bare
"Date: May 20, 2024" that starts its row or a column (an IRS letter's header: "Department of the Treasury
    Date: 12/04/2026", or "DATE    OCT. 23, 2023" once its dot leader is gone), never inside a sentence or
another label ("Payment date: ..."). A header label and its date with a dot leader between that OCR read as
junk ("DATE    00 eee ee eeeeeet JULY 25, 2024") or could not read at all (``UNREAD_LEADER``: "Date — Se a me
Oct. 2, 2026"), judged by label and date; a label OCR garbled three edits off where it doubted its own
reading ("Novice parE January 16, 2025"), judged by the date; one reading a row.
"""

from __future__ import annotations

import regex

from extractors.dates import DATE, read_date
from extractors.text import (
    CELL_START,
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
)

_LABELS = (
    rf"{fuzzy_label('Notice date')}|{fuzzy_label('Letter date')}|{fuzzy_label('Date of this notice', 2)}"
    rf"|{fuzzy_label('Date of this letter', 2)}|{fuzzy_label('Date of notice')}"
    rf"|{fuzzy_label('Date of letter')}|{fuzzy_label('Fecha del aviso')}"
    rf"|{fuzzy_label('Fecha de este aviso', 2)}|{fuzzy_label('Fecha de la carta', 2)}"
)
# Wrapped in a narrow header column, its "notice" or "letter" on the row below: only as a cell's label ("...
# within 21 days from the date of this    June 10, 2024" is a sentence beside a column).
_WRAPPED_LABEL = rf"{CELL_START}\s*{fuzzy_label('Date of this', 1)}(?!\s*(?:notice|letter|nouce|lettor))"
_LABELLED = regex.compile(
    rf"(?:{_LABELS}|{_WRAPPED_LABEL}){LABEL_GAP}{DATE}", regex.IGNORECASE | regex.VERBOSE
)
# "... 90 days from the date of this letter (150 days if ...)" is a sentence, not the label, also when its
# "the" ends the line before.
_SENTENCE = r"(?<!\bthe\s)(?!date of this (?:letter|notice)\s*\(\d+ days)"
NOTICE_DATE_LABEL = rf"{_SENTENCE}(?:{_LABELS})"
NOTICE_DATE_PRINTED = printed_after(NOTICE_DATE_LABEL)
# A letter's header column: "Department of the Treasury    Date: August 30, 2024" (Letters 566, 5071C...).
# Its colon may be gone with a dot leader ("DATE..........: OCT. 23, 2023" is read "DATE    OCT. 23, 2023");
# a typewriter's header column may start two characters after the letterhead's line ("DEPARTMENT OF THE
# TREASURY DATE:    02-02-2026"). A date ending its column may follow one space ("Date 2024-08-12    Kansas
# City, MO"), and a label one letter off ("Daie    01/17/2025") a wide gap.
_BARE = regex.compile(
    rf"(?:{CELL_START}|(?<=\bTreasury\s))\s*"
    rf"(?:Date\.?(?:\s*:|\s{{4,}})\s*{DATE}|(?:Date\s|(?:Date){{s<=1}}\s{{4,}}){DATE}{COLUMN_END})",
    regex.IGNORECASE | regex.VERBOSE,
)


# A header label starting its row or column, what OCR left of its dot leader, and the date ending the row
# ("NOTICE DATE    2    08/27/2026", "DATE    00 eee ee eeeeeet JULY 25, 2024").
_AFTER_LEADER = regex.compile(
    rf"{CELL_START}\s*(?:{_LABELS}|Date\.?){LEADER_JUNK}{DATE}{COLUMN_END}",
    regex.IGNORECASE | regex.VERBOSE,
)


# A header label starting its row or column ("Date" with one OCR edit: "DALE"), a leader OCR could not read,
# and the date ending the row or column ("Date — Se a me    Oct. 2, 2026"); not a label of another date whose
# words OCR scored low ("Date of claim:    03/15/2024").
_OTHER_DATE_WORDS = r"(?!\s+(?:of|for|to|on|by|you|we|received|filed|paid|due|claim|birth)\b)"
_AFTER_UNREAD_LEADER = regex.compile(
    rf"{CELL_START}\s*(?:{_LABELS}|{fuzzy_label('Date')}\.?:?{_OTHER_DATE_WORDS})"
    rf"{UNREAD_LEADER}{DATE}{COLUMN_END}",
    regex.IGNORECASE | regex.VERBOSE,
)


# The label OCR garbled beyond its usual rule ("Novice parE January 16, 2025", "Noricr pate September 24,
# 2025": three edits) where it doubted its own reading of it, starting its row or column, the date ending it.
_DOUBTED_LABEL = regex.compile(
    rf"{CELL_START}\s*(?P<label>(?:Notice\s*date|Letter\s*date){{e<=3}})\s*:?\s+{DATE}{COLUMN_END}",
    regex.IGNORECASE | regex.VERBOSE,
)


def _date(match: regex.Match[str]) -> tuple[str | int | None, float] | None:
    return read_date(match.group("date"))


def find_notice_dates(lines: list[TextLine]) -> list[Candidate]:
    labelled = find_candidates(
        _LABELLED,
        lines,
        "notice_date_label",
        0.97,
        _date,
        anchors=("dat", "ate", "notic", "fech", "echa"),
        value_group="date",
    )
    after_unread = find_candidates(
        _AFTER_UNREAD_LEADER, lines, "date_after_unread_leader", 0.85, _date, value_group="date"
    )
    after_leader = find_candidates(_AFTER_LEADER, lines, "date_after_leader", 0.8, _date, value_group="date")
    doubted = find_candidates(
        _DOUBTED_LABEL, lines, "doubted_label_date", 0.8, _date, value_group="date", doubted_label="label"
    )
    bare = find_candidates(_BARE, lines, "date_label", 0.85, _date, value_group="date")
    return first_per_row(labelled, after_unread, after_leader, doubted) + bare
