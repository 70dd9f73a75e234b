"""Taxpayer profiles: loading (lenient on unknown keys, strict on bad values) and matching a notice."""

from __future__ import annotations

import datetime as dt
import json
import logging
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from pipeline.errors import BadProfiles
from pipeline.models import Field
from pipeline.profiles import (
    Address,
    TaxpayerProfile,
    is_address_match,
    is_name_match,
    load_profiles,
    match_profile,
    parse_profiles,
)

PROFILES_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "profiles.json"

SULLIVANS = {
    "id": "client-7",
    "name": "Jennifer Sullivan",
    "spouse_name": "Mark Sullivan",
    "ssn_last4": "3051",
    "address": {"street": "1201 Prairie Ln", "city": "Lincoln", "state": "NE", "zip": "68510"},
}


def fields(**values: str | int | None) -> dict[str, Field]:
    return {name: Field(value=value) for name, value in values.items()}


@pytest.fixture(scope="module")
def profiles() -> tuple[TaxpayerProfile, ...]:
    return load_profiles(PROFILES_PATH)


# --- loading ----------------------------------------------------------------------------------------------


def test_example_file_loads_the_sullivans(profiles: tuple[TaxpayerProfile, ...]) -> None:
    sullivans = next(profile for profile in profiles if profile.id == "client-7")
    assert sullivans.names == ("Jennifer Sullivan", "Mark Sullivan")
    assert sullivans.address.as_line() == "1201 Prairie Ln, Lincoln, NE 68510"
    filed = sullivans.return_for(2023)
    assert filed is not None and filed.filed_on == dt.date(2024, 4, 10)
    assert filed.payments[0].amount == Decimal("800.00") and filed.payments[0].method == "direct_pay"
    assert len(profiles) >= 4


def test_one_object_is_one_profile() -> None:
    assert [profile.id for profile in parse_profiles(json.dumps(SULLIVANS))] == ["client-7"]


def test_json_numbers_become_exact_decimals() -> None:
    data = {**SULLIVANS, "returns": [{"tax_year": 2023, "tax_reported": 5120.10, "payments": []}]}
    (profile,) = parse_profiles(json.dumps(data))
    assert profile.returns[0].tax_reported == Decimal("5120.10")


def test_unknown_keys_are_ignored_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    data = {**SULLIVANS, "crm_notes": "x", "address": {**SULLIVANS["address"], "county": "Lancaster"}}
    with caplog.at_level(logging.WARNING, logger="pipeline.profiles"):
        (profile,) = parse_profiles(json.dumps([data]))
    assert profile.id == "client-7"
    assert "crm_notes" in caplog.text and "county" in caplog.text


def test_profiles_are_frozen(profiles: tuple[TaxpayerProfile, ...]) -> None:
    with pytest.raises(ValidationError):
        profiles[0].name = "Someone Else"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("[{", "not valid JSON (line 1", id="not-json"),
        pytest.param(json.dumps([{**SULLIVANS, "ssn_last4": "30511"}]), "ssn_last4", id="ssn-five-digits"),
        pytest.param(
            json.dumps([{k: v for k, v in SULLIVANS.items() if k != "address"}]), "address", id="no-address"
        ),
        pytest.param(
            json.dumps([{**SULLIVANS, "address": {**SULLIVANS["address"], "zip": "6851"}}]),
            "address.zip",
            id="bad-zip",
        ),
        pytest.param(json.dumps([SULLIVANS, SULLIVANS]), "appears more than once", id="duplicate-id"),
        pytest.param(json.dumps(["client-7"]), "must be a JSON object", id="not-an-object"),
        pytest.param(
            json.dumps([{**SULLIVANS, "returns": [{"tax_year": 2023, "payments": [{"date": "soon"}]}]}]),
            "returns.0.payments.0.date",
            id="bad-payment-date",
        ),
        pytest.param(
            json.dumps([{**SULLIVANS, "returns": [{"tax_year": 2023, "tax_reported": "lots"}]}]),
            "tax_reported",
            id="bad-amount",
        ),
    ],
)
def test_malformed_profiles_raise_bad_profiles(text: str, message: str) -> None:
    with pytest.raises(BadProfiles, match=r"(?s).*") as caught:
        parse_profiles(text, source="clients.json")
    assert message in caught.value.message
    assert caught.value.code == "bad_profiles"


