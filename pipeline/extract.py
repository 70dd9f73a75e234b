"""Classify the notice and choose one value per field from the extractors' candidates.

``to_text_lines(document)`` turns OCR pages into the extractors' ``TextLine`` rows, each followed by its
labels joined to the values printed under them (``pipeline.layout.stacked_label_lines``).
``classify_notice(lines, catalog) -> Classification`` (match, catalog entry, best printed reading) scores
every code printed (labelled readings weigh most, misreadings of a printed catalog code count for it) and
the type's keywords; a close runner-up is recorded.
``extract_fields(lines, classification) -> Extraction`` reads every field the registry declares
(``pipeline.fields``), each by its extractor or reader (``pipeline.choose``: candidates that agree add up, a
strong candidate that disagrees is a finding), then adds a finding for each printed value it could not read,
each copy that does not confirm the value read, a number a header prints under a label OCR could not read
that no field read, and an amount one misread digit from the amount due (the status stage turns findings
into review reasons). ``read_periods`` reads a collection notice's table of tax periods
(``extractors.periods``) into ``TaxPeriod`` rows, each unread value of it a finding, as is a table total
that is not the amount due, and a period row printed whose table's heading could not be read.
``read_revision`` reads the marker of a revised notice (``extractors.revision``), None when none is printed.
Values follow the result contract: ISO dates, two-place decimal strings, int years.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import NamedTuple

import regex

from extractors.amounts import AMOUNT_PATTERN, format_amount, parse_amount
from extractors.billing import find_billing_lines
from extractors.contacts import CALLER_ID_DIGITS, RETURN_FORMS
from extractors.dates import YEAR_MONTH
from extractors.notice_number import find_notice_numbers
from extractors.periods import PeriodRow, find_period_table, is_period_heading, unheaded_period_row
from extractors.revision import find_revision_markers
from extractors.text import Candidate, TextLine, find_printed
from pipeline.catalog import Catalog, DeadlineRule, NoticeType
from pipeline.choose import AGREEMENT_BONUS
from pipeline.fields import FIELDS, FieldSpec, Reading
from pipeline.layout import COLUMN_GAP, stacked_label_lines
from pipeline.lost_rows import GARBLED_BELOW
from pipeline.models import (
    BillingLine,
    DeadlineKind,
    Extraction,
    Field,
    FieldValue,
    NoticeTypeMatch,
    OcrDocument,
    OcrLine,
    TaxPeriod,
)

RUNNER_UP_MARGIN = 0.1
MISREAD_FACTOR = 0.8  # a reading merged into the code it misread counts for less


def to_text_lines(document: OcrDocument) -> list[TextLine]:
    """Every row in reading order, each followed by the labels on it joined to their stacked values."""
    lines = []
    for page in document.pages:
        stacked: dict[int, list[OcrLine]] = defaultdict(list)
        for index, line in stacked_label_lines(page.lines):
            stacked[index].append(line)
        for index, line in enumerate(page.lines):
            lines.append(text_line(page.number, line))
            lines += [text_line(page.number, joined, stacked=True) for joined in stacked[index]]
    return lines


def text_line(page: int, line: OcrLine, stacked: bool = False) -> TextLine:
    """One OCR row as the extractors read it, its words' confidences kept."""
    words = tuple((word.text, word.confidence) for word in line.words)
    return TextLine(page, line.text, line.bbox, line.confidence, stacked, words)


class Classification(NamedTuple):
    match: NoticeTypeMatch
    notice: NoticeType | None
    evidence: Candidate | None  # the best printed reading of the chosen code, for provenance


