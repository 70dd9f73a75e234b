"""Triage: what kind of notice this is, how urgent, and what the taxpayer can do about it.

``triage(notice_type, fields, validation, scam, as_of, billing_lines=())`` takes the catalog entry (or None),
the extracted fields, the validation and scam results and the day to judge the deadline on, and returns a
``Triage``: category (from the catalog; unknown type → unknown), priority, days left until the deadline
(None without one), route, concrete actions and the documents to gather.

Days left, whether the deadline passed (and the "act now" line that says so) and the priority that follows
from them hold for one day only, so they are derived when a result is read, never trusted from the store:
``for_day(result, day) -> NoticeResult`` triages a stored result again for ``day`` from its stored facts (the
notice type, fields, validation, scam check and billing lines); the API, the pages, the CLI and the
reminders read results through it. The stored triage is the one of the day it was written.

The per-type facts (route, base priority, which options apply, documents) are data:
``catalog/triage.json``, validated by ``TriageRules`` at load; ``load_triage_rules()`` raises
``BadCatalog`` on a bad entry, an action that does not exist, an unknown placeholder or a notice code that
is not in the notice catalog. The policy on top is code: a levy or deficiency notice never drops below high
and a high scam risk is critical (``base_priority``, the same on every day); a deadline within
``URGENT_DAYS`` (or past) raises that one step (``priority_for_day``); a high scam risk replaces the actions
with "verify first", and a validation finding that contradicts the notice turns the route to dispute.
"""

from __future__ import annotations

import datetime as dt
import json
import string
from collections.abc import Sequence
from enum import StrEnum
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from extractors.billing import BillingRole
from pipeline.catalog import Catalog, NoticeType, load_catalog
from pipeline.errors import BadCatalog
from pipeline.models import (
    BillingLine,
    Category,
    CheckStatus,
    Field,
    NoticeResult,
    Priority,
    ScamCheck,
    ScamRisk,
    Status,
    Triage,
    Validation,
    parse_iso_date,
)
from pipeline.scam import VERIFY_ADVICE
from pipeline.validate import CheckName, decimal_value, format_money

TRIAGE_PATH = Path(__file__).with_name("catalog") / "triage.json"

# A deadline this close (or already past) moves the notice up one priority step and is due soon: the one
# threshold of "near" for triage, reminders, the pages and the store's queue order.
URGENT_DAYS = 7

SCAM_REPORT = (
    "If it is fake, report it: IRS impersonation to TIGTA (800-366-4484 or tigta.gov), e-mails to "
    "phishing@irs.gov, and fraud to ReportFraud.ftc.gov."
)
OVERDUE = (
    "The date on the notice, {deadline}, passed {days} day(s) ago: act now, and keep proof of when you did."
)
SCAM_CAUTION = (
    "Before paying or calling, check this notice is genuine: look for it in your IRS Online Account "
    "(irs.gov/account) or call 800-829-1040, not the number on the letter."
)

# Findings of validation that mean the notice itself may be wrong: the taxpayer should dispute it.
DISPUTE_CHECKS = frozenset({CheckName.TAX_YEAR_FILED, CheckName.BILLING_TOTAL, CheckName.PAYMENTS_CREDITED})

PRIORITY_ORDER = (Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.CRITICAL)

# What a template may say; a missing value reads as a pointer to the notice, never a made-up figure.
PLACEHOLDER_FALLBACKS = {
    "amount": "the amount due",
    "deadline": "the date on the notice",
    "notice_date": "the notice date",
    "tax_year": "the tax year on the notice",
    "notice": "the notice number",
}


class Route(StrEnum):
    PAY = "pay"
    PAYMENT_PLAN = "payment_plan"
    DISPUTE = "dispute"
    CANT_PAY = "cant_pay"
    APPEAL = "appeal"
    FILE_RETURN = "file_return"
    VERIFY_IDENTITY = "verify_identity"
    NONE = "none"


class ActionWhen(StrEnum):
    ALWAYS = "always"
    HAS_AMOUNT = "has_amount"
    HAS_PENALTIES = "has_penalties"


class RuleModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def check_template(text: str) -> str:
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(text)]
    except ValueError as exc:
        raise ValueError(f"bad template {text!r}: {exc}") from exc
    if any(spec or conversion for name, spec, conversion in fields if name is not None):
        raise ValueError(f"bad template {text!r}: placeholders take no format spec or conversion")
    names = {name for name, _, _ in fields if name is not None}
    unknown = names - PLACEHOLDER_FALLBACKS.keys()
    if unknown:
        raise ValueError(f"unknown placeholder(s) {sorted(unknown)} in {text!r}")
    return text


