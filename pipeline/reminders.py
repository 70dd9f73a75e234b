"""The daily deadline review: reminders for open notices whose deadline is near or passed.

``review_deadlines(store, as_of, catalog, tenant) -> list[Reminder]`` reads every current result that is
processed or in review and has a deadline, triaged for ``as_of`` (``pipeline.triage.for_day``). A deadline
that ``pipeline.triage.is_near`` gives a "due_soon" reminder, a passed one an "overdue" reminder; each is
written once per day (the store refuses the same reminder twice), and only the newly written ones are
returned, for the caller to send on. Results are never written: days left and the priority that follows
from them are derived when read, so nothing stored changes from one day to the next.
"""

from __future__ import annotations

import datetime as dt

from pipeline.catalog import Catalog
from pipeline.models import NoticeResult, Status, parse_iso_date
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


def review_deadlines(
    store: Store, as_of: dt.date, catalog: Catalog, tenant: str = "default"
) -> list[Reminder]:
    written = []
    for status in _OPEN:
        for stored in store.list_results(tenant, status=status.value, limit=1_000_000):
            deadline = parse_iso_date(stored.field_value("deadline"))
            if deadline is None:
                continue
            reminder = _reminder_for(for_day(stored, as_of, catalog), deadline)
            if reminder and store.save_reminder(
                stored.document_id, tenant, reminder[0], deadline, as_of, reminder[1]
            ):
                written.append(Reminder(document_id=stored.document_id, kind=reminder[0], due=deadline,
                                        as_of=as_of, message=reminder[1]))  # fmt: skip
    return written
