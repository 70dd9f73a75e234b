"""Extract the IRS contact details a notice prints: phone, caller ID, and the tax form.

Handles:
- phone: "To contact us 800-829-0922", "Contact us", "Questions? Call", "Call us at 1-800-829-1040",
  "Phone 1-800-829-8374",
  "(800) 829-1040", a letter's "Contact telephone number: 800-829-0922", "Telephone number: (800) 829-0922",
  the label wrapped ("Contact telephone / number: 800-829-0922"), "call Mr. Strand at (800) 829-0922",
  "Toll free: 1-800-829-1040", "For assistance, call 800-829-1040" (the IRS's older printed letters);
  value "800-829-0922". ``IRS_PHONE_PRINTED``: any of those labels with digits after it (read or not: "For
  assistance call: SO0-S25-0022").
- caller ID: "Your caller ID 123456", "Caller ID: 401234", "Caller ID number 804120", after what OCR left of
  a dot leader ("Caller ID wo.eecceeece...aees 625451"); the IRS prints six digits, so a read with another
  count ("5199885", a fax's speck read as a seventh digit) is not a caller ID: the label printed with digits
  (``CALLER_ID_PRINTED``, also a leader and a word with a digit: "CALLER, ID ww cueeens GSLI93", or six
  letters OCR makes of digits: "Caller ID: QIATIT") makes it a value printed but unread
- form: "Tax form 1040", "Form 1040", "Form: 941", "Type of tax return    1040", a header cell "Return
  1040", "your 2022 Form 1040-SR",
  "Form.1040" (a speck), a paragraph wrapped between "Form" and its number ("your 2021 Form / 1040."), a typed
  header's "FORM: 941" after a dot leader OCR could not read ("FOVM. cc eee 1040"); value "1040", "941",
  "1040-SR"; a "FORM NUMBER" two OCR edits off after a leader ("FOrM NUMDET    ccsccss...eens 941"); a
  header's "FORM." with a value OCR garbled ("FORM. 22.    GAL", "TAX FORM. 1    L040", "FORM NUMBER. ee
  ce et L040") is a form printed but unread, and its "FORM" cell alone with a word after it
  (``FORM_LABEL_ALONE``: "FORM    GAL") a label printed without a value read;
  not "Form 15103, Form 1040 Return Delinquency" (a title of another form), nor its wrapped "Form /
  15103, Form 1040 Return Delinquency"

``RETURN_FORMS`` are the forms of the returns notices are about. ``OFFICIAL_PHONES`` are the IRS's own
numbers; ``official_phone_near(number, most_digits)`` names the one a number is a few misread digits from
(the status stage doubts such a read, the scam check does not count it).
"""

from __future__ import annotations

import regex

from extractors.text import (
    CELL_START,
    COLUMN_END,
    LABEL_GAP,
    LEADER_JUNK,
    UNREAD_LEADER,
    Candidate,
    TextLine,
    find_candidates,
    find_printed,
    find_wrapped_candidates,
    first_per_row,
    fuzzy_label,
    label_alone,
    printed_after,
    repair_digits,
)

# From shared/reference/official-contacts-and-scams.md.
OFFICIAL_PHONES = frozenset({
    "800-829-1040", "800-829-0922", "800-829-3903", "800-829-7650", "800-829-4933", "800-829-4059",
    "833-553-9895", "800-829-3676", "844-545-5640", "800-829-1954", "267-941-1000", "800-555-4477",
    "800-316-6541", "800-555-3453", "877-777-4778", "800-366-4484",
})  # fmt: skip