class ActionRule(RuleModel):
    when: ActionWhen = ActionWhen.ALWAYS
    text: str

    @field_validator("text")
    @classmethod
    def _text_ok(cls, text: str) -> str:
        return check_template(text)


class TriagePlan(RuleModel):
    """A category's plan; a notice's entry overrides only the keys it gives."""

    priority: Priority | None = None
    floor: Priority | None = None
    route: Route | None = None
    actions: tuple[str, ...] | None = None
    documents: tuple[str, ...] | None = None

    @field_validator("documents")
    @classmethod
    def _documents_ok(cls, documents: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return tuple(check_template(text) for text in documents) if documents is not None else None

    def merged(self, override: TriagePlan | None) -> TriagePlan:
        if override is None:
            return self
        return self.model_copy(update=override.model_dump(exclude_none=True))


class TriageRules(RuleModel):
    version: int
    source: str
    actions: dict[str, ActionRule]
    categories: dict[Category, TriagePlan]
    notices: dict[str, TriagePlan] = {}

    @model_validator(mode="after")
    def _complete(self) -> TriageRules:
        missing = set(Category) - self.categories.keys()
        if missing:
            raise ValueError(f"no triage plan for categories {sorted(missing)}")
        for category, plan in self.categories.items():
            if plan.priority is None or plan.route is None or plan.actions is None or plan.documents is None:
                raise ValueError(f"category {category} needs priority, route, actions and documents")
        plans = [*((str(c), p) for c, p in self.categories.items()), *self.notices.items()]
        for name, plan in plans:
            unknown = set(plan.actions or ()) - self.actions.keys()
            if unknown:
                raise ValueError(f"{name} refers to undefined actions {sorted(unknown)}")
        return self

    def plan_for(self, notice_type: NoticeType | None) -> TriagePlan:
        category = notice_type.category if notice_type else Category.UNKNOWN
        override = self.notices.get(notice_type.code) if notice_type else None
        return self.categories[category].merged(override)


@cache
def load_triage_rules(path: Path = TRIAGE_PATH) -> TriageRules:
    catalog = load_catalog()
    try:
        rules = TriageRules.model_validate(json.loads(path.read_text()))
    except (OSError, json.JSONDecodeError, ValidationError) as exc:
        raise BadCatalog(f"triage rules {path} are invalid: {exc}") from exc
    strangers = sorted(code for code in rules.notices if catalog.get(code) is None)
    if strangers:
        raise BadCatalog(f"triage rules {path} name notices not in the catalog: {', '.join(strangers)}")
    return rules


def triage(
    notice_type: NoticeType | None,
    fields: dict[str, Field],
    validation: Validation,
    scam: ScamCheck,
    as_of: dt.date,
    billing_lines: Sequence[BillingLine] = (),
) -> Triage:
    plan = load_triage_rules().plan_for(notice_type)
    days_left = days_until(fields, as_of)
    values = describe_values(fields, notice_type)
    actions = list_actions(plan, values, fields, billing_lines)
    documents = tuple(text.format_map(values) for text in plan.documents or ())
    findings = dispute_findings(validation)
    route = Route.DISPUTE if findings else plan.route or Route.NONE
    if days_left is not None and days_left < 0:
        findings.insert(0, OVERDUE.format(deadline=values["deadline"], days=-days_left))
    actions = [*findings, *actions]
    if scam.risk is ScamRisk.MEDIUM:
        actions = [SCAM_CAUTION, *actions]
    if scam.risk is ScamRisk.HIGH:
        route, actions, documents = Route.NONE, [VERIFY_ADVICE, SCAM_REPORT], ()
    return Triage(
        category=notice_type.category if notice_type else Category.UNKNOWN,
        priority=rank_priority(plan, days_left, scam),
        days_left=days_left,
        route=route.value,
        actions=tuple(actions),
        documents=documents,
    )


def list_actions(
    plan: TriagePlan, values: dict[str, str], fields: dict[str, Field], billing_lines: Sequence[BillingLine]
) -> list[str]:
    """The plan's actions that apply to this notice, filled in."""
    has_amount = decimal_value(_value(fields, "amount_due")) not in (None, 0)
    has_penalties = any(line.role is BillingRole.PENALTY for line in billing_lines)
    rules = load_triage_rules().actions
    return [
        rule.text.format_map(values)
        for rule in (rules[name] for name in plan.actions or ())
        if _applies(rule.when, has_amount=has_amount, has_penalties=has_penalties)
    ]


def rank_priority(plan: TriagePlan, days_left: int | None, scam: ScamCheck) -> Priority:
    return priority_for_day(base_priority(plan, scam), days_left)


def base_priority(plan: TriagePlan, scam: ScamCheck) -> Priority:
    """The priority with no deadline near: the plan's, never below its floor; critical for a likely scam."""
    if scam.risk is ScamRisk.HIGH:
        return Priority.CRITICAL
    rank = PRIORITY_ORDER.index(plan.priority or Priority.NORMAL)
    if plan.floor is not None:
        rank = max(rank, PRIORITY_ORDER.index(plan.floor))
    return PRIORITY_ORDER[rank]


def priority_for_day(base: Priority, days_left: int | None) -> Priority:
    """The base priority one step up when the deadline is near (``is_near``); the store's queue order
    (``pipeline.store``) says the same in SQL."""
    rank = PRIORITY_ORDER.index(base)
    if is_near(days_left):
        rank = min(rank + 1, len(PRIORITY_ORDER) - 1)
    return PRIORITY_ORDER[rank]


def is_near(days_left: int | None) -> bool:
    """Whether a deadline is due soon or already passed."""
    return days_left is not None and days_left <= URGENT_DAYS


def days_until(fields: dict[str, Field], day: dt.date) -> int | None:
    """Days from ``day`` to the deadline field (negative once it passed); None without a deadline."""
    deadline = parse_iso_date(_value(fields, "deadline"))
    return (deadline - day).days if deadline else None


def for_day(result: NoticeResult, day: dt.date, catalog: Catalog | None = None) -> NoticeResult:
    """The result with its triage for ``day``, derived from its stored facts; nothing is written. A failed
    result has no facts to triage and is returned as it is."""
    if result.status is Status.FAILED:
        return result
    notice = _notice_of(result, catalog)
    fresh = triage(notice, result.fields, result.validation, result.scam, day, result.billing_lines)
    return result.model_copy(update={"triage": fresh})


def stored_priority(result: NoticeResult, catalog: Catalog | None = None) -> Priority:
    """The priority a result keeps on every day (``base_priority``): what the store orders its queue by."""
    return base_priority(load_triage_rules().plan_for(_notice_of(result, catalog)), result.scam)


def _notice_of(result: NoticeResult, catalog: Catalog | None) -> NoticeType | None:
    return (catalog or load_catalog()).get(result.notice_type.code if result.notice_type else None)


def dispute_findings(validation: Validation) -> list[str]:
    return [
        f"The profile check found a problem with this notice: {check.detail}. Dispute it in writing with "
        "copies of your evidence."
        for check in validation.checks
        if check.status is CheckStatus.FAIL and check.name in DISPUTE_CHECKS
    ]


def describe_values(fields: dict[str, Field], notice_type: NoticeType | None) -> dict[str, str]:
    """The template values of one notice, each falling back to a pointer at the notice."""
    amount = decimal_value(_value(fields, "amount_due"))
    deadline = parse_iso_date(_value(fields, "deadline"))
    notice_date = parse_iso_date(_value(fields, "notice_date"))
    tax_year = _value(fields, "tax_year")
    notice = notice_type.code if notice_type else _value(fields, "notice_number")
    found = {
        "amount": format_money(amount) if amount is not None else None,
        "deadline": format_date(deadline) if deadline else None,
        "notice_date": format_date(notice_date) if notice_date else None,
        "tax_year": str(tax_year) if tax_year is not None else None,
        "notice": str(notice) if notice else None,
    }
    return {name: found[name] or fallback for name, fallback in PLACEHOLDER_FALLBACKS.items()}


def format_date(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _value(fields: dict[str, Field], name: str) -> str | int | None:
    field = fields.get(name)
    return field.value if field else None


def _applies(when: ActionWhen, *, has_amount: bool, has_penalties: bool) -> bool:
    if when is ActionWhen.HAS_AMOUNT:
        return has_amount
    if when is ActionWhen.HAS_PENALTIES:
        return has_penalties
    return True
