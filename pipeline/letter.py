"""Response letter drafts: a short plain-text reply to a notice, for the taxpayer to check, sign and mail.

``draft_letter(result, profile, stance, reason, attachments, monthly_plan)`` takes a ``NoticeResult``, the
matched ``TaxpayerProfile`` (or None), agree/disagree, the taxpayer's reason (or None), the list of
attachments and an optional monthly amount for an installment agreement, and returns the letter followed by
mailing instructions. Name and address come from the profile when there is one, else from the notice;
the IRS address is the one the notice prints for replies (its ``response_address``).

It never invents a fact: a value the notice and profile do not give is printed as a bracketed placeholder
("[notice date not found]") for the person to fill in. The SSN appears as its last four digits only.
Nothing here raises for missing data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from pipeline.models import NoticeResult, ScamRisk, parse_iso_date
from pipeline.profiles import TaxpayerProfile
from pipeline.scam import VERIFY_ADVICE
from pipeline.triage import format_date
from pipeline.validate import decimal_value, format_money


class Stance(StrEnum):
    AGREE = "agree"
    DISAGREE = "disagree"


class LetterFacts(BaseModel):
    """What the letter states, each either found or a bracketed placeholder."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    signers: tuple[str, ...]
    address_lines: tuple[str, ...]
    irs_address_lines: tuple[str, ...]  # where the reply goes, as the notice or its stub prints it
    notice: str
    notice_date: str
    tax_year: str
    ssn: str
    amount: str | None  # None: the notice states no amount, so the letter names none
    deadline: str | None


def draft_letter(
    result: NoticeResult,
    profile: TaxpayerProfile | None,
    stance: Stance | str,
    reason: str | None,
    attachments: Sequence[str],
    monthly_plan: Decimal | None,
    *,
    letter_date: dt.date | None = None,
) -> str:
    facts = gather_facts(result, profile)
    parts = [
        "\n".join((*facts.signers, *facts.address_lines)),
        format_date(letter_date) if letter_date else "[date]",
        "\n".join(("Internal Revenue Service", *facts.irs_address_lines)),
        f"Re: Notice {facts.notice}, notice date {facts.notice_date}, tax year {facts.tax_year}\n"
        f"Taxpayer: {' and '.join(facts.signers)}, SSN {facts.ssn}",
        "Dear Sir or Madam:",
        write_position(Stance(stance), reason, facts, monthly_plan, has_attachments=bool(attachments)),
        f"Please refer to notice {facts.notice} and tax year {facts.tax_year} in your reply. You can reach "
        "me at [daytime phone number].",
        list_enclosures(attachments),
        "Sincerely,\n\n" + "\n\n".join(f"____________________________\n{name}" for name in facts.signers),
        write_mailing_instructions(facts, result.scam.risk),
    ]
    return "\n\n".join(parts) + "\n"


def gather_facts(result: NoticeResult, profile: TaxpayerProfile | None) -> LetterFacts:
    def found(name: str) -> str | None:
        value = result.field_value(name)
        return str(value).strip() or None if value is not None else None

    notice_date = parse_iso_date(result.field_value("notice_date"))
    deadline = parse_iso_date(result.field_value("deadline"))
    amount = decimal_value(result.field_value("amount_due"))
    ssn = profile.ssn_last4 if profile else found("ssn_last4")
    code = result.notice_type.code if result.notice_type else None
    return LetterFacts(
        signers=profile.names if profile else (found("taxpayer_name") or "[taxpayer name not found]",),
        address_lines=_address_lines(result, profile),
        irs_address_lines=_irs_address_lines(found("response_address")),
        notice=code or found("notice_number") or "[notice number not found]",
        notice_date=format_date(notice_date) if notice_date else "[notice date not found]",
        tax_year=found("tax_year") or "[tax year not found]",
        ssn=f"XXX-XX-{ssn}" if ssn else "XXX-XX-[SSN last 4 not found]",
        amount=format_money(amount) if amount is not None else None,
        deadline=format_date(deadline) if deadline else None,
    )


def _address_lines(result: NoticeResult, profile: TaxpayerProfile | None) -> tuple[str, ...]:
    if profile is not None:
        address = profile.address
        return (address.street, f"{address.city}, {address.state} {address.zip}")
    printed = result.field_value("address")
    if not isinstance(printed, str) or not printed.strip():
        return ("[mailing address not found]",)
    # The notice's address is one line, "1201 PRAIRIE LN, LINCOLN, NE 68510": street, then the rest.
    street, _, rest = printed.strip().partition(",")
    return (street.strip(), rest.strip()) if rest.strip() else (street.strip(),)


def _irs_address_lines(printed: str | None) -> tuple[str, ...]:
    """The reply address, "PO BOX 931000, KANSAS CITY, MO 64999-0131": each box row, then the city row."""
    if printed is None:
        return ("[the address printed on the notice or its payment stub]",)
    parts = [part.strip() for part in printed.split(",")]
    return (*parts[:-2], ", ".join(parts[-2:])) if len(parts) > 2 else (printed,)


def write_position(
    stance: Stance,
    reason: str | None,
    facts: LetterFacts,
    monthly_plan: Decimal | None,
    *,
    has_attachments: bool,
) -> str:
    plan = format_money(monthly_plan) if monthly_plan is not None else None
    if stance is Stance.AGREE:
        sentences = [
            f"I agree with this notice and the amount due of {facts.amount}."
            if facts.amount
            else "I agree with this notice."
        ]
        if plan:
            sentences.append(
                f"I cannot pay the full amount now and request an installment agreement of {plan} per month."
            )
        return " ".join(sentences)
    sentences = [
        "I disagree with this notice.",
        f"My reason: {reason.strip()}"
        if reason and reason.strip()
        else "My reason: [explain why you disagree]",
    ]
    sentences.append(
        "The enclosed copies support my position. Please correct my account and send me a corrected notice."
        if has_attachments
        else "Please correct my account and send me a corrected notice."
    )
    if plan:
        sentences.append(
            f"If any amount remains due after your review, I request an installment agreement of {plan} "
            "per month."
        )
    return "\n\n".join(sentences)


def list_enclosures(attachments: Sequence[str]) -> str:
    items = [item.strip() for item in attachments if item.strip()]
    if not items:
        return "Enclosures: none"
    return "Enclosures:\n" + "\n".join(f"{number}. {item}" for number, item in enumerate(items, start=1))


def write_mailing_instructions(facts: LetterFacts, risk: ScamRisk) -> str:
    by_when = f"so it arrives by {facts.deadline}" if facts.deadline else "by the date on the notice"
    steps = [
        f"Mail it to the address printed on the notice or its payment stub, {by_when}; use no other address.",
        "Send it by certified mail, return receipt requested; keep the receipt and note the mailing date.",
        "Enclose copies, never originals, and keep a copy of this letter and of everything you send.",
        f"Write the notice number ({facts.notice}) and tax year ({facts.tax_year}) on every page you send.",
        "If you pay by check or money order, make it payable to the United States Treasury.",
    ]
    lines = ["--- How to send this letter (not part of the letter) ---"]
    if risk is ScamRisk.HIGH:
        lines.append(f"WARNING: {VERIFY_ADVICE}")
    lines += [f"{number}. {step}" for number, step in enumerate(steps, start=1)]
    return "\n".join(lines)
