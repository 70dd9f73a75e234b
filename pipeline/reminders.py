"""The daily deadline review: days left and priority recomputed for open notices, and reminders written.

``review_deadlines(store, as_of, catalog, tenant) -> list[Reminder]`` re-triages every current result that
is processed or in review and has a deadline, as of ``as_of``. When days left or priority changed, the new
result is stored (history kept, audit action "deadline_review"). A deadline within ``DUE_SOON_DAYS`` days
gives a "due_soon" reminder, a passed one an "overdue" reminder; each is written once per day (the store
refuses the same reminder twice), and only the newly written ones are returned, for the caller to send on.
"""

from __future__ import annotations

import datetime as dt

from pipeline.catalog import Catalog
from pipeline.models import NoticeResult, Status, parse_iso_date
from pipeline.store import Reminder, ReminderKind, Store
from pipeline.triage import triage

DUE_SOON_DAYS = 7
_OPEN = (Status.PROCESSED, Status.NEEDS_REVIEW)


def _retriaged(result: NoticeResult, as_of: dt.date, catalog: Catalog) -> NoticeResult:
    notice = catalog.get(result.notice_type.code if result.notice_type else None)
    fresh = triage(notice, result.fields, result.validation, result.scam, as_of, result.billing_lines)
    return result.model_copy(update={"triage": fresh})


def _reminder_for(result: NoticeResult, deadline: dt.date, as_of: dt.date) -> tuple[ReminderKind, str] | None:
    days = (deadline - as_of).days
    notice = result.field_value("notice_number") or "notice"
    amount = result.field_value("amount_due")
    owed = f", ${amount} due" if amount else ""
    if days < 0:
        return ReminderKind.OVERDUE, f"{notice}{owed}: the deadline {deadline} passed {-days} days ago"
    if days <= DUE_SOON_DAYS:
        return ReminderKind.DUE_SOON, f"{notice}{owed}: {days} days left, deadline {deadline}"
    return None


def review_deadlines(
    store: Store, as_of: dt.date, catalog: Catalog, tenant: str = "default"
) -> list[Reminder]:
    written = []
    for status in _OPEN:
        for result in store.list_results(tenant, status=status.value, limit=1_000_000):
            deadline = parse_iso_date(result.field_value("deadline"))
            if deadline is None:
                continue
            updated = _retriaged(result, as_of, catalog)
            if updated.triage != result.triage:
                changes = [("priority", result.triage.priority.value, updated.triage.priority.value)]
                store.replace_result(updated, tenant, "deadline-review", "deadline_review", changes)
            reminder = _reminder_for(updated, deadline, as_of)
            if reminder and store.save_reminder(
                result.document_id, tenant, reminder[0], deadline, as_of, reminder[1]
            ):
                written.append(Reminder(document_id=result.document_id, kind=reminder[0], due=deadline,
                                        as_of=as_of, message=reminder[1]))  # fmt: skip
    return written
