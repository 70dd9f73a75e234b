"""Labels paired with values by geometry: the IRS's own CP14 sample (public), laid out as its text layer
places the words, and negatives (prose is not a label)."""

from __future__ import annotations

import pytest

from pipeline.catalog import load_catalog
from pipeline.extract import classify_notice, extract_fields, to_text_lines
from pipeline.layout import group_words_into_lines, stacked_label_lines
from pipeline.models import OcrDocument, OcrLine, OcrPage, OcrWord, PageSource
from pipeline.validate import check_billing_total

CHAR = 10  # px per character at the sample's size
LINE = 30  # px between rows


def _words(x: int, row: float, text: str) -> list[OcrWord]:
    words, cursor = [], x
    for token in text.split():
        words.append(
            OcrWord(text=token, confidence=0.95, bbox=(cursor, round(row * LINE), CHAR * len(token), 20))
        )
        cursor += CHAR * (len(token) + 1)
    return words


def _page(*placed: tuple[int, float, str]) -> OcrDocument:
    words = [word for x, row, text in placed for word in _words(x, row, text)]
    lines = group_words_into_lines(words)
    return OcrDocument(
        pages=(OcrPage(number=1, width=2550, height=3300, source=PageSource.OCR, lines=lines),)
    )


# The IRS's sample CP14 (irs.gov/pub/notices/cp14_english.pdf): header box, stub and billing summary print
# each value under its label.
IRS_CP14 = _page(
    (100, 1, "Department of the Treasury"),
    (1500, 1, "Notice"),
    (1500, 2, "CP14"),
    (1500, 3, "Tax year"),
    (1500, 4, "2017"),
    (1500, 5, "Notice date"),
    (1500, 6, "January 30, 2018"),
    (1500, 7, "Social security number"),
    (1500, 8, "nnn-nn-nnnn"),
    (1500, 9, "To contact us"),
    (1500, 10, "Phone 1-800-829-0922"),
    (1500, 11, "Your caller ID"),
    (1500, 12, "nnnn"),
    (100, 13, "JOHN AND MARY SMITH"),
    (100, 14, "123 N HARRIS ST"),
    (100, 15, "HARVARD, TX 12345"),
    (100, 17, "You have a balance due for 2017"),
    (100, 18, "Billing Summary"),
    (100, 19, "Tax you owed"),
    (700, 19, "$3,183.00"),
    (100, 20, "Payments and credits"),
    (700, 20, "-3,328.00"),
    (100, 21, "Failure-to-file penalty"),
    (700, 21, "318.30"),
    (100, 22, "Failure-to-pay penalty"),
    (700, 22, "633.30"),
    (100, 23, "Interest charges"),
    (700, 23, "145.00"),
    (100, 24, "Failure-to-pay estimated tax penalty"),
    (700, 24, "123.61"),
    (100, 25, "Amount due by February 20, 2018"),
    (700, 25, "$1,075.21"),
    (1500, 30, "Amount due by"),
    (1500, 31, "February 20, 2018"),
    (1500, 32, "$1,075.21"),
)


def _extraction(document: OcrDocument):  # type: ignore[no-untyped-def]
    lines = to_text_lines(document)
    return extract_fields(lines, classify_notice(lines, load_catalog()))


def test_values_under_their_labels_are_read() -> None:
    extraction = _extraction(IRS_CP14)
    values = {name: field.value for name, field in extraction.fields.items()}
    assert values["notice_number"] == "CP14"
    assert values["tax_year"] == 2017
    assert values["notice_date"] == "2018-01-30"
    assert values["amount_due"] == "1075.21"
    assert values["deadline"] == "2018-02-20"
    assert values["ssn_last4"] is None  # the placeholder, read as "none printed"
    # The IRS's sample prints a made-up address ("HARVARD, TX 12345"): a ZIP no Texas address has.
    assert extraction.findings == (
        "address: read as '123 N HARRIS ST, HARVARD, TX 12345', but TX 12345 is no ZIP of that state",
    )


def test_the_irs_billing_summary_adds_up() -> None:
    extraction = _extraction(IRS_CP14)
    assert [line.amount for line in extraction.billing_lines] == [
        "3183.00", "-3328.00", "318.30", "633.30", "145.00", "123.61",
    ]  # fmt: skip
    check = check_billing_total(extraction.fields, extraction.billing_lines, load_catalog().get("CP14"))
    assert check is not None and check.status == "pass", check


