"""Grading by hand: essays, point changes with their reasons, and regrades after a key fix."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from studyapp.attempts.models import Attempt, AttemptQuestion, AttemptStatus, ScoreChange
from studyapp.attempts.services import grade_row, recompute
from studyapp.auth.models import User
from studyapp.banks import models as bank_models
from studyapp.core.errors import DomainError, NotFound
from studyapp.quizzes.models import Quiz


def change_points(
    session: Session,
    row: AttemptQuestion,
    points: float | None,
    user: User | None,
    reason: str,
    now: datetime,
) -> None:
    """Set an instructor's points for one answer and log the change."""
    if points is not None and not 0 <= points <= row.points:
        raise DomainError(f"Points must be between 0 and {row.points:g}.")
    old = row.awarded
    row.manual_points = points
    row.needs_grading = False
    row.graded_by_id = user.id if user else None
    row.graded_at = now
    _log(session, row, old, row.awarded, user, reason, now)
    recompute(row.attempt)
    session.flush()


def _log(
    session: Session,
    row: AttemptQuestion,
    old: float | None,
    new: float | None,
    user: User | None,
    reason: str,
    now: datetime,
) -> None:
    if old != new:
        session.add(
            ScoreChange(
                attempt_question_id=row.id,
                old_points=old,
                new_points=new,
                changed_by_id=user.id if user else None,
                changed_at=now,
                reason=reason,
            )
        )


def grade_essay(
    session: Session, row: AttemptQuestion, points: float, comment: str, grader: User, now: datetime
) -> None:
    row.grader_comment = comment
    change_points(session, row, points, grader, "graded by hand", now)


def grading_queue(session: Session, quiz: Quiz) -> list[AttemptQuestion]:
    """Answers waiting for an instructor, oldest submission first."""
    return list(
        session.scalars(
            select(AttemptQuestion)
            .join(Attempt)
            .options(
                selectinload(AttemptQuestion.version),
                selectinload(AttemptQuestion.attempt).selectinload(Attempt.user),
            )
            .where(Attempt.quiz_id == quiz.id, AttemptQuestion.needs_grading.is_(True))
            .order_by(Attempt.submitted_at, AttemptQuestion.position)
        )
    )


def regrade_question(
    session: Session, quiz: Quiz, question_id: int, user: User, reason: str, now: datetime
) -> int:
    """Grade every finished answer to a question again with its current key; count changes."""
    question = session.get(bank_models.Question, question_id)
    if question is None:
        raise NotFound("No such question.")
    latest = session.scalar(
        select(bank_models.QuestionVersion).where(
            bank_models.QuestionVersion.question_id == question_id,
            bank_models.QuestionVersion.number == question.current_number,
        )
    )
    rows = session.scalars(
        select(AttemptQuestion)
        .join(Attempt)
        .join(
            bank_models.QuestionVersion,
            AttemptQuestion.version_id == bank_models.QuestionVersion.id,
        )
        .options(selectinload(AttemptQuestion.attempt).selectinload(Attempt.questions))
        .where(
            Attempt.quiz_id == quiz.id,
            Attempt.status != AttemptStatus.IN_PROGRESS,
            bank_models.QuestionVersion.question_id == question_id,
        )
    ).all()
    changed = 0
    for row in rows:
        old = row.awarded
        grade_row(row, latest)
        if row.manual_points is None and old != row.awarded:
            _log(session, row, old, row.awarded, user, f"regrade: {reason}", now)
            changed += 1
        recompute(row.attempt)
    session.flush()
    return changed


def score_history(session: Session, attempt: Attempt) -> list[ScoreChange]:
    return list(
        session.scalars(
            select(ScoreChange)
            .join(AttemptQuestion)
            .options(selectinload(ScoreChange.changed_by))
            .where(AttemptQuestion.attempt_id == attempt.id)
            .order_by(ScoreChange.changed_at)
        )
    )
