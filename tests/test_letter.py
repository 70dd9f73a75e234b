"""Response letter drafts: golden texts, placeholders instead of made-up facts, the SSN as last 4 only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.letter import Stance, draft_letter
from pipeline.models import Field, NoticeResult, NoticeTypeMatch, ScamCheck, ScamRisk, Status
from pipeline.profiles import load_profiles
from tests.notices import CP14_FIELDS

PROFILES = {
    p.id: p for p in load_profiles(Path(__file__).resolve().parents[1] / "fixtures" / "profiles.json")
}
SULLIVANS = PROFILES["client-7"]


SULLIVANS_AGREE_WITH_PLAN = """\
Jennifer Sullivan
Mark Sullivan
1201 Prairie Ln
Lincoln, NE 68510

June 1, 2024

Internal Revenue Service
[the address printed on the notice or its payment stub]

Re: Notice CP14, notice date May 20, 2024, tax year 2023
Taxpayer: Jennifer Sullivan and Mark Sullivan, SSN XXX-XX-3051

Dear Sir or Madam:

I agree with this notice and the amount due of $5,181.72. I cannot pay the full amount now and request an \
installment agreement of $300.00 per month.

Please refer to notice CP14 and tax year 2023 in your reply. You can reach me at [daytime phone number].

Enclosures:
1. Form 9465, Installment Agreement Request
2. Copy of notice CP14

Sincerely,

____________________________
Jennifer Sullivan

____________________________
Mark Sullivan

--- How to send this letter (not part of the letter) ---
1. Mail it to the address printed on the notice or its payment stub, so it arrives by June 10, 2024; use no \
other address.
2. Send it by certified mail, return receipt requested; keep the receipt and note the mailing date.
3. Enclose copies, never originals, and keep a copy of this letter and of everything you send.
4. Write the notice number (CP14) and tax year (2023) on every page you send.
5. If you pay by check or money order, make it payable to the United States Treasury.
"""

UNMATCHED_DISAGREE_MISSING_FACTS = """\
CARLOS MENDOZA
88 HARBOR VIEW DR APT 4B
TAMPA, FL 33602

[date]

Internal Revenue Service
[the address printed on the notice or its payment stub]

Re: Notice CP2000, notice date [notice date not found], tax year [tax year not found]
Taxpayer: CARLOS MENDOZA, SSN XXX-XX-[SSN last 4 not found]

Dear Sir or Madam:

I disagree with this notice.

My reason: [explain why you disagree]

Please correct my account and send me a corrected notice.

Please refer to notice CP2000 and tax year [tax year not found] in your reply. You can reach me at \
[daytime phone number].

Enclosures: none

Sincerely,

____________________________
CARLOS MENDOZA

