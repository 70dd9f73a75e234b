"""Choosing field values: a value the notice prints but we could not read is a finding, never a gap."""

from __future__ import annotations

import pytest

from extractors.text import TextLine
from pipeline.catalog import load_catalog
from pipeline.extract import classify_notice, extract_fields


def _findings(*texts: str) -> tuple[str, ...]:
    lines = [TextLine(page=1, text=text) for text in texts]
    return extract_fields(lines, classify_notice(lines, load_catalog())).findings


@pytest.mark.parametrize(
    ("text", "field"),
    [
        pytest.param("Notice date    Xqzt 41, 20@4", "notice_date", id="notice-date"),
        pytest.param("Tax year    2O2", "tax_year", id="tax-year"),
        pytest.param("Amount due    $5,1#1.7", "amount_due", id="amount"),
        pytest.param("Respond by    Jqxz 9, 2O24", "deadline", id="deadline"),
        pytest.param("Your caller ID    12", "caller_id", id="caller-id"),
        pytest.param("Caller ID: QIATIT", "caller_id", id="caller-id-without-a-digit"),  # a fax's 914797
        pytest.param("For assistance call: SO0-S25-0022", "irs_phone", id="phone-after-assistance"),
    ],
)
def test_a_printed_value_we_cannot_read_is_a_finding(text: str, field: str) -> None:
    findings = _findings("Notice    CP14", text)
    assert any(finding.startswith(f"{field}: the notice prints") for finding in findings), findings


def test_labels_without_values_are_not_findings() -> None:
    findings = _findings("Notice    CP14", "Pay the amount due by the date on this notice.", "Tax year")
    assert not any("the notice prints" in finding for finding in findings), findings


def test_an_address_block_we_cannot_read_is_a_finding() -> None:
    findings = _findings("Notice    CP14", "OSCAR HOLLOWAY", "oli WILLOW LN", "BURLINGTON, VT 05401")
    assert any(
        finding.startswith("taxpayer_name: the notice prints an address block") for finding in findings
    )
    readable = _findings("Notice    CP14", "OSCAR HOLLOWAY", "511 WILLOW LN", "BURLINGTON, VT 05401")
    assert not any(finding.startswith("taxpayer_name") for finding in readable)


def test_a_notice_whose_address_block_was_not_read_at_all_is_a_finding() -> None:
    """A low-toner band faded the whole block past OCR: no name is never silently absent."""
    findings = _findings("Notice    CP01H", "Notice date    November 8, 2024", "Dear Taxpayer:")
    assert any(finding.startswith("taxpayer_name: no name and address were read") for finding in findings)


def _block(
    name_words, street_words, city="BURLINGTON, VT 05401", *more: str, copy: TextLine | None = None
) -> tuple[str, ...]:
    """Findings of a CP14 whose address block rows carry OCR's word confidences (and a later line)."""
    rows = [("Notice    CP14", ()), (" ".join(w for w, _ in name_words), name_words)]
    rows += [(" ".join(w for w, _ in street_words), street_words), (city, ())]
    lines = [TextLine(1, text, words=tuple(words)) for text, words in rows]
    lines += [TextLine(1, text) for text in more] + ([copy] if copy else [])
    return extract_fields(lines, classify_notice(lines, load_catalog())).findings


def test_a_name_or_street_word_ocr_scored_low_is_a_finding() -> None:
    street = [("7470", 0.92), ("FOXGLOVE", 0.95), ("AVE", 0.96)]
    findings = _block([("GREGORY", 0.93), ("OSETI", 0.46)], street)
    assert "taxpayer_name: read as 'GREGORY OSETI' from words OCR scored low: OSETI (0.46)" in findings
    damaged_street = [("7470", 0.92), ("POXGLOVE", 0.62), ("AVE", 0.96)]
    findings = _block([("GREGORY", 0.93), ("OSEI", 0.92)], damaged_street)
    assert any(
        f.startswith("address: read as '7470 POXGLOVE AVE") and "POXGLOVE (0.62)" in f for f in findings
    )
    assert not any(f.startswith("taxpayer_name") for f in findings), findings
    sure = _block([("GREGORY", 0.93), ("OSEI", 0.92)], street)
    assert not any(f.startswith(("taxpayer_name", "address")) for f in sure), sure


