"""Extract the taxpayer's name and mailing address from the address block of page 1.

The block is found by its last row, "CITY ST 12345" or "CITY, ST 12345-6789" (its ZIP perhaps read as a
row of its own just to its right), whose ZIP is not an IRS campus ZIP (the IRS's own return address has the
same shape). Above it: the street row (starts with a number or "PO BOX"), perhaps an "in care of" row
("% PETERSEN & ASSOCIATES", "C/O YAMADA CPA GROUP", "IN CARE OF MERCER CPA": not part of the name or the
address), then one or two name rows in capitals. Handles "JENNIFER SULLIVAN", "JENNIFER & MARK SULLIVAN",
"JENNIFER AND MARK SULLIVAN", "ACME ROOFING LLC", and a name on two rows: two people ("ANTHONY OSEI" /
"MARIA OSEI" → "ANTHONY OSEI & MARIA OSEI") or one name wrapped ("ERIC K" / "OKAFOR"). Rows are split at wide
gaps (four or more spaces) and the left segment is read, because the header block often shares the row; a
block printed right of a column of header labels and values is read from the rows' right segments when the
left ones hold none. Rows of the right-hand header printed between them are skipped by their left edge.
Values: name "JENNIFER SULLIVAN"; address "1201 PRAIRIE LN, LINCOLN, NE 68510" (ZIP+4 kept when printed; a
street type OCR glued to the unit, "CEDAR RIDGE PLAPT 9D", is split: "CEDAR RIDGE PL APT 9D").

``unsure_block_words(lines, notice)``: the block's name and address words that OCR scored low (and no surely
read copy of their row confirms);
``zip_outside_state(address)``: a ZIP that is not one of its state's (a misread digit), or no state;
``confusable_unit(address)``: a unit OCR read with letters for its digits ("APT ID" for APT 1D);
``is_cut_joint_name(name)``: a joint name ending in "AND"/"&"; ``glued_name_word(name)``: a word that is
another of the name with letters glued before it; ``salutation_disagrees(lines, name)``: a
letter's "Dear NAME:" whose words are not the block's; ``copy_disagrees(lines, name)``: a copy of the name
row a letter apart from it. Each is a reason for a person to look.

``stray_name_word(lines, name)``: a lone capitalised word on a row beside the name's that a tilted page may
have split off the name ("JASON & JAMES" read one row below its "BRANDT"), so that a person checks it.

``misread_given_names(lines, notice)``: a person's given name that is no common name but one letter from one,
read unsurely ("DIANA & ERTC CHANDRA": "'ERTC' (0.83) may be a misread of ERIC"; "DIANAA BENNETT", an
initial glued on): every pattern passes it, and only a person can tell a misread from a rare name.
"""

from __future__ import annotations

from typing import NamedTuple

import regex

from extractors.given_names import misread_name_of
from extractors.text import COLUMN_GAP, LOW_DIGITS_CONFIDENCE, Candidate, TextLine, one_character_apart

# IRS processing campuses and the ZIP codes that belong to the IRS there (shared/reference, sample notices).
IRS_CAMPUSES = {
    ("AUSTIN", "TX"): frozenset({"73301"}),
    ("KANSAS CITY", "MO"): frozenset({"64999"}),
    ("OGDEN", "UT"): frozenset({"84201"}),
    ("FRESNO", "CA"): frozenset({"93888"}),
    ("CINCINNATI", "OH"): frozenset({"45999", "45250"}),
    ("HOLTSVILLE", "NY"): frozenset({"11742"}),
    ("PHILADELPHIA", "PA"): frozenset({"19255"}),
    ("ATLANTA", "GA"): frozenset({"39901"}),
}
IRS_CAMPUS_ZIPS = frozenset(code for codes in IRS_CAMPUSES.values() for code in codes)


def _city_line(state: str) -> regex.Pattern[str]:
    """The city, state and ZIP row, its state written as ``state``. A city never ends in a full stop: one
    after it is a speck ("MOBILE., AL 36602", a fax)."""
    return regex.compile(
        rf"^(?P<city>[A-Z][A-Za-z .'-]{{0,29}}?[A-Za-z])[.,]{{0,2}}\s+(?P<state>{state})\s+(?P<zip>\d{{5}})"
        r"(?P<plus4>-\d{4})?$"
    )


