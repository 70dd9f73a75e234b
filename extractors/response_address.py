"""Extract the IRS address a reply goes to: the address block of the payment stub or response form, or an
address after a "send to" / "mail to" label.

Handles:
- the stub's block: "INTERNAL REVENUE SERVICE" alone in its cell, then up to two box rows ("PO BOX 931000",
  "P.O. Box 9019", "Stop 813G"), then "KANSAS CITY, MO 64999-0131"; the city may share its row with the
  taxpayer's name printed beside it ("JAMES & ERIC BRANDT    KANSAS CITY, MO 64999-0131"), and OCR may
  damage the name ("INTERNAL REVENUE SERV1CE") or the ZIP ("OGDEN, UT 8420l-0085");
- a label: "Mail to: Internal Revenue Service, P.O. Box 931000, Louisville, KY 40293-1000" on one row,
  or "Send your response to:" with the block on the rows below.
Not the letterhead (the block under "Department of the Treasury" is the sender's return address) and not a
sentence that only points at an address ("send it to the address on this notice").
Value: "PO BOX 931000, KANSAS CITY, MO 64999-0131" (capitals, the IRS's name left out, ZIP+4 kept).
"""

from __future__ import annotations

import regex

from extractors.text import Candidate, TextLine, fuzzy_label, repair_digits

_IRS_NAME = regex.compile(rf"^{fuzzy_label('Internal Revenue Service', 2)}$", regex.IGNORECASE)
_LETTERHEAD = regex.compile(rf"^{fuzzy_label('Department of the Treasury', 2)}$", regex.IGNORECASE)
_BOX = regex.compile(r"^(?:P\.?\s?O\.?\s*BOX|STOP)\s+[0-9A-Z-]{1,10}$", regex.IGNORECASE)
_CITY = regex.compile(
    r"""^(?P<city>[A-Za-z][A-Za-z .'-]{1,30}?),\s*(?P<state>[A-Z]{2})\s+
    (?P<zip>[0-9OolISB]{5})(?:-(?P<plus4>[0-9OolISB]{4}))?$""",
    regex.VERBOSE,
)
_LABEL = regex.compile(
    rf"""^\s*(?:{fuzzy_label("Send to")}|{fuzzy_label("Mail to")}
    |(?:send|mail)\s+(?:it|this\s+\w+|your\s+\w+(?:\s+and\s+\w+)?)\s+to)  # "Send your response to"
    \s*:\s*(?P<rest>.*)$""",
    regex.IGNORECASE | regex.VERBOSE,
)
BLOCK_CONFIDENCE = 0.9
LABEL_CONFIDENCE = 0.95
_MAX_BOX_ROWS = 2


def _cells(line: TextLine) -> list[str]:
    """A row's cells: columns printed side by side are four or more spaces apart."""
    return [cell.strip() for cell in regex.split(r"\s{4,}", line.text.strip()) if cell.strip()]


def _city(cell: str) -> str | None:
    """ "KANSAS CITY, MO 64999-0131" from a city row (OCR letter-for-digit confusions in the ZIP undone)."""
    match = _CITY.match(cell)
    if match is None:
        return None
    zip_code, plus4 = repair_digits(match.group("zip")), repair_digits(match.group("plus4") or "")
    if not zip_code.isdigit() or (plus4 and not plus4.isdigit()):
        return None
    city = " ".join(match.group("city").upper().split())
    return f"{city}, {match.group('state')} {zip_code}" + (f"-{plus4}" if plus4 else "")


def _read_block(rows: list[list[str]]) -> tuple[str, int] | None:
    """(address, rows used) from the rows under the IRS's name: box rows, then the city row."""
    parts: list[str] = []
    for used, cells in enumerate(rows[: _MAX_BOX_ROWS + 1], start=1):
        city = next((found for cell in cells if (found := _city(cell))), None)
        if city is not None:
            return ", ".join([*parts, city]), used
        box = next((cell for cell in cells if _BOX.match(cell)), None)
        if box is None:
            return None
        parts.append(" ".join(box.upper().replace(".", "").split()).replace("P O BOX", "PO BOX"))
    return None


def _one_row(rest: str) -> str | None:
    """An address written on the label's own row, parts split by commas, the IRS's name first or not."""
    parts = [part.strip() for part in rest.split(",") if part.strip()]
    if parts and _IRS_NAME.match(parts[0]):
        parts = parts[1:]
    if len(parts) < 2:
        return None
    found = _read_block([[part] for part in parts[:-2]] + [[f"{parts[-2]}, {parts[-1]}"]])
    return found[0] if found and found[1] == len(parts) - 1 else None


def _candidate(value: str, rows: list[TextLine], rule: str, base: float) -> Candidate:
    confidence = round(base * (0.5 + 0.5 * min(row.confidence for row in rows)), 3)
    raw = " / ".join(row.text.strip() for row in rows)
    return Candidate(value, raw, rows[0].page, rows[0].bbox, rule, confidence)


def _after_label(rows: list[TextLine], index: int, rest: str) -> Candidate | None:
    if rest and not _IRS_NAME.match(rest):
        value = _one_row(rest)
        return (
            _candidate(value, rows[index : index + 1], "send_to_label", LABEL_CONFIDENCE) if value else None
        )
    below = rows[index + 1 : index + 5]
    if below and any(_IRS_NAME.match(cell) for cell in _cells(below[0])):
        below = below[1:]
    found = _read_block([_cells(row) for row in below])
    if found is None:
        return None
    return _candidate(
        found[0], rows[index : index + 1] + below[: found[1]], "send_to_label", LABEL_CONFIDENCE
    )


def _stub_block(rows: list[TextLine], index: int) -> Candidate | None:
    cells = _cells(rows[index])
    if not any(_IRS_NAME.match(cell) for cell in cells):
        return None
    if index and _LETTERHEAD.match((_cells(rows[index - 1]) or [""])[0]):
        return None  # the letterhead: where the notice came from
    below = [row for row in rows[index + 1 : index + 2 + _MAX_BOX_ROWS] if row.page == rows[index].page]
    found = _read_block([_cells(row) for row in below])
    if found is None:
        return None
    return _candidate(found[0], [rows[index], *below[: found[1]]], "irs_address_block", BLOCK_CONFIDENCE)


def find_response_addresses(lines: list[TextLine]) -> list[Candidate]:
    """Every IRS reply address the notice prints: labelled ones and the stub's or response form's block."""
    rows = [line for line in lines if not line.stacked]
    found = []
    for index, row in enumerate(rows):
        label = _LABEL.match(row.text)
        candidate = (
            _after_label(rows, index, label.group("rest").strip()) if label else _stub_block(rows, index)
        )
        if candidate is not None:
            found.append(candidate)
    return found
