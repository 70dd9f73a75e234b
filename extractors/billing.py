"""Extract the billing summary: each labelled amount and the total it leads to.

A billing summary starts at a "Billing Summary" (or "Account summary" / "Amount due summary") heading
and ends at its total row ("Amount due by June 10, 2024  $5,181.72", "Amount due immediately $...").
Handles rows such as "Tax you owed   $5,000.00", "Failure-to-pay penalty  100.00",
"Payments and credits  -$800.00" / "($800.00)", "Interest charges $81.72",
"Accuracy-related penalty (IRC 6662)  $1,340.92". Returns the rows before the total,
in order, as (label, amount) candidates; the total is the amount-due extractor's business.
"""

from __future__ import annotations

from decimal import Decimal

import regex

from extractors.amounts import AMOUNT, format_amount, parse_amount
from extractors.text import TextLine, fuzzy_label

_HEADING = regex.compile(
    rf"{fuzzy_label('Billing summary')}|{fuzzy_label('Account summary')}|{fuzzy_label('Amount due summary')}",
    regex.IGNORECASE,
)
_TOTAL = regex.compile(  # the total row starts with its label; "Previous amount due" is an ordinary row
    rf"^\s*(?:{fuzzy_label('Amount due')}|{fuzzy_label('Total amount')}|{fuzzy_label('Amount you owe')}|"
    rf"{fuzzy_label('Balance due')}|{fuzzy_label('Payment due immediately', 2)}|"
    rf"{fuzzy_label('Proposed amount due')})",
    regex.IGNORECASE,
)
_ROW = regex.compile(
    rf"^\s*(?P<label>[A-Za-z][A-Za-z0-9 ,'()/&.-]{{2,60}}?)[\s.:…_]*{AMOUNT}\s*$", regex.VERBOSE
)
_MAX_ROWS = 12


def find_billing_lines(lines: list[TextLine]) -> list[tuple[str, Decimal]]:
    """Rows of the first billing summary found, before its total; empty when there is none."""
    start = next((i for i, line in enumerate(lines) if _HEADING.search(line.text)), None)
    if start is None:
        return []
    rows: list[tuple[str, Decimal]] = []
    for line in lines[start + 1 : start + 1 + _MAX_ROWS]:
        if _TOTAL.search(line.text):
            return rows
        match = _ROW.match(line.text)
        amount = parse_amount(match.group("amount")) if match else None
        if match and amount is not None:
            rows.append((match.group("label").strip(), Decimal(format_amount(amount))))
    return []  # no total row: a partial summary proves nothing
