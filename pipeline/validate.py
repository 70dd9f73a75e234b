"""Validation: check a notice's fields against the taxpayer's profile and against themselves.

``validate_against_profile(result_fields, billing_lines, notice_type, profile, as_of, periods=())`` takes
the extracted fields (``pipeline.models.Field`` values: tax_year int, amounts as decimal strings, dates as
ISO strings), the billing summary lines, the catalog entry (or None), the matched profile (or None), today's
date and the table of tax periods (``TaxPeriod`` rows, empty when the notice prints none), and returns a
``Validation``. Each ``Check`` is pass, fail or unknown with a sentence a person can act on.

A table of periods is checked twice: the periods' amounts must add up to the amount due (``period_total``,
shaped like the billing check), and each period must be a return the profile lists, year and form
(``periods_filed``: a period of a year or a form the client does not file fails, naming the period; a
profile that lists no returns at all leaves it unknown).

Overall: fail when any check fails, pass when all pass, partial otherwise, and skipped when there is no
profile. Without a profile the checks that need none (billing arithmetic, deadline, notice date) are still
listed, so a caller must look at failed checks even when the status is skipped. Nothing here raises for a
finding; unreadable values give an ``unknown`` check.

Also here, because billing lines are money: ``decimal_value`` and ``format_money``. A line's role (tax owed,
payment, penalty...) is ``BillingLine.role``, from ``extractors.billing.billing_role``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from extractors.billing import BillingRole
from pipeline.catalog import DeadlineRule, NoticeType, Presence
from pipeline.models import (
    BillingLine,
    Category,
    Check,
    CheckStatus,
    Field,
    FieldValue,
    TaxPeriod,
    Validation,
    ValidationStatus,
    parse_iso_date,
)
from pipeline.profiles import (
    TaxpayerProfile,
    TaxReturn,
    address_misreadings,
    is_address_match,
    is_name_match,
    name_misreadings,
)

# Printed deadlines drift from the typical window by a few days (mailing dates, weekends). Farther off, the
# printed date still counts (published windows disagree) unless it is beyond half or twice the window, which
# usually means a misread date.
DEADLINE_TOLERANCE_DAYS = 5


class CheckName(StrEnum):
    SSN_LAST4 = "ssn_last4"
    NAME = "name"
    ADDRESS = "address"
    TAX_YEAR_FILED = "tax_year_filed"
    PAYMENTS_CREDITED = "payments_credited"
    BILLING_TOTAL = "billing_total"
    PERIOD_TOTAL = "period_total"
    PERIODS_FILED = "periods_filed"
    DEADLINE = "deadline"
    NOTICE_DATE = "notice_date"


def decimal_value(value: FieldValue | Decimal) -> Decimal | None:
    """A decimal string like "5181.72" (or "-800.00", "$5,181.72") as a Decimal, or None."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).replace("$", "").replace(",", "").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def format_money(amount: Decimal) -> str:
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def validate_against_profile(
    result_fields: dict[str, Field],
    billing_lines: Sequence[BillingLine],
    notice_type: NoticeType | None,
    profile: TaxpayerProfile | None,
    as_of: dt.date,
    periods: Sequence[TaxPeriod] = (),
) -> Validation:
    notice_checks = [
        check_billing_total(result_fields, billing_lines, notice_type),
        check_period_total(result_fields, periods),
        check_deadline(result_fields, notice_type),
        check_notice_date(result_fields, as_of),
    ]
    present = [check for check in notice_checks if check is not None]
    if profile is None:
        return Validation(status=ValidationStatus.SKIPPED, checks=tuple(present))
    profile_checks = [
        check_ssn(result_fields, profile),
        check_name(result_fields, profile),
        check_address(result_fields, profile),
        check_tax_year(result_fields, notice_type, profile),
        check_payments(result_fields, billing_lines, profile),
        check_periods_filed(periods, profile),
    ]
    checks = tuple(check for check in (*profile_checks, *present) if check is not None)
    return Validation(status=summarize_checks(checks), checks=checks)


def summarize_checks(checks: Sequence[Check]) -> ValidationStatus:
    statuses = {check.status for check in checks}
    if CheckStatus.FAIL in statuses:
        return ValidationStatus.FAIL
    if statuses <= {CheckStatus.PASS}:
        return ValidationStatus.PASS
    return ValidationStatus.PARTIAL


def _text(fields: dict[str, Field], name: str) -> str | None:
    field = fields.get(name)
    value = field.value if field else None
    return str(value).strip() or None if value is not None else None


def _year(fields: dict[str, Field]) -> int | None:
    text = _text(fields, "tax_year")
    return int(text) if text and text.isdigit() else None