def test_an_apartment_ocr_scored_below_a_house_number_s_bar_is_a_finding() -> None:
    """ream: "8457 ASPEN RD APT 5A" read "APT SA" at 0.51, processed: short, yet no pattern checks a unit."""
    name = [("GREGORY", 0.93), ("OSEI", 0.92)]
    street = [("8457", 0.95), ("ASPEN", 0.96), ("RD", 0.96), ("APT", 0.96)]
    findings = _block(name, [*street, ("SA", 0.51)])
    assert any(f.startswith("address: read as '8457 ASPEN RD APT SA") and "SA (0.51)" in f for f in findings)
    assert not any(f.startswith("address") for f in _block(name, [*street, ("5A", 0.93)]))


def test_a_name_word_ocr_scored_low_is_confirmed_by_a_sure_copy_of_its_row() -> None:
    """The salutation or the stub's block reads the same word surely: no OCR damage. A copy must be of the
    row (its words in order) and sure; a person sharing a word ("Person to contact: Maria R. Osei") confirms
    nothing."""
    street = [("7470", 0.92), ("FOXGLOVE", 0.95), ("AVE", 0.96)]
    name = [("MARIA", 0.93), ("OSEI", 0.48)]
    salutation = TextLine(1, "Dear Maria Osei:", words=(("Dear", 0.95), ("Maria", 0.93), ("Osei:", 0.92)))
    stub = TextLine(3, "MARIA OSEI    INTERNAL REVENUE SERVICE", words=(("MARIA", 0.9), ("OSEI", 0.7)))
    unsure_stub = TextLine(3, "MARIA OSEI", words=(("MARIA", 0.9), ("OSEI", 0.4)))
    elsewhere = TextLine(2, "Maria R. Osei", words=(("Maria", 0.9), ("R.", 0.9), ("Osei", 0.92)))
    for copy in (salutation, stub):
        assert not any(f.startswith("taxpayer_name") for f in _block(name, street, copy=copy))
    for not_a_copy in (unsure_stub, elsewhere):
        assert any("OSEI (0.48)" in f for f in _block(name, street, copy=not_a_copy))


_STREET = [("7970", 0.96), ("ORCHARD", 0.95), ("BLVD", 0.96)]


def _name_findings(name_words, copy: TextLine | None = None) -> list[str]:
    return [
        f for f in _block(name_words, _STREET, "DAYTON, OH 45402", copy=copy) if f.startswith("taxpayer_name")
    ]


def test_a_given_name_one_letter_from_a_common_one_read_unsurely_is_a_finding() -> None:
    """Recorded OCR of two notices processed with a wrong name: ERIC read "ERTC" (office scan), DIANA A
    BENNETT read with the initial glued (typeset stack), its salutation read the same, a little surer."""
    eric = [("DIANA", 0.92), ("&", 0.89), ("ERTC", 0.83), ("CHANDRA", 0.96)]
    assert _name_findings(eric) == [
        "taxpayer_name: read as 'DIANA & ERTC CHANDRA': 'ERTC' (0.83) may be a misread of ERIC"
    ]
    glued = [("DIANAA", 0.91), ("BENNETT", 0.95)]
    salutation = TextLine(
        1, "Dear DIANAA BENNETT:", words=(("Dear", 0.93), ("DIANAA", 0.92), ("BENNETT:", 0.96))
    )
    assert _name_findings(glued, copy=salutation) == [
        "taxpayer_name: read as 'DIANAA BENNETT': 'DIANAA' (0.91) may be a misread of DIANA"
    ]


def test_a_listed_name_one_letter_from_a_far_commoner_one_read_unsurely_is_a_finding() -> None:
    """Tesseract read MARIA as "MARTA" (0.91, 0.92) in two held-out families' fonts, and both were processed:
    MARTA is a name too, but one letter from a far commoner one."""
    marta = [("MARTA", 0.91), ("A", 0.96), ("WHITFIELD", 0.95)]
    assert _name_findings(marta) == [
        "taxpayer_name: read as 'MARTA A WHITFIELD': 'MARTA' (0.91) may be a misread of MARIA"
    ]
    assert _name_findings([("MARTA", 0.97), ("A", 0.96), ("WHITFIELD", 0.95)]) == []


