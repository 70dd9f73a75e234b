"""Classify the notice and choose one value per field from the extractors' candidates.

``to_text_lines(document)`` turns OCR pages into the extractors' ``TextLine`` rows, each followed by its
labels joined to the values printed under them (``pipeline.layout.stacked_label_lines``).
``classify_notice(lines, catalog) -> Classification`` (match, catalog entry, best printed reading) scores
every code printed (labelled readings weigh most, misreadings of a printed catalog code count for it) and
the type's keywords; a close runner-up is recorded.
``extract_fields(lines, classification) -> Extraction`` picks each field's value: candidates that agree add
up, a strong candidate that disagrees is recorded as a finding (the status stage turns findings into review
reasons). Values follow the result contract: ISO dates, two-place decimal strings, int years.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import NamedTuple

import regex

from extractors.amount_due import AMOUNT_DUE_PRINTED, find_amounts_due
from extractors.billing import find_billing_lines
from extractors.contacts import CALLER_ID_PRINTED, find_caller_ids, find_forms, find_irs_phones
from extractors.deadline import DEADLINE_PRINTED, find_deadlines
from extractors.notice_date import NOTICE_DATE_PRINTED, find_notice_dates
from extractors.notice_number import find_notice_numbers
from extractors.party import find_taxpayer, has_address_block
from extractors.ssn import SSN_PRINTED, find_ssn_last4
from extractors.tax_year import TAX_YEAR_PRINTED, find_tax_years
from extractors.text import Candidate, TextLine, find_printed, repair_digits
from pipeline.catalog import Catalog, DeadlineRule, NoticeType, Presence
from pipeline.layout import stacked_label_lines
from pipeline.models import (
    BillingLine,
    Category,
    DeadlineKind,
    Extraction,
    Field,
    NoticeTypeMatch,
    OcrDocument,
    OcrLine,
)

STRONG = 0.75  # a candidate this confident that disagrees with the chosen value needs a person
RUNNER_UP_MARGIN = 0.1
AGREEMENT_BONUS = 0.03
MISREAD_FACTOR = 0.8  # a reading merged into the code it misread counts for less

_DEADLINE_RULES_BY_CATEGORY = {
    Category.DEFICIENCY: ("petition_date", "respond_by", "amount_due_by"),
    Category.INTENT_TO_LEVY: ("hearing_date", "amount_due_by", "respond_by"),
    Category.PROPOSED_ADJUSTMENT: ("respond_by", "amount_due_by"),
    Category.UNFILED_RETURN: ("file_by", "respond_by", "amount_due_by"),
}
_DEFAULT_DEADLINE_RULES = ("amount_due_by", "respond_by", "hearing_date", "petition_date", "file_by")


def to_text_lines(document: OcrDocument) -> list[TextLine]:
    """Every row in reading order, each followed by the labels on it joined to their stacked values."""
    lines = []
    for page in document.pages:
        stacked: dict[int, list[OcrLine]] = defaultdict(list)
        for index, line in stacked_label_lines(page.lines):
            stacked[index].append(line)
        for index, line in enumerate(page.lines):
            lines.append(_text_line(page.number, line))
            lines += [_text_line(page.number, joined, stacked=True) for joined in stacked[index]]
    return lines


def _text_line(page: int, line: OcrLine, stacked: bool = False) -> TextLine:
    return TextLine(page=page, text=line.text, bbox=line.bbox, confidence=line.confidence, stacked=stacked)


class Classification(NamedTuple):
    match: NoticeTypeMatch
    notice: NoticeType | None
    evidence: Candidate | None  # the best printed reading of the chosen code, for provenance


def classify_notice(lines: list[TextLine], catalog: Catalog) -> Classification:
    readings = find_notice_numbers(lines)
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
    close = runner_up if runner_up and score - runner_up[1] < RUNNER_UP_MARGIN else None
    notice = catalog.get(code)
    match = NoticeTypeMatch(
        code=code, title=notice.title if notice else None, confidence=round(min(score, 1.0), 3),
        runner_up=close[0] if close else None,
    )  # fmt: skip
    evidence = max(
        readings, key=lambda c: (c.value == code or catalog.get(str(c.value)) is notice, c.confidence)
    )
    return Classification(match, notice, evidence)


def _merge_misreadings(support: dict[str, list[float]], catalog: Catalog) -> dict[str, list[float]]:
    """An unknown code one OCR edit away from a catalog code that the notice also prints ("CP2600" beside
    "CP2000", "CP71CC" beside "CP71C") is a misreading of it. An unknown code standing alone stays unknown:
    it may be a fake's invented number, which the scam check weighs."""
    merged = {code: list(found) for code, found in support.items() if catalog.get(code)}
    for code, found in support.items():
        if catalog.get(code):
            continue
        near = [known for known in merged if regex.fullmatch(f"(?:{regex.escape(known)}){{e<=1}}", code)]
        if len(near) == 1:
            merged[near[0]] += [confidence * MISREAD_FACTOR for confidence in found]
        else:
            merged[code] = list(found)
    return merged