def test_a_stub_stack_joins_label_date_and_amount() -> None:
    rows = IRS_CP14.pages[0].lines
    joined = [line.text for _, line in stacked_label_lines(rows)]
    assert "Amount due by    February 20, 2018 $1,075.21" in joined
    assert "Notice date    January 30, 2018" in joined
    assert "Your caller ID    nnnn" not in joined  # no digit and no placeholder shape: not a value


def test_prose_and_labels_with_a_value_beside_them_are_not_stacked() -> None:
    document = _page(
        (100, 1, "If you already paid your balance in full within"),
        (100, 2, "the last 21 days, please disregard this notice."),
        (100, 4, "Tax year"),
        (400, 4, "2023"),
        (100, 5, "2024"),
        (100, 7, "Pay online now."),
        (100, 8, "$500.00"),
    )
    assert list(stacked_label_lines(document.pages[0].lines)) == []


def test_a_value_in_another_column_is_not_paired() -> None:
    document = _page((100, 1, "Notice date"), (1500, 2, "May 20, 2024"))
    assert list(stacked_label_lines(document.pages[0].lines)) == []


def test_a_right_aligned_value_a_long_label_pushed_a_line_down_is_its_value() -> None:
    """A header column's "Date of this notice" fills its cell, its value drops to the next line at the right,
    beside an address column: paired; with a row of the column under the label, it is not."""
    pushed = _page(
        (100, 1, "P.O. Box 149338"),
        (1200, 1, "Date of this notice"),
        (100, 2, "Fresno, CA 93888"),
        (1410, 2, "Dec. 13, 2024"),
    )
    assert [line.text for _, line in stacked_label_lines(pushed.pages[0].lines)] == [
        "Date of this notice    Dec. 13, 2024"
    ]
    next_row = _page((1200, 1, "Date of this notice"), (1200, 2, "Tax year"), (1410, 2, "2023"))
    assert [line.text for _, line in stacked_label_lines(next_row.pages[0].lines)] == []


def test_a_speck_between_a_label_and_its_value_is_nothing() -> None:
    """A 2-pixel "-" OCR read at 0.00 between "Form" and "1040" (a fax's speck) stopped the pairing."""
    speck = OcrWord(text="-", confidence=0.0, bbox=(710, 52, 2, 2))
    words = [*_words(100, 1, "Tax year"), *_words(700, 1, "Form"), speck]
    words += [*_words(100, 2.2, "2023"), *_words(700, 2.2, "1040")]
    lines = group_words_into_lines(words)
    assert [line.text for _, line in stacked_label_lines(lines)] == ["Tax year    2023", "Form    1040"]


def test_a_label_word_ocr_read_with_a_digit_is_no_value_beside_the_labels_before_it() -> None:
    """A band of labels, one read "Taxpayer 1D number": every label still takes the value under it."""
    document = _page(
        (100, 1, "Date of this letter"),
        (400, 1, "Tax year"),
        (700, 1, "Taxpayer 1D number"),
        (100, 2, "10/21/2026"),
        (400, 2, "2024"),
        (700, 2, "XXX-XX-9923"),
    )
    assert [line.text for _, line in stacked_label_lines(document.pages[0].lines)] == [
        "Date of this letter    10/21/2026",
        "Tax year    2024",
        "Taxpayer 1D number    XXX-XX-9923",
    ]


def test_an_amount_printed_a_little_lower_than_its_label_is_its_value() -> None:
    document = _page(
        (100, 1, "Billing Summary"),
        (100, 2, "Tax you owed"),
        (700, 2.55, "$3,183.00"),
        (100, 3.1, "Interest charges"),
        (700, 3.65, "145.00"),
        (100, 4.2, "Amount due by February 20, 2018"),
        (700, 4.75, "$3,328.00"),
    )
    extraction = _extraction(document)
    assert [line.amount for line in extraction.billing_lines] == ["3183.00", "145.00"]
    assert extraction.fields["amount_due"].value == "3328.00"


