"""Quizzes, their items (fixed questions or random draws) and per-student accommodations."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Float, ForeignKey, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from studyapp.banks.models import Bank, Question
from studyapp.core.clock import utcnow
from studyapp.core.errors import DomainError
from studyapp.db import Base, str_enum


class QuizStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


class GradingPolicy(StrEnum):
    HIGHEST = "highest"
    LAST = "last"
    FIRST = "first"
    AVERAGE = "average"


class ReviewContent(StrEnum):
    SCORE = "score"
    ANSWERS = "answers"
    FULL = "full"


class ReviewTiming(StrEnum):
    IMMEDIATELY = "immediately"
    AFTER_CLOSE = "after_close"
    NEVER = "never"


class Layout(StrEnum):
    PAGED = "paged"
    ONE_PAGE = "one_page"


class QuizRuleError(DomainError):
    """A quiz state change its rules forbid."""


class Quiz(Base):
    __tablename__ = "quizzes"
    __table_args__ = (
        CheckConstraint("attempts_allowed >= 0", name="attempts_allowed"),
        CheckConstraint("time_limit_minutes IS NULL OR time_limit_minutes > 0", name="time_limit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[QuizStatus] = mapped_column(str_enum(QuizStatus), default=QuizStatus.DRAFT)
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    time_limit_minutes: Mapped[int | None]
    #: 0 means unlimited.
    attempts_allowed: Mapped[int] = mapped_column(default=1)
    grading_policy: Mapped[GradingPolicy] = mapped_column(
        str_enum(GradingPolicy), default=GradingPolicy.HIGHEST
    )
    shuffle_questions: Mapped[bool] = mapped_column(default=False)
    # On unless an instructor turns it off: choices in file order reward answering by position.
    shuffle_choices: Mapped[bool] = mapped_column(default=True, server_default=true())
    review_content: Mapped[ReviewContent] = mapped_column(
        str_enum(ReviewContent), default=ReviewContent.FULL
    )
    review_timing: Mapped[ReviewTiming] = mapped_column(
        str_enum(ReviewTiming), default=ReviewTiming.AFTER_CLOSE
    )
    layout: Mapped[Layout] = mapped_column(str_enum(Layout), default=Layout.PAGED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    items: Mapped[list[QuizItem]] = relationship(
        back_populates="quiz", order_by="QuizItem.position", cascade="all, delete-orphan"
    )

    @property
    def is_draft(self) -> bool:
        return self.status == QuizStatus.DRAFT

    def publish(self, now: datetime) -> None:
        if self.status != QuizStatus.DRAFT:
            raise QuizRuleError("Only a draft quiz can be published.")
        if not self.items:
            raise QuizRuleError("Add at least one question before publishing.")
        self.status, self.published_at = QuizStatus.PUBLISHED, now

    def close(self) -> None:
        if self.status != QuizStatus.PUBLISHED:
            raise QuizRuleError("Only a published quiz can be closed.")
        self.status = QuizStatus.CLOSED

    def reopen(self) -> None:
        if self.status != QuizStatus.CLOSED:
            raise QuizRuleError("Only a closed quiz can be reopened.")
        self.status = QuizStatus.PUBLISHED

    def has_opened(self, now: datetime) -> bool:
        return self.opens_at is None or now >= self.opens_at


class QuizItem(Base):
    """One slot of a quiz: a fixed question, or N questions drawn from a bank (and tag)."""

    __tablename__ = "quiz_items"
    __table_args__ = (
        CheckConstraint(
            "(question_id IS NOT NULL AND bank_id IS NULL) OR "
            "(question_id IS NULL AND bank_id IS NOT NULL AND draw_count > 0)",
            name="fixed_or_draw",
        ),
        CheckConstraint("points > 0", name="points_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    bank_id: Mapped[int | None] = mapped_column(ForeignKey("banks.id"))
    tag: Mapped[str | None] = mapped_column(String(100))
    draw_count: Mapped[int | None]
    #: Points for each question of this slot.
    points: Mapped[float] = mapped_column(Float, default=1.0)

    quiz: Mapped[Quiz] = relationship(back_populates="items")
    question: Mapped[Question | None] = relationship()
    bank: Mapped[Bank | None] = relationship()

    @property
    def is_draw(self) -> bool:
        return self.bank_id is not None

    @property
    def question_count(self) -> int:
        return (self.draw_count or 0) if self.is_draw else 1


class Accommodation(Base):
    """Per-student changes to one quiz: more time, a later close, more attempts."""

    __tablename__ = "accommodations"
    __table_args__ = (UniqueConstraint("quiz_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: Replaces the enrolment's profile percentage for this quiz when set.
    extra_time_percent: Mapped[int | None]
    extra_time_minutes: Mapped[int] = mapped_column(default=0)
    closes_at: Mapped[datetime | None]
    extra_attempts: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(String(500), default="")
