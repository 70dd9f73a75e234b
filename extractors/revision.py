"""Find the marker that a notice is a revision of one sent earlier (a revised CP2000).

After a taxpayer replies to a CP2000 and the reply settles some of the differences, the IRS sends "a revised
CP2000 with a new proposed tax calculation" (IRS, "IRS letter CP2000: proposed changes to your tax return",
irs.gov/newsroom). The revision says so in its text; these forms are read, OCR-damaged ones too:

    "This is a revised CP2000. It replaces the notice we sent you earlier: ..."   (a sentence)
    "This is a revised notice."
    "REVISED NOTICE" / "Revised proposal" / "Revised CP2000"                      (a heading: row start)
    "It replaces the notice we sent you on May 5, 2025."                          (the replaced one named)

A notice that only announces a revision ("we'll send you a revised CP2000") is not one: the sentence form
needs "this is", a heading needs the row to start with it. A code with a letter after it ("CP2000A") is not
taken for a revision: the IRS's CP2000 series has its own CP2000A to CP2000E notices ("Understanding your
CP2000 series notice", irs.gov).

``find_revision_markers(lines)`` returns one candidate per marker (value ``"revised"``), in reading order.
"""

from __future__ import annotations

import regex

from extractors.text import Candidate, TextLine, find_candidates, fuzzy_label

REVISED = "revised"
_WHAT = r"(?:notice|letter|proposal|CP\s?\d{2,4})"
_MARKER = regex.compile(
    rf"""
    (?:{fuzzy_label("this is a")}\s+{fuzzy_label("revised")}\b)          # "This is a revised CP2000."
    | (?:^\s*{fuzzy_label("revised")}\s+{_WHAT}\b)                       # a heading: "REVISED NOTICE"
    | (?:\b{fuzzy_label("replaces")}\s+the\s+{_WHAT}\s+we\s+sent\b)      # "It replaces the notice we sent"
    """,
    regex.VERBOSE | regex.IGNORECASE,
)
_CONFIDENCE = 0.95


def find_revision_markers(lines: list[TextLine]) -> list[Candidate]:
    return find_candidates(
        _MARKER,
        lines,
        rule="revision_wording",
        base_confidence=_CONFIDENCE,
        parse=lambda _match: (REVISED, 1.0),
        needs_digit=False,
        anchors=("rev", "vised", "replace"),  # a letter of "revised" may be misread
    )