def test_a_band_of_labels_one_of_them_wrapped_gives_each_label_the_value_under_it() -> None:
    """A redesigned notice's header band: the second line of "Social Security / number" sits between the
    labels and their values, which then stand lower than a line under "Date of this notice"."""
    document = _page(
        (100, 1, "Date of this notice"),
        (600, 1, "Tax period"),
        (1100, 1, "Social Security"),
        (1100, 1.8, "number"),
        (100, 2.9, "September 19, 2023"),
        (600, 2.9, "December 31, 2021"),
        (1100, 2.9, "***-**-3247"),
    )
    joined = [line.text for _, line in stacked_label_lines(document.pages[0].lines)]
    assert "Date of this notice    September 19, 2023" in joined
    assert "Tax period    December 31, 2021" in joined
    assert _extraction(document).fields["notice_date"].value == "2023-09-19"


def test_a_label_wrapped_onto_a_second_line_keeps_its_words_and_its_value() -> None:
    document = _page(
        (100, 1, "Person to contact"),
        (700, 1, "Contact telephone"),
        (700, 1.7, "number"),
        (100, 2.4, "Ms. Delgado"),
        (700, 2.4, "800-829-3903"),
    )
    joined = [line.text for _, line in stacked_label_lines(document.pages[0].lines)]
    assert "Contact telephone number    800-829-3903" in joined
    assert _extraction(document).fields["irs_phone"].value == "800-829-3903"


def test_a_row_of_values_beside_the_label_row_does_not_push_the_label_down() -> None:
    """A payment stub: the SSN row in the left column sits between "Amount due" and its amount; only a
    neighbour's wrapped label extends the band, so the amount stays the value, not "Pay by ..."."""
    document = _page(
        (100, 1, "Notice CP3219A"),
        (1100, 1, "Amount due"),
        (100, 1.6, "Social Security number: XXX-XX-3144"),
        (1100, 2.0, "$5,137.66"),
        (1100, 2.6, "Pay by 08/06/2025"),
    )
    joined = [line.text for _, line in stacked_label_lines(document.pages[0].lines)]
    assert "Amount due    $5,137.66" in joined


def test_a_return_address_beside_the_label_band_does_not_push_its_values_out_of_reach() -> None:
    """scroll (text layer): "Department of the Treasury" joins the header band's row of labels, its next line
    "Internal Revenue Service" (taken for the labels' second line) reaches below the top of their values."""
    document = _page(
        (100, 1, "Notice"),
        (600, 1, "Notice date"),
        (1500, 0.85, "Department of the Treasury"),
        (1600, 1.6, "Internal Revenue Service"),
        (100, 2.0, "CP14"),
        (600, 2.0, "June 30, 2025"),
    )
    joined = [line.text for _, line in stacked_label_lines(document.pages[0].lines)]
    assert "Notice date    June 30, 2025" in joined
    assert _extraction(document).fields["notice_date"].value == "2025-06-30"


def test_a_short_doubted_word_overlapping_both_neighbours_is_print_read_twice() -> None:
    """scroll scan (OCR kept): "4599 RIVERBEND VD DR", the "VD" (0.54) reaching into both neighbours' boxes;
    read surely, or with a space on either side, a short word stays."""

    def row(vd_confidence: float, vd_left: int) -> str:
        words = [
            OcrWord(text="RIVERBEND", confidence=0.96, bbox=(348, 850, 196, 26)),
            OcrWord(text="VD", confidence=vd_confidence, bbox=(vd_left, 850, 62, 26)),
            OcrWord(text="DR", confidence=0.96, bbox=(584, 850, 54, 26)),
        ]
        return group_words_into_lines(words)[0].text

    assert row(0.54, 530) == "RIVERBEND DR"
    assert row(0.9, 530) == "RIVERBEND VD DR"
    assert row(0.54, 556) == "RIVERBEND VD DR"  # clear of RIVERBEND: a word of its own


def test_a_tables_rule_read_as_a_glyph_is_a_column_gap() -> None:
    """A ruled header band on a low-resolution scan: "January 30, 2025    | December 31, 2024    | 1040"."""
    placed = [("Tax", 1500, 480, 30), ("form", 1560, 480, 30), ("|", 1420, 531, 60), ("1040", 1500, 531, 30)]
    words = [OcrWord(text=t, confidence=0.9, bbox=(x, y, 18 * len(t), h)) for t, x, y, h in placed]
    rows = group_words_into_lines(words)
    assert [row.text for row in rows] == ["Tax form", "1040"]
    assert [line.text for _, line in stacked_label_lines(rows)] == ["Tax form    1040"]


