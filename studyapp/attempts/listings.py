"""Lists of attempts: a student's quizzes with their state, a quiz's attempts, counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from studyapp.attempts.models import Attempt
from studyapp.attempts.review import kept_score, review_access
from studyapp.attempts.services import close_expired
from studyapp.auth.models import User
from studyapp.classes.models import Enrollment, EnrollmentStatus
from studyapp.quizzes import services as quizzes
from studyapp.quizzes.models import Quiz, QuizStatus


def count_by_status(session: Session, quiz: Quiz) -> dict[str, int]:
    rows = session.execute(
        select(Attempt.status, func.count())
        .where(Attempt.quiz_id == quiz.id, Attempt.is_preview.is_(False))
        .group_by(Attempt.status)
    )
    return {status.value: n for status, n in rows.all()}


@dataclass(frozen=True)
class QuizEntry:
    """One quiz on a student's home page."""

    quiz: Quiz
    state: str  # "todo", "upcoming", "in_progress", "done", "missed"
    rules: quizzes.StudentRules
    attempts_used: int
    open_attempt: Attempt | None
    kept: float | None
    score_released: bool


def student_quizzes(session: Session, user: User, now: datetime) -> dict[int, list[QuizEntry]]:
    """Every published quiz of the student's classes, by class id, with its state for them."""
    close_expired(session, now, user_id=user.id)
    enrollments = {
        e.course_id: e
        for e in session.scalars(
            select(Enrollment).where(
                Enrollment.user_id == user.id, Enrollment.status == EnrollmentStatus.ACTIVE
            )
        )
    }
    quiz_rows = session.scalars(
        select(Quiz)
        .where(Quiz.course_id.in_(enrollments), Quiz.status != QuizStatus.DRAFT)
        .order_by(Quiz.closes_at.is_(None), Quiz.closes_at, Quiz.id)
    ).all()
    accs = {
        a.quiz_id: a
        for a in session.scalars(
            select(quizzes.Accommodation).where(quizzes.Accommodation.user_id == user.id)
        )
    }
    attempts: dict[int, list[Attempt]] = {}
    for a in session.scalars(
        select(Attempt)
        .where(Attempt.user_id == user.id, Attempt.is_preview.is_(False))
        .order_by(Attempt.number)
    ):
        attempts.setdefault(a.quiz_id, []).append(a)
    result: dict[int, list[QuizEntry]] = {}
    for quiz in quiz_rows:
        rules = quizzes.student_rules(quiz, enrollments[quiz.course_id], accs.get(quiz.id))
        mine = attempts.get(quiz.id, [])
        result.setdefault(quiz.course_id, []).append(_entry(quiz, rules, mine, now))
    return result


def _entry(
    quiz: Quiz, rules: quizzes.StudentRules, mine: list[Attempt], now: datetime
) -> QuizEntry:
    open_attempt = next((a for a in mine if a.is_open), None)
    finished = [a for a in mine if not a.is_open]
    closed = quiz.status == QuizStatus.CLOSED or (
        rules.closes_at is not None and now >= rules.closes_at
    )
    left = not rules.attempts_allowed or len(mine) < rules.attempts_allowed
    if open_attempt is not None:
        state = "in_progress"
    elif not quiz.has_opened(now):
        state = "upcoming"
    elif not closed and left:
        state = "todo" if not finished else "done"
    else:
        state = "done" if finished else "missed"
    released = bool(finished) and review_access(finished[-1], now, rules.closes_at).score
    kept = kept_score(mine, quiz.grading_policy) if released else None
    return QuizEntry(quiz, state, rules, len(mine), open_attempt, kept, released)


def quiz_attempts(session: Session, quiz: Quiz) -> list[Attempt]:
    """Every real attempt at a quiz, with its student, by student then number."""
    return list(
        session.scalars(
            select(Attempt)
            .join(User, Attempt.user_id == User.id)
            .options(selectinload(Attempt.user))
            .where(Attempt.quiz_id == quiz.id, Attempt.is_preview.is_(False))
            .order_by(User.name, Attempt.number)
        )
    )


def attempts_of_student(session: Session, quiz_ids: list[int], user_id: int) -> list[Attempt]:
    """A student's real attempts at these quizzes, newest first."""
    return list(
        session.scalars(
            select(Attempt)
            .options(selectinload(Attempt.quiz))
            .where(
                Attempt.quiz_id.in_(quiz_ids),
                Attempt.user_id == user_id,
                Attempt.is_preview.is_(False),
            )
            .order_by(Attempt.started_at.desc())
        )
    )
