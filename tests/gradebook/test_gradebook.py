"""The gradebook: kept grades, marks, totals, overrides with history, exports, query counts."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from studyapp.attempts import saving
from studyapp.attempts import services as attempts
from studyapp.core.clock import utcnow
from studyapp.core.errors import DomainError
from studyapp.gradebook import services
from studyapp.gradebook.export import gradebook_table
from studyapp.quizzes.models import GradingPolicy
from tests import factories
from tests.conftest import count_statements, login

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def _take(session, quiz, student, answer, when):
    attempt = attempts.start_attempt(session, quiz, student, when)
    saving.save_answer(session, attempt, 0, answer, None, when)
    attempts.submit_attempt(session, attempt, when + timedelta(minutes=1))
    return attempt


@pytest.fixture
def setup(session, course, student):
    """Two quizzes: one open with two attempts allowed, one closed that the student missed."""
    open_quiz = factories.make_quiz(
        session,
        course,
        keys=("capital",),
        title="Open",
        attempts_allowed=2,
        grading_policy=GradingPolicy.HIGHEST,
    )
    closed = factories.make_quiz(
        session, course, keys=("capital",), title="Closed", closes_at=NOW - timedelta(days=1)
    )
    _take(session, open_quiz, student, "A", NOW)
    _take(session, open_quiz, student, "B", NOW + timedelta(hours=1))
    session.commit()
    return open_quiz, closed


def test_cells_follow_the_policy_and_mark_missing(session, course, student, setup):
    open_quiz, closed = setup
    book = services.build_gradebook(session, course, NOW + timedelta(hours=2))
    (row,) = book.rows
    assert row.cells[open_quiz.id].score == 1.0 and row.cells[open_quiz.id].status == "graded"
    assert row.cells[closed.id].status == "missing" and row.cells[closed.id].score == 0.0
    assert (row.total, row.max_total, row.percent) == (1.0, 2.0, 50.0)


def test_excusing_removes_the_quiz_from_the_total(session, course, student, instructor, setup):
    _, closed = setup
    services.set_override(
        session, closed, student.id, points=None, excused=True, reason="ill", by=instructor, now=NOW
    )
    (row,) = services.build_gradebook(session, course, NOW).rows
    assert row.cells[closed.id].status == "excused" and row.percent == 100.0


def test_override_counts_and_every_change_is_logged(session, course, student, instructor, setup):
    open_quiz, _ = setup
    services.set_override(
        session,
        open_quiz,
        student.id,
        points=0.5,
        excused=False,
        reason="partial",
        by=instructor,
        now=NOW,
    )
    services.set_override(
        session,
        open_quiz,
        student.id,
        points=None,
        excused=False,
        reason="undo",
        by=instructor,
        now=NOW,
    )
    (row,) = services.build_gradebook(session, course, NOW).rows
    assert row.cells[open_quiz.id].score == 1.0 and not row.cells[open_quiz.id].overridden
    history = services.grade_history(session, [open_quiz.id], student.id)
    assert [(h.action, h.reason) for h in history] in (
        [("cleared", "undo"), ("overridden", "partial")],
        [("overridden", "partial"), ("cleared", "undo")],
    )
    with pytest.raises(DomainError, match="reason"):
        services.set_override(
            session,
            open_quiz,
            student.id,
            points=1,
            excused=False,
            reason=" ",
            by=instructor,
            now=NOW,
        )
    with pytest.raises(DomainError, match="between 0 and 1"):
        services.set_override(
            session,
            open_quiz,
            student.id,
            points=5,
            excused=False,
            reason="x",
            by=instructor,
            now=NOW,
        )


def test_awaiting_grading_and_late_marks(session, course, student):
    essay = factories.make_quiz(session, course, keys=("essay",), title="Essay")
    late = factories.make_quiz(
        session, course, keys=("capital",), title="Late", closes_at=NOW + timedelta(minutes=5)
    )
    from studyapp.quizzes import services as quizzes

    quizzes.set_accommodation(session, late, student.id, closes_at=NOW + timedelta(days=1))
    attempt = attempts.start_attempt(session, essay, student, NOW)
    saving.save_answer(session, attempt, 0, "words", None, NOW)
    attempts.submit_attempt(session, attempt, NOW)
    _take(session, late, student, "A", NOW + timedelta(hours=2))
    (row,) = services.build_gradebook(session, course, NOW + timedelta(hours=3)).rows
    assert row.cells[essay.id].status == "awaiting" and row.cells[late.id].status == "late"


def test_filters_and_sorting(session, course, student, setup):
    other = factories.make_user(session, name="Aaron Other")
    factories.make_enrollment(session, course, other)
    book = services.build_gradebook(session, course, NOW + timedelta(hours=2))
    _, rows = services.filter_and_sort(book, sort="name")
    assert rows[0].student.name == "Aaron Other"
    _, rows = services.filter_and_sort(book, sort="total", descending=True)
    assert rows[0].student.id == student.id
    _, rows = services.filter_and_sort(book, student="aaron")
    assert [r.student.name for r in rows] == ["Aaron Other"]
    _, rows = services.filter_and_sort(book, status="missing")
    assert len(rows) == 2


def _count_queries(app, client, url):
    with count_statements(app) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def _class_of(session, size, quizzes=3):
    teacher = factories.make_instructor(session)
    course = factories.make_course(session, teacher)
    students = [factories.make_user(session) for _ in range(size)]
    for s in students:
        factories.make_enrollment(session, course, s)
    made = [
        factories.make_quiz(session, course, keys=("capital", "goods"), title=f"Q{i}")
        for i in range(quizzes)
    ]
    for s in students:
        for q in made:
            _take(session, q, s, "A", utcnow())
    session.commit()
    return teacher, course


def test_gradebook_page_and_report_run_a_fixed_number_of_queries(app, session):
    counts = []
    for size in (2, 8):
        teacher, course = _class_of(session, size)
        client = app.test_client()
        login(client, teacher.email)
        quiz_id = services.build_gradebook(session, course, utcnow()).quizzes[0].id
        page = _count_queries(app, client, f"/teach/classes/{course.id}/gradebook")
        report = _count_queries(app, client, f"/teach/quizzes/{quiz_id}/report")
        counts.append((page, report))
    assert counts[0] == counts[1], counts


def test_csv_export_reads_back(session, course, student, setup):
    student.name = 'Öztürk, Ayşe "Ayo"'
    session.commit()
    text = "".join(gradebook_table(session, course, NOW + timedelta(hours=2), "standard").lines())
    rows = list(csv.reader(io.StringIO(text)))
    # Quiz columns come in the gradebook's order: by close time, open-ended last.
    assert rows[0] == [
        *("student_id", "name", "email", "Closed", "Open", "total", "percent", "awaiting_grading")
    ]
    assert rows[1][1] == 'Öztürk, Ayşe "Ayo"' and rows[1][3:] == ["0", "1", "1", "50", ""]