_CITY_LINE = _city_line("[A-Z]{2}")
# That row as OCR may damage it ("DES MOINES, 1A 50309", "DES MOINES, tA 50309"): enough to know a block is
# printed, not to read it.
_DAMAGED_CITY_LINE = _city_line("[A-Za-z0-9|!]{2}")
# The first three digits of the ZIP codes of each state (USPS ZIP code prefixes, as ranges): a ZIP outside
# its state's is a misread digit ("FARGO, ND 38102" for 58102) or a typo, never silently a value.
_ZIP3_RANGES = {
    "AL": "350-369", "AK": "995-999", "AZ": "850-865", "AR": "716-729", "CA": "900-961", "CO": "800-816",
    "CT": "060-069", "DE": "197-199", "DC": "200-205 569", "FL": "320-349", "GA": "300-319 398-399",
    "HI": "967-968", "ID": "832-838", "IL": "600-629", "IN": "460-479", "IA": "500-528", "KS": "660-679",
    "KY": "400-427", "LA": "700-715", "ME": "039-049", "MD": "206-219", "MA": "010-027 055", "MI": "480-499",
    "MN": "550-567", "MS": "386-397", "MO": "630-658", "MT": "590-599", "NE": "680-693", "NV": "889-898",
    "NH": "030-038", "NJ": "070-089", "NM": "870-884", "NY": "005 063 100-149", "NC": "270-289",
    "ND": "580-588", "OH": "430-459", "OK": "730-749", "OR": "970-979", "PA": "150-196", "RI": "028-029",
    "SC": "290-299", "SD": "570-577", "TN": "370-385", "TX": "733 750-799 885", "UT": "840-847",
    "VT": "050-059", "VA": "201 220-246", "WA": "980-994", "WV": "247-268", "WI": "530-549", "WY": "820-831",
    "PR": "006-009", "VI": "008", "GU": "969", "AS": "967", "MP": "969", "AA": "340", "AE": "090-098",
    "AP": "962-966",
}  # fmt: skip


def _prefixes(ranges: str) -> frozenset[int]:
    bounds = [tuple(int(end) for end in span.split("-")) for span in ranges.split()]
    return frozenset(prefix for bound in bounds for prefix in range(bound[0], bound[-1] + 1))


_ZIP3 = {state: _prefixes(ranges) for state, ranges in _ZIP3_RANGES.items()}
US_STATES = frozenset(_ZIP3)  # the USPS's state, district and territory codes
_STATE_ZIP_AT_END = regex.compile(r"\b(?P<state>[A-Z]{2})\s+(?P<zip>\d{5})(?:-\d{4})?$")


def _zip_in_state(state: str, code: str) -> bool:
    """The ZIP code is one of the state's (by its first three digits); False for no state at all."""
    return state in US_STATES and int(code[:3]) in _ZIP3[state]


def zip_outside_state(address: str) -> str | None:
    """Why the address's state and ZIP cannot be as read, else None: ``"ND 38102 is no ZIP of that state"``
    (a misread digit), ``"LD is no state"`` (a fax's ID read "LD")."""
    match = _STATE_ZIP_AT_END.search(address)
    if match is None:
        return None
    state, code = match.group("state"), match.group("zip")
    if state not in US_STATES:
        return f"{state} is no state"
    return None if _zip_in_state(state, code) else f"{state} {code} is no ZIP of that state"


# A unit OCR read with letters for its digits ("APT ID" for APT 1D, "STE IO" for STE 10): units are numbers,
# perhaps with a letter; one that spells a number once I, l and O are read as 1 and 0 is likely a misread.
_UNIT_WORDS = ("APT", "STE", "UNIT")  # what names a unit: the one list for both rules that read units
_UNIT = regex.compile(rf"\b(?:{'|'.join(_UNIT_WORDS)})\s+(?P<unit>[A-Za-z0-9]{{2,5}})(?=,|\s|$)")
_LETTERS_AS_DIGITS = str.maketrans("IlO", "110")


def confusable_unit(address: str) -> str | None:
    """Why the address's unit may be misread ("unit 'ID' may be 1D"), else None."""
    match = _UNIT.search(address)
    if match is None or not regex.search(r"[IlO]", unit := match.group("unit")):
        return None
    as_digits = unit.translate(_LETTERS_AS_DIGITS)
    return f"unit {unit!r} may be {as_digits}" if regex.fullmatch(r"\d+[A-Z]?", as_digits) else None


