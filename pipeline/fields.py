"""The fields a result carries, each declared once: ``FIELDS``, in the result's order.

A ``FieldSpec`` says everything the rest of the tree needs about a field:
- ``name``: its key in ``NoticeResult.fields`` (and in the generator's truth);
- ``parse``: its value type, as the parser of a person's typed correction (text → the typed value, or None
  when the text is not one); "none" clears a field whatever its type (``pipeline.review``);
- ``find``: its extractor (lines → candidates), chosen between by ``pipeline.choose``; ``flags_rivals``:
  whether a strong disagreeing candidate is a finding; ``read``: a reader for a field that needs more than
  its lines (the classified code, the notice type, another field), used instead;
- ``printed``: the pattern that shows its label is printed with a value, so that an unread value is a
  finding, never a silent gap (``printed_alone``: its label alone in a header cell, the value OCR lost
  entirely, is one too); ``copied``: printed more than once, and one reading alone is not enough
  when another copy is unreadable (``garbled_confirms``: how a copy OCR garbled may still confirm it: an
  SSN by its digits, a date by its month, day and a year but for one misread digit); ``confirmed_by``: the
  profile checks that, all passed, confirm a reading OCR scored low (``pipeline.decide``);
- ``correctable``: a person may correct it; ``label``: how the pages name it;
- ``core``: scored by the accuracy benchmark and checked on every golden sample; ``required``: every notice
  type requires it (``pipeline.catalog`` adds the amount and the deadline by the type's own columns).

``field_spec(name)`` returns one declaration or None. A ``Reading`` is what readers see while one notice is
read: ``Reading.read(name)`` reads a field once (a reader may ask for another field) and gathers findings.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import regex

from extractors.amount_due import AMOUNT_DUE_PRINTED, find_amounts_due
from extractors.amounts import format_amount, parse_amount
from extractors.contacts import (
    CALLER_ID_LABEL_ALONE,
    CALLER_ID_PRINTED,
    FORM_LABEL_ALONE,
    FORM_PRINTED,
    IRS_PHONE_LABEL_ALONE,
    IRS_PHONE_PRINTED,
    find_caller_ids,
    find_forms,
    find_irs_phones,
    official_phone_near,
)
from extractors.dates import parse_date
from extractors.deadline import DEADLINE_PRINTED, find_deadlines, may_state_a_deadline
from extractors.notice_date import NOTICE_DATE_PRINTED, find_notice_dates
from extractors.party import (
    confusable_unit,
    copy_disagrees,
    find_taxpayer,
    glued_connector,
    glued_name_word,
    has_address_block,
    is_cut_joint_name,
    misread_given_names,
    salutation_disagrees,
    stray_name_word,
    unsure_block_words,
    zip_outside_state,
)
from extractors.response_address import find_response_addresses
from extractors.ssn import SSN_PRINTED, find_ssn_last4
from extractors.tax_year import TAX_YEAR_PRINTED, find_tax_years
from extractors.text import COLUMN_GAP, LOW_DIGITS_CONFIDENCE, Candidate, TextLine, repair_digits
from pipeline.choose import choose, to_field
from pipeline.models import Category, DeadlineKind, Field, FieldValue, parse_iso_date

Finder = Callable[[list[TextLine]], list[Candidate]]


@dataclass
class Reading:
    """One notice being read: its lines, the code it was classified as (and the best printed reading of
    it), its type's category and the fields the type says it carries none of; findings as they are made."""

    lines: list[TextLine]
    code: str | None
    code_confidence: float
    evidence: Candidate | None
    category: Category | None
    carries_none: frozenset[str]
    published_window: int | None = None  # days, for a type whose deadline is a window (catalog.DeadlineRule)
    findings: list[str] = field(default_factory=list)
    _read: dict[str, Field] = field(default_factory=dict)

    def read(self, name: str) -> Field:
        if name not in self._read:
            self._read[name] = _read_field(FIELD_SPECS[name], self)
        return self._read[name]

    @property
    def page_one(self) -> list[TextLine]:
        """The notice's first page: a notice of a scanned stack starts on a later page of the file."""
        first = self.lines[0].page if self.lines else 1
        return [line for line in self.lines if line.page == first and not line.stacked]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    parse: Callable[[str], FieldValue]
    find: Finder | None = None
    read: Callable[[Reading], Field] | None = None
    flags_rivals: bool = True
    printed: regex.Pattern[str] | None = None
    printed_alone: regex.Pattern[str] | None = None  # its label alone in a cell: the value OCR lost
    copied: bool = False
    one_value: bool = False  # the notice prints one value wherever it prints it: copies that agree are rivals
    garbled_confirms: Callable[[str, FieldValue], bool] | None = None
    confirmed_by: frozenset[str] = frozenset()  # profile checks that, all passed, confirm an unsure reading
    correctable: bool = True
    core: bool = False
    required: bool = False