def test_a_two_line_joint_names_second_given_name_is_checked_too() -> None:
    lines = [
        TextLine(1, "Notice    CP14"),
        TextLine(1, "ANTHONY OSEI", words=(("ANTHONY", 0.96), ("OSEI", 0.92))),
        TextLine(1, "MAIRA OSEI", words=(("MAIRA", 0.9), ("OSEI", 0.92))),
        TextLine(1, "7970 ORCHARD BLVD", words=tuple(_STREET)),
        TextLine(1, "DAYTON, OH 45402"),
    ]
    findings = extract_fields(lines, classify_notice(lines, load_catalog())).findings
    assert "'MAIRA' (0.90) may be a misread of MARIA" in " ".join(findings), findings


@pytest.mark.parametrize(
    "name_words",
    [
        pytest.param([("ANIKA", 0.96), ("OSEI", 0.96)], id="rare-name-one-letter-from-anita-read-surely"),
        pytest.param([("MUHAMMAD", 0.93), ("OSEI", 0.96)], id="a-name-the-list-lacks-read-at-0.93"),
        pytest.param([("KHALID", 0.8), ("OSEI", 0.96)], id="rare-name-no-letter-from-a-common-one"),
        pytest.param([("DIANA", 0.7), ("OSEI", 0.96)], id="common-name-read-unsurely"),
        pytest.param(
            [("BRANDT", 0.9), ("ROOFING", 0.96), ("CO", 0.96)], id="a-business-one-letter-from-brandy"
        ),
        pytest.param([("J", 0.8), ("ROBERT", 0.96), ("OSEI", 0.96)], id="an-initial-first"),
        pytest.param([("MISS", 0.9), ("DIANA", 0.96), ("OSEI", 0.96)], id="a-title-first"),
    ],
)
def test_a_given_name_that_is_common_rare_or_read_surely_is_no_finding(name_words) -> None:
    assert _name_findings(name_words) == []


def test_a_rare_name_read_unsurely_is_confirmed_only_by_a_copy_read_surely() -> None:
    name = [("ANIKA", 0.88), ("OSEI", 0.96)]
    assert _name_findings(name) == [
        "taxpayer_name: read as 'ANIKA OSEI': 'ANIKA' (0.88) may be a misread of ANITA"
    ]
    for sure, confirms in ((0.96, True), (0.92, False)):
        copy = TextLine(3, "ANIKA OSEI    INTERNAL REVENUE SERVICE", words=(("ANIKA", sure), ("OSEI", 0.96)))
        assert (_name_findings(name, copy=copy) == []) is confirms


def test_a_caller_id_whose_digits_ocr_scored_low_is_a_finding() -> None:
    """Typed family scan (OCR kept): "CALLER ID    956388" for 556388, its digits at 0.69."""
    unsure = TextLine(1, "CALLER ID    956388", words=(("CALLER", 0.95), ("ID", 0.0), ("956388", 0.69)))
    findings = _block(
        [("GREGORY", 0.93), ("OSEI", 0.92)],
        [("7470", 0.92), ("BIRCH", 0.96)],
        "BURLINGTON, VT 05401",
        copy=unsure,
    )
    assert "caller_id: read as 956388 from digits OCR scored low (0.69)" in findings
    sure = TextLine(1, "CALLER ID    956388", words=(("CALLER", 0.95), ("ID", 0.9), ("956388", 0.86)))
    findings = _block(
        [("GREGORY", 0.93), ("OSEI", 0.92)],
        [("7470", 0.92), ("BIRCH", 0.96)],
        "BURLINGTON, VT 05401",
        copy=sure,
    )
    assert not any(f.startswith("caller_id") for f in findings)


def test_a_house_number_ocr_scored_below_a_sure_reading_is_a_finding() -> None:
    """A scan's "7769 BIRCH WAY" read "7169" at 0.73, processed: digits have no spelling to check them."""
    findings = _block([("GREGORY", 0.93), ("OSEI", 0.92)], [("7169", 0.73), ("BIRCH", 0.96), ("WAY", 0.96)])
    assert any(f.startswith("address: read as '7169 BIRCH WAY") and "7169 (0.73)" in f for f in findings)
    sure = _block([("GREGORY", 0.93), ("OSEI", 0.92)], [("7769", 0.86), ("BIRCH", 0.96), ("WAY", 0.96)])
    assert not any(f.startswith("address") for f in sure), sure
    # a fax's "98368" for 9838 at 0.78 (slate)
    fax = _block([("GREGORY", 0.93), ("OSEI", 0.92)], [("98368", 0.78), ("BIRCH", 0.96), ("WAY", 0.96)])
    assert any("98368 (0.78)" in f for f in fax), fax


