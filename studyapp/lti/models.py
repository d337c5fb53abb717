"""Registered platforms, the tool's keys, launch states, and what links LMS objects to ours."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from studyapp.auth.models import User
from studyapp.banks.models import JSONData
from studyapp.classes.models import Course
from studyapp.core.clock import utcnow
from studyapp.db import Base, str_enum
from studyapp.quizzes.models import Quiz


class Platform(Base):
    """An LMS registration: who signs our launches and where its endpoints are."""

    __tablename__ = "lti_platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    #: Deployment ids this registration accepts; a launch from any other is refused.
    deployment_ids: Mapped[list[str]] = mapped_column(JSONData, default=list)
    auth_login_url: Mapped[str] = mapped_column(String(500))
    token_url: Mapped[str] = mapped_column(String(500))
    jwks_url: Mapped[str] = mapped_column(String(500))
    #: The platform's key set as last fetched; refetched when a token names an unknown kid.
    jwks: Mapped[dict[str, Any] | None] = mapped_column(JSONData)
    jwks_fetched_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ToolKey(Base):
    """One of the tool's RSA signing keys; the newest unretired one signs."""

    __tablename__ = "lti_tool_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_pem: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSONData)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set on rotation; the key stays in the published key set until its tokens have expired.
    retired_at: Mapped[datetime | None]


class LaunchState(Base):
    """One OIDC login: its state and nonce, each good for a single launch before it expires."""

    __tablename__ = "lti_launch_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    #: Hash of the secret kept in the platform's storage when the browser blocks our cookie.
    binding_hash: Mapped[str | None] = mapped_column(String(64))
    storage_target: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    #: Verified claims waiting for the platform-storage check to finish the launch.
    claims: Mapped[dict[str, Any] | None] = mapped_column(JSONData)
    confirmed_at: Mapped[datetime | None]
    #: A one-time link that carries a cookie-less launch into a window of its own.
    resume_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    resume_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    resume_path: Mapped[str | None] = mapped_column(String(500))

    platform: Mapped[Platform] = relationship()


class PlatformUser(Base):
    """An LMS account (issuer + sub) and the studyapp account it signs in as."""

    __tablename__ = "lti_users"
    __table_args__ = (UniqueConstraint("platform_id", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    sub: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class Context(Base):
    """An LMS course linked to a studyapp class (a class may be linked to several)."""

    __tablename__ = "lti_contexts"
    __table_args__ = (UniqueConstraint("platform_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(String(255))
    deployment_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255), default="")
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    lineitems_url: Mapped[str | None] = mapped_column(String(500))
    memberships_url: Mapped[str | None] = mapped_column(String(500))
    roster_synced_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    platform: Mapped[Platform] = relationship()
    course: Mapped[Course] = relationship()


class LineItem(Base):
    """The LMS gradebook column a quiz's grades go to, one per linked LMS course."""

    __tablename__ = "lti_line_items"
    __table_args__ = (UniqueConstraint("context_id", "quiz_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("lti_contexts.id", ondelete="CASCADE"))
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    resource_link_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    context: Mapped[Context] = relationship()
    quiz: Mapped[Quiz] = relationship()


class SendStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class ScoreSend(Base):
    """The outbox: the latest grade of one student for one line item, until the LMS has it."""

    __tablename__ = "lti_score_sends"
    __table_args__ = (UniqueConstraint("line_item_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line_item_id: Mapped[int] = mapped_column(
        ForeignKey("lti_line_items.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONData)
    status: Mapped[SendStatus] = mapped_column(str_enum(SendStatus), default=SendStatus.PENDING)
    tries: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    line_item: Mapped[LineItem] = relationship()
    user: Mapped[User] = relationship()
