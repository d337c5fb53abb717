"""A dropped student's open attempts close at once, and the join code does not re-add them."""

from __future__ import annotations

from sqlalchemy import select

from studyapp.attempts.models import Attempt, AttemptStatus
from studyapp.classes.models import Enrollment, EnrollmentStatus
from tests import factories, pages


def _start(student_client, quiz) -> int:
    response = student_client.post(f"/quizzes/{quiz.id}/start")
    assert response.status_code == 302
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def _save(client, attempt_id: int, key: str):
    """Save choice `key` of question 0 as the page posts it: by its display position."""
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    text = {"A": "The river town", "B": "The hill town", "C": "The sea town"}[key]
    value = pages.choices(page, "q0").get(text, "1")
    return client.post(
        f"/attempts/{attempt_id}/save", data={"position": "0", "revision": "0", "q0": value}
    )


def test_dropping_closes_open_attempts_and_refuses_saves_and_submits(
    session, instructor_client, student_client, course, student
):
    quiz = factories.make_quiz(session, course, keys=("capital", "goods"))
    session.commit()
    attempt_id = _start(student_client, quiz)
    assert _save(student_client, attempt_id, "B").get_json()["ok"] is True

    dropped = instructor_client.post(f"/teach/classes/{course.id}/students/{student.id}/drop")
    assert dropped.status_code == 302
    session.expire_all()
    attempt = session.get(Attempt, attempt_id)
    assert attempt.status == AttemptStatus.GRADED and attempt.submitted_by == "dropped"
    assert attempt.score == 0.0  # graded as it stood: "B" is wrong, "goods" unanswered

    refused = _save(student_client, attempt_id, "A")
    assert refused.status_code == 409 and refused.get_json()["closed"] is True
    student_client.post(f"/attempts/{attempt_id}/submit", data={"positions": ["0"], "q0": "A"})
    session.expire_all()
    attempt = session.get(Attempt, attempt_id)
    assert attempt.submitted_by == "dropped" and attempt.score == 0.0
    assert attempt.questions[0].response == "B"


def test_the_join_code_does_not_readd_a_dropped_student(
    session, instructor_client, student_client, course, student
):
    instructor_client.post(f"/teach/classes/{course.id}/students/{student.id}/drop")
    response = student_client.post("/join", data={"code": course.join_code})
    assert response.status_code == 302
    page = student_client.get("/").get_data(as_text=True)
    assert "ask your instructor to add you again" in page
    session.expire_all()
    enrollment = session.scalar(select(Enrollment).where(Enrollment.user_id == student.id))
    assert enrollment.status == EnrollmentStatus.DROPPED

    instructor_client.post(f"/teach/classes/{course.id}/students/{student.id}/readd")
    session.expire_all()
    assert session.get(Enrollment, enrollment.id).status == EnrollmentStatus.ACTIVE
