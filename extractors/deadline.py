"""Extract the date by which the taxpayer must act, printed or stated as a window.

Printed (value: ISO date, kind "printed"):
- "Amount due by June 10, 2024", "Amount due, to be received by June 11, 2024", "Pay by June 10, 2024"
- "Respond by June 19, 2024", "Respond to us by ...", "Respond to the proposed changes by ...",
  "Reply by ...", "Your response is due by ...", "must be received by ...",
  "Response due    Nov 26, 2026" (a redesigned notice's summary box)
- "Pay the amount due of $5,181.72 by June 10, 2024", "Pay the amount due of $5,181.72 so that we receive
  it by June 10, 2024", "If you don't pay the amount due by June 10, 2024"
- "Last day to file a petition with the United States Tax Court: August 18, 2024"
- "request a Collection Due Process hearing by June 19, 2024", "... hearing, by June 19, 2024",
  "hearing request date June 19, 2024"
- "File your tax return by June 10, 2024", "file your 2023 return by ..." (CP59, CP515, CP518)
- any of these when the paragraph wraps inside it ("File your tax return by November 30, / 2025.")
- IRS letters, inside sentences: "We must hear from you by 05/03/2024", "Pay the amount you owe, $2,609.66,
  by 09/22/2025", "file a petition with the United States Tax Court by 09/22/2025", "If we don't hear from
  you by ...",
  "We must receive your payment by ...", "Please send us your response by ...", "Please pay the amount you
  owe by Jun. 3, 2024", "If you can't pay the full amount by ...", "The last day to file is ..."
  (Letter 3219), "Complete and return the response form by July 2, 2023" (CP2000, CP2501), "Contact us or
  send us the information we asked for no later than ..." (CP75), "file a petition no later than ...",
  "you have until 07-15-2026 to file a petition" (Letter 3219)
- Spanish: "Cantidad adeudada para el 10 de junio de 2024", "Responda antes del 19 de junio de 2024"
Window (value: number of days, kind "computed"; the caller adds it to the notice date):
- "within 30 days from the date of this notice", "within sixty (60) days of the date of this letter",
  also when the paragraph wraps inside the phrase; a number of days the IRS never gives ("within 39 days":
  OCR misread 30) counts for less
"""

from __future__ import annotations

import regex

from extractors.amounts import AMOUNT
from extractors.dates import DATE, read_date
from extractors.text import (
    Candidate,
    TextLine,
    find_candidates,
    find_wrapped_candidates,
    fuzzy_label,
    printed_after,
    repair_digits,
    with_next_lines,
)

