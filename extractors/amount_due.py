"""Extract the total amount a notice asks the taxpayer to pay.

Handles (the total only, never a line of the billing summary):
- "Amount due by June 10, 2024   $5,181.72", "Amount you owe by April 11, 2026    $8,174.55" (billing-summary
  total and payment stub)
- "Amount due: $5,181.72", "Amount due immediately $5,181.72", "Total amount due $5,181.72",
  "Pay this amount $5,181.72", "Amount you owe $5,181.72", "Total amount you owe $5,181.72",
  "Balance due $5,181.72", "Proposed amount due $3,411.00" (CP2000), "Deficiency: $2,500.00" (CP3219A),
  "Payment due immediately $350.00", "Past due amount $350.00" (CP523)
- OCR damage in labels ("Arnount due", "Amount dne") and digits ("$5,l81.72", "§5,181.72")
- after what OCR left of a dot leader: "AMOUNT YOU OWE    ccccesseeeeeeeee    $23,736.83" (less sure)
- in a letter's sentences: "You owe $13,698.17.", "You still owe $25,093.41.", "The total amount you owe
  is $16,440.05, which ...",
  "Our records show a balance due of $14,988.61", "Your balance is $8,174.55.", "Pay $8,174.55 by April 11,
  2026", "The proposed changes increase the tax you owe by
  $25,913.64, including penalties" (CP2000, Letters 525 and 3219: the proposed total, less confident)
Not taken: "Failure-to-pay penalty $100.00", "Interest charges $81.72", "Tax you owed", "Previous balance",
"Payments $800.00", "Previous amount due $4,200.00", "Amount you owed $1,481.57" (the tax owed, one edit
from "Amount you owe"): their labels name a part of the balance (``extractors.billing.billing_role``).
"Amount due $0.00" yields 0.00. A table's totals row ("Total amount due  $12,971.12  $1,319.77  $223.41
$14,514.30") yields its last amount, the total.
"""

from __future__ import annotations

import regex

from extractors.amounts import AMOUNT, format_amount, parse_amount
from extractors.billing import names_a_part
from extractors.dates import DATE
from extractors.text import (
    LEADER_JUNK,
    YEAR_AFTER_FOR,
    Candidate,
    TextLine,
    find_candidates,
    fuzzy_label,
    printed_after,
)

_GAP = r"[\s:.…_\-]{0,40}?"
_DUE_BY = regex.compile(
    rf"(?:(?:{fuzzy_label('Amount due')}|{fuzzy_label('Amount you owe')})\s*(?:by|on|to\s+be\s+received\s+by)"
    rf"|{fuzzy_label('Cantidad adeudada', 2)}\s*(?:para\s+el|antes\s+del?))\s*{DATE}{_GAP}{AMOUNT}",
    regex.IGNORECASE | regex.VERBOSE,
)
_TOTAL_LABELS = (
    "Total amount due",
    "Amount due immediately",
    "Payment due immediately",
    "Total amount you owe",
    "Total you owe",
    "Amount you owe",
    "Proposed amount due",
    "Pay this amount",
    "Past due amount",
    "Amount due",
    "Balance due",
    "Deficiency",
    "Cantidad adeudada",
    "Total adeudado",
)
_TOTAL_LABEL = "|".join(fuzzy_label(label) for label in _TOTAL_LABELS)
_TOTAL_ANCHORS = ("amou", "ount", "due", "owe", "bala", "defic", "pay", "adeud", "cantid")
# No amount: a year after "for", a heading's "Balance due on your 2023 account" (with no amount later on its
# row), the days of "Pay the amount due within 10 days" (a letter that prints no amount).
AMOUNT_DUE_PRINTED = printed_after(
    _TOTAL_LABEL,
    not_values=(YEAR_AFTER_FOR, r"\bon\s+your\s+[12]\d{3}\s+account\b(?![^\n]*\$)", r"\bwithin\s+\d+\s+days"),
)
_TOTAL = regex.compile(
    rf"(?<![A-Za-z])(?<!(?:previous|prior|original|past)\s{{1,3}})"  # "Previous amount due" is a line
    rf"(?:{_TOTAL_LABEL}){_GAP}{AMOUNT}",
    regex.IGNORECASE | regex.VERBOSE,
)

