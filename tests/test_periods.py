"""The table of tax periods of collection notices: read from the generator's text layers and from recorded
OCR rows, wired into the result, checked by validation both ways, and never a silent gap in ``processed``."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from pathlib import Path

import pytest

from extractors.amount_due import find_amounts_due
from extractors.periods import PeriodTable, find_period_table, is_period_heading
from extractors.text import TextLine
from fixtures.generator.corpus import Composed, Spec, compose, plan
from fixtures.generator.pdf import pdf_bytes
from pipeline.catalog import load_catalog
from pipeline.decide import decide
from pipeline.extract import classify_notice, extract_fields, read_periods, to_text_lines
from pipeline.layout import group_words_into_lines
from pipeline.models import (
    CheckStatus,
    Field,
    NoticeResult,
    OcrDocument,
    OcrLine,
    OcrPage,
    OcrWord,
    PageSource,
    Status,
    TaxPeriod,
)
from pipeline.process import PipelineContext, analyze_document
from pipeline.profiles import TaxpayerProfile
from pipeline.textlayer import read_text_layer
from pipeline.validate import CheckName, check_period_total, check_periods_filed

AS_OF = dt.date(2027, 6, 1)  # after every generated notice date


def _rows(table: PeriodTable | None) -> list[tuple[str | None, str | None, str | None]]:
    assert table is not None
    return [
        (
            row.form,
            row.period_end.isoformat() if row.period_end else None,
            None if row.amount is None else str(row.amount),
        )
        for row in table.rows
    ]


# --- the generator's pages, as a PDF text layer ---------------------------------------------------------


@functools.cache
def _with_periods(family: str) -> tuple[Composed, ...]:
    """The first three documents of a seeded plan whose truth lists tax periods, as born-digital PDFs."""
    found = []
    for spec in plan(120, seed=31, family=family):
        doc = compose(Spec(spec.index, spec.seed, spec.code, "pdf_text", "clean", family=family))
        if doc.truth.get("periods"):
            found.append(doc)
        if len(found) == 3:
            break
    return tuple(found)


def _text_layer(doc: Composed, tmp_path: Path) -> OcrDocument:
    path = tmp_path / doc.source
    path.write_bytes(pdf_bytes(doc.pages))
    pages = read_text_layer(path, 300)
    return OcrDocument(pages=tuple(pages[number] for number in sorted(pages)))


@pytest.mark.parametrize("family", ["irs", "letter", "modern"])
def test_generated_tables_are_read_whole_into_the_result(family: str, tmp_path: Path) -> None:
    context = PipelineContext.default(AS_OF)
    for doc in _with_periods(family):
        result = analyze_document("", doc.source, _text_layer(doc, tmp_path), context, {})
        read = [{"form": p.form, "period_end": p.period_end, "amount": p.amount} for p in result.periods]
        assert read == doc.truth["periods"], doc.source
        assert result.field_value("tax_year") == doc.truth["fields"]["tax_year"]  # the latest period
        checks = {check.name: check for check in result.validation.checks}
        assert checks[CheckName.PERIOD_TOTAL].status is CheckStatus.PASS, doc.source
        assert not [reason for reason in result.review_reasons if reason.startswith("periods")]
        assert result.model_dump(mode="json")["periods"][0]["page"] == 1


def test_an_unread_period_amount_keeps_the_notice_out_of_processed(tmp_path: Path) -> None:
    doc = _with_periods("irs")[0]
    document = _text_layer(doc, tmp_path)
    printed = doc.truth["periods"][0]["amount"]
    as_printed = f"${Decimal(printed):,.2f}"
    damaged = as_printed[:-2] + "?7"  # the last cell of the first row, unreadable
    pages = tuple(
        page.model_copy(update={"lines": tuple(_replaced(line, as_printed, damaged) for line in page.lines)})
        for page in document.pages
    )
    result = analyze_document("", doc.source, OcrDocument(pages=pages), PipelineContext.default(AS_OF), {})
    assert result.periods[0].amount is None
    assert result.status is Status.NEEDS_REVIEW
    assert any(reason.startswith("periods: row 1") and "amount" in reason for reason in result.review_reasons)


def _replaced(line: OcrLine, old: str, new: str) -> OcrLine:
    return line.model_copy(update={"text": line.text.replace(old, new)}) if old in line.text else line


def test_a_notice_without_a_table_has_no_periods_in_its_json(tmp_path: Path) -> None:
    doc = next(
        d
        for spec in plan(12, seed=31, family="irs")
        if not (d := compose(Spec(spec.index, 31, spec.code, "pdf_text", "clean", family="irs"))).truth.get(
            "periods"
        )
    )
    result = analyze_document("", doc.source, _text_layer(doc, tmp_path), PipelineContext.default(AS_OF), {})
    assert result.periods == ()
    assert "periods" not in result.model_dump(mode="json")


# --- recorded OCR rows (tesseract on generated scans, faxes and photos) -----------------------------------

QUARTERS_941 = [  # a CP504B scanned with skew; the heading wraps over three rows
    TextLine(1, "Tax periods covered by this notice", (318, 1918, 887, 45), 0.957),
    TextLine(
        1, "Tax form    Tax period    Unpaid amount    Additional    Additional    Amount you",
        (318, 1961, 2186, 48), 0.957,
    ),
    TextLine(1, "ending    from prior    penalty    interest    owe", (581, 2002, 1927, 48), 0.957),
    TextLine(1, "notices    charges    charges", (1261, 2050, 851, 38), 0.96),
    TextLine(
        1, "941    December 31, 2023    5,229.89    476.44    404.75    $6,111.08",
        (318, 2095, 2191, 40), 0.921,
    ),
    TextLine(
        1, "941    September 30, 2023    10,735.81    390.68    720.84    $11,847.33",
        (320, 2141, 2185, 38), 0.958,
    ),
    TextLine(
        1, "941    June 30, 2023    9,279.47    372.61    371.13    $10,023.21",
        (320, 2182, 2185, 38), 0.956,
    ),
    TextLine(1, "Total amount you owe    $27,981.62", (318, 2230, 2190, 41), 0.958),
]  # fmt: skip
AMOUNT_DUE_TOTAL = [  # a press CP90 scan: the total row named by the amount due's label
    TextLine(1, "Unpaid amount = Additional penalty    Additional interest", (919, 1938, 1044, 44), 0.717),
    TextLine(1, "Tax form Tax period ending    Amount you owe", (196, 1966, 2155, 35), 0.901),
    TextLine(1, "from prior notices    charges    charges", (870, 1991, 1094, 35), 0.958),
    TextLine(1, "1040    12/31/2022    $691.48    $67.33    $26.05    $784.86", (199, 2054, 2152, 30), 0.958),
    TextLine(
        1, "1040    12/31/2021    $5,818.22    $458.28    $267.12    $6,543.62", (199, 2115, 2152, 32), 0.958
    ),
    TextLine(
        1, "1040    12/31/2020    $1,697.62    $203.58    $39.57    $1,940.77", (199, 2179, 2152, 32), 0.958
    ),
    TextLine(1, "Balance due    $9,269.25", (199, 2244, 2153, 34), 0.957),
    TextLine(1, "What you need to do", (180, 2348, 470, 44), 0.96),
]  # fmt: skip
DAMAGED_CELL = [  # a CP297 rotated scan: "159:62" for 159.62 in the interest column
    TextLine(
        1, "Tax form    Tax period ending    Unpaid amount Additional penalty    Additional    "
        "Amount you owe",
        (176, 1909, 2173, 46), 0.96,
    ),
    TextLine(1, "from prior notices    charges _ interest charges", (939, 1954, 1018, 46), 0.916),
    TextLine(
        1, "1040    December 31, 2022    2,552.16    180.01    159:62    $2,891.79",
        (179, 2012, 2170, 34), 0.93,
    ),
    TextLine(
        1, "1040    December 31, 2021    11,189.11    1,295.69    237.70    $12,722.50",
        (179, 2058, 2171, 34), 0.959,
    ),
    TextLine(1, "Total amount you owe    $15,614.29", (176, 2112, 2174, 36), 0.958),
    TextLine(1, "Property that we may levy", (179, 2206, 615, 47), 0.96),
]  # fmt: skip
FORM_UNREAD = [  # a CP90 fax: "[646" for 1040, "fotal" for Total
    TextLine(
        1, "Tax form    Tax period    Unpaid amount    Additional    Additional    Amount you",
        (196, 1913, 2206, 43), 0.944,
    ),
    TextLine(1, "ending    from prior penalty charges interest charges    owe", (462, 1957, 1940, 35), 0.951),
    TextLine(1, "notices", (1156, 1999, 142, 28), 0.96),
    TextLine(
        1, "[646    December 31, 2024    8,230.54    367.09    369.09    $8,966.72",
        (201, 2043, 2199, 38), 0.935,
    ),
    TextLine(
        1, "1040    December 31, 2023    1,834.22    209.26    120.32    $2,163.80",
        (201, 2088, 2201, 33), 0.954,
    ),
    TextLine(1, "fotal amount you owe    $11,130.52", (205, 2133, 2195, 39), 0.938),
]  # fmt: skip
GARBLED_ROW = [  # a CP90 fax whose first row ran into the table's rule
    TextLine(
        1, "Tax form    Tax period ending    Unpaid amount Additional penaity    Additional    "
        "Amount you owe",
        (210, 2033, 2175, 43), 0.922,
    ),
    TextLine(1, "from prior notices    charges __ interest charges", (978, 2079, 1016, 43), 0.831),
    TextLine(
        1, "1040002~«~C*«‘<282O2Hs—“‘(‘“(O™‘OSOCO#O*C(‘(ON’(SNCNCCO#;#OVONOS2)UOUO~«é‘é@#S#ONBA~*G:IO«206.13",
        (208, 2127, 2179, 44), 0.0,
    ),
    TextLine(
        1, "1040    12/31/2023    11,890.93    545.04    779.29    $13,215.26",
        (213, 2184, 2172, 33), 0.873,
    ),
    TextLine(
        1, "1040    12/31/2022    1,063.52    54.56    26.58    $1.144.66",
        (213, 2230, 2172, 34), 0.937,
    ),
    TextLine(1, "Total amount you owe    $24,566.05", (210, 2286, 2175, 35), 0.944),
]  # fmt: skip
RULE_SPECKS = [  # a typed table's rule between the form and the period read as "=" or ")"
    TextLine(1, "FORM    TAX PERIOD ENDED    UNPAID AMOUNT    PENALTY    INTEREST    AMOUNT YOU OWE"),
    TextLine(1, "1040 = 12/31/2022    $350.52    $24.37    $8.86    $383.75"),
    TextLine(1, "1040) =12/31/2021    $2,536.59    $164.25    $81.44    $2,782.28"),
    TextLine(1, "1040    “December 31, 2020    $2,104.85    $212.83    $88.26    $2,405.94"),  # a fax's rule
    TextLine(1, "TOTAL    $4,991.96    $400.96    $178.12    $5,571.97"),
]
LETTER = [  # Letter 1058's table: a total row with every column
    TextLine(
        1, "Form    Tax period ended    Unpaid amount    Additional    Additional    Amount",
        (225, 1231, 2100, 35),
    ),
    TextLine(1, "from prior notices    penalty    interest    you owe", (1054, 1276, 1271, 35)),
    TextLine(
        1, "1040    Dec. 31, 2O23    $7,873.26    $307.44    $414.06    $8,594.76",
        (225, 1333, 2100, 35),
    ),
    TextLine(1, "l040    12/31/2022    $1,687.38    $90.33    $112.04    $1,889.75", (225, 1385, 2100, 35)),
    TextLine(1, "Total    $9,560.64    $397.77    $526.10    $10,484.51", (225, 1498, 2100, 35)),
]  # fmt: skip
YEAR_MONTH = [  # a mainframe letter's table: the period as year and month, as IRS letters print it
    TextLine(1, "Tax Period    Form    Type of Tax    Amount You Owe"),
    TextLine(
        1, "1040    201203.45    $201,215.45"
    ),  # a date cell lost: an amount whose comma OCR lost is no period
    TextLine(1, "202312    1040    Income    3,434.92"),
    TextLine(1, "202306    941    Employment    $1,876.51"),
    TextLine(1, "Total amount you owe    $5,311.43"),
]


@pytest.mark.parametrize(
    ("lines", "rows", "total"),
    [
        pytest.param(
            QUARTERS_941,
            [
                ("941", "2023-12-31", "6111.08"),
                ("941", "2023-09-30", "11847.33"),
                ("941", "2023-06-30", "10023.21"),
            ],
            "27981.62",
            id="941-quarters-heading-over-three-rows",
        ),
        pytest.param(
            DAMAGED_CELL,
            [("1040", "2022-12-31", "2891.79"), ("1040", "2021-12-31", "12722.50")],
            "15614.29",
            id="damaged-interest-cell",
        ),
        pytest.param(
            FORM_UNREAD,
            [(None, "2024-12-31", "8966.72"), ("1040", "2023-12-31", "2163.80")],
            "11130.52",
            id="form-unread-stays-none",
        ),
        pytest.param(
            GARBLED_ROW,
            [(None, None, None), ("1040", "2023-12-31", "13215.26"), ("1040", "2022-12-31", "1144.66")],
            "24566.05",
            id="garbled-row-kept-in-its-place",
        ),
        pytest.param(
            RULE_SPECKS,
            [
                ("1040", "2022-12-31", "383.75"),
                ("1040", "2021-12-31", "2782.28"),
                ("1040", "2020-12-31", "2405.94"),
            ],
            "5571.97",
            id="rule-read-as-speck",
        ),
        pytest.param(
            AMOUNT_DUE_TOTAL,
            [
                ("1040", "2022-12-31", "784.86"),
                ("1040", "2021-12-31", "6543.62"),
                ("1040", "2020-12-31", "1940.77"),
            ],
            "9269.25",
            id="total-row-named-balance-due",
        ),
        pytest.param(
            LETTER,
            [("1040", "2023-12-31", "8594.76"), ("1040", "2022-12-31", "1889.75")],
            "10484.51",
            id="letter-ocr-digit-confusions",
        ),
        pytest.param(
            YEAR_MONTH,
            [(None, None, None), ("1040", "2023-12-31", "3434.92"), ("941", "2023-06-30", "1876.51")],
            "5311.43",
            id="period-as-year-and-month",
        ),
    ],
)  # fmt: skip
def test_recorded_ocr_tables(lines: list[TextLine], rows: list, total: str) -> None:
    table = find_period_table(lines)
    assert _rows(table) == rows
    assert table is not None and str(table.total) == total


SPECKS_BETWEEN_ROWS = [  # a faxed CP523 (typeset): OCR read a rule's specks as rows of their own
    TextLine(1, "TAX FORM TAX PERIOD ENDING UNPAID AMOUNT FROM    ADDITIONAL PENALTY    AMOUNT YOU OWE"),
    TextLine(1, "1040    Dec. 31, 2025    $5,472.14    $144.28    $414.67    $6,031.09"),
    TextLine(1, ";"),
    TextLine(1, "11040    Dec. 31,2024    $9,261.79    $320.09)    $567.26 rs $10,149.14"),  # the left rule
    TextLine(1, "|"),
    TextLine(1, "1040    December 3 2023    $5,525.03    $542.87    $268.46    $6,336.36"),  # 31 misread
]


def test_specks_between_rows_end_no_table_a_rule_is_no_digit_of_a_form_and_no_period_ends_mid_month() -> None:
    assert _rows(find_period_table(SPECKS_BETWEEN_ROWS)) == [
        ("1040", "2025-12-31", "6031.09"),
        ("1040", "2024-12-31", "10149.14"),
        ("1040", None, "6336.36"),
    ]


def test_a_dashed_rule_read_as_a_speck_row_and_a_quote_before_the_form_is_no_row_nor_form() -> None:
    """Folio family, a scan: the dashed rule under the heading touches the first row's tops; OCR read it as a
    row "0" and a quote mark glued to the form ("“1040"): both rows were unread, the notice to review."""
    table = find_period_table([
        TextLine(1, "Form    Tax period    Unpaid amount Penalty Interest Amount you owe"),
        TextLine(1, "0"),
        TextLine(1, "“1040 Dec. 31, 2020    3,747.79 308.42    202.40    4,258.61"),
        TextLine(1, "1040    Dec. 31, 2019    8,785.67    508.68    598.28    9,892.63"),
        TextLine(1, "Amount due    $14,151.24"),
    ])  # fmt: skip
    assert _rows(table) == [("1040", "2020-12-31", "4258.61"), ("1040", "2019-12-31", "9892.63")]


def test_a_rule_between_form_and_period_read_as_two_specks_is_a_cell_gap() -> None:
    """Quire family, a low-resolution scan: "1040 =: 12/31/2023" (the cell's rule and a speck beside it)."""
    table = find_period_table([
        TextLine(1, "Tax form    Tax period ending    Unpaid amount    Penalty    Interest    You owe"),
        TextLine(1, "1040 =: 12/31/2023    $9,676.99    $991.23    $566.26    $11,234.48"),
        TextLine(1, "1040 =. 12/31/2022    $4,301.89    $299.00    $57.09    $4,657.98"),
        TextLine(1, "Total    $15,892.46"),
    ])  # fmt: skip
    assert _rows(table) == [("1040", "2023-12-31", "11234.48"), ("1040", "2022-12-31", "4657.98")]


def test_a_heading_of_money_columns_without_amount_and_a_paragraph_ending_a_table_without_total() -> None:
    table = find_period_table([
        TextLine(1, "Form    Period ended    Unpaid balance    Penalty    Interest    You owe"),
        TextLine(1, "1040    12/31/2022    $4,098.64    $198.33    $128.88    $4,425.85"),
        TextLine(1, "1040    12/31/2021    $692.42    $17.39    $12.08    $721.89"),
        TextLine(1, "The amount you owe is $5,147.74. It includes any penalties and interest."),
    ])  # fmt: skip
    assert _rows(table) == [("1040", "2022-12-31", "4425.85"), ("1040", "2021-12-31", "721.89")]
    assert not is_period_heading("Form    Period ended    Date of this notice")


def test_a_row_that_adds_up_is_confirmed_and_one_that_does_not_is_doubted() -> None:
    table = find_period_table(QUARTERS_941)
    assert table is not None and all(row.adds_up for row in table.rows)
    wrong = QUARTERS_941[:4] + [
        TextLine(
            1, "941    December 31, 2023    5,229.89    476.44    404.75    $6,171.08",
            (318, 2095, 2191, 40), 0.921,
        )
    ]  # fmt: skip
    doubted = find_period_table(wrong)
    assert doubted is not None and doubted.rows[0].adds_up is False
    assert table.rows[0].confidence > doubted.rows[0].confidence > 0.7  # a lost column is no misreading


LOST_COLUMN = [  # Letter 1058 scanned: tesseract lost the "Unpaid amount" column in every row and the total
    TextLine(
        1, "Form    Tax period ended    Unpaid amount    Additional    Additional    Amount",
        (226, 1304, 2099, 48),
    ),
    TextLine(1, "from prior notices    penalty    interest    you owe", (1065, 1352, 1259, 46)),
    TextLine(1, "1040    December 31, 2024    $75.36    $61.57    $2,382.30", (229, 1416, 2095, 34), 0.95),
    TextLine(1, "1040    December 31, 2023    $150.86    $199.30    $10,522.02", (229, 1472, 2093, 34), 0.95),
    TextLine(1, "Total    $226.22    $260.87    $12,904.32", (225, 1576, 2099, 56)),
]  # fmt: skip


def test_a_column_lost_in_every_row_keeps_the_last_column_as_the_amount() -> None:
    table = find_period_table(LOST_COLUMN)
    assert _rows(table) == [("1040", "2024-12-31", "2382.30"), ("1040", "2023-12-31", "10522.02")]
    assert table is not None and all(row.adds_up is False and row.confidence > 0.7 for row in table.rows)


def test_a_form_that_may_misread_the_other_rows_form_is_doubted() -> None:
    odd = TextLine(1, "1046    12/31/2021    $1,687.38    $90.33    $112.04    $1,889.75")
    table = find_period_table([*LETTER[:4], odd, LETTER[4]])
    assert table is not None and table.rows[2].form == "1046" and table.rows[2].confidence < 0.7
    assert table.rows[0].confidence > 0.9 and table.rows[1].confidence > 0.9
    two = find_period_table([*LETTER[:3], odd, LETTER[4]])  # one of two is misread: which one is unknown
    assert two is not None and all(row.confidence < 0.7 for row in two.rows)
    merged = TextLine(
        1, "940    12/31/2021    $1,687.38    $90.33    $112.04    $1,889.75"
    )  # a fax's "10" as 9
    table = find_period_table([*LETTER[:4], merged, LETTER[4]])
    assert table is not None and table.rows[2].form == "940" and table.rows[2].confidence < 0.7
    business = find_period_table([*QUARTERS_941[:4], QUARTERS_941[4], *LETTER[2:3], QUARTERS_941[7]])
    assert business is not None and [row.form for row in business.rows] == ["941", "1040"]
    assert all(row.confidence > 0.9 for row in business.rows)  # another return, not a misreading


def test_decimal_points_ocr_lost_to_a_space_are_put_back() -> None:
    """scroll scan (OCR kept): the small figures of a CP91's table lost their points ("8,644 15"), one lost
    it whole ("30177": the row keeps its last amount, its other cells as read)."""
    lost = [
        TextLine(1, "Tax form    Tax period ending    Unpaid tax    Penalties    Interest    Amount you owe"),
        TextLine(1, "1040    12/31/2023    8,644 15    577 78    273 23    9,495 16"),
        TextLine(1, "1040    12/31/2021    3,931 21    30177    215 04    4,448 02"),
        TextLine(1, "Total    $13,943.18"),
    ]
    table = find_period_table(lost)
    assert _rows(table) == [("1040", "2023-12-31", "9495.16"), ("1040", "2021-12-31", "4448.02")]
    assert table is not None and table.rows[0].adds_up is True and table.rows[1].adds_up is None


def test_a_row_missing_its_last_cell_gives_no_amount_rather_than_another_columns() -> None:
    dropped = TextLine(
        1, "1040    December 31, 2022    2,552.16    180.01    159.62", (179, 2012, 1900, 34), 0.93
    )
    table = find_period_table([DAMAGED_CELL[0], dropped, *DAMAGED_CELL[3:]])
    assert _rows(table)[0] == ("1040", "2022-12-31", None)


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param(
            [
                TextLine(1, "Tax periods:    December 31, 2023", (1417, 395, 908, 35)),
                TextLine(1, "December 31, 2022", (1996, 442, 329, 35)),
                TextLine(1, "Tax form:    1040", (1417, 545, 908, 35)),
            ],
            id="letter-header-list-of-periods",
        ),
        pytest.param(
            [
                TextLine(1, "Tax periods covered by this notice"),
                TextLine(1, "Interest on the tax period ending December 31, 2023 continues to accrue."),
            ],
            id="title-and-sentence",
        ),
        pytest.param(
            [TextLine(1, "Billing Summary"), TextLine(1, "Amount you owed    $5,000.00")],
            id="billing-summary",
        ),
    ],
)
def test_no_table_is_none(lines: list[TextLine]) -> None:
    assert find_period_table(lines) is None