def test_a_bad_profile_is_named_by_position_and_id() -> None:
    with pytest.raises(BadProfiles) as caught:
        parse_profiles(
            json.dumps([{**SULLIVANS, "id": "client-9", "ssn_last4": "12"}]), source="clients.json"
        )
    assert caught.value.message.startswith("clients.json: profile #1 (id 'client-9') is invalid")


def test_a_missing_file_raises_bad_profiles(tmp_path: Path) -> None:
    with pytest.raises(BadProfiles, match="cannot read"):
        load_profiles(tmp_path / "nope.json")


# --- matching ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("JENNIFER AND MARK SULLIVAN", id="joint-and"),
        pytest.param("JENNIFER & MARK SULLIVAN", id="joint-ampersand"),
        pytest.param("JENNIFER SULLIVAN", id="primary-only"),
        pytest.param("MARK SULLIVAN", id="spouse-only"),
        pytest.param("SULLIVAN, JENNIFER", id="last-first"),
        pytest.param("JENNIFER A SULLIVAN", id="middle-initial"),
        pytest.param("JENNIFER SULLIVAM", id="ocr-one-wrong-letter"),
        pytest.param("JENNlFER & MARK SULL1VAN", id="ocr-digit-for-letter"),
        pytest.param("JENNIFER AND MARK SULIVAN", id="ocr-dropped-letter"),
    ],
)
def test_sullivan_name_variants_match_the_joint_profile(
    name: str, profiles: tuple[TaxpayerProfile, ...]
) -> None:
    match = match_profile(fields(ssn_last4="3051", taxpayer_name=name), profiles)
    assert match.profile is not None and match.profile.id == "client-7", match.reason


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        pytest.param({"taxpayer_name": "JENNIFER SULLIVAN"}, "no SSN last 4", id="no-ssn"),
        pytest.param(
            {"ssn_last4": "9999", "taxpayer_name": "JENNIFER SULLIVAN"}, "no profile has", id="unknown-ssn"
        ),
        pytest.param({"ssn_last4": "3051"}, "shows no name", id="no-name"),
        pytest.param(
            {"ssn_last4": "3051", "taxpayer_name": "JENNIFER AND ROBERT SULLIVAN"},
            "does not",
            id="unknown-spouse",
        ),
        pytest.param({"ssn_last4": "3051", "taxpayer_name": "J SULLIVAN"}, "does not", id="initial-only"),
        pytest.param(
            {"ssn_last4": "3051", "taxpayer_name": "MARY SULLIVAN"}, "does not", id="short-name-exact"
        ),
        pytest.param({"ssn_last4": "3051", "taxpayer_name": "CARLOS MENDOZA"}, "does not", id="other-person"),
    ],
)
def test_no_match_is_none_with_a_reason(
    values: dict[str, str], reason: str, profiles: tuple[TaxpayerProfile, ...]
) -> None:
    match = match_profile(fields(**values), profiles)
    assert match.profile is None
    assert reason in match.reason


def _twin(profile_id: str, street: str) -> TaxpayerProfile:
    address = {**SULLIVANS["address"], "street": street}
    return TaxpayerProfile.model_validate({**SULLIVANS, "id": profile_id, "address": address})


def test_the_address_breaks_a_tie() -> None:
    twins = (_twin("a", "1201 Prairie Ln"), _twin("b", "77 Elm St"))
    notice = fields(
        ssn_last4="3051", taxpayer_name="JENNIFER SULLIVAN", address="77 ELM STREET, LINCOLN, NE 68510"
    )
    match = match_profile(notice, twins)
    assert match.profile is not None and match.profile.id == "b"
    assert "address decides" in match.reason