# The capitals OCR's glyphs in a state may stand for: "DES MOINES, !A 50309", "1A" (IA or LA), "0H" (OH).
_STATE_GLYPHS = {"!": "I", "|": "IL", "1": "IL", "l": "IL", "0": "OD", "5": "S"}
# OCR's "!" and "|" for an "I" beside a capital of a name ("ANGELA & GREGORY OSE!"); an "l" may be an L.
_I_MISREAD = regex.compile(r"(?<=[A-Z])[!|]|[!|](?=[A-Z])")
_CITY_WITHOUT_ZIP = regex.compile(r"^[A-Z][A-Za-z .'-]{1,30}?,?\s+[A-Z]{2}$")
_ZIP_ONLY = regex.compile(r"^\d{5}(?:-\d{4})?$")
# The IRS writes "in care of" as "%" ("% PETERSEN & ASSOCIATES"); others as "C/O", "ATTN" or in words ("IN
# CARE OF MERCER CPA").
_IN_CARE_OF = regex.compile(r"^(?:%|C\s?/\s?O\b|c/o\b|ATTN\b:?|IN\s+CARE\s+OF\b)\s*\S", regex.IGNORECASE)
_STATE_ZIP_ONLY = regex.compile(r"^(?P<state>[A-Z]{2})\s+(?P<zip>\d{5})(?:-\d{4})?$")
_STREET = regex.compile(
    r"^(?:\d{1,6}[A-Z]?\s+[A-Za-z0-9 .#'-]{3,40}|P\.?\s?O\.?\s+BOX\s+\d+.*)$", regex.IGNORECASE
)
# A row naming the officer or owner a business's notice is addressed through ("ELENA MERCER SOLE MBR", "ERIC
# ELLISON GEN PTR", "JANE ROE EXECUTRIX"): printed between the name and the street, part of neither.
_OFFICER_ROW = regex.compile(
    r"^[A-Z][A-Z.'-]*(?:\s+[A-Z][A-Z.'-]*)+\s+(?:SOLE\s+(?:MBR|MEMBER|PROP)|MBR|MEMBER|OWNER|GEN\s+PTR|PTR|PARTNER"
    r"|PRES|PRESIDENT|TREAS|TREASURER|SECY?|SECRETARY|CEO|CFO|TTEE|TRUSTEE|EXEC|EXECUTOR|EXECUTRIX|ADMR"
    r"|ADMINISTRATOR|OFFICER)\.?$"
)
_SURNAME = regex.compile(r"^[A-Z][A-Z'-]+$")
_NAME = regex.compile(r"^[A-Z][A-Z.'-]*(?:\s+(?:&|AND|[A-Z][A-Z.'-]*)){1,6}$")
COLUMN_TOLERANCE_PX = 60
# Below this, tesseract itself doubts a word: on our tuning corpora the damaged names and streets scored
# 0.46-0.62 and the right ones mostly above 0.85.
LOW_WORD_CONFIDENCE = 0.65
# A house number is printed once and nothing checks it: a fax's "98368" for 9838, read at 0.78, was processed
# (slate 141013). Stricter than other digits (``LOW_DIGITS_CONFIDENCE``, 0.75, which a ZIP keeps: its state
# checks it, and three right ZIPs at 0.79 went to review at 0.80).
LOW_HOUSE_NUMBER_CONFIDENCE = 0.8
_BUSINESS_WORD = regex.compile(r"\b(?:LLC|INC|CO|CORP|LLP|LP|LTD|PC|PLLC|TRUST|ESTATE|GROUP|COMPANY)\b")
_NOT_NAMES = regex.compile(
    r"DEPARTMENT|TREASURY|INTERNAL|REVENUE|SERVICE|NOTICE|IRS\b|PAGE|BILLING|\b(?:SSN|EIN|I?TIN)\b",
    regex.IGNORECASE,
)


def _left_segment(line: TextLine) -> str:
    return regex.split(r"\s{4,}", line.text.strip())[0].strip()


def _segment(line: TextLine, right: bool) -> str:
    """The row's left segment, or its right one (a block printed beside the header's labels and values)."""
    return regex.split(r"\s{4,}", line.text.strip())[-1].strip() if right else _left_segment(line)


