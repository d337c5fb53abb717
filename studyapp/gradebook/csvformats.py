"""CSV files that spreadsheets and learning platforms accept: dialects, presets, streaming.

Every file is UTF-8 and RFC 4180 (``\\r\\n`` line ends, fields with the delimiter, quotes or
line breaks quoted, quotes doubled). Text cells pass through `safe_cell`, so a cell that a
spreadsheet would run as a formula gets a leading ``'`` (see `studyapp.core.csvfile.is_formula`:
``=`` or a leading tab or line break always; ``+``, ``-``, ``@`` only with a call, ``|``, ``!``,
plain arithmetic or a cell reference, so ``-dash.lee@school.test`` stays as written); numbers
are written by `format_number` (half up to 2 decimals, percentages to 1, no trailing zeros,
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
             address" and each quiz column to a grade item, and leave ``awaiting_grading``
             (the titles of the quizzes whose score is provisional) unmapped.
long         ``student_id, name, email, quiz, attempt, status, started_at, submitted_at,
             score, max_score, kept`` (student x quiz x attempt); kept is yes/no.
responses    ``student_id, name, email, attempt, position, question_id, question_version,
             answer, points, max_points`` (student x question of one quiz). The answer is the
             stored response as text: a choice key (``B``), picks (``A;C``), the typed text,
             ``true``/``false``, an ordering (``first > second``), a matching (``left=right;
             ...``) or blanks (``name=value; ...``).
analysis     ``position, question_id, type, n, facility, facility_ci_low, facility_ci_high,
             discrimination, discrimination_ci_low, discrimination_ci_high, flags, sd,
             discriminative_efficiency, drawn`` (question); fractions, not percentages, at
             full precision (every digit of the float); flags joined with ``" | "``.
registrar    ``ID, Grade, Status`` (student): the student id, or the email when there is
             none, the percentage rounded half up to 1 decimal, and ``final`` or
             ``awaiting grading`` (some quiz still waits for hand grading).
excel-eu     as standard, but ``;``-separated, decimal commas and a byte-order mark, which is
             what Excel expects where the comma is the decimal separator (most of Europe).
canvas       ``Student, ID, SIS User ID, SIS Login ID, Section, <quiz>...`` then a second
             row ``Points Possible`` with each quiz's maximum (student), for Canvas's
             Gradebook "Import". Student is the name, ID (the Canvas user id) is left empty,
             SIS User ID is our student id, SIS Login ID the email; Canvas matches a student
             by ID, then SIS User ID, then SIS Login ID, then name. A quiz column is
             ``Title (assignment id)`` when the Canvas assignment id is given, otherwise the
             bare title, which Canvas matches by title or creates as a new assignment. Totals
             are left out: Canvas would import unknown columns as new assignments. An
             excused quiz is ``EX``; one awaiting hand grading is ``-`` (no score). Canvas
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
from decimal import Decimal
from itertools import chain
from typing import Any

from studyapp.core import numbers
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
class Marker:
    """A fixed word an importer reads in a score cell (``EX``, ``-``), written as is."""

    text: str


#: Canvas imports EX as "excused": the assignment counts in neither score nor maximum.
CANVAS_EXCUSED = Marker("EX")
#: Canvas (and Moodle) read "-" as "no score": the submission stays ungraded there.
NO_SCORE_YET = Marker("-")


@dataclass(frozen=True)
class StudentRow:
    """One student's kept score per quiz (None: no score) and overall result.

    ``statuses`` holds the gradebook mark per quiz (graded, late, awaiting, missing,
    excused, in_progress, not_started).
    """

    student_id: str | None
    name: str
    email: str
    scores: Mapping[int, float | None]
    total: float | None
    max_total: float
    percent: Decimal | float | None
    statuses: Mapping[int, str] = field(default_factory=dict)

    def awaiting(self, quizzes: Sequence[QuizColumn]) -> list[str]:
        """Titles of the quizzes whose score still waits for hand grading."""
        return [q.title for q in quizzes if self.statuses.get(q.id) == "awaiting"]


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
    sd: float | None = None
    discriminative_efficiency: float | None = None
    drawn: bool = False


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
STANDARD_TAIL = ("total", "percent", "awaiting_grading")


def _percent(value: Decimal | float | None) -> Decimal | None:
    """The percentage as every preset writes it: half up to one decimal, rounded once."""
    return None if value is None else numbers.round_half_up(value, numbers.PERCENT_PLACES)


def standard(quizzes: Sequence[QuizColumn], students: Iterable[StudentRow]) -> Table:
    """One row per student: identity, the kept score per quiz, total, percent, pending quizzes.

    A score awaiting hand grading stays a number (Moodle's import accepts only numbers, ``-``
    or blank), and the last column names the quizzes it is provisional for.
    """
    titles = _quiz_titles(quizzes, STANDARD_FIXED + STANDARD_TAIL)
    rows = (
        (
            s.student_id,
            s.name,
            s.email,
            *(s.scores.get(q.id) for q in quizzes),
            s.total,
            _percent(s.percent),
            "; ".join(s.awaiting(quizzes)),
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
    "sd",
    "discriminative_efficiency",
    "drawn",
)


def analysis_row(
    position: int, question_id: str, qtype: str, stats: QuestionStats, drawn: bool = False
) -> AnalysisRow:
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
        sd=stats.sd,
        discriminative_efficiency=stats.discriminative_efficiency,
        drawn=drawn,
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
            q.sd,
            q.discriminative_efficiency,
            q.drawn,
        )
        for q in questions
    )
    # Full precision: this file is for recomputing and comparing, not for reading.
    return Table(ANALYSIS_HEADER, rows, places=None)


REGISTRAR_FINAL = "final"
REGISTRAR_PENDING = "awaiting grading"


def registrar(students: Iterable[StudentRow]) -> Table:
    """``ID,Grade,Status``: student id (else email), the percentage to 1 decimal, and
    whether it is final or still awaits hand grading on some quiz."""
    rows = (
        (
            s.student_id or s.email,
            _percent(s.percent),
            REGISTRAR_PENDING if "awaiting" in s.statuses.values() else REGISTRAR_FINAL,
        )
        for s in students
    )
    return Table(("ID", "Grade", "Status"), rows)


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
        (s.name, "", s.student_id, s.email, section, *(_canvas_score(s, q.id) for q in quizzes))
        for s in students
    )
    return Table((*CANVAS_FIXED, *headers), chain([points_row], student_rows))


def _canvas_score(student: StudentRow, quiz_id: int) -> float | Marker | None:
    """EX for excused (a blank would count 0 in Canvas's final score), ``-`` while awaiting
    hand grading (Canvas reads it as no score: the submission stays ungraded there)."""
    status = student.statuses.get(quiz_id)
    if status == "excused":
        return CANVAS_EXCUSED
    if status == "awaiting":
        return NO_SCORE_YET
    return student.scores.get(quiz_id)


PRESETS: dict[str, Callable[..., Table]] = {
    "standard": standard,
    "long": long,
    "responses": responses,
    "analysis": analysis,
    "registrar": registrar,
    "excel-eu": excel_eu,
    "canvas": canvas,
}
