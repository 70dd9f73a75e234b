"""Parse dates as IRS notices print them, tolerating OCR damage.

Handles: "May 20, 2024", "May 20 2024", "MAY 20, 2024", "Mav 2O, 2024", "Décember 31, 2023" (one-letter month
damage, letter-for-digit swaps), "July 7, 20 26" (a letter-spaced year split in two), "Sept. 3, 2024", "DEC,
31, 2022", "05/20/2024", "5/20/2024", "05-20-2024" (the IRS's older computer-printed letters), "2024-05-20",
"20 May 2024", and Spanish "20 de mayo de 2024". ``DATE`` is the regex fragment other extractors embed
(named group ``date``); ``parse_date`` returns a ``datetime.date`` or None, never raises.
A tax period as IRS letters and account systems print it, the year and month it ends ("202312"), is
``YEAR_MONTH`` (named group ``year_month``; never a date on its own: six digits are a caller ID too) and
``month_end("202312")`` the period's last day.
A fax or a faint scan reads a thin zero as 6, 8 or 9 ("2624-12-18", "94/03/2024", "Tax year 2823"): a date
that is none as read but is one with exactly one of those read back as a zero is ``read_date``'s, at
``ZERO_MISREAD_FACTOR``; ``repair_zero_year`` does the same for a year alone.
"""

from __future__ import annotations

import calendar
import datetime as dt

import regex

from extractors.text import repair_digits

MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    # Spanish notices (CP14SP ...): "20 de mayo de 2024"
    "enero": 1,
    "febrero": 2,
    "marzo": 3,
    "abril": 4,
    "mayo": 5,
    "junio": 6,
    "julio": 7,
    "agosto": 8,
    "septiembre": 9,
    "setiembre": 9,
    "octubre": 10,
    "noviembre": 11,
    "diciembre": 12,
}
_ABBREVIATIONS = {"sept": 9, **{name[:3]: number for name, number in MONTHS.items()}}
_DIGIT = r"[0-9OolISB]"
_YEAR = rf"(?:[12]{_DIGIT}{{3}})"
# A year letter-spaced text split in two ("July 7, 20 26": a skewed scan of a troff letter), of this century's
# first decades and ending its row or column (not "June 1, 20 12 days later").
_SPLIT_YEAR = r"(?:2[0O]\s[0-3][0-9OolISB](?=\s*$|\s{3}|[.,;]\s*$))"
_DAY = rf"(?:{_DIGIT}{{1,2}})"
_MONTH_WORD = r"(?:[^\W\d_]{3,10}\.?)"  # any letters: OCR may accent one ("Décember 31, 2023")

# A year is not the start of a longer number ("December 31, 202337": 2025 glued to a house number is no 2023).
DATE = rf"""(?P<date>
      {_MONTH_WORD},?\s{{0,2}}{_DAY}\s?[,.]{{0,2}}\s{{0,2}}(?:{_YEAR}(?![0-9])|{_SPLIT_YEAR})  # May 20, 2024
    | {_DIGIT}{{1,2}}\s?/\s?{_DIGIT}{{1,2}}\s?/\s?{_YEAR}(?![0-9])  # 05/20/2024
    | {_DIGIT}{{1,2}}-{_DIGIT}{{1,2}}-{_YEAR}(?![\d-])            # 05-20-2024
    | {_YEAR}-{_DIGIT}{{2}}-{_DIGIT}{{2}}                        # 2024-05-20
    | {_DAY}\s{_MONTH_WORD}\s{_YEAR}                           # 20 May 2024
    | {_DAY}\s{{1,2}}de\s{{1,2}}{_MONTH_WORD}\s{{1,2}}del?\s{{1,2}}{_YEAR}   # 20 de mayo de 2024
)"""
# Not part of a longer number or an amount whose comma OCR lost ("201203.45").
YEAR_MONTH = r"(?<![\d$.,])(?P<year_month>(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2]))(?![0-9]|[.,]\d)"
_PARTS = regex.compile(r"[^\W\d_]{3,}|[0-9OolISB]+")


