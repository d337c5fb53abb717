"""Reading a student's numeric answer text ("$1.5bn", "3.6 million", "50%") as a number.

The rules, also stated in questions/README.md:

- The decimal separator is '.'. A ',' is only a thousands separator, in groups of exactly
  three digits ("1,500,000"); "2,5" is ambiguous (2.5 or 25?) and is not read at all.
- Thousands may also be grouped with spaces, including thin and no-break spaces ("1 500 000").
- An exponent is allowed: "1e9", "1.5E-3".
- A scale word may follow: thousand/k, million/m/mn/mln, billion/b/bn/bln, trillion/tn.
- A currency may come first ("$", "US$", "€", "£", "¥", "₺", "USD", "EUR", "GBP", "TL",
  "TRY") or last (those, or "dollars", "US dollars", "euros", "pounds", "lira");
  it is ignored: the question's `unit` says what the number is in.
- A percent sign or word ("%", "percent", "per cent", "pct") is dropped: "50%" reads as 50.
- A sign ("-3", "−3", "-$3", "$-3"), a leading "about"/"around"/"approximately"/"approx."/
  "roughly"/"~"/"≈", and a final full stop are allowed.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

MAX_LENGTH = 100

_SCALES = {
    "thousand": 3,
    "k": 3,
    "million": 6,
    "mn": 6,
    "mln": 6,
    "m": 6,
    "billion": 9,
    "bn": 9,
    "bln": 9,
    "b": 9,
    "trillion": 12,
    "tn": 12,
}
_NUM = (
    r"(?:\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+|\d+)(?:\.\d*)?(?:e[+-]?\d{1,3})?"
    r"|\.\d+(?:e[+-]?\d{1,3})?"
)
_SCALE = "|".join(sorted(_SCALES, key=len, reverse=True))
_APPROX = r"(?:about|around|approximately|approx\.?|roughly|~|≈)"
_CUR_BEFORE = r"(?:us\$|\$|€|£|¥|₺|usd|eur|gbp|try|tl)"
_CUR_AFTER = (
    r"(?:(?:us )?dollars?|usd|us\$|\$|euros?|eur|€|pounds?(?: sterling)?|gbp|£|"
    r"(?:turkish )?liras?|try|tl|₺)"
)
_PERCENT = r"(?:%|percent|per cent|pct)"
_PATTERN = re.compile(
    rf"(?:{_APPROX} ?)?(?P<sign1>[+-])? ?(?P<cur>{_CUR_BEFORE})? ?(?P<sign2>[+-])? ?"
    rf"(?P<num>{_NUM}) ?(?:(?P<scale>{_SCALE})(?![a-z]))? ?"
    rf"(?:(?P<pct>{_PERCENT})|{_CUR_AFTER})?"
)


def parse_number(text: str) -> Decimal | None:
    """Read a student's number text as an exact Decimal, or None when it is not one."""
    if not isinstance(text, str) or len(text) > MAX_LENGTH:
        return None
    match = _PATTERN.fullmatch(_clean(text))
    if match is None or (match["sign1"] and match["sign2"]):
        return None
    if match["pct"] and (match["scale"] or match["cur"]):
        return None
    try:
        value = Decimal(match["num"].replace(",", "").replace(" ", ""))
    except InvalidOperation:
        return None
    if match["scale"]:
        value = value.scaleb(_SCALES[match["scale"]])
    return -value if "-" in (match["sign1"], match["sign2"]) else value


def _clean(text: str) -> str:
    """Fold width and case, unify minus signs and spaces, drop a final full stop."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("\u2212", "-")
    return " ".join(folded.split()).rstrip(".").strip()


def to_decimal(value: float | int) -> Decimal:
    """A bank number as a Decimal, exactly as it was written (1.1 stays 1.1)."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def format_number(value: float | int | Decimal) -> str:
    """Display a number with thousands separators and no trailing zeros: 1,500,000,000.

    Extreme values use an exponent instead (1e+75), which `parse_number` also reads.
    """
    number = value if isinstance(value, Decimal) else to_decimal(value)
    if number == number.to_integral_value():
        shown = f"{int(number):,}"
    else:
        shown = f"{number.normalize():,f}"
    return shown if len(shown) <= 30 else f"{number.normalize():e}"
