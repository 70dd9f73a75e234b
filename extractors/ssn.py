"""Extract the last four digits of the taxpayer's SSN/TIN/EIN, and mask full SSNs.

Handles: "Social Security number nnn-nn-1234", "XXX-XX-1234", "***-**-1234", "NNN-NN-1234",
"Taxpayer ID number xxx-xx-1234", "SSN: XXX-XX-1234", "Employer ID number XX-XXX1234" / "nn-nnn1234", a
masked "XXX-XX-1234" or "XX-XXX1234" whose label wrapped onto the row above (weaker),
OCR damage ("Social Securlty number", "XXX-XX-l234", "XX X-XX-1234"), and a labelled mask OCR turned to noise
("Social Security number #kKK_AK.1672", "¥**-4*.1 839": read with less confidence), a mask OCR could not
read at all before a last four read surely ("Social Security number:    eke *k- 9953"). Placeholders
("nnn-nn-nnnn", "999-99-9999" in samples, damaged: "ann-on-nonn") give a candidate whose value is None. A
full SSN ("123-45-6789") yields only "6789"; its raw text is masked before it leaves this module.

Full numbers, the one rule for text that leaves the pipeline: ``mask_full_ssns(text)`` cuts every full
SSN, ITIN or EIN to its last four, ``mask_name(name)`` does the same to a file or upload name
("scan-287-65-5364.pdf" → "scan-XXX-XX-5364.pdf"). A full number is
- SSN/ITIN-shaped, 3-2-4 digits with the same kind of separator twice: any dash (hyphen, en-dash
  "287–65–5364", em-dash, minus sign, non-breaking hyphen), spaced or not ("287 - 65 - 5364"), one or two
  spaces ("287 65 5364"), dots ("287.65.5364") or underscores ("287_65_5364") → "XXX-XX-5364";
- EIN-shaped, 2-7 digits joined by a dash ("41-2345678", "41 – 2345678") → "XX-XXX5678";
- nine digits in a row ("287655364", "SSN:287655364") → "XXXXX5364" (no dashes: a masked bank routing
  number must not read as an SSN mask), also glued to an SSN label ("SSN287655364", "TIN#287655364",
  "EIN123456789" → "SSNXXXXX5364");
- SSN-shaped with letters OCR reads for digits (O/o for 0, l/I for 1, S for 5, B for 8), at least six real
  digits and no letter glued before it: "2B7-65-5364", "287-6S-5364" → "XXX-XX-5364", "287-65-S364" →
  "XXX-XX-S364" (the last four as printed; "SOS-IS-BOSS" is a word).
It is not one when a digit is next to it, and an EIN or nine digits in a row not when a letter other than an
SSN label is (an id: a sha256 or a token holding "…af123456789c…"). In text it is not one either when it is
part of a longer number: a digit and a joiner ("-", ".", ",", "/", "_") before it, a decimal part after it, or
"$" before it (a phone number "800-829-0922" or "1-800-829-0922", a ZIP+4 "55407-1234", a caller ID "123456",
an amount "$287655364" or "287655364.00", a date "2024-06-10", a decimal "0.123456789"); in a name those are a
date or a counter ("2024-06-10_287655364-2.pdf" → "2024-06-10_XXXXX5364-2.pdf"). Masks ("nnn-nn-nnnn",
"XXX-XX-1234") are left as printed.
``full_ssn_last4s(text)`` / ``count_full_ssns(text)``: the SSNs a letter prints (the scam check's
``full_ssn`` signal): the SSN-shaped ones, and nine digits in a row only after an SSN label
("SSN 287655364"), so a bank routing number is not one; an EIN is a business's number, not an SSN; the
sample numbers "999-99-9999", "123-45-6789" and "000-00-0000" (masked all the same) are not.
"""

from __future__ import annotations

import regex

from extractors.text import (
    LABEL_GAP,
    LOW_DIGITS_CONFIDENCE,
    UNREAD_LEADER,
    YEAR_AFTER_FOR,
    Candidate,
    TextLine,
    find_candidates,
    first_per_row,
    fuzzy_label,
    printed_after,
    repair_digits,
)