_PHONE_DIGITS = (
    r"(?:1\s?[-.]?\s?)?\(?(?P<area>\d{3})\)?\s?[-.]?\s?(?P<mid>\d{3})\s?[-.]\s?(?P<last>\d{4})(?!\d)"
)
_PHONE_LABEL = (
    rf"(?:To\s+)?{fuzzy_label('contact us')}|{fuzzy_label('Call us')}(?:\s+at)?"
    rf"|Questions\??\s+{fuzzy_label('Call')}"
    rf"|(?:{fuzzy_label('Contact')}\s+)?(?:{fuzzy_label('Phone')}|{fuzzy_label('Telephone')})"
    rf"(?:\s+{fuzzy_label('number')})?"
    rf"|{fuzzy_label('Toll free')}(?:\s+(?:tele)?phone)?(?:\s+{fuzzy_label('number')})?"
    r"|(?:for\s+assistance|if\s+you\s+have\s+(?:any\s+)?questions),?\s+(?:please\s+)?call(?:\s+us)?(?:\s+at)?"
)
_PHONE = regex.compile(rf"(?:{_PHONE_LABEL})\s*[:]?\s*{_PHONE_DIGITS}", regex.IGNORECASE)
# A letter's header label wrapped onto two rows ("Contact telephone / number: 800-829-0922"): "number:"
# starts its row or column and a phone follows.
_WRAPPED_LABEL = regex.compile(rf"{CELL_START}\s*number\s*:\s*{_PHONE_DIGITS}", regex.IGNORECASE)
# A label OCR garbled before its "number:" ("Contact =\" number: (800) 829-0922"): one of the IRS's own
# 800-829 lines after it is the phone.
_GARBLED_LABEL = regex.compile(rf"\bnumber\s*:\s*{_PHONE_DIGITS}", regex.IGNORECASE)
# The person a letter names: "If you have questions, call Mr. Strand at (800) 829-0922.", "call James S.
# Nguyen at ...": a title or a given name, never an office ("Call TAS at 877-777-4778", "call the Taxpayer
# Advocate Service at ...": the Taxpayer Advocate's number, not the IRS's).
_PERSON = (
    r"(?:(?:Mr|Ms|Mrs|Dr)\.?\s+[A-Z][a-z'-]+"  # "Mr. Strand"
    r"|(?!Taxpayer\b)[A-Z][a-z]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][a-z'-]+){1,2})"  # "James S. Nguyen"
)
# One of the IRS's own 800-829 lines alone in its cell: a header's phone whose label OCR lost ("Phone" read as
# "—", its number beside a billing row); taken only when no phone label is printed and the notice shows one
# such number.
_PHONE_ALONE = regex.compile(rf"{CELL_START}\s*{_PHONE_DIGITS}\s*(?:$|(?=\s{{3}}\S))")
_IRS_LINE = "800-829-"
_CALL_PERSON = regex.compile(rf"\b[Cc]all\s+{_PERSON}\s+at\s+{_PHONE_DIGITS}")
IRS_PHONE_PRINTED = printed_after(_PHONE_LABEL)  # the labels a phone is read after, its digits read or not
# What OCR left of a dot leader, then a word holding a digit ending the row: a value printed, read or not.
_WORD_AFTER_LEADER = rf"{LEADER_JUNK}\S*\d\S*\s*$"
CALLER_ID_DIGITS = 6  # the IRS prints six
# Two OCR edits: "Carter ID", a "Caller" whose "ID" wrapped away. Printed: a digit soon after it, or what OCR
# left of a dot leader and a word with a digit ending the row ("CALLER, ID ww cueeensoenacnenes GSLI93").
_CALLER_ID_WORDS = rf"(?<![A-Za-z]){fuzzy_label('caller ID', 2)}(?<=[A-Za-z])"
# A fax's six digits all read as letters OCR makes of digits ("Caller ID: QIATIT", 914797): printed, unread.
_DIGIT_LIKE_ID = rf"(?-i:[0-9ODQILSBZGTA]{{{CALLER_ID_DIGITS}}})(?![A-Za-z0-9])"
# "Caller" garbled past two edits, its "ID" read, and six characters with three digits or more after a gap
# ("Ralls? ID    2a0i29" for "Caller ID    230129", a scan's header cell): printed, unread.
_ID_AFTER_GARBLED_WORD = r"\b\S{4,8}\s(?-i:ID):?\s{2,}(?=(?:[A-Za-z]*\d){3})"  # three digits ahead
_GARBLED_CALLER_ID = rf"{_ID_AFTER_GARBLED_WORD}[0-9A-Za-z]{{{CALLER_ID_DIGITS}}}(?![0-9A-Za-z])"
CALLER_ID_PRINTED = regex.compile(
    rf"{printed_after(_CALLER_ID_WORDS).pattern}|{_CALLER_ID_WORDS}{_WORD_AFTER_LEADER}"
    rf"|{_CALLER_ID_WORDS}{LABEL_GAP}{_DIGIT_LIKE_ID}|{_GARBLED_CALLER_ID}",
    regex.IGNORECASE,
)
# A header label printed alone in its cell, its value lost by OCR (no digit left to see): the value is
# printed but unread all the same.
IRS_PHONE_LABEL_ALONE = label_alone(
    rf"(?:To\s+)?{fuzzy_label('contact us')}|Questions\??\s+{fuzzy_label('Call')}"
    rf"|(?:Contact\s+)?(?:{fuzzy_label('Telephone')}|Toll-free\s+telephone)\s+{fuzzy_label('number')}"
)
_CALLER_ID_LABEL = rf"{_CALLER_ID_WORDS}(?:\s+number)?"
# Alone in its cell, or ending a row of header labels OCR glued to the cell before it ("NOTICE DATE    TAX
# RETURN    SOCIAL SECURITY NUMBER CALLER ID", no digit on the row): its value is printed under it.
_CALLER_ID_ALONE = label_alone(rf"(?:Your\s+)?{_CALLER_ID_LABEL}").pattern
CALLER_ID_LABEL_ALONE = regex.compile(
    rf"{_CALLER_ID_ALONE}|^(?!.*\d)(?=.*\S\s{{4}}\S).*{_CALLER_ID_LABEL}\s*:?\s*$", regex.IGNORECASE
)
# a header's form labels, OCR edits and all ("the form mumber (1040)", "Type of tax retumn")
_FORM_HEADER = rf"Tax\s+form|{fuzzy_label('Form number', 1)}(?<=[a-z])|{fuzzy_label('Type of tax return')}"
FORM_LABEL_ALONE = label_alone(rf"{_FORM_HEADER}|(?-i:FORM)")  # a typed header's "FORM    GAL" too
_CALLER_ID = regex.compile(
    rf"{_CALLER_ID_LABEL}{LABEL_GAP}(?P<id>[0-9OolIS]{{4,8}})(?![0-9])",
    regex.IGNORECASE,
)
# The forms of the returns notices are about.
RETURN_FORMS = ("1040", "1120", "1065", "941", "940", "943", "944", "945", "720", "2290", "990")
_FORM_NUMBER = rf"(?P<form>(?:{'|'.join(RETURN_FORMS)})(?:-[A-Z]{{1,2}})?)"
_FORM = regex.compile(  # not a form in another form's title: "Form 15103, Form 1040 Return Delinquency",
    # also when the title wrapped after "Form" and its row starts "15103, Form 1040 Return Delinquency"
    r"(?<!Form\s+\d+[A-Z-]*,\s*)(?<!^\s*\d{4,5}[A-Z-]*,\s*)"
    # a speck read as a dash between label and form: "Tax form -    1040"
    rf"(?:Tax\s+form|\bForm|\b(?:{_FORM_HEADER}))\s*[:(.]?\s*(?:(?<=\s)[-–]\s+)?"
    rf"{_FORM_NUMBER}\b",
    regex.IGNORECASE,
)

