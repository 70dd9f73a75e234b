"""Taxpayer profiles: the frozen model of DESIGN.md, the loader, and matching a notice to its profile.

``load_profiles(path)`` takes a JSON file holding one profile object or an array of them and returns
``tuple[TaxpayerProfile, ...]``. Unknown keys are dropped with a logged warning (other apps send richer
records); a file that cannot be read, is not JSON, or holds an invalid profile raises ``BadProfiles`` with
the profile's position and the offending key. ``parse_profiles(text)`` does the same for text in hand.

``match_profile(fields, profiles)`` takes the extracted notice fields and returns a ``ProfileMatch``: the one
profile whose SSN last 4 and name both match (the address only breaks a tie), or ``None`` with the reason.
A notice that prints no SSN last 4 (or whose SSN no profile has) is matched to the one client whose name
and address it carries, both. It never guesses: no match, or more than one, gives ``None``.

``is_name_match`` and ``is_address_match`` are the token-based fuzzy comparisons, shared with validation.
``name_misreadings`` and ``address_misreadings`` list the notice's words that only approximately equal the
profile's (("LINDOVIST", "LINDQVIST")): matching tolerates them to find the client, but a value that
differs from the profile's is OCR damage or an IRS typo, so validation fails it for a person to look.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import regex
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError, model_validator
from pydantic import Field as PydanticField

from pipeline.errors import BadProfiles
from pipeline.models import Field

log = logging.getLogger(__name__)

SsnLast4 = Annotated[str, StringConstraints(pattern=r"^\d{4}$")]
ZipCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{5}(?:-\d{4})?$")]
StateCode = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Z]{2}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]
MAX_RETURNS = 50  # bounds a profile's size: it is read for every notice matched against it
MAX_PAYMENTS = 100


class ProfilePart(BaseModel):
    """Frozen; keys the model does not know are logged and dropped, never refused."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _warn_unknown_keys(cls, data: object) -> object:
        if isinstance(data, dict):
            unknown = sorted(str(key) for key in data if key not in cls.model_fields)
            if unknown:
                log.warning("profile: ignoring unknown %s keys: %s", cls.__name__, ", ".join(unknown))
        return data


class Address(ProfilePart):
    street: Text
    city: Text
    state: StateCode
    zip: ZipCode

    def as_line(self) -> str:
        return f"{self.street}, {self.city}, {self.state} {self.zip}"


class Payment(ProfilePart):
    date: dt.date
    amount: Decimal
    method: ShortText = "unknown"


class TaxReturn(ProfilePart):
    tax_year: int
    form: ShortText = "1040"
    filed_on: dt.date | None = None
    tax_reported: Decimal | None = None
    balance_reported: Decimal | None = None
    payments: tuple[Payment, ...] = PydanticField(default=(), max_length=MAX_PAYMENTS)


class TaxpayerProfile(ProfilePart):
    id: Text
    name: Text
    spouse_name: Annotated[str, StringConstraints(max_length=200)] | None = None
    ssn_last4: SsnLast4
    address: Address
    returns: tuple[TaxReturn, ...] = PydanticField(default=(), max_length=MAX_RETURNS)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, self.spouse_name) if self.spouse_name else (self.name,)

    @property
    def display_name(self) -> str:
        return " and ".join(self.names)

    def return_for(self, tax_year: int) -> TaxReturn | None:
        return next((ret for ret in self.returns if ret.tax_year == tax_year), None)


class ProfileMatch(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    profile: TaxpayerProfile | None
    reason: str


def load_profiles(path: Path | str) -> tuple[TaxpayerProfile, ...]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadProfiles(f"cannot read the profiles file {path}: {exc}") from exc
    return parse_profiles(text, source=str(path))


def parse_profiles(text: str, source: str = "<profiles>") -> tuple[TaxpayerProfile, ...]:
    try:
        # Decimal for every JSON number, so amounts never pass through a float.
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise BadProfiles(
            f"{source} is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from exc
    items = data if isinstance(data, list) else [data]
    profiles = tuple(_validate_profile(item, index, source) for index, item in enumerate(items))
    _refuse_duplicate_ids(profiles, source)
    return profiles


def _validate_profile(item: object, index: int, source: str) -> TaxpayerProfile:
    if not isinstance(item, dict):
        raise BadProfiles(f"{source}: profile #{index + 1} must be a JSON object, not {type(item).__name__}")
    try:
        return TaxpayerProfile.model_validate(item)
    except ValidationError as exc:
        label = f"profile #{index + 1}" + (f" (id {item['id']!r})" if "id" in item else "")
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or '(profile)'}: {error['msg']}"
            for error in exc.errors()
        )
        raise BadProfiles(f"{source}: {label} is invalid: {problems}") from exc


def _refuse_duplicate_ids(profiles: Sequence[TaxpayerProfile], source: str) -> None:
    seen: set[str] = set()
    for profile in profiles:
        if profile.id in seen:
            raise BadProfiles(f"{source}: profile id {profile.id!r} appears more than once")
        seen.add(profile.id)


