"""Unit tests for every extractor: positives, OCR-noise variants and negatives."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from extractors.amount_due import AMOUNT_DUE_PRINTED, find_amounts_due
from extractors.amounts import parse_amount
from extractors.billing import BillingRole, billing_role, find_billing_lines
from extractors.contacts import (
    CALLER_ID_LABEL_ALONE,
    CALLER_ID_PRINTED,
    FORM_LABEL_ALONE,
    FORM_PRINTED,
    IRS_PHONE_PRINTED,
    find_caller_ids,
    find_forms,
    find_irs_phones,
    official_phone_near,
)
from extractors.deadline import find_deadlines, may_state_a_deadline
from extractors.given_names import GIVEN_NAMES_PATH, given_names, misread_name_of
from extractors.notice_date import NOTICE_DATE_PRINTED, find_notice_dates
from extractors.notice_number import find_notice_numbers
from extractors.party import (
    confusable_unit,
    find_taxpayer,
    glued_connector,
    glued_name_word,
    has_address_block,
    stray_name_word,
    zip_outside_state,
)
from extractors.revision import find_revision_markers
from extractors.ssn import SSN_PRINTED, count_full_ssns, find_ssn_last4, mask_full_ssns, mask_name
from extractors.tax_year import find_tax_years
from extractors.text import TextLine, find_printed, repair_digits


def values(finder, *texts: str) -> list:
    return [c.value for c in finder([TextLine(page=1, text=t) for t in texts])]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Notice CP14", "CP14", id="header"),
        pytest.param("Notice      CP2000", "CP2000", id="wide-gap"),
        pytest.param("Notice number: CP504", "CP504", id="number-label"),
        pytest.param("Notice CP 3219A", "CP3219A", id="space-and-suffix"),
        pytest.param("Letter 1058", "LTR1058", id="letter"),
        pytest.param("LTR 5071C", "LTR5071C", id="ltr-suffix"),
        pytest.param("LT11", "LT11", id="lt-bare"),
        pytest.param("Notlce CPl4", "CP14", id="ocr-noise"),
        pytest.param("Notice CP5 1 6", "CP516", id="digits-spaced-apart"),
        pytest.param("Department of the Treasury    C P 1 3", "CP13", id="heading-letters-spaced-apart"),
        pytest.param("Notice CP2000 1 of 2", "CP2000", id="not-a-page-count"),
        pytest.param("Department of the Treasury    Notice CP5 16", "CP516", id="a-cells-split"),
        pytest.param("Notice CP 1 20    Department of the Treasury", "CP120", id="split-after-cp"),
        pytest.param("Department of the Treasury    C P2 50 1", "CP2501", id="a-large-code-split-twice"),
        pytest.param("Notice CP71 A", "CP71A", id="a-cells-letter-apart"),
        pytest.param("Department of the Treasury    Letter Number:    5447C", "LTR5447C", id="letter-number"),
        pytest.param("Notice CP504 30 days", "CP504", id="a-sentence-after-the-code"),
        pytest.param("We sent you CP14 2023 notices", "CP14", id="a-year-after-the-code"),
        pytest.param("A CP2000 A notice", "CP2000", id="a-word-after-the-code"),
    ],
)
def test_notice_number(text: str, expected: str) -> None:
    assert values(find_notice_numbers, text)[0] == expected


def test_a_date_after_the_word_letter_is_no_letter_number_and_a_label_in_capitals_is_one() -> None:
    """Docket family: "Date of this letter    2023-01-19" was read as LTR2023 beside the letter's own LT16."""
    assert values(find_notice_numbers, "Date of this letter    2023-01-19") == []
    rules = [c.rule for c in find_notice_numbers([TextLine(1, "NOTICE    CP14")])]
    assert rules[0] == "labelled"


@pytest.mark.parametrize(
    "text",
    [
        "Questions? Call    1-800-829-3903",
        "Contact us    (800) 829-4933",
        "To contact us 800-829-4933",
        "TOLL FREE:    (800) 829-4933",
        "For assistance, call 1-800-829-3903.",
    ],
)
def test_the_redesigned_notices_phone_labels(text: str) -> None:
    assert values(find_irs_phones, text)[0] in ("800-829-3903", "800-829-4933")


def test_a_phone_label_ocr_misspelled_in_both_its_anchors() -> None:
    """Sheet scan (OCR kept): "Cail us", one edit from "Call us", is still read as the phone's label."""
    found = find_irs_phones([TextLine(page=1, text="Cail us    800-829-3903")])
    assert [(c.value, c.rule) for c in found] == [("800-829-3903", "contact_label")]


def test_a_forms_revision_line_names_the_notice_more_surely_than_a_bare_code() -> None:
    """IRS letters print their code only at the foot: "CP503 (Rev. 12-2021)", as real letters do."""
    found = find_notice_numbers([TextLine(page=1, text="CP503 (Rev. 12-2021)")])
    by_rule = {candidate.rule: candidate for candidate in found}
    assert by_rule["revision_line"].value == "CP503"
    assert by_rule["revision_line"].confidence > by_rule["code"].confidence
    assert values(find_notice_numbers, "Form 9465 (Rev. 9-2020)", "Publication 594 (Rev. 2-2023)") == []


@pytest.mark.parametrize(
    "text",
    ["CP71A    Page 1 of 2", "Page 2 of 3    CP71A", "IRS    CP71A", "CP71A Pagelofl", "CP71A Page of"],
)
def test_a_code_at_a_pages_foot_or_alone_in_its_cell_names_the_notice_more_surely(text: str) -> None:
    """A redesigned notice prints its code alone in the header band and beside the page count at the foot."""
    found = find_notice_numbers([TextLine(page=1, text=text)])
    assert {candidate.value for candidate in found} == {"CP71A"}
    assert max(candidate.confidence for candidate in found) > 0.8
    in_a_sentence = find_notice_numbers([TextLine(page=1, text="We sent you a CP71A last year")])
    assert [candidate.rule for candidate in in_a_sentence] == ["code"]


@pytest.mark.parametrize("text", ["Notice:    CP9}", "Notice    CP9]    Amount due    $9,688.17", "CP14|"])
def test_a_code_with_a_mark_glued_to_its_end_is_not_read(text: str) -> None:
    """A fax's "CP91" read "CP9}": read as "CP9", it was processed as a CP09 (no amount, no deadline)."""
    assert values(find_notice_numbers, text) == []


def test_a_number_after_another_label_is_no_copy_of_the_value() -> None:
    """A typeset header's glued label row: the digit OCR put in "Soc1aL", and the caller ID after "Caller ID",
    belong to the labels beside, so no copy of the notice date or SSN was printed there unread."""
    assert NOTICE_DATE_PRINTED.search("NOTICE DATE    Tax RETURN    Soc1aL SECURITY NUMBER    AMOUNT") is None
    assert SSN_PRINTED.search("Social Security number Caller ID    918979") is None
    assert SSN_PRINTED.search("Social Security number    EK AK_D5 39") is not None
    # a letter's sentence (slate: seven correct identity letters sent to review for it)
    assert SSN_PRINTED.search("with your name and taxpayer identification number for 2024. To") is None
    assert NOTICE_DATE_PRINTED.search("Notice date    (1/30/2026") is not None
    # a stub's instruction, its "number, the tax year ..." wrapped to the next row (gazette)
    assert SSN_PRINTED.search("United States Treasury. Write your taxpayer ID    RALEIGH, NC 27601") is None


def test_a_code_read_in_small_letters_is_read_as_a_repaired_one() -> None:
    """gazette's monospaced "CP91" read "cp91" in the stub and the footer (and "CcP91" in the header)."""
    found = find_notice_numbers([TextLine(1, "cp91 - July 17, 2026"), TextLine(1, "cp91    Page 1 of 1")])
    printed = find_notice_numbers([TextLine(1, "CP91    Page 1 of 1")])
    assert {candidate.value for candidate in found} == {"CP91"}
    surest = {c.rule: c.confidence for c in printed}
    assert all(candidate.confidence < surest[candidate.rule] for candidate in found)


def test_notice_number_ignores_plain_words() -> None:
    assert values(find_notice_numbers, "Notice date May 20, 2024", "Compliance department") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Tax year 2023", 2023, id="label"),
        pytest.param("Tax year: 2O23", 2023, id="ocr-o-for-zero"),
        pytest.param("Tax period December 31, 2017", 2017, id="period"),
        pytest.param("Tax period ending 12/31/2022", 2022, id="period-numeric"),
        pytest.param("Tax year ending    2020    Tax form    1040", 2020, id="year-ending"),
        pytest.param("Tax yaar 2021", 2021, id="damaged-label"),
        pytest.param("Año tributario 2022", 2022, id="spanish"),
        pytest.param("Ano tributario: 2022", 2022, id="spanish-no-tilde"),
        pytest.param("Internal Revenue Service    Tax year    2625", 2025, id="fax-six-for-zero"),
        pytest.param("Stop 5050    Tax period:    202103", 2021, id="period-year-month"),
        pytest.param("Tax Period(s):    202312", 2023, id="periods-year-month"),
        pytest.param("Internal Revenue Service    Year    2022", 2022, id="bare-year-cell"),
        pytest.param("Cincinnati, OH 45999    Year:    2023", 2023, id="bare-year-colon"),
        pytest.param("Stop 6112    Period ending    Sep. 30, 2024", 2024, id="period-ending-cell"),
        pytest.param("Tax year ending:    Dec. 31, 2021", 2021, id="year-ending-date"),
        pytest.param("Internal Revenue Service    For tax year    2023", 2023, id="for-tax-year-cell"),
        pytest.param("Holtsville, NY 11742-0093    _ Tax Year    2024", 2024, id="stray-mark-before-label"),
        pytest.param("Period:    2022-12-31", 2022, id="bare-period-cell"),
        pytest.param("For tax year    2823", 2023, id="fax-eight-for-zero"),
        pytest.param("Ogden, UT 84201    Period    Dec. 31, 2023", 2023, id="bare-period-column"),
        pytest.param("Period ending    03/31/2022 ~~ Fresno, CA 93888", 2022, id="period-ending-speck-after"),
    ],
)
def test_tax_year(text: str, expected: int) -> None:
    assert values(find_tax_years, text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Tax year 2626", id="six-that-may-be-a-zero-too"),  # 2026 or 2020: not guessed
        pytest.param("Tax year 2725", id="no-year-is-27xx"),
        pytest.param("Tax Period(s):    202312, 202212", id="several-periods-are-no-one-year"),
        pytest.param("Tax Period(s):    202212    202312", id="periods-in-columns"),
        pytest.param("Tax Period(s): 202212; 202312", id="periods-by-semicolon"),
        pytest.param("Tax Period(s): 202312,", id="a-list-wrapping-after-its-comma"),
        pytest.param("Tax Period(s): December 31, 2022, December 31, 2023", id="periods-as-a-list-of-dates"),
        pytest.param("Tax period: 12/31/2022 and 12/31/2023", id="two-period-ends"),
        pytest.param("Tax period:    202313", id="no-thirteenth-month"),
    ],
)
def test_a_year_that_cannot_be_told_is_not_read(text: str) -> None:
    assert values(find_tax_years, text) == []


def test_a_fax_year_counts_for_less_than_a_clean_one() -> None:
    fax, clean = (find_tax_years([TextLine(1, f"Tax year {y}")])[0] for y in ("2625", "2025"))
    assert fax.value == clean.value == 2025 and fax.confidence < clean.confidence


