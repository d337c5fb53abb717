"""Instructor quiz pages over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from studyapp.attempts import saving
from studyapp.attempts import services as attempts
from studyapp.auth.models import User
from studyapp.quizzes import services as quizzes
from studyapp.quizzes.models import Quiz, QuizStatus
from tests import factories
from tests.conftest import count_statements, login


@pytest.fixture
def bank(session):
    bank = factories.make_bank(session)
    session.commit()
    return bank


def _new_quiz(client, course) -> int:
    response = client.post(f"/teach/classes/{course.id}/quizzes/new", data={"title": "Week 1"})
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_build_and_publish_a_quiz(instructor_client, course, bank, session):
    quiz_id = _new_quiz(instructor_client, course)
    instructor_client.post(
        f"/teach/quizzes/{quiz_id}/items/fixed",
        data={"question": "quizbank/capital", "points": "2"},
    )
    instructor_client.post(
        f"/teach/quizzes/{quiz_id}/items/draw",
        data={"bank": "quizbank", "tag": "trade", "count": "1", "points": "1"},
    )
    page = instructor_client.get(f"/teach/quizzes/{quiz_id}").get_data(as_text=True)
    assert "quizbank/capital" in page and "1 random from" in page and "3 points" in page
    instructor_client.post(f"/teach/quizzes/{quiz_id}/publish")
    assert session.get(Quiz, quiz_id).status == QuizStatus.PUBLISHED


def test_too_big_a_draw_is_explained(instructor_client, course, bank):
    quiz_id = _new_quiz(instructor_client, course)
    page = instructor_client.post(
        f"/teach/quizzes/{quiz_id}/items/draw",
        data={"bank": "quizbank", "tag": "trade", "count": "9", "points": "1"},
        follow_redirects=True,
    )
    assert b"only 2 question(s) tagged" in page.data


def test_settings_are_read_in_the_instructors_time_zone(
    instructor_client, instructor, course, bank, session
):
    session.get(User, instructor.id).timezone = "Europe/Istanbul"
    session.commit()
    quiz_id = _new_quiz(instructor_client, course)
    response = instructor_client.post(
        f"/teach/quizzes/{quiz_id}/settings",
        data={
            "title": "Week 1",
            "closes_at": "2027-03-01T12:00",
            "attempts_allowed": "1",
            "grading_policy": "highest",
            "layout": "paged",
            "review_content": "full",
            "review_timing": "after_close",
        },
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Quiz, quiz_id).closes_at == datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    page = instructor_client.get(f"/teach/quizzes/{quiz_id}").get_data(as_text=True)
    assert "12:00 (Europe/Istanbul)" in page


def test_changing_questions_after_students_started_needs_confirmation(
    instructor_client, course, bank, session, student
):
    quiz = factories.make_quiz(session, course, keys=("capital",))
    attempts.start_attempt(session, quiz, student, datetime.now(UTC))
    session.commit()
    page = instructor_client.post(
        f"/teach/quizzes/{quiz.id}/items/fixed",
        data={"question": "quizbank/goods", "points": "1"},
        follow_redirects=True,
    )
    assert b"keep the questions they were given" in page.data
    instructor_client.post(
        f"/teach/quizzes/{quiz.id}/items/fixed",
        data={"question": "quizbank/goods", "points": "1", "confirm": "y"},
    )
    session.expire_all()
    assert len(session.get(Quiz, quiz.id).items) == 2


def test_accommodations_page_shows_each_students_time(
    instructor_client, course, bank, session, student
):
    quiz = factories.make_quiz(session, course, keys=("capital",), time_limit_minutes=40)
    session.commit()
    instructor_client.post(
        f"/teach/quizzes/{quiz.id}/profiles/{student.id}",
        data={f"p{student.id}-extra_time_percent": "50"},
    )
    instructor_client.post(
        f"/teach/quizzes/{quiz.id}/accommodations/{student.id}",
        data={f"u{student.id}-extra_time_minutes": "5", f"u{student.id}-extra_attempts": "1"},
    )
    page = instructor_client.get(f"/teach/quizzes/{quiz.id}/accommodations").get_data(as_text=True)
    assert "Time: 65 min" in page and "attempts: 2" in page


def test_accommodations_page_runs_the_same_statements_for_3_and_30_students(
    app, instructor_client, course, bank, session
):
    quiz = factories.make_quiz(session, course, keys=("capital",), time_limit_minutes=40)
    counts, given = [], 0
    for size in (3, 30):
        for _ in range(size - given):
            student = factories.make_enrollment(session, course).user
            quizzes.set_accommodation(session, quiz, student.id, extra_time_minutes=5)
        given = size
        session.commit()
        with count_statements(app) as statements:
            page = instructor_client.get(f"/teach/quizzes/{quiz.id}/accommodations")
        assert page.get_data(as_text=True).count("Time: 45 min") == size
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_grading_queue_and_score_history(instructor_client, course, bank, session, student):
    quiz = factories.make_quiz(session, course, keys=("essay",))
    attempt = attempts.start_attempt(session, quiz, student, datetime.now(UTC))
    saving.save_answer(session, attempt, 0, "Trade mattered.", None, datetime.now(UTC))
    attempts.submit_attempt(session, attempt, datetime.now(UTC))
    session.commit()
    queue = instructor_client.get(f"/teach/quizzes/{quiz.id}/grading").get_data(as_text=True)
    assert "Trade mattered." in queue and "SECRET-MODEL-ANSWER" in queue
    row_id = attempt.questions[0].id
    instructor_client.post(
        f"/teach/quizzes/{quiz.id}/grading/{row_id}",
        data={f"a{row_id}-points": "3", f"a{row_id}-comment": "Good."},
    )
    detail = instructor_client.get(f"/teach/attempts/{attempt.id}").get_data(as_text=True)
    assert "graded by hand" in detail and "3 / 4" in detail


def test_regrade_needs_a_reason(instructor_client, course, bank, session):
    quiz = factories.make_quiz(session, course, keys=("capital",))
    session.commit()
    qid = quiz.items[0].question_id
    page = instructor_client.post(
        f"/teach/quizzes/{quiz.id}/questions/{qid}/regrade", data={}, follow_redirects=True
    )
    assert b"Say why you regrade" in page.data
    page = instructor_client.post(
        f"/teach/quizzes/{quiz.id}/questions/{qid}/regrade",
        data={"reason": "typo"},
        follow_redirects=True,
    )
    assert b"0 score(s) changed." in page.data


def test_preview_runs_the_quiz_without_counting(instructor_client, course, bank, session):
    quiz = factories.make_quiz(session, course, keys=("capital",), publish=False)
    session.commit()
    response = instructor_client.post(f"/teach/quizzes/{quiz.id}/preview")
    page = instructor_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "preview" in page and "Which town traded salt?" in page
    results = instructor_client.get(f"/teach/quizzes/{quiz.id}/attempts").get_data(as_text=True)
    assert "No attempts yet." in results


def test_closing_a_quiz_grades_open_attempts(instructor_client, course, bank, session, student):
    quiz = factories.make_quiz(session, course, keys=("capital",))
    attempt = attempts.start_attempt(session, quiz, student, datetime.now(UTC))
    saving.save_answer(session, attempt, 0, "A", None, datetime.now(UTC))
    session.commit()
    instructor_client.post(f"/teach/quizzes/{quiz.id}/close")
    session.expire_all()
    closed = attempts.get_attempt(session, attempt.id)
    assert not closed.is_open and closed.score == 1.0


def test_another_instructor_gets_404_on_quiz_pages(app, course, bank, session):
    quiz = factories.make_quiz(session, course, keys=("capital",))
    stranger = factories.make_instructor(session)
    session.commit()
    c = app.test_client()
    login(c, stranger.email)
    for path in ("", "/settings", "/accommodations", "/grading", "/attempts"):
        assert c.get(f"/teach/quizzes/{quiz.id}{path}").status_code == 404, path
    assert c.post(f"/teach/quizzes/{quiz.id}/publish").status_code == 404
    assert session.scalar(select(Quiz).where(Quiz.id == quiz.id)).status == QuizStatus.PUBLISHED
