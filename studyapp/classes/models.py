"""Classes ("courses" in code, since ``class`` is taken) and who belongs to them."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from studyapp.auth.models import User
from studyapp.core.clock import utcnow
from studyapp.core.errors import DomainError
from studyapp.db import Base, str_enum

# No 0/O or 1/I/L: codes are read aloud and copied from a projector.
JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


class EnrollmentStatus(StrEnum):
    ACTIVE = "active"
    DROPPED = "dropped"


class Course(Base):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    term: Mapped[str] = mapped_column(String(100), default="")
    join_code: Mapped[str] = mapped_column(String(16), unique=True, default=new_join_code)
    join_enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Study scheduling keeps every card due before this (and reports recall on it).
    exam_at: Mapped[datetime | None]

    instructors: Mapped[list[CourseInstructor]] = relationship(
        back_populates="course", cascade="all, delete-orphan"
    )
    enrollments: Mapped[list[Enrollment]] = relationship(
        back_populates="course", cascade="all, delete-orphan"
    )

    def rotate_join_code(self) -> None:
        self.join_code = new_join_code()


class CourseInstructor(Base):
    __tablename__ = "course_instructors"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship(back_populates="instructors")
    user: Mapped[User] = relationship()


class Enrollment(Base):
    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[EnrollmentStatus] = mapped_column(
        str_enum(EnrollmentStatus), default=EnrollmentStatus.ACTIVE
    )
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    dropped_at: Mapped[datetime | None]
    #: Accommodation profile: extra time on every timed quiz of the class (50 = time x 1.5).
    extra_time_percent: Mapped[int] = mapped_column(default=0)

    course: Mapped[Course] = relationship(back_populates="enrollments")
    user: Mapped[User] = relationship()

    @property
    def is_active(self) -> bool:
        return self.status == EnrollmentStatus.ACTIVE

    def drop(self, now: datetime) -> None:
        self.status = EnrollmentStatus.DROPPED
        self.dropped_at = now

    def reactivate(self) -> None:
        self.status = EnrollmentStatus.ACTIVE
        self.dropped_at = None


class ClassInvitation(Base):
    """A roster row: an address invited to a class, which its owner accepts or declines.

    Nothing is enrolled until the owner of the address's account accepts after logging
    in. The one-time link (only its hash is kept) lets a newcomer create that account;
    it never changes an account that exists.
    """

    __tablename__ = "class_invitations"
    __table_args__ = (UniqueConstraint("course_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    #: Case-folded, like users.email; found at each login of that address.
    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str] = mapped_column(String(200))
    student_number: Mapped[str | None] = mapped_column(String(64))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)
    link_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    link_expires_at: Mapped[datetime | None]
    link_used_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    declined_at: Mapped[datetime | None]

    course: Mapped[Course] = relationship()

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.declined_at is None

    def accept(self, now: datetime) -> None:
        if not self.is_pending:
            raise DomainError("This invitation was already answered.")
        self.accepted_at = now

    def decline(self, now: datetime) -> None:
        if not self.is_pending:
            raise DomainError("This invitation was already answered.")
        self.declined_at = now