def test_a_label_without_descenders_is_measured_by_the_line_it_stands_on() -> None:
    """Recorded geometry (print family, scan): "Date of this letter" has no descender, so its box is shorter
    than its line; its date, a line below, had been taken as too far under it."""
    placed = [
        ("Date", 236, 478, 21), ("of", 290, 478, 21), ("this", 320, 478, 21), ("letter", 380, 478, 21),
        ("Tax", 768, 478, 29), ("period(s)", 820, 478, 29),
        ("01/03/2023", 236, 532, 21), ("12/31/2020", 772, 532, 21),
    ]  # fmt: skip
    words = [OcrWord(text=t, confidence=0.95, bbox=(x, y, 14 * len(t), h)) for t, x, y, h in placed]
    joined = [line.text for _, line in stacked_label_lines(group_words_into_lines(words))]
    assert "Date of this letter    01/03/2023" in joined


def test_small_capital_labels_over_values_set_larger_are_paired() -> None:
    """Recorded geometry (typeset family, scan): labels 26 px tall in small capitals, their values 34 px
    tall 40 px below them: the larger line sets the spacing."""
    placed = [
        ("LETTER", 231, 480, 110, 26), ("DATE", 352, 488, 60, 18), ("Tax", 765, 480, 50, 26),
        ("YEAR", 827, 488, 62, 18), ("Nov.", 234, 548, 88, 32), ("18,", 342, 546, 59, 40),
        ("2026", 421, 546, 101, 34), ("2023", 765, 546, 102, 34),
    ]  # fmt: skip
    words = [OcrWord(text=t, confidence=0.95, bbox=(x, y, w, h)) for t, x, y, w, h in placed]
    joined = [line.text for _, line in stacked_label_lines(group_words_into_lines(words))]
    assert joined == ["LETTER DATE    Nov. 18, 2026", "Tax YEAR    2023"]


def test_a_label_word_ocr_put_a_little_lower_is_joined_back() -> None:
    # Recorded geometry of a header box (irs family, photo): "year" sits lower than "Tax", so OCR made it
    # a row of its own between "Tax" and the year printed under "Tax".
    placed = [
        [("P.O.", 332, 391, 28), ("Box", 420, 391, 28), ("149338", 520, 391, 28), ("Tax", 1954, 401, 29)],
        [("year", 2055, 406, 32)],
        [("Kansas", 332, 442, 40), ("2024", 1954, 454, 29)],
    ]
    rows = tuple(
        line
        for row in placed
        for line in group_words_into_lines(
            [OcrWord(text=t, confidence=0.95, bbox=(x, y, 24 * len(t), h)) for t, x, y, h in row]
        )
    )
    assert [line.text for _, line in stacked_label_lines(rows)] == ["Tax year    2024"]
    lines = to_text_lines(
        OcrDocument(pages=(OcrPage(number=1, width=2550, height=3300, source=PageSource.OCR, lines=rows),))
    )
    assert extract_fields(lines, classify_notice(lines, load_catalog())).fields["tax_year"].value == 2024


def test_a_word_joins_its_neighbours_row_when_two_columns_sit_a_little_apart() -> None:
    """Recorded OCR of a letter: the address column's row sits 10 px above the header column's; "22," (32 px
    high) belongs with "November" beside it, not on a row of its own."""

    def word(text: str, x: int, y: int, width: int, height: int = 26) -> OcrWord:
        return OcrWord(text=text, confidence=0.95, bbox=(x, y, width, height))

    words = [
        word("P.O.", 228, 324, 57),
        word("Box", 301, 324, 54),
        word("219236", 373, 324, 111),
        word("November", 1461, 332, 185, 30),
        word("22,", 1677, 336, 58, 32),
        word("2024", 1773, 336, 91),
        word("Ogden,", 227, 374, 106, 34),
    ]
    assert [line.text for line in group_words_into_lines(words)] == [
        "P.O. Box 219236    November 22, 2024",
        "Ogden,",
    ]


def _row_of(*texts: str) -> str:
    words, x = [], 100
    for text in texts:
        words.append(OcrWord(text=text, confidence=0.9, bbox=(x, 500, 20 * len(text), 30)))
        x += 20 * len(text) + 15
    (line,) = group_words_into_lines(words)
    return line.text