_MASK = r"[nNxX*#•]"
_DIGIT = r"[0-9OolISB]"
_LAST4 = rf"(?P<last4>{_DIGIT}{{4}}|[nN]{{4}})(?![0-9])"
# OCR may split a mask with a space ("XX X-XX-3752"), read its hyphen as a dash or lose it to a space
# between masked groups ("XXX Xx—0036"), or read a group with a mark too many ("XXX -XxX-6413").
_DASH = r"\s?[-–—]\s?"
_MASKED_GROUPS = rf"{_MASK}(?:\s?{_MASK}){{2,3}}(?:{_DASH}|\s){_MASK}(?:\s?{_MASK}){{1,2}}(?:{_DASH}|\s)"
_SSN_VALUE = (
    rf"(?P<lead>{_MASKED_GROUPS}|(?:{_MASK}(?:\s?{_MASK}){{2}}|\d{{3}}){_DASH}"
    rf"(?:{_MASK}\s?{_MASK}|\d{{2}}){_DASH}){_LAST4}"
)
# OCR may split a masked EIN before its digits ("XX-XXX 1858").
_EIN_VALUE = rf"(?P<lead>(?:{_MASK}{{2}}|\d{{2}})\s?[-–]\s?(?:{_MASK}{{3}}\s?|\d{{3}})){_LAST4}"
# A mask without separators ("XXXXX1073") holds the same five masked digits, but only its label says
# whose: an AUR control number or an account number is masked the same way.
_UNSEPARATED = rf"(?P<lead>{_MASK}{{5}}\s?){_LAST4}"  # "***** 6644": its space, a fax's
# A label wrapped in a narrow header column leaves a piece beside the value: "Social Security" or
# "Taxpayer identification" (its "number" on the row below; "identification number" alone may be an IRS
# employee's; "TIN" alone, a state "TN" misread); a header may print "Taxpayer ID" alone.
_LABEL = (
    "|".join(
        fuzzy_label(label, 2 if len(label) > 15 else 1)
        for label in ("Social Security number", "Taxpayer ID number", "Taxpayer identification number")
    )
    + rf"|{fuzzy_label('Taxpayer ID', 1)}(?!\s*numb)"
    + rf"|{fuzzy_label('Social Security', 1)}(?!\s*(?:number|benefits?|Administration)\b)"
    + rf"|{fuzzy_label('Taxpayer identification', 2)}(?!\s*numb)"
)
_ANCHORS = ("soc", "secur", "numb", "taxp", "payer", "ident", "employ", "ssn", "ein")
# Not the stub's instruction, its next words wrapped away ("... Treasury. Write your taxpayer ID    RALEIGH").
SSN_PRINTED = printed_after(rf"(?<!\bwrite\s+your\s+)(?:{_LABEL}|SSN)", not_values=(YEAR_AFTER_FOR,))
SSN_LABEL = regex.compile(rf"(?<![A-Za-z])(?:{_LABEL}|SSN)", regex.IGNORECASE)
_SSN_LABELLED = regex.compile(
    rf"(?:{_LABEL}|SSN){LABEL_GAP}(?:{_SSN_VALUE}|{_UNSEPARATED})", regex.IGNORECASE
)
_EIN_LABEL = rf"{fuzzy_label('Employer ID number')}|{fuzzy_label('Employer identification number', 2)}|EIN"
# An EIN label standing alone: not a contact's "Employee ID number" (one edit away), not "EINHORN".
EIN_LABEL = regex.compile(rf"(?<![A-Za-z])(?!employee)(?:{_EIN_LABEL})(?![A-Za-z])", regex.IGNORECASE)
_EIN_LABELLED = regex.compile(
    rf"(?:{_EIN_LABEL}){LABEL_GAP}(?:{_EIN_VALUE}|{_UNSEPARATED})",
    regex.IGNORECASE,
)
# Asterisks read as letters, symbols or a stray digit: the label, then one token of mask noise ending in a
# separator, then the four digits (tesseract may split off a narrow first digit: "1 839").
# The same after an EIN label, the separator perhaps lost ("Employer ID number    **AAKKO206", "**-*3780").
_GARBLED_MASK = regex.compile(
    rf"(?<![A-Za-z])(?:{_LABEL}|SSN|{_EIN_LABEL}){LABEL_GAP}(?P<lead>[^\s\d][^\s]{{2,8}}?)"
    rf"(?<!\d)(?P<last4>{_DIGIT} ?{_DIGIT}{{3}})(?![\d])",  # never the last four of five digits
    regex.IGNORECASE,
)
# The label, a dot leader OCR could not read (``UNREAD_LEADER``), the mask ("SSN r o? nnn-nn-5781").
_SSN_AFTER_UNREAD_LEADER = regex.compile(
    rf"(?<![A-Za-z])(?:{_LABEL}|SSN){UNREAD_LEADER}(?:{_SSN_VALUE}|{_UNSEPARATED})", regex.IGNORECASE
)
# The label, a mask OCR could not read at all (up to four words, each scored low or a mark: "eke *k-",
# "oR _ ok"), the last four read surely (``LOW_DIGITS_CONFIDENCE``) ending the cell ("Social Security
# number:    eke *k- 9953").
_LAST4_AFTER_UNREAD_MASK = regex.compile(
    rf"(?<![A-Za-z])(?:{_LABEL}|SSN){LABEL_GAP}\s+(?P<unread>[^\s\d]\S*(?: {{1,3}}\S+){{0,3}}?) {{1,3}}"
    rf"(?P<last4>{_DIGIT} ?{_DIGIT}{{3}})(?=\s{{4,}}|\s*$)",
    regex.IGNORECASE,
)
# The redesigned notices' wording: "Social Security number ending in 1234", "Taxpayer ID ending in 1234",
# "Employer ID number ending in 8602".
_ENDING_IN = regex.compile(
    rf"(?:{_LABEL}|SSN|ITIN|EIN|{fuzzy_label('Taxpayer ID')}|{fuzzy_label('Employer ID number')}"
    rf"|{fuzzy_label('Employer identification number', 2)}){LABEL_GAP}"
    rf"end(?:ing|s)\s+in\s*:?\s*(?P<last4>{_DIGIT}{{4}})(?![\d])",
    regex.IGNORECASE,
)
_MASK_SYMBOL = regex.compile(r"[*xX#kK¥•]")  # what OCR makes of an asterisk
_MASK_GROUP = regex.compile(rf"{_MASK}{{4}}$")  # a masked last-4: what follows it is something else
_SSN_BARE = regex.compile(rf"(?<![\w-]){_SSN_VALUE}")
# A masked EIN alone, its label wrapped onto the row above ("Employer identification / number: XX-XXX8453").
_EIN_MASKED = regex.compile(rf"(?<![\w-])(?P<lead>{_MASK}{{2}}\s?[-–]\s?{_MASK}{{3}}){_LAST4}")
# A placeholder printed where a number would go, OCR damage and all ("nnn-nn-nannn"), its label wrapped away
# or not: it holds no digit, so it is never someone's number.
_PLACEHOLDER = regex.compile(r"(?<![\w-])(?:(?:nnn-nn-nnnn)|(?:nn-nnnnnnn)){e<=1}(?![\w-])", regex.IGNORECASE)
# More damage, its shape kept: n read as the letters OCR makes of it ("ann-on-nonn", "onno-nn-nnnn"), two
# thirds of them still n (``_mostly_n``).
_DAMAGED_PLACEHOLDER = regex.compile(
    r"(?<![\w-])[naoumrh]{3,4}-[naoumrh]{2}-[naoumrh]{4}(?![\w-])", regex.IGNORECASE
)
_PLACEHOLDER_SSNS = {"999-99-9999", "123-45-6789", "000-00-0000"}
_PLACEHOLDER_DIGITS = {ssn.replace("-", "") for ssn in _PLACEHOLDER_SSNS}