def _date(fields: dict[str, Field], name: str) -> dt.date | None:
    field = fields.get(name)
    return parse_iso_date(field.value) if field else None


# --- identity ---------------------------------------------------------------------------------------------


def check_ssn(fields: dict[str, Field], profile: TaxpayerProfile) -> Check:
    ssn = _text(fields, "ssn_last4")
    if ssn is None:
        return _unknown(CheckName.SSN_LAST4, "the notice shows no SSN last 4 digits (or only a placeholder)")
    if ssn == profile.ssn_last4:
        return _pass(CheckName.SSN_LAST4, f"XXX-XX-{ssn} matches the profile")
    return _fail(
        CheckName.SSN_LAST4,
        f"the notice shows XXX-XX-{ssn} but the profile has XXX-XX-{profile.ssn_last4}: "
        "this notice may be for someone else, or the digits were misread",
    )


def check_name(fields: dict[str, Field], profile: TaxpayerProfile) -> Check:
    name = _text(fields, "taxpayer_name")
    if name is None:
        return _unknown(CheckName.NAME, "the notice shows no taxpayer name")
    if is_name_match(name, profile):
        if misread := name_misreadings(name, profile):
            return _fail(
                CheckName.NAME,
                f"the notice reads {name!r}, the profile {profile.display_name}: {_misread_words(misread)}",
            )
        return _pass(CheckName.NAME, f"{name!r} matches {profile.display_name}")
    return _fail(
        CheckName.NAME, f"the notice is addressed to {name!r}, the profile is {profile.display_name}"
    )


def check_address(fields: dict[str, Field], profile: TaxpayerProfile) -> Check:
    address = _text(fields, "address")
    if address is None:
        return _unknown(CheckName.ADDRESS, "the notice shows no mailing address")
    expected = profile.address.as_line()
    if is_address_match(address, profile.address):
        if misread := address_misreadings(address, profile.address):
            return _fail(
                CheckName.ADDRESS,
                f"the notice reads {address!r}, the profile {expected!r}: {_misread_words(misread)}",
            )
        return _pass(CheckName.ADDRESS, "the mailing address matches the profile")
    return _fail(
        CheckName.ADDRESS,
        f"the notice was mailed to {address!r} but the profile has {expected!r}: "
        "the taxpayer may miss later notices; if they moved, tell the IRS (Form 8822), "
        "otherwise update the profile",
    )


def _misread_words(pairs: list[tuple[str, str]]) -> str:
    """Close but not the same: OCR damage or an IRS typo; the read value is kept, a person decides."""
    words = ", ".join(f"{printed!r} for {expected!r}" for printed, expected in pairs)
    return (
        f"{words}: OCR damage or a typo on the notice; look at the notice, correct the value if it was "
        "misread, otherwise ask the IRS to fix its records"
    )


# --- the tax year and payments ----------------------------------------------------------------------------


def check_tax_year(
    fields: dict[str, Field], notice_type: NoticeType | None, profile: TaxpayerProfile
) -> Check:
    year = _year(fields)
    if year is None:
        return _unknown(CheckName.TAX_YEAR_FILED, "the notice shows no tax year")
    filed = profile.return_for(year)
    is_unfiled_notice = notice_type is not None and notice_type.category is Category.UNFILED_RETURN
    if filed is None:
        detail = f"the profile has no {year} return"
        if is_unfiled_notice:
            detail += " either: the notice may be right; file the return, or send Form 15103 if you need not"
        return _unknown(CheckName.TAX_YEAR_FILED, detail)
    shown = f"Form {filed.form} for {year}" + (f", filed on {filed.filed_on}" if filed.filed_on else "")
    if is_unfiled_notice and filed.filed_on is not None:
        return _fail(
            CheckName.TAX_YEAR_FILED,
            f"the IRS says it has no {year} return, but the profile shows {shown}: reply with proof of "
            "filing (a copy of the return as filed and the e-file acceptance or mailing receipt)",
        )
    if is_unfiled_notice:
        return _unknown(CheckName.TAX_YEAR_FILED, f"the profile lists {shown} but no filing date")
    return _pass(CheckName.TAX_YEAR_FILED, f"the profile shows {shown}")