_BY = r"\s*[,:]?\s*(?:to\s+be\s+received\s+)?by\s*[:]?\s*"
_TO_US = (  # "Respond to us by ...", "Reply to this letter by ...", "Respond to the proposed changes by ..."
    r"(?:to\s+(?:us|this\s+(?:notice|letter)|(?:the|our)\s+proposed\s+changes)\s+)?"
)
_YEAR = r"[12]\d{3}"
# What an IRS letter asks the taxpayer to do by a date, inside a sentence.
_LETTER_ACTION = (
    r"(?:\bmust\s+hear\s+from\s+you"  # "We must hear from you by ..."
    r"|\bdon[’']?t\s+hear\s+from\s+you"  # "If we don't hear from you by ..."
    r"|\bmust\s+receive\s+your\s+(?:payment|response|reply)"  # "We must receive your payment by ..."
    r"|\bsend\s+us\s+your\s+(?:response|reply|payment)"  # "Please send us your response by ..."
    r"|\bsend\s+(?:it|them)\s+to\s+us"  # "We need more information about your return. Send it to us by"
    # "Contact us or send us the information we asked for by ..." (CP63, CP75, CP2501, Letter 566)
    r"|\bsend\s+us\s+the\s+(?:information|documents?)(?:\s+we\s+(?:asked\s+for|requested))?"
    r"|\breturn\s+(?:the|your|this)\s+(?:signed\s+)?(?:response|reply)\s+form"  # "... the response form by"
    # "Please pay the amount you owe by ...", "If you can't pay the full amount by ..."
    r"|\bpay\s+(?:the|your|this)\s+(?:full\s+)?(?:amount|balance)(?:\s+you\s+owe)?)"
)
_PRINTED_PATTERNS = (  # (rule, confidence, pattern, anchors: words a line must hold one of)
    ("amount_due_by", 0.97, rf"{fuzzy_label('Amount due')}{_BY}{DATE}", ("amou", "due")),
    (
        "amount_due_by",
        0.97,
        rf"{fuzzy_label('Cantidad adeudada', 2)}\s*(?:para\s+el|antes\s+del?)\s*{DATE}",
        ("adeud", "cantid"),
    ),
    (
        "file_by",
        0.95,
        rf"\b(?:file|send\s+us|submit)\s+(?:your\s+)?(?:{_YEAR}\s+)?(?:federal\s+)?(?:(?:income\s+)?tax\s+)?"
        rf"returns?\s*(?:by|no\s+later\s+than)\s*[:]?\s*{DATE}",
        ("file", "return"),
    ),
    (
        "petition_date",
        0.98,
        rf"{fuzzy_label('Last day to file a petition', 3)}(?:\s+with\s+the\s+United\s+States\s+Tax\s+Court)?"
        rf"\s*[:.]?\s*{DATE}",
        ("petit", "court", "last day"),
    ),
    (
        "hearing_date",
        0.95,
        rf"hearing(?:\s+request)?,?(?:\s+date|\s+by|\s+no\s+later\s+than)\s*[:]?\s*{DATE}",  # "..., by"
        ("hearing",),
    ),
    (
        "respond_by",
        0.93,
        rf"(?:{fuzzy_label('Respond')}|{fuzzy_label('Reply')}|{fuzzy_label('response is due', 2)}|"
        rf"{fuzzy_label('Pay')}(?:\s+the\s+amount\s+due(?:\s+of)?)?(?:\s*{AMOUNT})?|"  # "you owe": a letter's
        rf"{fuzzy_label('must be received', 2)}|{fuzzy_label('contact us')})\s*{_TO_US}"
        rf"(?:so\s+that\s+we\s+receive\s+it\s+)?(?:by|no\s+later\s+than)\s*[:]?\s*{DATE}"
        rf"|(?:{fuzzy_label('Responda')}|{fuzzy_label('Pague')})\s+(?:antes\s+del?|para\s+el)\s*{DATE}",
        ("by", "later", "antes", "para el"),
    ),
    (  # a redesigned notice's summary box: "Response due    Nov 26, 2026"
        "respond_by",
        0.93,
        rf"{fuzzy_label('Response due', 2)}(?:\s+by)?\s*[:]?\s*{DATE}",
        ("respon",),
    ),
    (  # a letter's sentence: "We must hear from you by ...", "Pay the amount you owe, $2,609.66, by ..."
        "respond_by",
        0.93,
        rf"{_LETTER_ACTION}(?:\s*,?\s*{AMOUNT}\s*,)?\s+(?:by|no\s+later\s+than)\s*[:]?\s*{DATE}",
        ("hear", "receive", "send", "pay", "return"),
    ),
)
# Sentences of a letter, read also where the paragraph wraps inside them ("The last day to file is October /
# 22, 2026"). Letter 3219: "... to file a petition with the United States Tax Court. The last day to file is".
_SENTENCE_PATTERNS = (
    ("petition_date", 0.95, rf"{fuzzy_label('The last day to file')}\s+is\s*[:]?\s*{DATE}", ("last day",)),
    (  # "If you disagree, you can file a petition with the United States / Tax Court by 09/22/2025.",
        # "If you want to contest this determination in Tax Court, file a petition no later than 8/13/2026."
        "petition_date",
        0.95,
        rf"\bpetition(?:\s+with\s+the\s+United\s+States\s+Tax\s+Court)?\s+(?:by|no\s+later\s+than)"
        rf"\s*[:]?\s*{DATE}",
        ("petition",),
    ),
    (  # Letter 3219: "If you want to contest this deficiency in court ..., you have until 07-15-2026 to
        # file a petition with the United States Tax Court"
        "petition_date",
        0.95,
        rf"\byou\s+have\s+until\s*{DATE}\s*,?\s+to\s+(?:file\s+a\s+)?petition",
        ("until",),
    ),
)
_PRINTED, _SENTENCES = (
    tuple(
        (rule, confidence, regex.compile(pattern, regex.IGNORECASE | regex.VERBOSE), anchors)
        for rule, confidence, pattern, anchors in patterns
    )
    for patterns in (_PRINTED_PATTERNS, _SENTENCE_PATTERNS)
)
# A deadline phrase with digits after it that no pattern above could read ("Respond by Jnue 1O, 2O24").
DEADLINE_PRINTED = printed_after(
    r"(?:(?:respond|reply|pay|file\s+your(?:\s+\w+){0,3}\s+returns?|must\s+be\s+received|hearing|amount\s+due)"
    rf"\s*,?\s*(?:to\s+be\s+received\s+)?{_TO_US}|{_LETTER_ACTION}\s+)(?:by|no\s+later\s+than)\b"
    r"|the\s+last\s+day\s+to\s+file\s+is\b"
)
# The response windows the IRS prints: the catalog's published ones (10, 21, 22, 30, 45, 60, 90 days), 20 and
# 120 days of some letters, 150 days of a notice of deficiency mailed abroad.
_IRS_WINDOWS = frozenset((10, 20, 21, 22, 30, 45, 60, 90, 120, 150))
_NUMBERS = {"ten": 10, "twenty-one": 21, "thirty": 30, "sixty": 60, "ninety": 90}
_SEP = r"[\s.,:;‘’'\"”“_-]+"  # words of a wrapped, fax-specked sentence ("the. date of. this” notice")
# "within 30 days from the date of this notice"; Letter 3219's "you have 90 days from the date of this letter
# (150 days if ...) to file a petition"; OCR's O for a zero ("9O days"), a speck for a space ("within.30").
_WINDOW_START = (
    rf"(?:within|you\s+have){_SEP}(?:(?P<word>ten|twenty-one|thirty|sixty|ninety)\s*(?:\((?P<n2>\d{{1,3}})\))?"
    rf"|(?P<n>\d{{1,2}}[0-9O]?)){_SEP}"
    rf"(?:calendar{_SEP})?days{_SEP}(?:from|of|after){_SEP}the{_SEP}date{_SEP}of{_SEP}this"
)
_WINDOW = regex.compile(rf"{_WINDOW_START}{_SEP}(?:notice|letter)", regex.IGNORECASE)
# The sentence wraps after "this" and OCR garbled the next row's first word ("NOWEE." for "notice."): the
# date of this is still the notice's own date, only less surely read.
_WINDOW_CUT = regex.compile(rf"{_WINDOW_START}\b(?!{_SEP}(?:notice|letter))", regex.IGNORECASE)