def classify_notice(lines: list[TextLine], catalog: Catalog) -> Classification:
    readings = _one_per_spot(find_notice_numbers(lines))
    support: dict[str, list[float]] = defaultdict(list)
    for candidate in readings:
        notice = catalog.get(str(candidate.value))
        support[notice.code if notice else str(candidate.value)].append(candidate.confidence)
    support = _merge_misreadings(support, catalog)
    # The header, the stub and the body repeat the code: each agreeing reading adds a little.
    scores = {code: max(found) + AGREEMENT_BONUS * (len(found) - 1) for code, found in support.items()}
    if not scores:
        return Classification(NoticeTypeMatch(code=None, title=None, confidence=0.0), None, None)
    text = " ".join(line.text for line in lines).lower()
    for code in scores:
        notice = catalog.get(code)
        if notice and notice.keywords:
            hits = sum(1 for keyword in notice.keywords if keyword in text)
            scores[code] += 0.05 * hits / len(notice.keywords)
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (code, score), runner_up = ranked[0], (ranked[1] if len(ranked) > 1 else None)
    close = runner_up[0] if runner_up and score - runner_up[1] < RUNNER_UP_MARGIN else None
    notice = catalog.get(code)
    match = NoticeTypeMatch(
        code=code, title=notice.title if notice else None, confidence=round(min(score, 1.0), 3),
        runner_up=close or (_titled_neighbour(code, text, catalog) if len(support[code]) < 2 else None),
    )  # fmt: skip
    evidence = max(
        readings, key=lambda c: (c.value == code or catalog.get(str(c.value)) is notice, c.confidence)
    )
    return Classification(match, notice, evidence)


def _one_per_spot(readings: list[Candidate]) -> list[Candidate]:
    """The strongest reading of each code on each line: rules that match the same words ("Notice CP14" is
    also a bare "CP14") are one reading, not agreeing ones."""
    best: dict[tuple, Candidate] = {}
    for reading in readings:
        spot = (reading.page, reading.bbox, reading.value)
        if spot not in best or reading.confidence > best[spot].confidence:
            best[spot] = reading
    return list(best.values())


def _titled_neighbour(code: str, text: str, catalog: Catalog) -> str | None:
    """The type one digit misread from ``code`` whose title the notice prints while ``code``'s own is not
    printed (a fax's "CP10" read "CP16" above "We changed your return: estimated tax credit for next year
    reduced", CP10's title): the code alone cannot say which it is. Asked only of a code read once: the
    header's and the stub's copies agreeing are no misreading."""
    notice = catalog.get(code)
    if notice is None or notice.title.lower() in text:
        return None
    neighbours = [
        other.code
        for other in catalog.notices
        if other.code != code and len(other.code) == len(code) and _misreads(code, other.code)
        and other.title.lower() in text
    ]  # fmt: skip
    return neighbours[0] if len(neighbours) == 1 else None


def _misreads(code: str, known: str) -> bool:
    """One OCR edit away ("CP2600" for "CP2000"), or the head of a code OCR split in two ("CP2 100A")."""
    return known.startswith(code) or regex.fullmatch(f"(?:{regex.escape(known)}){{e<=1}}", code) is not None


def _merge_misreadings(support: dict[str, list[float]], catalog: Catalog) -> dict[str, list[float]]:
    """An unknown code one OCR edit away from a catalog code that the notice also prints ("CP2600" beside
    "CP2000", "CP71CC" beside "CP71C"), or its head split off ("CP2" beside "CP2100A"), is a misreading of
    it. An unknown code standing alone stays unknown: it may be a fake's invented number, which the scam
    check weighs."""
    merged = {code: list(found) for code, found in support.items() if catalog.get(code)}
    for code, found in support.items():
        if catalog.get(code):
            continue
        near = [known for known in merged if _misreads(code, known)]
        if len(near) == 1:
            merged[near[0]] += [confidence * MISREAD_FACTOR for confidence in found]
        else:
            merged[code] = list(found)
    return merged


