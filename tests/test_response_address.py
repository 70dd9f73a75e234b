"""The IRS reply address (extractors.response_address): the stub's block in both layout families, labelled
addresses, OCR damage, and the addresses that are not where a reply goes."""

from __future__ import annotations

import pytest

from extractors.response_address import find_response_addresses
from extractors.text import TextLine


def addresses(*texts: str, page: int = 1) -> list[str | int | None]:
    return [c.value for c in find_response_addresses([TextLine(page=page, text=t) for t in texts])]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param(
            ("Amount you paid    $__________", "INTERNAL REVENUE SERVICE", "OGDEN, UT 84201-0085",
             "ABER 30 0 202012 670"),
            "OGDEN, UT 84201-0085", id="classic-stub",
        ),
        pytest.param(
            ("INTERNAL REVENUE SERVICE", "PO BOX 931000",
             "JAMES & ERIC BRANDT    KANSAS CITY, MO 64999-0131"),
            "PO BOX 931000, KANSAS CITY, MO 64999-0131", id="irs-stub-name-beside-city",
        ),
        pytest.param(
            ("Internal Revenue Service", "Stop 813G", "P.O. Box 9019", "Ogden, UT 84201"),
            "STOP 813G, PO BOX 9019, OGDEN, UT 84201", id="two-box-rows",
        ),
        pytest.param(
            ("INTERNAL REVENUE SERV1CE", "ATLANTA, GA 3990l-0O17"), "ATLANTA, GA 39901-0017", id="ocr-noise",
        ),
        pytest.param(
            ("Mail to: Internal Revenue Service, P.O. Box 931000, Louisville, KY 40293-1000",),
            "PO BOX 931000, LOUISVILLE, KY 40293-1000", id="label-one-row",
        ),
        pytest.param(
            ("Send your response to:", "Internal Revenue Service", "PO BOX 1302", "Fresno, CA 93888-0111"),
            "PO BOX 1302, FRESNO, CA 93888-0111", id="label-block-below",
        ),
    ],
)  # fmt: skip
def test_response_address(rows: tuple[str, ...], expected: str) -> None:
    assert expected in addresses(*rows)
    assert set(addresses(*rows)) == {expected}


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param(
            ("Department of the Treasury    Notice    CP14", "Internal Revenue Service    Tax year    2023",
             "Austin, TX 73301    Notice date    May 20, 2024"),
            id="letterhead",
        ),
        pytest.param(("Complete the form and send it to the address on this notice.",), id="pointer"),
        pytest.param(
            ("INTERNAL REVENUE SERVICE", "If you write to us, return this page.", "OGDEN, UT 84201"),
            id="block-broken-by-text",
        ),
        pytest.param(("(Internal Revenue Code Section 6651)", "OGDEN, UT 84201"), id="code-section"),
        pytest.param(("INTERNAL REVENUE SERVICE", "OGDEN, UT 842O1X"), id="unreadable-zip"),
    ],
)  # fmt: skip
def test_not_a_response_address(rows: tuple[str, ...]) -> None:
    assert addresses(*rows) == []


def test_the_block_does_not_run_onto_the_next_page() -> None:
    rows = [TextLine(page=1, text="INTERNAL REVENUE SERVICE"), TextLine(page=2, text="OGDEN, UT 84201")]
    assert find_response_addresses(rows) == []


def test_a_stacked_row_is_not_read_twice() -> None:
    rows = [
        TextLine(page=1, text="INTERNAL REVENUE SERVICE"),
        TextLine(page=1, text="INTERNAL REVENUE SERVICE    PO BOX 931000", stacked=True),
        TextLine(page=1, text="PO BOX 931000"),
        TextLine(page=1, text="KANSAS CITY, MO 64999-0131"),
    ]
    found = find_response_addresses(rows)
    assert [(c.value, c.rule) for c in found] == [
        ("PO BOX 931000, KANSAS CITY, MO 64999-0131", "irs_address_block")
    ]