def test_a_return_mentioned_in_prose_is_sure_only_when_nothing_else_names_another_year() -> None:
    """Folio and office families: a notice whose only year is "your 2023 Form 1040" (24 of 24 read right, all
    sent to review). Beside a header's other year (a CP49's refund year) or a mention of another, it stays
    weakest; beside a header label OCR damaged that names the same year, it is as sure as alone."""
    sole = "We changed your 2023 Form 1040 to correct a math error."
    [found] = find_tax_years([TextLine(1, sole)])
    assert found.value == 2023 and found.confidence >= 0.8
    again = find_tax_years([TextLine(1, sole), TextLine(2, "your 2023 tax return")])
    assert all(c.confidence >= 0.8 for c in again)
    beside_a_header = find_tax_years([TextLine(1, "Tax year 2021"), TextLine(1, sole)])
    assert [c.confidence < 0.7 for c in beside_a_header if c.value == 2023] == [True]
    two_years = find_tax_years([TextLine(1, sole), TextLine(2, "your 2024 Form 1040-ES")])
    assert all(c.confidence < 0.7 for c in two_years)
    damaged = TextLine(1, "Stop 5050    period    December 31, 2023", confidence=0.0)  # "Tax" a row above
    beside_the_same = find_tax_years([damaged, TextLine(1, sole)])
    assert [c.confidence >= 0.8 for c in beside_the_same if c.rule == "return_mention"] == [True]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Social Security number nnn-nn-1234", "1234", id="sample-mask"),
        pytest.param("Social Security number XXX-XX-1234", "1234", id="x-mask"),
        pytest.param("Social Security number ***-**-1234", "1234", id="star-mask"),
        pytest.param("Taxpayer ID number xxx-xx-4321", "4321", id="tin"),
        pytest.param("Employer ID number XX-XXX1234", "1234", id="ein"),
        pytest.param("Employer ID number:    XX-XXX 1858", "1858", id="ein-split-before-digits"),
        pytest.param("Social Securlty number XXX-XX-l234", "1234", id="ocr-noise"),
        pytest.param("Social Security number nnn-nn-nnnn", None, id="placeholder"),
        pytest.param("Social Security number:    nnn-nn-nannn", None, id="placeholder-ocr-damage"),
        pytest.param("number:    nn-nnnnnnn", None, id="placeholder-label-wrapped-away"),
        pytest.param("Taxpayer ID number: — ann-on-nonn", None, id="placeholder-n-read-as-a-and-o"),
        pytest.param("Taxpayer Identification Number:    onno-nn-nnnn", None, id="placeholder-n-read-as-o"),
        pytest.param("SSN 987-65-4329", "4329", id="full-ssn-reduced"),
        pytest.param("Social Security number    #kKK_AK.1672", "1672", id="mask-read-as-letters"),
        pytest.param("Social Security number    ¥#*-**.1 839", "1839", id="mask-noise-split-digit"),
        pytest.param("Social Security number    ending in 9453", "9453", id="ending-in"),
        pytest.param("Taxpayer ID ending in 2O54", "2054", id="ending-in-ocr"),
        pytest.param("Employer ID number    ending in 8602", "8602", id="ein-ending-in"),
        pytest.param("Employer ID number    XXXXX1073", "1073", id="mask-without-separators"),
        pytest.param("Employer ID number    **AAKKO206", "0206", id="ein-mask-read-as-letters"),
        pytest.param("Employer identification number    **-*3780", "3780", id="ein-mask-lost-a-symbol"),
        pytest.param("Taxpayer ID number    XXX Xx—0036", "0036", id="mask-dash-and-space"),
        pytest.param("Your SSN    ***** 6644", "6644", id="mask-without-separators-then-a-space"),
        pytest.param("Social Security    XXX-XX-5716", "5716", id="label-whose-number-wrapped-below"),
        pytest.param("Taxpayer identification    #**_**.2216", "2216", id="tin-label-whose-number-wrapped"),
    ],
)
def test_ssn_last4(text: str, expected: str | None) -> None:
    candidates = find_ssn_last4([TextLine(1, text)])
    assert candidates[0].value == expected
    assert "987-65" not in candidates[0].raw  # a full SSN never leaves the module whole


def test_an_employees_identification_number_is_no_taxpayers() -> None:
    """Letters' contact block: "Employee / identification number:    2321657477" is an IRS employee's; a
    state "TN" OCR read as "TIN" is no label."""
    assert values(find_ssn_last4, "FARGO, ND 58102-3231    identification number: 4122400874") == []
    assert values(find_ssn_last4, "Employee identification number:    2321657477") == []
    assert values(find_ssn_last4, "KNOXVILLE, TIN 37902    KANSAS CITY, MO 64999-0078") == []


def test_a_value_ocr_scored_as_a_guess_is_unsure_however_well_its_label_read() -> None:
    """A fax's "***-**-0894" read "***-**-9894" at 0.30 in a line of 0.75 on average was processed."""
    words = (("Taxpayer", 0.96), ("ID", 0.95), ("Number:", 0.79), ("***-**-9894", 0.3))
    line = TextLine(1, "Taxpayer ID Number: ***-**-9894", confidence=0.75, words=words)
    sure = TextLine(1, line.text, confidence=0.75, words=(*words[:3], ("***-**-9894", 0.7)))
    guess, read = find_ssn_last4([line])[0], find_ssn_last4([sure])[0]
    assert guess.value == read.value == "9894" and guess.confidence < 0.7 < read.confidence


def test_what_ocr_made_of_a_leader_before_a_date_is_not_the_date() -> None:
    """An office scan's "Notice date 0.0.0 Apr. 4, 2025": the leader's "0.0.0" at 0.00 held a date read at
    0.95 in review. A date word read as a guess still is one."""
    label = (("Notice", 0.87), ("date", 0.92), ("0.0.0", 0.0))
    date = (("Apr.", 0.95), ("4,", 0.95), ("2025", 0.96))
    text = "Notice date    0.0.0    Apr. 4, 2025"
    [sure] = find_notice_dates([TextLine(1, text, confidence=0.86, words=(*label, *date))])
    guessed = (*date[:2], ("2025", 0.3))
    [guess] = find_notice_dates([TextLine(1, text, confidence=0.86, words=(*label, *guessed))])
    assert sure.value == guess.value == "2025-04-04" and guess.confidence < 0.7 <= sure.confidence


def test_an_amount_is_not_judged_by_the_date_before_it() -> None:
    """ "Amount due by Mav 20, 2024    $5,181.72": the date's "Mav" read at 0.30 is not the amount's doubt."""
    words = (("Amount", 0.95), ("due", 0.95), ("by", 0.95), ("Mav", 0.3), ("20,", 0.9), ("2024", 0.95))
    line = TextLine(
        1, "Amount due by Mav 20, 2024    $5,181.72", confidence=0.84, words=(*words, ("$5,181.72", 0.95))
    )
    [due] = [c for c in find_amounts_due([line]) if c.value == "5181.72"]
    assert due.confidence >= 0.7


@pytest.mark.parametrize(
    "row",
    [
        "TOTAL AMOUNT DUE    $12,971.12    $1,319.77    $223.41    $14,514.30",
        "AMOUNT YOU OWE    $12,971.12    $1,319.77    $223.41    $14,514.30",
    ],
)
def test_a_tables_totals_row_gives_its_last_amount(row: str) -> None:
    """A period table's totals row sums each column; the last column is the total the notice asks for."""
    assert values(find_amounts_due, row) == ["14514.30"]


def test_a_header_form_printed_but_unread_is_seen_and_a_phone_beside_its_label_is_not_one() -> None:
    """A fax's "FORM NUMBER: 1040" read 1049 is a form the notice prints; "Tax form    800-829-0922" (a
    header table's label row over the phone of the next column) is not."""
    assert find_printed(FORM_PRINTED, [TextLine(1, "FORM NUMBER: 1049")]) is not None
    assert values(find_forms, "FORM NUMBER: 1049") == []
    assert values(find_forms, "Type of tax return    1040") == ["1040"]
    assert find_printed(FORM_PRINTED, [TextLine(1, "Type of tax return    1049")]) is not None
    assert values(find_forms, "Cincinnati, OH 45999    Tax form -    1040") == ["1040"]  # a speck as a dash
    assert find_printed(FORM_PRINTED, [TextLine(1, "Tax form -    1049")]) is not None
    for text in ("Tax form    800-829-0922", "Tax form    (800) 829-0922", "Tax form To contact us    1-800"):
        assert find_printed(FORM_PRINTED, [TextLine(1, text)]) is None


def test_a_header_cell_naming_the_return_by_its_form_is_the_form_and_a_sentence_is_not() -> None:
    assert values(find_forms, "Internal Revenue Service    Return    941") == ["941"]
    assert values(find_forms, "Tax return:    1065") == ["1065"]
    assert find_printed(FORM_PRINTED, [TextLine(1, "Return    1049")]) is not None
    assert values(find_forms, "We have not received your 2023 return    1040") == []
    assert values(find_tax_years, "The year 2022 was    2022", "Year 2022 was a good year") == []


def test_a_typed_header_form_cell_read_after_its_unread_leader_or_seen_printed() -> None:
    """Typed family scans (OCR kept): "FORM: 941" with its colon read as a full stop and its leader as
    words OCR could not read; a value OCR garbled past reading is still a form printed; a sentence's "Form
    8822" is not a header cell."""
    leader = (("cc", 0.15), ("eee", 0.15), ("ee", 0.3))
    found = find_forms([_with_words(("FOVM.", 0.30), *leader, ("1040", 0.87))])
    assert [(c.value, c.rule) for c in found] == [("1040", "form_after_unread_leader")]
    assert (
        find_forms([_with_words(("FORM.", 0.75), ("osc", 0.27), ("cece", 0.25), ("941", 0.87))])[0].value
        == "941"
    )
    for garbled in ("FORM. 22.    GAL", "FORM    1049", "CINCINNATI, OH 45999    FORM: 1O4"):
        assert find_printed(FORM_PRINTED, [TextLine(1, garbled)]) is not None, garbled
        assert values(find_forms, garbled) == []
    assert find_printed(FORM_PRINTED, [TextLine(1, "send us Form. 8822 so that we can")]) is None


def test_boilerplate_is_no_deadline_wording_and_a_year_is_no_amount_due() -> None:
    """Print family (OCR kept): a CP504B that prints no deadline but "paid ... within the last 21 days"
    gets its type's published window; an LT16's "balance due for 2024" prints no amount."""
    assert not may_state_a_deadline(
        [TextLine(1, "If you already paid your balance in full within the last 21 days")]
    )
    assert may_state_a_deadline([TextLine(1, "Respond within 30 days")])
    bullets = "* Pay the amount due. * Call us at 800-829-7650 if you have questions."  # docket's CP92
    assert not may_state_a_deadline([TextLine(1, bullets)])
    assert may_state_a_deadline([TextLine(1, "The amount is due Jan. 5, 2026")])
    permission = "you may give them permission to talk to us by filing Form 2848 or Form 8821."
    assert not may_state_a_deadline([TextLine(1, permission)])
    assert find_printed(AMOUNT_DUE_PRINTED, [TextLine(1, "You have a balance due for 2024")]) is None
    assert find_printed(AMOUNT_DUE_PRINTED, [TextLine(1, "Balance due on your 2023 account")]) is None
    assert find_printed(AMOUNT_DUE_PRINTED, [TextLine(1, "Amount due on your 2023 account    $1,234.56")])
    assert find_printed(AMOUNT_DUE_PRINTED, [TextLine(1, "Balance due    $1,000.00")]) is not None
    letter = "Please pay the amount due within 10 days from the date of this letter."  # docket's LT16
    assert find_printed(AMOUNT_DUE_PRINTED, [TextLine(1, letter)]) is None