def _same_column_above(lines: list[TextLine], index: int, count: int, right: bool) -> list[int]:
    """Indexes of the ``count`` rows above ``index`` that start where it starts: rows of the header block
    printed at other heights ("Page 1 of 3") fall between the address rows and are skipped. Read from the
    right, a row that starts left of the block's column and reaches across it is in it too: the header's
    labels and values share the block's rows ("Date of this Notice:    02/10/2023    GREGORY WHITFIELD")
    while its city row stands alone; or the city row is shared and a row of the block stands alone within
    its width ("DAVID WHITFIELD" over "Tax year    2022    8115 SYCAMORE BLVD")."""
    anchor = lines[index].bbox
    found = []
    for above in range(index - 1, max(-1, index - 1 - 3 * count), -1):  # a header row beside each
        box = lines[above].bbox
        if (
            anchor is None
            or box is None
            or abs(box[0] - anchor[0]) <= COLUMN_TOLERANCE_PX
            or (right and box[0] < anchor[0] < box[0] + box[2] and COLUMN_GAP.search(lines[above].text))
            or (
                right
                and anchor[0] < box[0] < anchor[0] + anchor[2]
                and not COLUMN_GAP.search(lines[above].text)
            )
        ):
            found.append(above)
            if len(found) == count:
                break
    return found


def has_address_block(lines: list[TextLine]) -> bool:
    """True when a taxpayer's "CITY ST 12345" row is printed (not the IRS campus's), its state perhaps
    damaged ("1A" for "IA") or its city lost: the notice carries a name and address even when
    ``find_taxpayer`` could not read them."""
    for right in (False, True):
        segments = [_segment(line, right) for line in lines]
        for index in range(len(lines)):
            city = _DAMAGED_CITY_LINE.match(_city_row(lines, segments, index)) or _city_lost(segments, index)
            if city and city.group("zip") not in IRS_CAMPUS_ZIPS:
                return True
    return False


def _city_lost(segments: list[str], index: int) -> regex.Match[str] | None:
    """A row of state and ZIP alone under a street row ("GA 31401-2113" under "5402 FOXGLOVE BLVD"): OCR
    lost the city, not the block."""
    if index == 0 or not _STREET.match(segments[index - 1]):
        return None
    return _STATE_ZIP_ONLY.match(segments[index])


class TaxpayerBlock(NamedTuple):
    """The address block as printed: its name rows (one or two) and its street and city rows."""

    name: str
    name_rows: tuple[TextLine, ...]
    address_rows: tuple[TextLine, TextLine]
    city: regex.Match[str]
    right: bool  # printed as its rows' right segments, beside the header's labels and values


def find_taxpayer(lines: list[TextLine]) -> tuple[Candidate | None, Candidate | None]:
    """(name, address) candidates from the first taxpayer address block, or Nones."""
    block = _find_block(lines)
    return _candidates(block) if block else (None, None)


def _find_block(lines: list[TextLine]) -> TaxpayerBlock | None:
    """The block read from the rows' left segments, else from their right ones (a block printed right of a
    column of header labels and values: "Tax Year:    2021    6592 MAPLE TER APT 1B")."""
    lines = [line for line in lines if not line.stacked]  # a label joined to the row below is not printed
    return _block_on_side(lines, right=False) or _block_on_side(lines, right=True)


def _block_on_side(lines: list[TextLine], right: bool) -> TaxpayerBlock | None:
    segments = [_segment(line, right) for line in lines]
    for index in range(len(lines)):
        city = _CITY_LINE.match(_with_state_repaired(_city_row(lines, segments, index)))
        if not city or city.group("zip") in IRS_CAMPUS_ZIPS:
            continue
        above = _without_addressee_rows(segments, _same_column_above(lines, index, 6, right))
        # read from the right, a header row sharing the block's rows between them is none of the block's
        # ("Notice date    Aug. 15, 2025" between the name and the street)
        if right:
            above = [row for row in above if any(p.match(segments[row]) for p in (_STREET, _NAME, _SURNAME))]
        above = above[:3]
        if len(above) < 2 or not _STREET.match(segments[above[0]]):
            continue
        names = {row: _I_MISREAD.sub("I", segments[row]) for row in above[1:]}
        name_rows, name = [above[1]], names[above[1]]
        if len(above) == 3 and _continues_name(lines, names, above[2], above[1]):
            name_rows, name = [above[2], above[1]], _two_line_name(names[above[2]], name)
        if not _is_name(name):
            continue
        rows = tuple(lines[row] for row in name_rows)
        return TaxpayerBlock(name, rows, (lines[above[0]], lines[index]), city, right)
    return None


# A speck glued before the state ("LINCOLN, INE 68510") or standing alone before it ("RENO, ' NV 89501"):
# the state is the two letters after it.
_SPECK_BEFORE_STATE = regex.compile(
    r"(?<=[A-Za-z][.,]{0,2}\s+)(?:[|!Il1]|[|!'‘’`.,]\s)(?P<state>[A-Z]{2})(?=\s+(?P<zip>\d{5})(?:-\d{4})?$)"
)


