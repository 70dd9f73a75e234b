"""Triage: category, priority, days left, route, actions and documents, from data plus a little policy."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pipeline.catalog import load_catalog
from pipeline.errors import BadCatalog
from pipeline.models import (
    BillingLine,
    Category,
    Check,
    CheckStatus,
    Field,
    NoticeResult,
    NoticeTypeMatch,
    Priority,
    ScamCheck,
    ScamRisk,
    Status,
    Triage,
    Validation,
    ValidationStatus,
)
from pipeline.scam import VERIFY_ADVICE
from pipeline.triage import (
    PRIORITY_ORDER,
    TRIAGE_PATH,
    URGENT_DAYS,
    Route,
    for_day,
    load_triage_rules,
    priority_for_day,
    stored_priority,
    triage,
)

CATALOG = load_catalog()
LOW_RISK = ScamCheck()
NO_PROFILE = Validation()
PENALTY_BILLING = (
    BillingLine(label="Amount you owed", amount="5000.00"),
    BillingLine(label="Failure-to-pay penalty", amount="120.00"),
    BillingLine(label="Interest charges", amount="61.72"),
)


def fields(**values: str | int | None) -> dict[str, Field]:
    return {name: Field(value=value) for name, value in values.items()}


def cp14(as_of: dt.date, deadline: str | None = "2024-06-10", **kwargs: object) -> Triage:
    notice = fields(tax_year=2023, amount_due="5181.72", notice_date="2024-05-20", deadline=deadline)
    return run("CP14", notice, as_of, **kwargs)


def run(
    code: str | None,
    notice: dict[str, Field],
    as_of: dt.date,
    validation: Validation = NO_PROFILE,
    scam: ScamCheck = LOW_RISK,
    billing: tuple[BillingLine, ...] = (),
) -> Triage:
    return triage(CATALOG.get(code), notice, validation, scam, as_of, billing)


def test_cp14_golden() -> None:
    result = cp14(dt.date(2024, 5, 25), billing=PENALTY_BILLING)
    assert result.model_dump(mode="json") == {
        "category": "balance_due",
        "priority": "normal",
        "days_left": 16,
        "route": "pay",
        "actions": [
            "Pay the full $5,181.72 by June 10, 2024 at irs.gov/payments (IRS Direct Pay from a bank "
            "account, or by card), or by check or money order payable to the United States Treasury with "
            "the notice number and tax year written on it; interest and penalties keep growing until it is "
            "paid.",
            "If you can pay within 180 days, ask for a short-term payment plan at irs.gov/paymentplan; "
            "there is no setup fee, but interest and penalties continue until it is paid.",
            "If you need more than 180 days, apply for a monthly installment agreement at "
            "irs.gov/paymentplan or with Form 9465; a setup fee may apply and interest keeps accruing.",
            "If you will never be able to pay the full amount, check at irs.gov/offers whether you qualify "
            "for an Offer in Compromise (Form 656).",
            "If paying anything would leave you unable to meet basic living expenses, ask the IRS to mark "
            "your account Currently Not Collectible; be ready to show your income and expenses (Form "
            "433-F). The balance and interest remain.",
            "This notice charges penalties: ask in writing (or with Form 843) for penalty abatement for "
            "reasonable cause, or first-time abatement, explaining what kept you from filing or paying on "
            "time.",
            "If you disagree, reply in writing by June 10, 2024: say what is wrong and why, reference the "
            "notice number (CP14) and tax year (2023), attach copies (never originals) of your evidence, "
            "send it to the address on the notice by certified mail with return receipt, and keep copies "
            "and the mailing date.",
        ],
        "documents": [
            "Proof of payments for 2023: bank statements, cancelled checks, IRS Direct Pay or EFTPS "
            "confirmations",
            "The 2023 return as filed",
            "Earlier notices about this balance",
            "Your monthly income and expenses, if you need a payment plan (Form 433-F)",
        ],
    }


def test_deficiency_golden() -> None:
    notice = fields(tax_year=2021, amount_due="2418.00", notice_date="2024-02-12", deadline="2024-05-13")
    result = run("CP3219A", notice, dt.date(2024, 5, 8))
    assert result.model_dump(mode="json") == {
        "category": "deficiency",
        "priority": "critical",
        "days_left": 5,
        "route": "appeal",
        "actions": [
            "If you disagree, petition the United States Tax Court (ustaxcourt.gov) by May 13, 2024; the "
            "IRS cannot extend this date, and after it you can only pay first and then claim a refund.",
            "If you agree, sign and return the waiver form that came with the notice (Form 5564), and pay "
            "$2,418.00 or set up a payment plan.",
        ],
        "documents": [
            "The earlier notice (for example the CP2000) and your reply to it",
            "The 2021 return as filed",
            "Forms W-2 and 1099 for 2021",
            "Records that support your position (receipts, basis records, corrected forms)",
        ],
    }


# --- priority and days left -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "notice_date", "deadline", "as_of", "priority"),
    [
        pytest.param("CP14", "2024-05-20", "2024-06-10", "2024-05-21", Priority.NORMAL, id="bill-early"),
        pytest.param("CP14", "2024-05-20", "2024-06-10", "2024-06-03", Priority.HIGH, id="bill-7-days-left"),
        pytest.param("CP14", "2024-05-20", "2024-06-10", "2024-06-20", Priority.HIGH, id="bill-overdue"),
        pytest.param(
            "CP90", "2024-03-04", "2024-04-03", "2024-03-05", Priority.HIGH, id="levy-never-below-high"
        ),
        pytest.param("CP90", "2024-03-04", "2024-04-03", "2024-03-30", Priority.CRITICAL, id="levy-close"),
        pytest.param("LT11", "2024-06-03", "2024-07-03", "2024-07-10", Priority.CRITICAL, id="levy-overdue"),
        pytest.param(
            "CP3219A", "2024-02-12", "2024-05-13", "2024-02-14", Priority.HIGH, id="deficiency-early"
        ),
        pytest.param("CP12", "2024-04-29", "2024-06-28", "2024-05-01", Priority.LOW, id="refund-change"),
        pytest.param("CP71A", "2024-01-15", None, "2024-01-20", Priority.LOW, id="informational"),
        pytest.param("CP59", "2024-09-09", None, "2024-09-12", Priority.HIGH, id="unfiled"),
        pytest.param(None, "2024-09-09", None, "2024-09-12", Priority.NORMAL, id="unknown-type"),
    ],
)
def test_priority(
    code: str | None, notice_date: str, deadline: str | None, as_of: str, priority: Priority
) -> None:
    notice = fields(tax_year=2022, amount_due="100.00", notice_date=notice_date, deadline=deadline)
    result = run(code, notice, dt.date.fromisoformat(as_of))
    assert result.priority is priority
    if deadline is None:
        assert result.days_left is None
    else:
        assert result.days_left == (dt.date.fromisoformat(deadline) - dt.date.fromisoformat(as_of)).days


def test_unknown_type_is_category_unknown() -> None:
    result = run(None, fields(notice_number="CP9999"), dt.date(2024, 5, 1))
    assert result.category is Category.UNKNOWN and result.route == "none"
    assert "not in the catalog" in result.actions[0]


def test_an_overdue_deadline_says_so_first() -> None:
    result = cp14(dt.date(2024, 6, 13))
    assert result.days_left == -3
    assert result.actions[0] == (
        "The date on the notice, June 10, 2024, passed 3 day(s) ago: act now, and keep proof of when you did."
    )


def stored_cp14(written_on: dt.date) -> NoticeResult:
    """A CP14 result as the store keeps it: triaged on the day it was written."""
    notice = fields(notice_number="CP14", tax_year=2023, amount_due="5181.72", deadline="2024-06-10")
    return NoticeResult(
        document_id="d" * 64, source="cp14.pdf", status=Status.PROCESSED,
        notice_type=NoticeTypeMatch(code="CP14", title="Balance due", confidence=1.0),
        fields=notice, triage=run("CP14", notice, written_on),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("day", "days_left", "priority", "is_overdue"),
    [
        pytest.param(dt.date(2024, 5, 21), 20, Priority.NORMAL, False, id="as-written"),
        pytest.param(dt.date(2024, 5, 22), 19, Priority.NORMAL, False, id="next-day"),
        pytest.param(dt.date(2024, 6, 3), 7, Priority.HIGH, False, id="deadline-near"),
        pytest.param(dt.date(2024, 6, 13), -3, Priority.HIGH, True, id="overdue"),
    ],
)
def test_a_stored_result_is_read_for_the_day_asked(
    day: dt.date, days_left: int, priority: Priority, is_overdue: bool
) -> None:
    stored = stored_cp14(dt.date(2024, 5, 21))
    read = for_day(stored, day)
    assert (read.triage.days_left, read.triage.priority) == (days_left, priority)
    assert read.triage.actions[0].startswith("The date on the notice") is is_overdue
    assert read.model_copy(update={"triage": stored.triage}) == stored  # only the triage is of the day
    assert for_day(read, dt.date(2024, 5, 21)) == stored  # read again for another day: no line left over


def test_a_result_stored_on_an_overdue_day_reads_without_its_old_line() -> None:
    read = for_day(stored_cp14(dt.date(2024, 6, 20)), dt.date(2024, 5, 21))
    assert read.triage.days_left == 20 and not read.triage.actions[0].startswith("The date on the notice")


def test_a_failed_result_is_read_as_stored() -> None:
    failed = NoticeResult(document_id="", source="x.pdf", status=Status.FAILED)
    assert for_day(failed, dt.date(2024, 5, 21)) is failed


def test_a_result_stored_with_days_left_still_loads() -> None:
    stored = stored_cp14(dt.date(2024, 5, 21))
    assert NoticeResult.model_validate_json(stored.model_dump_json()) == stored


@pytest.mark.parametrize(
    ("code", "base"),
    [
        pytest.param("CP14", Priority.NORMAL, id="bill"),
        pytest.param("CP90", Priority.HIGH, id="levy"),
        pytest.param("CP12", Priority.LOW, id="refund-change"),
    ],
)
def test_the_stored_priority_is_the_one_of_every_day(code: str, base: Priority) -> None:
    result = stored_cp14(dt.date(2024, 6, 20)).model_copy(
        update={"notice_type": NoticeTypeMatch(code=code, title=code, confidence=1.0)}
    )
    assert stored_priority(result) is base
    assert priority_for_day(base, URGENT_DAYS) is PRIORITY_ORDER[PRIORITY_ORDER.index(base) + 1]
    assert priority_for_day(base, URGENT_DAYS + 1) is base


# --- scam risk --------------------------------------------------------------------------------------------


def test_high_scam_risk_is_critical_and_says_verify_first() -> None:
    result = cp14(dt.date(2024, 5, 21), scam=ScamCheck(risk=ScamRisk.HIGH, score=0.9))
    assert result.priority is Priority.CRITICAL
    assert result.route == "none"
    assert result.actions[0] == VERIFY_ADVICE
    assert "800-829-1040" in result.actions[0] and not result.documents


def test_medium_scam_risk_adds_a_caution_before_paying() -> None:
    result = cp14(dt.date(2024, 5, 21), scam=ScamCheck(risk=ScamRisk.MEDIUM, score=0.5))
    assert result.actions[0].startswith("Before paying or calling, check this notice is genuine")
    assert result.route == "pay" and result.priority is Priority.NORMAL


# --- routes and actions -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "route", "wanted"),
    [
        pytest.param("CP14", Route.PAY, "irs.gov/payments", id="cp14-pay"),
        pytest.param("CP504", Route.PAY, "levy (seize) your state tax refund", id="cp504-levy-warning"),
        pytest.param(
            "CP90", Route.PAY, "send Form 12153 to the address on the notice by July 1, 2024", id="cp90-cdp"
        ),
        pytest.param("LTR1058", Route.PAY, "Form 12153", id="letter-1058-cdp"),
        pytest.param("CP523", Route.PAYMENT_PLAN, "Collection Appeals Program", id="cp523-reinstate"),
        pytest.param(
            "CP2000",
            Route.DISPUTE,
            "Complete the response form and send it back by July 1, 2024",
            id="cp2000-respond",
        ),
        pytest.param("CP2000", Route.DISPUTE, "Form 1040-X", id="cp2000-amend-other-errors"),
        pytest.param(
            "CP3219A", Route.APPEAL, "petition the United States Tax Court", id="deficiency-petition"
        ),
        pytest.param(
            "CP11", Route.PAY, "within 60 days of the notice date (June 1, 2024)", id="cp11-reversal"
        ),
        pytest.param("CP12", Route.NONE, "you need not do anything", id="cp12-refund"),
        pytest.param("CP49", Route.NONE, "Form 8379", id="cp49-injured-spouse"),
        pytest.param("CP59", Route.FILE_RETURN, "Form 15103", id="cp59-15103"),
        pytest.param("LTR5071C", Route.VERIFY_IDENTITY, "idverify.irs.gov", id="5071c-verify"),
        pytest.param("CP71A", Route.NONE, "Currently Not Collectible", id="cp71a-cnc"),
        pytest.param("CP161", Route.PAY, "EFTPS", id="cp161-eftps"),
    ],
)
def test_route_and_actions(code: str, route: Route, wanted: str) -> None:
    notice = fields(tax_year=2023, amount_due="900.00", notice_date="2024-06-01", deadline="2024-07-01")
    result = run(code, notice, dt.date(2024, 6, 2))
    assert result.route == route.value
    assert any(wanted in action for action in result.actions), result.actions


def test_balance_due_offers_every_payment_option() -> None:
    actions = " ".join(cp14(dt.date(2024, 5, 21), billing=PENALTY_BILLING).actions)
    for option in (
        "irs.gov/payments",
        "180 days",
        "Form 9465",
        "Form 656",
        "Currently Not Collectible",
        "abatement",
    ):
        assert option in actions


def test_penalty_abatement_only_when_penalties_are_billed() -> None:
    no_penalty = (BillingLine(label="Amount you owed", amount="5000.00"),)
    assert not any("abatement" in action for action in cp14(dt.date(2024, 5, 21), billing=no_penalty).actions)


def test_payment_actions_need_an_amount() -> None:
    notice = fields(tax_year=2023, amount_due=None, notice_date="2024-05-20", deadline="2024-06-10")
    result = run("CP14", notice, dt.date(2024, 5, 21))
    assert not any("Pay the full" in action for action in result.actions)
    assert any("reply in writing by June 10, 2024" in action for action in result.actions)


def test_missing_values_point_at_the_notice_and_are_never_made_up() -> None:
    result = run("CP90", fields(amount_due="100.00"), dt.date(2024, 5, 21))
    assert any("by the date on the notice" in action for action in result.actions)
    assert any(
        "for the tax year on the notice" in doc or "the tax year on the notice" in doc
        for doc in result.documents
    )


def test_a_finding_of_validation_turns_the_route_to_dispute() -> None:
    filed = Check(
        name="tax_year_filed",
        status=CheckStatus.FAIL,
        detail="the IRS says it has no 2022 return, but the profile shows Form 1040 for 2022, filed on "
        "2023-04-14",
    )
    validation = Validation(status=ValidationStatus.FAIL, checks=(filed,))
    result = run("CP59", fields(tax_year=2022, notice_date="2024-09-09"), dt.date(2024, 9, 12), validation)
    assert result.route == "dispute"
    assert result.actions[0].startswith("The profile check found a problem with this notice: the IRS says")


def test_identity_failures_do_not_turn_the_route() -> None:
    wrong_name = Check(name="name", status=CheckStatus.FAIL, detail="x")
    validation = Validation(status=ValidationStatus.FAIL, checks=(wrong_name,))
    assert cp14(dt.date(2024, 5, 21), validation=validation).route == "pay"


# --- the data file ----------------------------------------------------------------------------------------


def test_every_catalog_notice_gets_a_complete_plan() -> None:
    rules = load_triage_rules()
    for notice in CATALOG.notices:
        plan = rules.plan_for(notice)
        assert plan.route is not None and plan.actions and plan.documents, notice.code


def _write_rules(tmp_path: Path, change: dict[str, object]) -> Path:
    data = json.loads(TRIAGE_PATH.read_text())
    data.update(change)
    path = tmp_path / "triage.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            {"notices": {"CP14": {"actions": ["pay_with_hope"]}}}, "undefined actions", id="unknown-action"
        ),
        pytest.param({"notices": {"CP9999": {"route": "pay"}}}, "not in the catalog", id="unknown-notice"),
        pytest.param({"notices": {"CP14": {"route": "panic"}}}, "route", id="unknown-route"),
        pytest.param({"notices": {"CP14": {"priority": "urgent"}}}, "priority", id="unknown-priority"),
        pytest.param(
            {"actions": {"x": {"text": "Pay {amonut}"}}}, "unknown placeholder", id="bad-placeholder"
        ),
        pytest.param({"actions": {"x": {"text": "Pay {amount"}}}, "bad template", id="broken-template"),
        pytest.param({"actions": {"x": {"when": "sometimes", "text": "x"}}}, "when", id="bad-condition"),
        pytest.param({"categories": {}}, "no triage plan for categories", id="missing-categories"),
        pytest.param({"extra": 1}, "extra", id="unknown-top-level-key"),
    ],
)
def test_a_bad_rules_file_raises_bad_catalog(tmp_path: Path, change: dict[str, object], message: str) -> None:
    with pytest.raises(BadCatalog) as caught:
        load_triage_rules(_write_rules(tmp_path, change))
    assert message in caught.value.message


def test_broken_json_raises_bad_catalog(tmp_path: Path) -> None:
    path = tmp_path / "triage.json"
    path.write_text("{")
    with pytest.raises(BadCatalog):
        load_triage_rules(path)