def test_findings_name_each_unread_value_and_a_total_that_is_not_the_amount_due() -> None:
    periods, findings = read_periods(FORM_UNREAD, Field(value="11130.52"))
    assert [p.form for p in periods] == [None, "1040"]
    assert findings == [
        "periods: row 1 prints '[646    December 31, 2024    8,230.54    367.09    369.09   ' but its form "
        "could not be read"
    ]
    _, findings = read_periods(QUARTERS_941, Field(value="27981.26"))
    assert findings == ["periods: the table's total 27981.62 is not the amount due 27981.26"]
    assert read_periods([TextLine(1, "Amount due    $5.00")], Field(value="5.00")) == ((), [])


def test_a_table_naming_one_form_on_every_row_gives_the_notices_form() -> None:
    """A CP504B that names Form 941 only in its table of quarters still carries Form 941."""
    heading = QUARTERS_941[1]
    unnamed = TextLine(1, heading.text.replace("Tax form", "Return"), heading.bbox, heading.confidence)
    lines = [QUARTERS_941[0], unnamed, *QUARTERS_941[2:], TextLine(1, "Amount due    $27,981.62")]
    fields = extract_fields(lines, classify_notice(lines, load_catalog())).fields
    assert fields["form"].value == "941" and fields["form"].rule == "period_table"
    mixed = extract_fields(FORM_UNREAD, classify_notice(FORM_UNREAD, load_catalog())).fields
    assert mixed["form"].value is None  # a row whose form could not be read: no one form