def check_payments(
    fields: dict[str, Field], billing_lines: Sequence[BillingLine], profile: TaxpayerProfile
) -> Check | None:
    year = _year(fields)
    filed = profile.return_for(year) if year is not None else None
    if filed is None or not filed.payments:
        return None
    paid = "; ".join(f"You paid {format_money(p.amount)} on {p.date} ({p.method})" for p in filed.payments)
    credits = [abs(a) for line, a in _amounts(billing_lines) if line.role is BillingRole.CREDIT]
    total_paid = sum((p.amount for p in filed.payments), Decimal(0))
    if all(p.amount in credits for p in filed.payments) or total_paid in credits:
        return _pass(CheckName.PAYMENTS_CREDITED, f"{paid}; the billing summary credits it")
    if _is_netted(filed, billing_lines, total_paid):
        return _pass(
            CheckName.PAYMENTS_CREDITED,
            f"{paid}; the amount owed is the tax reported less these payments",
        )
    return _payments_unmatched(paid, billing_lines, credits, filed, total_paid, _date(fields, "notice_date"))


def _payments_unmatched(
    paid: str,
    billing_lines: Sequence[BillingLine],
    credits: list[Decimal],
    filed: TaxReturn,
    total_paid: Decimal,
    notice_date: dt.date | None,
) -> Check:
    if not billing_lines:
        return _unknown(CheckName.PAYMENTS_CREDITED, f"{paid}; check it was applied")
    if notice_date is not None and all(p.date > notice_date for p in filed.payments):
        return _unknown(CheckName.PAYMENTS_CREDITED, f"{paid}, after the notice date; check it was applied")
    charged = _opening_charge(billing_lines)
    is_gross = filed.tax_reported is not None and charged == filed.tax_reported and total_paid > 0
    if credits or is_gross:
        return _fail(
            CheckName.PAYMENTS_CREDITED,
            f"{paid}; the billing summary shows no matching payment or credit: check it was applied, "
            "and send proof of payment if it was not",
        )
    # No credit lines at all: the opening "amount you owed" may already be net of the payments.
    return _unknown(CheckName.PAYMENTS_CREDITED, f"{paid}; check it was applied")


def _is_netted(filed: TaxReturn, billing_lines: Sequence[BillingLine], total_paid: Decimal) -> bool:
    charged = _opening_charge(billing_lines)
    return filed.tax_reported is not None and charged == filed.tax_reported - total_paid


def _opening_charge(billing_lines: Sequence[BillingLine]) -> Decimal | None:
    return next(
        (
            amount
            for line, amount in _amounts(billing_lines)
            if line.role in (BillingRole.TAX_OWED, BillingRole.CHARGE)
        ),
        None,
    )


def _amounts(billing_lines: Sequence[BillingLine]) -> list[tuple[BillingLine, Decimal]]:
    parsed = [(line, decimal_value(line.amount)) for line in billing_lines]
    return [(line, amount) for line, amount in parsed if amount is not None]


# --- the notice's own arithmetic and dates ----------------------------------------------------------------


def check_billing_total(
    fields: dict[str, Field], billing_lines: Sequence[BillingLine], notice_type: NoticeType | None
) -> Check | None:
    if notice_type is not None and notice_type.amount_due is Presence.ABSENT and not billing_lines:
        return None
    if not billing_lines:
        return _unknown(CheckName.BILLING_TOTAL, "the notice has no billing summary to add up")
    amounts = _amounts(billing_lines)
    if len(amounts) != len(billing_lines):
        return _unknown(CheckName.BILLING_TOTAL, "a billing line's amount could not be read")
    totals = [amount for line, amount in amounts if line.role is BillingRole.TOTAL]
    target = decimal_value(_text(fields, "amount_due"))
    if target is None:
        target = next(iter(totals), None)
    parts = [_signed(line, amount) for line, amount in amounts if line.role is not BillingRole.TOTAL]
    if target is None or not parts:
        return _unknown(CheckName.BILLING_TOTAL, "no amount due to compare the billing lines with")
    added = sum(parts, Decimal(0))
    if added == target:
        return _pass(
            CheckName.BILLING_TOTAL, f"the billing lines add up to the amount due, {format_money(target)}"
        )
    return _fail(
        CheckName.BILLING_TOTAL,
        f"the billing lines add up to {format_money(added)} but the amount due is {format_money(target)} "
        f"(difference {format_money(target - added)}): check the figures were read right, "
        "then ask the IRS to explain",
    )