def test_a_dot_leader_and_what_ocr_makes_of_it_is_a_column_gap() -> None:
    assert _row_of("TAX", "YEAR..........:", "2022") == "TAX YEAR    2022"
    assert _row_of("TAX", "YEAR...", "eee", "ee", "es", "2022") == "TAX YEAR    2022"
    assert _row_of("TOTAL", "DUE", "......cccceeeececeeeveeee", "$1,234.00") == "TOTAL DUE    $1,234.00"
    assert _row_of("Pay", "by", "P.O.", "Box", "1234") == "Pay by P.O. Box 1234"
    assert _row_of("we", "are", "...", "certain", "none") == "we are    certain none"
    assert _row_of("DATE.", "cece", "ccccccrveccccessese", "OCT.", "23,", "2023") == "DATE.    OCT. 23, 2023"
    assert _row_of("the", "notice.", "once", "we", "see") == "the notice. once we see"


def test_a_dash_leader_solid_or_spaced_is_a_column_gap() -> None:
    assert _row_of("Date", "-", "-", "-", "-", "-", "11/28/2025") == "Date    11/28/2025"
    assert _row_of("Date", "------+--+--+-+-+-+-+--", "Mar.", "15,", "2024") == "Date    Mar. 15, 2024"
    assert _row_of("Penalties", "-", "may", "not", "include") == "Penalties - may not include"


def test_labels_set_too_close_to_part_are_cut_where_the_values_columns_start() -> None:
    """A typeset header band (recorded): "Social Security number Caller ID" without a column gap, over
    "XXX-XX-7624    407188": each label gets the value under it, not the caller ID the mask's tail."""
    document = _page(
        (100, 1, "Letter date"),
        (600, 1, "Social Security number"),
        (840, 1, "Caller ID"),
        (100, 2, "Aug. 7, 2024"),
        (600, 2, "XXX-XX-7624"),
        (840, 2, "407188"),
    )
    labels = document.pages[0].lines[0].text
    assert labels == "Letter date    Social Security number Caller ID"
    joined = [line.text for _, line in stacked_label_lines(document.pages[0].lines)]
    assert "Social Security number    XXX-XX-7624" in joined
    assert "Caller ID    407188" in joined
    fields = _extraction(document).fields
    assert (fields["caller_id"].value, fields["ssn_last4"].value) == ("407188", "7624")


def test_a_label_run_with_no_column_starting_under_it_stays_whole() -> None:
    document = _page((100, 1, "Social Security number"), (100, 2, "XXX-XX-7624"))
    joined = [line.text for _, line in stacked_label_lines(document.pages[0].lines)]
    assert joined == ["Social Security number    XXX-XX-7624"]


def test_words_ocr_could_not_read_between_labels_and_values_are_no_second_label_line() -> None:
    """Recorded (typeset CP27 scan): a row of its own holding the masked SSN OCR could not read ("wee _**",
    0.00), its top a pixel above the values' row; it is no second line of a label, so the values stay under
    their labels."""
    rows = (
        [
            ("Notice", 231, 604, 33, 0.96),
            ("date", 360, 604, 33, 0.96),
            ("Social", 1298, 604, 33, 0.96),
            ("Caller", 1700, 604, 33, 0.96),
            ("ID", 1830, 604, 33, 0.96),
        ],
        [("wee", 1298, 669, 21, 0.0), ("_**", 1360, 669, 21, 0.0)],
        [
            ("12/19/2023", 235, 670, 32, 0.9),
            ("5334", 1400, 670, 32, 0.9),
            ("910483", 1700, 670, 32, 0.9),
        ],
    )
    lines = [
        line
        for row in rows
        for line in group_words_into_lines(
            [OcrWord(text=t, confidence=c, bbox=(x, y, 20 * len(t), h)) for t, x, y, h, c in row]
        )
    ]
    joined = [line.text for _, line in stacked_label_lines(lines)]
    assert "Notice date    12/19/2023" in joined


