"""Attempts, the questions each one fixed at its start, saved answers and score history."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from studyapp.auth.models import User
from studyapp.banks.models import JSONData, QuestionVersion
from studyapp.core.clock import utcnow
from studyapp.db import Base, str_enum
from studyapp.quizzes.models import Quiz


class AttemptStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    AWAITING_GRADING = "awaiting_grading"
    GRADED = "graded"


class Attempt(Base):
    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("quiz_id", "user_id", "number"),
        Index("ix_attempts_open_deadline", "status", "deadline_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    #: An instructor's preview: taken like a real attempt, never counted.
    is_preview: Mapped[bool] = mapped_column(default=False)
    #: Fixes the questions drawn, their order and choice order on every device.
    seed: Mapped[int]
    status: Mapped[AttemptStatus] = mapped_column(
        str_enum(AttemptStatus), default=AttemptStatus.IN_PROGRESS
    )
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    #: "student", "deadline" (closed by time) or "instructor".
    submitted_by: Mapped[str | None] = mapped_column(String(20))
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float, default=0.0)

    quiz: Mapped[Quiz] = relationship()
    user: Mapped[User] = relationship()
    questions: Mapped[list[AttemptQuestion]] = relationship(
        back_populates="attempt", order_by="AttemptQuestion.position", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.status == AttemptStatus.IN_PROGRESS


class AttemptQuestion(Base):
    """One question as this attempt fixed it, with the student's saved answer and its score."""

    __tablename__ = "attempt_questions"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    position: Mapped[int]
    version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"), index=True)
    points: Mapped[float] = mapped_column(Float)
    #: The saved answer in the grader's format; None until the student answers.
    response: Mapped[Any | None] = mapped_column(JSONData)
    #: Counts saves, so a tab holding an older copy learns that another one wrote since.
    revision: Mapped[int] = mapped_column(default=0)
    saved_at: Mapped[datetime | None]
    flagged: Mapped[bool] = mapped_column(default=False)
    auto_points: Mapped[float | None] = mapped_column(Float)
    #: Set by an instructor (essays, overrides); wins over auto_points.
    manual_points: Mapped[float | None] = mapped_column(Float)
    #: The grader's parts and feedback, shown only when the review policy allows.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONData)
    needs_grading: Mapped[bool] = mapped_column(default=False)
    grader_comment: Mapped[str] = mapped_column(Text, default="")
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    graded_at: Mapped[datetime | None]
    #: The version whose key graded the answer (a regrade may use a newer one).
    graded_version_id: Mapped[int | None] = mapped_column(ForeignKey("question_versions.id"))

    attempt: Mapped[Attempt] = relationship(back_populates="questions")
    version: Mapped[QuestionVersion] = relationship(foreign_keys=[version_id])

    @property
    def awarded(self) -> float | None:
        return self.manual_points if self.manual_points is not None else self.auto_points


class ScoreChange(Base):
    """Every change of a student's points on a question: who, when, why."""

    __tablename__ = "score_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_question_id: Mapped[int] = mapped_column(
        ForeignKey("attempt_questions.id", ondelete="CASCADE"), index=True
    )
    old_points: Mapped[float | None] = mapped_column(Float)
    new_points: Mapped[float | None] = mapped_column(Float)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(String(500))

    changed_by: Mapped[User | None] = relationship()
