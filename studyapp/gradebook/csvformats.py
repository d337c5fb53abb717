"""Gradebook CSV presets that spreadsheets and learning platforms accept.

Files are written by `csvwriter` (RFC 4180, formula-safe text, numbers half up, UTC
timestamps); the responses and analysis files of one quiz are built in `csvquiz`.

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

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from itertools import chain

from studyapp.core import numbers
from studyapp.gradebook.csvquiz import analysis, responses
from studyapp.gradebook.csvwriter import EXCEL_EU, Marker, Table


@dataclass(frozen=True)
class QuizColumn:
    """A quiz as a gradebook column."""

    id: int
    title: str
    max_points: float


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
