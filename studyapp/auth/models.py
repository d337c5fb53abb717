"""Users and the one-time tokens behind setup, activation and reset links."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from studyapp.core.clock import utcnow
from studyapp.db import Base, str_enum


class Role(StrEnum):
    STUDENT = "student"
    INSTRUCTOR = "instructor"


class TokenPurpose(StrEnum):
    SETUP = "setup"
    ACTIVATION = "activation"
    RESET = "reset"


def _new_session_token() -> str:
    return secrets.token_urlsafe(16)


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored case-folded, so uniqueness is case-insensitive on every backend.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    is_admin: Mapped[bool] = mapped_column(default=False)
    #: The school's own id, from a roster upload; used in grade exports.
    student_number: Mapped[str | None] = mapped_column(String(64))
    #: Null until the account is activated through its one-time link.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    #: Part of the login cookie; rotating it ends every other session.
    session_token: Mapped[str] = mapped_column(String(64), default=_new_session_token)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_instructor(self) -> bool:
        return self.role == Role.INSTRUCTOR

    @property
    def is_student(self) -> bool:
        return self.role == Role.STUDENT

    @property
    def is_activated(self) -> bool:
        return self.password_hash is not None

    def rotate_session_token(self) -> None:
        self.session_token = _new_session_token()


class OneTimeToken(Base):
    """A single-use link; only a hash of the token is stored."""

    __tablename__ = "one_time_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[TokenPurpose] = mapped_column(str_enum(TokenPurpose))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])

    def is_usable(self, now: datetime) -> bool:
        return self.used_at is None and self.expires_at > now