def test_a_sentences_form_is_no_header_cell_and_a_caller_id_is_judged_by_its_digits() -> None:
    assert find_printed(FORM_PRINTED, [TextLine(1, "form. Send it to us within 30 days")]) is None
    assert find_printed(FORM_PRINTED, [TextLine(1, "Form. Send it to us within 30 days")]) is None
    label_digit = TextLine(1, "Your caller 1D    556388", words=(("Your", 0.9), ("caller", 0.9), ("1D", 0.52),
                           ("556388", 0.96)))  # fmt: skip
    assert [(c.value, c.value_read) for c in find_caller_ids([label_digit])] == [("556388", 0.96)]


def test_social_security_benefits_are_no_ssn_label() -> None:
    read = find_ssn_last4([TextLine(1, "Social Security benefits    XXX-XX-1234")])
    assert [(c.value, c.rule) for c in read] == [("1234", "masked_pattern")]  # the mask alone, no label


def test_phone_numbers_are_not_ssns() -> None:
    assert values(find_ssn_last4, "To contact us 800-829-0922", "Caller ID 123456") == []


def test_a_mask_ocr_read_with_a_mark_too_many_still_masks_the_last_four() -> None:
    assert set(values(find_ssn_last4, "Taxpayer ID number    XXxX-xx-1049")) == {"1049"}
    assert set(values(find_ssn_last4, "Social Security number    XxXXx-xx-2434")) == {"2434"}
    assert set(values(find_ssn_last4, "Taxpayer ID:    XXX -XxX-6413")) == {
        "6413"
    }  # a header's "Taxpayer ID"


def test_words_after_the_label_are_not_a_garbled_mask() -> None:
    texts = ("Social Security number see.page.1234", "SSN on file 12a-45.6789", "SSN tax_2023",
             "SSN ext_1234", "Taxpayer ID number box_1040", "SSN: ***-**-****-2024", "EIN see 1234",
             "Employer ID number    **KK-SOS1", "STEIN **XK1234",
             "SSN ***-**-12345")  # fmt: skip
    assert values(find_ssn_last4, *texts) == []


@pytest.mark.parametrize(
    ("text", "masked", "count"),
    [
        pytest.param("SSN 987-65-4329 and phone 800-829-1040", "SSN XXX-XX-4329 and phone 800-829-1040", 1,
                     id="hyphens"),
        pytest.param("SSN 287–65–5364", "SSN XXX-XX-5364", 1, id="en-dash"),
        pytest.param("SSN 287—65—5364", "SSN XXX-XX-5364", 1, id="em-dash"),
        pytest.param("SSN 287−65−5364", "SSN XXX-XX-5364", 1, id="minus-sign"),
        pytest.param("SSN 287 - 65 - 5364", "SSN XXX-XX-5364", 1, id="spaced-hyphens"),
        pytest.param("SSN 287 65 5364", "SSN XXX-XX-5364", 1, id="spaces"),
        pytest.param("SSN 287.65.5364.", "SSN XXX-XX-5364.", 1, id="dots"),
        pytest.param("SSN:287655364", "SSN:XXXXX5364", 1, id="labelled-digits"),
        pytest.param("routing 061000227", "routing XXXXX0227", 0, id="unlabelled-digits-masked-not-counted"),
        pytest.param("EIN 41-2345678", "EIN XX-XXX5678", 0, id="ein"),
        pytest.param("Form 941 12-2023, ZIP 64999-0023, 1-800-829-0922, Caller ID 123456",
                     "Form 941 12-2023, ZIP 64999-0023, 1-800-829-0922, Caller ID 123456", 0, id="not-ssns"),
        pytest.param("$287655364 or 287655364.00 on 2024-06-10",
                     "$287655364 or 287655364.00 on 2024-06-10", 0, id="amounts-and-dates"),
        pytest.param("nnn-nn-nnnn XXX-XX-1234 ***-**-1234", "nnn-nn-nnnn XXX-XX-1234 ***-**-1234", 0,
                     id="masks"),
        pytest.param("SSN 999-99-9999 or 123 45 6789", "SSN XXX-XX-9999 or XXX-XX-6789", 0,
                     id="sample-numbers"),
    ],
)  # fmt: skip
def test_full_ssn_masking(text: str, masked: str, count: int) -> None:
    assert mask_full_ssns(text) == masked
    assert count_full_ssns(text) == count


def test_a_file_name_is_masked() -> None:
    assert mask_name("scan-287-65-5364.pdf") == "scan-XXX-XX-5364.pdf"
    assert mask_name("inbox/287655364_notice.pdf") == "inbox/XXXXX5364_notice.pdf"
    assert mask_name("notice_2024-06-10.pdf") == "notice_2024-06-10.pdf"


def test_a_full_ssn_in_any_dash_is_read_only_as_its_last_four() -> None:
    candidates = find_ssn_last4([TextLine(1, "Social Security number 287–65–5364")])
    assert [(c.value, c.raw) for c in candidates][:1] == [("5364", "Social Security number XXX-XX-5364")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Amount due by June 10, 2024   $5,181.72", "5181.72", id="due-by"),
        pytest.param("Amount due: $5,181.72", "5181.72", id="headline"),
        pytest.param("Amount due immediately $12,004.10", "12004.10", id="immediately"),
        pytest.param("Arnount due $5,l81.72", "5181.72", id="ocr-label-and-digit"),
        pytest.param("Amount due: §5,181.72", "5181.72", id="section-for-dollar"),
        pytest.param("Proposed amount due $3,411.00", "3411.00", id="cp2000"),
        pytest.param("Total amount you owe $980.55", "980.55", id="you-owe"),
        pytest.param("You still owe $25,093.41.", "25093.41", id="still-owe"),
        pytest.param("Total you owe    cccccccccsccccces    $25,093.41", "25093.41", id="after-leader"),
        pytest.param("Cantidad adeudada: $5,181.72", "5181.72", id="spanish"),
        pytest.param(
            "Cantidad adeudada para el 10 de junio de 2024 $5,181.72", "5181.72", id="spanish-dated"
        ),
        pytest.param("Amount you owe by April 11, 2026    $8,174.55", "8174.55", id="you-owe-by"),
        pytest.param("Your balance is $8,174.55. Pay the amount due by May 1.", "8174.55", id="balance"),
        pytest.param("LAREDO, TX 78040    Pay $8,174.55 by 04/11/2026", "8174.55", id="pay-by-date"),
    ],
)
def test_amount_due(text: str, expected: str) -> None:
    assert values(find_amounts_due, text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Failure-to-pay penalty $100.00", id="penalty"),
        pytest.param("Interest charges $81.72", id="interest"),
        pytest.param("Tax you owed $5,000.00", id="tax-line"),
        pytest.param("Payments and credits -$800.00", id="credit"),
        pytest.param("Previous balance $4,200.00", id="previous"),
        pytest.param("Amount you owed $1,481.57", id="owed-is-the-tax-owed"),
        pytest.param("Previous amount due $4,200.00", id="previous-amount-due"),
        pytest.param("If you pay $500 by June 1, 2026, we", id="a-condition"),
        pytest.param("Interest charges. Pay $20.00 by phone", id="pay-by-no-date"),
    ],
)
def test_amount_due_ignores_other_lines(text: str) -> None:
    assert values(find_amounts_due, text) == []


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        pytest.param("Amount due by June 10, 2024", "2024-06-10", "printed", id="due-by"),
        pytest.param("Amount due, to be received by June 11, 2024", "2024-06-11", "printed", id="cp501"),
        pytest.param("Respond by: July 19, 2024", "2024-07-19", "printed", id="respond"),
        pytest.param(
            "Last day to file a petition with the United States Tax Court: August 18, 2024",
            "2024-08-18",
            "printed",
            id="petition",
        ),
        pytest.param(
            "request a Collection Due Process hearing by Jun 19, 2024", "2024-06-19", "printed", id="hearing"
        ),
        pytest.param("within 30 days from the date of this notice", 30, "computed", id="window"),
        pytest.param(
            "Please respond within.30 days from the date of this letter.", 30, "computed", id="speck"
        ),
        pytest.param("within sixty (60) days of the date of this letter", 60, "computed", id="window-words"),
        pytest.param(
            "you have 9O days from the date of this letter (150 days if",
            90,
            "computed",
            id="you-have-o-for-zero",
        ),
        pytest.param("File your tax return by June 10, 2024.", "2024-06-10", "printed", id="cp59-file-by"),
        pytest.param(
            "Respond to the proposed changes by 02/20/2023, even if you agree with them.",
            "2023-02-20",
            "printed",
            id="respond-to-the-proposed-changes",
        ),  # fmt: skip
        pytest.param(
            "Pay the amount you owe, or ask for a Collection Due Process hearing, by June 13, 2025.",
            "2025-06-13",
            "printed",
            id="hearing-comma-by",
        ),  # fmt: skip
        pytest.param(
            "file your 2023 return no later than 06/10/2024", "2024-06-10", "printed", id="file-2023"
        ),
        pytest.param(
            "Cantidad adeudada para el 10 de junio de 2024", "2024-06-10", "printed", id="spanish-due"
        ),
        pytest.param("Responda antes del 19 de julio de 2024", "2024-07-19", "printed", id="spanish-respond"),
        pytest.param(
            "Pay the amount due of $18,500.28 by January 22, 2026 to avoid additional penalty",
            "2026-01-22",
            "printed",
            id="pay-the-amount-due-of",
        ),
        pytest.param(
            "Pay the amount due of $2,100.00 so that we receive it by May 3, 2025.",
            "2025-05-03",
            "printed",
            id="cp501-so-that-we-receive-it",
        ),
        pytest.param(
            "Complete and return the response form by July 2, 2023.",
            "2023-07-02",
            "printed",
            id="return-the-response-form-by",
        ),
        pytest.param("Response due    Nov 26, 2026", "2026-11-26", "printed", id="response-due-box"),
        pytest.param("Respond to us by Oct. 23, 2024.", "2024-10-23", "printed", id="respond-to-us-by"),
        pytest.param(
            "We need more information about your 2025 Form 1040. Send it to us by Aug. 15, 2026.",
            "2026-08-15",
            "printed",
            id="send-it-to-us-by",
        ),
    ],
)
def test_deadline(text: str, expected: object, kind: str) -> None:
    candidate = find_deadlines([TextLine(1, text)])[0]
    assert (candidate.value, candidate.kind) == (expected, kind)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Notice date May 20, 2024", "2024-05-20", id="label"),
        pytest.param("Notice date: 05/20/2024", "2024-05-20", id="numeric"),
        pytest.param("Notlce date Mav 20, 2O24", "2024-05-20", id="ocr-noise"),
        pytest.param("Letter Date:    Décember 3, 2024", "2024-12-03", id="ocr-accent"),
        pytest.param("Date of this letter: May 20, 2024", "2024-05-20", id="letter"),
        pytest.param("Date of notice    2024-05-20", "2024-05-20", id="date-of-notice"),
        pytest.param("MERCER ROOFING CO    Date of this    05/20/2024", "2024-05-20", id="label-wrapped"),
        pytest.param("Fecha del aviso 20 de mayo de 2024", "2024-05-20", id="spanish"),
        pytest.param("Fecha del aviso: 20 de mayo del 2024", "2024-05-20", id="spanish-del"),
        pytest.param("LETTER DATE:    05-20-2024", "2024-05-20", id="hyphens"),
        pytest.param("NOTICE DATE:    MAY, 20, 2024", "2024-05-20", id="fax-comma-for-period"),
        pytest.param("Letter Date:    July 7, 20 26", "2026-07-07", id="year-split-in-two"),
        pytest.param("Notice date    JAM. 3, 2023    Caller ID", "2023-01-03", id="abbreviation-one-edit"),
        pytest.param("Date of this-notice    3    cceeleeeeeee Mar. 20,.2023", "2023-03-20", id="l-leader"),
        pytest.param("DEPARTMENT OF THE TREASURY DATE:    02-02-2026", "2026-02-02", id="typed-header"),
        pytest.param(
            "DEPARTMENT OF THE TREASURY    DATE.    OCT. 23, 2023", "2023-10-23", id="bare-leader-gone"
        ),
    ],
)
def test_notice_date(text: str, expected: str) -> None:
    assert values(find_notice_dates, text)[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Date of this notice    2624-12-18    Form 1646", "2024-12-18", id="fax-six-in-year"),
        pytest.param("Date of this notice:    94/03/2024", "2024-04-03", id="fax-nine-in-month"),
        pytest.param("Date    Aug. 12, 2624    P.O. Box 149338", "2024-08-12", id="fax-six-bare-label"),
        pytest.param("Notice date    2624-12-16", None, id="six-printed-twice-not-guessed"),
        pytest.param("Notice date    2686-12-18", None, id="no-notice-date-of-2086"),
    ],
)
def test_a_date_whose_zero_a_fax_misread_is_read_back_as_a_guess(text: str, expected: str | None) -> None:
    """A fax reads a thin zero as 6, 8 or 9: the one date it can be is read, for less than a clean date."""
    found = find_notice_dates([TextLine(1, text)])
    assert [candidate.value for candidate in found] == ([expected] if expected else [])
    clean = find_notice_dates([TextLine(1, "Date of this notice    2024-12-18")])
    assert all(candidate.confidence < clean[0].confidence for candidate in found)


