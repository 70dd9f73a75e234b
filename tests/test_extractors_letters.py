"""Extractors on the wording of IRS letters (LT11, Letters 566, 1058, 3219, 5071C, 972CG, CP2000...): the
header block's labels ("Date:", "Taxpayer ID number", "Tax period(s)", "Contact telephone number"), values
inside sentences, and the negatives each rule must leave alone."""

from __future__ import annotations

import pytest

from extractors.amount_due import find_amounts_due
from extractors.contacts import find_irs_phones
from extractors.deadline import find_deadlines
from extractors.notice_date import find_notice_dates
from extractors.notice_number import find_notice_numbers
from extractors.party import has_address_block
from extractors.ssn import find_ssn_last4
from extractors.tax_year import find_tax_years
from extractors.text import TextLine
from pipeline.catalog import load_catalog
from pipeline.extract import classify_notice, extract_fields


def lines(*texts: str, stacked: bool = False) -> list[TextLine]:
    return [TextLine(page=1, text=text, stacked=stacked) for text in texts]


def values(finder, *texts: str) -> list:
    return [candidate.value for candidate in finder(lines(*texts))]


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        pytest.param(("We must hear from you by 05/03/2023.",), "2023-05-03", id="must-hear"),
        pytest.param(("If we don't hear from you by Jun. 3, 2024, we will",), "2024-06-03", id="dont-hear"),
        pytest.param(
            ("Please pay the amount you owe by September 27, 2024 to avoid",), "2024-09-27", id="pay"
        ),
        pytest.param(("If you can't pay the full amount by July 1, 2024, call us",), "2024-07-01", id="full"),
        pytest.param(("We must receive your payment by Sept. 3, 2024.",), "2024-09-03", id="receive"),
        pytest.param(("Please send us your response by November 4, 2024.",), "2024-11-04", id="send"),
        pytest.param(
            ("- Contact us or send us the information we asked for no later than October 15, 2025.",),
            "2025-10-15",
            id="send-the-information",
        ),
        pytest.param(
            ("in Tax Court, file a petition no later than 8/13/2026.",), "2026-08-13", id="petition-no-later"
        ),
        pytest.param(
            ("Tax Court. The last day to file is September 21, 2023.",), "2023-09-21", id="petition"
        ),
        pytest.param(
            ("Tax Court. The last day to file is October", "22, 2026. If you"), "2026-10-22", id="wrap"
        ),
        pytest.param(
            ("If you want to contest this in court, you have until 07-15-2026 to petition the",),
            "2026-07-15",
            id="until-to-petition",
        ),
        pytest.param(("We must hear frorn you by 05/03/2023.",), None, id="damaged-phrase-not-guessed"),
    ],
)
def test_deadline_in_a_sentence(texts: tuple[str, ...], expected: str | None) -> None:
    printed = [c.value for c in find_deadlines(lines(*texts)) if c.kind == "printed"]
    assert printed == ([expected] if expected else [])


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Interest - if paid by May 3, 2023    $525.67", id="interest-if-paid"),
        pytest.param("Payments we received after August 7, 2024 are not included", id="payments-after"),
    ],
)
def test_other_dates_in_sentences_are_not_deadlines(text: str) -> None:
    assert values(find_deadlines, text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Department of the Treasury    Date: August 30, 2024", "2024-08-30", id="header-column"),
        pytest.param("Internal Revenue Service    Date:    12/04/2026", "2026-12-04", id="numeric"),
        pytest.param("Date:    December 16, 2024", "2024-12-16", id="row-start"),
        pytest.param("Date 2024-08-12    Kansas City, MO 64999", "2024-08-12", id="one-space-column-end"),
        pytest.param("Stop 6112    Daie    01/17/2025", "2025-01-17", id="label-one-letter-off"),
        pytest.param(
            "Department of the Treasury    Date of this letter: Jun. 3, 2024", "2024-06-03", id="abbr"
        ),
    ],
)
def test_notice_date_of_a_letter(text: str, expected: str) -> None:
    assert values(find_notice_dates, text) == [expected]


