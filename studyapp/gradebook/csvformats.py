"""CSV files that spreadsheets and learning platforms accept: dialects, presets, streaming.

Every file is UTF-8 and RFC 4180 (``\\r\\n`` line ends, fields with the delimiter, quotes or
line breaks quoted, quotes doubled). Text cells pass through `safe_cell`, so a cell that a
spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or CR) gets a
leading ``'``; numbers are written by `format_number` (at most 2 decimals, no trailing zeros,
the dialect's decimal separator), so a negative score stays a number. An empty cell means
"no score". Timestamps are ISO 8601 in UTC (``2024-05-01T09:30:00Z``).

Each preset is a function from plain rows (the dataclasses below, built by the gradebook
service from the database) to a `Table`, whose ``lines()`` stream the file one line at a time.

============ ===================================================================================
preset       columns (one row per ...)
============ ===================================================================================
standard     ``student_id, name, email, <quiz title>..., total, percent`` (student). Quiz
             columns in quiz order; each holds the kept score in points. A repeated title, or
             one equal to a fixed column, gets ``[quiz id]`` appended so columns stay
             distinct. Moodle's "Import grades from CSV" reads it: map "email" to "Email
             address" and each quiz column to a grade item.
long         ``student_id, name, email, quiz, attempt, status, started_at, submitted_at,
             score, max_score, kept`` (student x quiz x attempt); kept is yes/no.
responses    ``student_id, name, email, attempt, position, question_id, question_version,
             answer, points, max_points`` (student x question of one quiz). The answer is the
             stored response as text: a choice key (``B``), picks (``A;C``), the typed text,
             ``true``/``false``, an ordering (``first > second``), a matching (``left=right;
             ...``) or blanks (``name=value; ...``).
analysis     ``position, question_id, type, n, facility, facility_ci_low, facility_ci_high,
             discrimination, discrimination_ci_low, discrimination_ci_high, flags``
             (question); fractions, not percentages; flags joined with ``" | "``.
registrar    ``ID, Grade`` (student): the student id, or the email when there is none, and
             the percentage rounded half up to 1 decimal.
excel-eu     as standard, but ``;``-separated, decimal commas and a byte-order mark, which is
             what Excel expects where the comma is the decimal separator (most of Europe).
canvas       ``Student, ID, SIS User ID, SIS Login ID, Section, <quiz>...`` then a second
             row ``Points Possible`` with each quiz's maximum (student), for Canvas's
             Gradebook "Import". Student is the name, ID (the Canvas user id) is left empty,
             SIS User ID is our student id, SIS Login ID the email; Canvas matches a student
             by ID, then SIS User ID, then SIS Login ID, then name. A quiz column is
             ``Title (assignment id)`` when the Canvas assignment id is given, otherwise the
             bare title, which Canvas matches by title or creates as a new assignment. Totals
             are left out: Canvas would import unknown columns as new assignments. Canvas
             skips any column whose title contains "Current Score", "Final Grade" and the
             like, so avoid such quiz titles.
============ ===================================================================================
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from itertools import chain
from typing import Any

from studyapp.core.csvfile import safe_cell
from studyapp.gradebook.stats import QuestionStats

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
class QuizColumn:
    """A quiz as a gradebook column."""

    id: int
    title: str
    max_points: float


@dataclass(frozen=True)
class StudentRow:
    """One student's kept score per quiz (None: no score) and overall result."""

    student_id: str | None
    name: str
    email: str
    scores: Mapping[int, float | None]
    total: float | None
    max_total: float
    percent: float | None


@dataclass(frozen=True)
class AttemptRow:
    """One attempt of one student at one quiz."""

    student_id: str | None
    name: str
    email: str
    quiz: str
    attempt: int
    status: str
    started_at: datetime | None
    submitted_at: datetime | None
    score: float | None
    max_score: float
    kept: bool


@dataclass(frozen=True)
class ResponseRow:
    """One student's stored response to one question of an attempt."""

    student_id: str | None
    name: str
    email: str
    attempt: int
    position: int
    question_id: str
    question_version: int
    #: The question type (single, multiple, ordering, ...).
    kind: str
    #: The stored response in the grader's format.
    response: Any
    points: float | None
    max_points: float
    #: Ordering item and matching tokens mapped to their text.
    texts: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AnalysisRow:
    """One question of a quiz's statistics report."""

    position: int
    question_id: str
    type: str
    n: int
    facility: float | None
    facility_ci_low: float | None
    facility_ci_high: float | None
    discrimination: float | None
    discrimination_ci_low: float | None
    discrimination_ci_high: float | None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """A CSV file ready to stream; ``rows`` may be a generator, so stream it once."""

    header: tuple[str, ...]
    rows: Iterable[Sequence[object]]
    dialect: Dialect = COMMA

    def lines(self) -> Iterator[str]:
        """The file one line at a time."""
        return iter_rows(self.header, self.rows, self.dialect)