@pytest.mark.parametrize(
    ("text", "extract", "expected"),
    [
        pytest.param("NOTICE DATE    2    08/27/2026", find_notice_dates, "2026-08-27", id="date-digit-dots"),
        pytest.param(
            "Treasury    DATE    00 eee ee eeeeeet JULY 25, 2024", find_notice_dates, "2024-07-25", id="date"
        ),
        pytest.param(
            "P.O. Box 9019    TAX YEAR.    2.2000 eee eee? 2022", find_tax_years, 2022, id="tax-year"
        ),
        pytest.param("TAX PERIOD ENDED    2.2+.+! 12/31/2022", find_tax_years, 2022, id="tax-period"),
        pytest.param(  # the header's next column follows the value
            "Notice date wo    5/10/2024    Call US At wo.    1-800-829-1040",
            find_notice_dates,
            "2024-05-10",
            id="next-column-follows",
        ),
    ],
)
def test_a_header_value_after_what_ocr_left_of_its_dot_leader(
    text: str, extract: Any, expected: object
) -> None:
    found = extract([TextLine(1, text)])
    assert [c.value for c in found] == [expected] and found[0].confidence < 0.9  # read, less surely


def test_a_long_run_of_leader_noise_may_hold_n_and_i() -> None:
    text = "Date    cccssecssessesseeescnseeseeesaesacceecnaeeeersenses July 24, 2023"
    assert values(find_notice_dates, text) == ["2023-07-24"]


def _with_words(*words: tuple[str, float]) -> TextLine:
    return TextLine(1, " ".join(text for text, _ in words), words=words)


def test_a_date_after_a_leader_ocr_could_not_read_is_the_notice_date() -> None:
    """Office family, noise (OCR kept): the leader read as words OCR scored low; the label and the date are
    judged, not the leader. Words it read surely between them are no leader; a line without its words proves
    nothing."""
    junk = [("Date", 0.56), ("—", 0.47), ("Se", 0.10), ("a", 0.19), ("me", 0.11)]
    date = [("Oct.", 0.96), ("2,", 0.96), ("2026", 0.96)]
    found = find_notice_dates([_with_words(*junk, *date)])
    assert [(c.value, c.rule) for c in found] == [("2026-10-02", "date_after_unread_leader")]
    assert 0.78 < found[0].confidence < 0.85  # the label itself read at 0.56
    read_words = [("Date", 0.9), ("of", 0.95), ("your", 0.95), ("payment", 0.95)]
    assert find_notice_dates([_with_words(*read_words, *date)]) == []
    assert find_notice_dates([TextLine(1, "Date — Se a me Oct. 2, 2026")]) == []


def test_a_tax_year_after_a_leader_ocr_could_not_read_may_end_its_column() -> None:
    """Office fax (OCR kept): the header's copy of the tax year, the next column after it; a year read surely
    in the leader's place is no leader, so the year after it is not the tax year."""
    label, value = (("Tax", 0.95), ("year", 0.88)), ("2021", 0.96)
    leader = (("rrr", 0.10), ("r", 0.0), ("creer", 0.0))
    column = (("Person", 0.95), ("to", 0.95), ("contact", 0.93))
    text = "Tax year rrr r creer 2021    Person to contact"
    found = find_tax_years([TextLine(1, text, words=(*label, *leader, value, *column))])
    assert [(c.value, c.rule) for c in found] == [(2021, "tax_year_after_unread_leader")]
    text = "Tax year 2022    2024    Page 1"
    words = (*label, ("2022", 0.95), ("2024", 0.95), ("Page", 0.95), ("1", 0.95))
    assert [c.value for c in find_tax_years([TextLine(1, text, words=words)])] == [2022]


def test_a_tax_label_whose_year_ocr_garbled_with_its_leader_still_heads_the_year() -> None:
    """Office scan (OCR kept): "TAX. YORE 260i sees ss ... 2023", every word after "TAX." below 0.3; a form
    number is no year, and a word read surely after "Tax" is no leader."""
    leader = (("YORE", 0.26), ("260i", 0.18), ("sees", 0.23), ("ss", 0.0), ("sevens", 0.2))
    garbled = _with_words(("TAX.", 0.8), *leader, ("2023", 0.96))
    [found] = find_tax_years([garbled])
    assert (found.value, found.rule) == (2023, "tax_after_unread_leader") and 0.7 < found.confidence < 0.8
    assert find_tax_years([_with_words(("TAX.", 0.8), *leader, ("1040", 0.96))]) == []
    assert find_tax_years([_with_words(("Tax", 0.9), ("refund", 0.9), ("2023", 0.96))]) == []


def test_an_ssn_mask_after_a_leader_ocr_could_not_read() -> None:
    """Office fax (OCR kept): "SSN r o? nnn-nn-5781", the leader at 0.00: read as surely as its label and
    mask; a word OCR read surely between them is no leader."""
    unread = _with_words(("SSN", 0.87), ("r", 0.0), ("o?", 0.0), ("nnn-nn-5781", 0.85))
    rules = {c.rule: c.confidence for c in find_ssn_last4([unread]) if c.value == "5781"}
    assert rules["ssn_after_unread_leader"] > 0.8 > rules["masked_pattern"]
    read = _with_words(("SSN", 0.87), ("of", 0.9), ("spouse", 0.9), ("nnn-nn-5781", 0.85))
    assert "ssn_after_unread_leader" not in {c.rule for c in find_ssn_last4([read])}


def test_the_last_four_after_a_mask_ocr_could_not_read() -> None:
    """Troff scans (OCR kept): the label, the mask read as words scored below 0.6 or marks, then the last
    four read surely at the end of the cell, a narrow first digit split off or not. A word read surely there
    is no mask; digits that go on are no last four."""
    label = (("Social", 0.95), ("Security", 0.96), ("number:", 0.96))
    masked = _with_words(*label, ("eke", 0.27), ("*k-", 0.05), ("9953", 0.95))
    [found] = find_ssn_last4([masked])
    assert (found.value, found.rule) == ("9953", "ssn_after_unread_mask") and 0.8 < found.confidence < 0.85
    split = _with_words(("Taxpayer", 0.96), ("Identification", 0.95), ("Number:", 0.95), ("oR", 0.36),
                        ("_", 0.70), ("ok", 0.32), ("1", 0.91), ("274", 0.96))  # fmt: skip
    assert [c.value for c in find_ssn_last4([split])] == ["1274"]
    read = _with_words(*label, ("of", 0.95), ("spouse", 0.95), ("9953", 0.95))
    assert find_ssn_last4([read]) == []
    longer = _with_words(*label, ("eke", 0.27), ("*k-", 0.05), ("9953", 0.95), ("12", 0.95))
    assert find_ssn_last4([longer]) == []
    unsure = _with_words(*label, ("XXK-x¥A-", 0.1), ("0527", 0.59))  # troff intake: 5583 printed
    assert find_ssn_last4([unsure]) == []


def test_a_year_split_in_two_ends_its_row_or_column() -> None:
    assert values(find_notice_dates, "Notice date    June 1, 20 12 days later") == []
    assert values(find_notice_dates, "Notice date    April 15, 19 99") == []


def test_an_exactly_spelled_label_whose_leader_ocr_glued_to_it_counts_as_read() -> None:
    """Typed scan (OCR kept): "YEAR" and the leader's dots read at 0.00, the year at 0.94: the label is
    spelled right, so the line is judged by its label and value; a label spelled wrong stays judged by OCR."""
    spelled = _with_words(("TAX", 0.92), ("YEAR", 0.0), ("22222222:", 0.0), ("2022", 0.94))
    [found] = find_tax_years([spelled])
    assert found.value == 2022 and found.confidence > 0.8
    misspelled = _with_words(("TAX", 0.92), ("YEAB", 0.0), ("22222222:", 0.0), ("2022", 0.94))
    assert all(c.confidence < 0.75 for c in find_tax_years([misspelled]))


def test_a_notice_date_label_ocr_garbled_and_doubted() -> None:
    """Typeset scans (OCR kept): "Novice parE" and "Noricr pate", three edits from "Notice date", words OCR
    scored below 0.6: judged by the date. The same garbling read surely is another label; a fourth edit is
    too many."""
    date = (("January", 0.93), ("16,", 0.96), ("2025", 0.96))
    found = find_notice_dates([_with_words(("Novice", 0.07), ("parE", 0.14), *date)])
    assert [(c.value, c.rule) for c in found] == [("2025-01-16", "doubted_label_date")]
    assert 0.75 < found[0].confidence < 0.8
    assert find_notice_dates([_with_words(("Novice", 0.9), ("parE", 0.9), *date)]) == []
    assert find_notice_dates([_with_words(("Netiog", 0.31), ("dite", 0.48), *date)]) == []


def test_header_labels_after_what_ocr_left_of_their_dot_leaders() -> None:
    """Office scan (OCR kept): "FOrM NUMDET" two edits from its label, a caller ID after its leader; a
    sentence's "from number" is no form label; "Type of tax retumn" one edit from its label."""
    leader = "ccsccsscescesseseesecesececeeceaeeseeseseseesseensens"
    assert values(find_forms, f"Holtsville, NY 11742    FOrM NUMDET    {leader} 941") == ["941"]
    assert values(find_forms, "call us from number 941") == []
    assert values(find_forms, "Type of tax retumn:    1040") == ["1040"]
    assert values(find_caller_ids, "Caller ID wo.eecceeeceseseseesescsesesesescscscacaeaeaees 625451") == [
        "625451"
    ]