def extract_fields(lines: list[TextLine], classification: Classification) -> Extraction:
    """Every field of the registry (``pipeline.fields``), read in its order."""
    match, notice, evidence = classification
    windowed = notice is not None and notice.deadline is DeadlineRule.COMPUTED
    reading = Reading(
        lines, match.code, match.confidence, evidence,
        category=notice.category if notice else None,
        carries_none=notice.carries_none if notice else frozenset(),
        published_window=notice.response_window_days if notice and windowed else None,
    )  # fmt: skip
    fields = {spec.name: reading.read(spec.name) for spec in FIELDS}
    billing = tuple(  # a row printed but not readable keeps no amount: the arithmetic is then unknown
        BillingLine(label=label, amount="" if amount is None else str(amount))
        for label, amount in find_billing_lines(lines)
    )
    findings = reading.findings + _unread_values(lines, fields, reading.carries_none)
    window = notice.response_window_days if notice is not None else None
    findings += _unconfirmed_copies(lines, fields, window) + _values_under_unread_labels(lines, fields)
    findings += _form_after_unread_label(lines, fields["form"]) + _lone_caller_id(lines, fields)
    if not any(finding.startswith("amount_due:") for finding in findings):  # one doubt says it
        findings += _amounts_one_digit_apart(lines, fields["amount_due"])
    if notice is not None and notice.response_window_days:
        findings += _dates_one_digit_from_window(fields, notice.response_window_days)
    periods, period_findings = read_periods(lines, fields.get("amount_due"))
    if (form := _form_of_every_period(periods)) is not None and fields["form"].value is None:
        fields["form"] = form
    return Extraction(
        fields=fields, billing_lines=billing, periods=periods, revised=read_revision(lines),
        findings=(*findings, *period_findings),
    )  # fmt: skip


def _form_of_every_period(periods: tuple[TaxPeriod, ...]) -> Field | None:
    """The form a table of tax periods names on every row ("941" on each quarter's row), as the notice's
    form when no sentence or label names one; None when the rows name several or none."""
    forms = {period.form for period in periods}
    if len(forms) != 1 or None in forms:
        return None
    first = periods[0]
    confidence = min(period.confidence for period in periods)
    return Field(value=first.form, confidence=confidence, page=first.page, bbox=first.bbox, raw=first.raw,
                 rule="period_table")  # fmt: skip


def read_revision(lines: list[TextLine]) -> Field | None:
    """The first marker that the notice is a revision of an earlier one, or None."""
    marker = next(iter(find_revision_markers(lines)), None)
    if marker is None:
        return None
    return Field(
        value=marker.value, confidence=marker.confidence, page=marker.page, bbox=marker.bbox,
        raw=marker.raw, rule=marker.rule,
    )  # fmt: skip


def read_periods(lines: list[TextLine], amount_due: Field | None) -> tuple[tuple[TaxPeriod, ...], list[str]]:
    """The rows of the notice's table of tax periods, and a finding for every value of it printed but not
    read (a row's form, period end or amount; all three for a row that does not read as a period) and a
    table total that is not the amount due read elsewhere."""
    table = find_period_table(lines)
    if table is None:
        return (), _unheaded_table(lines)
    findings = []
    for number, row in enumerate(table.rows, start=1):
        findings += _row_findings(number, row)
    due = amount_due.value if amount_due else None
    if table.total is not None and due is not None and format_amount(table.total) != due:
        findings.append(
            f"periods: the table's total {format_amount(table.total)} is not the amount due {due}"
        )
    return tuple(_tax_period(row) for row in table.rows), findings


def _unheaded_table(lines: list[TextLine]) -> list[str]:
    row = unheaded_period_row(lines)
    if row is None:
        return []
    return [f"periods: the notice prints {row.text.strip()[:60]!r}, a period of a table whose heading could "
            "not be read"]  # fmt: skip


def _row_findings(number: int, row: PeriodRow) -> list[str]:
    unread = [name for name in ("form", "period_end", "amount") if getattr(row, name) is None]
    if not unread:
        return []
    return [f"periods: row {number} prints {row.raw[:60]!r} but its {', '.join(unread)} could not be read"]


def _tax_period(row: PeriodRow) -> TaxPeriod:
    return TaxPeriod(
        form=row.form,
        period_end=row.period_end.isoformat() if row.period_end else None,
        amount=format_amount(row.amount) if row.amount is not None else None,
        confidence=row.confidence, page=row.page, bbox=row.bbox, raw=row.raw,
    )  # fmt: skip


_PLACEHOLDER_VALUE = regex.compile(r"^\s*[nNxX*#]{3,}(?:[-\s][nNxX*#]+)*\s*(?:\s{4}|$)")


