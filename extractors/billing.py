"""Extract the billing summary: each labelled amount and the total it leads to.

A billing summary starts at a "Billing Summary" (or "Account summary" / "Amount due summary") heading
and ends at its total row ("Amount due by June 10, 2024  $5,181.72", "Amount due immediately $...").
Handles rows such as "Tax you owed   $5,000.00", "Failure-to-pay penalty  100.00",
"Payments and credits  -$800.00" / "($800.00)", "Interest charges $81.72",
"Accuracy-related penalty (IRC 6662)  $1,340.92", a CP2000's "2023 Tax increase  $15,532.14",
"Additional interest charges  558.10 :" (a speck after it), also in the right-hand column of a page whose
rows it shares with paragraphs. Returns the rows before the total, in order, as (label, amount)
candidates; the total is the amount-due extractor's business.
A row whose dash leaders OCR turned to junk ("Taxyouowed~~—~—~C~CS~*«~ C$ 7,946.94", where the leaders ate
the amount's first digit) is returned with the amount None: printed but not read, so nothing is checked
against a misread figure and no arithmetic can pass or fail on it; so is a row whose label names a part of
the balance and whose amount OCR garbled in its own cell ("Tax you owed    ZT? 9S"). A row whose label OCR
garbled or set on the line below, its amount whole in a cell of its own, is read with its label as printed
(or none).

``billing_role(label)`` says what a row is: the total, the tax owed ("Tax you owed", "Amount you owed"),
a previous balance, a payment or credit, a penalty, interest, or another charge. It is the one place that
knows; ``names_a_part(label)`` (a role that is a part of the balance, never its total) keeps such rows from
being read as the amount due or as the end of the summary.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

import regex

from extractors.amounts import AMOUNT, AMOUNT_PATTERN, format_amount, parse_amount
from extractors.text import COLUMN_GAP, TextLine, fuzzy_label

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
# A speck after the amount is tolerated ("558.10 :", "($379.52)."); one glued to it ("$320.95°",
# "$1,416.60.") only in a row of label and amount cells (``_own_cells``): a sentence's full stop makes none.
_ROW = regex.compile(
    rf"^\s*[“”\"'‘’*.,-]*\s*(?P<label>(?:(?:19|20)\d\d\s+)?[A-Za-z][A-Za-z0-9 ,'()/&.-]{{2,60}}?)"
    rf"[\s.:…_]*{AMOUNT}(?:\s+[:;'|.,]|(?<=\))[.,]|(?P<glued>[.,°'’*]))?\s*$",
    regex.VERBOSE,
)
# A label, then dash leaders OCR read as junk (two or more of these marks), then the damaged amount; four
# or more marks are leaders even when OCR read no digit of the amount ("Taxyouowed    ~—~—CS«é«*«<Cs B.A").
_JUNK_LEADER_ROW = regex.compile(
    r"^\s*(?P<label>[A-Za-z][A-Za-z ()'-]{2,40}?)\s*(?:[~—–«»‘’“”]{2,}.*\d|[~—–«»‘’“”]{4,})"
)
_DOLLAR_FIRST = regex.compile(r"[-–(]?\$\d")
# A paragraph's clause ("If you don't pay") is no label; nor is a sentence of the paragraph beside the
# summary, a clause after a full stop ("December 31, 2022. If you don't pay $5,294.80"; not "est. Tax").
_CLAUSE_WORD = r"\b(?:you|your|we|if)\b"
_CLAUSE = regex.compile(_CLAUSE_WORD, regex.IGNORECASE)
_SENTENCE_BREAK = regex.compile(rf"[a-z\d]{{2}}\.\s+[A-Z].*{_CLAUSE_WORD}")
# A label, the words OCR made of its dot leaders, then the amount after a wide gap with its dollar sign whole
# ("Amount you owed watcha ne ac enaeru ... eTapeand    $16,716.31"): the gap and the sign against the digits
# show no digit went to the leaders ("C$ 7,946.94" is the junk-leader row's); its label: ``_leader_label``.
_WORDY_LEADER_ROW = regex.compile(
    rf"^\s*(?P<text>[A-Za-z].{{8,}}?)\s{{4,}}(?=[-–(]?\s?\$\d){AMOUNT}\s*$", regex.VERBOSE
)
# A label naming a part of the balance and, in the amount's own cell, its cents set apart by a space where OCR
# lost the point ("Interest    277 32"; "Additional penalty charges    2,311 89]", the table's rule after it):
# the arithmetic checks the amount read so.
_LOST_POINT_ROW = regex.compile(
    r"^\s*(?P<label>[A-Za-z][A-Za-z ,'()/&-]{2,60}?)\s{3,}"
    r"\$?(?P<whole>\d{1,3}(?:,\d{3})+|\d{1,7}) (?P<cents>\d\d)[\]|:;'.,]?\s*$"
)
# "Interest sharges", "Tax you owed", a CP2000's "Interest - if paid by July 19, 2026" (the date it runs to)
_AMOUNT_LABEL = regex.compile(r"[A-Z][A-Za-z-]*(?: [A-Za-z-]+){0,4}(?: [A-Za-z]{3,9}\.? \d{1,2}, \d{4})?")
_LABEL_CELL = regex.compile(r"(?P<label>[A-Za-z]\S*(?: \S+){0,5})\s{3,}\S")
# Leaders read as words make long ones ("THCGEESE CHARGES wassecevsesvseceesesnseens"): the label is before.
_BEFORE_LONG_WORD = regex.compile(r"(?P<label>[A-Za-z]\S{0,11}(?: \S{1,12}){0,5}) \S{13}")
_WORD_END = regex.compile(r"\S*")
_MAX_ROWS = 12


class BillingRole(StrEnum):
    TOTAL = "total"
    TAX_OWED = "tax_owed"
    PREVIOUS_BALANCE = "previous_balance"
    CREDIT = "credit"  # payments and credits lower the balance, printed with a minus sign or not
    PENALTY = "penalty"
    INTEREST = "interest"
    CHARGE = "charge"


# Order matters: "Penalty for late payment" is a penalty, not a payment; "Amount you owed" (past tense) is
# the tax owed, "Amount you owe" the total; "Previous amount due" is a previous balance, not the total;
# "Payment decrease" adds to the balance, unlike a payment.
_ROLE_PATTERNS = (
    (
        BillingRole.TOTAL,
        regex.compile(r"^\s*(?:total|amount\s+due|balance\s+due|amount\s+you\s+owe\b|pay\s+this)", regex.I),
    ),
    (
        BillingRole.PREVIOUS_BALANCE,
        regex.compile(r"^\s*(?:previous|prior|earlier)\b|balance\s+forward", regex.I),
    ),
    (BillingRole.PENALTY, regex.compile(r"penalt", regex.I)),
    (  # a CP2000's "Payment decrease": fewer payments raise the balance
        BillingRole.CHARGE,
        regex.compile(r"(?:payment|credit)s?\s*decrease|decrease\s*in\s*(?:payment|credit)", regex.I),
    ),
    (BillingRole.INTEREST, regex.compile(r"interest", regex.I)),
    (BillingRole.CREDIT, regex.compile(r"payment|credit|applied|withh[eo]ld|refund\s+offset", regex.I)),
    (
        BillingRole.TAX_OWED,  # "Tax you owed", "Additional tax", a CP2000's "2023 Tax increase"
        regex.compile(r"\bowed\b|^\s*(?:(?:19|20)\d\d\s+)?(?:additional\s+|proposed\s+)?tax\b", regex.I),
    ),
)
_PARTS = frozenset(BillingRole) - {BillingRole.TOTAL, BillingRole.CHARGE}


def billing_role(label: str) -> BillingRole:
    return next((role for role, pattern in _ROLE_PATTERNS if pattern.search(label)), BillingRole.CHARGE)


def names_a_part(label: str) -> bool:
    """True for a label that names a part of the balance (tax owed, a payment, a penalty...), never the
    total, however close its words ("Amount you owed" is one OCR edit from "Amount you owe")."""
    return billing_role(label) in _PARTS


def find_billing_lines(lines: list[TextLine]) -> list[tuple[str, Decimal | None]]:
    """Rows of the first billing summary found, before its total (amount None: printed, not readable);
    empty when there is none."""
    start = next((i for i, line in enumerate(lines) if _HEADING.search(line.text)), None)
    if start is None:
        return []
    rows: list[tuple[str, Decimal | None]] = []
    # The heading joined to the row under it ("Billing Summary    Tax you owed ...") is not one more row.
    after = [line for line in lines[start + 1 :] if not (line.stacked and _HEADING.search(line.text))]
    for line in after[:_MAX_ROWS]:
        cells = _column_cells(line.text)
        tails = ["    ".join(row_cells) for row_cells in cells]
        if any(_TOTAL.search(text) and not names_a_part(text) for text in tails):
            return rows  # the total ends the summary, whatever the paragraph beside it says
        if line.stacked and not names_a_part(line.text):
            continue  # a column heading joined to the amount under it ("Amount" / "$4,942.61") is no row
        read = [row for row in map(_read_cells, cells) if row is not None]
        if read:
            rows.append(_rightmost_named(read))
        elif (garbled := _garbled_row(cells[0]) or _unread_amount_row(cells[0])) is not None:
            rows.append(garbled)
    return []  # no total row: a partial summary proves nothing


def _garbled_row(parts: list[str]) -> tuple[str, Decimal | None] | None:
    """A row no pattern reads whose last cell holds an amount: its label OCR garbled ("...on your 2024 Form
    1040.    Previousbalance. halanes    $7,625.49 $7.625.49") or set on the line below ("2024. If you
    don't pay ... or make payment    797.80"). Its label as printed ("" when the cell before the amount is
    the paragraph's sentence) and the cell's first amount, for the arithmetic to check; the amount is None
    (printed, not read) when leaders before it may have taken a digit (no dollar sign against it, no
    sentence before it). Cells of a table holding several amounts are no row of the summary."""
    if len(parts) < 2 or (amount := parse_amount(parts[-1])) is None:
        return None
    if any(AMOUNT_PATTERN.search(part) for part in parts[1:-1]):
        return None
    beside_a_sentence = _CLAUSE.search(parts[-2]) is not None
    whole = beside_a_sentence or _DOLLAR_FIRST.match(parts[-1]) is not None
    return "" if beside_a_sentence else parts[-2], Decimal(format_amount(amount)) if whole else None


def _unread_amount_row(parts: list[str]) -> tuple[str, None] | None:
    """A label naming a part of the balance in its own cell, and in the amount's cell digits OCR garbled past
    reading ("Tax you owed    ZT? 9S", "Amount you owed    Sikes, yilik. 2"): printed, not read."""
    if len(parts) != 2 or _AMOUNT_LABEL.fullmatch(parts[0]) is None or not names_a_part(parts[0]):
        return None
    unread = any(char.isdigit() for char in parts[1]) and parse_amount(parts[1]) is None
    return (parts[0], None) if unread else None


def _rightmost_named(readings: list[tuple[str, Decimal | None]]) -> tuple[str, Decimal | None]:
    """The right-most reading whose label names a role, else the right-most: its label is the row's, not the
    paragraph's beside it, nor a speck's between label and amount ("Credits and payments    Se    $855.18",
    whose minus sign OCR lost: read as the speck's, the credit would count as a charge)."""
    named = [reading for reading in readings if billing_role(reading[0]) is not BillingRole.CHARGE]
    return (named or readings)[-1]


def _read_row(text: str) -> tuple[str, Decimal | None] | None:
    match = _ROW.match(text)
    if match and match.group("glued") and not _own_cells(match):
        match = None
    if match and _SENTENCE_BREAK.search(match.group("label")):
        match = None
    amount = parse_amount(match.group("amount")) if match else None
    if match and amount is not None:
        return match.group("label").strip(), Decimal(format_amount(amount))
    if damaged := _JUNK_LEADER_ROW.match(text):
        return damaged.group("label").strip(), None
    wordy = _WORDY_LEADER_ROW.match(text)
    label = _leader_label(wordy.group("text")) if wordy else None
    if wordy and label and (amount := parse_amount(wordy.group("amount"))) is not None:
        return label, Decimal(format_amount(amount))
    lost = _LOST_POINT_ROW.match(text)
    if lost and names_a_part(lost.group("label")):
        whole = lost.group("whole").replace(",", "")
        return lost.group("label").strip(), Decimal(f"{whole}.{lost.group('cents')}")
    return None


def _own_cells(match: regex.Match[str]) -> bool:
    """A row whose amount has a speck glued to it is one only as a label naming a part of the balance and
    an amount in cells of their own ("Interest charged    $1,416.60."), never a sentence ("We applied the
    payment of $500.00.")."""
    between = match.string[match.end("label") : match.start("amount")]
    return names_a_part(match.group("label")) and COLUMN_GAP.search(between) is not None


def _leader_label(text: str) -> str | None:
    """The label at the start of a row whose leaders OCR read as words: its own cell when a wide gap ends it
    ("Failure-to-file PEMAlty    ccccceee"), else the words up to the one that names a part of the balance
    ("Amount you owed watcha ne ac" -> "Amount you owed"), else the words before the first long one; None
    when the leaders hold an amount (a cell of another column). A label whose role OCR garbled counts as a
    charge: were it a credit, the arithmetic fails and a person reads it."""
    if parse_amount(text) is not None:
        return None
    if own_cell := _LABEL_CELL.match(text):
        return own_cell.group("label")
    role = next((found for _, pattern in _ROLE_PATTERNS if (found := pattern.search(text))), None)
    if role is not None and role.start() < 30:
        return text[: _WORD_END.match(text, role.end()).end()].strip()  # type: ignore[union-attr]
    before_junk = _BEFORE_LONG_WORD.match(text)
    return before_junk.group("label") if before_junk else None


def _read_cells(cells: list[str]) -> tuple[str, Decimal | None] | None:
    """The row read from its first cell on, over as many cells as make a row (the longest first); the cells
    left out must hold no amount ("Tax you owed    $1,000.00    $1,200.00" is no row of one amount)."""
    for end in range(len(cells), 0, -1):
        if any(parse_amount(cell) is not None for cell in cells[end:]):
            return None
        if (row := _read_row("    ".join(cells[:end]))) is not None:
            return row
    return None


def _column_cells(text: str) -> list[list[str]]:
    """The row's cells split at its wide gaps, from each cell on: a summary printed in the right-hand column
    shares its rows with the paragraphs on the left ("... the last 21    Failure-to-pay penalty    785.37"),
    one in the left-hand column with the panel on the right ("Tax you owed    $20,791.67    2020")."""
    parts = regex.split(r"\s{4,}", text.strip())
    return [parts[i:] for i in range(len(parts))]