# A header's "FORM:" starting its row or column, its colon perhaps read as a full stop ("FORM.    941"), or
# "FORM" and a wide gap.
_FORM_CELL_WORD = rf"{CELL_START}\s*(?-i:FORM|Form)"  # not a sentence's "form."
_FORM_HEADER_CELL = rf"{_FORM_CELL_WORD}(?:\s*[:.]|(?=\s{{3}}))"
_FORM_LABEL = rf"\b(?:{_FORM_HEADER})|\bForm\s*:|{_FORM_HEADER_CELL}"
# A header's form label, what OCR left of its dot leader, and the form ending the row ("Tax Form  2  1040");
# the leader is a header's, so its "Form number" may take two edits ("FOrM NUMDET    ccsccss...eens 941"), not
# a sentence's "from number".
_FORM_AFTER_LEADER = regex.compile(
    rf"(?:{_FORM_LABEL}|{fuzzy_label('Form number')}(?<=[a-z])){LEADER_JUNK}{_FORM_NUMBER}\s*$",
    regex.IGNORECASE,
)
# A header cell naming the return by its form ("Return    1040", "Tax return:    941"): the cell holds the
# form alone, not a sentence's "your 2023 return".
_RETURN_CELL = rf"{CELL_START}\s*(?:Tax\s+)?Return:?\s{{3,}}"
_FORM_OF_RETURN = regex.compile(rf"{_RETURN_CELL}{_FORM_NUMBER}{COLUMN_END}", regex.IGNORECASE)
# A header's form label with a form's digits right after it ("FORM NUMBER: 1049", a fax's 1040): a form
# printed, read or not; not the phone of the next column ("Tax form    800-829-0922"). A header cell's "FORM:"
# with anything after it is one too ("FORM. 22.    GAL": a 941 OCR could not read), as is a "TAX FORM."
# ("TAX FORM. 1    L040"), and a label, what OCR left of its leader and a word with a digit ending the row
# ("FORM NUMBER. ee ce et L040").
FORM_PRINTED = regex.compile(
    rf"(?:{_FORM_LABEL})[\s:.–-]{{0,12}}\d{{3,4}}\b(?![-)])"
    rf"|(?:{_FORM_CELL_WORD}|\bTax\s+form)\s*[:.]\s*(?:\d|\S+\s{{3}})"
    rf"|(?:{_FORM_LABEL}){_WORD_AFTER_LEADER}"
    rf"|{_RETURN_CELL}\d{{3,4}}\b",
    regex.IGNORECASE,
)
# A header's "FORM:" (one letter misread: "FOVM."), a leader OCR could not read, and the form ending the row
# or column ("FOVM. cc eee ee eee 1040").
_FORM_AFTER_UNREAD_LEADER = regex.compile(
    rf"{CELL_START}\s*(?:Form){{s<=1}}[:.]?{UNREAD_LEADER}{_FORM_NUMBER}{COLUMN_END}",
    regex.IGNORECASE,
)