def _with_state_repaired(row: str) -> str:
    """The city row with its state's misread glyphs read as the one state they can be whose ZIP codes hold
    the row's ZIP ("DES MOINES, !A 50309" is IA; "1A 70112" is LA, not IA), or a speck glued before it or
    standing alone dropped when the two letters after it are a state holding the ZIP ("INE 68510" is NE; not
    "INE 46204"; "RENO, ' NV 89501" is NV)."""
    speck = _SPECK_BEFORE_STATE.search(row)
    if speck and _zip_in_state(speck.group("state"), speck.group("zip")):
        return row[: speck.start()] + row[speck.start("state") :]
    damaged = _DAMAGED_CITY_LINE.match(row)
    if damaged is None or damaged.group("state") in US_STATES:
        return row
    letters = [_STATE_GLYPHS.get(glyph, glyph) for glyph in damaged.group("state")]
    states = {a + b for a in letters[0] for b in letters[1] if _zip_in_state(a + b, damaged.group("zip"))}
    if len(states) != 1:
        return row
    return row[: damaged.start("state")] + states.pop() + row[damaged.end("state") :]


def _without_addressee_rows(segments: list[str], above: list[int]) -> list[int]:
    """The street row, then the rows above it without the "in care of" and officer rows printed between the
    name and the street ("% PETERSEN & ASSOCIATES", "ATTN JAMES PETERSEN TREASURER", "ELENA MERCER SOLE MBR"),
    at most two of them."""
    if not above:
        return above
    street, rest = above[0], above[1:]
    for _ in range(2):
        if len(rest) >= 2 and (_IN_CARE_OF.match(segments[rest[0]]) or _OFFICER_ROW.match(segments[rest[0]])):
            rest = rest[1:]
    return [street, *rest]


def _city_row(lines: list[TextLine], segments: list[str], index: int) -> str:
    """The row's left segment, with the ZIP that OCR put in a row of its own just after "FARGO, ND" (a
    row of the header column beside it sat a little higher, and took the ZIP with it)."""
    segment, box = segments[index], lines[index].bbox
    if box is None or not _CITY_WITHOUT_ZIP.match(segment):
        return segment
    x, y, width, height = box
    for other, text in zip(lines, segments, strict=True):
        if other.bbox is None or other.page != lines[index].page or not _ZIP_ONLY.match(text):
            continue
        left, top, _, other_height = other.bbox
        is_beside = x + width < left <= x + width + 3 * height
        if is_beside and abs((top + other_height / 2) - (y + height / 2)) <= height:
            return f"{segment} {text}"
    return segment


def unsure_block_words(lines: list[TextLine], notice: list[TextLine]) -> tuple[list[str], list[str]]:
    """The words of the block's name rows and of its street and city rows (in ``lines``, page one) that OCR
    scored below ``LOW_WORD_CONFIDENCE`` ("OSETI (0.46)"), below ``LOW_DIGITS_CONFIDENCE`` for the digits of
    the ZIP row and ``LOW_HOUSE_NUMBER_CONFIDENCE`` for others: a value read from them may be OCR damage
    ("GREGORY OSETI" for OSEI, "POXGLOVE" for FOXGLOVE, 7169 for 7769). Words shorter than three characters
    (a state, "DR", "&") are left out: their pattern checks them; not an apartment's or suite's ("APT SA" for
    5A at 0.51), which is held to the house number's bar. A word is not unsure when a copy of its row
    in ``notice`` (the stub's block, the salutation "Dear Maria Osei:": the row's words in order) reads it
    the same and surely: two readings of other print that agree letter for letter are no OCR damage."""
    block = _find_block(lines)
    if block is None:
        return [], []
    copies = _copies(block, notice)
    return (
        _unsure_words(block.name_rows, copies, block.right),
        _unsure_words(block.address_rows, copies, block.right),
    )


def _copies(block: TaxpayerBlock, notice: list[TextLine]) -> list[TextLine]:
    """The notice's printed rows but the block's own: where a copy of a block row may be."""
    block_rows = (*block.name_rows, *block.address_rows)
    return [line for line in notice if not line.stacked and line not in block_rows]