def _read_field(spec: FieldSpec, reading: Reading) -> Field:
    if spec.read is not None:
        return spec.read(reading)
    assert spec.find is not None, f"{spec.name} declares neither an extractor nor a reader"
    findings = reading.findings if spec.flags_rivals else []
    return choose(spec.name, spec.find(reading.lines), findings, one_value=spec.one_value)


# ---- value types: a person's text → the value the result holds, or None when it is not one ---------------


def as_text(text: str) -> FieldValue:
    return text.strip()


def as_year(text: str) -> FieldValue:
    return int(text) if regex.fullmatch(r"(19|20)\d\d", text.strip()) else None


def as_last4(text: str) -> FieldValue:
    return text.strip() if regex.fullmatch(r"\d{4}", text.strip()) else None


def as_amount(text: str) -> FieldValue:
    """A two-place decimal string ("5181.72"); a negative amount is not an amount due."""
    amount = parse_amount(text)
    return format_amount(amount) if amount is not None and amount >= 0 else None


def as_iso_date(text: str) -> FieldValue:
    day = parse_date(text)
    return day.isoformat() if day else None


def as_code(text: str) -> FieldValue:
    """A notice code as the catalog writes it: "cp 14" → "CP14"."""
    return regex.sub(r"\s+", "", text.upper())


# ---- readers of fields that need more than their lines -----------------------------------------------------

_DEADLINE_RULES_BY_CATEGORY = {
    Category.DEFICIENCY: ("petition_date", "respond_by", "amount_due_by"),
    Category.INTENT_TO_LEVY: ("hearing_date", "amount_due_by", "respond_by"),
    Category.PROPOSED_ADJUSTMENT: ("respond_by", "amount_due_by"),
    Category.UNFILED_RETURN: ("file_by", "respond_by", "amount_due_by"),
}
_DEFAULT_DEADLINE_RULES = ("amount_due_by", "respond_by", "hearing_date", "petition_date", "file_by")


def read_notice_number(reading: Reading) -> Field:
    """The classified code, with the provenance of its best printed reading."""
    if reading.evidence is None:
        return Field()
    return to_field(reading.evidence, reading.code_confidence).model_copy(update={"value": reading.code})


def read_amount_due(reading: Reading) -> Field:
    if "amount_due" in reading.carries_none:
        return Field()
    candidates = find_amounts_due(reading.lines)
    return choose("amount_due", _without_dollar_sign_misreads(candidates), reading.findings)


def _without_dollar_sign_misreads(candidates: list[Candidate]) -> list[Candidate]:
    """Candidates but those printed without a dollar sign whose first digit is one OCR reads for it, the
    rest being an amount printed at least twice (on two rows: one row may give two candidates): "Total YOU
    OWE    913,472.43" beside "$13,472.43" twice."""
    copies = Counter(str(candidate.value) for candidate in _one_per_row(candidates))
    return [
        candidate
        for candidate in candidates
        if "$" in candidate.raw
        or not (str(candidate.value)[:1] in _DOLLAR_SIGN_READS and copies[str(candidate.value)[1:]] >= 2)
    ]


_DOLLAR_SIGN_READS = "5689"


def _one_per_row(candidates: list[Candidate]) -> list[Candidate]:
    """One candidate of each value for each row that prints it: rules matching a row's text and its end
    ("Amount you owe    $600.00", "you owe    $600.00") read one printed copy."""
    kept: list[Candidate] = []
    for candidate in sorted(candidates, key=lambda c: -len(c.raw)):
        if not any(_same_row(candidate, other) for other in kept):
            kept.append(candidate)
    return kept


