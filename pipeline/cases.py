"""Cases: the notices about one debt, linked. Pure rules over stored results; ``pipeline.store`` keeps them.

``case_key(result) -> CaseKey | None`` says which case a result belongs to: the notices of one taxpayer (the
matched profile; without one, the SSN's last 4 and the surname printed), one form (``DEFAULT_FORM`` when
the notice names none) and one tax year. A failed result belongs to none; a result without a taxpayer or a
tax year is a case of its own (keyed by its document id), never guessed into another.
``case_keys(result)`` are all the cases it belongs to: a notice listing several tax periods (``periods``:
a CP504, an LT11) belongs to the case of each (form, year the period ends) it lists, its own key first;
any other result to its one case. Both build keys in one place (``_key``).

``content_key(result)`` is what makes two documents the same notice, whatever their bytes: notice code,
notice date, tax year, SSN last 4 and amount due ("CP14|2024-05-20|2023|3051|5181.72"), and the marker of a
revised notice ("CP2000|...|revised"; ``NoticeResult.revised``). A spouse's copy of a joint notice, a
re-scan and the PDF download of a scanned notice share it; a revision never shares its original's, even
with the same date and amount. None when the code, the date or the year is unread, or both the SSN and the
amount are: too little to call two documents one notice.

``arrange_case(results, catalog, key)`` takes a case's current results in the order they were first stored
and returns its ``Arrangement`` (with the case's ``key``, a notice listing periods shows the amount of the
case's period as its amount):
- a result whose content key an earlier one has is a *copy* of that first one (``copy_of``; the first
  lists it in ``copies``), never a notice of its own;
- a notice of the same code *supersedes* an earlier one when it is dated later (a re-issued notice), or
  when it prints the revision marker and the earlier one does not, dated the same day or later (a revised
  CP2000: the IRS may date it the day of the original): the earlier gets ``superseded_by``. This is the
  one place of the rule "revised supersedes";
- the timeline orders notices by notice date, then by their step in the catalog's escalation chains
  (``Catalog.escalation_step``: CP14 → CP501 → CP503 → CP504 → LT11/CP90/LTR1058; CP2000 → CP3219A), copies
  right after their original;
- a notice is open unless it is a copy, superseded, failed or rejected by a person; the case is open while
  one notice is, takes the earliest deadline of its open notices that no later step of their escalation chain
  has followed (a CP504's, not the passed one of the CP14 before it) and the highest priority of its open
  notices, and its stage
  is the code of the last open notice in the timeline; its lead is its most urgent open notice (highest
  priority, then earliest deadline): the one row the queue shows for the case.

``case_for_day(case, day)`` gives a case's priority and days left on ``day`` (derived when read, as
``pipeline.triage.for_day`` does for a result).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from typing import TypeVar

import regex

from pipeline.catalog import Catalog, load_catalog
from pipeline.models import (
    Category,
    Decision,
    Frozen,
    NoticeResult,
    Priority,
    Status,
    TaxPeriod,
    parse_iso_date,
)
from pipeline.triage import PRIORITY_ORDER, Route, format_date, priority_for_day, stored_priority

DEFAULT_FORM = "1040"  # individual notices that name no form are about the individual return
_NAME_WORD = regex.compile(r"[A-Z][A-Z'-]+")
_NOT_A_SURNAME = frozenset({"LLC", "INC", "CO", "JR", "SR", "II", "III", "IV"})


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class CaseKey(Frozen):
    """Who, which form, which year: the identity of a case within a tenant."""

    taxpayer: str  # "profile client-7", "SSN 3051 SULLIVAN", or "document <sha>" for a case of one
    profile_id: str | None = None
    form: str | None = None
    tax_year: int | None = None

    @property
    def text(self) -> str:
        return f"{self.taxpayer} | form {self.form or '-'} | {self.tax_year or '-'}"


class CaseEntry(Frozen):
    """One document of a case, as its timeline shows it."""

    document_id: str
    source: str
    code: str | None
    notice_date: dt.date | None
    deadline: dt.date | None
    amount_due: str | None
    status: Status
    priority: Priority  # the notice's priority on every day (pipeline.triage.stored_priority)
    is_open: bool
    revised: bool = False  # the notice prints the marker of a revision (NoticeResult.revised)
    copy_of: str | None = None
    copies: tuple[str, ...] = ()
    superseded_by: str | None = None

    @property
    def linked_to(self) -> str | None:
        """The document that stands for this one: its original, or the notice that superseded it."""
        return self.copy_of or self.superseded_by


class Arrangement(Frozen):
    """What a case's results make of it: its timeline and the facts derived from the open notices."""

    entries: tuple[CaseEntry, ...]
    status: CaseStatus
    deadline: dt.date | None
    priority: Priority
    stage: str | None
    notice_count: int  # documents that are notices of their own (copies not counted)
    lead: str | None  # the document id of the most urgent open notice


