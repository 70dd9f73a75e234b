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
    assert not any("address block" in finding for finding in readable)
