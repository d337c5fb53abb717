"""Banks, questions and their immutable versions, readings, and the issues found at sync."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from studyapp.core.clock import utcnow
from studyapp.db import Base, str_enum

JSONData = JSON().with_variant(JSONB(), "postgresql")
#: A question's content keeps its keys in the order they were written: PostgreSQL's ``json``
#: stores the text as given, where ``jsonb`` sorts keys (by length, then bytes), which would
#: show a matching question's statements in another order than its author chose.
WrittenJSON = JSON()


class Origin(StrEnum):
    FILE = "file"
    WEB = "web"
    IMPORT = "import"


class Reading(Base):
    """A reading the questions cite; its text is loaded per installation, never shipped."""

    __tablename__ = "readings"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    author: Mapped[str] = mapped_column(String(200), default="")
    published: Mapped[str] = mapped_column(String(40), default="")
    paragraph_count: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")
    text_loaded_at: Mapped[datetime | None]

    paragraphs: Mapped[list[ReadingParagraph]] = relationship(
        order_by="ReadingParagraph.number", cascade="all, delete-orphan"
    )


class ReadingParagraph(Base):
    __tablename__ = "reading_paragraphs"

    reading_id: Mapped[str] = mapped_column(
        ForeignKey("readings.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)


class Bank(Base):
    __tablename__ = "banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The stable id written in the file (``id: s400-costs``).
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    source_default: Mapped[str | None] = mapped_column(String(64))
    origin: Mapped[Origin] = mapped_column(str_enum(Origin), default=Origin.WEB)
    #: Relative to the questions directory, for banks that come from a file.
    path: Mapped[str | None] = mapped_column(String(500))
    #: Hash of the file text at the last sync; an unchanged file is not read again.
    file_hash: Mapped[str | None] = mapped_column(String(64))
    #: Set when the bank's file disappeared; the bank and its history stay.
    retired_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    synced_at: Mapped[datetime | None]
    #: The instructor who made the bank in the browser or imported it; None for file banks,
    #: which every instructor shares (see banks/ownership.py).
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: Every instructor may see and use it (only its owners change it).
    shared_site_wide: Mapped[bool] = mapped_column(default=False)

    questions: Mapped[list[Question]] = relationship(
        back_populates="bank", order_by="Question.position"
    )
    shares: Mapped[list[BankShare]] = relationship(cascade="all, delete-orphan")


class BankShare(Base):
    """A bank shared with a class: the class's instructors own it beside its maker."""

    __tablename__ = "bank_shares"

    bank_id: Mapped[int] = mapped_column(
        ForeignKey("banks.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Question(Base):
    """A question's identity; what it says lives in its versions."""

    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("bank_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"))
    #: The stable id within the bank (``id: f35-initial-investment``).
    key: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)
    current_number: Mapped[int] = mapped_column(default=1)
    #: Questions gone from their file are retired, never deleted: attempts point at them.
    retired_at: Mapped[datetime | None]

    bank: Mapped[Bank] = relationship(back_populates="questions")
    versions: Mapped[list[QuestionVersion]] = relationship(
        back_populates="question", order_by="QuestionVersion.number"
    )


class QuestionVersion(Base):
    """What a question said at one time; never changed once written."""

    __tablename__ = "question_versions"
    __table_args__ = (UniqueConstraint("question_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    number: Mapped[int]
    type: Mapped[str] = mapped_column(String(20))
    #: The question as plain data in the bank format (id, type, prompt, ..., type keys).
    content: Mapped[dict[str, Any]] = mapped_column(WrittenJSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    origin: Mapped[Origin] = mapped_column(str_enum(Origin))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Folded prompt and shown texts for the question picker (see banks/searchtext.py).
    search_text: Mapped[str] = mapped_column(Text, default="")
    #: Tags between bars, ``|idlib|diplomacy|``, so a LIKE matches whole tags.
    tags_text: Mapped[str] = mapped_column(String(1000), default="")
    difficulty: Mapped[str] = mapped_column(String(20), default="medium")
    source_reading: Mapped[str] = mapped_column(String(64), default="")
    #: Paragraph numbers between bars, ``|1|2|``.
    source_paragraphs: Mapped[str] = mapped_column(String(1000), default="")

    question: Mapped[Question] = relationship(back_populates="versions")


class BankIssue(Base):
    """A problem found in a bank file at the last sync, shown to instructors."""

    __tablename__ = "bank_issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(500), index=True)
    line: Mapped[int]
    question_key: Mapped[str | None] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(Text)
    is_error: Mapped[bool]
    found_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __str__(self) -> str:
        where = f"question '{self.question_key}': " if self.question_key else ""
        prefix = "" if self.is_error else "warning: "
        return f"{self.path}:{self.line}: {prefix}{where}{self.message}"
