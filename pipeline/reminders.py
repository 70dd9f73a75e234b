"""The daily deadline review: reminders for open notices whose deadline is near or passed.

``open_deadlines(store, tenant, as_of, catalog) -> list[OpenDeadline]`` is every current result that is
processed or in review, not rejected by a person (rejected is closed: not a usable notice), neither a copy
of another document nor superseded by a later notice (``pipeline.cases``), and has a deadline, triaged
for ``as_of`` (``pipeline.triage.for_day``); the reminders, the calendar feed and the morning digest all
read it. ``review_deadlines(store, as_of, catalog, tenant) -> list[Reminder]``: a deadline
that ``pipeline.triage.is_near`` gives a "due_soon" reminder, a passed one an "overdue" reminder; each is
written once per day (the store refuses the same reminder twice), and only the newly written ones are
returned, for the caller to send on. Results are never written: days left and the priority that follows
from them are derived when read, so nothing stored changes from one day to the next.
"""

from __future__ import annotations

import datetime as dt

from pipeline.cases import is_open
from pipeline.catalog import Catalog
from pipeline.models import Frozen, NoticeResult, Status, parse_iso_date
from pipeline.store import Reminder, ReminderKind, Store
from pipeline.triage import for_day, is_near

_OPEN = (Status.PROCESSED, Status.NEEDS_REVIEW)


def _reminder_for(result: NoticeResult, deadline: dt.date) -> tuple[ReminderKind, str] | None:
    days = result.triage.days_left
    notice = result.field_value("notice_number") or "notice"
    amount = result.field_value("amount_due")
    owed = f", ${amount} due" if amount else ""
    if days is not None and days < 0:
        return ReminderKind.OVERDUE, f"{notice}{owed}: the deadline {deadline} passed {-days} days ago"
    if is_near(days):
        return ReminderKind.DUE_SOON, f"{notice}{owed}: {days} days left, deadline {deadline}"
    return None


class OpenDeadline(Frozen):
    result: NoticeResult  # triaged for the day asked
    deadline: dt.date


def open_results(store: Store, tenant: str) -> list[NoticeResult]:
    """Every open current result of the tenant, as stored (read them through ``for_day``); a copy of
    another document and a superseded notice are left out (their case's other document stands for them)."""
    found = []
    for status in _OPEN:
        stored = store.list_results(tenant, status=status.value, limit=1_000_000, without_linked=True)
        found += [result for result in stored if is_open(result)]
    return found


def open_deadlines(store: Store, tenant: str, as_of: dt.date, catalog: Catalog) -> list[OpenDeadline]:
    """Every open result with a deadline, the nearest deadline first."""
    found = []
    for stored in open_results(store, tenant):
        deadline = parse_iso_date(stored.field_value("deadline"))
        if deadline is not None:
            found.append(OpenDeadline(result=for_day(stored, as_of, catalog), deadline=deadline))
    return sorted(found, key=lambda item: (item.deadline, item.result.document_id))


def review_deadlines(
    store: Store, as_of: dt.date, catalog: Catalog, tenant: str = "default"
) -> list[Reminder]:
    written = []
    for item in open_deadlines(store, tenant, as_of, catalog):
        document_id, deadline = item.result.document_id, item.deadline
        reminder = _reminder_for(item.result, deadline)
        if reminder and store.save_reminder(document_id, tenant, reminder[0], deadline, as_of, reminder[1]):
            written.append(Reminder(document_id=document_id, kind=reminder[0], due=deadline, as_of=as_of,
                                    message=reminder[1]))  # fmt: skip
    return written
