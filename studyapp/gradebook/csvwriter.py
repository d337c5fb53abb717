"""Writing CSV files that spreadsheets and learning platforms accept: dialects and streaming.

Every file is UTF-8 and RFC 4180 (``\\r\\n`` line ends, fields with the delimiter, quotes or
line breaks quoted, quotes doubled). Text cells pass through `safe_cell`, so a cell that a
spreadsheet would run as a formula gets a leading ``'`` (see `studyapp.core.csvfile.is_formula`:
``=`` or a leading tab or line break always; ``+``, ``-``, ``@`` only with a call, ``|``, ``!``,
plain arithmetic or a cell reference, so ``-dash.lee@school.test`` stays as written); numbers
are written by `format_number` (half up to 2 decimals, percentages to 1, no trailing zeros,
the dialect's decimal separator), so a negative score stays a number. An empty cell means
"no score". Timestamps are ISO 8601 in UTC (``2024-05-01T09:30:00Z``). The presets that fill
these files are in `csvformats` (grades) and `csvquiz` (one quiz's responses and analysis).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from studyapp.core import numbers
from studyapp.core.csvfile import safe_cell

BOM = "\ufeff"


@dataclass(frozen=True)
class Dialect:
    """How a CSV file is written: delimiter, decimal separator, byte-order mark, line end."""

    delimiter: str = ","
    decimal: str = "."
    bom: bool = False
    lineterminator: str = "\r\n"

    def __post_init__(self) -> None:
        if self.delimiter == self.decimal:
            raise ValueError("the delimiter and the decimal separator must differ")


COMMA = Dialect()
EXCEL_EU = Dialect(delimiter=";", decimal=",", bom=True)


@dataclass(frozen=True)
class Marker:
    """A fixed word an importer reads in a score cell (``EX``, ``-``), written as is."""

    text: str


@dataclass(frozen=True)
class Table:
    """A CSV file ready to stream; ``rows`` may be a generator, so stream it once."""

    header: tuple[str, ...]
    rows: Iterable[Sequence[object]]
    dialect: Dialect = COMMA
    #: Decimals for numbers; None keeps full precision.
    places: int | None = 2

    def lines(self) -> Iterator[str]:
        """The file one line at a time."""
        return iter_rows(self.header, self.rows, self.dialect, self.places)


def format_number(value: float | Decimal | None, decimal: str = ".", places: int = 2) -> str:
    """A number rounded half up to ``places`` decimals without trailing zeros; '' for None."""
    return numbers.format_number(value, places, decimal)


def format_timestamp(value: datetime | None) -> str:
    """ISO 8601 in UTC to the second (``2024-05-01T09:30:00Z``); '' for None."""
    if value is None:
        return ""
    # SQLite hands back naive datetimes; the app stores every timestamp in UTC.
    moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def cell(value: object, dialect: Dialect = COMMA, places: int | None = 2) -> str:
    """The text of one cell: numbers and times formatted, any other text made formula-safe.

    ``places`` None writes numbers at full precision (the question-analysis file).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Marker):
        return value.text
    if isinstance(value, int | float | Decimal):
        # Numbers are data by type, and format_number only writes digits, a sign and the
        # separator; safe_cell would misread "-1,5" as a formula.
        if places is None:
            return numbers.exact_text(value, dialect.decimal)
        return format_number(value, dialect.decimal, places)
    if isinstance(value, datetime):
        return format_timestamp(value)
    return safe_cell(value)


def iter_rows(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    dialect: Dialect = COMMA,
    places: int | None = 2,
) -> Iterator[str]:
    """Yield the header line, then one line per row, pulling each row only when asked."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=dialect.delimiter, lineterminator=dialect.lineterminator)

    def line(values: Iterable[object]) -> str:
        writer.writerow([cell(v, dialect, places) for v in values])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield (BOM if dialect.bom else "") + line(header)
    for row in rows:
        yield line(row)