# An SSN label a number may be glued to, starting a word ("SSN287655364", "TIN:287655364", "SS#287655364").
_GLUED_LABEL = r"(?<![\p{L}\d])(?i:SSN|SS|ITIN|TIN|EIN)[#:]?"
MIN_MISREAD_DIGITS = 6  # of nine: at most three letters read for digits ("SOS-IS-BOSS" is a word)
_DASH = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"  # hyphens, en/em dash, minus sign
_SPACE = r"[^\S\r\n]"  # a space or tab inside one line
_SEPARATORS = (
    rf"{_SPACE}{{0,2}}[{_DASH}]{_SPACE}{{0,2}}",  # "287-65-5364", "287–65–5364", "287 - 65 - 5364"
    rf"{_SPACE}{{1,2}}",  # "287 65 5364"
    r"\.",  # "287.65.5364"
    "_",  # "287_65_5364" (file names; OCR of a dash)
)
_NUMBER = (
    "(?:"
    + "|".join(rf"(?P<ssn>\d{{3}}{sep}\d{{2}}{sep}\d{{4}})" for sep in _SEPARATORS)
    # Without two separators a letter next to it makes it part of an id (a sha256 "e59d7b123456789af…"),
    + r"|(?<!\p{L})(?:"
    + rf"(?P<ein>\d{{2}}{_SEPARATORS[0]}\d{{7}})"  # "41-2345678"
    + r"|(?P<bare>\d{9})"  # "287655364"
    + r")(?!\p{L})"
    # unless the letters are an SSN label glued to it: "SSN287655364", "ITIN#987654321" (a, b, c, d, e, f:
    # the letters of a hex id, never one of these labels).
    + rf"|(?<={_GLUED_LABEL})(?P<glued>\d{{9}})"
    # OCR read a digit as a letter: "2B7-65-5364", "287-6S-5364", "l23-45-6789" (the same separator
    # twice, mostly digits: ``_is_misread``).
    + "|"
    + "|".join(
        rf"(?<!\p{{L}})(?P<misread>{_DIGIT}{{3}}{sep}{_DIGIT}{{2}}{sep}{_DIGIT}{{4}})" for sep in _SEPARATORS
    )  # fmt: skip
    + ")"
)
# In text, a number joined to a digit before it ("1-800-829-0922", "55407-1234") or followed by a decimal
# part ("287655364.00") is a longer number, and "$" makes it an amount.
_FULL_NUMBER = regex.compile(rf"(?<![\d$§])(?<![\d][{_DASH}.,/_]){_NUMBER}(?!\d)(?![.,]\d)")
# In a name, a date or a counter joined to it is not: "2024-06-10_287-65-5364.pdf", "287-65-5364-2.pdf".
_FULL_NUMBER_IN_NAME = regex.compile(rf"(?<!\d){_NUMBER}(?!\d)")
SSN_MASK, EIN_MASK = "XXX-XX-", "XX-XXX"  # how a number is written once cut to its last four
_MASKS = {"ssn": SSN_MASK, "misread": SSN_MASK, "ein": EIN_MASK, "bare": "XXXXX", "glued": "XXXXX"}
_LABEL_BEFORE = regex.compile(rf"(?<![A-Za-z])(?:{_LABEL}|SSN|ITIN|TIN){LABEL_GAP}\Z", regex.IGNORECASE)


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