def test_a_label_over_its_value_is_not_cut_at_its_second_word() -> None:
    """A letter's text layer (recorded shape): "Tax periods:" over "September 30, 2021", the value starting
    under "Tax", less than a label's height left of "periods:"; the value's column is the label's own."""
    placed = [("Tax", 1500, 480, 16), ("periods:", 1519, 480, 60), ("September", 1500, 512, 70)]
    placed += [("30,", 1575, 512, 20), ("2021", 1600, 512, 30)]
    words = [OcrWord(text=t, confidence=1.0, bbox=(x, y, w, 22)) for t, x, y, w in placed]
    joined = [line.text for _, line in stacked_label_lines(group_words_into_lines(words))]
    assert joined == ["Tax periods:    September 30, 2021"]


def test_a_label_over_a_centred_value_is_not_cut() -> None:
    """A second reader's case: "Tax year" over a centred "2023" that starts under the space between its
    words; the label heads no column of that row, so it stays whole."""
    placed = [("Tax", 100, 480, 60, 40), ("year", 180, 480, 80, 40), ("2023", 140, 540, 80, 40)]
    words = [OcrWord(text=t, confidence=0.95, bbox=(x, y, w, h)) for t, x, y, w, h in placed]
    joined = [line.text for _, line in stacked_label_lines(group_words_into_lines(words))]
    assert joined == ["Tax year    2023"]


def test_a_value_a_label_of_its_own_row_stands_before_is_not_taken_by_the_label_above() -> None:
    """Docket family, a scan: OCR put the "date" of "Notice date" into the next row, tall; the tax period's
    value one row down fell within its reach and the notice read a rival notice date 12/31/2020."""

    def word(text: str, x: int, y: int, width: int, height: int = 28) -> OcrWord:
        return OcrWord(text=text, confidence=0.95, bbox=(x, y, width, height))

    rows = [
        [word("Notice", 1125, 231, 125), word("09/08/2023", 1695, 231, 211)],
        [word("Stop", 219, 254, 81), word("813G", 326, 254, 82), word("date", 1275, 231, 82, 58)],
        [word("Tax", 1124, 286, 61), word("period", 1211, 285, 124), word("12/31/2020", 1696, 285, 210)],
    ]
    lines = tuple(group_words_into_lines(row)[0] for row in rows)
    assert [joined.text for _, joined in stacked_label_lines(lines)] == []


def test_labels_set_too_close_are_cut_at_the_values_row_after_a_wrapped_labels_second_line() -> None:
    """Docket family, a text layer: a band of labels whose "Social Security" wraps its "number" onto a row of
    its own; "Notice number Notice date" had been read as one label over CP297, a copy of the notice date
    that could not be read."""

    def word(text: str, x: int, y: int, width: int) -> OcrWord:
        return OcrWord(text=text, confidence=0.96, bbox=(x, y, width, 49))

    labels = [("Notice", 217, 120), ("number", 348, 146), ("Notice", 517, 120), ("date", 648, 84)]
    labels += [("Social", 1537, 111), ("Security", 1659, 154)]
    values = [("CP297", 217, 127), ("July", 517, 83), ("17,", 612, 58), ("2024", 681, 93)]
    values += [("XXX-XX-1460", 1537, 259)]
    rows = [
        [word(text, x, 408, width) for text, x, width in labels],
        [word("number", 1537, 451, 146)],
        [word(text, x, 510, width) for text, x, width in values],
    ]
    lines = tuple(group_words_into_lines(row)[0] for row in rows)
    joined = [line.text for _, line in stacked_label_lines(lines)]
    assert "Notice number    CP297" in joined and "Notice date    July 17, 2024" in joined, joined


def _boxes(placed: list[tuple[str, int, int]], height: int = 40) -> list[OcrWord]:
    return [OcrWord(text=t, confidence=0.95, bbox=(x, y, 22 * len(t), height)) for t, x, y in placed]


def test_a_band_of_labels_reaches_its_row_of_values_across_a_padded_row() -> None:
    """Recorded geometry (tally family, a spreadsheet's band of cells): four labels across a row, their
    values 79 px (two lines) below; a label alone in a padded row reaches no further than before."""
    labels = [("Notice:", 191, 440), ("Date", 500, 440), ("of", 610, 440), ("this", 670, 440),
              ("notice", 780, 440), ("Tax", 1200, 440), ("year", 1290, 440), ("Social", 1600, 440),
              ("Security", 1750, 440), ("number", 1950, 440)]  # fmt: skip
    values = [("CP90", 191, 559), ("06/17/2026", 500, 559), ("2025", 1200, 559), ("XXX-XX-0783", 1600, 559)]
    joined = [line.text for _, line in stacked_label_lines(group_words_into_lines(_boxes(labels + values)))]
    assert "Date of this notice    06/17/2026" in joined and "Tax year    2025" in joined
    alone = _boxes([("Tax", 1200, 440), ("year", 1290, 440), ("2025", 1200, 559)])
    assert list(stacked_label_lines(group_words_into_lines(alone))) == []