@pytest.mark.parametrize(
    ("text", "pattern", "printed"),
    [
        pytest.param(
            "CALLER, ID ww cueeensoenacnenes GSLI93", CALLER_ID_PRINTED, True, id="caller-id-leader"
        ),
        pytest.param("Your caller ID is on this notice.", CALLER_ID_PRINTED, False, id="caller-id-sentence"),
        # codex fax (OCR kept): 914797 read as letters, no digit left on the row
        pytest.param("Caller ID: QIATIT", CALLER_ID_PRINTED, True, id="caller-id-all-letters"),
        pytest.param("CALLER ID NUMBER", CALLER_ID_PRINTED, False, id="caller-id-label-words"),
        pytest.param("Caller ID    NOTICE DATE", CALLER_ID_PRINTED, False, id="caller-id-next-label"),
        # a sheaf stack's scan (OCR kept): "Caller ID    230129" garbled label and value alike
        pytest.param("Ralls? ID    2a0i29", CALLER_ID_PRINTED, True, id="caller-id-garbled-label"),
        pytest.param("Employee ID    2314549", CALLER_ID_PRINTED, False, id="employee-id"),
        pytest.param(
            "For assistance call: SO0-S25-0022", IRS_PHONE_PRINTED, True, id="phone-assistance-garbled"
        ),
        pytest.param("FORM    GAL", FORM_LABEL_ALONE, True, id="form-cell-garbled"),
        pytest.param("TAX FORM. 1    L040", FORM_PRINTED, True, id="tax-form-garbled"),
        pytest.param("FORM NUMBER. ee ce et L040", FORM_PRINTED, True, id="form-after-leader-garbled"),
        pytest.param("send us the tax form. We will", FORM_PRINTED, False, id="tax-form-in-a-sentence"),
        pytest.param("FORM YOU SEND US FOR YOUR RECORDS.", FORM_LABEL_ALONE, False, id="form-in-a-sentence"),
        pytest.param("SEND US FORM", FORM_LABEL_ALONE, False, id="form-ending-a-sentence"),
    ],
)
def test_a_header_value_printed_whatever_ocr_made_of_it(text: str, pattern: Any, printed: bool) -> None:
    assert (pattern.search(text) is not None) is printed


def test_what_an_unread_leader_may_not_hold_a_review_found() -> None:
    """A second reader's cases: another date's label whose words OCR scored low, a value read unsurely
    before the next column's (never the leader), a list of years in columns."""
    claim = _with_words(("Date", 0.62), ("of", 0.55), ("claim:", 0.58), ("03/15/2024", 0.95))
    assert find_notice_dates([claim]) == []
    unsure_year = TextLine(1, "Tax year    2O22    2024    Page 1", words=(("Tax", 0.95), ("year", 0.95),
                           ("2O22", 0.45), ("2024", 0.95), ("Page", 0.95), ("1", 0.95)))  # fmt: skip
    assert 2024 not in [c.value for c in find_tax_years([unsure_year])]
    unsure_date = _with_words(("Notice", 0.9), ("date", 0.9), ("Mav", 0.4), ("2O,", 0.45), ("2O24", 0.45),
                              ("June", 0.95), ("19,", 0.95), ("2024", 0.95))  # fmt: skip
    assert "2024-06-19" not in [c.value for c in find_notice_dates([unsure_date])]
    years = TextLine(1, "Tax years    —    2021    2022", words=(("Tax", 0.95), ("years", 0.95), ("—", 0.3),
                     ("2021", 0.95), ("2022", 0.95)))  # fmt: skip
    assert find_tax_years([years]) == []
    dots = (("Notice", 0.96), ("Date", 0.0), ("2222-:", 0.0))  # the leader's dots read as digits
    dots_as_digits = _with_words(*dots, ("MAR.", 0.9), ("31,", 0.96), ("2023", 0.96))
    assert [c.value for c in find_notice_dates([dots_as_digits])] == ["2023-03-31"]


def test_a_sentence_naming_a_label_is_no_leader() -> None:
    assert values(find_notice_dates, "the notice date is set as May 1, 2024") == []
    assert values(find_notice_dates, "Notice date as of 5/10/2024 we show") == []
    assert values(find_tax_years, "Tax year is now 2022") == []


def test_notice_date_ignores_other_dates() -> None:
    assert (
        values(find_notice_dates, "If you paid after May 1, 2024, call us", "Amount due by June 10, 2024")
        == []
    )


def test_contacts() -> None:
    assert values(find_irs_phones, "To contact us    1-800-829-0922") == ["800-829-0922"]
    # a letter's "Contact telephone number:" OCR garbled before "number:" (ream): an IRS line, not any number
    assert values(find_irs_phones, 'Contact =" number: (800) 829-0922') == ["800-829-0922"]
    assert values(find_irs_phones, "Account number: 555-123-4567") == []
    assert values(find_caller_ids, "Your caller ID    4O1234") == ["401234"]
    assert values(find_caller_ids, "Caller ID number    804120") == ["804120"]
    assert values(find_caller_ids, "Your caller ID    5199885") == []  # a fax speck read as a 7th digit
    assert values(find_caller_ids, "Caller ID: 98765") == []
    assert values(find_caller_ids, "Kansas City, MO 64999-0049    Carter ID 122915") == ["122915"]  # 2 edits
    assert values(find_caller_ids, "Caller    827419") == ["827419"]  # its "ID" wrapped away
    assert values(find_caller_ids, "Employer ID 123456", "Filer ID 123456", "Call 123456") == []
    assert values(find_forms, "Tax form 1040") == ["1040"]
    assert values(find_forms, "the tax year (2022) and the form number (1040) on your payment") == ["1040"]
    assert values(find_forms, "year (2022), and the form mumber (1040) on your") == ["1040"]  # one OCR edit
    assert values(find_forms, "your 2023 Form 941. Or complete Form 15103, Form 1040 Return Delinquency") == [
        "941"
    ]
    assert values(find_forms, "This notice is about your 2025 Form.1040. Keep it") == ["1040"]
    assert values(
        find_forms, "the deficiency in your income tax for your 2021 Form", "1040. This letter"
    ) == ["1040"]
    wrapped_title = (
        "your return within 8 weeks. Otherwise complete Form",
        "15103, Form 1040 Return Delinquency.",
    )
    assert values(find_forms, "We have no record that you filed your 2025 Form 941.", *wrapped_title) == [
        "941"
    ]


def test_a_street_type_glued_to_its_unit_is_split() -> None:
    lines = [TextLine(1, t) for t in ("MONICA PRICE", "2423 CEDAR RIDGE PLAPT 9D", "RENO, NV 89501")]
    _, address = find_taxpayer(lines)
    assert address is not None and address.value == "2423 CEDAR RIDGE PL APT 9D, RENO, NV 89501"


def test_a_speck_after_a_whole_name_word_or_ending_the_line_is_dropped_an_initials_period_kept() -> None:
    named = (
        ("JAMES. BRANDT", "JAMES BRANDT"),
        ("PAUL. PRICE", "PAUL PRICE"),
        ("JAMES Q. BRANDT JR.", "JAMES Q. BRANDT JR"),  # nor one ending the line (IRS names have none)
        ("WHITFIELD ROOFING LLC.", "WHITFIELD ROOFING LLC"),
    )
    for printed, read in named:
        name, _ = find_taxpayer([TextLine(1, t) for t in (printed, "12 MAIN ST", "PROVO, UT 84601")])
        assert name is not None and name.value == read


@pytest.mark.parametrize(
    ("street", "read"),
    [
        ("9506 GRANITE. WAY", "9506 GRANITE WAY"),
        ("12 N. MAIN ST.", "12 N. MAIN ST"),
        ("8587 GRANITE LN.", "8587 GRANITE LN"),
    ],
)
def test_a_speck_after_a_whole_street_word_or_ending_the_line_is_dropped(street: str, read: str) -> None:
    lines = [TextLine(1, t) for t in ("MONICA PRICE", street, "PROVO, UT 84601")]
    _, address = find_taxpayer(lines)
    assert address is not None and address.value == f"{read}, PROVO, UT 84601"


@pytest.mark.parametrize(
    ("printed", "near"),
    [
        pytest.param("800-829-1040", "800-829-1040", id="official"),
        pytest.param("800-829-1046", "800-829-1040", id="one-digit-misread"),
        pytest.param("800-328-1640", "800-829-1040", id="three-digits-misread"),
        pytest.param("888-555-0199", None, id="far-from-every-irs-number"),
    ],
)
def test_official_phone_near(printed: str, near: str | None) -> None:
    assert official_phone_near(printed, 3) == near


def test_taxpayer_block_skips_irs_return_address() -> None:
    lines = [
        TextLine(1, t)
        for t in (
            "Department of the Treasury",
            "Internal Revenue Service",
            "Kansas City, MO 64999-0023",
            "JENNIFER AND MARK SULLIVAN        Your caller ID 123456",
            "1201 PRAIRIE LN",
            "LINCOLN NE 68510",
        )
    ]
    name, address = find_taxpayer(lines)
    assert name is not None and address is not None
    assert name.value == "JENNIFER AND MARK SULLIVAN"
    assert address.value == "1201 PRAIRIE LN, LINCOLN, NE 68510"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param(("ANTHONY OSEI", "MARIA OSEI"), "ANTHONY OSEI & MARIA OSEI", id="two-people"),
        pytest.param(("ERIC K", "OKAFOR"), "ERIC K OKAFOR", id="wrapped-name"),
        pytest.param(("NGUYEN AUTO", "REPAIR LLC"), "NGUYEN AUTO REPAIR LLC", id="wrapped-business"),
        pytest.param(("JAMES &", "KAREN SPARROW"), "JAMES & KAREN SPARROW", id="joint-wrapped"),
    ],
)
def test_a_name_on_two_rows(rows: tuple[str, str], expected: str) -> None:
    texts = (
        "Internal Revenue Service",
        "Kansas City, MO 64999-0023",
        *rows,
        "3651 BIRCH LN",
        "EUGENE, OR 97401",
    )
    name, _ = find_taxpayer([TextLine(1, text) for text in texts])
    assert name is not None and name.value == expected


def test_billing_summary_rows_before_total() -> None:
    lines = [
        TextLine(1, t)
        for t in (
            "Billing Summary",
            "Tax you owed     $5,000.00",
            "Failure-to-pay penalty    100.00",
            "Payments   -$800.00",
            "Interest charges   $81.72",
            "Amount due by June 10, 2024   $4,381.72",
        )
    ]
    rows = find_billing_lines(lines)
    assert [str(amount) for _, amount in rows] == ["5000.00", "100.00", "-800.00", "81.72"]


def test_billing_row_whose_leaders_ocr_turned_to_junk_is_printed_but_not_read() -> None:
    lines = [
        TextLine(1, t)
        for t in (
            "penalties and interest on your 2023 Form 1040.    Billing Summary",
            "If you already paid    Taxyouowed~~—~—~—~C~CS~*«~‘“sSstS    C$ 7,946.94",  # was $17,946.94
            "21 days or made payment arrangements    Additional interest charges    558.10 :",
            "miscalculation. As a result, you owe $5,132.81.",  # a sentence, not a row
            "disregard this notice.    Amount due by August 23, 2024    $19,204.08",
        )
    ]
    assert [(label, amount and str(amount)) for label, amount in find_billing_lines(lines)] == [
        ("Taxyouowed", None),
        ("Additional interest charges", "558.10"),
    ]


def test_rows_of_a_right_hand_summary_that_ocr_garbled_keep_a_whole_amount_for_the_arithmetic() -> None:
    """Beside the paragraph: a label OCR glued and doubled its amount, a label OCR set on the next line (read
    with the amounts: the arithmetic checks them), a label whose leaders ate every digit (printed, not read),
    and the paragraph's own sentence with an amount (no row)."""
    lines = [
        TextLine(1, t)
        for t in (
            "Our records show you have unpaid taxes and/or    Billing Summary",
            "penalties and interest on your 2024.    Previousbalance. halanes    $7,625.49 $7.625.49",
            "2024. If you don't pay $22,651.60 or make payment    797.80",
            "Failure-to-pay penalty",
            "poe $3,458.21. .    Taxyouowed    ~—~—CS«é«*«<Cs~S~*~S«SS B.A",
            "December 31, 2022. If you don't pay $5,294.80",
            "days or made payment arrangements, please disregard    Interest charges    225 .33",
            "this notice.    Amount due by February 14, 2026    $7,772.55",
        )
    ]
    assert [(label, amount and str(amount)) for label, amount in find_billing_lines(lines)] == [
        ("Previousbalance. halanes", "7625.49"),
        ("", "797.80"),
        ("Taxyouowed", None),
        ("Interest charges", "225.33"),
    ]