def test_two_matches_the_address_cannot_split_are_never_guessed() -> None:
    twins = (_twin("a", "1201 Prairie Ln"), _twin("b", "1201 Prairie Lane"))
    notice = fields(
        ssn_last4="3051", taxpayer_name="JENNIFER SULLIVAN", address="1201 PRAIRIE LN, LINCOLN, NE 68510"
    )
    match = match_profile(notice, twins)
    assert match.profile is None and "several profiles (a, b)" in match.reason


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        pytest.param("1201 PRAIRIE LN, LINCOLN, NE 68510", True, id="as-printed"),
        pytest.param("1201 PRAIRIE LANE, LINCOLN, NE 68510-4402", True, id="spelled-out-zip4"),
        pytest.param("1201 PRAIRLE LN, LINC0LN, NE 68510", True, id="ocr-noise"),
        pytest.param("1207 PRAIRIE LN, LINCOLN, NE 68510", False, id="other-house-number"),
        pytest.param("1201 PRAIRIE LN, LINCOLN, NE 68516", False, id="other-zip"),
        pytest.param("1201 PRAIRIE LN APT 3, LINCOLN, NE 68510", False, id="extra-unit"),
        pytest.param("45 OAK ST, OMAHA, NE 68102", False, id="moved"),
    ],
)
def test_address_comparison(printed: str, expected: bool) -> None:
    address = Address(street="1201 Prairie Ln", city="Lincoln", state="NE", zip="68510")
    assert is_address_match(printed, address) is expected


def test_a_name_must_name_a_filer_in_full(profiles: tuple[TaxpayerProfile, ...]) -> None:
    sullivans = next(profile for profile in profiles if profile.id == "client-7")
    assert not is_name_match("SULLIVAN", sullivans)
    assert not is_name_match("", sullivans)
    oneill = next(profile for profile in profiles if profile.id == "client-23")
    assert is_name_match("THOMAS O'NEILL JR", oneill) and is_name_match("THOMAS ONEILL", oneill)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("JAMES & KAREN Q. SPARROW", id="ampersand-shared-last-name"),
        pytest.param("JAMES AND KAREN SPARROW", id="and"),
        pytest.param("KAREN SPARROW & JAMES SPARROW", id="client-second"),
        pytest.param("JAMES SPARROW", id="client-alone"),
    ],
)
def test_a_joint_notice_matches_a_client_whose_spouse_is_not_on_file(name: str) -> None:
    sparrow = TaxpayerProfile.model_validate(
        {**SULLIVANS, "id": "sparrow", "name": "James Sparrow"} | {"spouse_name": None}
    )
    assert is_name_match(name, sparrow)
    assert not is_name_match("KAREN SPARROW", sparrow)
    assert not is_name_match("JAMES & KAREN ROBIN", sparrow)


def test_a_notice_with_a_clients_name_and_address_but_another_ssn_names_that_client(
    profiles: tuple[TaxpayerProfile, ...],
) -> None:
    notice = fields(
        ssn_last4="9999", taxpayer_name="JENNIFER SULLIVAN", address="1201 PRAIRIE LN, LINCOLN, NE 68510"
    )
    match = match_profile(notice, profiles)
    assert match.profile is not None and match.profile.id == "client-7"
    assert "SSN last 4 differs" in match.reason
    moved = fields(ssn_last4="9999", taxpayer_name="JENNIFER SULLIVAN", address="45 OAK ST, OMAHA, NE 68102")
    assert match_profile(moved, profiles).profile is None


def test_a_notice_that_prints_no_ssn_is_the_client_whose_name_and_address_it_carries(
    profiles: tuple[TaxpayerProfile, ...],
) -> None:
    notice = fields(taxpayer_name="JENNIFER SULLIVAN", address="1201 PRAIRIE LN, LINCOLN, NE 68510")
    match = match_profile(notice, profiles)
    assert match.profile is not None and match.profile.id == "client-7"
    assert "shows no SSN last 4" in match.reason and "differs" not in match.reason
    twins = (_twin("a", "1201 Prairie Ln"), _twin("b", "1201 Prairie Lane"))
    assert match_profile(notice, twins).profile is None
    moved = fields(taxpayer_name="JENNIFER SULLIVAN", address="45 OAK ST, OMAHA, NE 68102")
    assert match_profile(moved, profiles).profile is None
    son = TaxpayerProfile.model_validate(
        {**SULLIVANS, "id": "son", "name": "Mark Sullivan Jr", "spouse_name": None}
    )
    father = TaxpayerProfile.model_validate(
        {**SULLIVANS, "id": "father", "name": "Mark Sullivan", "spouse_name": None}
    )
    at_home = "1201 PRAIRIE LN, LINCOLN, NE 68510"
    assert match_profile(fields(taxpayer_name="MARK SULLIVAN JR", address=at_home), (father,)).profile is None
    assert (
        match_profile(fields(taxpayer_name="MARK SULLIVAN JR.", address=at_home), (father, son)).profile
        == son
    )
