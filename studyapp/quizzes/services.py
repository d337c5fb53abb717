"""Rules for building quizzes, publishing them, and each student's time and attempts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from studyapp.attempts.models import Attempt
from studyapp.banks import models as bank_models
from studyapp.classes.models import Course, Enrollment
from studyapp.core.errors import DomainError, NotFound
from studyapp.quizzes.drawing import available_for_draw
from studyapp.quizzes.models import Accommodation, Quiz, QuizItem, QuizRuleError, QuizStatus

#: An attempt on a quiz with neither a time limit nor a close time still ends some day.
UNTIMED_ATTEMPT_LIFETIME = timedelta(days=14)

SETTINGS = (
    "title",
    "description",
    "opens_at",
    "closes_at",
    "time_limit_minutes",
    "attempts_allowed",
    "grading_policy",
    "shuffle_questions",
    "shuffle_choices",
    "review_content",
    "review_timing",
    "layout",
)


def create_quiz(session: Session, course: Course, title: str) -> Quiz:
    quiz = Quiz(course_id=course.id, title=title.strip())
    session.add(quiz)
    session.flush()
    return quiz


def list_quizzes(session: Session, course_id: int) -> list[Quiz]:
    return list(
        session.scalars(
            select(Quiz)
            .options(selectinload(Quiz.items))
            .where(Quiz.course_id == course_id)
            .order_by(Quiz.closes_at.is_(None), Quiz.closes_at, Quiz.id)
        )
    )


def get_quiz(session: Session, quiz_id: int, course_ids: set[int] | None = None) -> Quiz:
    """A quiz, if it belongs to one of ``course_ids`` (None: any)."""
    quiz = session.scalar(
        select(Quiz)
        .options(selectinload(Quiz.items).selectinload(QuizItem.question))
        .where(Quiz.id == quiz_id)
    )
    if quiz is None or (course_ids is not None and quiz.course_id not in course_ids):
        raise NotFound("No such quiz.")
    return quiz


def update_settings(session: Session, quiz: Quiz, values: dict[str, Any]) -> None:
    """Change a quiz's settings; times must make sense."""
    opens, closes = values.get("opens_at"), values.get("closes_at")
    if opens and closes and closes <= opens:
        raise DomainError("The close time must be after the open time.")
    for key in SETTINGS:
        if key in values:
            setattr(quiz, key, values[key])
    session.flush()


def count_real_attempts(session: Session, quiz: Quiz) -> int:
    return (
        session.scalar(
            select(func.count(Attempt.id)).where(
                Attempt.quiz_id == quiz.id, Attempt.is_preview.is_(False)
            )
        )
        or 0
    )


def check_items_editable(session: Session, quiz: Quiz, confirmed: bool) -> None:
    """Questions of a quiz that students started change only when the instructor says so."""
    if quiz.is_draft:
        return
    started = count_real_attempts(session, quiz)
    if started and not confirmed:
        raise QuizRuleError(
            f"{started} attempt(s) have already started. They keep the questions they were "
            "given; the change applies only to attempts started from now on, so students may get "
            "different questions. Tick 'apply to new attempts' to go ahead."
        )


def _bank_question(
    session: Session, bank_slug: str, key: str, bank_ids: set[int] | None = None
) -> bank_models.Question:
    question = session.scalar(
        select(bank_models.Question)
        .join(bank_models.Bank)
        .where(bank_models.Bank.slug == bank_slug, bank_models.Question.key == key)
    )
    if question is None or (bank_ids is not None and question.bank_id not in bank_ids):
        raise DomainError(f"No question '{key}' in bank '{bank_slug}'.")
    if question.retired_at is not None:
        raise DomainError(f"Question '{key}' is retired.")
    return question


def add_fixed_item(
    session: Session,
    quiz: Quiz,
    bank_slug: str,
    key: str,
    points: float,
    confirmed: bool = False,
    bank_ids: set[int] | None = None,
) -> QuizItem:
    """Add one question; ``bank_ids`` are the banks the instructor may use (None: any)."""
    check_items_editable(session, quiz, confirmed)
    question = _bank_question(session, bank_slug, key, bank_ids)
    if any(i.question_id == question.id for i in quiz.items):
        raise DomainError(f"Question '{key}' is already in this quiz.")
    item = QuizItem(question=question, points=points, position=len(quiz.items))
    quiz.items.append(item)
    session.flush()
    return item


def add_draw_item(
    session: Session,
    quiz: Quiz,
    bank_slug: str,
    tag: str | None,
    count: int,
    points: float,
    confirmed: bool = False,
    bank_ids: set[int] | None = None,
) -> QuizItem:
    """Add a draw of ``count`` questions from a bank the instructor may use."""
    check_items_editable(session, quiz, confirmed)
    bank = session.scalar(select(bank_models.Bank).where(bank_models.Bank.slug == bank_slug))
    if bank is None or (bank_ids is not None and bank.id not in bank_ids):
        raise DomainError(f"No bank '{bank_slug}'.")
    available = len(available_for_draw(session, bank, tag or None))
    if count > available:
        where = f"tagged '{tag}' " if tag else ""
        raise DomainError(
            f"Bank '{bank_slug}' has only {available} question(s) {where}to draw from."
        )
    item = QuizItem(
        bank=bank, tag=tag or None, draw_count=count, points=points, position=len(quiz.items)
    )
    quiz.items.append(item)
    session.flush()
    return item