def _doubted_below(word: str, is_zip_row: bool, unit: bool = False) -> float:
    if unit:  # "APT 5A" read "APT SA": a unit's digit read as a letter is no misspelt word
        return LOW_HOUSE_NUMBER_CONFIDENCE
    if not any(char.isdigit() for char in word):
        return LOW_WORD_CONFIDENCE
    return LOW_DIGITS_CONFIDENCE if is_zip_row else LOW_HOUSE_NUMBER_CONFIDENCE


def _unsure_words(rows: tuple[TextLine, ...], copies: list[TextLine], right: bool) -> list[str]:
    """The unsure words of ``rows``; the last row's digits are a ZIP (the city, state and ZIP row ends an
    address block)."""
    unsure = []
    for number, row in enumerate(rows, start=1):
        words = _block_words(row, right)
        bare = [_bare(text) for text, _ in words]
        unsure += [
            f"{text} ({conf:.2f})"
            for at, (text, conf) in enumerate(words)
            if ((unit := _is_unit(words, at)) or len(text) >= 3)
            and conf < (doubted := _doubted_below(text, number == len(rows), unit))
            and not _surely_copied(bare, at, copies, doubted)
        ]
    return unsure


def _is_unit(words: tuple[tuple[str, float], ...], at: int) -> bool:
    """The word names an apartment or suite ("5A" after "APT"): short, yet no pattern checks it."""
    return at > 0 and words[at - 1][0].upper() in _UNIT_WORDS


def _block_words(row: TextLine, right: bool) -> tuple[tuple[str, float], ...]:
    """OCR's words of the block's segment of the row, with their confidences (the header's beside it left
    out)."""
    count = len(_segment(row, right).split())
    return row.words[-count:] if right else row.words[:count]


def _surely_copied(row: list[str], at: int, copies: list[TextLine], sure_from: float) -> bool:
    """The row's word ``at`` read at ``sure_from`` or above on a copy of the row: a line holding the row's
    words in order ("Dear Maria Osei:" for "MARIA OSEI"; not "Diana R. Osei", a person who shares a word)."""
    for line in copies:
        read = [(_bare(text), conf) for text, conf in line.words]
        starts = range(len(read) - len(row) + 1)
        if any(
            [word for word, _ in read[start : start + len(row)]] == row and read[start + at][1] >= sure_from
            for start in starts
        ):
            return True
    return False


# A given name read at least this surely stays as read. Each of the 18 misread words of the address blocks
# of our 11 tuning corpora scored 0.92 or less ("ERTC" 0.83, "DIANAA" 0.91), and a real name the list lacks
# read at 0.93 or more ("MUHAMMAD", "KHLOE": 12% of right words score below 0.95) stays as read. A copy
# confirms only when read as surely: "Dear DIANAA BENNETT:" (0.92) repeats the same glued print.
SURE_NAME_CONFIDENCE = 0.93
_TITLES = frozenset({"MR", "MRS", "MS", "MISS", "DR", "REV"})


def misread_given_names(lines: list[TextLine], notice: list[TextLine]) -> list[str]:
    """Each person's given name in the block (the first word of each: DIANA and ERTC in "DIANA & ERTC
    CHANDRA") that is no common name but one edit from one (``misread_name_of``), read below
    ``SURE_NAME_CONFIDENCE`` and not as surely on a copy of its row: "'ERTC' (0.83) may be a misread of
    ERIC". A business's name, initials ("J ROBERT OKAFOR") and titles are left out."""
    block = _find_block(lines)
    if block is None or _BUSINESS_WORD.search(block.name):
        return []
    given = {person[0] for person in joint_people(block.name) or [block.name.split()]} - _TITLES
    copies = _copies(block, notice)
    return [doubt for row in block.name_rows for doubt in _misread_in_row(row, given, copies, block.right)]


def _misread_in_row(row: TextLine, given: set[str], copies: list[TextLine], right: bool) -> list[str]:
    words = _block_words(row, right)
    bare = [_bare(text) for text, _ in words]
    found = []
    for at, (_, conf) in enumerate(words):
        word = _I_MISREAD.sub("I", bare[at])
        if word not in given or len(word) < 3 or not word.isalpha() or conf >= SURE_NAME_CONFIDENCE:
            continue
        likely = misread_name_of(word)
        if likely is not None and not _surely_copied(bare, at, copies, SURE_NAME_CONFIDENCE):
            found.append(f"{word!r} ({conf:.2f}) may be a misread of {likely}")
    return found


def _bare(word: str) -> str:
    return word.strip(",.:;").upper()


