"""CSV files that spreadsheets open safely (RFC 4180, formula cells neutralized)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence

from flask import Response

#: A cell starting with one of these is always a formula (or hides one behind whitespace).
ALWAYS_FORMULA = ("=", "\t", "\r", "\n")
#: These start a formula only if what follows can do something: call a function, run a DDE
#: command or reach another sheet or file.
SIGN_START = ("+", "-", "@")
ACTIVE = frozenset("=(|!")
#: Sums of plain numbers (``-2+3``): a spreadsheet would show the result, not the text.
ARITHMETIC = re.compile(r"[+\-@][\d\s.,+\-*/^&%]+")
#: A cell reference at the start (``+A1``, ``-$B$2*3``): the value of another cell.
REFERENCE = re.compile(r"[+\-@]\$?[A-Za-z]{1,3}\$?\d+(?:[\s+\-*/^&%].*)?", re.DOTALL)


def is_formula(text: str) -> bool:
    """Whether a spreadsheet opening this cell would run something.

    ``=anything``, a leading tab or line break, or ``+``/``-``/``@`` followed by a function
    call, ``|`` (DDE), ``!`` (another sheet), arithmetic on numbers or a cell reference. An
    e-mail such as ``-dash.lee@school.test`` or a login id such as ``+lee`` runs nothing,
    and must reach Moodle's and Canvas's importers exactly as written for them to find the
    student.
    """
    if text.startswith(ALWAYS_FORMULA):
        return True
    if not text.startswith(SIGN_START) or _is_number(text):
        return False
    return (
        not ACTIVE.isdisjoint(text)
        or ARITHMETIC.fullmatch(text) is not None
        or REFERENCE.fullmatch(text) is not None
    )


def safe_cell(value: object) -> str:
    """Text for a cell; one a spreadsheet would run as a formula gets a leading quote."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if is_formula(text) else text


def _is_number(text: str) -> bool:
    # A negative score is data, not a formula.
    try:
        float(text)
    except ValueError:
        return False
    return True


def iter_csv(
    header: Sequence[str], rows: Iterable[Sequence[object]], bom: bool = False
) -> Iterator[str]:
    """Yield the CSV text one line at a time, so large files stream."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:
        yield "\ufeff"
    writer.writerow([safe_cell(c) for c in header])
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> Response:
    """A streamed CSV download."""
    return Response(
        iter_csv(header, rows),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