class CaseEventKind(StrEnum):
    PAYMENT_PLAN = "payment_plan"  # a plan agreed with the IRS for the case's balance
    DISPUTE = "dispute"  # a notice of the case disputed in writing (``document_id`` names it)


class CaseEvent(Frozen):
    """Something a person recorded for the whole case, and the day it happened (``on``)."""

    kind: CaseEventKind
    on: dt.date
    detail: str
    actor: str
    at: dt.datetime
    document_id: str | None = None


class CaseSummary(Frozen):
    """A case as the queue lists it."""

    id: int
    key: CaseKey
    status: CaseStatus
    deadline: dt.date | None
    priority: Priority
    stage: str | None
    notice_count: int
    days_left: int | None = None  # set for one day by case_for_day


class Case(CaseSummary):
    """A case with its timeline and events."""

    entries: tuple[CaseEntry, ...] = ()
    events: tuple[CaseEvent, ...] = ()


AnyCase = TypeVar("AnyCase", CaseSummary, Case)


def case_key(result: NoticeResult) -> CaseKey | None:
    """None for a failed result and for a scanned stack (``split``): each of its notices is in its case."""
    if result.status is Status.FAILED or not result.document_id or result.split is not None:
        return None
    taxpayer = _taxpayer(result)
    year = result.field_value("tax_year")
    if taxpayer is None or not isinstance(year, int):
        return CaseKey(taxpayer=f"document {result.document_id}")
    return _key(result, taxpayer, result.field_value("form"), year)


def case_keys(result: NoticeResult) -> tuple[CaseKey, ...]:
    """Every case the result belongs to: its own, then one per other (form, year) of its periods."""
    own = case_key(result)
    if own is None:
        return ()
    keys = [own]
    for period in result.periods:
        key = _period_key(result, own, period)
        if key is not None and key not in keys:
            keys.append(key)
    return tuple(keys)


def _key(result: NoticeResult, taxpayer: str, form: object, year: int) -> CaseKey:
    """The one rule of a case's identity: taxpayer, form (``DEFAULT_FORM`` when none is named), year."""
    return CaseKey(
        taxpayer=taxpayer, profile_id=result.profile_id, form=str(form or DEFAULT_FORM), tax_year=year
    )


def _period_key(result: NoticeResult, own: CaseKey, period: TaxPeriod) -> CaseKey | None:
    """The case of one listed period; None when the notice's own case is no taxpayer's or the period's end
    was not read."""
    end = parse_iso_date(period.period_end)
    if own.tax_year is None or end is None:
        return None
    return _key(result, own.taxpayer, period.form or result.field_value("form"), end.year)


def _period_amount(result: NoticeResult, key: CaseKey | None) -> str | None:
    """The amount of the listed period that is ``key``'s case, or None when the notice lists none for it."""
    if key is None or key.tax_year is None:
        return None
    for period in result.periods:
        if _period_key(result, key, period) == key:
            return period.amount
    return None


def _taxpayer(result: NoticeResult) -> str | None:
    if result.profile_id:
        return f"profile {result.profile_id}"
    last4, name = result.field_value("ssn_last4"), result.field_value("taxpayer_name")
    words = [word for word in _NAME_WORD.findall(str(name or "").upper()) if word not in _NOT_A_SURNAME]
    if last4 is None or not words:
        return None
    return f"SSN {last4} {words[-1]}"


def content_key(result: NoticeResult, catalog: Catalog | None = None) -> str | None:
    code = _code(result, catalog or load_catalog())
    values = [result.field_value(name) for name in ("notice_date", "tax_year", "ssn_last4", "amount_due")]
    notice_date, tax_year, last4, amount = values
    if code is None or notice_date is None or tax_year is None or (last4 is None and amount is None):
        return None
    marker = ("revised",) if result.revised is not None else ()
    return "|".join(str(part if part is not None else "-") for part in (code, *values, *marker))