# --- matching ---------------------------------------------------------------------------------------------

# Words on a notice's name line that are not part of anyone's name: joint-filer connectors, titles,
# generational suffixes. "&" is split off by the tokenizer below.
GENERATIONS = frozenset({"JR", "SR", "II", "III", "IV"})
NAME_NOISE = frozenset({"AND", "&", "MR", "MRS", "MS", "DR", "ETUX", *GENERATIONS})
NAME_TOKEN = regex.compile(r"[A-Z0-9']+|&")
# Street words are printed spelled out or abbreviated; compare the USPS abbreviation.
ADDRESS_ABBREVIATIONS = {
    "STREET": "ST", "AVENUE": "AVE", "AV": "AVE", "ROAD": "RD", "DRIVE": "DR", "LANE": "LN",
    "BOULEVARD": "BLVD", "COURT": "CT", "PLACE": "PL", "CIRCLE": "CIR", "TERRACE": "TER",
    "PARKWAY": "PKWY", "HIGHWAY": "HWY", "APARTMENT": "APT", "SUITE": "STE", "NORTH": "N",
    "SOUTH": "S", "EAST": "E", "WEST": "W", "TRAIL": "TRL", "SQUARE": "SQ", "WAY": "WAY",
}  # fmt: skip
ADDRESS_TOKEN = regex.compile(r"[A-Z0-9]+")
ZIP_PLUS_FOUR = regex.compile(r"\b(\d{5})-\d{4}\b")
# OCR reads letters as digits inside names ("SULL1VAN", "J0NES"); undo that before comparing.
NAME_DIGIT_TO_LETTER = str.maketrans({"0": "O", "1": "I", "5": "S", "8": "B"})


def match_profile(fields: dict[str, Field], profiles: Iterable[TaxpayerProfile]) -> ProfileMatch:
    ssn = _field_text(fields, "ssn_last4")
    name = _field_text(fields, "taxpayer_name")
    address = _field_text(fields, "address")
    profiles = tuple(profiles)
    same_ssn = [profile for profile in profiles if ssn and profile.ssn_last4 == ssn]
    if not same_ssn:
        client = _client_at_address(name, address, profiles)
        why = f"no profile has SSN last 4 {ssn}" if ssn else "the notice shows no SSN last 4"
        if client is None:
            return ProfileMatch(profile=None, reason=f"{why}, and no one client has its name and address")
        differs = ", whose SSN last 4 differs" if ssn else ""
        reason = f"{why}, but the name and address are those of {client.id} ({client.display_name}){differs}"
        return ProfileMatch(profile=client, reason=reason)
    if not name:
        ids = ", ".join(profile.id for profile in same_ssn)
        return ProfileMatch(profile=None, reason=f"the notice shows no name; SSN last 4 {ssn} fits {ids}")
    named = [profile for profile in same_ssn if is_name_match(name, profile)]
    if not named:
        ids = ", ".join(f"{profile.id} ({profile.display_name})" for profile in same_ssn)
        return ProfileMatch(
            profile=None, reason=f"SSN last 4 {ssn} fits {ids}, but the name {name!r} on the notice does not"
        )
    return _pick_one(named, address)


def _client_at_address(
    name: str | None, address: str | None, profiles: tuple[TaxpayerProfile, ...]
) -> TaxpayerProfile | None:
    """The one client whose name and address the notice carries, both, when the SSN last 4 finds none:
    printed without a number, the notice is matched as that client's (the SSN check stays unknown); printed
    with another number (misaddressed, an IRS mix-up, identity theft, or a misread), it is matched so the
    failed SSN check puts it in front of a person. A generational suffix must agree too: a son's "JOHN SMITH
    JR" at his father's address is not the father's notice."""
    alike = [
        profile
        for profile in profiles
        if name
        and address
        and is_name_match(name, profile)
        and _suffixes(name) == {suffix for client in profile.names for suffix in _suffixes(client)}
        and is_address_match(address, profile.address)
    ]
    return alike[0] if len(alike) == 1 else None


def _pick_one(candidates: list[TaxpayerProfile], address: str | None) -> ProfileMatch:
    if len(candidates) == 1:
        return ProfileMatch(profile=candidates[0], reason=f"SSN last 4 and name match {candidates[0].id}")
    ids = ", ".join(profile.id for profile in candidates)
    at_address = [p for p in candidates if address and is_address_match(address, p.address)]
    if len(at_address) == 1:
        chosen = at_address[0]
        return ProfileMatch(
            profile=chosen, reason=f"SSN last 4 and name match {ids}; the address decides for {chosen.id}"
        )
    return ProfileMatch(profile=None, reason=f"SSN last 4 and name match several profiles ({ids})")


def _field_text(fields: dict[str, Field], name: str) -> str | None:
    field = fields.get(name)
    if field is None or field.value is None:
        return None
    return str(field.value).strip() or None