def _continues_name(lines: list[TextLine], segments: dict[int, str], upper: int, lower: int) -> bool:
    """The row right above the name row is a name too ("ERIC K" over "OKAFOR" counts)."""
    if not _is_name(segments[upper]) or not (_is_name(segments[lower]) or _SURNAME.match(segments[lower])):
        return False
    top, bottom = lines[upper].bbox, lines[lower].bbox
    return top is None or bottom is None or bottom[1] - (top[1] + top[3]) <= 1.5 * bottom[3]


def _is_name(segment: str) -> bool:
    return _NAME.match(segment) is not None and _NOT_NAMES.search(segment) is None


def _two_line_name(first: str, second: str) -> str:
    """A name printed on two rows: two people ("ANTHONY OSEI" / "MARIA OSEI" → "ANTHONY OSEI & MARIA
    OSEI"), or one name wrapped ("ERIC K" / "OKAFOR", "NGUYEN AUTO" / "REPAIR LLC")."""
    is_person = len(second.split()) >= 2 and not _BUSINESS_WORD.search(second)
    joiner = " & " if is_person and not first.endswith(("&", " AND")) else " "
    return f"{first}{joiner}{second}"


def _candidates(block: TaxpayerBlock) -> tuple[Candidate, Candidate]:
    name_line, (street_line, city_line) = block.name_rows[0], block.address_rows
    confidence = round(0.9 * min(name_line.confidence, city_line.confidence), 3)
    city = block.city
    street = _segment(street_line, block.right)
    city_name = city.group("city").upper().rstrip(",")
    cleaned = _clean_street(street.upper())
    address = f"{cleaned}, {city_name}, {city.group('state')} {city.group('zip')}{city.group('plus4') or ''}"
    return (
        Candidate(
            _SPECK_AFTER_NAME_WORD.sub("", block.name),
            block.name,
            name_line.page,
            name_line.bbox,
            "address_block",
            confidence,
        ),
        Candidate(
            address,
            f"{street} / {city.group(0)}",
            city_line.page,
            city_line.bbox,
            "address_block",
            confidence,
        ),
    )


def is_cut_joint_name(name: str) -> bool:
    """A joint name that ends in its connector ("DENNIS AND", "DENNIS &"): the other person was not read."""
    return name.split()[-1] in ("AND", "&") if name.split() else False


def glued_connector(name: str) -> str | None:
    """A name word that may be a first name with a joint name's "AND" glued to it by OCR ("ANGELAAND JAMES
    OKAFOR"), in a name that prints no connector of its own; it may also be a name ("ROLAND"): only a
    person can tell."""
    words = name.split()
    if "AND" in words or "&" in words or len(words) < 3 or _BUSINESS_WORD.search(name):
        return None  # a business's name ("STRAND DENTAL GROUP CO") joins no two people
    return next((word for word in words[:-1] if len(word) >= 6 and word.endswith("AND")), None)


def glued_name_word(name: str) -> str | None:
    """A name word that is another word of the name with letters glued before it: OCR lost the space of a
    two-line joint name ("LINDAABERNATHY & ROBERT ABERNATHY")."""
    words = [word for word in name.split() if word not in ("&", "AND")]
    return next(
        (word for word in words for other in words if len(other) >= 5 and len(word) > len(other) + 1
         and word.endswith(other)),
        None,
    )  # fmt: skip


# A letter's salutation repeats the name, in capitals or not ("Dear LINDA C BRANDT:", "Dear Monica Whitfield:"
# "Dear Mr. Brandt:"); "Dear Taxpayer:" names no one.
_SALUTATION = regex.compile(
    r"^Dear\s+(?P<name>[A-Z][A-Za-z.'-]*(?:\s+(?:&|and|AND|[A-Z][A-Za-z.'-]*))*)\s*[:,;]"
)
_NO_ONE = frozenset({"TAXPAYER", "TAXPAYERS", "SIR", "MADAM", "SIR OR MADAM", "CUSTOMER", "CLIENT", "FRIEND"})


def salutation_disagrees(lines: list[TextLine], name: str) -> str | None:
    """The name a salutation prints when its words are not among the block's ("Dear MONICA M LINDQVIST:"
    under a block read "MONICA M LINDOVIST", "Dear Monica Whitfield:" under "BRIAN WHITFIELD", whose first
    row OCR garbled): one copy is damaged, and nothing tells which. A salutation may leave out a middle
    initial or a title's given name ("Dear Mr. Brandt:"), and a joint notice may greet its first person alone
    ("Dear DENNIS PETERSEN:" under "DENNIS PETERSEN & OSCAR PETERSEN")."""
    agreeing = [_name_words(name), *(set(person) for person in joint_people(name))]
    for line in lines:
        found = _SALUTATION.match(line.text.strip())
        if found is None or _greets_no_one(found.group("name")):
            continue
        greeted = _name_words(found.group("name").upper()) - _TITLES
        if not any(greeted <= words for words in agreeing):
            return found.group("name")
    return None