def _unread_values(
    lines: list[TextLine], fields: dict[str, Field], carries_none: frozenset[str]
) -> list[str]:
    """A field whose label is printed with a value we could not read is a review reason instead of a silent
    gap, whether the notice type requires the field or not."""
    unread = []
    for spec in FIELDS:
        field = fields[spec.name]
        if spec.printed is None or field.value is not None or field.rule is not None:
            continue  # not declared printed, read, or a placeholder read as "none"
        if spec.name in carries_none:
            continue  # a field this type never prints
        printed = find_printed(spec.printed, lines, needs_digit=False)  # a fax may leave no digit in it
        if printed is not None:
            unread.append(
                f"{spec.name}: the notice prints {printed.strip()!r} but the value could not be read"
            )
        elif spec.printed_alone and (label := _label_without_value(spec.printed_alone, lines)) is not None:
            unread.append(f"{spec.name}: the notice prints the label {label!r} but no value was read")
    return unread


def _label_without_value(label_alone: regex.Pattern[str], lines: list[TextLine]) -> str | None:
    """A header label alone in its cell with no value read beside or under it. A placeholder printed under
    it ("Your caller ID" / "nnnn", the IRS's sample notices) is a value saying there is none; a table of
    periods' heading row ("Tax form    Tax period    Amount you owe") heads columns, not one value."""
    for line in lines:
        found = None if line.stacked or is_period_heading(line.text) else label_alone.search(line.text)
        if found is None or (line.bbox is not None and _placeholder_under(line, lines)):
            continue
        return found.group(0).strip(" :")
    return None


def _placeholder_under(label: TextLine, lines: list[TextLine]) -> bool:
    assert label.bbox is not None
    x, y, _, height = label.bbox
    for line in lines:
        if line.bbox is None or line.page != label.page or line.stacked:
            continue
        left, top = line.bbox[0], line.bbox[1]
        below = y + height <= top <= y + 2.5 * height
        if below and abs(left - x) <= 2 * height and _PLACEHOLDER_VALUE.match(line.text):
            return True
    return False


# A caller ID, a phone, a masked SSN or EIN: "621973", "1-800-829-0922", "(800) 829-0922", "XXX-XX-3040";
# not a year, a ZIP ("11742-0070" under a city OCR garbled) or a date ("03-03-2025").
_HEADER_NUMBER = regex.compile(
    r"^\s*(?:\d{6}|(?:1-)?\d{3}-\d{3}-\d{4}|\(\d{3}\)\s?\d{3}-\d{4}|[Xx*#][Xx*#-]+\d{4})\s*$"
)


def _values_under_unread_labels(lines: list[TextLine], fields: dict[str, Field]) -> list[str]:
    """A number a header prints under a label OCR could not read (every word of it below ``GARBLED_BELOW``:
    "[Causa" over "621973", a ruled table's small capitals) that no field read: a caller ID, a phone, an
    SSN's mask, left out silently otherwise. Dates and amounts are left to their fields' own checks (a
    column of a table's amounts under a label read unsurely is no header's value)."""
    findings = []
    for line in lines:
        label, _, value = line.text.partition(COLUMN_GAP)
        label_words = line.words[: len(label.split())]
        if not (line.stacked and label_words and _HEADER_NUMBER.match(value)):
            continue
        if all(conf < GARBLED_BELOW for _, conf in label_words) and not _read_as_a_field(value, fields):
            findings.append(
                f"header: the notice prints {value.strip()!r} under a label that could not be read "
                f"({label.strip()!r})"
            )
    return findings


# A return's form ending a row after a dot leader OCR read as one long word, its label garbled with it ("TEAR
# TOTEM) «.05.20cs55<sscsec...ssnose 1040"): a leader is a long run with marks, or longer than any word.
_FORM_AFTER_LEADER_WORD = regex.compile(
    rf"(?:(?=\S*[^\p{{L}}\s])\S{{12,}}|\S{{20,}})\s+(?P<form>{'|'.join(RETURN_FORMS)})\s*$"
)