def test_a_billing_amount_whose_point_ocr_lost_is_read_for_the_arithmetic_to_check() -> None:
    lines = [
        TextLine(1, t)
        for t in (
            "Billing summary    Amount", "Tax on your return    24,157.22", "Penalty for paying late  237.63",
            "Interest    277 32", "Additional penalty charges    2,311 89]", "Page    2024 10",
            "Total amount due    $26,984.06",
        )
    ]  # fmt: skip
    assert [(label, str(amount)) for label, amount in find_billing_lines(lines)] == [
        ("Tax on your return", "24157.22"),
        ("Penalty for paying late", "237.63"),
        ("Interest", "277.32"),
        ("Additional penalty charges", "2311.89"),  # the table's rule after it (forme)
    ]


def test_a_billing_amount_ocr_garbled_in_its_own_cell_is_printed_not_read() -> None:
    """codex: the amount cells of "Tax you owed" and "Interest charges" read as junk with a digit in it: the
    rows are there, unread, so the arithmetic neither passes nor fails on the rows it did read."""
    lines = [
        TextLine(1, t)
        for t in (
            "Billing Summary", "Tax you owed    ZT? 9S", "Payments and credits    (228.44)",
            "Failure-to-file penalty    50.71", "Interest sharges    LY 4B", "Amount you owe    $130.42",
        )
    ]  # fmt: skip
    assert [(label, amount and str(amount)) for label, amount in find_billing_lines(lines)] == [
        ("Tax you owed", None),
        ("Payments and credits", "-228.44"),
        ("Failure-to-file penalty", "50.71"),
        ("Interest sharges", None),
    ]


def test_a_cp2000_interest_row_dated_in_its_label_with_its_amount_garbled_is_printed_not_read() -> None:
    """gazette: "Interest - if paid by July 19, 2026    T4775" (11.75): the date in the label is no amount."""
    lines = [
        TextLine(1, t)
        for t in (
            "Billing summary", "2024 Tax increase    994.51",
            "Penalties - may not include all applicable penalties    198.90",
            "Interest - if paid by July 19, 2026    T4775", "Amount due    $1,205.16",
        )
    ]  # fmt: skip
    assert [(label, amount and str(amount)) for label, amount in find_billing_lines(lines)][-1] == (
        "Interest - if paid by July 19, 2026",
        None,
    )


def test_a_column_heading_joined_to_the_amount_under_it_is_not_a_billing_row() -> None:
    lines = [
        TextLine(1, "Amount due summary"),
        TextLine(1, "Description    Amount"),
        TextLine(1, "Amount    $4,942.61", stacked=True),  # the heading read with the value below it
        TextLine(1, "Tax you owed    $4,942.61"),
        TextLine(1, "Payments you made    -$2,891.23"),
        TextLine(1, "Balance due    $2,051.38"),
    ]
    assert [(label, str(amount)) for label, amount in find_billing_lines(lines)] == [
        ("Tax you owed", "4942.61"),
        ("Payments you made", "-2891.23"),
    ]


def test_billing_summary_without_total_is_ignored() -> None:
    assert find_billing_lines([TextLine(1, "Billing Summary"), TextLine(1, "Tax you owed $5.00")]) == []


@pytest.mark.parametrize(("token", "expected"), [("2O24", "2024"), ("l5", "15"), ("S0B", "508")])
def test_repair_digits(token: str, expected: str) -> None:
    assert repair_digits(token) == expected


def test_billing_summary_in_the_right_hand_column() -> None:
    lines = [
        TextLine(1, t)
        for t in (
            "Our records show you have unpaid taxes    Billing Summary",
            "Previous balance    $17,677.42",
            "If you already paid your balance in full within the last 21    Failure-to-pay penalty    785.37",
            "days or made payment arrangements, please disregard this    Interest charges    457.35",
            "notice. Payments we received after May 20, 2026 may not    Amount due by",
        )
    ]
    assert [(label, str(amount)) for label, amount in find_billing_lines(lines)] == [
        ("Previous balance", "17677.42"),
        ("Failure-to-pay penalty", "785.37"),
        ("Interest charges", "457.35"),
    ]


def test_billing_summary_in_the_left_hand_column_with_credits_in_every_style() -> None:
    """The panel on the right shares the summary's rows; a credit as "CR" or in parentheses with a speck."""
    lines = [
        TextLine(1, t)
        for t in (
            "Billing summary",
            "Tax you owed    $20,791.67    2020",
            "Payments you made    $15,388.91 CR    Your caller ID",
            "“Payments and credits    ($379.52).",
            "Failure-to-file penalty    $5,049.22    (800) 829-0922",
            "Total amount due    $10,075.46",
        )
    ]
    assert [(label, str(amount)) for label, amount in find_billing_lines(lines)] == [
        ("Tax you owed", "20791.67"),
        ("Payments you made", "-15388.91"),
        ("Payments and credits", "-379.52"),
        ("Failure-to-file penalty", "5049.22"),
    ]


def test_a_row_with_an_amount_in_a_cell_left_out_is_no_billing_row() -> None:
    rows = ("Billing summary", "Tax you owed    $1,000.00    $1,200.00", "Total amount due    $1,200.00")
    assert find_billing_lines([TextLine(1, t) for t in rows]) == []


def test_only_a_capital_cr_after_an_amount_makes_it_a_credit() -> None:
    assert parse_amount("$5,181.72 CR") == Decimal("-5181.72")
    assert values(find_amounts_due, "Amount due    $5,181.72 cr") == ["5181.72"]


def test_tax_year_from_the_stub_instruction_and_a_wrapped_period() -> None:
    assert values(find_tax_years, "Write your SSN, the tax year (2023), and the form number") == [2023]
    assert 2025 in values(find_tax_years, "unpaid taxes for the tax year ending", "December 31, 2025.")


def test_deadline_split_by_a_wrap() -> None:
    lines = [
        TextLine(1, "no record of your return. File your tax return by November 30,"),
        TextLine(1, "2025."),
    ]
    assert [(c.value, c.kind) for c in find_deadlines(lines)] == [("2025-11-30", "printed")]


def test_window_wrapped_beside_another_column() -> None:
    """The paragraph wraps in the left column while rows of the billing summary beside it come between
    (their own row, or the same row after a wide gap)."""
    lines = [
        TextLine(
            1,
            "refund. Contact us within 60 days from the date of this    Refund you requested",
            (50, 500, 900, 20),
        ),
        TextLine(1, "Change to your refund    -436.44", (1000, 512, 400, 20)),
        TextLine(1, "notice.", (50, 525, 80, 20)),
    ]
    assert [(c.value, c.kind) for c in find_deadlines(lines)] == [(60, "computed")]


def test_a_window_whose_wrapped_last_word_ocr_garbled_still_counts_from_the_notice_date() -> None:
    lines = [
        TextLine(
            1,
            "refund. Contact us within 60 days from the date of this    Refund you requested",
            (50, 500, 900, 20),
        ),
        TextLine(1, "NOWEE.    Change to your refund    -264.03", (50, 525, 900, 20)),
    ]
    [window] = find_deadlines(lines)
    assert (window.value, window.kind, window.rule) == (
        60,
        "computed",
        "window_cut",
    ) and window.confidence < 0.9


def test_a_letters_sentence_with_the_amount_before_its_date_and_a_wrapped_petition() -> None:
    pay = [TextLine(1, "Pay the amount you owe, $2,609.66, by 09/22/2025.")]
    petition = [
        TextLine(1, "If you disagree, you can file a petition with the United States", (50, 500, 900, 20)),
        TextLine(1, "Tax Court by 09/22/2025.", (50, 530, 300, 20)),
    ]
    assert [c.value for c in find_deadlines(pay)] == ["2025-09-22"]
    assert [(c.value, c.rule) for c in find_deadlines(petition)] == [("2025-09-22", "petition_date")]


def test_a_window_the_irs_never_gives_is_a_doubtful_reading() -> None:
    """A fax read "within 30 days" as "within 39 days": kept, but below any threshold a result passes at."""
    [usual, odd] = (
        find_deadlines([TextLine(1, f"within {days} days of the date of this letter")])[0]
        for days in (30, 39)
    )
    assert odd.value == 39 and odd.confidence < 0.6 < usual.confidence


def test_no_wrap_into_a_row_far_below() -> None:
    lines = [
        TextLine(1, "within 30 days from the date of this", (50, 500, 900, 20)),
        TextLine(1, "notice", (50, 700, 80, 20)),
    ]
    assert [c.rule for c in find_deadlines(lines)] == ["window_cut"]  # not joined: only the cut sentence


def test_a_zip_read_as_a_row_of_its_own_beside_the_city_completes_the_block() -> None:
    lines = [
        TextLine(1, "JAMES OSEI", (296, 596, 249, 36)),
        TextLine(1, "Contact telephone number: 1-800-829-0922", (1419, 629, 783, 35)),
        TextLine(1, "7621 MAPLE CT", (302, 645, 318, 29)),
        TextLine(1, "58102-1584    Contact hours:", (541, 682, 1136, 40)),
        TextLine(1, "FARGO, ND", (302, 692, 222, 34)),
    ]
    name, address = find_taxpayer(lines)
    assert name is not None and name.value == "JAMES OSEI"
    assert address is not None and address.value == "7621 MAPLE CT, FARGO, ND 58102-1584"
    far_below = [
        *lines[:3],
        TextLine(1, "FARGO, ND", (302, 692, 222, 34)),
        TextLine(1, "58102", (541, 900, 120, 34)),
    ]
    assert find_taxpayer(far_below) == (None, None)


def test_stray_name_word_beside_a_tilted_name() -> None:
    """A tilted fax read "JASON & JAMES BRANDT" as two rows, "BRANDT" a little above the rest."""
    lines = [
        TextLine(1, "BRANDT    Your caller ID    156771", (520, 600, 1500, 40)),
        TextLine(1, "JASON & JAMES", (220, 630, 290, 40)),
        TextLine(1, "325 HIGHLAND WAY", (220, 680, 330, 40)),
        TextLine(1, "AKRON, OH 44308", (220, 730, 320, 40)),
    ]
    name, _ = find_taxpayer(lines)
    assert name is not None and name.value == "JASON & JAMES"
    assert stray_name_word(lines, name) == "BRANDT"


def test_a_label_beside_a_tilted_name_is_no_stray_name_word() -> None:
    """forme: "SSN    XXX-XX-9653" printed right of the name's row, a little above it."""
    lines = [
        TextLine(1, "SSN    XXX-XX-9653", (1299, 402, 1061, 29)),
        TextLine(1, "ROBERT T YAMADA    Phone    1-800-829-0922", (184, 456, 2176, 62)),
        TextLine(1, "6752 WILLOW WAY    Caller ID number    507876", (182, 516, 2179, 43)),
        TextLine(1, "EUGENE, OR 97401", (184, 575, 359, 32)),
    ]
    name, _ = find_taxpayer(lines)
    assert name is not None and name.value == "ROBERT T YAMADA"
    assert stray_name_word(lines, name) is None


def test_no_stray_name_word_beside_a_straight_block() -> None:
    lines = [
        TextLine(1, "JASON & JAMES BRANDT    Your caller ID    156771", (220, 630, 1800, 40)),
        TextLine(1, "325 HIGHLAND WAY    Page 1 of 4", (220, 680, 1800, 40)),
        TextLine(1, "AKRON, OH 44308", (220, 730, 320, 40)),
    ]
    name, _ = find_taxpayer(lines)
    assert name is not None and stray_name_word(lines, name) is None


