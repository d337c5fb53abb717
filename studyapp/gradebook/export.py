"""Gradebook files built from the database in chunks, so a large class streams in flat memory."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from studyapp.attempts.models import Attempt, AttemptQuestion
from studyapp.auth.models import User
from studyapp.banks.content import question_from_doc
from studyapp.banks.types import token
from studyapp.classes.models import Course, Enrollment
from studyapp.gradebook import csvformats, csvquiz, csvwriter
from studyapp.gradebook.services import Gradebook, Row, build_gradebook, counted_attempts
from studyapp.quizzes.models import Quiz

CHUNK = 200
#: What one chunk costs: quizzes and their items, enrolments and their users, attempts,
#: overrides and accommodations. `tests/gradebook/test_numbers.py` counts them.
STATEMENTS_PER_CHUNK = 7
GRADEBOOK_PRESETS = ("standard", "excel-eu", "registrar", "canvas", "long")


def _columns(book: Gradebook) -> list[csvformats.QuizColumn]:
    maxes = {}
    for row in book.rows:
        for qid, cell in row.cells.items():
            maxes.setdefault(qid, cell.max_points)
    return [csvformats.QuizColumn(q.id, q.title, maxes.get(q.id, 0.0)) for q in book.quizzes]


def _student_row(row: Row) -> csvformats.StudentRow:
    scores = {
        qid: (c.score if c.status in ("graded", "late", "awaiting", "missing") else None)
        for qid, c in row.cells.items()
    }
    return csvformats.StudentRow(
        row.student.student_number,
        row.student.name,
        row.student.email,
        scores,
        row.total,
        row.max_total,
        row.percent,
        {qid: c.status for qid, c in row.cells.items()},
    )


def iter_books(
    session: Session, course: Course, now: datetime, chunk: int = CHUNK
) -> Iterator[Gradebook]:
    """The gradebook a chunk of students at a time (same fixed queries per chunk)."""
    user_ids = list(
        session.scalars(
            select(Enrollment.user_id)
            .join(User, Enrollment.user_id == User.id)
            .where(Enrollment.course_id == course.id)
            .order_by(Enrollment.status, User.name)
        )
    )
    for start in range(0, len(user_ids), chunk):
        yield build_gradebook(session, course, now, user_ids=user_ids[start : start + chunk])
    if not user_ids:
        yield build_gradebook(session, course, now, user_ids=[])


def gradebook_table(
    session: Session, course: Course, now: datetime, preset: str, chunk: int = CHUNK
) -> csvwriter.Table:
    """A gradebook preset whose rows are produced lazily, chunk by chunk."""
    if preset == "long":
        return csvformats.long(_attempt_rows(session, course))
    books = iter_books(session, course, now, chunk)
    first = next(books)
    columns = _columns(first)

    def students() -> Iterator[csvformats.StudentRow]:
        for book in _chain(first, books):
            yield from (_student_row(r) for r in book.rows)

    if preset == "registrar":
        return csvformats.registrar(students())
    if preset == "excel-eu":
        return csvformats.excel_eu(columns, students())
    if preset == "canvas":
        return csvformats.canvas(columns, students())
    return csvformats.standard(columns, students())


def with_bom(table: csvwriter.Table) -> csvwriter.Table:
    """The same file with a byte-order mark, which Excel needs to read UTF-8."""
    d = table.dialect
    dialect = csvwriter.Dialect(d.delimiter, d.decimal, bom=True)
    return csvwriter.Table(table.header, table.rows, dialect, table.places)


def _chain(first: Gradebook, rest: Iterator[Gradebook]) -> Iterator[Gradebook]:
    yield first
    yield from rest


def _attempt_rows(session: Session, course: Course) -> Iterator[csvformats.AttemptRow]:
    """Every real attempt of the class, streamed from the database."""
    query = (
        select(Attempt, User, Quiz)
        .join(User, Attempt.user_id == User.id)
        .join(Quiz, Attempt.quiz_id == Quiz.id)
        .where(Quiz.course_id == course.id, Attempt.is_preview.is_(False))
        .order_by(User.name, User.id, Quiz.id, Attempt.number)
        .execution_options(yield_per=500)
    )
    group: list[tuple[Attempt, User, Quiz]] = []
    for attempt, user, quiz in session.execute(query):
        if group and (group[0][1].id, group[0][2].id) != (user.id, quiz.id):
            yield from _attempt_group(group)
            group = []
        group.append((attempt, user, quiz))
    yield from _attempt_group(group)


def _attempt_group(group: list[tuple[Attempt, User, Quiz]]) -> Iterator[csvformats.AttemptRow]:
    if not group:
        return
    quiz = group[0][2]
    finished = [a for a, _, _ in group if not a.is_open]
    # Under "average" every scored attempt makes the grade, so each is marked kept.
    kept = {a.id for a in counted_attempts(finished, quiz.grading_policy)}
    for attempt, user, _ in group:
        yield csvformats.AttemptRow(
            user.student_number,
            user.name,
            user.email,
            quiz.title,
            attempt.number,
            attempt.status.value,
            attempt.started_at,
            attempt.submitted_at,
            attempt.score,
            attempt.max_score,
            attempt.id in kept,
        )


def responses_table(session: Session, quiz: Quiz) -> csvwriter.Table:
    """One row per student x question of a quiz's real attempts."""
    query = (
        select(AttemptQuestion, Attempt, User)
        .join(Attempt, AttemptQuestion.attempt_id == Attempt.id)
        .join(User, Attempt.user_id == User.id)
        .options(selectinload(AttemptQuestion.version))
        .where(Attempt.quiz_id == quiz.id, Attempt.is_preview.is_(False))
        .order_by(User.name, User.id, Attempt.number, AttemptQuestion.position)
        .execution_options(yield_per=500)
    )

    def rows() -> Iterator[csvquiz.ResponseRow]:
        for row, attempt, user in session.execute(query):
            question = question_from_doc(row.version.content)
            texts = {token(t): t for t in _visible_texts(question)}
            yield csvquiz.ResponseRow(
                user.student_number,
                user.name,
                user.email,
                attempt.number,
                row.position + 1,
                question.id,
                row.version.number,
                question.type,
                row.response,
                row.awarded,
                row.points,
                texts,
            )

    return csvquiz.responses(rows())


def _visible_texts(question) -> list[str]:
    spec = question.spec
    return [
        *spec.get("items", ()),
        *spec.get("pairs", {}).keys(),
        *spec.get("pairs", {}).values(),
        *spec.get("distractors", ()),
    ]