def _same_row(candidate: Candidate, other: Candidate) -> bool:
    if candidate.value != other.value or candidate.page != other.page:
        return False
    if candidate.bbox is not None and other.bbox is not None:
        return candidate.bbox == other.bbox
    return other.raw.endswith(candidate.raw)


def _by_rule(candidates: list[Candidate], rules: tuple[str, ...]) -> list[Candidate]:
    for rule in rules:
        chosen = [c for c in candidates if c.rule == rule]
        if chosen:
            return chosen
    return []


def read_deadline(reading: Reading) -> Field:
    """A printed date by the rule the category trusts most; else the notice date plus the printed window."""
    candidates = find_deadlines(reading.lines)
    category = reading.category
    rules = (
        _DEADLINE_RULES_BY_CATEGORY.get(category, _DEFAULT_DEADLINE_RULES)
        if category
        else _DEFAULT_DEADLINE_RULES
    )
    printed = _by_rule([c for c in candidates if c.kind == "printed"], rules)
    if printed:
        chosen = choose("deadline", printed, reading.findings)
        return chosen.model_copy(update={"kind": DeadlineKind.PRINTED})
    # A type that usually sets no deadline still has one when it prints it ("File your return by ...").
    windows = [c for c in candidates if c.kind == "computed"]
    notice_date = reading.read("notice_date")
    if "deadline" in reading.carries_none or not isinstance(notice_date.value, str):
        return Field()
    if not windows:
        return _published_deadline(reading, notice_date)
    window = choose("deadline window", windows, reading.findings)
    assert isinstance(window.value, int)
    computed = (dt.date.fromisoformat(notice_date.value) + dt.timedelta(days=window.value)).isoformat()
    confidence = min(window.confidence, notice_date.confidence)
    return window.model_copy(
        update={"value": computed, "confidence": confidence, "kind": DeadlineKind.COMPUTED}
    )


def _published_deadline(reading: Reading, notice_date: Field) -> Field:
    """A notice whose type has a published window (CP24: 60 days to disagree) and none of whose lines holds
    wording that may set a deadline (``may_state_a_deadline``: "by", "due", "within" and a digit or month
    after it, damaged or not): the notice date plus that window, of kind ``published`` (not a printed
    value). A notice with such wording we could not read gets no deadline, and so goes to a person."""
    if reading.published_window is None or may_state_a_deadline(reading.lines):
        return Field()
    assert isinstance(notice_date.value, str)
    day = dt.date.fromisoformat(notice_date.value) + dt.timedelta(days=reading.published_window)
    return Field(
        value=day.isoformat(),
        confidence=notice_date.confidence,
        raw=f"no deadline printed: the IRS's published window of {reading.published_window} days",
        rule="published_window",
        kind=DeadlineKind.PUBLISHED,
    )


# A phone this close to an IRS number and not one is a misread (a fax's 9 read as 8) or a lookalike's.
PHONE_MISREAD_DIGITS = 3


def read_irs_phone(reading: Reading) -> Field:
    """The printed IRS phone; one that is a few digits from an IRS number but not one is a finding. Such a
    reading beside that IRS number read elsewhere on the notice is a misreading of it, not a rival."""
    candidates = find_irs_phones(reading.lines)
    read = {candidate.value for candidate in candidates}
    field = choose(
        "irs_phone", [c for c in candidates if _misread_of(str(c.value)) not in read], reading.findings
    )
    if isinstance(field.value, str) and (near := _misread_of(field.value)) is not None:
        reading.findings.append(
            f"irs_phone: read as {field.value}, which is not an IRS number but close to {near}: check it was "
            "read right"
        )
    return field


def _misread_of(phone: str) -> str | None:
    """The IRS number ``phone`` is a few digits from, when it is not one itself."""
    near = official_phone_near(phone, PHONE_MISREAD_DIGITS)
    return near if near != phone else None


def read_caller_id(reading: Reading) -> Field:
    """The caller ID read best; six digits OCR scored low are a finding: nothing else checks them."""
    candidates = find_caller_ids(reading.lines)
    field = choose("caller_id", candidates, [])
    surest = max((c.value_read for c in candidates if c.value == field.value), default=1.0)
    if surest < LOW_DIGITS_CONFIDENCE:
        reading.findings.append(f"caller_id: read as {field.value} from digits OCR scored low ({surest:.2f})")
    return field