def test_a_band_label_over_an_empty_cell_takes_no_value_from_further_down() -> None:
    """Review: "Amount due" heading an empty cell of a band must not reach two lines down to a penalty's
    amount; the values row is the band's next row only."""
    labels = [("Notice", 191, 440), ("Date", 500, 440), ("Tax", 900, 440), ("year", 990, 440),
              ("Amount", 1300, 440), ("due", 1460, 440)]  # fmt: skip
    values = [("CP14", 191, 500), ("06/17/2026", 500, 500), ("2025", 900, 500)]
    penalty = [("Penalty", 191, 580), ("$45.10", 1300, 580)]
    lines = group_words_into_lines(_boxes(labels + values + penalty))
    assert not any(line.text.startswith("Amount due") for _, line in stacked_label_lines(lines))


def test_a_box_rule_glued_to_a_cell_s_first_word_is_no_part_of_it() -> None:
    """forme, skewed: the header box's left rule read into its labels ("‘Date", "‘SSN"); a quote inside a
    row is the row's own."""
    document = _page(
        (100, 1, "‘Date"), (700, 1, "2026-11-11"), (100, 2, "‘SSN"), (700, 2, "NNN-NN-9905"),
        (100, 4, "We wrote ‘Pay now’ on it"),
    )  # fmt: skip
    assert [line.text for line in document.pages[0].lines] == [
        "Date    2026-11-11", "SSN    NNN-NN-9905", "We wrote ‘Pay now’ on it",
    ]  # fmt: skip
    assert _extraction(document).fields["notice_date"].value == "2026-11-11"


def test_a_label_beside_another_column_s_print_takes_the_value_under_it() -> None:
    """ream: the header's cells stacked down the left, the address block to their right sharing the rows:
    "Notice date" beside "1750 GRANITE LN APT 25C", its date under it."""
    document = _page(
        (100, 1, "Notice date"), (1300, 1, "1750 GRANITE LN APT 25C"),
        (100, 2, "November 26, 2026"), (1300, 2, "SAVANNAH, GA 31401"),
        (100, 3, "Tax year"), (100, 4, "2025"),
    )  # fmt: skip
    assert _extraction(document).fields["notice_date"].value == "2026-11-26"


@pytest.mark.parametrize(
    ("label", "under"), [("Amount due by", "02/20/2023"), ("Amount due by July", "19, 2026")]
)
def test_a_stub_s_amount_due_by_with_its_amount_beside_takes_the_date_under_it(
    label: str, under: str
) -> None:
    """ream's stub: "Amount due by" in a narrow cell, the amount right of it, the date (or its day and year,
    the month ending the label's cell) under it."""
    document = _page(
        (100, 1, "PO BOX 802501"), (1300, 1, label), (1300 + 10 * len(label) + 80, 1, "$11,705.74"),
        (100, 2, "HOLTSVILLE, NY 11742-0023"), (1300, 2, under),
    )  # fmt: skip
    rows = [line.text for _, line in stacked_label_lines(document.pages[0].lines)]
    date = "02/20/2023" if under == "02/20/2023" else "July 19, 2026"
    assert f"Amount due by    {date} $11,705.74" in rows, rows


def _boxed(top: int, height: int, *words: tuple[str, int, int]) -> list[OcrWord]:
    """Words as a text layer or OCR boxed them: (text, left, width) on one row."""
    return [OcrWord(text=t, confidence=0.96, bbox=(x, top, w, height)) for t, x, w in words]


def _stacked(*rows: list[OcrWord]) -> list[str]:
    lines = group_words_into_lines([word for row in rows for word in row])
    return [line.text for _, line in stacked_label_lines(lines)]


