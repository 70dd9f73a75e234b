"""The field registry: each field declared once, read by extraction, review, the catalog and the pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import pipeline.catalog
from extractors.text import TextLine
from pipeline.catalog import CATALOG_PATH, load_catalog
from pipeline.errors import BadCatalog, BadCorrection
from pipeline.extract import classify_notice, extract_fields
from pipeline.fields import CORRECTABLE, FIELD_NAMES, FIELDS, field_label, holds_the_date, holds_the_year
from pipeline.review import parse_correction


def test_extraction_gives_every_registered_field_in_its_order() -> None:
    lines = [TextLine(page=1, text="Notice    CP14"), TextLine(page=1, text="Tax year    2023")]
    fields = extract_fields(lines, classify_notice(lines, load_catalog())).fields
    assert tuple(fields) == FIELD_NAMES
    assert fields["notice_number"].value == "CP14" and fields["tax_year"].value == 2023


def test_every_field_has_one_way_to_be_read_and_a_copied_field_can_be_checked() -> None:
    for spec in FIELDS:
        assert (spec.find is None) != (spec.read is None), spec.name
        assert not spec.copied or (spec.find is not None and spec.printed is not None), spec.name


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        pytest.param("tax_year", " 2023 ", 2023, id="year"),
        pytest.param("ssn_last4", "3051", "3051", id="last4"),
        pytest.param("amount_due", "$5,181.72", "5181.72", id="amount"),
        pytest.param("amount_due", "0.00", "0.00", id="amount-zero"),
        pytest.param("deadline", "June 10, 2024", "2024-06-10", id="deadline"),
        pytest.param("notice_date", "05/20/2024", "2024-05-20", id="notice-date"),
        pytest.param("notice_number", "cp 14", "CP14", id="code"),
        pytest.param("taxpayer_name", "  Jennifer Sullivan ", "Jennifer Sullivan", id="text"),
        pytest.param("irs_phone", "none", None, id="none-clears"),
        pytest.param("tax_year", "NULL", None, id="null-clears"),
    ],
)
def test_a_correction_parses_into_its_fields_type(name: str, text: str, expected: object) -> None:
    assert parse_correction(name, text) == expected


@pytest.mark.parametrize(
    ("name", "text"),
    [
        pytest.param("tax_year", "23", id="short-year"),
        pytest.param("ssn_last4", "305", id="three-digits"),
        pytest.param("amount_due", "-10.00", id="negative-amount"),
        pytest.param("deadline", "someday", id="not-a-date"),
        pytest.param("no_such_field", "1", id="unknown-field"),
    ],
)
def test_a_correction_that_does_not_parse_is_refused(name: str, text: str) -> None:
    with pytest.raises(BadCorrection):
        parse_correction(name, text)


def test_pages_name_fields_by_their_declared_label() -> None:
    assert field_label("ssn_last4") == "SSN last 4"
    assert field_label("billing_total") == "Billing total"  # an audit entry's name outside the registry
    assert set(CORRECTABLE) <= set(FIELD_NAMES)


def test_a_catalog_naming_a_field_the_registry_lacks_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "notices.json"
    copy.write_text(json.dumps(json.loads(CATALOG_PATH.read_text())))
    monkeypatch.setattr(pipeline.catalog, "FIELD_NAMES", tuple(n for n in FIELD_NAMES if n != "deadline"))
    with pytest.raises(BadCatalog, match="deadline"):
        load_catalog(copy)


@pytest.mark.parametrize(
    ("copy", "confirms"),
    [
        pytest.param("Notice date    June 13, 2625", True, id="year-digit-misread"),
        pytest.param("Notice date    June il 13, 2025", True, id="junk-inside"),
        pytest.param("Notice date 06/13/2O25", True, id="numeric-letter-for-digit"),
        pytest.param("Notice date    June 18, 2025", False, id="another-day"),
        pytest.param("Notice date    July 13, 2025", False, id="another-month"),
        pytest.param("Notice date    June 13, 2627", False, id="two-digits-off"),
        pytest.param("Notice date    XX-XXX5980", False, id="no-date"),
        pytest.param("Notice date    June 18, 2625    Caller ID 13", False, id="day-from-another-column"),
        pytest.param("Notice date    06/13/2O26", False, id="a-possible-year-one-digit-off"),
        pytest.param("Notice date    June 13, ,    2025", True, id="year-in-the-next-cell"),
        pytest.param("Notice date    June 13, ,    Tax year    2025", False, id="a-year-of-another-label"),
    ],
)
def test_a_garbled_copy_of_a_date_confirms_it_only_by_its_month_day_and_near_year(
    copy: str, confirms: bool
) -> None:
    assert holds_the_date(copy, "2025-06-13") is confirms


@pytest.mark.parametrize(
    ("copy", "confirms"),
    [
        pytest.param("Tax period    1213112023", True, id="slashes-read-as-ones"),
        pytest.param("Tax period    12-31-2023", True, id="a-period-end"),
        pytest.param("Tax period    1213112022", False, id="another-year"),
        pytest.param("Tax period = =—__________2028-03-3f", False, id="garbled-end"),
        pytest.param("Tax year    2023", False, id="the-year-alone-is-a-reading-not-a-garbled-copy"),
    ],
)
def test_a_garbled_copy_of_a_tax_period_confirms_the_year_it_ends_in(copy: str, confirms: bool) -> None:
    """Quire family, a scan turned upside down: the stub's "Tax period    12/31/2023" read "1213112023"."""
    assert holds_the_year(copy, 2023) is confirms