def read_taxpayer_name(reading: Reading) -> Field:
    name, address = find_taxpayer(reading.page_one)
    if (name is None or address is None) and has_address_block(reading.page_one):
        reading.findings.append(
            "taxpayer_name: the notice prints an address block but the name and address could not be read"
        )
    elif name is None or address is None:  # faded or lost so far that no block is seen: never silently absent
        reading.findings.append(
            "taxpayer_name: no name and address were read, yet every notice is addressed to its taxpayer"
        )
    if name is not None:
        reading.findings.extend(_name_doubts(reading, name))
    return to_field(name, name.confidence) if name else Field()


def _name_doubts(reading: Reading, candidate: Candidate) -> list[str]:
    """Why a name read from the address block may not be the one printed: OCR damage passes every pattern."""
    page_one, name, doubts = reading.page_one, str(candidate.value), []
    if (stray := stray_name_word(page_one, candidate)) is not None:
        doubts.append(f"read as {name!r}, but {stray!r} printed beside it may belong to the name")
    if is_cut_joint_name(name):
        doubts.append(f"read as {name!r}, a joint name whose second person was not read")
    if (glued := glued_connector(name)) is not None:
        doubts.append(f"read as {name!r}: {glued!r} may be a first name and AND that OCR joined")
    if (glued := glued_name_word(name)) is not None:
        doubts.append(f"read as {name!r}: {glued!r} may be two words that OCR joined")
    if unsure := unsure_block_words(page_one, reading.lines)[0]:
        doubts.append(f"read as {name!r} from words OCR scored low: {', '.join(unsure)}")
    if misread := misread_given_names(page_one, reading.lines):
        doubts.append(f"read as {name!r}: {', '.join(misread)}")
    if (greeting := salutation_disagrees(page_one, name)) is not None:
        doubts.append(f"read as {name!r} in the address block but {greeting!r} in the salutation")
    if (copy := copy_disagrees(page_one, reading.lines, name)) is not None:
        doubts.append(f"read as {name!r} in the address block but {copy!r} elsewhere")
    return [f"taxpayer_name: {doubt}" for doubt in doubts]


def read_address(reading: Reading) -> Field:
    _, address = find_taxpayer(reading.page_one)
    if address is None:
        return Field()
    if unsure := unsure_block_words(reading.page_one, reading.lines)[1]:
        reading.findings.append(
            f"address: read as {address.value!r} from words OCR scored low: {', '.join(unsure)}"
        )
    for doubt in (zip_outside_state(str(address.value)), confusable_unit(str(address.value))):
        if doubt is not None:
            reading.findings.append(f"address: read as {address.value!r}, but {doubt}")
    return to_field(address, address.confidence)


# ---- a garbled copy that still confirms a value ----------------------------------------------------------


def holds_the_digits(copy: str, value: FieldValue) -> bool:
    """A masked SSN whose mask OCR garbled confirms by its last four digits ("*AKAKK- 6477")."""
    return str(value) in repair_digits(copy.replace(" ", ""))


def holds_the_year(copy: str, value: FieldValue) -> bool:
    """A tax period whose separators OCR read as digits ("Tax period    1213112023" for 12/31/2023) confirms
    when the digits of its value cell end in the year."""
    cells = COLUMN_GAP.split(copy.strip())
    cell = next((cell for cell in cells if regex.search(r"\d", cell)), "")
    digits = regex.sub(r"\D", "", cell)
    return len(digits) > 4 and digits.endswith(str(value))


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_NUMBER_WORD = regex.compile(r"[0-9OolISB]*\d[0-9OolISB]*")  # a number, letters OCR read for its digits