def remove_item(session: Session, quiz: Quiz, item_id: int, confirmed: bool = False) -> None:
    check_items_editable(session, quiz, confirmed)
    item = next((i for i in quiz.items if i.id == item_id), None)
    if item is None:
        raise NotFound("No such item.")
    quiz.items.remove(item)
    for position, other in enumerate(quiz.items):
        other.position = position
    session.flush()


def publish(session: Session, quiz: Quiz, now: datetime) -> None:
    """Publish after checking every draw can still be filled."""
    for item in quiz.items:
        if item.is_draw and len(available_for_draw(session, item.bank, item.tag)) < item.draw_count:
            raise QuizRuleError(f"Not enough questions left in '{item.bank.slug}' for a draw.")
        if item.question is not None and item.question.retired_at is not None:
            raise QuizRuleError(
                f"Question '{item.question.key}' has been retired; remove it first."
            )
    quiz.publish(now)
    session.flush()


def max_points(quiz: Quiz) -> float:
    return sum(item.points * item.question_count for item in quiz.items)


@dataclass(frozen=True)
class StudentRules:
    """One student's time and attempts on one quiz, accommodations included."""

    time_limit: timedelta | None
    closes_at: datetime | None
    attempts_allowed: int  # 0: unlimited
    extra_time: timedelta

    def deadline(self, started: datetime) -> datetime:
        """The earlier of the time limit and the close time; the server keeps it."""
        candidates = [started + UNTIMED_ATTEMPT_LIFETIME]
        if self.time_limit is not None:
            candidates.append(started + self.time_limit)
        if self.closes_at is not None:
            candidates.append(self.closes_at)
        return min(candidates)


def student_rules(
    quiz: Quiz, enrollment: Enrollment | None, acc: Accommodation | None
) -> StudentRules:
    """Apply the enrolment's profile and this quiz's accommodation to the quiz's rules.

    The quiz's percentage replaces the profile's; extra minutes add to either. A student
    with extra time also gets the close time moved by that much, so the window never
    silently eats the extra time; an explicit later close from the instructor wins.
    """
    percent = (
        acc.extra_time_percent
        if acc and acc.extra_time_percent is not None
        else (enrollment.extra_time_percent if enrollment else 0)
    )
    minutes = acc.extra_time_minutes if acc else 0
    limit = extra = None
    if quiz.time_limit_minutes:
        base = timedelta(minutes=quiz.time_limit_minutes)
        extra = base * percent / 100 + timedelta(minutes=minutes)
        limit = base + extra
    extra = extra or timedelta(0)
    closes = (
        acc.closes_at
        if acc and acc.closes_at
        else (quiz.closes_at + extra if quiz.closes_at else None)
    )
    attempts = quiz.attempts_allowed
    if attempts and acc:
        attempts += acc.extra_attempts
    return StudentRules(limit, closes, attempts, extra)


def get_accommodation(session: Session, quiz: Quiz, user_id: int) -> Accommodation | None:
    return session.scalar(
        select(Accommodation).where(
            Accommodation.quiz_id == quiz.id, Accommodation.user_id == user_id
        )
    )


def accommodations_by_user(session: Session, quiz: Quiz) -> dict[int, Accommodation]:
    """Every accommodation given on this quiz, by student, in one statement."""
    rows = session.scalars(select(Accommodation).where(Accommodation.quiz_id == quiz.id))
    return {acc.user_id: acc for acc in rows}


def set_accommodation(session: Session, quiz: Quiz, user_id: int, **values: Any) -> Accommodation:
    """Create or change one student's accommodation on this quiz."""
    acc = get_accommodation(session, quiz, user_id)
    if acc is None:
        acc = Accommodation(quiz_id=quiz.id, user_id=user_id)
        session.add(acc)
    for key in ("extra_time_percent", "extra_time_minutes", "closes_at", "extra_attempts", "note"):
        if key in values:
            setattr(acc, key, values[key])
    if (
        (acc.extra_time_minutes or 0) < 0
        or (acc.extra_attempts or 0) < 0
        or (acc.extra_time_percent or 0) < 0
    ):
        raise DomainError("Accommodations cannot take time or attempts away.")
    session.flush()
    return acc


def set_time_profile(session: Session, enrollment: Enrollment, percent: int) -> None:
    """Extra time on every timed quiz of the class (e.g. 50 for time x 1.5)."""
    if not 0 <= percent <= 400:
        raise DomainError("Extra time must be between 0 and 400 percent.")
    enrollment.extra_time_percent = percent
    session.flush()


def close_quiz(session: Session, quiz: Quiz) -> None:
    quiz.close()
    session.flush()


def reopen_quiz(session: Session, quiz: Quiz) -> None:
    if quiz.status != QuizStatus.CLOSED:
        raise QuizRuleError("Only a closed quiz can be reopened.")
    quiz.reopen()
    session.flush()
