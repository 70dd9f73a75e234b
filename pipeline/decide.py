"""Decide a result's status: ``processed`` only when nothing needs a person.

``review_reasons(extraction, match, notice, min_confidence) -> tuple[str, ...]`` lists every reason a person
must look: an unknown or ambiguous notice type, a required field missing or below ``min_confidence``,
candidates that disagree (page 1 against the payment stub), a tax year not before the notice's year.
``failed_check_reasons(validation)`` adds the validation checks that failed (pipeline.validate owns the
billing arithmetic and the deadline window). No reasons at all means ``processed``.
"""

from __future__ import annotations

from pipeline.catalog import NoticeType
from pipeline.models import CheckStatus, Extraction, NoticeTypeMatch, Validation, parse_iso_date


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
    notice_date = parse_iso_date(extraction.fields["notice_date"].value)
    tax_year = extraction.fields["tax_year"].value
    if notice_date and isinstance(tax_year, int) and not tax_year < notice_date.year:
        reasons.append(f"tax year {tax_year} is not before the notice date {notice_date}")
    return tuple(reasons)


def failed_check_reasons(validation: Validation) -> tuple[str, ...]:
    """Every failed validation check (billing arithmetic, deadline window, notice date, profile): a reason."""
    return tuple(
        f"{check.name}: {check.detail}" for check in validation.checks if check.status is CheckStatus.FAIL
    )
