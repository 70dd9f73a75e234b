"""Property tests of the one masking rule (extractors.ssn): every full SSN, in any separator and any
surroundings, glued to its label or with digits OCR read as letters, is cut to its last four and counted;
amounts, dates, phone numbers, ZIP+4 codes, caller IDs, masks and hex ids (a document's sha256, a UUID)
come out exactly as they went in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import regex
from hypothesis import given
from hypothesis import strategies as st

from extractors.ssn import count_full_ssns, mask_full_ssns, mask_name

DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"  # hyphens, en-dash, em-dash, minus sign
SAMPLE_NUMBERS = {"999999999", "123456789", "000000000"}  # masked, but not counted as a leak
NINE_DIGITS = st.one_of(
    st.integers(min_value=0, max_value=999_999_999).map(lambda n: f"{n:09d}"),
    st.sampled_from(sorted(SAMPLE_NUMBERS)),
)

SPACES = st.text(alphabet=" ", max_size=2)
DASH_SEPARATOR = st.builds(lambda a, dash, b: a + dash + b, SPACES, st.sampled_from(DASHES), SPACES)
SEPARATOR_KIND = st.sampled_from(["dash", "space", ".", "_"])
# Surroundings without digits: letters, words, punctuation, labels, line breaks.
WORDS = st.text(alphabet=st.sampled_from("abcXYZ :;#()[]\"'*\n\t,.-–"), max_size=12)
LABELS = st.sampled_from(["", "SSN ", "SSN: ", "Social Security number ", "TIN#", "Taxpayer ", "scan-"])
AFTER = st.sampled_from(["", ".", ",", " and more", ".pdf", ")", "\n", "-a"])


def digits(text: str) -> str:
    return regex.sub(r"\D", "", text)


@st.composite
def full_ssns(draw: st.DrawFn) -> tuple[str, str]:
    """A full SSN or ITIN as printed with one kind of separator, and its nine digits."""
    number = draw(NINE_DIGITS)
    kind = draw(SEPARATOR_KIND)
    if kind == "dash":
        first, second = draw(DASH_SEPARATOR), draw(DASH_SEPARATOR)
    elif kind == "space":
        first, second = draw(st.sampled_from([" ", "  "])), draw(st.sampled_from([" ", "  "]))
    else:
        first = second = kind
    return f"{number[:3]}{first}{number[3:5]}{second}{number[5:]}", number


@given(WORDS, LABELS, full_ssns(), AFTER, WORDS)
def test_every_separated_full_ssn_is_masked_and_counted(
    before: str, label: str, ssn: tuple[str, str], after: str, tail: str
) -> None:
    printed, number = ssn
    text = before + label + printed + after + tail
    masked = mask_full_ssns(text)
    assert digits(masked) == number[-4:]
    assert "XXX-XX-" + number[-4:] in masked
    assert count_full_ssns(text) == (number not in SAMPLE_NUMBERS)
    assert count_full_ssns(masked) == 0 and mask_full_ssns(masked) == masked


@given(WORDS, NINE_DIGITS, AFTER)
def test_nine_digits_in_a_row_are_masked_and_count_after_a_label(
    before: str, number: str, after: str
) -> None:
    text = f"{before} {number}{after}"
    assert digits(mask_full_ssns(text)) == number[-4:]
    assert count_full_ssns(text) == 0  # a routing number, an account number
    assert count_full_ssns(f"{before} SSN {number}{after}") == (number not in SAMPLE_NUMBERS)


@given(
    st.sampled_from(["scan-", "", "IMG_", "notice ", "in/"]),
    full_ssns(),
    st.sampled_from([".pdf", ".png", "_1.tif"]),
)
def test_a_full_ssn_in_a_file_name_is_masked(before: str, ssn: tuple[str, str], extension: str) -> None:
    printed, number = ssn
    masked = mask_name(before + printed + extension)
    assert digits(masked) == number[-4:] + digits(extension)
    assert masked.startswith(before) and masked.endswith(extension)


GLUED_LABELS = st.sampled_from(["SSN", "ssn", "SSN:", "SSN#", "SS#", "TIN", "ITIN#", "EIN", "EIN:"])
# Letters tesseract reads for digits, and the digit each stands for.
MISREADS = {"0": "Oo", "1": "lI", "5": "S", "8": "B"}


@given(WORDS, GLUED_LABELS, NINE_DIGITS, st.sampled_from(["", " ", ".", "abc", "\n"]))
def test_nine_digits_glued_to_an_ssn_label_are_masked(
    before: str, label: str, number: str, after: str
) -> None:
    text = f"{before} {label}{number}{after}"
    masked = mask_full_ssns(text)
    assert digits(masked) == number[-4:] and f"{label}XXXXX{number[-4:]}" in masked
    assert mask_name(text) == masked


@st.composite
def misread_ssns(draw: st.DrawFn) -> tuple[str, str]:
    """A separated full SSN with one to three of its digits read as the letters OCR makes of them."""
    printed, number = draw(full_ssns())
    readable = [i for i, char in enumerate(printed) if char in MISREADS]
    if not readable:
        printed = "8" + printed[1:]  # "8xx-…": B for 8
        readable = [0]
    chosen = draw(st.lists(st.sampled_from(readable), min_size=1, max_size=3, unique=True))
    chars = list(printed)
    for index in chosen:
        chars[index] = draw(st.sampled_from(MISREADS[chars[index]]))
    return "".join(chars), printed


@given(WORDS, LABELS, misread_ssns(), AFTER, WORDS)
def test_a_full_ssn_with_digits_misread_as_letters_is_masked(
    before: str, label: str, ssn: tuple[str, str], after: str, tail: str
) -> None:
    misread, _ = ssn
    text = f"{before} {label}{misread}{after}{tail}"
    masked = mask_full_ssns(text)
    assert "XXX-XX-" + misread[-4:] in masked
    assert misread[:-4] not in masked.replace("XXX-XX-", "")
    assert count_full_ssns(masked) == 0 and mask_full_ssns(masked) == masked


@given(
    st.sampled_from(["SOS-IS-BOSS", "BOB-OS-1234", "lOO-SO-BOSS", "ISO 9001", "Form 1040-SS", "OIS-l0-2024"])
)
def test_words_of_ocr_letters_are_not_ssns(text: str) -> None:
    assert mask_full_ssns(text) == text and count_full_ssns(text) == 0


AMOUNTS = st.decimals(min_value=0, max_value=Decimal("9999999.99"), places=2).flatmap(
    lambda value: st.sampled_from([f"${value:,.2f}", f"${value:.2f}", f"{value:,.2f}", f"{value:.2f}"])
)
DATES = st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2090, 12, 31)).flatmap(
    lambda day: st.sampled_from(
        [day.strftime(f) for f in ("%B %d, %Y", "%m/%d/%Y", "%Y-%m-%d", "%m-%d-%Y", "%b. %d, %Y")]
    )
)
PHONES = st.tuples(st.integers(200, 999), st.integers(200, 999), st.integers(0, 9999)).flatmap(
    lambda p: st.sampled_from(
        [
            f"{p[0]}-{p[1]}-{p[2]:04d}",
            f"1-{p[0]}-{p[1]}-{p[2]:04d}",
            f"({p[0]}) {p[1]}-{p[2]:04d}",
            f"{p[0]}.{p[1]}.{p[2]:04d}",
            f"{p[0]} {p[1]} {p[2]:04d}",
            f"1 {p[0]} {p[1]} {p[2]:04d}",
        ]
    )
)
ZIP4 = st.tuples(st.integers(0, 99999), st.integers(0, 9999)).map(lambda z: f"{z[0]:05d}-{z[1]:04d}")
CALLER_IDS = st.integers(0, 999999).map(lambda n: f"Caller ID {n:06d}")
MASKS = st.sampled_from(["nnn-nn-nnnn", "XXX-XX-1234", "***-**-5364", "XX-XXX1234", "xxx-xx-0000"])
IDS = st.one_of(st.text(alphabet="0123456789abcdef", min_size=64, max_size=64), st.uuids().map(str))  # sha256
KEPT = st.one_of(AMOUNTS, DATES, PHONES, ZIP4, CALLER_IDS, MASKS, IDS)


@given(WORDS, st.lists(KEPT, min_size=1, max_size=4), st.sampled_from([" ", ", ", "  ", "\n", "; "]), WORDS)
def test_amounts_dates_phones_zip_codes_and_masks_are_kept(
    before: str, values: list[str], joiner: str, after: str
) -> None:
    text = before + joiner.join(values) + after
    assert mask_full_ssns(text) == text
    assert count_full_ssns(text) == 0
