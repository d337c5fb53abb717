"""Study cards (one per student and question, holding the FSRS state) and their reviews."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from studyapp.banks.models import JSONData, Question
from studyapp.core.clock import utcnow
from studyapp.db import Base, str_enum


class ReviewStatus(StrEnum):
    PENDING = "pending"  # answered, waiting for the student's rating
    APPLIED = "applied"  # changed the card
    VOID = "void"  # lost a race with another answer to the same card; changed nothing


class CourseBank(Base):
    """A bank an instructor opened to a class for study (banks its quizzes use count too)."""

    __tablename__ = "course_banks"
    __table_args__ = (UniqueConstraint("course_id", "bank_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"))


class StudyCard(Base):
    __tablename__ = "study_cards"
    __table_args__ = (
        UniqueConstraint("user_id", "question_id"),
        Index("ix_study_cards_user_due", "user_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    #: fsrs.Card.to_dict(): the scheduler's whole state, restored with Card.from_dict.
    fsrs: Mapped[dict[str, Any]] = mapped_column(JSONData)
    due_at: Mapped[datetime]
    #: Bumped by every applied review, so two answers racing for one card apply once.
    version: Mapped[int] = mapped_column(default=0)
    reviews: Mapped[int] = mapped_column(default=0)
    lapses: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_review_at: Mapped[datetime | None]

    question: Mapped[Question] = relationship()


class StudyReview(Base):
    __tablename__ = "study_reviews"
    __table_args__ = (Index("ix_study_reviews_user_answered", "user_id", "answered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    card_id: Mapped[int] = mapped_column(
        ForeignKey("study_cards.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"))
    #: "study" or "quiz": quiz answers feed the cards too.
    source: Mapped[str] = mapped_column(String(10), default="study")
    #: The card version the question was shown at.
    card_version: Mapped[int]
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
    response: Mapped[Any | None] = mapped_column(JSONData)
    fraction: Mapped[float] = mapped_column(Float)
    correct: Mapped[bool]
    #: fsrs.Rating value (1 Again .. 4 Easy) once applied.
    rating: Mapped[int | None]
    status: Mapped[ReviewStatus] = mapped_column(
        str_enum(ReviewStatus), default=ReviewStatus.PENDING
    )

    card: Mapped[StudyCard] = relationship()
