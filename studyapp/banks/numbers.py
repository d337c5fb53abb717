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
- Words around the number are allowed when they say what it counts or when: a leading
  "in", "by", "since", "some", "nearly", "almost", "circa" ("in 2018") and trailing words
  such as a unit ("276 military policemen", "3.6 million people"). Trailing words that
  look like a scale or a number ("billions", "kilo", "five") are refused rather than
  guessed, and so is any text with two numbers ("276 or 300").
"""

from __future__ import annotations

import difflib
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
_LEADING = r"(?:(?:in|by|since|some|nearly|almost|circa|ca\.|the year|year) )*"
_CUR_BEFORE = r"(?:us\$|\$|€|£|¥|₺|usd|eur|gbp|try|tl)"
_CUR_AFTER = (
    r"(?:(?:us )?dollars?|usd|us\$|\$|euros?|eur|€|pounds?(?: sterling)?|gbp|£|"
    r"(?:turkish )?liras?|try|tl|₺)"
)
_PERCENT = r"(?:%|percent|per cent|pct)"
_WORDS = r"(?P<words>(?: [^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]+)*)*)"
_PATTERN = re.compile(
    rf"{_LEADING}(?:{_APPROX} ?)?(?P<sign1>[+-])? ?(?P<cur>{_CUR_BEFORE})? ?(?P<sign2>[+-])? ?"
    rf"(?P<num>{_NUM}) ?(?:(?P<scale>{_SCALE})(?![a-z]))? ?"
    rf"(?:(?P<pct>{_PERCENT})|{_CUR_AFTER})?{_WORDS}"
)
# Trailing words that would change the number if they were read: refused, never ignored.
_NUMBER_TEXT = """
    zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
    fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy
    eighty ninety hundred hundreds thousands millions billions trillions dozen dozens
    lakh lakhs crore crores kilo kilos mega giga percent pct half quarter
"""
_NUMBER_WORDS = frozenset(_NUMBER_TEXT.split())
_SCALE_NAMES = ("thousand", "million", "billion", "trillion")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")


def parse_number(text: str) -> Decimal | None:
    """Read a student's number text as an exact Decimal, or None when it is not one."""
    if not isinstance(text, str) or len(text) > MAX_LENGTH:
        return None
    match = _PATTERN.fullmatch(_clean(text))
    if match is None or (match["sign1"] and match["sign2"]):
        return None
    if match["pct"] and (match["scale"] or match["cur"]):
        return None
    if any(_changes_number(word) for word in match["words"].split()):
        return None
    try:
        value = Decimal(match["num"].replace(",", "").replace(" ", ""))
    except InvalidOperation:
        return None
    if match["scale"]:
        value = value.scaleb(_SCALES[match["scale"]])
    return -value if "-" in (match["sign1"], match["sign2"]) else value


def _changes_number(word: str) -> bool:
    """A trailing word that looks like a scale or a number (a typo of one, too)."""
    if word in _NUMBER_WORDS or word in _SCALES:
        return True
    return bool(difflib.get_close_matches(word, _SCALE_NAMES, n=1, cutoff=0.8))


def number_problem(text: str) -> str:
    """Why `parse_number` could not read `text`, in words for the student."""
    shown = text if len(text) <= 40 else text[:37] + "..."
    numbers = list(dict.fromkeys(_DIGITS.findall(_clean(text)))) if len(text) <= MAX_LENGTH else []
    if len(numbers) >= 2:
        return (
            f"'{shown}' holds more than one number ({', '.join(numbers[:3])}); "
            "write only the one you mean."
        )
    return f"Could not read '{shown}' as a number."


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
