"""Validation against the taxpayer profile and the notice's own arithmetic and dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from extractors.billing import BillingRole
from pipeline.catalog import load_catalog
from pipeline.models import BillingLine, Check, CheckStatus, Field, Validation, ValidationStatus
from pipeline.profiles import TaxpayerProfile, load_profiles
from pipeline.validate import (
    CheckName,
    decimal_value,
    format_money,
    validate_against_profile,
)
from tests.notices import CP14_FIELDS

PROFILES = load_profiles(Path(__file__).resolve().parents[1] / "fixtures" / "profiles.json")
SULLIVANS = next(profile for profile in PROFILES if profile.id == "client-7")
CATALOG = load_catalog()
AS_OF = dt.date(2024, 5, 25)

CP14_BILLING = (
    BillingLine(label="Amount you owed", amount="5000.00"),
    BillingLine(label="Failure-to-pay penalty", amount="120.00"),
    BillingLine(label="Interest charges", amount="61.72"),
)


def fields(**changes: str | int | None) -> dict[str, Field]:
    values = {**CP14_FIELDS, **changes}
    return {name: Field(value=value) for name, value in values.items()}


def validate(
    notice_fields: dict[str, Field],
    billing: tuple[BillingLine, ...] = CP14_BILLING,
    code: str | None = "CP14",
    profile: TaxpayerProfile | None = SULLIVANS,
) -> Validation:
    return validate_against_profile(notice_fields, billing, CATALOG.get(code), profile, AS_OF)


def check(validation: Validation, name: CheckName) -> Check:
    return next(item for item in validation.checks if item.name == name)


def test_sullivans_cp14_golden() -> None:
    result = validate(fields())
    assert result.model_dump(mode="json") == {
        "status": "partial",
        "checks": [
            {"name": "ssn_last4", "status": "pass", "detail": "XXX-XX-3051 matches the profile"},
            {
                "name": "name",
                "status": "pass",
                "detail": "'JENNIFER & MARK SULLIVAN' matches Jennifer Sullivan and Mark Sullivan",
            },
            {"name": "address", "status": "pass", "detail": "the mailing address matches the profile"},
            {
                "name": "tax_year_filed",
                "status": "pass",
                "detail": "the profile shows Form 1040 for 2023, filed on 2024-04-10",
            },
            {
                "name": "payments_credited",
                "status": "unknown",
                "detail": "You paid $800.00 on 2024-04-12 (direct_pay); check it was applied",
            },
            {
                "name": "billing_total",
                "status": "pass",
                "detail": "the billing lines add up to the amount due, $5,181.72",
            },
            {
                "name": "deadline",
                "status": "pass",
                "detail": "the deadline 2024-06-10 is 21 days after the notice date",
            },
            {"name": "notice_date", "status": "pass", "detail": "the notice is dated 2024-05-20"},
        ],
    }


def test_no_profile_is_skipped_but_keeps_the_notice_checks() -> None:
    result = validate(fields(), profile=None)
    assert result.status is ValidationStatus.SKIPPED
    assert [item.name for item in result.checks] == ["billing_total", "deadline", "notice_date"]


# --- the billing summary ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("billing", "amount_due", "status", "detail"),
    [
        pytest.param(
            CP14_BILLING, "5181.72", CheckStatus.PASS, "add up to the amount due, $5,181.72", id="adds-up"
        ),
        pytest.param(
            CP14_BILLING,
            "5241.72",
            CheckStatus.FAIL,
            "add up to $5,181.72 but the amount due is $5,241.72",
            id="short",
        ),
        pytest.param(
            (*CP14_BILLING, BillingLine(label="Payments and credits", amount="800.00")),
            "4381.72",
            CheckStatus.PASS,
            "$4,381.72",
            id="unsigned-credit-subtracted",
        ),
        pytest.param(
            (*CP14_BILLING, BillingLine(label="Payments and credits", amount="-800.00")),
            "4381.72",
            CheckStatus.PASS,
            "$4,381.72",
            id="signed-credit",
        ),
        pytest.param((), "5181.72", CheckStatus.UNKNOWN, "no billing summary", id="no-billing-lines"),
        pytest.param(CP14_BILLING, None, CheckStatus.UNKNOWN, "no amount due", id="no-amount-due"),
        pytest.param(
            (BillingLine(label="Tax you owed", amount="12,0O"),),
            "5.00",
            CheckStatus.UNKNOWN,
            "could not be read",
            id="unreadable-line",
        ),
    ],
)
def test_billing_total(
    billing: tuple[BillingLine, ...], amount_due: str | None, status: CheckStatus, detail: str
) -> None:
    result = check(validate(fields(amount_due=amount_due), billing=billing), CheckName.BILLING_TOTAL)
    assert result.status is status
    assert detail in result.detail


def test_no_billing_check_for_a_notice_without_an_amount() -> None:
    result = validate(fields(notice_number="CP12", amount_due=None, deadline=None), billing=(), code="CP12")
    assert CheckName.BILLING_TOTAL not in {item.name for item in result.checks}


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        pytest.param("Amount you owed", BillingRole.TAX_OWED, id="owed-is-the-tax-owed"),
        pytest.param("Tax you owed", BillingRole.TAX_OWED, id="tax-you-owed"),
        pytest.param("Amount you owe", BillingRole.TOTAL, id="owe-is-the-total"),
        pytest.param("Previous amount due", BillingRole.PREVIOUS_BALANCE, id="previous-amount-due"),
        pytest.param("Penalty for late payment", BillingRole.PENALTY, id="penalty-before-payment"),
        pytest.param("Failure-to-pay penalty", BillingRole.PENALTY, id="ftp-penalty"),
        pytest.param("Interest charges", BillingRole.INTEREST, id="interest"),
        pytest.param("Payments and credits", BillingRole.CREDIT, id="credits"),
        pytest.param("Tax withheld", BillingRole.CREDIT, id="withholding"),
        pytest.param("Payment decrease", BillingRole.CHARGE, id="cp2000-payment-decrease-adds"),
        pytest.param("Collection fee", BillingRole.CHARGE, id="other-charge"),
    ],
)
def test_billing_line_roles(label: str, kind: BillingRole) -> None:
    assert BillingLine(label=label, amount="1.00").role is kind


def test_money_helpers() -> None:
    assert decimal_value("$5,181.72") == Decimal("5181.72")
    assert decimal_value("-800.00") == Decimal("-800.00")
    assert decimal_value("n/a") is None and decimal_value(None) is None and decimal_value("NaN") is None
    assert format_money(Decimal("-1234.5")) == "-$1,234.50"


# --- payments the IRS may have missed ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("billing", "status", "detail"),
    [
        pytest.param(
            (*CP14_BILLING, BillingLine(label="Payments", amount="-800.00")),
            CheckStatus.PASS,
            "the billing summary credits it",
            id="credited",
        ),
        pytest.param(
            (BillingLine(label="Amount you owed", amount="4320.00"),),
            CheckStatus.PASS,
            "tax reported less these payments",
            id="netted-into-amount-owed",
        ),
        pytest.param(
            (*CP14_BILLING, BillingLine(label="Payments", amount="-500.00")),
            CheckStatus.FAIL,
            "You paid $800.00 on 2024-04-12 (direct_pay); the billing summary shows no matching payment",
            id="other-credit-only",
        ),
        pytest.param(
            (BillingLine(label="Amount you owed", amount="5120.00"),),
            CheckStatus.FAIL,
            "shows no matching payment or credit",
            id="full-tax-billed-without-the-payment",
        ),
        pytest.param(
            (),
            CheckStatus.UNKNOWN,
            "You paid $800.00 on 2024-04-12 (direct_pay); check it was applied",
            id="no-billing-lines",
        ),
    ],
)
def test_payments_credited(billing: tuple[BillingLine, ...], status: CheckStatus, detail: str) -> None:
    amount = str(sum((Decimal(line.amount) for line in billing), Decimal(0)))
    result = check(validate(fields(amount_due=amount), billing=billing), CheckName.PAYMENTS_CREDITED)
    assert result.status is status
    assert detail in result.detail


def test_a_payment_after_the_notice_date_is_unknown() -> None:
    result = check(
        validate(fields(notice_date="2024-04-01", deadline="2024-04-22")), CheckName.PAYMENTS_CREDITED
    )
    assert result.status is CheckStatus.UNKNOWN and "after the notice date" in result.detail


def test_no_payments_no_payment_check() -> None:
    result = validate(fields(tax_year=2022))
    assert CheckName.PAYMENTS_CREDITED not in {item.name for item in result.checks}


# --- identity and the tax year ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "name", "status", "detail"),
    [
        pytest.param(
            {"ssn_last4": "3015"}, CheckName.SSN_LAST4, CheckStatus.FAIL, "XXX-XX-3015", id="ssn-differs"
        ),
        pytest.param(
            {"ssn_last4": None}, CheckName.SSN_LAST4, CheckStatus.UNKNOWN, "placeholder", id="ssn-missing"
        ),
        pytest.param(
            {"taxpayer_name": "ROBERT KING"},
            CheckName.NAME,
            CheckStatus.FAIL,
            "'ROBERT KING'",
            id="name-differs",
        ),
        pytest.param(
            {"address": "45 OAK ST, OMAHA, NE 68102"},
            CheckName.ADDRESS,
            CheckStatus.FAIL,
            "may miss later notices",
            id="address-changed",
        ),
        pytest.param(
            {"address": None},
            CheckName.ADDRESS,
            CheckStatus.UNKNOWN,
            "no mailing address",
            id="address-missing",
        ),
        pytest.param(
            {"tax_year": 2019},
            CheckName.TAX_YEAR_FILED,
            CheckStatus.UNKNOWN,
            "no 2019 return",
            id="year-not-in-profile",
        ),
        pytest.param(
            {"tax_year": None},
            CheckName.TAX_YEAR_FILED,
            CheckStatus.UNKNOWN,
            "no tax year",
            id="year-missing",
        ),
    ],
)
def test_identity_and_year_checks(
    changes: dict[str, str | int | None], name: CheckName, status: CheckStatus, detail: str
) -> None:
    result = validate(fields(**changes))
    assert check(result, name).status is status
    assert detail in check(result, name).detail
    if status is CheckStatus.FAIL:
        assert result.status is ValidationStatus.FAIL


def test_cp59_for_a_year_the_profile_shows_filed_fails() -> None:
    notice = fields(notice_number="CP59", tax_year=2022, amount_due=None, deadline=None)
    result = validate(notice, billing=(), code="CP59")
    year = check(result, CheckName.TAX_YEAR_FILED)
    assert year.status is CheckStatus.FAIL
    assert year.detail.startswith(
        "the IRS says it has no 2022 return, but the profile shows Form 1040 for 2022, filed on 2023-04-14"
    )
    assert result.status is ValidationStatus.FAIL


def test_cp59_for_a_year_the_profile_lacks_is_unknown() -> None:
    notice = fields(notice_number="CP59", tax_year=2021, amount_due=None, deadline=None)
    year = check(validate(notice, billing=(), code="CP59"), CheckName.TAX_YEAR_FILED)
    assert year.status is CheckStatus.UNKNOWN and "Form 15103" in year.detail


# --- dates ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("notice_date", "deadline", "code", "status", "detail"),
    [
        pytest.param("2024-05-20", "2024-06-10", "CP14", CheckStatus.PASS, "21 days", id="cp14-21-days"),
        pytest.param("2024-05-20", "2024-06-13", "CP14", CheckStatus.PASS, "24 days", id="within-tolerance"),
        pytest.param(
            "2024-05-20", "2024-07-19", "CP14", CheckStatus.FAIL, "usually allows 21", id="far-off-window"
        ),
        pytest.param(
            "2024-05-20", "2024-05-10", "CP14", CheckStatus.FAIL, "not after the notice date", id="before"
        ),
        pytest.param(
            "2024-05-20",
            "2024-06-10",
            "CP504",
            CheckStatus.PASS,
            "is the one that counts",
            id="cp504-21-of-30",
        ),
        pytest.param("2024-02-12", "2024-05-12", "CP3219A", CheckStatus.PASS, "90 days", id="deficiency-90"),
        pytest.param(None, "2024-06-10", "CP14", CheckStatus.UNKNOWN, "no notice date", id="no-notice-date"),
        pytest.param("2024-05-20", None, "CP14", CheckStatus.UNKNOWN, "no deadline found", id="no-deadline"),
        pytest.param(
            "2024-05-20", "2024-08-10", None, CheckStatus.PASS, "82 days", id="unknown-type-no-window"
        ),
    ],
)
def test_deadline(
    notice_date: str | None, deadline: str | None, code: str | None, status: CheckStatus, detail: str
) -> None:
    result = check(
        validate(fields(notice_date=notice_date, deadline=deadline), code=code), CheckName.DEADLINE
    )
    assert result.status is status
    assert detail in result.detail


def test_no_deadline_check_for_a_type_without_one() -> None:
    result = validate(fields(notice_number="CP59", deadline=None, amount_due=None), billing=(), code="CP59")
    assert CheckName.DEADLINE not in {item.name for item in result.checks}


@pytest.mark.parametrize(
    ("notice_date", "status"),
    [
        pytest.param("2024-05-25", CheckStatus.PASS, id="today"),
        pytest.param("2024-06-01", CheckStatus.FAIL, id="future"),
        pytest.param("2024-13-01", CheckStatus.UNKNOWN, id="not-a-date"),
    ],
)
def test_notice_date_not_in_the_future(notice_date: str, status: CheckStatus) -> None:
    result = check(validate(fields(notice_date=notice_date, deadline=None)), CheckName.NOTICE_DATE)
    assert result.status is status


@pytest.mark.parametrize(
    ("name", "address", "failed", "words"),
    [
        pytest.param(
            "JENNIFER & MARK SULLIVAM", None, CheckName.NAME, "'SULLIVAM' for 'SULLIVAN'", id="name"
        ),
        pytest.param(
            "JENNIFER & MARK SULL1VAN", None, CheckName.NAME, "'SULL1VAN' for 'SULLIVAN'", id="digit"
        ),
        pytest.param(
            None,
            "1201 PRAIRLE LN, LINCOLN, NE 68510",
            CheckName.ADDRESS,
            "'PRAIRLE' for 'PRAIRIE'",
            id="street",
        ),
    ],
)
def test_a_name_or_address_only_close_to_the_profiles_fails_naming_both(
    name: str | None, address: str | None, failed: CheckName, words: str
) -> None:
    changes = {key: value for key, value in (("taxpayer_name", name), ("address", address)) if value}
    result = validate(fields(**changes))
    found = check(result, failed)
    assert found.status is CheckStatus.FAIL and words in found.detail, found.detail
    assert "OCR damage or a typo on the notice" in found.detail
    assert result.status is ValidationStatus.FAIL


def test_a_name_and_address_as_the_profile_spells_them_pass() -> None:
    result = validate(fields(address="1201 PRAIRIE LANE, LINCOLN, NE 68510-4402"))
    assert check(result, CheckName.NAME).status is CheckStatus.PASS
    assert check(result, CheckName.ADDRESS).status is CheckStatus.PASS