def test_a_joint_name_cut_at_its_connector_is_a_finding() -> None:
    street = [("4157", 0.96), ("PRAIRIE", 0.96), ("TER", 0.96)]
    findings = _block([("DENNIS", 0.96), ("AND", 0.96)], street)
    assert "taxpayer_name: read as 'DENNIS AND', a joint name whose second person was not read" in findings
    whole = _block([("DENNIS", 0.96), ("AND", 0.96), ("RACHEL", 0.95), ("SULLIVAN", 0.95)], street)
    assert not any(f.startswith("taxpayer_name") for f in whole), whole


def test_a_salutation_naming_someone_else_is_a_finding() -> None:
    name = [("MONICA", 0.92), ("M", 0.89), ("LINDOVIST", 0.83)]
    street = [("3166", 0.96), ("RIVERBEND", 0.96), ("BLVD", 0.96)]
    findings = _block(name, street, "PROVO, UT 84601", "Dear MONICA M LINDQVIST:")
    assert (
        "taxpayer_name: read as 'MONICA M LINDOVIST' in the address block but 'MONICA M LINDQVIST' in the "
        "salutation" in findings
    )
    for greeting in ("Dear MONICA M LINDOVIST:", "Dear Taxpayer:"):
        same = _block(name, street, "PROVO, UT 84601", greeting)
        assert not any(f.startswith("taxpayer_name") for f in same), same


def test_a_joint_notice_may_greet_one_of_its_people() -> None:
    name = [("DENNIS", 0.95), ("PETERSEN", 0.95), ("&", 0.95), ("OSCAR", 0.95), ("PETERSEN", 0.95)]
    street = [("3166", 0.96), ("RIVERBEND", 0.96), ("BLVD", 0.96)]
    for greeting in ("Dear DENNIS PETERSEN:", "Dear OSCAR PETERSEN:"):
        findings = _block(name, street, "PROVO, UT 84601", greeting)
        assert not any(f.startswith("taxpayer_name") for f in findings), findings
    findings = _block(name, street, "PROVO, UT 84601", "Dear DENNIS PETERSON:")
    assert any("in the salutation" in f for f in findings), findings


def test_a_salutation_in_lower_case_is_compared_too() -> None:
    """A sheet letter's block lost its first row to OCR ("BIGHT” WHITFIELD" over "BRIAN WHITFIELD") and was
    processed as Brian alone; its "Dear Monica Whitfield:" says otherwise. A greeting that leaves out a
    middle initial or greets by title and family name agrees."""
    name = [("BRIAN", 0.96), ("K", 0.96), ("WHITFIELD", 0.96)]
    street = [("3993", 0.96), ("PRAIRIE", 0.96), ("DR", 0.96)]
    findings = _block(name, street, "PROVO, UT 84601", "Dear Monica Whitfield:")
    assert any("in the salutation" in f for f in findings), findings
    for greeting in ("Dear Brian Whitfield:", "Dear Mr. Whitfield:", "Dear Sir or Madam:", "Dear Taxpayer,"):
        same = _block(name, street, "PROVO, UT 84601", greeting)
        assert not any(f.startswith("taxpayer_name") for f in same), (greeting, same)


def _stub_copy(*words: tuple[str, float]) -> TextLine:
    stub = (*words, ("PO", 0.96), ("BOX", 0.96), ("7704", 0.96))
    return TextLine(1, " ".join(text for text, _ in words) + "    PO BOX 7704", words=stub)


def test_a_copy_of_the_name_row_a_letter_apart_is_a_finding() -> None:
    """Docket family, a scan: the block read "MARK J OSET" (0.77), the stub's copy "MARK J OSEI" (0.89):
    processed with the wrong name. A copy that agrees, another person's row, a copy damaged beyond a letter
    ("OSE]", troff's fax) or read less surely says nothing."""
    name = [("MARK", 0.96), ("J", 0.91), ("OSET", 0.77)]
    street = [("8704", 0.96), ("GRANITE", 0.96), ("CT", 0.96)]
    copy = _stub_copy(("MARK", 0.96), ("J", 0.92), ("OSEI", 0.89))
    findings = _block(name, street, "PROVO, UT 84601", copy=copy)
    assert "taxpayer_name: read as 'MARK J OSET' in the address block but 'MARK J OSEI' elsewhere" in findings
    for other in (
        _stub_copy(("MARK", 0.96), ("J", 0.92), ("OSET", 0.89)),
        _stub_copy(("MARIA", 0.96), ("K", 0.92), ("OSEI", 0.89)),
        _stub_copy(("MARK", 0.96), ("J", 0.92), ("OSE]", 0.89)),
        _stub_copy(("MARK", 0.96), ("J", 0.92), ("OSEI", 0.6)),
    ):
        same = _block(name, street, "PROVO, UT 84601", copy=other)
        assert not any("elsewhere" in f for f in same), (other.text, same)