def _code(result: NoticeResult, catalog: Catalog) -> str | None:
    """The catalog's code of the notice ("CP14SP" is a CP14), else the code as read."""
    read = result.notice_type.code if result.notice_type else result.field_value("notice_number")
    notice = catalog.get(str(read)) if read else None
    return notice.code if notice else (str(read) if read else None)


def arrange_case(
    results: Sequence[NoticeResult], catalog: Catalog | None = None, key: CaseKey | None = None
) -> Arrangement:
    catalog = catalog or load_catalog()
    entries = _with_superseded(_with_copies(results, catalog, key), catalog)
    timeline = _timeline(entries, catalog)
    open_entries = [entry for entry in timeline if entry.is_open]
    current = [entry for entry in open_entries if not _escalated(entry, open_entries, catalog)]
    deadlines = [entry.deadline for entry in current if entry.deadline is not None]
    priorities = [entry.priority for entry in open_entries] or [Priority.LOW]
    return Arrangement(
        entries=tuple(timeline),
        status=CaseStatus.OPEN if open_entries else CaseStatus.CLOSED,
        deadline=min(deadlines, default=None),
        priority=max(priorities, key=PRIORITY_ORDER.index),
        stage=open_entries[-1].code if open_entries else None,
        notice_count=sum(1 for entry in timeline if entry.copy_of is None),
        lead=min(open_entries, key=_urgency).document_id if open_entries else None,
    )


def _escalated(entry: CaseEntry, open_entries: list[CaseEntry], catalog: Catalog) -> bool:
    """A later step of the notice's own escalation chain is open (a CP504 after the CP14): the later notice
    restates what is owed with its own date, so the earlier one's passed deadline no longer dates the case."""
    step = catalog.escalation_step(entry.code)
    if step is None:
        return False
    for other in open_entries:
        later = catalog.escalation_step(other.code)
        if later is not None and later[0] == step[0] and later[1] > step[1]:
            return True
    return False


def _urgency(entry: CaseEntry) -> tuple[int, dt.date]:
    """Sorts the most urgent first: the highest priority, then the earliest deadline (none last)."""
    return (-PRIORITY_ORDER.index(entry.priority), entry.deadline or dt.date.max)


def _with_copies(results: Sequence[NoticeResult], catalog: Catalog, key: CaseKey | None) -> list[CaseEntry]:
    """One entry per result; a result whose content an earlier one had is a copy of that first one."""
    first_with: dict[str, str] = {}
    copies: dict[str, list[str]] = {}
    entries: list[CaseEntry] = []
    for result in results:
        content = content_key(result, catalog)
        original = first_with.get(content) if content else None
        if content and original is None:
            first_with[content] = result.document_id
        if original is not None:
            copies.setdefault(original, []).append(result.document_id)
        entries.append(_entry(result, catalog, key, copy_of=original))
    return [
        entry.model_copy(update={"copies": tuple(copies.get(entry.document_id, ()))}) for entry in entries
    ]


def is_open(result: NoticeResult) -> bool:
    """Processed or in review, and not rejected by a person (rejected is closed: not a usable notice)."""
    rejected = result.resolution is not None and result.resolution.decision is Decision.REJECT
    return result.status in (Status.PROCESSED, Status.NEEDS_REVIEW) and not rejected


def _entry(result: NoticeResult, catalog: Catalog, key: CaseKey | None, copy_of: str | None) -> CaseEntry:
    """The result as the case's timeline shows it; a notice listing periods shows its amount for this case's
    period (the amount due is the sum of them all)."""
    due = result.field_value("amount_due")
    amount = (_period_amount(result, key) if result.periods else None) or (None if due is None else str(due))
    return CaseEntry(
        document_id=result.document_id,
        source=result.source,
        code=_code(result, catalog),
        notice_date=parse_iso_date(result.field_value("notice_date")),
        deadline=parse_iso_date(result.field_value("deadline")),
        amount_due=amount,
        status=result.status,
        priority=stored_priority(result, catalog),
        is_open=copy_of is None and is_open(result),
        revised=result.revised is not None,
        copy_of=copy_of,
    )