# --- validation, both ways ------------------------------------------------------------------------------

PERIODS = (
    TaxPeriod(form="1040", period_end="2023-12-31", amount="6111.08", confidence=0.95, page=1),
    TaxPeriod(form="1040", period_end="2022-12-31", amount="11847.33", confidence=0.95, page=1),
)
ADDRESS = {"street": "1 Main St", "city": "Lincoln", "state": "NE", "zip": "68510"}


def _profile(*returns: tuple[int, str]) -> TaxpayerProfile:
    return TaxpayerProfile.model_validate({
        "id": "client-1", "name": "Ann Lee", "ssn_last4": "1234", "address": ADDRESS,
        "returns": [{"tax_year": year, "form": form} for year, form in returns],
    })  # fmt: skip


def test_period_total_passes_when_the_periods_add_up_to_the_amount_due() -> None:
    check = check_period_total({"amount_due": Field(value="17958.41")}, PERIODS)
    assert check is not None and check.status is CheckStatus.PASS


def test_period_total_fails_when_they_do_not() -> None:
    check = check_period_total({"amount_due": Field(value="17958.14")}, PERIODS)
    assert check is not None and check.status is CheckStatus.FAIL
    assert "$17,958.41" in check.detail and "$17,958.14" in check.detail


def test_period_total_is_unknown_with_an_unread_amount_and_absent_without_periods() -> None:
    unread = (PERIODS[0], PERIODS[1].model_copy(update={"amount": None}))
    check = check_period_total({"amount_due": Field(value="17958.41")}, unread)
    assert check is not None and check.status is CheckStatus.UNKNOWN
    assert check_period_total({"amount_due": Field(value="1.00")}, ()) is None