def is_name_match(notice_name: str, profile: TaxpayerProfile) -> bool:
    """True when every name word on the notice belongs to the profile and it names a filer in full.

    Word order, "AND"/"&", middle initials and one wrong letter per word (OCR) do not matter. A joint notice
    ("JAMES & KAREN Q SPARROW") matches a client whose profile has no spouse when one of the two people it
    names is the client; when the profile names a spouse, the other person must be that spouse.
    """
    people = _people(notice_name)
    if len(people) > 1 and not profile.spouse_name:
        return any(_names_filer(profile.name, person) and _all_in(person, profile) for person in people)
    notice_tokens = [token for token in _name_tokens(notice_name) if len(token) > 1]
    profile_tokens = [token for name in profile.names for token in _name_tokens(name)]
    if not notice_tokens or not all(_has_similar(token, profile_tokens) for token in notice_tokens):
        return False
    return any(_names_filer(name, notice_tokens) for name in profile.names)


def _people(notice_name: str) -> list[list[str]]:
    """The people a name line names, each as name words; a first name joined to a shared last name
    ("JAMES & KAREN Q SPARROW") borrows it."""
    upper = notice_name.upper().translate(NAME_DIGIT_TO_LETTER).replace("'", "")
    people: list[list[str]] = [[]]
    for token in NAME_TOKEN.findall(upper):
        if token in ("&", "AND"):
            people.append([])
        elif token not in NAME_NOISE and len(token) > 1:
            people[-1].append(token)
    people = [person for person in people if person]
    if len(people) > 1:
        last = people[-1][-1]
        people = [person if len(person) > 1 else [*person, last] for person in people]
    return people


def _all_in(person: list[str], profile: TaxpayerProfile) -> bool:
    profile_tokens = [token for name in profile.names for token in _name_tokens(name)]
    return all(_has_similar(token, profile_tokens) for token in person)


def _names_filer(filer_name: str, notice_tokens: list[str]) -> bool:
    tokens = [token for token in _name_tokens(filer_name) if len(token) > 1]
    # First and last name are enough: notices often drop or abbreviate the middle name.
    essential = {tokens[0], tokens[-1]} if tokens else set()
    return bool(essential) and all(_has_similar(token, notice_tokens) for token in essential)


def _suffixes(name: str) -> set[str]:
    return {token for token in NAME_TOKEN.findall(name.upper()) if token in GENERATIONS}


def _name_tokens(name: str) -> list[str]:
    upper = name.upper().translate(NAME_DIGIT_TO_LETTER).replace("'", "")
    return [token for token in NAME_TOKEN.findall(upper) if token not in NAME_NOISE]


def is_address_match(notice_address: str, address: Address) -> bool:
    """True when the notice's one-line address and the profile's are the same, word for word.

    House number and ZIP must be exact; other words tolerate one OCR error; "LANE" equals "LN".
    """
    notice_tokens = _address_tokens(notice_address)
    profile_tokens = _address_tokens(address.as_line())
    return all(_has_similar(token, profile_tokens) for token in notice_tokens) and all(
        _has_similar(token, notice_tokens) for token in profile_tokens
    )


def name_misreadings(notice_name: str, profile: TaxpayerProfile) -> list[tuple[str, str]]:
    """(word on the notice, the profile's word it approximates) for every name word that is not exact."""
    printed = [token for token in _printed_name_tokens(notice_name) if len(token) > 1]
    expected = [token for name in profile.names for token in _printed_name_tokens(name)]
    return _inexact(printed, expected)


def address_misreadings(notice_address: str, address: Address) -> list[tuple[str, str]]:
    """(word on the notice, the profile's word it approximates) for every address word that is not exact."""
    return _inexact(_address_tokens(notice_address), _address_tokens(address.as_line()))


def _printed_name_tokens(name: str) -> list[str]:
    # As printed: no digit-to-letter repair, "SULL1VAN" is not "SULLIVAN".
    return [token for token in NAME_TOKEN.findall(name.upper().replace("'", "")) if token not in NAME_NOISE]


def _inexact(printed: list[str], expected: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for token in printed:
        if token in expected:
            continue
        near = next((word for word in expected if _is_similar(token, word)), None)
        if near is not None:
            pairs.append((token, near))
    return pairs


def _address_tokens(address: str) -> list[str]:
    # ZIP+4 extensions come and go between the IRS's files and ours; the five-digit ZIP decides.
    text = ZIP_PLUS_FOUR.sub(r"\1", address.upper())
    tokens = [ADDRESS_ABBREVIATIONS.get(token, token) for token in ADDRESS_TOKEN.findall(text)]
    return [token for token in tokens if token not in {"USA", "US"}]


def _has_similar(token: str, candidates: Iterable[str]) -> bool:
    return any(_is_similar(token, candidate) for candidate in candidates)


def _is_similar(left: str, right: str) -> bool:
    if left == right:
        return True
    # Numbers (house numbers, ZIPs) and short words must agree exactly: "MARK" is not "MARY".
    if left.isdigit() or right.isdigit() or min(len(left), len(right)) < 5:
        return False
    return regex.fullmatch(f"(?:{regex.escape(left)}){{e<=1}}", right) is not None