def test_a_caller_id_read_with_a_seventh_digit_is_not_read_but_a_finding() -> None:
    findings = _findings("Notice    CP14", "HOLLOWAY CAFE LLC    Your caller ID    5199885")
    assert any(finding.startswith("caller_id: the notice prints") for finding in findings), findings


def test_a_code_one_digit_from_the_type_whose_title_the_notice_prints_is_ambiguous() -> None:
    """A faxed troff stack (OCR kept): CP10 read "CP16" above CP10's own title; processed as a CP16 before."""
    title = "We changed your return: estimated tax credit for next year reduced"
    misread = [TextLine(1, "Department of the Treasury    Notice:    CP16"), TextLine(1, title)]
    match = classify_notice(misread, load_catalog())[0]
    assert (match.code, match.runner_up) == ("CP16", "CP10")
    read = [TextLine(1, "Department of the Treasury    Notice:    CP10"), TextLine(1, title)]
    assert classify_notice(read, load_catalog())[0].runner_up is None


def test_a_code_ocr_split_in_two_is_the_code_the_notice_prints_whole() -> None:
    """The header's large "CP2100A" read as "CP2 100A": "CP2" is no notice of its own."""
    lines = [TextLine(1, "Internal Revenue Service    CP2 100A"), TextLine(1, "CP2100A    Page 1 of 1")]
    match = classify_notice(lines, load_catalog()).match
    assert (match.code, match.runner_up) == ("CP2100A", None)
    alone = classify_notice([TextLine(1, "Internal Revenue Service    CP2 100A")], load_catalog()).match
    assert alone.confidence < 0.7  # nothing printed whole to confirm the join: a person looks


@pytest.mark.parametrize(
    ("text", "field"),
    [
        pytest.param("Caller ID", "caller_id", id="caller-id"),
        pytest.param("Form    Contact us", "irs_phone", id="contact-us-cell"),
        pytest.param("Contact telephone number:", "irs_phone", id="letter-phone"),
        pytest.param("Atlanta, GA 39901    Form number", "form", id="form-number"),
    ],
)
def test_a_header_label_whose_value_ocr_lost_entirely_is_a_finding(text: str, field: str) -> None:
    findings = _findings("Notice    CP14", text)
    assert any(finding.startswith(f"{field}: the notice prints the label") for finding in findings), findings


def test_a_label_inside_a_sentence_is_no_lost_value() -> None:
    findings = _findings("Notice    CP14", "Have your caller ID ready when you contact us by phone.")
    assert not any("prints the label" in finding for finding in findings), findings


def test_a_table_of_periods_heading_is_no_lost_value() -> None:
    findings = _findings("Notice    CP504B", "Tax form    Tax period ending    Unpaid amount    You owe")
    assert not any("prints the label" in finding for finding in findings), findings


def _deadline(*texts: str):
    lines = [TextLine(1, text) for text in ("Notice    CP24", "Notice date    March 2, 2026", *texts)]
    return extract_fields(lines, classify_notice(lines, load_catalog())).fields["deadline"]


def test_a_notice_stating_no_deadline_gets_its_types_published_window_as_no_printed_value() -> None:
    """A CP24 (60 days to disagree, as the IRS publishes it) that states no deadline: the notice date plus
    the window, of kind published; one that states a window or a deadline, read or not, never."""
    published = _deadline("We changed your estimated tax payments; you are due a refund.")
    assert (published.value, published.kind) == ("2026-05-01", "published")
    stated = _deadline("If you disagree, contact us within 60 days from the date of this notice.")
    assert (stated.value, stated.kind) == ("2026-05-01", "computed")
    assert _deadline("If you disagree, contact us within 6O days of this notice.").value is None
    assert _deadline("Respond by Jnue 1O, 2O26.").value is None