def _phone(match: regex.Match[str]) -> tuple[str | int | None, float] | None:
    return f"{match.group('area')}-{match.group('mid')}-{match.group('last')}", 1.0


def _main_line(match: regex.Match[str]) -> tuple[str | int | None, float] | None:
    parsed = _phone(match)
    number = str(parsed[0]) if parsed else ""
    return parsed if number in OFFICIAL_PHONES and number.startswith(_IRS_LINE) else None


def find_irs_phones(lines: list[TextLine]) -> list[Candidate]:
    labelled = (
        find_candidates(
            _PHONE,
            lines,
            "contact_label",
            0.95,
            _phone,
            anchors=("cont", "call", "phon", "one", "free", " us"),
        )
        + find_candidates(_WRAPPED_LABEL, lines, "wrapped_label", 0.9, _phone, anchors=("numb",))
        + find_candidates(_CALL_PERSON, lines, "call_person", 0.85, _phone, anchors=("call",))
    )
    garbled = find_candidates(_GARBLED_LABEL, lines, "garbled_label", 0.8, _main_line, anchors=("numb",))
    labelled = first_per_row(labelled, garbled)
    if (
        labelled
        or find_printed(IRS_PHONE_PRINTED, lines)
        or find_printed(IRS_PHONE_LABEL_ALONE, lines, False)
    ):
        return labelled  # a phone label printed: its value, read or not, is the phone
    alone = find_candidates(_PHONE_ALONE, lines, "irs_line_alone", 0.7, _main_line)
    return alone if len({candidate.value for candidate in alone}) == 1 else []


def _caller_id(match: regex.Match[str]) -> tuple[str | int | None, float] | None:
    value = repair_digits(match.group("id"))
    return (value, 1.0) if value.isdigit() and len(value) == CALLER_ID_DIGITS else None


# What OCR left of a dot leader between them, the ID ending the row ("Caller ID wo.eecceeecesese...aees
# 625451").
_CALLER_ID_AFTER_LEADER = regex.compile(
    rf"{_CALLER_ID_LABEL}{LEADER_JUNK}(?P<id>[0-9OolIS]{{4,8}})\s*$", regex.IGNORECASE
)


def find_caller_ids(lines: list[TextLine]) -> list[Candidate]:
    """Caller IDs beside their label, after a leader, or across a wrap in a letter's sentence ("When you
    call, give us caller ID" / "931861.")."""
    return first_per_row(
        find_candidates(_CALLER_ID, lines, "caller_id_label", 0.95, _caller_id, value_group="id"),
        find_candidates(
            _CALLER_ID_AFTER_LEADER, lines, "caller_id_after_leader", 0.8, _caller_id, value_group="id"
        ),
    ) + find_wrapped_candidates(_CALLER_ID, lines, "caller_id_wrapped", 0.9, _caller_id)


def _form(match: regex.Match[str]) -> tuple[str | int | None, float] | None:
    return match.group("form").upper(), 1.0


def find_forms(lines: list[TextLine]) -> list[Candidate]:
    after_unread = find_candidates(
        _FORM_AFTER_UNREAD_LEADER, lines, "form_after_unread_leader", 0.85, _form, value_group="form"
    )
    after_leader = find_candidates(_FORM_AFTER_LEADER, lines, "form_after_leader", 0.8, _form)
    return (
        find_candidates(_FORM, lines, "form_mention", 0.85, _form)
        + find_wrapped_candidates(_FORM, lines, "form_mention", 0.85, _form)
        + find_candidates(_FORM_OF_RETURN, lines, "return_label", 0.85, _form)
        + first_per_row(after_unread, after_leader)
    )


def official_phone_near(number: str, most_digits: int) -> str | None:
    """The IRS number that ``number`` ("800-829-1046") differs from in at most ``most_digits`` digits (the
    number itself when it is one), or None."""

    def differing(official: str) -> int:
        return sum(a != b for a, b in zip(number, official, strict=True))

    near = [official for official in OFFICIAL_PHONES if len(official) == len(number)]
    best = min(near, key=differing, default=None)
    return best if best is not None and differing(best) <= most_digits else None