def _form_after_unread_label(lines: list[TextLine], form: Field) -> list[str]:
    """A form printed at the end of a header row whose label OCR garbled with its leader, or alone in a cell
    beside (or after) a label of at most three words that was not read as a form's ("F a    1040", "ioe
    1040": forme's "Form" read so; "ae Fount 1040"), when no form was read: left out silently otherwise."""
    if form.value is not None:
        return []
    for line in lines:
        if (match := _FORM_AFTER_LEADER_WORD.search(line.text)) is not None:
            return [f"form: the notice prints {match.group('form')!r} after a label that could not be read"]
        if (cell := _lone_form_cell(line)) is not None:
            return [
                f"form: the notice prints {cell[1]!r} beside a label that could not be read ({cell[0]!r})"
            ]
    return []


# A caller ID's digits alone in a cell ending a row of page one.
_CALLER_ID_CELL = regex.compile(rf"(?:^|\s{{4}})(?P<digits>\d{{{CALLER_ID_DIGITS}}})\s*$")
_YEAR_MONTH = regex.compile(YEAR_MONTH)  # a letter's period ("202312") has a caller ID's shape


def _lone_caller_id(lines: list[TextLine], fields: dict[str, Field]) -> list[str]:
    """Six digits alone in a cell ending a row of page one that no field read, when no caller ID was read:
    a caller ID whose label OCR lost or set on another row (web's photo: "Questions? Call    373130")."""
    if fields["caller_id"].value is not None:
        return []
    for line in lines:
        match = _CALLER_ID_CELL.search(line.text) if line.page == 1 and not line.stacked else None
        digits = match.group("digits") if match else ""
        if match and not _YEAR_MONTH.fullmatch(digits) and not _read_as_a_field(digits, fields):
            return [f"caller_id: the notice prints {digits!r}, a caller ID's six digits, unread"]
    return []


def _lone_form_cell(line: TextLine) -> tuple[str, str] | None:
    """(label, form) of a row's cell that is a return's form alone after a cell of at most three words, or
    that ends a cell of at most three words before it ("ae Fount 1040": gazette's "Tax form: 1040")."""
    cells = [cell.strip() for cell in line.text.strip().split(COLUMN_GAP)]
    for label, value in zip(cells, cells[1:], strict=False):
        if value in RETURN_FORMS and 0 < len(label.split()) <= 3:
            return label, value
    for words in (cell.split() for cell in cells):
        if 1 < len(words) <= 4 and words[-1] in RETURN_FORMS:
            return " ".join(words[:-1]), words[-1]
    return None


def _read_as_a_field(value: str, fields: dict[str, Field]) -> bool:
    """``value`` holds what a field read, at its end: its digits, a masked SSN's last four, a phone
    printed with its "1-"."""
    read = {str(field.value) for field in fields.values() if field.value is not None}
    digits = regex.sub(r"\D", "", value)
    return any(len(tail) >= 4 and digits.endswith(tail) for tail in (regex.sub(r"\D", "", v) for v in read))


def _amounts_one_digit_apart(lines: list[TextLine], amount_due: Field) -> list[str]:
    """An amount printed anywhere that differs from the amount due read in one digit, a pair OCR confuses
    ("$13,750.76" beside a stub's "$13,756.76", a fax's 0 read as 6): one of the two is a misread, and only a
    person can tell which; a label OCR garbled hides the copy from every other check."""
    due = amount_due.value
    if not isinstance(due, str):
        return []
    for line in lines:
        for match in () if line.stacked else AMOUNT_PATTERN.finditer(line.text):
            amount = parse_amount(match.group("amount"))
            other = format_amount(amount) if amount is not None else due
            if _one_misread_apart(other, due):
                return [f"amount_due: the notice also prints {match.group('amount').strip()!r}, one digit "
                        f"from the amount due read ({due})"]  # fmt: skip
    return []


# Digits OCR takes for one another (a fax's 0 for 6, a 3 for 8): "$1,500.00" beside "$1,000.00" is no misread.
_CONFUSED_DIGITS = {frozenset(pair) for pair in ("06", "08", "09", "68", "69", "89", "56", "38", "35", "17")}