def copy_disagrees(lines: list[TextLine], notice: list[TextLine], name: str) -> str | None:
    """A copy of the block's name row in ``notice`` (the stub's address block) that prints every word of the
    name but one, that one a letter apart, all letters and read at least as surely as the block's word ("MARK
    J OSEI" at 0.89 under a block read "MARK J OSET" at 0.77): the block's reading may be the misread one. A
    copy damaged beyond a letter ("KOWALSK!") or read less surely says nothing."""
    block = _find_block(lines)
    words = name.split()
    if block is None or len(words) < 2:
        return None
    read = {text: conf for row in block.name_rows for text, conf in _block_words(row, block.right)}
    for line in _copies(block, notice):
        copy = _block_words(line, right=False)
        if len(copy) != len(words) or [text for text, _ in copy] == words:
            continue
        differing = [(word, other) for word, other in zip(words, copy, strict=True) if word != other[0]]
        if len(differing) != 1:
            continue
        word, (other, sure) = differing[0]
        if (
            one_character_apart(word, other)
            and other.isalpha()
            and other.isupper()
            and sure >= read.get(word, 1)
        ):
            return " ".join(text for text, _ in copy)
    return None


def _greets_no_one(greeting: str) -> bool:
    return " ".join(greeting.upper().replace(".", "").split()) in _NO_ONE


def joint_people(name: str) -> list[list[str]]:
    """The people of a joint name, each as name words; a first name alone borrows the family name after it
    ("LAURA & PATRICIA RAMIREZ"). One person's name gives no list."""
    parts = [part.split() for part in regex.split(r"\s+(?:&|AND)\s+", name) if part.strip()]
    if len(parts) < 2:
        return []
    family = parts[-1][-1]
    return [[*part, family] if len(part) == 1 else part for part in parts]


def _name_words(name: str) -> set[str]:
    return {word.strip(".'") for word in name.split() if word not in ("AND", "&")}


# A street type glued by OCR to the unit after it ("CEDAR RIDGE PLAPT 9D"): no street word ends that way.
_GLUED_UNIT = regex.compile(
    r"\b(?P<type>ST|AVE|RD|DR|LN|PL|CT|CIR|TER|WAY|BLVD|PKWY|HWY|TRL|SQ)(?P<unit>APT|STE|UNIT)(?=\s|$)"
)


# Specks OCR reads in a street or name line: a period or comma after a whole word ("9506 GRANITE. WAY",
# "PAUL. PRICE"; within a line one may follow an abbreviation of up to four letters, "N.", or an initial,
# "Q."), and one ending the line: the IRS keeps names and addresses without punctuation (its filing
# specifications, Publication 1239, allow letters, digits and spaces), so "WHITFIELD ROOFING LLC." and
# "8587 GRANITE LN." on a fax end in a speck.
_SPECK_AFTER_WORD = regex.compile(r"(?<=\b[A-Z]{5,})[.,](?=\s)|(?<=[A-Z]{2})[.,]$")
_SPECK_AFTER_NAME_WORD = regex.compile(r"(?<=\b[A-Z]{3,})[.,](?=\s)|(?<=[A-Z]{2})[.,]$")


def _clean_street(street: str) -> str:
    return _SPECK_AFTER_WORD.sub("", _GLUED_UNIT.sub(r"\g<type> \g<unit>", street.rstrip()))


def stray_name_word(lines: list[TextLine], name: Candidate) -> str | None:
    """A lone capitalised word starting within or just after the name's row and less than a row and a half
    above or below it: the rest of a name line that a tilt broke into two rows."""
    if name.bbox is None:
        return None
    x, y, width, height = name.bbox
    for line in lines:
        if line.bbox is None or line.page != name.page or line.bbox == name.bbox:
            continue
        word = _left_segment(line)
        lx, ly, _, lh = line.bbox
        is_beside = x < lx <= x + width + 3 * height and abs((ly + lh / 2) - (y + height / 2)) <= 1.5 * height
        if is_beside and _SURNAME.match(word) and len(word) > 1 and _NOT_NAMES.search(word) is None:
            return word
    return None