# Any wording that may set a deadline, OCR damage and all: a word of time and then, a few characters on, a
# digit or a month ("Respnod bv June", "hearlng by April", "withln 60 davs", "Response due N0v", "Last day to
# file a petition: Apirl 1"). Wide on purpose: only a notice without any of it is given its type's published
# window. Not one: an amount due ("Amount due: $1,438.84"), a "Collection Due Process hearing on Form 12153",
# "by the due date, 1/2%" (the penalty's explanation), "by phone at 800-...", "or by calling us at 1-800-...",
# "paid within the last 21 days" (a payment already made), "Pay the amount due. * Call us at 800-..." (the
# sentence ends after "due"), "talk to us by filing Form 2848" (a form's number).
_MONTH_OR_NUMBER = (  # a form's number is neither ("by filing Form 2848")
    r"(?:(?<!\bForms?\s{1,2})\d|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|ten|twenty|thirty|sixty|ninety))"
)
_MAY_SET_A_DEADLINE = regex.compile(
    r"\b(?:(?:by|bv)(?!\s+(?:the\s+due\s+date|phone|calling|law|mail|check))|before|later|until|antes|para\s+el"
    r"|deadline|with[il1]n(?!\s+the\s+(?:last|past)\b))\b[^\d\n$]{0,15}?"
    + _MONTH_OR_NUMBER
    + r"|\bdue\b(?!\s+process|\s+date,)(?:(?!\.\s)[^\d\n$]){0,15}?"
    + _MONTH_OR_NUMBER
    + r"|\blast\s+day\b[^\d\n$]{0,40}?"
    + _MONTH_OR_NUMBER,
    regex.IGNORECASE,
)


def may_state_a_deadline(lines: list[TextLine]) -> bool:
    """True when any line, or any line joined to the row its paragraph wraps onto, holds wording that may set
    a deadline or a window, read or not: only a notice without any may be given its type's published
    window."""
    return any(_MAY_SET_A_DEADLINE.search(line.text) for line in (*lines, *with_next_lines(lines)))


def _date(match: regex.Match[str]) -> tuple[str | int | None, float] | None:
    return read_date(match.group("date"))


def _window(match: regex.Match[str]) -> tuple[str | int | None, float] | None:
    """A window the IRS does not give ("within 39 days": a fax's 30) is kept, but as a doubtful reading."""
    days = int(repair_digits(match.group("n"))) if match.group("n") else _NUMBERS[match.group("word").lower()]
    return days, 1.0 if days in _IRS_WINDOWS else 0.6


def find_deadlines(lines: list[TextLine]) -> list[Candidate]:
    found: list[Candidate] = []
    for rule, confidence, pattern, anchors in _PRINTED:
        printed = find_candidates(pattern, lines, rule, confidence, _date, anchors=anchors)
        printed += find_wrapped_candidates(pattern, lines, rule, confidence, _date, anchors=anchors)
        found += [_with_kind(c, "printed") for c in printed]
    for rule, confidence, pattern, anchors in _SENTENCES:
        printed = find_candidates(pattern, with_next_lines(lines), rule, confidence, _date, anchors=anchors)
        found += [_with_kind(c, "printed") for c in printed]
    windows = find_candidates(_WINDOW, with_next_lines(lines), "window", 0.9, _window)
    windows = windows or find_candidates(_WINDOW_CUT, with_next_lines(lines), "window_cut", 0.8, _window)
    found += [_with_kind(c, "computed") for c in windows]
    return found


def _with_kind(candidate: Candidate, kind: str) -> Candidate:
    return Candidate(
        candidate.value,
        candidate.raw,
        candidate.page,
        candidate.bbox,
        candidate.rule,
        candidate.confidence,
        kind,
    )