--- How to send this letter (not part of the letter) ---
1. Mail it to the address printed on the notice or its payment stub, by the date on the notice; use no other \
address.
2. Send it by certified mail, return receipt requested; keep the receipt and note the mailing date.
3. Enclose copies, never originals, and keep a copy of this letter and of everything you send.
4. Write the notice number (CP2000) and tax year ([tax year not found]) on every page you send.
5. If you pay by check or money order, make it payable to the United States Treasury.
"""


def result_for(
    code: str | None, values: dict[str, str | int | None], risk: ScamRisk = ScamRisk.LOW
) -> NoticeResult:
    return NoticeResult(
        document_id="0" * 64,
        source="notice.pdf",
        status=Status.PROCESSED,
        notice_type=NoticeTypeMatch(code=code, title=None, confidence=0.97) if code else None,
        fields={name: Field(value=value) for name, value in values.items()},
        scam=ScamCheck(risk=risk),
    )


def test_sullivans_agree_with_an_installment_plan_golden() -> None:
    letter = draft_letter(
        result_for("CP14", CP14_FIELDS),
        SULLIVANS,
        Stance.AGREE,
        None,
        ["Form 9465, Installment Agreement Request", "Copy of notice CP14"],
        Decimal("300"),
        letter_date=dt.date(2024, 6, 1),
    )
    assert letter == SULLIVANS_AGREE_WITH_PLAN


def test_unmatched_disagree_with_missing_facts_golden() -> None:
    values = {
        "notice_number": "CP2000",
        "taxpayer_name": "CARLOS MENDOZA",
        "address": "88 HARBOR VIEW DR APT 4B, TAMPA, FL 33602",
    }
    letter = draft_letter(result_for("CP2000", values), None, "disagree", None, [], None)
    assert letter == UNMATCHED_DISAGREE_MISSING_FACTS


@pytest.mark.parametrize(
    ("missing", "placeholder"),
    [
        pytest.param("notice_date", "[notice date not found]", id="notice-date"),
        pytest.param("tax_year", "[tax year not found]", id="tax-year"),
        pytest.param("ssn_last4", "XXX-XX-[SSN last 4 not found]", id="ssn"),
        pytest.param("taxpayer_name", "[taxpayer name not found]", id="name"),
        pytest.param("address", "[mailing address not found]", id="address"),
        pytest.param("deadline", "by the date on the notice", id="deadline"),
    ],
)
def test_a_missing_fact_is_a_placeholder_never_a_guess(missing: str, placeholder: str) -> None:
    values = {**CP14_FIELDS, missing: None}
    letter = draft_letter(result_for("CP14", values), None, Stance.AGREE, None, [], None)
    assert placeholder in letter


def test_no_amount_means_no_amount_sentence() -> None:
    letter = draft_letter(
        result_for("CP14", {**CP14_FIELDS, "amount_due": None}), None, Stance.AGREE, None, [], None
    )
    assert "I agree with this notice." in letter and "$" not in letter.split("--- How to send")[0]


def test_notice_number_from_the_fields_when_the_type_is_unknown() -> None:
    letter = draft_letter(result_for(None, {"notice_number": "CP2501"}), None, Stance.DISAGREE, "x", [], None)
    assert "Re: Notice CP2501," in letter
    letter = draft_letter(result_for(None, {}), None, Stance.DISAGREE, "x", [], None)
    assert "Re: Notice [notice number not found]," in letter


def test_disagree_with_reason_evidence_and_a_fallback_plan() -> None:
    letter = draft_letter(
        result_for("CP2000", CP14_FIELDS | {"notice_number": "CP2000"}),
        SULLIVANS,
        Stance.DISAGREE,
        "The 1099-B sale was reported on Schedule D, line 8b.",
        ["Schedule D as filed", "Broker statement showing basis"],
        Decimal("125.50"),
    )
    assert "My reason: The 1099-B sale was reported on Schedule D, line 8b." in letter
    assert "The enclosed copies support my position." in letter
    assert "1. Schedule D as filed\n2. Broker statement showing basis" in letter
    assert "I request an installment agreement of $125.50 per month." in letter
    assert "If any amount remains due after your review" in letter


def test_the_ssn_appears_as_last_four_only() -> None:
    letter = draft_letter(result_for("CP14", CP14_FIELDS), SULLIVANS, Stance.AGREE, None, [], None)
    assert "XXX-XX-3051" in letter
    assert letter.count("3051") == letter.count("XXX-XX-3051")


def test_a_likely_scam_carries_a_warning() -> None:
    letter = draft_letter(
        result_for("CP14", CP14_FIELDS, ScamRisk.HIGH), SULLIVANS, Stance.AGREE, None, [], None
    )
    assert "WARNING: This letter shows signs of a scam" in letter
    assert "800-829-1040" in letter


def test_the_profile_address_wins_over_the_notice() -> None:
    moved = {**CP14_FIELDS, "address": "45 OAK ST, OMAHA, NE 68102"}
    letter = draft_letter(result_for("CP14", moved), SULLIVANS, Stance.AGREE, None, [], None)
    assert "1201 Prairie Ln\nLincoln, NE 68510" in letter and "OMAHA" not in letter


@pytest.mark.parametrize(
    ("printed", "block"),
    [
        pytest.param(
            "PO BOX 931000, KANSAS CITY, MO 64999-0131",
            "Internal Revenue Service\nPO BOX 931000\nKANSAS CITY, MO 64999-0131\n\nRe: Notice CP14",
            id="box-and-city",
        ),
        pytest.param(
            "OGDEN, UT 84201-0085",
            "Internal Revenue Service\nOGDEN, UT 84201-0085\n\nRe: Notice CP14",
            id="city",
        ),
    ],
)
def test_the_letter_goes_to_the_reply_address_the_notice_prints(printed: str, block: str) -> None:
    fields = {**CP14_FIELDS, "response_address": printed}
    letter = draft_letter(result_for("CP14", fields), SULLIVANS, Stance.AGREE, None, [], None)
    assert block in letter
    assert "[the address printed on the notice or its payment stub]" not in letter
