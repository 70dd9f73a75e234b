"""Parse money amounts as notices print them, tolerating OCR damage.

Handles: "$5,181.72", "$ 5,181.72", "5181.72", "§5,181.72" (§ read for $), "$5,l81.72" / "$S,181.72"
(letters read for digits), "$5, 181.72" and "225 .33" (a space after the comma, before the point),
"($800.00)", "-$800.00" and "$800.00 CR" (credits).
``AMOUNT`` is the regex fragment other extractors embed (named group ``amount``), ``AMOUNT_PATTERN`` it
compiled, to find amounts in a text; ``parse_amount`` returns a
``Decimal`` with two places or None, never raises.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import regex

from extractors.text import repair_digits

_D = r"[0-9OolISB]"
AMOUNT = rf"""(?P<amount>
    (?P<negative>[-–(])?\s?[$§S]?\s?          # optional sign or parenthesis, dollar sign (or § / S)
    (?<![\w.,])(?:{_D}{{1,3}}(?:[,.]\s?{_D}{{3}})+ # whole dollars with thousands separators
                |{_D}{{1,7}})                 # or without
    (?:[.,]|\s\.)\s?{_D}{{2}}(?!{_D})          # cents are always printed on IRS notices ("225 .33")
    (?:\)|\s?(?P<credit>(?-i:CR))\b)?            # a credit's closing parenthesis or "CR" after it
)"""
AMOUNT_PATTERN = regex.compile(AMOUNT, regex.VERBOSE)


def parse_amount(text: str) -> Decimal | None:
    """The amount in ``text`` as a Decimal with two places, or None when it is not an amount."""
    match = AMOUNT_PATTERN.search(text.strip())
    if match is None:
        return None
    body = match.group("amount").strip().removesuffix("CR").strip().lstrip("-–(").rstrip(")").strip()
    body = body.lstrip("$§").strip()
    if body[:1] == "S" and len(body) > 1 and body[1] in " 0123456789":
        body = body[1:].strip()  # "S5,181.72": S stands for the dollar sign, not a 5
    digits = repair_digits(body.replace(" ", ""))
    whole, cents = digits[:-3], digits[-2:]
    whole = whole.replace(",", "").replace(".", "")
    try:
        value = Decimal(f"{whole or '0'}.{cents}")
    except InvalidOperation:
        return None
    return -value if match.group("negative") or match.group("credit") else value


def format_amount(value: Decimal) -> str:
    """The contract's decimal string: two places, no sign for zero."""
    return f"{value.quantize(Decimal('0.01'))}"