def format_number(value: float | None, decimal: str = ".", places: int = 2) -> str:
    """A number rounded half up to ``places`` decimals without trailing zeros; '' for None."""
    if value is None:
        return ""
    number = Decimal(repr(float(value)))  # repr keeps 2.675 as written, not its binary value
    if not number.is_finite():
        raise ValueError(f"cannot write {value!r} as a number")
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{rounded:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    return text.replace(".", decimal)


def format_timestamp(value: datetime | None) -> str:
    """ISO 8601 in UTC to the second (``2024-05-01T09:30:00Z``); '' for None."""
    if value is None:
        return ""
    # SQLite hands back naive datetimes; the app stores every timestamp in UTC.
    moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def cell(value: object, dialect: Dialect = COMMA) -> str:
    """The text of one cell: numbers and times formatted, any other text made formula-safe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        # Numbers are data by type, and format_number only writes digits, a sign and the
        # separator; safe_cell would misread "-1,5" as a formula.
        return format_number(value, dialect.decimal)
    if isinstance(value, datetime):
        return format_timestamp(value)
    return safe_cell(value)


def iter_rows(
    header: Sequence[str], rows: Iterable[Sequence[object]], dialect: Dialect = COMMA
) -> Iterator[str]:
    """Yield the header line, then one line per row, pulling each row only when asked."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=dialect.delimiter, lineterminator=dialect.lineterminator)

    def line(values: Iterable[object]) -> str:
        writer.writerow([cell(v, dialect) for v in values])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield (BOM if dialect.bom else "") + line(header)
    for row in rows:
        yield line(row)


def render_answer(kind: str, response: Any, texts: Mapping[str, str] | None = None) -> str:
    """A stored response as readable text (``A;C``, ``first > second``, ``left=right; ...``)."""
    texts = texts or {}
    if response is None:
        return ""
    if kind == "truefalse" and isinstance(response, bool):
        return "true" if response else "false"
    if kind == "multiple" and isinstance(response, list):
        return ";".join(sorted(str(k) for k in response))
    if kind == "ordering" and isinstance(response, list):
        return " > ".join(texts.get(str(t), str(t)) for t in response)
    if isinstance(response, dict):
        # Matching maps left tokens to option tokens, blanks map names to text.
        return "; ".join(
            f"{texts.get(str(k), str(k))}={'' if v is None else texts.get(str(v), str(v))}"
            for k, v in response.items()
        )
    if isinstance(response, list):
        return ";".join(str(v) for v in response)
    return str(response)


def _quiz_titles(quizzes: Sequence[QuizColumn], reserved: Iterable[str]) -> list[str]:
    """Column names for quizzes; a repeated or reserved title gets its quiz id appended."""
    seen = Counter(q.title for q in quizzes)
    taken = set(reserved)
    return [
        q.title if seen[q.title] == 1 and q.title not in taken else f"{q.title} [{q.id}]"
        for q in quizzes
    ]


STANDARD_FIXED = ("student_id", "name", "email")
STANDARD_TAIL = ("total", "percent")


def standard(quizzes: Sequence[QuizColumn], students: Iterable[StudentRow]) -> Table:
    """One row per student: identity, the kept score per quiz, total and percent."""
    titles = _quiz_titles(quizzes, STANDARD_FIXED + STANDARD_TAIL)
    rows = (
        (
            s.student_id,
            s.name,
            s.email,
            *(s.scores.get(q.id) for q in quizzes),
            s.total,
            s.percent,
        )
        for s in students
    )
    return Table((*STANDARD_FIXED, *titles, *STANDARD_TAIL), rows)


def excel_eu(quizzes: Sequence[QuizColumn], students: Iterable[StudentRow]) -> Table:
    """The standard layout with semicolons, decimal commas and a byte-order mark."""
    table = standard(quizzes, students)
    return Table(table.header, table.rows, EXCEL_EU)


LONG_HEADER = (
    "student_id",
    "name",
    "email",
    "quiz",
    "attempt",
    "status",
    "started_at",
    "submitted_at",
    "score",
    "max_score",
    "kept",
)


def long(attempts: Iterable[AttemptRow]) -> Table:
    """One row per student, quiz and attempt."""
    rows = (
        (
            a.student_id,
            a.name,
            a.email,
            a.quiz,
            a.attempt,
            a.status,
            a.started_at,
            a.submitted_at,
            a.score,
            a.max_score,
            a.kept,
        )
        for a in attempts
    )
    return Table(LONG_HEADER, rows)


RESPONSES_HEADER = (
    "student_id",
    "name",
    "email",
    "attempt",
    "position",
    "question_id",
    "question_version",
    "answer",
    "points",
    "max_points",
)


def responses(rows: Iterable[ResponseRow]) -> Table:
    """One row per student and question of a quiz, the answer rendered as text."""
    lines = (
        (
            r.student_id,
            r.name,
            r.email,
            r.attempt,
            r.position,
            r.question_id,
            r.question_version,
            render_answer(r.kind, r.response, r.texts),
            r.points,
            r.max_points,
        )
        for r in rows
    )
    return Table(RESPONSES_HEADER, lines)


ANALYSIS_HEADER = (
    "position",
    "question_id",
    "type",
    "n",
    "facility",
    "facility_ci_low",
    "facility_ci_high",
    "discrimination",
    "discrimination_ci_low",
    "discrimination_ci_high",
    "flags",
)


def analysis_row(position: int, question_id: str, qtype: str, stats: QuestionStats) -> AnalysisRow:
    """The report row for one question's statistics."""
    fci, dci = stats.facility_ci, stats.discrimination_ci
    return AnalysisRow(
        position=position,
        question_id=question_id,
        type=qtype,
        n=stats.n,
        facility=stats.facility,
        facility_ci_low=fci.low if fci else None,
        facility_ci_high=fci.high if fci else None,
        discrimination=stats.discrimination,
        discrimination_ci_low=dci.low if dci else None,
        discrimination_ci_high=dci.high if dci else None,
        flags=stats.flags,
    )


def analysis(questions: Iterable[AnalysisRow]) -> Table:
    """One row per question of a quiz's statistics report."""
    rows = (
        (
            q.position,
            q.question_id,
            q.type,
            q.n,
            q.facility,
            q.facility_ci_low,
            q.facility_ci_high,
            q.discrimination,
            q.discrimination_ci_low,
            q.discrimination_ci_high,
            " | ".join(q.flags),
        )
        for q in questions
    )
    return Table(ANALYSIS_HEADER, rows)


def _one_decimal(value: float | None) -> float | None:
    """Round half up to 1 decimal (85.25 -> 85.3), as registrars expect, not to even."""
    if value is None:
        return None
    return float(Decimal(repr(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def registrar(students: Iterable[StudentRow]) -> Table:
    """``ID,Grade``: student id (else email) and the percentage to 1 decimal."""
    rows = ((s.student_id or s.email, _one_decimal(s.percent)) for s in students)
    return Table(("ID", "Grade"), rows)


CANVAS_FIXED = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")


def canvas(
    quizzes: Sequence[QuizColumn],
    students: Iterable[StudentRow],
    *,
    assignment_ids: Mapping[int, int] | None = None,
    section: str = "",
) -> Table:
    """Canvas gradebook import: identity columns, a Points Possible row, points per quiz.

    ``assignment_ids`` maps our quiz id to the Canvas assignment id, when known.
    """
    ids = assignment_ids or {}
    titles = _quiz_titles(quizzes, CANVAS_FIXED)
    # Our own quiz id must never go in the parentheses: Canvas would read it as one of its
    # assignment ids and could write the scores into an unrelated assignment.
    headers = [
        f"{q.title} ({ids[q.id]})" if q.id in ids else title
        for q, title in zip(quizzes, titles, strict=True)
    ]
    points_row = ("Points Possible", "", "", "", "", *(q.max_points for q in quizzes))
    student_rows = (
        (s.name, "", s.student_id, s.email, section, *(s.scores.get(q.id) for q in quizzes))
        for s in students
    )
    return Table((*CANVAS_FIXED, *headers), chain([points_row], student_rows))


PRESETS: dict[str, Callable[..., Table]] = {
    "standard": standard,
    "long": long,
    "responses": responses,
    "analysis": analysis,
    "registrar": registrar,
    "excel-eu": excel_eu,
    "canvas": canvas,
}