def _field(candidate: Candidate, confidence: float, kind: DeadlineKind | None = None) -> Field:
    return Field(
        value=candidate.value,
        confidence=round(min(confidence, 1.0), 3),
        page=candidate.page,
        bbox=candidate.bbox,
        raw=candidate.raw,
        rule=candidate.rule,
        kind=kind,
    )


def choose(name: str, candidates: list[Candidate], findings: list[str]) -> Field:
    """The best-supported value: its best candidate's confidence, plus a little per agreeing candidate."""
    if not candidates:
        return Field()
    support: dict[object, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        support[candidate.value].append(candidate)

    def score(group: list[Candidate]) -> float:
        return max(c.confidence for c in group) + AGREEMENT_BONUS * (len(group) - 1)

    value, group = max(support.items(), key=lambda item: score(item[1]))
    rivals = sorted(
        {str(v) for v, g in support.items() if v != value and max(c.confidence for c in g) >= STRONG}
    )
    if rivals:
        findings.append(f"{name}: the notice also shows {', '.join(rivals)} (chose {value})")
    best = max(group, key=lambda c: c.confidence)
    return _field(best, score(group) - (0.2 if rivals else 0.0))


def _by_rule(candidates: list[Candidate], rules: tuple[str, ...]) -> list[Candidate]:
    for rule in rules:
        chosen = [c for c in candidates if c.rule == rule]
        if chosen:
            return chosen
    return []


def _deadline(
    lines: list[TextLine], notice: NoticeType | None, notice_date: Field, findings: list[str]
) -> Field:
    candidates = find_deadlines(lines)
    rules = (
        _DEADLINE_RULES_BY_CATEGORY.get(notice.category, _DEFAULT_DEADLINE_RULES)
        if notice
        else _DEFAULT_DEADLINE_RULES
    )
    printed = _by_rule([c for c in candidates if c.kind == "printed"], rules)
    if printed:
        chosen = choose("deadline", printed, findings)
        return chosen.model_copy(update={"kind": DeadlineKind.PRINTED})
    # A type that usually sets no deadline still has one when it prints it ("File your return by ...").
    windows = [c for c in candidates if c.kind == "computed"]
    if notice is not None and notice.deadline is DeadlineRule.NONE:
        return Field()
    if not windows or not isinstance(notice_date.value, str):
        return Field()
    window = choose("deadline window", windows, findings)
    start = dt.date.fromisoformat(notice_date.value)
    assert isinstance(window.value, int)
    computed = (start + dt.timedelta(days=window.value)).isoformat()
    confidence = min(window.confidence, notice_date.confidence)
    return window.model_copy(
        update={"value": computed, "confidence": confidence, "kind": DeadlineKind.COMPUTED}
    )


def _amount_due(lines: list[TextLine], notice: NoticeType | None, findings: list[str]) -> Field:
    if notice is not None and notice.amount_due is Presence.ABSENT:
        return Field()
    return choose("amount_due", find_amounts_due(lines), findings)


def _first(
    finder: Callable[[list[TextLine]], list[Candidate]], lines: list[TextLine], name: str, findings: list[str]
) -> Field:
    return choose(name, finder(lines), findings)


def extract_fields(lines: list[TextLine], classification: Classification) -> Extraction:
    match, notice, evidence = classification
    findings: list[str] = []
    notice_date = _first(find_notice_dates, lines, "notice_date", findings)
    page_one = [line for line in lines if line.page == 1 and not line.stacked]
    name, address = find_taxpayer(page_one)
    if (name is None or address is None) and has_address_block(page_one):
        findings.append(
            "taxpayer_name: the notice prints an address block but the name and address could not be read"
        )
    fields = {
        "notice_number": _field(evidence, match.confidence).model_copy(update={"value": match.code})
        if evidence
        else Field(),
        "tax_year": _first(find_tax_years, lines, "tax_year", findings),
        "ssn_last4": _first(find_ssn_last4, lines, "ssn_last4", findings),
        "amount_due": _amount_due(lines, notice, findings),
        "deadline": _deadline(lines, notice, notice_date, findings),
        "notice_date": notice_date,
        "taxpayer_name": _field(name, name.confidence) if name else Field(),
        "address": _field(address, address.confidence) if address else Field(),
        "irs_phone": _first(find_irs_phones, lines, "irs_phone", findings),
        "caller_id": _first(find_caller_ids, lines, "caller_id", []),
        "form": _first(find_forms, lines, "form", []),
    }
    billing = tuple(
        BillingLine(label=label, amount=str(amount)) for label, amount in find_billing_lines(lines)
    )
    findings += _unread_values(lines, fields, notice)
    findings += _unconfirmed_copies(lines, fields)
    return Extraction(fields=fields, billing_lines=billing, findings=tuple(findings))


# Labels that show a field is printed (with digits after them), so that a value we could not read is a
# review reason instead of a silent gap, whether the notice type requires the field or not.
_PRINTED_LABELS = {
    "tax_year": TAX_YEAR_PRINTED,
    "notice_date": NOTICE_DATE_PRINTED,
    "ssn_last4": SSN_PRINTED,
    "amount_due": AMOUNT_DUE_PRINTED,
    "deadline": DEADLINE_PRINTED,
    "caller_id": CALLER_ID_PRINTED,
}


def _unread_values(lines: list[TextLine], fields: dict[str, Field], notice: NoticeType | None) -> list[str]:
    unread = []
    for name, pattern in _PRINTED_LABELS.items():
        field = fields[name]
        if field.value is not None or field.rule is not None or _carries_none(notice, name):
            continue  # read, a placeholder read as "none", or a field this type never prints
        printed = find_printed(pattern, lines)
        if printed is not None:
            unread.append(f"{name}: the notice prints {printed.strip()!r} but the value could not be read")
    return unread


# Fields a notice prints more than once (header, stub, later pages' headers): a copy we could not read may
# hold what the one we read got wrong ("*** KK -0054" beside "***-**-9054"), so one reading alone is not
# enough when another copy is unreadable.
_COPIED_FIELDS: dict[str, Callable[[list[TextLine]], list[Candidate]]] = {
    "ssn_last4": find_ssn_last4,
    "notice_date": find_notice_dates,
    "tax_year": find_tax_years,
}


def _unconfirmed_copies(lines: list[TextLine], fields: dict[str, Field]) -> list[str]:
    findings = []
    for name, finder in _COPIED_FIELDS.items():
        value = fields[name].value
        if value is None:
            continue
        copies = [line for line in lines if _PRINTED_LABELS[name].search(line.text)]
        confirmed = [_confirms(name, finder, line, value) for line in copies]
        unread = [line.text.strip() for line, found in zip(copies, confirmed, strict=True) if found is None]
        if unread and confirmed.count(True) < 2:
            findings.append(
                f"{name}: the notice prints it again as {unread[0][:60]!r}, which could not be read to "
                f"confirm {value}"
            )
    return findings


def _confirms(
    name: str, finder: Callable[[list[TextLine]], list[Candidate]], line: TextLine, value: object
) -> bool | None:
    """True when the copy reads as ``value``, False when it reads as something else, None when unread. A
    masked SSN whose mask OCR garbled still confirms by its last four digits ("*AKAKK- 6477")."""
    found = finder([line])
    if found:
        return any(candidate.value == value for candidate in found)
    if name == "ssn_last4":
        after_label = line.text[_PRINTED_LABELS[name].search(line.text).start() :]  # type: ignore[union-attr]
        if str(value) in repair_digits(after_label.replace(" ", "")):
            return True
    return None


def _carries_none(notice: NoticeType | None, name: str) -> bool:
    if notice is None:
        return False
    return (name == "amount_due" and notice.amount_due is Presence.ABSENT) or (
        name == "deadline" and notice.deadline is DeadlineRule.NONE
    )