def check_period_total(fields: dict[str, Field], periods: Sequence[TaxPeriod]) -> Check | None:
    if not periods:
        return None
    amounts = [amount for period in periods if (amount := decimal_value(period.amount)) is not None]
    if len(amounts) != len(periods):
        return _unknown(CheckName.PERIOD_TOTAL, "a tax period's amount could not be read")
    target = decimal_value(_text(fields, "amount_due"))
    if target is None:
        return _unknown(CheckName.PERIOD_TOTAL, "no amount due to compare the tax periods with")
    added = sum(amounts, Decimal(0))
    if added == target:
        return _pass(
            CheckName.PERIOD_TOTAL,
            f"the {len(periods)} tax periods add up to the amount due, {format_money(target)}",
        )
    return _fail(
        CheckName.PERIOD_TOTAL,
        f"the tax periods add up to {format_money(added)} but the amount due is {format_money(target)} "
        f"(difference {format_money(target - added)}): check the figures were read right, "
        "then ask the IRS to explain",
    )


def check_periods_filed(periods: Sequence[TaxPeriod], profile: TaxpayerProfile) -> Check | None:
    if not periods:
        return None
    if not profile.returns:
        return _unknown(CheckName.PERIODS_FILED, "the profile lists no returns to check the tax periods with")
    unread = [period.raw or "?" for period in periods if period.form is None or period.period_end is None]
    if unread:
        return _unknown(CheckName.PERIODS_FILED, f"the tax period {unread[0]!r} could not be read whole")
    strange = [_period_name(period) for period in periods if not _is_filed(period, profile)]
    if strange:
        return _fail(
            CheckName.PERIODS_FILED,
            f"the notice bills {'; '.join(strange)}, which the profile does not list as filed: check the "
            "client's filings for it (a return the IRS made for them, another entity's account, a misread)",
        )
    return _pass(
        CheckName.PERIODS_FILED,
        f"the profile lists every tax period billed: {'; '.join(_period_name(p) for p in periods)}",
    )


def _is_filed(period: TaxPeriod, profile: TaxpayerProfile) -> bool:
    end = parse_iso_date(period.period_end)
    return end is not None and any(
        ret.tax_year == end.year and ret.form == period.form for ret in profile.returns
    )


def _period_name(period: TaxPeriod) -> str:
    return f"Form {period.form} for the period ending {period.period_end}"


def _signed(line: BillingLine, amount: Decimal) -> Decimal:
    # A payment or credit lowers the balance whether or not the notice prints its minus sign.
    return -abs(amount) if line.role is BillingRole.CREDIT else amount


def check_deadline(fields: dict[str, Field], notice_type: NoticeType | None) -> Check | None:
    deadline = _date(fields, "deadline")
    has_rule = notice_type is not None and notice_type.deadline is not DeadlineRule.NONE
    if deadline is None:
        return _unknown(CheckName.DEADLINE, "no deadline found on the notice") if has_rule else None
    notice_date = _date(fields, "notice_date")
    if notice_date is None:
        return _unknown(CheckName.DEADLINE, f"deadline {deadline}, but no notice date to check it against")
    gap = (deadline - notice_date).days
    if gap <= 0:
        return _fail(
            CheckName.DEADLINE, f"the deadline {deadline} is not after the notice date {notice_date}"
        )
    window = notice_type.response_window_days if notice_type is not None else None
    detail = f"the deadline {deadline} is {gap} days after the notice date"
    if notice_type is None or not window or abs(gap - window) <= DEADLINE_TOLERANCE_DAYS:
        return _pass(CheckName.DEADLINE, detail)
    if window / 2 - DEADLINE_TOLERANCE_DAYS <= gap <= 2 * window + DEADLINE_TOLERANCE_DAYS:
        # Published windows for one notice disagree (a CP504 gives 21 days or 30): the printed date wins.
        return _pass(
            CheckName.DEADLINE,
            f"{detail}; a {notice_type.code} usually allows {window}, but the date printed on the notice "
            "is the one that counts",
        )
    return _fail(
        CheckName.DEADLINE,
        f"{detail}; a {notice_type.code} usually allows {window}: check the date was read right "
        "(the printed date wins)",
    )


def check_notice_date(fields: dict[str, Field], as_of: dt.date) -> Check:
    notice_date = _date(fields, "notice_date")
    if notice_date is None:
        return _unknown(CheckName.NOTICE_DATE, "no notice date found")
    if notice_date > as_of:
        return _fail(
            CheckName.NOTICE_DATE,
            f"the notice date {notice_date} is after today ({as_of}): check the date was read right",
        )
    return _pass(CheckName.NOTICE_DATE, f"the notice is dated {notice_date}")


def _pass(name: CheckName, detail: str) -> Check:
    return Check(name=name.value, status=CheckStatus.PASS, detail=detail)


def _fail(name: CheckName, detail: str) -> Check:
    return Check(name=name.value, status=CheckStatus.FAIL, detail=detail)


def _unknown(name: CheckName, detail: str) -> Check:
    return Check(name=name.value, status=CheckStatus.UNKNOWN, detail=detail)
