"""Decide a result's status: ``processed`` only when nothing needs a person. The one place for that rule.

``decide(result, notice, min_confidence) -> NoticeResult`` sets ``status`` and ``review_reasons`` from the
facts the result carries, and nothing else; ingest, a correction, an accept and a reject all call it:

- a high scam risk (first reason: a possible scam, or a mailer not from the IRS);
- an unknown or ambiguous notice type; a required field missing or below ``min_confidence`` (an SSN last 4
  the matched client's name, address and SSN checks all confirm excepted), and so a row
  of the table of tax periods (``periods``); a tax year not before the notice's year; what extraction
  noticed (``findings``: candidates that disagree, a value printed but unreadable, a period row that does
  not add up);
- every failed validation check (pipeline.validate owns the arithmetic and the deadline window);
- no taxpayer profile matched (``profile_mismatch``).

A person's ``resolution`` comes last: a reject keeps the result out of ``processed`` with its reason; an
accept resolves every reason, and an accept of a result held for a scam, a profile mismatch or a failed
check must say why (``hold_needing_a_reason``). A correction (pipeline.review) drops the resolution and the
findings about the fields it corrected, so it clears only what it corrects: a scam hold stays.
"""

from __future__ import annotations

from pipeline.catalog import NoticeType
from pipeline.fields import field_spec
from pipeline.models import CheckStatus, Decision, NoticeResult, Status, parse_iso_date
from pipeline.scam import scam_review_reason


def decide(result: NoticeResult, notice: NoticeType | None, min_confidence: float) -> NoticeResult:
    resolution = result.resolution
    if resolution is not None and resolution.decision is Decision.REJECT:
        reasons: tuple[str, ...] = (f"rejected by {resolution.actor}: {resolution.reason}",)
    elif resolution is not None:
        reasons = ()
    else:
        holds = _holds(result)
        scam, rest = (holds[:1], holds[1:]) if scam_review_reason(result.scam) else ((), holds)
        reasons = (*scam, *_reading_reasons(result, notice, min_confidence), *rest)
    status = Status.NEEDS_REVIEW if reasons else Status.PROCESSED
    return result.model_copy(update={"status": status, "review_reasons": reasons})


def hold_needing_a_reason(result: NoticeResult) -> str | None:
    """The first reason an accept must explain (a scam hold, a failed check, no profile matched), or None."""
    return next(iter(_holds(result)), None)


def finding_field(finding: str) -> str:
    """The field a finding is about: extraction names it before the first colon."""
    return finding.split(":", 1)[0]


def _holds(result: NoticeResult) -> tuple[str, ...]:
    """What no correction of a value clears: only a person who says why (or rejects) resolves these."""
    holds = [scam] if (scam := scam_review_reason(result.scam)) else []
    failed = [check for check in result.validation.checks if check.status is CheckStatus.FAIL]
    holds += [f"{check.name}: {check.detail}" for check in failed]
    if result.profile_mismatch:
        holds.append(f"no taxpayer profile matched: {result.profile_mismatch}")
    return tuple(holds)


def _reading_reasons(
    result: NoticeResult, notice: NoticeType | None, min_confidence: float
) -> tuple[str, ...]:
    match = result.notice_type
    if notice is None:
        code = (match.code if match else None) or "no notice number"
        return (f"notice type not recognized ({code}); a person must identify it",)
    reasons: list[str] = []
    if match is not None and match.runner_up:
        reasons.append(f"notice type is ambiguous: {match.code} or {match.runner_up}")
    for name in notice.required_fields:
        field = result.fields.get(name)
        if field is None or field.value is None:
            if not (name == "ssn_last4" and field is not None and field.rule):  # a printed placeholder
                reasons.append(f"{name} not found")
        elif field.confidence < min_confidence and not _confirmed_by_profile(result, name):
            reasons.append(f"{name} read with low confidence ({field.confidence:.2f}): {field.raw!r}")
    reasons += [
        f"periods: {period.raw!r} read with low confidence ({period.confidence:.2f})"
        for period in result.periods
        if period.confidence < min_confidence
    ]
    reasons.extend(result.findings)
    notice_date = parse_iso_date(result.field_value("notice_date"))
    tax_year = result.field_value("tax_year")
    if notice_date and isinstance(tax_year, int) and not tax_year < notice_date.year:
        reasons.append(f"tax year {tax_year} is not before the notice date {notice_date}")
    return tuple(reasons)


def _confirmed_by_profile(result: NoticeResult, field_name: str) -> bool:
    """An unsure reading the matched client's profile confirms: every check its field names passed."""
    spec = field_spec(field_name)
    passed = {check.name for check in result.validation.checks if check.status is CheckStatus.PASS}
    return spec is not None and bool(spec.confirmed_by) and spec.confirmed_by <= passed