def test_a_date_label_inside_a_sentence_or_another_label_is_not_the_notice_date() -> None:
    assert values(find_notice_dates, "Payment date: May 1, 2024", "Your last payment date: 05/01/2024") == []
    assert values(find_notice_dates, "Date 2024-08-12 we sent it", "Dale 01/17/2025") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("P.O. Box 9019    Tax period(s):    Dec. 31, 2023", 2023, id="periods"),
        pytest.param("Stop 5050    Tax period(s) ended: December 31, 2021", 2021, id="periods-ended"),
        pytest.param("Stop 5050    Tax period(s}: December 31, 2025", 2025, id="ocr-brace"),
        pytest.param("Fresno, CA 93888    Tax period ended: 12/31/2023", 2023, id="ended-numeric"),
    ],
)
def test_tax_period_of_a_letter(text: str, expected: int) -> None:
    assert values(find_tax_years, text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "6180 PRAIRIE AVE    Contact telephone number:    800-829-1040", "800-829-1040", id="contact"
        ),
        pytest.param("Telephone number: (800) 829-0922", "800-829-0922", id="parenthesized"),
        pytest.param("Telephone number:      1-800-829-4933", "800-829-4933", id="leading-one"),
        pytest.param("Prone:    1-800-829-7650", "800-829-7650", id="ocr-label"),
        pytest.param("TUCSON, AZ 85719-1696    number: (800) 829-0922", "800-829-0922", id="wrapped-label"),
        pytest.param(
            "If you have questions, call Mr. Strand at (800) 829-0922.", "800-829-0922", id="person"
        ),
        pytest.param(
            "If you have questions, call James S. Nguyen at 800-829-0922.", "800-829-0922", id="name"
        ),
    ],
)
def test_phone_of_a_letter(text: str, expected: str) -> None:
    assert values(find_irs_phones, text) == [expected]


def test_an_irs_line_alone_in_its_cell_is_the_phone_when_no_label_names_one() -> None:
    """A header's "Phone" label OCR read as "—": its number sits beside a billing row."""
    alone = [TextLine(1, "—"), TextLine(1, "Interest charged    $162.66    1-800-829-0922")]
    assert [c.value for c in find_irs_phones(alone)] == ["800-829-0922"]
    labelled = [*alone, TextLine(1, "Call us at 800-829-1040.")]
    assert [c.value for c in find_irs_phones(labelled)] == ["800-829-1040"]
    two_lines = [*alone, TextLine(1, "800-829-3676")]
    assert find_irs_phones(two_lines) == []
    not_the_irs_line = [
        TextLine(1, "Taxpayer Advocate    877-777-4778"),
        TextLine(1, "Account    555-829-0922"),
    ]
    assert find_irs_phones(not_the_irs_line) == []
    misread_label = [
        TextLine(1, "Phone    8OO-829-O922"),
        TextLine(1, "To order forms, call    800-829-3676"),
    ]
    assert find_irs_phones(misread_label) == []  # the label's value printed but unread: a finding


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Call them at 877-777-4778 or visit www.taxpayeradvocate.irs.gov.", id="advocate"),
        pytest.param("call the Taxpayer Advocate Service at 877-777-4778", id="lowercase-the"),
        pytest.param("can't resolve a problem with us. Call TAS at 877-777-4778.", id="tas"),
        pytest.param("Call Taxpayer Advocate Service at 877-777-4778.", id="advocate-office"),
        pytest.param("Reference number: 800-123-4567", id="other-label"),
        pytest.param("Employee ID number:    4349890885", id="employee-id"),
        pytest.param("Contact hours:    8:00 a.m. - 4:30 p.m.", id="hours"),
    ],
)
def test_other_numbers_are_not_the_irs_phone(text: str) -> None:
    assert values(find_irs_phones, text) == []


