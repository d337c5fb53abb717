"""Users and the one-time tokens behind setup, activation and reset links."""

from __future__ import annotations

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
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    #: The raw key of the login session this request runs in (not a column): set at login
    #: and by the user loader, and put in the cookie by ``get_id``.
    login_key = None  # a plain attribute: an annotation here would make it a column

    def get_id(self) -> str:
        if not self.login_key:
            raise RuntimeError("log in through auth.services.start_session")
        return f"{self.id}:{self.login_key}"

    @property
    def is_instructor(self) -> bool:
        return self.role == Role.INSTRUCTOR

    @property
    def is_student(self) -> bool:
        return self.role == Role.STUDENT

    @property
    def is_activated(self) -> bool:
        return self.password_hash is not None


class LoginSession(Base):
    """One logged-in browser; the cookie carries its key, logout deletes the row.

    Only a hash of the key is stored, so reading the table gives no working cookie.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditAction(StrEnum):
    INVITE = "invite"
    INVITE_LINK_MADE = "invite_link_made"
    INVITE_LINK_USED = "invite_link_used"
    INVITE_ACCEPTED = "invite_accepted"
    INVITE_DECLINED = "invite_declined"
    PASSWORD_LINK_MADE = "password_link_made"  # noqa: S105 - an action name
    PASSWORD_LINK_USED = "password_link_used"  # noqa: S105 - an action name
    PASSWORD_LINK_REFUSED = "password_refused"  # noqa: S105 - an action name


class AccountEvent(Base):
    """Who did what to whose access, and when: invitations and one-time password links."""

    __tablename__ = "account_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    action: Mapped[AuditAction] = mapped_column(str_enum(AuditAction))
    #: Who acted; null for someone not logged in (the holder of a link).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The account acted on, where there is one.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: The class, by number only: the log outlives a deleted class.
    course_id: Mapped[int | None]
    #: The address an invitation went to (it may have no account).
    email: Mapped[str | None] = mapped_column(String(254))
    detail: Mapped[str] = mapped_column(String(200), default="")
    #: Where a request without a login came from (a link used): the only "who" there is.
    address: Mapped[str | None] = mapped_column(String(45))


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


class StartupClaim(Base):
    """A once-per-site job claimed at start, so one worker of one server does it.

    The first-start setup link is printed by the worker whose INSERT (or UPDATE of a lapsed
    claim) succeeds; every other worker and server sees the row and stays quiet.
    """

    __tablename__ = "startup_claims"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    claimed_until: Mapped[datetime]
