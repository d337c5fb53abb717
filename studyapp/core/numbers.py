"""Rounding for everything the app shows or writes: half up, in decimal, to the shown places.

A score is stored as a float, so 2.675 is really 2.67499999...; rounding that binary value
(or rounding twice, as ``round(x, 1)`` then a formatter would) turns a printed 76.25 % into
76.2 %. Every page and every CSV file therefore rounds once, here: the float is read back as
the shortest decimal that names it (``repr``), then rounded half up (76.25 -> 76.3).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

#: Points on pages and in files: at most two decimals.
POINT_PLACES = 2
#: Percentages: one decimal.
PERCENT_PLACES = 1


def to_decimal(value: float | int | Decimal) -> Decimal:
    """The decimal a number was written as (0.1 stays 0.1, not its binary expansion)."""
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    else:
        number = Decimal(repr(float(value)))
    if not number.is_finite():
        raise ValueError(f"cannot round {value!r}")
    return number


def round_half_up(value: float | int | Decimal, places: int) -> Decimal:
    """``value`` rounded half up (away from zero on a tie) to ``places`` decimals."""
    return to_decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_number(
    value: float | int | Decimal | None,
    places: int = POINT_PLACES,
    decimal: str = ".",
    trim: bool = True,
) -> str:
    """Text of a number rounded half up to ``places``; trailing zeros dropped when ``trim``.

    '' for None; ``-0`` is written ``0``.
    """
    if value is None:
        return ""
    text = f"{round_half_up(value, places):f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.lstrip("-").strip("0.") == "":
        text = text.lstrip("-")
    return text.replace(".", decimal)


def exact_text(value: float | int | Decimal | None, decimal: str = ".") -> str:
    """Full precision: the shortest text that reads back as the same float."""
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    text = f"{to_decimal(value):f}" if isinstance(value, Decimal) else repr(float(value))
    if "e" in text or "E" in text:
        text = f"{Decimal(text):f}"
    return text.replace(".", decimal)


def percent_of(part: float | int | Decimal, whole: float | int | Decimal) -> Decimal | None:
    """``100 * part / whole`` in decimal arithmetic (None when whole is 0)."""
    whole_d = to_decimal(whole)
    if whole_d == 0:
        return None
    return to_decimal(part) * 100 / whole_d
