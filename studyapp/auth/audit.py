"""The account log: every invitation, class link and password link, with who and when."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from studyapp.auth.models import AccountEvent, AuditAction, User
from studyapp.core.clock import utcnow


@dataclass(frozen=True)
class Entry:
    """One line of the log, for :func:`record_many`."""

    action: AuditAction
    actor_id: int | None
    user_id: int | None = None
    course_id: int | None = None
    email: str | None = None
    detail: str = ""
    address: str | None = None


def record(
    session: Session,
    action: AuditAction,
    *,
    actor: User | None,
    user: User | None = None,
    course_id: int | None = None,
    email: str | None = None,
    detail: str = "",
    address: str | None = None,
) -> None:
    """Log one action on an account or an invitation; ``address`` for requests without a login."""
    record_many(
        session,
        [
            Entry(
                action,
                actor.id if actor else None,
                user.id if user else None,
                course_id,
                email if email is not None else (user.email if user else None),
                detail,
                address,
            )
        ],
    )


def record_many(session: Session, entries: Iterable[Entry]) -> None:
    """Log many actions in one statement (a roster's invitations)."""
    now = utcnow()
    rows = [
        {
            "at": now,
            "action": e.action,
            "actor_id": e.actor_id,
            "user_id": e.user_id,
            "course_id": e.course_id,
            "email": e.email,
            "detail": e.detail[:200],
            "address": e.address[:45] if e.address else None,
        }
        for e in entries
    ]
    if rows:
        session.execute(insert(AccountEvent), rows)


def list_events(session: Session, *, email: str | None = None) -> list[AccountEvent]:
    """The log, oldest first; optionally only what concerns one address."""
    query = select(AccountEvent).order_by(AccountEvent.id)
    if email is not None:
        query = query.where(AccountEvent.email == email)
    return list(session.scalars(query))