def holds_the_date(copy: str, value: FieldValue) -> bool:
    """A date whose copy OCR garbled ("June 13, 2625", "June il 13, 2025", "06/13/2O25") confirms when the
    copy's own cell (the label's, or the one after a label alone in its cell, with a year alone in the cell
    after it) holds its month (by name or number), its day, and its year, or a year no notice can carry one
    digit away from it (2625)."""
    day = parse_iso_date(value) if isinstance(value, str) else None
    if day is None:
        return False
    cells = COLUMN_GAP.split(copy.strip())
    value_at = 0 if len(cells) == 1 or regex.search(r"\d", cells[0]) else 1
    cell = " ".join(cells[: value_at + 1])
    if len(cells) > value_at + 1 and _BARE_YEAR.fullmatch(cells[value_at + 1]) and not _YEAR.search(cell):
        cell += f" {cells[value_at + 1]}"  # the year set apart: "November 29, ,    2024"
    words = [repair_digits(word) for word in _NUMBER_WORD.findall(cell)]
    numbers = [int(n) if len(n) < 4 else n for word in words for n in regex.findall(r"\d+", word)]
    month = _MONTHS[day.month - 1] in cell.lower() or day.month in numbers
    years = [n for n in numbers if isinstance(n, str) and len(n) == 4]
    return month and day.day in numbers and any(_misread_year(year, str(day.year)) for year in years)


_YEAR = regex.compile(r"\d{4}")
_BARE_YEAR = regex.compile(r"[\dOoSlI]{4}")


def _misread_year(read: str, year: str) -> bool:
    """The year itself, or one digit away from it and no year a notice carries ("2625" for 2025)."""
    impossible = not 1900 <= int(read) <= 2099
    return read == year or (impossible and sum(a != b for a, b in zip(read, year, strict=True)) == 1)


# ---- the registry ------------------------------------------------------------------------------------------

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("notice_number", "Notice number", as_code, read=read_notice_number, core=True, required=True),
    FieldSpec(
        "tax_year", "Tax year", as_year, find_tax_years, printed=TAX_YEAR_PRINTED, copied=True,
        garbled_confirms=holds_the_year, core=True, required=True,
    ),
    FieldSpec(
        "ssn_last4", "SSN last 4", as_last4, find_ssn_last4, printed=SSN_PRINTED, copied=True, one_value=True,
        garbled_confirms=holds_the_digits, core=True, required=True,
        # "#*_**-1670" read unsurely, the client's last four, name and address: a misread landing on exactly
        # those four digits is no risk worth a person's look
        confirmed_by=frozenset({"ssn_last4", "name", "address"}),
    ),
    FieldSpec(
        "amount_due", "Amount due", as_amount, read=read_amount_due, printed=AMOUNT_DUE_PRINTED, core=True,
    ),
    FieldSpec("deadline", "Deadline", as_iso_date, read=read_deadline, printed=DEADLINE_PRINTED, core=True),
    FieldSpec(
        "notice_date", "Notice date", as_iso_date, find_notice_dates, printed=NOTICE_DATE_PRINTED,
        copied=True, garbled_confirms=holds_the_date, core=True, required=True,
    ),
    FieldSpec("taxpayer_name", "Taxpayer name", as_text, read=read_taxpayer_name),
    FieldSpec("address", "Address", as_text, read=read_address),
    FieldSpec(
        "irs_phone", "IRS phone", as_text, read=read_irs_phone, printed=IRS_PHONE_PRINTED,
        printed_alone=IRS_PHONE_LABEL_ALONE,
    ),
    FieldSpec(
        "caller_id", "Caller ID", as_text, read=read_caller_id, printed=CALLER_ID_PRINTED,
        printed_alone=CALLER_ID_LABEL_ALONE,
    ),
    FieldSpec(
        "form", "Form", as_text, find_forms, flags_rivals=False, printed=FORM_PRINTED,
        printed_alone=FORM_LABEL_ALONE,
    ),
    FieldSpec(
        "response_address", "IRS reply address", as_text, find_response_addresses, flags_rivals=False,
    ),
)  # fmt: skip
FIELD_SPECS = {spec.name: spec for spec in FIELDS}
FIELD_NAMES = tuple(FIELD_SPECS)
CORRECTABLE = tuple(spec.name for spec in FIELDS if spec.correctable)
CORE_FIELDS = tuple(spec.name for spec in FIELDS if spec.core)


def field_spec(name: str) -> FieldSpec | None:
    return FIELD_SPECS.get(name)


def field_label(name: str) -> str:
    """How the pages name a field; a name the registry does not know reads as its words."""
    spec = FIELD_SPECS.get(name)
    return spec.label if spec else name.replace("_", " ").capitalize()