# A table's totals row ("TOTAL AMOUNT DUE  $12,971.12  $1,319.77  $223.41  $14,514.30": the sums of its
# columns of tax, penalty and interest, then the total): the amount due is the last of them.
_TOTAL_ROW = regex.compile(
    rf"(?<![A-Za-z])(?:{_TOTAL_LABEL}){_GAP}"
    rf"(?:{AMOUNT}\s+){{2,}}{AMOUNT}\s*$",
    regex.IGNORECASE | regex.VERBOSE,
)

# The total after what OCR left of its dot leader ("Total you owe  ccccesseee  $23,736.83"), less sure.
_TOTAL_AFTER_LEADER = regex.compile(
    rf"(?<![A-Za-z])(?:{_TOTAL_LABEL}){LEADER_JUNK}{AMOUNT}\s*$",
    regex.IGNORECASE | regex.VERBOSE,
)

# A letter states the total in a sentence; the amount follows its phrase directly ("You owe $9,745.53.").
_SENTENCE = regex.compile(
    rf"""(?<![A-Za-z])(?:
          (?:the\s+)?(?:total\s+)?amount\s+you\s+owe\s+is      # "The total amount you owe is $16,440.05"
        | (?<!\bif\s)you\s+(?:still\s+)?owe     # "You (still) owe $13,698.17." (not "you owed", "if you owe")
        | (?:a\s+)?balance\s+due\s+of                        # "Our records show a balance due of $14,988.61"
        | your\s+balance\s+is                                # "Your balance is $8,174.55."
    )\s*:?\s*{AMOUNT}
    | (?:^|(?<=[.:]\s{{1,3}})|(?<=\s{{3}}))(?-i:Pay)\s*{AMOUNT}(?=\s+by\s+{DATE})  # "Pay $8,174.55 by May 1"
    """,
    regex.IGNORECASE | regex.VERBOSE,
)
# CP2000, Letters 525 and 3219: the proposed total ("increase the tax you owe by $25,913.64, including ...").
_INCREASE = regex.compile(
    rf"increase\s+(?:the\s+|your\s+)?tax\s+(?:you\s+owe\s+)?by\s*{AMOUNT}", regex.IGNORECASE | regex.VERBOSE
)
_DATED = regex.compile(r"\bby\b|\bpara\s+el\b", regex.IGNORECASE)  # a dated total is _DUE_BY's


def _amount(match: regex.Match[str]) -> tuple[str | int | None, float] | None:
    value = parse_amount(match.group("amount"))
    if value is None or value < 0:
        return None
    clean = regex.fullmatch(r"\(?-?\s?\$?\s?[\d,]+\.\d{2}\)?", match.group("amount").strip()) is not None
    return format_amount(value), 1.0 if clean else 0.85


def find_amounts_due(lines: list[TextLine]) -> list[Candidate]:
    rows = find_candidates(_TOTAL_ROW, lines, "total_row", 0.92, _amount, anchors=_TOTAL_ANCHORS)
    in_rows = {(row.page, row.bbox) for row in rows}
    return (
        find_candidates(_DUE_BY, lines, "amount_due_by", 0.97, _amount)
        + rows
        + [
            c
            for c in find_candidates(_TOTAL, lines, "total_label", 0.92, _amount, anchors=_TOTAL_ANCHORS)
            + find_candidates(
                _TOTAL_AFTER_LEADER, lines, "total_after_leader", 0.8, _amount, anchors=_TOTAL_ANCHORS
            )
            if not _DATED.search(c.raw[:30]) and not names_a_part(c.raw) and (c.page, c.bbox) not in in_rows
        ]
        + [c for c in _in_sentences(lines) if (c.page, c.bbox) not in in_rows]
    )


def _in_sentences(lines: list[TextLine]) -> list[Candidate]:
    """A sentence is a printed row; a column heading joined to the value under it ("you owe" over a period
    table's first row) is not one."""
    printed = [line for line in lines if not line.stacked]
    return find_candidates(
        _SENTENCE, printed, "amount_sentence", 0.9, _amount, anchors=("owe", "due", "balance", "pay")
    ) + find_candidates(_INCREASE, printed, "proposed_increase", 0.85, _amount, anchors=("increase",))