def parse_month(word: str) -> int | None:
    """Month number of a month name or abbreviation, allowing one OCR error ("Mav", "JAM.") when only one
    month is that close."""
    key = word.lower().rstrip(".")
    if key in MONTHS:
        return MONTHS[key]
    if key in _ABBREVIATIONS and len(key) <= 4:
        return _ABBREVIATIONS[key]
    close = {n for name, n in MONTHS.items() if len(key) >= 3 and _within_one_edit(key, name)}
    if not close and len(key) == 3:  # "JAM." for "JAN."
        close = {n for name, n in _ABBREVIATIONS.items() if _within_one_edit(key, name)}
    return close.pop() if len(close) == 1 else None


def _within_one_edit(a: str, b: str) -> bool:
    return regex.fullmatch(f"(?:{regex.escape(b)}){{e<=1}}", a) is not None


def parse_date(text: str) -> dt.date | None:
    """The date written in ``text`` (one of the formats above) or None."""
    parts = [part for part in _PARTS.findall(text) if part.lower() != "del"]  # "20 de mayo del 2024"
    if len(parts) == 4 and parts[0].isalpha() and len(parts[2]) == len(parts[3]) == 2:
        parts = [parts[0], parts[1], parts[2] + parts[3]]  # "July 7, 20 26"
    if len(parts) != 3:
        return None
    try:
        if parts[0].isalpha() and len(parts[0]) > 2:
            month, day, year = (
                parse_month(parts[0]),
                int(repair_digits(parts[1])),
                int(repair_digits(parts[2])),
            )
        elif parts[1].isalpha() and len(parts[1]) > 2:
            day, month, year = (
                int(repair_digits(parts[0])),
                parse_month(parts[1]),
                int(repair_digits(parts[2])),
            )
        elif len(parts[0]) == 4:
            year, month, day = (int(repair_digits(p)) for p in parts)
        else:
            month, day, year = (int(repair_digits(p)) for p in parts)
        if month is None or not 1990 <= year <= 2100:
            return None
        return dt.date(year, month, day)
    except ValueError:
        return None


# A value read back from a misread zero is a guess a person checks: on a page where OCR misread one zero it
# misread others (a stencil fax's "2624-12-18" beside caller ID "643872" for 643072), so it counts for half.
ZERO_MISREAD_FACTOR = 0.5
_ZERO_MISREADS = "689"
# No year a notice prints starts 26, 28 or 29; one read back so is of this century's first four decades. A
# misread digit printed twice may be a zero twice ("2626": 2026 or 2020): not guessed.
_ZERO_MISREAD_YEAR = regex.compile(r"2([689])(?!.*\1)[0-3]\d")


def read_date(text: str) -> tuple[str, float] | None:
    """The date ``text`` prints (ISO) and how far to trust the reading: 1.0 as read, ``ZERO_MISREAD_FACTOR``
    when it is a date only with one 6, 8 or 9 read back as a zero (a digit printed once: "2624-12-16" may
    hold two misread zeros), and only one such date (before 2040)."""
    if (date := parse_date(text)) is not None:
        return date.isoformat(), 1.0
    candidates = (
        parse_date(f"{text[:i]}0{text[i + 1 :]}")
        for i, c in enumerate(text)
        if c in _ZERO_MISREADS and text.count(c) == 1
    )
    repaired = {date for date in candidates if date is not None and date.year < 2040}
    return (repaired.pop().isoformat(), ZERO_MISREAD_FACTOR) if len(repaired) == 1 else None


def repair_zero_year(year: str) -> str:
    """A year whose 0 was read as 6, 8 or 9 ("2625", "2823") as printed ("2025", "2023"); another as it is."""
    return f"20{year[2:]}" if _ZERO_MISREAD_YEAR.fullmatch(year) else year


def month_end(year_month: str) -> dt.date:
    """The last day of the month ``YEAR_MONTH`` matched: "202306" → 2023-06-30."""
    year, month = int(year_month[:4]), int(year_month[4:])
    return dt.date(year, month, calendar.monthrange(year, month)[1])