def test_periods_filed_passes_when_the_profile_lists_every_period() -> None:
    check = check_periods_filed(PERIODS, _profile((2023, "1040"), (2022, "1040")))
    assert check is not None and check.status is CheckStatus.PASS


@pytest.mark.parametrize(
    "returns",
    [
        pytest.param(((2023, "1040"),), id="year-not-filed"),
        pytest.param(((2023, "1040"), (2022, "941")), id="form-not-filed"),
    ],
)
def test_periods_filed_fails_naming_the_period(returns: tuple) -> None:
    check = check_periods_filed(PERIODS, _profile(*returns))
    assert check is not None and check.status is CheckStatus.FAIL
    assert "Form 1040 for the period ending 2022-12-31" in check.detail
    assert "2023-12-31" not in check.detail


def test_periods_filed_is_unknown_when_the_profile_lists_no_returns() -> None:
    check = check_periods_filed(PERIODS, _profile())
    assert check is not None and check.status is CheckStatus.UNKNOWN


def test_a_failed_period_check_holds_the_notice_for_review(tmp_path: Path) -> None:
    doc = _with_periods("irs")[0]
    years = [int(period["period_end"][:4]) for period in doc.truth["periods"]]
    profile = TaxpayerProfile.model_validate({
        "id": "client-1", "name": doc.truth["fields"]["taxpayer_name"],
        "ssn_last4": doc.truth["fields"]["ssn_last4"], "address": ADDRESS,
        "returns": [{"tax_year": years[0], "form": doc.truth["periods"][0]["form"]}],
    })  # fmt: skip
    context = PipelineContext.default(AS_OF, profiles=(profile,))
    result = analyze_document("", doc.source, _text_layer(doc, tmp_path), context, {})
    checks = {check.name: check for check in result.validation.checks}
    assert checks[CheckName.PERIODS_FILED].status is CheckStatus.FAIL
    assert result.status is Status.NEEDS_REVIEW
    assert any(reason.startswith("periods_filed:") for reason in result.review_reasons)


