"""Extract the last four digits of the taxpayer's SSN/TIN/EIN, and mask full SSNs.

Handles: "Social Security number nnn-nn-1234", "XXX-XX-1234", "***-**-1234", "NNN-NN-1234",
"Taxpayer ID number xxx-xx-1234", "SSN: XXX-XX-1234", "Employer ID number XX-XXX1234" / "nn-nnn1234",
OCR damage ("Social Securlty number", "XXX-XX-l234"), and a labelled mask OCR turned to noise
("Social Security number #kKK_AK.1672", "¥**-4*.1 839": read with less confidence). Placeholders
("nnn-nn-nnnn", "999-99-9999" in samples) give a candidate whose value is None. A full SSN ("123-45-6789")
yields only "6789"; its raw text is masked before it leaves this module. ``mask_full_ssns`` rewrites any
full SSN in a text to "XXX-XX-6789".
"""

from __future__ import annotations

import regex

from extractors.text import (
    LABEL_GAP,
    Candidate,
    TextLine,
    find_candidates,
    fuzzy_label,
    printed_after,
    repair_digits,
)

_MASK = r"[nNxX*#•]"
_DIGIT = r"[0-9OolISB]"
_LAST4 = rf"(?P<last4>{_DIGIT}{{4}}|[nN]{{4}})(?![0-9])"
_SSN_VALUE = rf"(?P<lead>(?:{_MASK}{{3}}|\d{{3}})\s?[-–]\s?(?:{_MASK}{{2}}|\d{{2}})\s?[-–]\s?){_LAST4}"
_EIN_VALUE = rf"(?P<lead>(?:{_MASK}{{2}}|\d{{2}})\s?[-–]\s?(?:{_MASK}{{3}}|\d{{3}})){_LAST4}"
_LABEL = "|".join(
    fuzzy_label(label, 2 if len(label) > 15 else 1)
    for label in ("Social Security number", "Taxpayer ID number", "Taxpayer identification number")
)
_ANCHORS = ("soc", "secur", "numb", "taxp", "payer", "ident", "employ", "ssn", "ein")
SSN_PRINTED = printed_after(rf"{_LABEL}|SSN")
_SSN_LABELLED = regex.compile(rf"(?:{_LABEL}|SSN){LABEL_GAP}{_SSN_VALUE}", regex.IGNORECASE)
_EIN_LABELLED = regex.compile(
    rf"(?:{fuzzy_label('Employer ID number')}|{fuzzy_label('Employer identification number', 2)}|EIN)"
    rf"{LABEL_GAP}{_EIN_VALUE}",
    regex.IGNORECASE,
)
# Asterisks read as letters, symbols or a stray digit: the label, then one token of mask noise ending in a
# separator, then the four digits (tesseract may split off a narrow first digit: "1 839").
_GARBLED_MASK = regex.compile(
    rf"(?:{_LABEL}|SSN){LABEL_GAP}(?P<lead>[^\s\d][^\s]{{2,8}}[-_.,~])(?P<last4>\d ?\d{{3}})(?![\d])",
    regex.IGNORECASE,
)
_MASK_SYMBOL = regex.compile(r"[*xX#kK¥•]")  # what OCR makes of an asterisk
_MASK_GROUP = regex.compile(rf"{_MASK}{{4}}")  # a masked last-4: what follows it is something else
_SSN_BARE = regex.compile(rf"(?<![\w-]){_SSN_VALUE}")
_FULL_SSN = regex.compile(r"(?<![\d-])\d{3}-\d{2}-(?P<last4>\d{4})(?![\d-])")
_PLACEHOLDER_SSNS = {"999-99-9999", "123-45-6789", "000-00-0000"}


def _last4(match: regex.Match[str]) -> tuple[str | int | None, float] | None:
    raw = match.group("last4")
    lead = regex.sub(r"\D", "", match.group("lead"))
    if (
        raw.lower() == "nnnn"
        or match.group(0)[-11:] in _PLACEHOLDER_SSNS
        or (lead and set(lead + raw) == {"9"})
    ):
        return None, 1.0
    digits = repair_digits(raw)
    if not digits.isdigit():
        return None
    return digits, 1.0 if digits == raw else 0.85


def _garbled_last4(match: regex.Match[str]) -> tuple[str | int | None, float] | None:
    """The digits after a mask that still looks like one: at least two asterisk-like symbols, two thirds of
    it symbols or separators, at most one digit, and no masked last-4 group of its own."""
    mask = match.group("lead")[:-1]  # without the separator before the digits
    symbols = len(_MASK_SYMBOL.findall(mask))
    separators = sum(char in "-_." for char in mask)
    digits = sum(char.isdigit() for char in mask)
    if symbols < 2 or 3 * (symbols + separators) < 2 * len(mask) or digits > 1 or _MASK_GROUP.search(mask):
        return None
    return match.group("last4").replace(" ", ""), 1.0


def _masked(candidates: list[Candidate]) -> list[Candidate]:
    return [
        Candidate(c.value, mask_full_ssns(c.raw), c.page, c.bbox, c.rule, c.confidence) for c in candidates
    ]


def find_ssn_last4(lines: list[TextLine]) -> list[Candidate]:
    return _masked(
        # A placeholder ("nnn-nn-nnnn") holds no digit: labelled rows are read even without one.
        find_candidates(_SSN_LABELLED, lines, "ssn_label", 0.97, _last4, needs_digit=False, anchors=_ANCHORS)
        + find_candidates(
            _EIN_LABELLED, lines, "ein_label", 0.95, _last4, needs_digit=False, anchors=_ANCHORS
        )
        + find_candidates(_GARBLED_MASK, lines, "ssn_garbled_mask", 0.85, _garbled_last4, anchors=_ANCHORS)
        + find_candidates(_SSN_BARE, lines, "masked_pattern", 0.75, _last4)
    )


def count_full_ssns(text: str) -> int:
    """How many unmasked SSNs the text prints (a genuine notice prints none)."""
    return sum(1 for m in _FULL_SSN.finditer(text) if m.group(0) not in _PLACEHOLDER_SSNS)


def mask_full_ssns(text: str) -> str:
    return _FULL_SSN.sub(lambda m: f"XXX-XX-{m.group('last4')}", text)
