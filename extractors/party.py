"""Extract the taxpayer's name and mailing address from the address block of page 1.

The block is found by its last row, "CITY ST 12345" or "CITY, ST 12345-6789", whose ZIP is not an IRS
campus ZIP (the IRS's own return address has the same shape). Above it: the street row (starts with a
number or "PO BOX"), then one or two name rows in capitals. Handles "JENNIFER SULLIVAN",
"JENNIFER & MARK SULLIVAN", "JENNIFER AND MARK SULLIVAN", "ACME ROOFING LLC". Rows are split at wide gaps
(four or more spaces) and only the left segment is read, because the header block often shares the row.
Values: name "JENNIFER SULLIVAN"; address "1201 PRAIRIE LN, LINCOLN, NE 68510".
"""

from __future__ import annotations

import regex

from extractors.text import Candidate, TextLine

IRS_CAMPUS_ZIPS = frozenset(
    {"73301", "64999", "84201", "93888", "45999", "45250", "11742", "19255", "39901", "84244", "64108"}
)
_CITY_LINE = regex.compile(
    r"^(?P<city>[A-Z][A-Za-z .'-]{1,30}?),?\s+(?P<state>[A-Z]{2})\s+(?P<zip>\d{5})(?:-\d{4})?$"
)
_STREET = regex.compile(
    r"^(?:\d{1,6}[A-Z]?\s+[A-Za-z0-9 .#'-]{3,40}|P\.?\s?O\.?\s+BOX\s+\d+.*)$", regex.IGNORECASE
)
_NAME = regex.compile(r"^[A-Z][A-Z.'-]*(?:\s+(?:&|AND|[A-Z][A-Z.'-]*)){1,6}$")
_NOT_NAMES = regex.compile(
    r"DEPARTMENT|TREASURY|INTERNAL|REVENUE|SERVICE|NOTICE|IRS\b|PAGE|BILLING", regex.IGNORECASE
)


def _left_segment(line: TextLine) -> str:
    return regex.split(r"\s{4,}", line.text.strip())[0].strip()


def find_taxpayer(lines: list[TextLine]) -> tuple[Candidate | None, Candidate | None]:
    """(name, address) candidates from the first taxpayer address block, or Nones."""
    segments = [_left_segment(line) for line in lines]
    for index, segment in enumerate(segments):
        city = _CITY_LINE.match(segment)
        if not city or city.group("zip") in IRS_CAMPUS_ZIPS or index < 2:
            continue
        if not _STREET.match(segments[index - 1]):
            continue
        name_index = index - 2
        if not _NAME.match(segments[name_index]) or _NOT_NAMES.search(segments[name_index]):
            continue
        return _candidates(lines, segments, name_index, index, city)
    return None, None


def _candidates(
    lines: list[TextLine], segments: list[str], name_index: int, city_index: int, city: regex.Match[str]
) -> tuple[Candidate, Candidate]:
    name_line, city_line = lines[name_index], lines[city_index]
    street = segments[city_index - 1].upper()
    address = f"{street}, {city.group('city').upper().rstrip(',')}, {city.group('state')} {city.group('zip')}"
    confidence = min(name_line.confidence, city_line.confidence)
    name = Candidate(
        segments[name_index],
        segments[name_index],
        name_line.page,
        name_line.bbox,
        "address_block",
        round(0.9 * confidence, 3),
    )
    raw = " / ".join(segments[city_index - 1 : city_index + 1])
    return name, Candidate(
        address, raw, city_line.page, city_line.bbox, "address_block", round(0.9 * confidence, 3)
    )