@pytest.mark.parametrize(
    "texts",
    [
        ("Respnod bv June 10, 2026",),
        ("request a hearlng by April 10, 2026",),
        ("Response due    N0v 26, 2O26",),
        ("contact us withln 60 davs from the date of this notice",),
        ("within sixty (60)days",),
        ("send Form 12153 by October 31, 2026",),
        ("Response due date: Jnue 1, 2026",),
        ("If you disagree, please respond by", "June 31, 2026."),
    ],
)
def test_wording_that_may_set_a_deadline_read_or_not_gets_no_published_window(texts: tuple[str, ...]) -> None:
    assert _deadline(*texts).value is None


@pytest.mark.parametrize(
    "text",
    [
        "Amount due:    $1,438.84",
        "request a Collection Due Process hearing on Form 12153",
        "we charge a penalty when you don't pay your tax by the due date, 1/2% of the unpaid tax",
        "Call us by phone at 800-829-1040",
        "Verify your identity at IRS.gov/verifyreturn or by calling us at 1-800-829-1040.",  # scroll's 5071C
    ],
)
def test_an_amount_due_a_form_or_a_penalty_rule_sets_no_deadline(text: str) -> None:
    assert _deadline(text).kind == "published"


def _stacked(label: tuple[tuple[str, float], ...], value: str) -> TextLine:
    words = (*label, *((word, 0.95) for word in value.split()))
    text = " ".join(word for word, _ in label) + "    " + value
    return TextLine(page=1, text=text, stacked=True, words=words)


def test_a_header_number_under_a_label_ocr_could_not_read_is_a_finding_unless_a_field_read_it() -> None:
    """Typeset CP215, blurred scan (OCR kept): "[Causa" (0.00) over "621973", the caller ID no field read.
    The same under a label read, a masked SSN whose last four a field read, an amount: no finding."""
    base = ["Notice    CP14", "Social Security number    XXX-XX-3040"]

    def header_findings(*stacked: TextLine) -> list[str]:
        lines = [TextLine(page=1, text=text) for text in base] + list(stacked)
        found = extract_fields(lines, classify_notice(lines, load_catalog())).findings
        return [finding for finding in found if finding.startswith("header:")]

    unread = (("[Causa", 0.0),)
    assert header_findings(_stacked(unread, "621973")) == [
        "header: the notice prints '621973' under a label that could not be read ('[Causa')"
    ]
    assert header_findings(_stacked((("Caller", 0.9), ("ID", 0.9)), "621973")) == []
    assert header_findings(_stacked((("[Soria", 0.0), ("Secourvnewnen", 0.04)), "XXX-XX-3040")) == []
    assert header_findings(_stacked((("Amount", 0.3),), "$396.14")) == []
    assert header_findings(_stacked((("Nciee", 0.3), ("dnte", 0.2)), "03-03-2025")) == []
    assert header_findings(_stacked((("ces", 0.3),), "2023")) == []  # a year
    assert header_findings(_stacked((("HOLreVILLE", 0.3), ("oY", 0.2)), "11742-0070")) == []  # a ZIP


def test_a_table_of_periods_whose_heading_ocr_garbled_is_a_finding() -> None:
    """Office CP91 scan (OCR kept): the heading read "form    peric    Unpai    terest", its rows read well;
    no table is read, so the periods it prints must not be silently absent."""
    rows = (
        "Notice    CP91",
        "form    peric    Unpai    terest",
        "1040    Dec. 31, 2021    $5,654.35    $334.29    $400.83    $6,389.47",
        "1040    Dec. 31, 2020    $654.95    $23.50    $54.29    $732.74",
    )
    assert any(finding.startswith("periods: the notice prints '1040    Dec. 31, 2021") for finding in
               _findings(*rows))  # fmt: skip
    assert not any(finding.startswith("periods:") for finding in _findings(*rows[:2]))
    headed = _findings(rows[0], "Tax form    Tax period ending    Unpaid amount    Amount you owe", *rows[2:])
    assert not any("heading could not be read" in finding for finding in headed)