def _one_misread_apart(text: str, other: str) -> bool:
    """The two differ in one place only, by digits OCR confuses."""
    if len(text) != len(other):
        return False
    pairs = [frozenset(pair) for pair in zip(text, other, strict=True) if pair[0] != pair[1]]
    return len(pairs) == 1 and pairs[0] in _CONFUSED_DIGITS


_OTHER_WINDOW = 9  # days between the IRS's 21- and 30-day windows: a CP504 printing 21 days is no misread


def _dates_one_digit_from_window(fields: dict[str, Field], window_days: int) -> list[str]:
    """A printed deadline that is the type's published window after a date one misread digit from the
    notice date read ("respond by 12/08/2024", 30 days after November 8, beside "November 6, 2024" read at
    0.96): one of the two dates is misread, and only a person can tell which. A deadline printed on another
    window is no doubt at all (published windows vary)."""
    date, start = fields["notice_date"].value, _window_start(fields, window_days)
    if date is None or start is None:
        return []
    expected, days_apart = start.isoformat(), abs((start - dt.date.fromisoformat(str(date))).days)
    if days_apart >= _OTHER_WINDOW or not _one_misread_apart(expected, str(date)):
        return []
    deadline = fields["deadline"].value
    return [f"notice_date: read as {date}, but the deadline read ({deadline}) is {window_days} days after "
            f"{expected}: one digit of the two may be misread"]  # fmt: skip


def _window_start(fields: dict[str, Field], window_days: int | None) -> dt.date | None:
    """The printed deadline less the type's published window: the notice date, if both were read right."""
    deadline = fields["deadline"]
    if window_days is None or deadline.value is None or deadline.kind is not DeadlineKind.PRINTED:
        return None
    return dt.date.fromisoformat(str(deadline.value)) - dt.timedelta(days=window_days)


def _unconfirmed_copies(
    lines: list[TextLine], fields: dict[str, Field], window_days: int | None
) -> list[str]:
    """A field the notice prints more than once (header, stub, later pages' headers): a copy we could not
    read may hold what the one we read got wrong ("*** KK -0054" beside "***-**-9054"), so one reading alone
    is not enough when another copy is unreadable. A notice date is confirmed too by a printed deadline the
    type's published window after it: two values printed apart agree."""
    findings = []
    for spec in FIELDS:
        value = fields[spec.name].value
        if not spec.copied or value is None:
            continue
        copies = [
            line
            for index, line in enumerate(lines)
            if spec.printed and spec.printed.search(line.text) and not _paired_below(lines, index)
        ]
        confirmed = [_confirms(spec, line, value) for line in copies]
        unread = [line.text.strip() for line, found in zip(copies, confirmed, strict=True) if found is None]
        start = _window_start(fields, window_days) if spec.name == "notice_date" else None
        by_deadline = start is not None and start.isoformat() == value
        if unread and confirmed.count(True) + by_deadline < 2:
            findings.append(
                f"{spec.name}: the notice prints it again as {unread[0][:60]!r}, which could not be read to "
                f"confirm {value}"
            )
    return findings


def _paired_below(lines: list[TextLine], index: int) -> bool:
    """The row's label was paired with the value under it (the row that follows it, ``stacked``): what the row
    holds after the label is another column's print ("Notice date    1750 GRANITE LN APT 25C"), no copy."""
    if index + 1 == len(lines) or not (paired := lines[index + 1]).stacked:
        return False
    label = paired.text.split(COLUMN_GAP, 1)[0]
    return f"{label}{COLUMN_GAP}" in lines[index].text


def _confirms(spec: FieldSpec, line: TextLine, value: FieldValue) -> bool | None:
    """True when the copy reads as ``value``, False when it reads as something else, None when unread. A
    copy OCR garbled may still confirm it (``FieldSpec.garbled_confirms``)."""
    assert spec.find is not None and spec.printed is not None, f"{spec.name} is copied without an extractor"
    found = spec.find([line])
    if found:
        return any(candidate.value == value for candidate in found)
    if spec.garbled_confirms is not None:
        after_label = line.text[spec.printed.search(line.text).start() :]  # type: ignore[union-attr]
        if spec.garbled_confirms(after_label, value):
            return True
    return None