def test_a_period_read_with_low_confidence_is_a_review_reason() -> None:
    catalog = load_catalog()
    low = PERIODS[1].model_copy(update={"confidence": 0.4, "raw": "1040 12/31/2022 ..."})
    result = NoticeResult(document_id="x", source="x", status=Status.NEEDS_REVIEW, periods=(PERIODS[0], low))
    decided = decide(result, catalog.get("CP504"), 0.7)
    assert "periods: '1040 12/31/2022 ...' read with low confidence (0.40)" in decided.review_reasons


def test_periods_survive_the_json_round_trip() -> None:
    result = NoticeResult(document_id="x", source="x", status=Status.PROCESSED, periods=PERIODS)
    assert NoticeResult.model_validate_json(result.model_dump_json()).periods == PERIODS


def test_the_heading_of_a_period_first_table_is_no_label_of_its_first_amount() -> None:
    """The redesigned notices: "Tax period ending    Form    Amount you owe", rows period first; the column
    heading "Amount you owe" over the first row is not an amount due."""
    cells = [
        [(200, "Tax"), (290, "period"), (440, "ending"), (900, "Form")]
        + [(1300, "Amount"), (1490, "you"), (1590, "owe")],
        [(200, "12/31/2022"), (900, "1040"), (1300, "$7,302.68")],
        [(200, "12/31/2021"), (900, "1040"), (1300, "$7,235.81")],
        [(200, "Total"), (1300, "$14,538.49")],
    ]
    words = [
        OcrWord(text=text, confidence=0.95, bbox=(x, 1000 + 50 * row, 22 * len(text), 30))
        for row, cells_of_row in enumerate(cells)
        for x, text in cells_of_row
    ]
    rows = group_words_into_lines(words)
    page = OcrPage(number=1, width=2550, height=3300, source=PageSource.OCR, lines=rows)
    lines = to_text_lines(OcrDocument(pages=(page,)))
    table = find_period_table(lines)
    assert _rows(table) == [("1040", "2022-12-31", "7302.68"), ("1040", "2021-12-31", "7235.81")]
    assert table is not None and str(table.total) == "14538.49"
    assert [candidate.value for candidate in find_amounts_due(lines)] == []