@pytest.mark.parametrize(
    ("text", "is_revision"),
    [
        pytest.param(
            "This is a revised CP2000. It replaces the notice we sent you earlier:", True, id="sentence"
        ),
        pytest.param("Thls is a revlsed notice.", True, id="ocr-noise"),
        pytest.param("REVISED NOTICE", True, id="heading"),
        pytest.param("Revised proposal    Response form", True, id="response-page-heading"),
        pytest.param("It replaces the CP2000 we sent you on May 5, 2025.", True, id="replaced-named"),
        pytest.param(
            "we'll send you a revised CP2000 with a new proposed tax calculation", False, id="announced"
        ),
        pytest.param("Notice CP2000A    Tax year 2023", False, id="series-code"),
        pytest.param("Form 1040 (Rev. 7-2023)", False, id="form-revision-date"),
        pytest.param("If you filed a revised return, don't file it again.", False, id="other-revision"),
    ],
)
def test_revision_marker(text: str, is_revision: bool) -> None:
    assert bool(find_revision_markers([TextLine(1, text)])) is is_revision


@pytest.mark.parametrize(
    ("name", "glued"),
    [
        ("ANGELAAND JAMES OKAFOR", "ANGELAAND"),
        ("ROLAND JAMES OKAFOR", "ROLAND"),  # a name, or OCR's join: a person must tell
        ("ANGELA AND JAMES OKAFOR", None),
        ("JAMES HOLLAND", None),  # a surname ends in AND: no one is joined to it
        ("SUSAN & LAURA ABERNATHY", None),
        ("STRAND DENTAL GROUP CO", None),
    ],
)
def test_a_first_name_with_a_glued_and_is_doubted(name: str, glued: str | None) -> None:
    assert glued_connector(name) == glued


def test_a_block_whose_city_ocr_lost_is_still_a_printed_block() -> None:
    """ "SAVANNAH," lost: the name and address are printed but unread, never silently absent."""
    rows = [
        "SUSAN ELLISON    Employee identification",
        "5402 FOXGLOVE BLVD APT 14A",
        "GA 31401-2113    Telephone",
    ]
    lines = [TextLine(1, text) for text in rows]
    assert find_taxpayer(lines) == (None, None) and has_address_block(lines)
    assert not has_address_block([TextLine(1, "Form 1040"), TextLine(1, "GA 31401-2113")])


def test_a_joint_block_with_header_rows_between_its_rows_and_an_in_care_of_row() -> None:
    """A web notice: the header column's rows fall between the block's rows, and "C/O ..." joined to the
    street under it (a stacked reading, not a printed row) must not stand in for a block row."""
    rows = [
        ("KAREN RAMIREZ", (180, 440, 353, 30), False),
        ("Notice date    Mar. 6, 2024", (1559, 468, 769, 36), False),
        ("TERESA RAMIREZ", (178, 494, 368, 31), False),
        ("Tax year    2021", (1558, 526, 625, 40), False),
        ("C/O HARTMAN & ASSOCIATES", (179, 550, 612, 30), False),
        ("C/O HARTMAN & ASSOCIATES    3117 PRAIRIE PL", (179, 550, 612, 30), True),
        ("3117 PRAIRIE PL    Taxpayer ID number    XXX-XX-7538", (179, 582, 2192, 53), False),
        ("To contact us    (800) 829-0922", (1558, 640, 812, 39), False),
        ("RENO, NV 89501", (180, 660, 317, 36), False),
    ]
    name, address = find_taxpayer([TextLine(1, text, box, stacked=stacked) for text, box, stacked in rows])
    assert name is not None and address is not None
    assert (name.value, address.value) == (
        "KAREN RAMIREZ & TERESA RAMIREZ",
        "3117 PRAIRIE PL, RENO, NV 89501",
    )


def test_a_block_printed_right_of_the_headers_labels_and_values_is_read() -> None:
    """Codex family, a scan: the block stands right of a column of "Label:    value" rows, each of its rows
    the right segment of a header row; read from the left segments, no block was found."""
    rows = [
        ("Date of this Notice:    October 6, 2023    4537 2806858 9317273681", (330, 600, 2000, 40)),
        ("Taxpayer Identifying Number: XXX-XX-2456    SUSAN OSEI", (330, 650, 2000, 40)),
        ("Tax Year:    2021    6592 MAPLE TER APT 1B", (330, 700, 2000, 40)),
        ("Tax Form:    1040    MOBILE, AL 36602-5429", (330, 750, 2000, 40)),
    ]
    name, address = find_taxpayer([TextLine(1, text, box) for text, box in rows])
    assert name is not None and address is not None
    assert (name.value, address.value) == ("SUSAN OSEI", "6592 MAPLE TER APT 1B, MOBILE, AL 36602-5429")


def test_a_block_right_of_the_header_whose_city_row_stands_alone_is_read() -> None:
    """Codex family: the header's rows end before the block's last one, so its city row is a row of its own
    at the block's left edge; the rows above it start at the header's."""
    rows = [
        ("Notice Number:    CP09", (234, 458, 566, 26)),
        ("Date of this Notice:    02/10/2023    GREGORY AND JASON WHITFIELD", (234, 505, 1857, 26)),
        ("Taxpayer Identifying Number: nnn-nn-6095    7368 ASPEN AVE", (232, 551, 1539, 45)),
        ("RALEIGH, NC 27601", (1490, 596, 330, 30)),
        ("Tax Period:    2021-12-31", (232, 615, 656, 25)),
    ]
    name, address = find_taxpayer([TextLine(1, text, box) for text, box in rows])
    assert name is not None and address is not None
    assert (name.value, address.value) == ("GREGORY AND JASON WHITFIELD", "7368 ASPEN AVE, RALEIGH, NC 27601")


@pytest.mark.parametrize("street_alone", [False, True])
def test_a_block_right_of_the_header_whose_rows_share_the_header_s_is_read(street_alone: bool) -> None:
    """ream: the header's cells stacked down the left share rows with the block on the right; its name row
    (and perhaps its street) stands alone within the width of the city row, and a header cell ("Notice date
    Aug. 15, 2025") may fall between its rows."""
    rows = [
        ("Notice    CP14", (228, 388, 963, 32)),
        ("DAVID WHITFIELD & LINDA WHITFIELD", (1311, 474, 726, 32)),
        ("Notice date    Aug. 15, 2025", (228, 490, 963, 32)),
        ("8115 SYCAMORE BLVD", (1311, 510, 380, 32))
        if street_alone
        else ("Tax year    2022    8115 SYCAMORE BLVD", (225, 508, 1517, 40)),
        ("Taxpayer ID number    XXX-XX-5616    DES MOINES, IA 50309", (225, 556, 1511, 52)),
    ]
    name, address = find_taxpayer([TextLine(1, text, box) for text, box in rows])
    assert name is not None and address is not None
    assert (name.value, address.value) == (
        "DAVID WHITFIELD & LINDA WHITFIELD",
        "8115 SYCAMORE BLVD, DES MOINES, IA 50309",
    )


@pytest.mark.parametrize(
    "care_of", ["% PETERSEN & ASSOCIATES", "C/O YAMADA CPA GROUP", "IN CARE OF MERCER CPA"]
)
def test_an_in_care_of_row_is_neither_name_nor_address(care_of: str) -> None:
    rows = ["HOLLOWAY CONSULTING LLC", care_of, "2453 SUMMIT BLVD", "DES MOINES, IA 50309"]
    name, address = find_taxpayer(
        [TextLine(1, text, (275, 800 + 52 * i, 600, 39)) for i, text in enumerate(rows)]
    )
    assert name is not None and address is not None
    assert (name.value, address.value) == (
        "HOLLOWAY CONSULTING LLC",
        "2453 SUMMIT BLVD, DES MOINES, IA 50309",
    )


@pytest.mark.parametrize(
    ("officer", "care_of"),
    [
        pytest.param("ELENA MERCER SOLE MBR", None, id="sole-member"),
        pytest.param("ERIC ELLISON GEN PTR", "% HOLLOWAY ENROLLED AGENT", id="partner-and-in-care-of"),
        pytest.param(
            "ATTN JAMES PETERSEN TREASURER", "C/O KOWALSKI TAX SERVICE", id="attention-and-in-care-of"
        ),
    ],
)
def test_a_business_block_names_the_business_not_its_officer(officer: str, care_of: str | None) -> None:
    rows = ["MERCER PLUMBING INC", officer, *([care_of] if care_of else []), "4830 OAK HOLLOW AVE"]
    rows.append("DAYTON, OH 45402")
    name, address = find_taxpayer(
        [TextLine(1, text, (250, 591 + 57 * i, 560, 51)) for i, text in enumerate(rows)]
    )
    assert name is not None and address is not None
    assert (name.value, address.value) == ("MERCER PLUMBING INC", "4830 OAK HOLLOW AVE, DAYTON, OH 45402")


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param(
            ["MONICA WHITFIELD", "113 FOXGLOVE TER", "DES MOINES, !A 50309"],
            ("MONICA WHITFIELD", "113 FOXGLOVE TER, DES MOINES, IA 50309"),
            id="state-glyph",
        ),
        pytest.param(
            ["ANGELA & GREGORY OSE!", "3539 PRAIRIE RD", "DAYTON, OH 45402"],
            ("ANGELA & GREGORY OSEI", "3539 PRAIRIE RD, DAYTON, OH 45402"),
            id="name-i-as-bang",
        ),
        pytest.param(
            ["LINDA OSE|", "3328 ASPEN ST", "ANN ARBOR, MI 48104"],
            ("LINDA OSEI", "3328 ASPEN ST, ANN ARBOR, MI 48104"),
            id="name-i-as-bar",
        ),
    ],
)
def test_a_block_with_glyphs_ocr_misread_for_an_i(rows: list[str], expected: tuple[str, str]) -> None:
    name, address = find_taxpayer(
        [TextLine(1, text, (303, 597 + 53 * i, 450, 30)) for i, text in enumerate(rows)]
    )
    assert name is not None and address is not None
    assert (name.value, address.value) == expected


def test_a_state_glyph_is_read_as_the_one_state_whose_zip_codes_hold_the_zip() -> None:
    def state(city_row: str) -> str | None:
        rows = ["MONICA WHITFIELD", "113 FOXGLOVE TER", city_row]
        _, address = find_taxpayer(
            [TextLine(1, text, (303, 597 + 53 * i, 450, 30)) for i, text in enumerate(rows)]
        )
        return address.value.split(", ")[-1] if address else None

    assert state("BATON ROUGE, lA 70801") == "LA 70801"  # l: I or L; only Louisiana's ZIPs hold 708
    assert state("DES MOINES, 1A 50309") == "IA 50309"
    assert state("AKRON, 0H 44308") == "OH 44308"
    assert state("NEW YORK, lA 10001") is None  # neither IA nor LA: not guessed


def test_a_zip_outside_its_state_is_a_misread_to_look_at() -> None:
    assert zip_outside_state("6829 SUMMIT CT APT 37A, FARGO, ND 38102") == "ND 38102 is no ZIP of that state"
    assert zip_outside_state("4302 GRANITE PL, BOISE, LD 83702") == "LD is no state"  # a fax's ID
    for address in ("6829 SUMMIT CT, FARGO, ND 58102-1762", "1 MAIN ST, ANN ARBOR, MI 48104", "X, NY 00501"):
        assert zip_outside_state(address) is None


def test_a_unit_read_with_letters_for_its_digits_is_a_misread_to_look_at() -> None:
    assert confusable_unit("1663 WILLOW BLVD APT ID, BOISE, ID 83702") == "unit 'ID' may be 1D"
    assert confusable_unit("8 ELM ST STE IO, X, NY 10001") == "unit 'IO' may be 10"
    for address in ("1663 WILLOW BLVD APT 1D, BOISE, ID 83702", "8 ELM ST APT B, X", "8 OAK ST UNIT 12, X"):
        assert confusable_unit(address) is None


