"""Extract the table of tax periods a collection notice or letter prints (CP504, LT11, CP90, Letter 1058).

The table starts at its heading row, which names the period column and an amount column and holds no
digit ("Tax form    Tax period ending    Unpaid amount ...", "Form    Tax period ended    Unpaid amount
...", "Tax form    Tax period    Unpaid amount ..." with "ending" wrapped onto the next heading row) and
ends at its total row. Each row between them is one period, its form, the date the period ended and its
amounts, the last amount being what is owed for the period:

    "1040    December 31, 2021    10,515.89    1,130.51    896.22    $12,542.62"
    "941    03/31/2024    $1,200.00    $80.00    $20.00    $1,300.00"
    "l040    Dec. 31, 2O22    $1,687.38 ..."           (OCR letters for digits: repaired in the form too)
    "12/31/2022    1040    $7,302.68"                  (the redesigned notices: the period first)
    "202312    1040    Income    3,434.92"             (a letter's period as year and month, ends 12/31/2023)

The total row is "Total amount you owe    $28,765.55", "Total    $16,464.23  ...  $18,664.85" or the amount
due's own label ("Amount you owe    $37,298.11", "Balance due    $9,269.25"): its last amount is the table's
total. Dates and amounts are read by ``extractors.dates`` and ``extractors.amounts``.

A row is trusted only as far as it reads: its amount is None when the row holds fewer amounts than the
table's widest row (a dropped cell would make another column's amount look like the period's), and
``adds_up`` says whether the row's other amounts add up to it (None for a row with one amount). A row that
does not add up is read with less confidence, not refused: OCR may lose a whole column ("Unpaid amount"
unread in every row) while the last one is right, and the sum of the periods against the amount due is
the check of the amounts themselves (``pipeline.validate``). So is a form that may be a misreading of the
form every other row prints ("1046" or "940" among "1040" rows). A row of
the table that does not read as a period (a damaged date or form) is kept in its place with every value
None, so a caller never takes a partly read table for a whole one.

``find_period_table(lines)`` returns the first table, or None when the notice prints none; the header's
"Tax periods: December 31, 2023" list and the "Tax periods covered by this notice" title are not a table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

import regex

from extractors.amounts import AMOUNT_PATTERN, parse_amount
from extractors.contacts import RETURN_FORMS
from extractors.dates import DATE, YEAR_MONTH, month_end, parse_date
from extractors.text import COLUMN_GAP, BBox, TextLine, fuzzy_label, one_character_apart, repair_digits

# The heading names the period column and an amount column; "ending" may wrap onto the next row.
# OCR may give a ruled table's heading cell "Tax Period" back word-swapped ("Period Tax    Form Type of Tax
# Amount You Owe", a scan of a troff letter) or its "Tax" on a row of its own ("Period    Form Type of Tax
# Amount You Owe", a fax of one): the table is no less printed.
_HEADING = regex.compile(
    rf"(?:{fuzzy_label('Tax period')}|\bPeriod\s+Tax\b|^\s*Period\s+(?=Form\b))"
    rf"(?:.*{fuzzy_label('amount')}|.*\s{{3,}}.*\b(?:balance|owe)\b)"  # "You owe" heads a column: not prose
    # "Form    Period ended    Unpaid balance    Penalty    Interest    You owe": money columns, no "amount";
    # the form's column may be headed "Return" ("Return    Period ending    Unpaid from prior    ...")
    r"|^\s*(?:Tax\s+)?(?:Form|Return)\s+(?:Tax\s+)?Period\s+end(?:ed|ing)\b.*\b(?:amount|balance|owe)\b",
    regex.I,
)
_FORM = r"(?P<form>\S{2,8})"  # 1040, 941, 1120S, 1040-SR, l040; "[646" is a form we could not read
_FORM_READ = regex.compile(r"\d{3,4}(?:-?[A-Z]{1,2})?")
# A rule between the form's and the period's cells may be read as a speck ("1040 = 12/31/2022",
# "1040) =12/31/2021", a low-resolution scan's "1040 =: 12/31/2023"), and what is left of a fax's broken rule
# over the period's cell as a quote mark glued to it ("1040    “December 31, 2023").
_CELL_SPECK = r"(?:\s*[=|~][:.,]?\s*|\s+[“”\"‘’'`]?)"
# A period ends on a date, or in a month as IRS letters print it ("202312    1040    Income    3,434.92").
_PERIOD_END = rf"(?:{DATE}|{YEAR_MONTH})"
_ROW = regex.compile(rf"^\s*{_FORM}{_CELL_SPECK}{_PERIOD_END}(?P<rest>.*)$", regex.VERBOSE)
# The redesigned notices put the period first: "12/31/2022    1040    $7,302.68" (a form is no amount).
_ROW_PERIOD_FIRST = regex.compile(
    rf"^\s*{_PERIOD_END}\s+(?P<form>[^\s$,]{{2,8}})(?=\s)(?P<rest>.*)$", regex.VERBOSE
)
# The total row may name the amount due instead ("Amount you owe    $37,298.11", "Balance due    $9,269.25"):
# a row that starts with a label is no period either way.
# A rule's specks before it and its words glued ("__|Totalamountdue    $20,269.96", a photo) change nothing.
_TOTAL = regex.compile(
    rf"^[\s_|.,'‘’“”-]*(?:{fuzzy_label('Total amount you owe')}|Tota[l1I](?:\b|(?=amount))"
    rf"|{fuzzy_label('Amount you owe')}"
    rf"|{fuzzy_label('Balance due')}|{fuzzy_label('Amount due')})",
    regex.I,
)
# A header grid's labels of one value each, never a heading of a table of periods.
_ONE_VALUE_LABEL = regex.compile(
    "(?<![A-Za-z])(?:"
    + "|".join(
        fuzzy_label(label)
        for label in (
            "Notice date", "Letter date", "Date of this", "Notice number", "Social Security", "Employer ID",
            "Taxpayer ID", "identification", "Caller ID",
        )
    )
    + ")(?![A-Za-z])",
    regex.I,
)  # fmt: skip
_DIGIT = regex.compile(r"\d")
_MAX_ROWS = 14  # heading continuations, periods and the total
_ROW_CONFIDENCE = 0.97  # as a labelled field: the heading labels every row
_DOUBT = 0.8  # a row that does not add up: the default min_confidence still takes a clear OCR reading
_MISREAD = 0.5  # a form that looks like a misreading of the others' form: below any min_confidence used


@dataclass(frozen=True, slots=True)
class PeriodRow:
    """One period as printed; a value None is printed but could not be read."""

    form: str | None
    period_end: dt.date | None
    amount: Decimal | None
    adds_up: bool | None  # the row's other amounts add up to ``amount``; None when there is nothing to add
    raw: str
    page: int
    bbox: BBox | None
    confidence: float


@dataclass(frozen=True, slots=True)
class PeriodTable:
    rows: tuple[PeriodRow, ...]
    total: Decimal | None  # the total row's last amount; None when no total row was read


def find_period_table(lines: list[TextLine]) -> PeriodTable | None:
    printed = [line for line in lines if not line.stacked]
    start = next((i for i, line in enumerate(printed) if is_period_heading(line.text)), None)
    if start is None:
        return None
    page = printed[start].page
    body = [line for line in printed[start + 1 : start + 1 + _MAX_ROWS] if line.page == page]
    table = _read_body(body)
    return table if table.rows else None


def unheaded_period_row(lines: list[TextLine]) -> TextLine | None:
    """The first row that reads as a period of a table (a form, the period's end, two amounts or more:
    "1040    Dec. 31, 2021    $5,654.35    $334.29    $400.83    $6,389.47") where no heading of a table was
    read: a table printed whose heading OCR garbled ("form    peric    Unpai    terest")."""
    for line in lines:
        match = None if line.stacked else _ROW.match(line.text)
        if (
            match is not None
            and _FORM_READ.fullmatch(repair_digits(match.group("form")))
            and _period_end(match) is not None
            and len(AMOUNT_PATTERN.findall(_rest(match))) >= 2
        ):
            return line
    return None


def is_period_heading(text: str) -> bool:
    """The heading row of a table of periods: its labels head columns of many rows, not one value each. A
    header row naming the notice's date or the taxpayer's number ("Notice date    Tax period    Social
    Security number    Amount due") heads one value each; a label in a column right of the table's ("...
    Amount you owe    Caller ID", a sidebar sharing the row) does not count."""
    heading = _HEADING.search(text) if _DIGIT.search(text) is None else None
    return heading is not None and not _ONE_VALUE_LABEL.search(text, 0, heading.end())


_SPECK = regex.compile(r"[^A-Za-z0-9]*(?:[A-Za-z0-9][^A-Za-z0-9]*)?")  # marks, perhaps one taken for a letter
_PROSE = regex.compile(r"\s*[A-Z][a-z]+ (?:\S+ ){3,}(?!.*\s{3})")  # words set one space apart, no cells


def _read_body(body: list[TextLine]) -> PeriodTable:
    """Rows until the total; heading continuations (no digit) come before the first row. A speck OCR read
    between rows ("|" of a rule, ";", a dashed rule's "0") is no row and ends nothing."""
    found: list[tuple[TextLine, regex.Match[str] | None]] = []  # no match: a row that is not a period
    total_line: TextLine | None = None
    for line in body:
        if _SPECK.fullmatch(line.text):
            continue
        if _DIGIT.search(line.text) is None:
            if found:
                break  # the paragraph after a table whose total we could not read
            continue
        if _TOTAL.search(line.text):
            total_line = line
            break
        match = _ROW.match(line.text) or _ROW_PERIOD_FIRST.match(line.text)
        if match is None and found and (not AMOUNT_PATTERN.search(line.text) or _PROSE.match(line.text)):
            break  # the paragraph after a table without a total row: "The amount you owe is $5,147.74."
        found.append((line, match))
    rests = [_rest(match) for _, match in found if match is not None]
    if total_line is not None:
        rests.append(_TOTAL.sub("", total_line.text, count=1))
    shape = _Shape(
        max((len(_cells(rest)) for rest in rests), default=0),
        max((len(AMOUNT_PATTERN.findall(rest)) for rest in rests), default=0),
    )
    rows = _doubt_odd_forms(
        [_row(line, match, shape) if match else _unread_row(line) for line, match in found]
    )
    # Only a cross-check of the amount due (a disagreement is a finding), so its last cell is enough.
    total = _last_amount(rests[-1]) if total_line is not None else None
    return PeriodTable(rows, total)


@dataclass(frozen=True, slots=True)
class _Shape:
    """The table's widest row after its period: how many cells, how many amounts."""

    cells: int
    amounts: int


# A cell whose decimal point OCR lost to a space ("8,644 15", "38 89" for 8,644.15 and 38.89, a scan of small
# table figures): cents are always printed, so dollars and two digits apart in one cell are that amount.
_LOST_POINT = regex.compile(r"(?:^|(?<=\s\s))(\$?\d{1,3}(?:,\d{3})*) (\d{2})(?=\s\s|\s*$)")


def _rest(match: regex.Match[str]) -> str:
    """The row after its period, decimal points OCR lost put back."""
    return _LOST_POINT.sub(r"\1.\2", match.group("rest"))


def _cells(rest: str) -> list[str]:
    return COLUMN_GAP.split(rest.strip())


def _row_amounts(rest: str, shape: _Shape) -> tuple[Decimal | None, list[Decimal | None]]:
    """(the period's amount, the row's other amounts). The last amount is the period's only when the row
    has every amount of the table, or every cell (one of which OCR damaged: "159:62"): a dropped cell would
    make another column's amount look like the last one. Cells a narrow gap joined ("$725.13 $13,952.07")
    are counted by their amounts."""
    found = [parse_amount(match.group("amount")) for match in AMOUNT_PATTERN.finditer(rest)]
    if found and len(found) == shape.amounts:
        return found[-1], found[:-1]
    cells = _cells(rest)
    if len(cells) == shape.cells:
        return _last_amount(cells[-1]), [parse_amount(cell) for cell in cells[:-1]]
    return None, []


def _last_amount(text: str) -> Decimal | None:
    matches = list(AMOUNT_PATTERN.finditer(text))
    return parse_amount(matches[-1].group("amount")) if matches else None


def _unread_row(line: TextLine) -> PeriodRow:
    return PeriodRow(None, None, None, None, line.text.strip(), line.page, line.bbox, _confidence(line, 1.0))


def _row(line: TextLine, match: regex.Match[str], shape: _Shape) -> PeriodRow:
    amount, parts = _row_amounts(_rest(match), shape)
    adds_up = None
    if amount is not None and parts and None not in parts:
        adds_up = sum((part for part in parts if part is not None), Decimal(0)) == amount
    form = _form_read(match.group("form"))
    return PeriodRow(
        form=form if _FORM_READ.fullmatch(form) else None,
        period_end=_period_end(match),
        amount=amount,
        adds_up=adds_up,
        raw=line.text.strip(),
        page=line.page,
        bbox=line.bbox,
        confidence=_confidence(line, 1.0 if adds_up is not False else _DOUBT),
    )


def _doubt_odd_forms(rows: list[PeriodRow]) -> tuple[PeriodRow, ...]:
    """A form that may be a misreading of a form other rows print at least as often is more likely an OCR
    misreading than another return ("1046" or "940" among "1040" rows; of two rows, both; "941" beside
    "1040" is not): its row goes below the default min_confidence."""
    forms = [row.form for row in rows if row.form is not None]
    return tuple(
        replace(row, confidence=round(row.confidence * _MISREAD, 3))
        if row.form is not None
        and any(
            _misread_of(row.form, other) and forms.count(other) >= forms.count(row.form) for other in forms
        )
        else row
        for row in rows
    )


def _misread_of(form: str, other: str) -> bool:
    """One character misread ("1046" for 1040), or two read as one or one as two beside another change
    ("940" for 1040 on a fax: its "10" read as a 9)."""
    if one_character_apart(form, other):
        return True
    return (
        abs(len(form) - len(other)) == 1
        and regex.fullmatch(rf"(?:{regex.escape(other)}){{e<=2}}", form) is not None
    )


# The table's left rule read into the form's cell: "|1040", "11040" (a return's form after a 1 or l, no
# form of five digits; "16490" stays unread); a dashed rule touching the row's tops read as a quote mark
# ("“1040"). "[646" is no rule before a form: its "1040" was misread whole.
_RULE_BEFORE_FORM = regex.compile(rf"^(?:\||[“”‘’«\"']|[1lI](?=(?:{'|'.join(RETURN_FORMS)})$))")


def _form_read(token: str) -> str:
    """The form's cell without the specks its rules left at either side, letters read for digits undone."""
    token = _RULE_BEFORE_FORM.sub("", token.rstrip(")]|"))
    return repair_digits(token[:4]) + token[4:]


def _period_end(match: regex.Match[str]) -> dt.date | None:
    """The period's last day; a tax period ends on a month's last day, so a date read as another day is a
    misread ("December 3 2021" on a fax for December 31) and reads as none."""
    year_month = match.group("year_month")
    if year_month:
        return month_end(year_month)
    day = parse_date(match.group("date"))
    return day if day is not None and (day + dt.timedelta(days=1)).day == 1 else None


def _confidence(line: TextLine, factor: float) -> float:
    return round(_ROW_CONFIDENCE * factor * (0.5 + 0.5 * line.confidence), 3)
