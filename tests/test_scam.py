"""Scam check: the fixture letters (fixtures/scams/truth.json), single signals, and never raising."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixtures.generator.corpus import Spec, write
from pipeline.catalog import load_catalog
from pipeline.models import Category, Field, OcrDocument, OcrLine, OcrPage, OcrWord, PageSource, ScamRisk
from pipeline.process import PipelineContext, mask_document, process_document
from pipeline.profiles import TaxpayerProfile, load_profiles
from pipeline.scam import (
    HIGH_RISK_SCORE,
    add_full_ssn_signal,
    check_scam,
    is_not_from_irs,
    rate_risk,
    repair_ocr_letters,
    scam_review_reason,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SCAMS = FIXTURES / "scams"
TRUTH = json.loads((SCAMS / "truth.json").read_text())["letters"]
CATALOG = load_catalog()
PROFILES = {profile.id: profile for profile in load_profiles(FIXTURES / "profiles.json")}


def fields(**values: str | int | None) -> dict[str, Field]:
    return {name: Field(value=value) for name, value in values.items()}


def check_letter(text: str, profile: TaxpayerProfile | None = None, **values: str | None) -> set[str]:
    result = check_scam(text, fields(**values), CATALOG.get(values.get("notice_number")), CATALOG, profile)
    return {signal.code for signal in result.signals}


# --- the fixture letters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry", [pytest.param(entry, id=entry["file"].removesuffix(".txt")) for entry in TRUTH]
)
def test_fixture_letter(entry: dict) -> None:
    text = (SCAMS / entry["file"]).read_text()
    notice_fields = {name: Field(value=value) for name, value in entry["fields"].items()}
    notice_type = CATALOG.get(entry["fields"]["notice_number"])
    result = check_scam(text, notice_fields, notice_type, CATALOG, PROFILES.get(entry["profile"]))
    codes = {signal.code for signal in result.signals}
    assert result.risk.value == entry["risk"], [signal.detail for signal in result.signals]
    assert set(entry.get("signals", [])) <= codes
    assert all(signal.weight > 0 and signal.detail for signal in result.signals)


def test_no_genuine_fixture_scores_high() -> None:
    genuine = [entry for entry in TRUTH if entry["kind"] == "genuine"]
    risks = {
        entry["file"]: check_scam(
            (SCAMS / entry["file"]).read_text(),
            {name: Field(value=value) for name, value in entry["fields"].items()},
            CATALOG.get(entry["fields"]["notice_number"]),
            CATALOG,
            PROFILES.get(entry["profile"]),
        ).risk
        for entry in genuine
    }
    assert len(risks) >= 15
    assert [name for name, risk in risks.items() if risk is ScamRisk.HIGH] == []


def test_the_genuine_fixtures_cover_every_category() -> None:
    covered = {entry["fields"]["notice_number"] for entry in TRUTH if entry["kind"] == "genuine"}
    categories = {notice.category for notice in CATALOG.notices if notice.code in covered}
    assert categories == set(Category) - {Category.UNKNOWN}


@pytest.mark.parametrize("family", ["classic", "irs"])
def test_every_catalog_notice_without_a_fixture_reads_as_genuine(family: str, tmp_path: Path) -> None:
    """Catalog codes the hand-written letters do not cover are generated (born-digital, read from their
    text layer, no OCR) in both layout families: none may look like a scam."""
    covered = {entry["fields"]["notice_number"] for entry in TRUTH if entry["kind"] == "genuine"}
    context = PipelineContext.default(dt.date(2027, 6, 1))
    flagged = []
    for index, notice in enumerate(n for n in CATALOG.notices if n.code not in covered):
        truth = write(Spec(index, 20261202, notice.code, "pdf_text", "clean", family=family), tmp_path)
        result = process_document(tmp_path / truth["source"], context)
        if result.scam is None or result.scam.risk is not ScamRisk.LOW:
            flagged.append(f"{notice.code}: {result.scam}")
    assert flagged == []


def test_truth_lists_every_letter_file() -> None:
    assert {entry["file"] for entry in TRUTH} == {path.name for path in SCAMS.glob("*.txt")}


# --- single signals ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        pytest.param("Notice from the Bureau of Tax Enforcement", "fake_agency", id="bureau"),
        pytest.param("TAX PR0CESSING UNIT, Room 4", "fake_agency", id="unit-ocr-digit"),
        pytest.param("IRS Legal Departrnent", "fake_agency", id="legal-dept-ocr-rn"),
        pytest.param("Tax Lien Enforcement Division", "fake_agency", id="lien-division"),
        pytest.param("Pay with two Google Play gift cards", "gift_card_payment", id="gift-cards"),
        pytest.param("load a prepaid debit card", "gift_card_payment", id="prepaid"),
        pytest.param("pay in bitcoin at any kiosk", "gift_card_payment", id="bitcoin"),
        pytest.param("send it by Western Union", "wire_payment", id="western-union"),
        pytest.param("Make checks payable to I.R.S.", "wrong_payee", id="payee-irs-initials"),
        pytest.param(
            "payable to United States Treasury Collection Services", "wrong_payee", id="payee-lookalike"
        ),
        pytest.param("Call 1-888-555-0199 now", "unknown_phone", id="unknown-phone"),
        pytest.param("Visit irs.gov.refund-claim.com", "outside_link", id="spoofed-irs-host"),
        pytest.param("write to help@taxdesk.net", "outside_link", id="email-address"),
        pytest.param("Click here to pay", "click_link", id="click"),
        pytest.param("Scan the QR code to pay", "scan_code", id="scan"),
        pytest.param("a warrant for your arrest", "threat", id="arrest"),
        pytest.param("your driver's license will be suspended", "threat", id="license"),
        pytest.param("your Social Security number will be blocked", "threat", id="ssn-suspension"),
        pytest.param("the sheriff will visit", "threat", id="sheriff"),
        pytest.param(
            "Pay now or you will face criminal prosecution for false information.", "threat", id="prosecution"
        ),
        pytest.param("respond within 24 hours", "hours_deadline", id="24-hours"),
        pytest.param("by the end of the business day", "hours_deadline", id="end-of-day"),
        pytest.param("You must call us today", "today_deadline", id="today"),
        pytest.param("send documents to our filing agent", "data_request", id="filing-agent"),
        pytest.param("your online banking password", "data_request", id="bank-login"),
        pytest.param("a photo of your driver's license", "data_request", id="license-photo"),
        pytest.param("SSN 412-55-8823", "full_ssn", id="full-ssn"),
        pytest.param("SSN 287–65–5364", "full_ssn", id="full-ssn-en-dash"),
        pytest.param("SSN 287 - 65 - 5364", "full_ssn", id="full-ssn-spaced-hyphens"),
        pytest.param("Taxpayer 287 65 5364", "full_ssn", id="full-ssn-spaces"),
        pytest.param("SSN: 287655364", "full_ssn", id="full-ssn-labelled-digits"),
        pytest.param("Department of Treasury", "misspelled_name", id="treasury-without-the"),
        pytest.param("Internal Revenue Services", "misspelled_name", id="services"),
        pytest.param("Mail to 200 Main St, Suite 400, Dallas TX", "private_return_address", id="suite"),
        pytest.param("P.O. Box 149 Austin Processing Center", "private_return_address", id="po-box-center"),
        pytest.param("Austin, TX 78701", "private_return_address", id="campus-city-wrong-zip"),
        pytest.param("Visit www.irs-gov.com/refund", "outside_link", id="lookalike-not-under-gov"),
        pytest.param("qualify for the Fresh Start program", "tax_relief_mailer", id="fresh-start"),
        pytest.param("we obtain a levy release", "tax_relief_mailer", id="levy-release"),
        pytest.param("not affiliated with the IRS", "tax_relief_mailer", id="disclaimer"),
        pytest.param("We can settle your IRS debt for less", "tax_relief_mailer", id="settle-your-debt"),
        pytest.param(
            "Our Offer in Compromise experts can settle your IRS debt", "tax_relief_mailer", id="oic-experts"
        ),
        pytest.param("You are eligible to receive a tax refund", "refund_lure", id="refund"),
        pytest.param("From: a@b.com\nSubject: Refund", "email_origin", id="email-headers"),
        pytest.param("Dear taxpayer, please pay.", "no_notice_number", id="no-number"),
        pytest.param("Notice CP777 about your taxes", "unknown_notice_number", id="number-not-in-catalog"),
    ],
)
def test_signal(text: str, code: str) -> None:
    assert code in check_letter(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "Notice of intent to seize (levy) your property or rights to property", id="intent-to-levy"
        ),
        pytest.param("Amount due immediately: $2,256.90. Pay immediately.", id="pay-immediately"),
        pytest.param("This is your final notice.", id="final-notice"),
        pytest.param(
            "We may seize (levy) your property. We may file a Notice of Federal Tax Lien.", id="lien"
        ),
        pytest.param("We may deny your passport application or revoke your current passport.", id="passport"),
        pytest.param("Make your check payable to the United States Treasury.", id="treasury-payee"),
        pytest.param("Make your check payable to thc Unitcd States Treasury.", id="treasury-payee-ocr"),
        pytest.param("Make your check payable to the U.5. Treasury.", id="us-treasury-ocr"),
        pytest.param(
            "payable to the United States Treasury.\nDepartment of the Treasury", id="payee-then-header"
        ),
        pytest.param(
            "Pay at www.irs.gov/payments or taxpayeradvocate.irs.gov or www.eftps.gov", id="official-links"
        ),
        pytest.param("Call us at 1-800-829-1040 or (800) 829-0922", id="official-phones"),
        pytest.param("You're due a refund of $412.00", id="genuine-refund"),
        pytest.param("Social Security number XXX-XX-3051 and nnn-nn-nnnn and 999-99-9999", id="masked-ssn"),
        pytest.param(
            "Department of the Treasury, Internal Revenue Service, Kansas City, MO 64999-0023", id="campus"
        ),
        pytest.param(
            "Internal Revenue Service, KANSAS CITY, MO 64969-0173. Visit www.ars.gov/notices.",
            id="campus-zip-and-irs-gov-one-character-misread",
        ),
        pytest.param("Collection Due Process hearing: send Form 12153", id="cdp"),
        pytest.param(  # the IRS's own words (irs.gov/payments/offer-in-compromise)
            "An offer in compromise allows you to settle your tax debt for less than the full amount.",
            id="offer-in-compromise",
        ),
        pytest.param("Access your account online 24 hours a day", id="24-hours-a-day"),
        pytest.param("Employer ID number 41-2345678, ZIP 64999-0023, routing 061000227", id="not-ssns"),
        pytest.param(
            "We do not start contact by e-mail, text message or social media to ask for personal or\n"
            "financial information, and we never ask you to pay with a gift card or a wire transfer.",
            id="the-irs-own-scam-warning",
        ),
        pytest.param(
            "The IRS doesn't initiate contact by email, text messages, or social media.", id="irs-warning"
        ),
        pytest.param("The IRS won't initiate contact with you by email or text message.", id="irs-wont"),
        pytest.param(
            "We do not ask for payment. by gift card, prepaid. card or wire transfer,.and we do\n"
            "not threaten arrest by telephone.",
            id="irs-warning-with-specks-read-as-full-stops",
        ),
        pytest.param(
            "If you don't provide the information we ask for, or provide false information, we may charge\n"
            "you penalties and, in certain cases, you may be subject to criminal prosecution.",
            id="privacy-act-statement",
        ),
    ],
)
def test_genuine_wording_is_not_flagged(text: str) -> None:
    assert check_letter(text, notice_number="CP504") == set()


@pytest.mark.parametrize(
    "text",
    [
        "The IRS will never call you. Pay today with gift cards.",
        "Don't pay by check; pay only with gift cards.",
        "If you do not call us today, pay the fee with a gift card.",
        "We do not accept checks. Pay the fee with a gift card.",
    ],
)
def test_a_warning_does_not_hide_what_the_letter_asks_for(text: str) -> None:
    assert "gift_card_payment" in check_letter(text, notice_number="CP504")


def test_a_cp01h_says_the_account_is_locked_and_others_do_not() -> None:
    text = "Your account is locked: the Social Security number belongs to a deceased person."
    assert "account_alert" not in check_letter(text, notice_number="CP01H")
    assert "account_alert" in check_letter(text, notice_number="LTR5071C")
    assert "account_alert" in check_letter(text)


def test_a_levy_word_contradicts_a_cp2000() -> None:
    assert "content_contradicts_code" in check_letter(
        "Proposed changes. We will levy your wages.", notice_number="CP2000"
    )
    assert "content_contradicts_code" not in check_letter("We will levy your wages.", notice_number="CP504")


def test_the_taxpayers_own_suite_and_zip_are_not_flagged() -> None:
    text = "ACME LLC\n500 CONGRESS AVE SUITE 200\nAUSTIN TX 78701\nNotice CP161"
    address = "500 CONGRESS AVE SUITE 200, AUSTIN, TX 78701"
    assert "private_return_address" not in check_letter(text, notice_number="CP161", address=address)


def test_ssn_last4_that_is_not_the_taxpayers() -> None:
    sullivans = PROFILES["client-7"]
    assert "ssn_mismatch" in check_letter("Notice CP14", sullivans, notice_number="CP14", ssn_last4="1234")
    assert "ssn_mismatch" not in check_letter(
        "Notice CP14", sullivans, notice_number="CP14", ssn_last4="3051"
    )


def test_a_full_ssn_is_never_repeated_in_the_evidence() -> None:
    result = check_scam("SSN 412-55-8823", {}, None, CATALOG, None)
    details = " ".join(signal.detail for signal in result.signals)
    assert "412-55" not in details and "XXX-XX-8823" in details


def test_a_full_ssn_masked_upstream_can_still_be_counted() -> None:
    masked = check_scam("SSN XXX-XX-8823. Pay within 24 hours.", {}, None, CATALOG, None)
    flagged = add_full_ssn_signal(masked, 1)
    assert "full_ssn" in {signal.code for signal in flagged.signals}
    assert flagged.score > masked.score and flagged.risk is ScamRisk.HIGH
    assert add_full_ssn_signal(masked, 0) == masked
    assert add_full_ssn_signal(flagged, 2) == flagged


def test_the_pipeline_counts_every_form_of_full_ssn_it_masks() -> None:
    lines = ("SSN 287 - 65 - 5364", "Taxpayer 412–55–8823", "and 501 22 7788", "Call 800-829-0922")
    page = OcrPage(
        number=1,
        width=612,
        height=792,
        source=PageSource.TEXT_LAYER,
        lines=tuple(OcrLine(text=text, bbox=(0, 0, 1, 1), confidence=1.0) for text in lines),
    )
    masked, count = mask_document(OcrDocument(pages=(page,)))
    assert count == 3
    assert masked.text.splitlines() == [
        "SSN XXX-XX-5364",
        "Taxpayer XXX-XX-8823",
        "and XXX-XX-7788",
        lines[3],
    ]
    assert "full_ssn" in {
        signal.code
        for signal in add_full_ssn_signal(check_scam(masked, {}, None, CATALOG, None), count).signals
    }


def test_an_unknown_number_alone_is_weak() -> None:
    result = check_scam(
        "Notice CP14. Call 801-620-7115.", fields(notice_number="CP14"), CATALOG.get("CP14"), CATALOG, None
    )
    assert result.risk is ScamRisk.LOW and result.score == pytest.approx(0.2)


@pytest.mark.parametrize(
    ("score", "risk"),
    [
        pytest.param(0.0, ScamRisk.LOW, id="zero"),
        pytest.param(0.34, ScamRisk.LOW, id="below-medium"),
        pytest.param(0.35, ScamRisk.MEDIUM, id="medium"),
        pytest.param(HIGH_RISK_SCORE, ScamRisk.HIGH, id="high"),
    ],
)
def test_risk_bands(score: float, risk: ScamRisk) -> None:
    assert rate_risk(score) is risk


def test_ocr_letter_repair_leaves_numbers_alone() -> None:
    assert (
        repair_ocr_letters("DIVISI0N Enforcernent 800-829-1040 $5,181.72")
        == "DIVISIoN Enforcement 800-829-1040 $5,181.72"
    )


# --- evidence read with confidence -----------------------------------------------------------------------

LT11_WITH_VOUCHER_GARBAGE = """Department of the Treasury          Letter LT11
Internal Revenue Service            Social Security number XXX-XX-7724
Final notice of intent to levy and notice of your right to a hearing
Amount due immediately: $1,629.40
Pay the amount you owe today. If you don't, we may seize (levy) your property or rights to property.
Make your check or money order payable to the United States dG Securi Write Social
Call us at 800-829-7650."""


def scanned(*lines: str, low: frozenset[str] = frozenset()) -> OcrDocument:
    """Text as tesseract would give it: one word per space-separated token; words in ``low`` at 0.3."""

    def ocr_line(text: str, top: int) -> OcrLine:
        words = tuple(
            OcrWord(text=word, confidence=0.3 if word in low else 0.95, bbox=(0, top, 10, 10))
            for word in text.split()
        )
        confidence = sum(word.confidence for word in words) / len(words) if words else 1.0
        return OcrLine(text=text, bbox=(0, top, 100, 10), confidence=confidence, words=words)

    lines_read = tuple(ocr_line(text, 20 * index) for index, text in enumerate(lines))
    page = OcrPage(number=1, width=2550, height=3300, source=PageSource.OCR, lines=lines_read)
    return OcrDocument(pages=(page,))


def check_scanned(document: OcrDocument, notice_number: str | None = None) -> set[str]:
    result = check_scam(
        document, fields(notice_number=notice_number), CATALOG.get(notice_number), CATALOG, None
    )
    return {signal.code for signal in result.signals}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        pytest.param(LT11_WITH_VOUCHER_GARBAGE, "LT11", id="lt11-payee-garbage"),
        pytest.param(
            LT11_WITH_VOUCHER_GARBAGE.replace("Letter LT11", "Letter 1058"),
            "LTR1058",
            id="ltr1058-payee-garbage",
        ),
        pytest.param(
            "Letter 1058\nFinal notice. Pay the amount you owe today.\n"
            "payable to the United States Tr3a5 uiy.",
            "LTR1058",
            id="ltr1058-treasury-misread",
        ),
        pytest.param(
            "Notice CP504\nPay immediately.\nPayment voucher   payable to: lJn1ted  $t&tes  0ffice",
            "CP504",
            id="cp504-voucher-noise",
        ),
        pytest.param(
            "Letter LT11\nPay the amount you owe today.\nMake your check payable to the United\n"
            "Taxpayer ID number    nnn-nn-5657\nStates Treasury.",
            "LT11",
            id="voucher-payee-wrapped-across-a-column",
        ),
        pytest.param(
            "Letter LT11\nWe may seize your property. Call 1-800-829-1O40 or 800-829-7651.",
            "LT11",
            id="misread-irs-phone",
        ),
    ],
)
def test_genuine_final_notice_with_ocr_garbage_stays_below_high(text: str, code: str) -> None:
    result = check_scam(text, fields(notice_number=code), CATALOG.get(code), CATALOG, None)
    assert result.risk is not ScamRisk.HIGH, [signal.detail for signal in result.signals]
    assert "wrong_payee" not in {signal.code for signal in result.signals}


def test_pay_today_is_genuine_wording_on_a_collection_notice_only() -> None:
    assert "today_deadline" not in check_letter("Pay the amount you owe today.", notice_number="LT11")
    assert "today_deadline" in check_letter("Pay the amount you owe today.", notice_number="CP2000")
    assert "today_deadline" in check_letter("Pay the amount you owe today.")


@pytest.mark.parametrize(
    ("lines", "low", "code", "flagged"),
    [
        pytest.param(
            ("Make checks payable to Treasury Collection Services.",),
            frozenset(),
            "wrong_payee",
            True,
            id="payee-clean",
        ),
        pytest.param(
            ("Make checks payable to Treasury Collection Services.",),
            frozenset({"Collection", "Services."}),
            "wrong_payee",
            False,
            id="payee-low-confidence",
        ),
        pytest.param(("Call 1-888-555-0199 now",), frozenset(), "unknown_phone", True, id="phone-clean"),
        pytest.param(
            ("Call 1-888-555-0199 now",),
            frozenset({"1-888-555-0199"}),
            "unknown_phone",
            False,
            id="phone-blurred",
        ),
        pytest.param(("Bureau of Tax Enforcement",), frozenset(), "fake_agency", True, id="agency-clean"),
        pytest.param(
            ("Bureau of Tax Enforcement",),
            frozenset({"Bureau", "of", "Tax"}),
            "fake_agency",
            False,
            id="agency-noise",
        ),
    ],
)
def test_a_payee_phone_or_agency_counts_only_when_read_with_confidence(
    lines: tuple[str, ...], low: frozenset[str], code: str, flagged: bool
) -> None:
    assert (code in check_scanned(scanned(*lines, low=low), "CP14")) is flagged


def test_a_scanned_genuine_lt11_with_low_confidence_voucher_stays_low() -> None:
    document = scanned(
        *LT11_WITH_VOUCHER_GARBAGE.splitlines(), low=frozenset({"dG", "Securi", "Write", "Social"})
    )
    result = check_scam(document, fields(notice_number="LT11"), CATALOG.get("LT11"), CATALOG, None)
    assert result.risk is ScamRisk.LOW and result.signals == ()


@pytest.mark.parametrize(
    "file",
    [
        pytest.param("scam_lookalike_tax_lien_mailer.txt", id="lien-mailer-fixture"),
        pytest.param("scam_fresh_start_mailer.txt", id="fresh-start-fixture"),
        pytest.param(
            "FINAL NOTICE OF TAX LIEN   File number: 88-20417\nTax Resolution Department\n"
            "Call 1-866-310-4470 to speak with a tax specialist.",
            id="lien-header-firm-specialist",
        ),
        pytest.param(
            "NOTICE OF STATE TAX LIEN\nOur firm is not affiliated with any government agency.",
            id="disclaimer",
        ),
    ],
)
def test_a_lookalike_mailer_is_not_from_the_irs(file: str) -> None:
    text = (SCAMS / file).read_text() if file.endswith(".txt") else file
    result = check_scam(text, {}, None, CATALOG, None)
    assert is_not_from_irs(result) and result.risk is ScamRisk.HIGH
    signal = next(signal for signal in result.signals if signal.code == "not_from_irs")
    assert signal.detail.startswith("not from the IRS: a private firm's mailer")
    assert (scam_review_reason(result) or "").startswith("not from the IRS")


def test_genuine_notices_are_not_taken_for_a_private_firm() -> None:
    genuine = [entry for entry in TRUTH if entry["kind"] == "genuine"]
    flagged = [
        entry["file"]
        for entry in genuine
        if "not_from_irs" in check_letter((SCAMS / entry["file"]).read_text(), **entry["fields"])
    ]
    assert flagged == []


@pytest.mark.parametrize(
    "file",
    [
        pytest.param("scam_phish_refund_estatement_email.txt", id="ftc-refund-e-statement"),
        pytest.param("scam_phish_covid_deposit_text.txt", id="irs-covid-deposit-text"),
        pytest.param("scam_phish_payment_rejected_email.txt", id="payment-rejected"),
        pytest.param("scam_phish_account_suspended_email.txt", id="account-suspended"),
        pytest.param("scam_phish_refund_personalized_link_email.txt", id="refund-numeric-link"),
        pytest.param("scam_phish_refund_rejected_email.txt", id="refund-rejected-no-url"),
        pytest.param(
            "From: IRS <alerts@irs-gov.help>\nSubject: Verify your identity\nVerify your identity to release "
            "your refund: tinyurl.com/irs-id-check",
            id="verify-identity-short-link",
        ),
    ],
)
def test_a_printed_phishing_message_reaches_high(file: str) -> None:
    text = (SCAMS / file).read_text() if file.endswith(".txt") else file
    result = check_scam(text, {}, None, CATALOG, None)
    assert result.risk is ScamRisk.HIGH and "phishing_message" in {signal.code for signal in result.signals}
    assert (scam_review_reason(result) or "").startswith("possible scam")


def test_verify_your_identity_on_a_genuine_5071c_is_not_phishing() -> None:
    text = (SCAMS / "genuine_ltr5071c.txt").read_text()
    assert "phishing_message" not in check_letter(text, notice_number="LTR5071C")


# --- never raises -----------------------------------------------------------------------------------------

FIELD_VALUES = st.one_of(st.none(), st.integers(), st.text(max_size=40))


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(max_size=2000),
    values=st.dictionaries(
        st.sampled_from(["notice_number", "ssn_last4", "address", "taxpayer_name", "irs_phone"]), FIELD_VALUES
    ),
    with_profile=st.booleans(),
)
def test_check_scam_never_raises(text: str, values: dict[str, str | int | None], with_profile: bool) -> None:
    notice_fields = {name: Field(value=value) for name, value in values.items()}
    code = values.get("notice_number")
    profile = PROFILES["client-7"] if with_profile else None
    result = check_scam(
        text, notice_fields, CATALOG.get(code if isinstance(code, str) else None), CATALOG, profile
    )
    assert 0.0 <= result.score <= 1.0
    assert result.risk is rate_risk(result.score)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(["gift card", "Department of the Treasury", "levy", "\n", " ", "0", "rn", "$", "-"])
    )
)
def test_check_scam_never_raises_on_letter_like_noise(parts: list[str]) -> None:
    check_scam("".join(parts), {}, None, CATALOG, None)