def test_a_name_word_glued_to_another_of_the_name_is_doubted() -> None:
    assert glued_name_word("LINDAABERNATHY & ROBERT ABERNATHY") == "LINDAABERNATHY"
    for name in ("LINDA ABERNATHY & ROBERT ABERNATHY", "ANN JOHANN", "MARK DENMARK", "ROSE ROSEN"):
        assert glued_name_word(name) is None


@pytest.mark.parametrize(
    ("word", "likely"),
    [
        pytest.param("ERTC", "ERIC", id="a-letter-changed"),
        pytest.param("DIANAA", "DIANA", id="an-initial-glued-on"),
        pytest.param("GREGRY", "GREGORY", id="a-letter-dropped"),
        pytest.param("MAIRA", "MARIA", id="neighbours-swapped"),
        pytest.param("DIANNA", None, id="listed-itself"),
        pytest.param("MARTA", "MARIA", id="listed-but-a-letter-from-a-far-commoner-name"),
        pytest.param("ERIN", None, id="listed-and-its-neighbours-not-far-commoner"),
        pytest.param("KHALID", None, id="no-edit-from-a-listed-name"),
        pytest.param("LAURAAND", None, id="two-edits"),
    ],
)
def test_a_word_one_edit_from_a_common_given_name_names_it(word: str, likely: str | None) -> None:
    assert misread_name_of(word) == likely


def test_the_most_common_of_several_near_names_is_the_likely_one() -> None:
    names = given_names()
    assert names.index("DIANA") < names.index("DIANNA")  # "DIANAA" is one edit from both
    assert misread_name_of("DIANAA") == "DIANA"


def test_the_given_name_list_states_its_source_and_holds_common_names_only() -> None:
    header = GIVEN_NAMES_PATH.read_text(encoding="utf-8").split("\n")[:10]
    assert any("US Census Bureau, 1990" in line for line in header) and all(
        line.startswith("#") for line in header[:6]
    )
    names = given_names()
    assert len(names) == len(set(names)) == 2116
    assert names[:3] == ("JAMES", "JOHN", "ROBERT") and all(
        name.isalpha() and name.isupper() for name in names
    )
    assert {"ERIC", "DIANA", "MARIA", "OSCAR"} <= set(names) and "KHALID" not in names


def test_a_billing_row_whose_leaders_ocr_read_as_words_keeps_an_amount_with_its_dollar_sign() -> None:
    rows = (
        "Billing summary",
        "Amount you owed watcha ne ac enaeruaenateeseuyensnney temanecs wens scesuaen snus    $16,716.31",
        "Failure-to-pay pemalty    c.ccccscsssssessssessssesesessescsusscsesessesesessesesecuesese    $",
        "Failure-to-pay pemalty 0.0    ccesscesessesccssececscesecessenseeessecaeenesseceae"
        "eseeecesecaeeenseeseaeeneeasees    $74.27",
        "THCGEESE CHARGES wassecevsesvseceesesnseensroreseccsuxcencaxerersencesesenn    $244.11",
        # no dollar sign, or one apart from the digits: a digit may have gone to the leaders
        "Interest charges ~~—~—~~~«~ uaenateeseuyensnney temanecs wens scesuaen snus waar    $ 1,283.22",
        "Interest charges ecuesesesueseseseesesesesueseseeuese ceuaaa ss ce uanaesceeusa    1,283.22",
        "Amount due    $18,216.58",
    )
    assert find_billing_lines([TextLine(1, t) for t in rows]) == [
        ("Amount you owed", Decimal("16716.31")),
        ("Failure-to-pay pemalty 0.0", Decimal("74.27")),
        ("THCGEESE CHARGES", Decimal("244.11")),
        ("Interest charges", None),
        ("Interest charges ecuesesesueseseseesesesesueseseeuese ceuaaa ss ce uanaesceeusa", None),
    ]


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("Internal Revenue Service    Tax return Form 1040 for 2021", 2021),
        ("This notice is about your Form 1040 for 2024.", 2024),
        ("This notice is about your taxes for 2022.", 2022),
        ("Tax period    Form 941, quarter ending 09/30/2024", 2024),
        ("This letter is about your Form 941, quarter ending 09/30/2024.", 2024),
        ("This notice is about the tax period ending Dec. 31, 2021.", 2021),
        ("This notice is about the tax period ending 06/30/2022.", 2022),
        ("This letter is about your tax return for the tax period ending 12/31/2024.", 2024),
        ("This letter is about your Form 941 return for the tax period ending September 30, 2023.", 2023),
        ("This letter is about your return for the tax period ending Dec. 31, 2022.", 2022),  # sheaf
        ("‘fax year    2023", 2023),  # sheaf scan (OCR kept): a speck before "Tax" read as a quote, T as f
    ],
)
def test_a_tax_year_named_by_its_return_or_quarter(text: str, year: int) -> None:
    assert values(find_tax_years, text) == [year]


def test_a_year_glued_to_the_number_after_it_is_no_year() -> None:
    """sheaf scan (OCR kept): "December 31, 2025" run into the address beside it read "December 31, 202337":
    no period, so the label is a value printed but unread, never 2023."""
    line = TextLine(page=1, text="Tax period    December 31, 202337 witLow TER")
    assert find_tax_years([line]) == []
    assert values(find_notice_dates, "Notice date    03/14/20251") == []


def test_a_body_year_a_garbled_headers_cell_repeats_is_as_sure_as_the_cell() -> None:
    """scroll scans (OCR kept): the header's "Tax year:" garbled to "Jeaeett", its 2021 beside it, and the
    body's "for tax year 2021": sure together; alone, or beside another year, the body's mention stays
    unsure."""
    header = TextLine(page=1, text="Jeaeett    2021")
    body = TextLine(page=1, text="This notice tells you about a change to your account for tax year 2021.")
    [alone] = find_tax_years([body])
    [confirmed] = find_tax_years([header, body])
    assert alone.confidence < 0.75 < confirmed.confidence
    [other] = find_tax_years([TextLine(page=1, text="Jeaeett    2022"), body])
    assert other.confidence == alone.confidence


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("This letter is about your Form 1040 return for tax year 2023. When you call, give us", 2023),
        ("This letter is about your tax return for tax year 2024.", 2024),
    ],
)
def test_the_letters_own_statement_of_its_tax_year_is_as_sure_as_a_label(text: str, year: int) -> None:
    """vellum's letters name their year only there; "for tax year" elsewhere in prose stays unsure (a CP49
    names the year it took a refund from too)."""
    surest = max(find_tax_years([TextLine(page=1, text=text)]), key=lambda c: c.confidence)
    assert (surest.value, surest.rule) == (year, "return_named") and surest.confidence >= 0.9


def test_a_form_for_a_year_elsewhere_in_a_sentence_or_for_several_years_is_no_tax_year() -> None:
    assert values(find_tax_years, "We received your Form 1040 for 2023 on May 1, 2024.") == []
    assert values(find_tax_years, "This notice is about your taxes for 2022 and 2023.") == []
    assert values(find_tax_years, "This notice is about your Form 1040 for 2021, 2022 and 2023.") == []
    both = "This notice is about the tax period ending 12/31/2021 and 12/31/2022."
    assert values(find_tax_years, both) == []


def test_a_speck_between_a_billing_label_and_its_amount_is_not_the_rows_label() -> None:
    """A typeset fax: the credit's minus sign read as "Se"; read by its label, the credit still lowers the
    balance and the summary adds up."""
    rows = (
        "Billing summary",
        "Previous balance    $1,636.72",
        "Credits and payments    Se    $855.18",
        "Interest    $82.59",
        "AMOUNT YOU OWE    $864.13",
    )
    lines = find_billing_lines([TextLine(1, t) for t in rows])
    assert [billing_role(label) for label, _ in lines] == [
        BillingRole.PREVIOUS_BALANCE,
        BillingRole.CREDIT,
        BillingRole.INTEREST,
    ]


def test_a_speck_after_the_city_is_not_part_of_it() -> None:
    rows = ["RACHEL J HOLLOWAY", "2460 SYCAMORE WAY APT 16D", "MOBILE., AL 36602"]
    _, address = find_taxpayer([TextLine(1, t) for t in rows])
    assert address is not None and address.value == "2460 SYCAMORE WAY APT 16D, MOBILE, AL 36602"
    _, address = find_taxpayer([TextLine(1, t) for t in ["JOHN DOE", "12 MAIN ST", "ST. LOUIS, MO 63101"]])
    assert address is not None and address.value == "12 MAIN ST, ST. LOUIS, MO 63101"


def test_a_caller_id_label_ending_a_row_of_labels_is_a_caller_id_printed() -> None:
    row = "NOTICE DATE    TAX RETURN    SocraAL SECURITY NUMBER CALLER ID"  # glued to the cell before it
    assert CALLER_ID_LABEL_ALONE.search(row) is not None
    assert CALLER_ID_LABEL_ALONE.search("Please have this notice and your caller ID") is None


def test_a_speck_before_the_state_is_dropped_when_the_zip_is_that_states() -> None:
    rows = ["DENNIS ELLISON & KAREN ELLISON", "9560 GRANITE ST"]
    _, address = find_taxpayer([TextLine(1, t) for t in [*rows, "LINCOLN, INE 68510"]])
    assert address is not None and address.value == "9560 GRANITE ST, LINCOLN, NE 68510"
    _, address = find_taxpayer([TextLine(1, t) for t in [*rows, "INDIANAPOLIS, INE 46204"]])
    assert address is None  # IN or NE and a speck: the ZIP is not NE's, nothing is guessed
    _, address = find_taxpayer([TextLine(1, t) for t in [*rows, "RENO, ' NV 89501"]])  # a speck alone
    assert address is not None and address.value == "9560 GRANITE ST, RENO, NV 89501"
    _, address = find_taxpayer([TextLine(1, t) for t in [*rows, "RENO, ' NY 89501"]])
    assert address is None  # not NY's ZIP


def test_billing_rows_whose_noise_glued_a_speck_to_the_amount_or_a_dash_before_the_label() -> None:
    """Noise on a scanned billing summary (press family, OCR kept): the amounts are whole, the specks are not
    theirs; a sentence's full stop still makes no row, and "Paymentdecrease" (words glued) adds to the
    balance."""
    lines = [
        TextLine(1, t)
        for t in (
            "Billing summary    Tax period ending",
            "Tax you owed    $21,109.95",
            "-Failure-to- -pay penalty    $320. 95°    Phone",
            "Interest charged    $1, 416. 60.    1-800-829-4933",
            "As a result, you owe $5,132.81.",
            "We applied the payment of $500.00.    Failure-to-pay",
            "‘Paymentdecrease    $3,887.85",
            "Amount you owe    $26,561.75",
        )
    ]
    rows = find_billing_lines(lines)
    assert [(label, str(amount)) for label, amount in rows] == [
        ("Tax you owed", "21109.95"),
        ("Failure-to- -pay penalty", "320.95"),
        ("Interest charged", "1416.60"),
        ("Paymentdecrease", "3887.85"),
    ]
    assert [billing_role(label) for label, _ in rows][-1] is BillingRole.CHARGE


def test_a_caller_id_a_letters_sentence_wraps_onto_the_next_line_is_read() -> None:
    lines = [
        TextLine(
            page=1,
            text="This letter is about your Form 941 return. When you call, give us caller ID",
            bbox=(100, 500, 1800, 40),
        ),
        TextLine(page=1, text="931861.", bbox=(100, 550, 120, 40)),
    ]
    assert [candidate.value for candidate in find_caller_ids(lines)] == ["931861"]
