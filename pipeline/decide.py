"""Decide a result's status: ``processed`` only when nothing needs a person.

``review_reasons(extraction, match, notice, min_confidence) -> tuple[str, ...]`` lists every reason a person
must look: an unknown or ambiguous notice type, a required field missing or below ``min_confidence``,
candidates that disagree (page 1 against the payment stub), and cross-checks that fail (the deadline not
after the notice date, or far from the type's usual window; a tax year not before the notice's year; a
billing summary that does not add up to the amount due). An empty tuple means ``processed``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pipeline.catalog import NoticeType
from pipeline.models import Extraction, NoticeTypeMatch, parse_iso_date

WINDOW_SLACK_DAYS = 10


def review_reasons(
    extraction: Extraction, match: NoticeTypeMatch, notice: NoticeType | None, min_confidence: float
) -> tuple[str, ...]:
    if notice is None:
        code = match.code or "no notice number"
        return (f"notice type not recognized ({code}); a person must identify it",)
    reasons: list[str] = []
    if match.runner_up:
        reasons.append(f"notice type is ambiguous: {match.code} or {match.runner_up}")
    for name in notice.required_fields:
        field = extraction.fields.get(name)
        if field is None or field.value is None:
            if not (name == "ssn_last4" and field is not None and field.rule):
                reasons.append(f"{name} not found")
        elif field.confidence < min_confidence:
            reasons.append(f"{name} read with low confidence ({field.confidence:.2f}): {field.raw!r}")
    reasons.extend(extraction.findings)
    reasons.extend(_cross_check(extraction, notice))
    return tuple(reasons)


def _cross_check(extraction: Extraction, notice: NoticeType) -> list[str]:
    fields = extraction.fields
    notice_date = parse_iso_date(fields["notice_date"].value)
    deadline = parse_iso_date(fields["deadline"].value)
    tax_year = fields["tax_year"].value
    reasons = []
    if notice_date and deadline:
        reasons.extend(_deadline_checks(notice_date, deadline, notice))
    if notice_date and isinstance(tax_year, int) and not tax_year < notice_date.year:
        reasons.append(f"tax year {tax_year} is not before the notice date {notice_date}")
    amount = fields["amount_due"].value
    if extraction.billing_lines and isinstance(amount, str):
        total = sum((Decimal(line.amount) for line in extraction.billing_lines), Decimal("0"))
        if total != Decimal(amount):
            reasons.append(f"billing summary adds up to {total}, not the amount due {amount}")
    return reasons


def _deadline_checks(notice_date: dt.date, deadline: dt.date, notice: NoticeType) -> list[str]:
    days = (deadline - notice_date).days
    if days <= 0:
        return [f"deadline {deadline} is not after the notice date {notice_date}"]
    window = notice.response_window_days
    if window and abs(days - window) > WINDOW_SLACK_DAYS:
        return [f"deadline is {days} days after the notice date; {notice.code} usually allows {window}"]
    return []
