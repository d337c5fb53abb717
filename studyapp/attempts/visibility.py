"""Whose key a student may see now: the one rule quiz review and study mode both follow.

A quiz *holds* its questions from a student while the student may still take it (a draft,
a quiz not yet open, one still open, or one with attempts left, accommodations included)
and afterwards until its review settings show that student the answers. While held, no
page shows the question's key, a grade of it, or a study schedule built from it: study
mode neither serves nor grades it, and a review of another quiz that shares it leaves its
key out. A quiz releases its questions (its fixed ones and those its attempts gave the
student) when its review shows the answers; they then join the student's study.

While a quiz can still be taken, every question a draw could give is held too. Once it
cannot, only the questions it could have shown this student stay held: fixed ones and
those of the student's own attempts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from studyapp.attempts.models import Attempt, AttemptQuestion
from studyapp.auth.models import User
from studyapp.banks import models as bank_models
from studyapp.classes.models import Enrollment, EnrollmentStatus
from studyapp.quizzes import drawing
from studyapp.quizzes import services as quizzes
from studyapp.quizzes.models import (
    Accommodation,
    Quiz,
    QuizItem,
    QuizStatus,
    ReviewContent,
    ReviewTiming,
)


@dataclass(frozen=True)
class ReviewAccess:
    score: bool
    answers: bool
    full: bool
    message: str


def review_opens(quiz: Quiz, now: datetime, closes: datetime | None) -> ReviewAccess:
    """What the quiz's review settings release now, for a student whose close time is ``closes``."""
    if quiz.review_timing == ReviewTiming.NEVER:
        return ReviewAccess(
            False, False, False, "Your instructor does not release results for this quiz."
        )
    if (
        quiz.review_timing == ReviewTiming.AFTER_CLOSE
        and quiz.status != QuizStatus.CLOSED
        and (closes is None or now < closes)
    ):
        return ReviewAccess(False, False, False, "Results are released when the quiz closes.")
    content = quiz.review_content
    return ReviewAccess(
        True,
        content in (ReviewContent.ANSWERS, ReviewContent.FULL),
        content == ReviewContent.FULL,
        "",
    )


def review_access(
    attempt: Attempt, now: datetime, rules_closes_at: datetime | None = None
) -> ReviewAccess:
    """What the student may see of a finished attempt now, by the quiz's review settings."""
    if attempt.is_preview:
        return ReviewAccess(True, True, True, "Preview: everything is shown.")
    if attempt.is_open:
        return ReviewAccess(False, False, False, "The attempt is still open.")
    return review_opens(attempt.quiz, now, rules_closes_at or attempt.quiz.closes_at)


@dataclass(frozen=True)
class KeyVisibility:
    """One student's view of quiz keys at one moment."""

    #: Question ids whose key, grade and schedule stay hidden from the student now.
    held: frozenset[int]
    #: Per quiz whose review shows this student the answers: the questions that joined study.
    released: dict[int, frozenset[int]] = field(default_factory=dict)

    def may_see(self, question_id: int) -> bool:
        return question_id not in self.held

    @property
    def released_ids(self) -> frozenset[int]:
        every = frozenset().union(*self.released.values()) if self.released else frozenset()
        return every - self.held


def may_still_take(
    quiz: Quiz, rules: quizzes.StudentRules, attempts: list[Attempt], now: datetime
) -> bool:
    """True while the student could start (or is taking) an attempt, now or later."""
    if quiz.status == QuizStatus.DRAFT or any(a.is_open for a in attempts):
        return True
    if quiz.status != QuizStatus.PUBLISHED:
        return False
    if rules.closes_at is not None and now >= rules.closes_at:
        return False
    return not rules.attempts_allowed or len(attempts) < rules.attempts_allowed


def answers_released(
    quiz: Quiz, rules: quizzes.StudentRules, attempts: list[Attempt], now: datetime
) -> bool:
    """True when the quiz's review shows this student the answers (keys) now."""
    finished = [a for a in attempts if not a.is_open]
    if finished:
        return review_access(finished[-1], now, rules.closes_at).answers
    return review_opens(quiz, now, rules.closes_at).answers


def key_visibility(
    session: Session, user: User, now: datetime, *, except_quiz_id: int | None = None
) -> KeyVisibility:
    """Which quiz questions this student may see the key of now, over all their classes.

    :param except_quiz_id: leave this quiz out (its own review applies its own settings).
    """
    enrollments = {
        e.course_id: e
        for e in session.scalars(select(Enrollment).where(Enrollment.user_id == user.id))
    }
    if not enrollments:
        return KeyVisibility(frozenset())
    quiz_list = [
        q
        for q in session.scalars(
            select(Quiz)
            .options(selectinload(Quiz.items).selectinload(QuizItem.bank))
            .where(Quiz.course_id.in_(list(enrollments)))
        )
        if q.id != except_quiz_id
    ]
    quiz_ids = [q.id for q in quiz_list]
    attempts: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in session.scalars(
        select(Attempt)
        .options(selectinload(Attempt.quiz))
        .where(
            Attempt.user_id == user.id,
            Attempt.quiz_id.in_(quiz_ids),
            Attempt.is_preview.is_(False),
        )
        .order_by(Attempt.number)
    ):
        attempts[attempt.quiz_id].append(attempt)
    shown: dict[int, set[int]] = defaultdict(set)
    for quiz_id, question_id in session.execute(
        select(Attempt.quiz_id, bank_models.QuestionVersion.question_id)
        .join(AttemptQuestion, AttemptQuestion.attempt_id == Attempt.id)
        .join(
            bank_models.QuestionVersion,
            bank_models.QuestionVersion.id == AttemptQuestion.version_id,
        )
        .where(
            Attempt.user_id == user.id, Attempt.quiz_id.in_(quiz_ids), Attempt.is_preview.is_(False)
        )
    ):
        shown[quiz_id].add(question_id)
    accommodations = {
        a.quiz_id: a
        for a in session.scalars(
            select(Accommodation).where(
                Accommodation.user_id == user.id, Accommodation.quiz_id.in_(quiz_ids)
            )
        )
    }
    held: set[int] = set()
    released: dict[int, frozenset[int]] = {}
    for quiz in quiz_list:
        enrollment = enrollments.get(quiz.course_id)
        active = enrollment if enrollment and enrollment.status == EnrollmentStatus.ACTIVE else None
        rules = quizzes.student_rules(quiz, active, accommodations.get(quiz.id))
        mine = attempts.get(quiz.id, [])
        own = {i.question_id for i in quiz.items if i.question_id is not None} | shown[quiz.id]
        if active is not None and may_still_take(quiz, rules, mine, now):
            held |= own
            for item in quiz.items:
                if item.is_draw:
                    held.update(drawing.available_for_draw(session, item.bank, item.tag))
        elif answers_released(quiz, rules, mine, now):
            released[quiz.id] = frozenset(own)
        else:
            held |= own
    return KeyVisibility(frozenset(held), released)


def may_see_key(session: Session, user: User, question_id: int, now: datetime) -> bool:
    """May this student see the key of this question now (no quiz of theirs holds it)?"""
    return key_visibility(session, user, now).may_see(question_id)