def test_an_amount_one_digit_from_the_amount_due_is_a_finding() -> None:
    """Typed CP210 fax (OCR kept): the stub's "$13,756.76" read surely, the summary's total "$13,750.76"
    under a label OCR garbled; one of them is a misread."""
    rows = ("Notice    CP210", "TRETEEEREEEE ET $13,750.76", "BALANCE DUE    $13,756.76")
    assert [f for f in _findings(*rows) if f.startswith("amount_due")] == [
        "amount_due: the notice also prints '$13,750.76', one digit from the amount due read (13756.76)"
    ]
    distinct = ("Notice    CP210", "Tax you owed    $13,150.70", "BALANCE DUE    $13,756.76")
    assert not [f for f in _findings(*distinct) if f.startswith("amount_due")]
    installment = ("Notice    CP521", "Monthly installment payment    $200.00", "Amount due    $400.00")
    assert not [f for f in _findings(*installment) if f.startswith("amount_due")]  # 2 and 4: no misread


def test_a_notice_date_one_digit_from_the_printed_deadline_less_the_window_is_a_finding() -> None:
    """Troff intake (OCR kept): "November 6, 2024" read at 0.96 for November 8, the letter printing "respond
    by 12/08/2024", Letter 566's 30 days after November 8. A deadline on another window is no doubt."""
    base = ("Letter 566", "Letter Date:    November 6, 2024")

    def date_findings(*rows: str) -> list[str]:
        return [finding for finding in _findings(*rows) if finding.startswith("notice_date")]

    assert date_findings(*base, "Please respond by 12/08/2024.") == [
        "notice_date: read as 2024-11-06, but the deadline read (2024-12-08) is 30 days after 2024-11-08: "
        "one digit of the two may be misread"
    ]
    for deadline in ("12/06/2024", "11/27/2024"):  # the window itself, another window
        assert not date_findings(*base, f"Please respond by {deadline}.")
    cp504 = ("Notice    CP504", "Notice date    August 29, 2025", "Pay by September 19, 2025")  # 21 days
    assert not date_findings(*cp504)  # not 30 days after August 20 misread


def _date_doubts(deadline: str) -> list[str]:
    findings = _findings(
        "Notice    CP14", "Notice date    November 29, 2024", f"Amount due by {deadline}    $1,075.21",
        "Contact stub    Notice date    S024",
    )  # fmt: skip
    return [finding for finding in findings if finding.startswith("notice_date:")]


def test_a_date_whose_copy_is_unreadable_is_confirmed_by_a_deadline_its_published_window_after() -> None:
    assert load_catalog().get("CP14").response_window_days == 21  # type: ignore[union-attr]
    assert _date_doubts("December 20, 2024") == []
    assert _date_doubts("December 23, 2024")[0].startswith("notice_date: the notice prints it again")


def test_a_deadline_sentence_naming_the_date_of_the_letter_is_no_copy_of_the_date() -> None:
    findings = _findings(
        "Letter    3219", "Letter date    October 3, 2025", "within 90 days from the",
        "date of this letter (150 days if it is addressed to you outside the United States).",
    )  # fmt: skip
    assert not any(finding.startswith("notice_date:") for finding in findings), findings


def test_a_dollar_sign_read_as_a_digit_is_no_rival_amount() -> None:
    texts = ["Notice    CP14", "Amount due: $13,472.43", "Total you owe    $13,472.43"]
    stub = "CP14    Total YOU OWE    913,472.43"  # the stub's "$" read as a 9
    lines = [TextLine(page=1, text=text) for text in [*texts, stub]]
    extraction = extract_fields(lines, classify_notice(lines, load_catalog()))
    assert extraction.fields["amount_due"].value == "13472.43"
    assert not any(finding.startswith("amount_due:") for finding in extraction.findings)
    once = [TextLine(page=1, text=text) for text in [*texts[:2], stub]]  # one copy: which is right is unknown
    assert any(finding.startswith("amount_due:") for finding in _findings(*(line.text for line in once)))


def test_a_form_ending_a_row_after_a_label_garbled_with_its_leader_is_a_finding() -> None:
    garbled = "Tax year    2025    TEAR TOTEM) «.05.20cs55<sscseccesecofesassseceseuse 1040"
    assert "form: the notice prints '1040' after a label that could not be read" in _findings(
        "Notice    CP297", garbled
    )
    assert not any(f.startswith("form:") for f in _findings("Notice    CP297", garbled, "Tax form    1040"))
    sentence = "See the instructions for 1040"
    assert not any(f.startswith("form:") for f in _findings("Notice    CP297", sentence))