@pytest.mark.parametrize(
    ("text", "heads_periods"),
    [
        ("Tax form    Tax period ending    Unpaid amount    Amount you owe", True),
        ("Period Tax    Form Type of Tax Amount You Owe", True),  # OCR swapped a ruled cell's words
        ("Period    Form Type of Tax Amount You Owe", True),  # a fax: the cell's "Tax" on a row of its own
        ("Period of limitation    Amount", False),
        ("Tax period ending    Date assessed    Amount", True),
        ("NOTICE DATE    TAX PERIOD ENDING    SocitaL SECURITY NUMBER    AMOUNT DUE", False),  # a header grid
        ("Notice date    Tax period    Employer ID number    Amount due", False),
        ("Tax period    Taxpayer ID number    Amount due", False),
        ("Tax period    Form    Amount you owe            Caller ID", True),  # a sidebar's label beside it
        ("Return Period ending    Unpaid from prior    Penalty    Interest    Amount you owe", True),  # ream
        ("Form’ Tax period ending    Unpaid from prior notices Penalty Interest You owe", True),  # gazette
        (
            "Our records show the full amount of tax shown for the period above. Penalties and interest "
            "continue to grow until the balance is",
            False,
        ),  # prose: no column of its own
    ],
)
def test_a_header_grid_naming_the_notice_date_or_the_taxpayers_number_heads_no_table(
    text: str, heads_periods: bool
) -> None:
    assert is_period_heading(text) is heads_periods


def test_a_total_row_with_specks_before_it_and_its_words_glued_ends_the_table() -> None:
    """A photo of a typeset CP92 (OCR kept): "__|Totalamountdue" had been read as a fourth period row."""
    rows = (
        "Tax period    Form    Amount you owe",
        "Dec 31, 2022    1040    $8,000.00",
        "Dec 31, 2021    1040    $12,269.96",
        "__|Totalamountdue    $20,269.96",
    )
    table = find_period_table([TextLine(1, text) for text in rows])
    assert table is not None and len(table.rows) == 2 and str(table.total) == "20269.96"


def test_a_five_digit_form_is_no_rule_before_a_form_unless_a_returns_form_follows() -> None:
    heading = TextLine(1, "Form    Tax period ended    Unpaid amount    Amount you owe")
    rows = [TextLine(1, f"{form}    12/31/2022    $1,000.00    $1,100.00") for form in ("16490", "11040")]
    table = find_period_table([heading, *rows])
    assert table is not None and [row.form for row in table.rows] == [None, "1040"]