def _ending_last4(match: regex.Match[str]) -> tuple[str | int | None, float] | None:
    printed = match.group("last4").replace(" ", "")  # a narrow first digit split off: "1 274"
    digits = repair_digits(printed)
    return (digits, 1.0 if digits == printed else 0.85) if digits.isdigit() else None


def _garbled_last4(match: regex.Match[str]) -> tuple[str | int | None, float] | None:
    """The digits after a mask that still looks like one: at least two asterisk-like symbols, two thirds of
    it symbols or separators, at most one digit, and not ending in a masked last-4 group of its own (a first
    group OCR read with a mark too many, "XXxX-xx-1049", is still a mask)."""
    mask = match.group("lead").rstrip("-_.,~")  # without the separator before the digits
    symbols = len(_MASK_SYMBOL.findall(mask))
    separators = sum(char in "-_." for char in mask)
    digits = sum(char.isdigit() for char in mask)
    if symbols < 2 or 3 * (symbols + separators) < 2 * len(mask) or digits > 1 or _MASK_GROUP.search(mask):
        return None
    if sum(char.isdigit() for char in match.group("last4")) < 3:
        return None
    return _ending_last4(match)


def _masked(candidates: list[Candidate]) -> list[Candidate]:
    return [
        Candidate(
            c.value, mask_full_ssns(c.raw), c.page, c.bbox, c.rule, c.confidence, value_read=c.value_read
        )
        for c in candidates
    ]