def test_a_form_beside_a_label_not_read_as_a_forms_is_a_finding() -> None:
    """forme's Letter 1058 and Letter 525: their header cell "Form    1040" read "F a    1040" ("a" at 0.31)
    and "ioe    1040" (0.60); the form went unread and unmentioned."""
    notice = TextLine(1, "Letter 1058")

    def form_findings(*texts: str) -> list[str]:
        lines = [notice, *(TextLine(1, text) for text in texts)]
        findings = extract_fields(lines, classify_notice(lines, load_catalog())).findings
        return [finding for finding in findings if finding.startswith("form:")]

    assert form_findings("F a    1040") == [
        "form: the notice prints '1040' beside a label that could not be read ('F a')"
    ]
    assert form_findings("ioe    1040") == [
        "form: the notice prints '1040' beside a label that could not be read ('ioe')"
    ]
    assert form_findings("Ogden, UT 84201    ae Fount 1040") == [  # gazette's "Tax form: 1040", one cell
        "form: the notice prints '1040' beside a label that could not be read ('ae Fount')"
    ]
    assert form_findings("F a    1040", "Tax form    1040") == []  # the form was read from another copy
    assert form_findings("Tax year    2023") == []  # no form


def test_an_ssn_two_later_pages_print_alike_is_a_rival_to_the_header_s() -> None:
    """A stencil stack's CP63: its header read "XXX-xx-3379" (0.85), its two later pages' running heads
    "xxx-xx-5379": each copy alone is a weak reading, two that agree are no misreading."""
    header = TextLine(1, "Taxpayer ID number:    XXX-xx-3379", confidence=0.85)
    heads = [TextLine(page, "Notice CP63 2025-08-08 xxx-xx-5379", confidence=0.92) for page in (2, 3)]
    lines = [TextLine(1, "Notice    CP63"), header, *heads]
    extraction = extract_fields(lines, classify_notice(lines, load_catalog()))
    assert extraction.fields["ssn_last4"].value == "3379"
    assert "ssn_last4: the notice also shows 5379 (chose 3379)" in extraction.findings
    once = [TextLine(1, "Notice    CP63"), header, heads[0]]
    findings = extract_fields(once, classify_notice(once, load_catalog())).findings
    assert not any(finding.startswith("ssn_last4:") for finding in findings)


def test_a_code_printed_twice_alike_is_no_misreading_of_a_neighbour_whose_title_is_printed() -> None:
    title = "Annual reminder of balance due"  # CP71C's title, on a CP71A
    once = [TextLine(1, "Notice    CP71A", (1400, 170, 1000, 50)), TextLine(1, title, (195, 640, 1080, 50))]
    twice = [*once, TextLine(1, "Payment    Notice    CP71A", (200, 2570, 2180, 60))]  # the stub's copy
    assert classify_notice(once, load_catalog()).match.runner_up == "CP71C"
    assert classify_notice(twice, load_catalog()).match.runner_up is None


def test_a_label_paired_with_the_value_under_it_holds_no_copy_in_the_column_beside_it() -> None:
    """ream: "Notice date" beside the address block's street, its date under it: the street is no copy of the
    notice date that could not be read."""
    lines = [
        TextLine(1, "Notice    CP27"),
        TextLine(1, "Notice date    1750 GRANITE LN APT 25C"),
        TextLine(1, "Notice date    November 26, 2026", stacked=True),
        TextLine(1, "November 26, 2026    SAVANNAH, GA 31401"),
    ]
    findings = extract_fields(lines, classify_notice(lines, load_catalog())).findings
    assert not [finding for finding in findings if finding.startswith("notice_date:")], findings


def test_six_digits_alone_in_a_cell_are_a_caller_id_never_silently_unread() -> None:
    """web's photo: the header's labels and values a row apart, "Questions? Call    373130"; a letter's
    period "202312" or a caller ID read is no such finding."""

    def caller_findings(*texts: str) -> list[str]:
        lines = [TextLine(1, "Notice    CP75"), *(TextLine(1, text) for text in texts)]
        findings = extract_fields(lines, classify_notice(lines, load_catalog())).findings
        return [finding for finding in findings if finding.startswith("caller_id:")]

    assert caller_findings("Questions? Call    373130") == [
        "caller_id: the notice prints '373130', a caller ID's six digits, unread"
    ]
    assert caller_findings("Tax period:    202312") == []
    assert caller_findings("Your caller ID    373130") == []
