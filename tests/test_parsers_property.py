"""Property tests: the parsers of noisy amounts and dates return a value or None, and never raise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from extractors.amounts import format_amount, parse_amount
from extractors.dates import parse_date

NOISY = st.text(alphabet=st.sampled_from("0123456789OolISB$§,. -()/MayJunDec"), max_size=30)


@given(NOISY)
def test_parse_amount_never_raises(text: str) -> None:
    assert parse_amount(text) is None or isinstance(parse_amount(text), Decimal)


@given(NOISY)
def test_parse_date_never_raises(text: str) -> None:
    assert parse_date(text) is None or isinstance(parse_date(text), dt.date)


@given(st.decimals(min_value=0, max_value=Decimal("9999999.99"), places=2))
def test_amount_round_trip(value: Decimal) -> None:
    printed = f"${value:,.2f}"
    assert parse_amount(printed) == value
    parsed = parse_amount(printed)
    assert parsed is not None and format_amount(parsed) == f"{value:.2f}"


@given(st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2090, 12, 31)))
def test_date_round_trip(value: dt.date) -> None:
    assert parse_date(value.strftime("%B %d, %Y")) == value
    assert parse_date(value.strftime("%m/%d/%Y")) == value