@pytest.mark.parametrize(
    ("text", "expected", "rule"),
    [
        pytest.param("You owe $9,745.53. The table below shows how we figured it.", "9745.53",
                     "amount_sentence", id="you-owe"),
        pytest.param("The total amount you owe is $16,440.05, which includes penalties", "16440.05",
                     "amount_sentence", id="total-is"),
        pytest.param("Our records show a balance due of $14,988.61 on your account.", "14988.61",
                     "amount_sentence", id="balance-due-of"),
        pytest.param("The proposed changes increase the tax you owe by $16,909.65, including penalties:",
                     "16909.65", "proposed_increase", id="increase"),
    ],
)  # fmt: skip
def test_amount_due_in_a_sentence(text: str, expected: str, rule: str) -> None:
    assert [(c.value, c.rule) for c in find_amounts_due(lines(text))] == [(expected, rule)]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("If you owe $1,000.00 or less, you may pay online", id="conditional"),
        pytest.param("Tax you owed    $5,000.00", id="tax-owed"),
        pytest.param("You don't owe any tax.", id="nothing-owed"),
        pytest.param("an installment agreement of $125.76 per month", id="installment"),
    ],
)
def test_other_amounts_in_sentences_are_not_the_amount_due(text: str) -> None:
    assert values(find_amounts_due, text) == []


def test_a_period_tables_column_heading_over_its_first_row_is_not_a_sentence() -> None:
    heading = lines("from prior notices    penalty    interest    you owe $4,960.55", stacked=True)
    assert find_amounts_due(heading) == []


def test_letter_codes_with_two_letter_suffixes() -> None:
    assert values(find_notice_numbers, "Department of the Treasury    LTR 972CG")[0] == "LTR972CG"
    assert values(find_notice_numbers, "Letter 972CG (Rev. 12-2018)")[0] == "LTR972CG"


def test_a_mask_split_by_ocr() -> None:
    assert set(values(find_ssn_last4, "Taxpayer identification number:    XX X-XX-3752")) == {"3752"}


def test_a_masked_ein_whose_label_wrapped() -> None:
    assert values(find_ssn_last4, "Fresno, CA 93888    number:    XX-XXX8453") == ["8453"]
    assert values(find_ssn_last4, "Reference number: 12-3451234") == []  # unmasked: an id, not an EIN


def test_an_address_block_with_a_damaged_state_is_still_printed() -> None:
    assert has_address_block(lines("HELEN STRAND", "5334 FOXGLOVE LN", "DES MOINES, 1A 50309"))
    assert has_address_block(lines("HELEN STRAND", "5334 FOXGLOVE LN", "DES MOINES, tA 50309"))  # a fax
    assert not has_address_block(lines("Internal Revenue Service", "Kansas City, MO 64999"))


def _findings(*texts: str) -> tuple[str, ...]:
    read = lines(*texts)
    return extract_fields(read, classify_notice(read, load_catalog())).findings


def test_a_phone_label_with_digits_we_cannot_read_is_a_finding() -> None:
    findings = _findings("Notice    CP14", "Toll-free telephone number:    829-4933")
    assert any(finding.startswith("irs_phone: the notice prints") for finding in findings), findings
    read = _findings("Notice    CP14", "Contact telephone number:    800-829-4933")
    assert not any(finding.startswith("irs_phone") for finding in read), read


def test_a_phone_read_differently_in_the_header_and_the_sentence_is_a_finding() -> None:
    findings = _findings(
        "Notice    CP14", "TUCSON, AZ 85719    number:    800-829-0922", "call Mr. Strand at 800-829-1040."
    )
    assert any(finding.startswith("irs_phone: the notice also shows") for finding in findings), findings


def test_a_misreading_of_the_irs_number_read_elsewhere_on_the_notice_is_no_rival() -> None:
    read = lines("Notice    CP14", "TUCSON, AZ 85719    number:    800-829-0922", "call us at 800-823-0922.")
    extraction = extract_fields(read, classify_notice(read, load_catalog()))
    assert extraction.fields["irs_phone"].value == "800-829-0922"
    assert not any(finding.startswith("irs_phone") for finding in extraction.findings), extraction.findings


def test_from_the_date_of_this_letter_in_a_sentence_is_not_a_printed_notice_date() -> None:
    findings = _findings(
        "Notice    CP14",
        "Date of this letter:    May 20, 2024",
        "you have 90 days from the date of this letter (150 days if it is addressed outside",
    )
    assert not any(finding.startswith("notice_date") for finding in findings), findings