def test_a_table_whose_cells_sit_too_close_in_both_rows_gives_each_label_its_value() -> None:
    """vellum's header table (a text layer): "Tax year Social Security number Phone" is one run of words and
    "CP49 August 29, 2023 2022 nnn-nn-0324" another; the columns are where words of both rows start
    together."""
    labels = _boxed(
        440, 27, ("Notice", 287, 79), ("Notice", 412, 79), ("date", 499, 49), ("Tax", 715, 44),
        ("year", 767, 51), ("Social", 851, 74), ("Security", 933, 99), ("number", 1039, 91),
        ("Phone", 1163, 74),
    )  # fmt: skip
    values = _boxed(
        482, 35, ("CP49", 287, 92), ("August", 412, 121), ("29,", 543, 49), ("2023", 603, 79),
        ("2022", 715, 79), ("nnn-nn-0324", 851, 216), ("800-829-1040", 1163, 224),
    )  # fmt: skip
    assert _stacked(labels, values) == [
        "Notice    CP49", "Notice date    August 29, 2023", "Tax year    2022",
        "Social Security number    nnn-nn-0324", "Phone    800-829-1040",
    ]  # fmt: skip


def test_a_row_of_values_under_a_band_of_labels_is_cut_where_each_label_starts() -> None:
    """press: "September 25, 2025 ***-**-5915" sat too close to tell apart, under "Date of this notice" and
    "Taxpayer ID number"."""
    labels = _boxed(
        790, 43, ("Notice", 213, 103), ("Date", 622, 76), ("of", 712, 30), ("this", 754, 58),
        ("notice", 827, 99), ("Taxpayer", 1172, 152), ("ID", 1338, 32), ("number", 1384, 128),
        ("Tax", 1587, 53), ("period", 1656, 101), ("ending", 1771, 111), ("Form", 1999, 80),
    )  # fmt: skip
    values = _boxed(
        842, 44, ("CP21C", 212, 148), ("September", 622, 255), ("25,", 894, 66), ("2025", 982, 113),
        ("***-**-5915", 1174, 263), ("12/31/2023", 1591, 261), ("1040", 2001, 111),
    )  # fmt: skip
    assert "Date of this notice    September 25, 2025" in _stacked(labels, values)


def test_a_heading_over_a_band_of_labels_cuts_neither_it_nor_the_values() -> None:
    """press: "Changes to your tax return: no balance due" over the band of labels over their values; its
    words start where some values do, two rows down: no label, and "December 22, 2023" stays whole."""
    heading = _boxed(
        685, 67, ("Changes", 183, 312), ("to", 522, 72), ("your", 618, 168), ("tax", 810, 113),
        ("return:", 946, 257), ("no", 1235, 88), ("balance", 1350, 284), ("due", 1663, 131),
    )  # fmt: skip
    labels = _boxed(
        802, 25, ("Notice", 210, 107), ("number", 332, 127), ("Date", 614, 75), ("Taxpayer", 1141, 154),
        ("ID", 1308, 35), ("number", 1357, 128), ("Tax", 1558, 57), ("period", 1629, 105),
        ("ending", 1747, 111), ("Form", 1964, 85),
    )  # fmt: skip
    values = _boxed(
        849, 36, ("CP13", 210, 119), ("December", 615, 236), ("22,", 867, 66), ("2023", 955, 110),
        ("XXX-XX-3218", 1143, 302), ("12/31/2020", 1564, 256), ("1040", 1968, 108),
    )  # fmt: skip
    stacked = _stacked(heading, labels, values)
    assert "Date    December 22, 2023" in stacked
    assert not any(line.startswith(("Changes", "your", "return")) for line in stacked)


def test_a_row_without_words_under_or_over_a_band_of_labels_is_left_alone() -> None:
    """A text layer's row may come without its words (only its text): nothing to cut, no error."""
    labels = _boxed(440, 27, ("Notice", 287, 79), ("Tax", 715, 44), ("year", 767, 51), ("Phone", 1163, 74))
    bare = OcrLine(text="CP49    2022    800-829-1040", bbox=(287, 482, 1100, 35), confidence=1.0)
    lines = (*group_words_into_lines(labels), bare)
    for rows in (lines, (bare, *group_words_into_lines(labels))):
        assert all("CP49    2022    800-829-1040" in line.text for _, line in stacked_label_lines(rows))