def _with_superseded(entries: list[CaseEntry], catalog: Catalog) -> list[CaseEntry]:
    """Each notice (not a copy) superseded by the next notice of the same code that replaces it."""
    dated = sorted(
        (entry for entry in entries if entry.copy_of is None and entry.notice_date is not None),
        key=lambda entry: (entry.notice_date or dt.date.min, entry.revised),
    )
    later: dict[str, str] = {}
    for index, entry in enumerate(dated):
        newer = [other for other in dated[index + 1 :] if _replaces(other, entry)]
        if newer:
            later[entry.document_id] = newer[0].document_id
    return [
        entry.model_copy(update={"superseded_by": later[entry.document_id], "is_open": False})
        if entry.document_id in later
        else entry
        for entry in entries
    ]


def _replaces(newer: CaseEntry, older: CaseEntry) -> bool:
    """A notice of the same code dated later, or a revision dated the same day as a notice that is none."""
    if newer.code != older.code or newer.notice_date is None or older.notice_date is None:
        return False
    same_day_revision = newer.notice_date == older.notice_date and newer.revised and not older.revised
    return newer.notice_date > older.notice_date or same_day_revision


def _timeline(entries: list[CaseEntry], catalog: Catalog) -> list[CaseEntry]:
    """Notices by notice date (none last), a revision after the notice it revises, then escalation step, then
    first stored; each one's copies after it."""
    order = {entry.document_id: index for index, entry in enumerate(entries)}

    def rank(entry: CaseEntry) -> tuple[dt.date, bool, int, int]:
        step = catalog.escalation_step(entry.code)
        day = entry.notice_date or dt.date.max
        return (day, entry.revised, step[1] if step else 0, order[entry.document_id])

    notices = sorted((entry for entry in entries if entry.copy_of is None), key=rank)
    by_id = {entry.document_id: entry for entry in entries}
    return [item for notice in notices for item in (notice, *(by_id[copy] for copy in notice.copies))]


def case_for_day(case: AnyCase, day: dt.date) -> AnyCase:
    """The case with its days left and priority on ``day`` (an open case whose deadline is near goes up a
    step, as a notice does)."""
    if case.status is CaseStatus.CLOSED or case.deadline is None:
        return case
    days_left = (case.deadline - day).days
    priority = priority_for_day(case.priority, days_left)
    return case.model_copy(update={"days_left": days_left, "priority": priority})


# ---- the response route in the case -----------------------------------------------------------------------

COLLECTION = frozenset({Category.BALANCE_DUE, Category.INTENT_TO_LEVY})
DISPUTED = (
    "The {code} of {notice_date} in this case was disputed on {on} ({detail}). Answer this notice by "
    "pointing to that dispute, with a copy of it: collection of a disputed amount should wait for the IRS's "
    "answer."
)
PLAN_COVERS = (
    "Covered by the payment plan agreed on {on} ({detail}): keep paying as agreed; this notice needs no "
    "separate payment. Call the number on the notice if it does not show the plan."
)


def route_in_case(result: NoticeResult, case: Case | None) -> NoticeResult:
    """The result's triage (of a day) with what its case's events say: a collection notice after a dispute of
    another notice of the case says so and routes to the dispute; one dated on or after a payment plan was
    agreed routes to the plan instead of paying. Without a case or such an event the result is unchanged."""
    if case is None or result.triage.category not in COLLECTION:
        return result
    notice_date = parse_iso_date(result.field_value("notice_date"))
    entries = {entry.document_id: entry for entry in case.entries}
    for event in reversed(case.events):
        disputed = entries.get(event.document_id or "")
        if event.kind is CaseEventKind.DISPUTE and disputed and disputed.document_id != result.document_id:
            line = DISPUTED.format(
                code=disputed.code or "notice", on=format_date(event.on), detail=event.detail,
                notice_date=format_date(disputed.notice_date) if disputed.notice_date else "an earlier date",
            )  # fmt: skip
            return _routed(result, Route.DISPUTE, line)
        if event.kind is CaseEventKind.PAYMENT_PLAN and notice_date is not None and notice_date >= event.on:
            return _routed(
                result, Route.PAYMENT_PLAN, PLAN_COVERS.format(on=format_date(event.on), detail=event.detail)
            )
    return result


def _routed(result: NoticeResult, route: Route, line: str) -> NoticeResult:
    triage = result.triage.model_copy(
        update={"route": route.value, "actions": (line, *result.triage.actions)}
    )
    return result.model_copy(update={"triage": triage})