def find_ssn_last4(lines: list[TextLine]) -> list[Candidate]:
    return _masked(
        # A placeholder ("nnn-nn-nnnn") holds no digit: labelled rows are read even without one.
        find_candidates(_SSN_LABELLED, lines, "ssn_label", 0.97, _last4, needs_digit=False, anchors=_ANCHORS)
        + find_candidates(
            _EIN_LABELLED, lines, "ein_label", 0.95, _last4, needs_digit=False, anchors=_ANCHORS
        )
        + find_candidates(_GARBLED_MASK, lines, "ssn_garbled_mask", 0.85, _garbled_last4, anchors=_ANCHORS)
        + find_candidates(_ENDING_IN, lines, "ssn_ending_in", 0.95, _ending_last4, anchors=_ANCHORS)
        + find_candidates(
            _SSN_AFTER_UNREAD_LEADER, lines, "ssn_after_unread_leader", 0.9, _last4, anchors=_ANCHORS
        )
        + [
            candidate  # no mask left to vouch for them: digits read unsurely are a value printed but unread
            for candidate in find_candidates(
                _LAST4_AFTER_UNREAD_MASK,
                lines,
                "ssn_after_unread_mask",
                0.85,
                _ending_last4,
                anchors=_ANCHORS,
            )  # fmt: skip
            if candidate.value_read >= LOW_DIGITS_CONFIDENCE
        ]
        + find_candidates(_SSN_BARE, lines, "masked_pattern", 0.75, _last4)
        + find_candidates(_EIN_MASKED, lines, "masked_pattern", 0.75, _last4)
        + first_per_row(
            find_candidates(_PLACEHOLDER, lines, "placeholder", 0.9, _no_number, needs_digit=False),
            find_candidates(_DAMAGED_PLACEHOLDER, lines, "placeholder", 0.85, _mostly_n, needs_digit=False),
        )
    )


def _no_number(match: regex.Match[str]) -> tuple[str | int | None, float] | None:
    return None, 1.0


def _mostly_n(match: regex.Match[str]) -> tuple[str | int | None, float] | None:
    letters = match.group(0).replace("-", "").lower()
    return (None, 1.0) if 3 * letters.count("n") >= 2 * len(letters) else None


def _is_misread(match: regex.Match[str]) -> bool:
    """A 3-2-4 group with letters OCR reads for digits is a full SSN when most of it is digits."""
    return sum(char.isdigit() for char in match.group(0)) >= MIN_MISREAD_DIGITS


def _full_numbers(text: str, pattern: regex.Pattern[str]) -> list[regex.Match[str]]:
    return [m for m in pattern.finditer(text) if m.lastgroup != "misread" or _is_misread(m)]


def _is_printed_ssn(match: regex.Match[str], text: str) -> bool:
    if repair_digits(regex.sub(r"[^\dOolISB]", "", match.group(0))) in _PLACEHOLDER_DIGITS:
        return False
    if match.lastgroup in ("ssn", "misread"):
        return True
    start = match.start()
    is_bare = match.lastgroup in ("bare", "glued")
    return is_bare and _LABEL_BEFORE.search(text, max(0, start - 60), start) is not None


def _masked_numbers(text: str, pattern: regex.Pattern[str]) -> str:
    masked, end = [], 0
    for match in _full_numbers(text, pattern):
        masked += [text[end : match.start()], _MASKS[str(match.lastgroup)], match.group(0)[-4:]]
        end = match.end()
    return "".join([*masked, text[end:]])


def full_ssn_last4s(text: str) -> list[str]:
    """The last four of each unmasked SSN the text prints (a genuine notice prints none)."""
    return [
        match.group(0)[-4:] for match in _full_numbers(text, _FULL_NUMBER) if _is_printed_ssn(match, text)
    ]


def count_full_ssns(text: str) -> int:
    """How many unmasked SSNs the text prints (a genuine notice prints none)."""
    return len(full_ssn_last4s(text))


def mask_full_ssns(text: str) -> str:
    """The text with every full SSN, ITIN or EIN cut to its last four ("287 65 5364" → "XXX-XX-5364")."""
    return _masked_numbers(text, _FULL_NUMBER)


def mask_name(name: str) -> str:
    """A file or upload name (or path) with every full SSN, ITIN or EIN cut to its last four, wherever it is
    not part of a longer run of digits: "scan-287-65-5364.pdf" → "scan-XXX-XX-5364.pdf",
    "2024-06-10_287655364-2.pdf" → "2024-06-10_XXXXX5364-2.pdf"."""
    return _masked_numbers(name, _FULL_NUMBER_IN_NAME)
