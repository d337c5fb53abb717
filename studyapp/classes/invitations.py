"""Invitations: how a roster brings students into a class without touching their accounts.

Every roster row becomes an invitation to its address, whether or not the address has an
account, so the instructor's view of a row (its result, its link, its status) is the same
either way. The owner of the account accepts or declines after logging in; the one-time
link creates the account when there is none and does nothing to one that exists.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from studyapp.auth import audit
from studyapp.auth import services as auth
from studyapp.auth.models import AuditAction, Role, User
from studyapp.classes.models import ClassInvitation, Course, Enrollment, EnrollmentStatus
from studyapp.classes.roster import RosterRow, parse_roster
from studyapp.classes.services import enroll
from studyapp.core.clock import utcnow
from studyapp.core.errors import DomainError, InvalidToken, NotFound, RosterError

#: Rows written per transaction; the caller commits between chunks, so on SQLite no
#: other writer waits for more than one chunk.
CHUNK_ROWS = 500
#: Problems listed on the page; a file that is wrong throughout gets a count for the rest.
MAX_PROBLEMS_SHOWN = 100


@dataclass(frozen=True)
class RosterImport:
    """What an upload did, in terms the instructor already knows: their own class."""

    invited: int
    already_in_class: int


def _chunks(rows: list[RosterRow], size: int) -> Iterator[list[RosterRow]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _shown(problems: list[str]) -> list[str]:
    if len(problems) <= MAX_PROBLEMS_SHOWN:
        return problems
    rest = len(problems) - MAX_PROBLEMS_SHOWN
    return [*problems[:MAX_PROBLEMS_SHOWN], f"… and {rest} more problems"]


def import_roster(
    session: Session,
    course: Course,
    instructor: User,
    data: bytes,
    *,
    max_bytes: int,
    max_rows: int,
    end_chunk: Callable[[], None] = lambda: None,
    chunk_rows: int = CHUNK_ROWS,
) -> RosterImport:
    """Invite every student of a roster file: all of it, or nothing if any row is bad.

    The whole file is checked before anything is written. Writing then goes in chunks
    of ``chunk_rows`` with ``end_chunk`` called after each (the view commits there), so
    a large roster never holds the database for the length of the upload. Each chunk is
    a fixed number of statements whatever its size (one insert, one update, one log
    insert), and no row looks up an account: the work is linear in the rows.
    """
    rows, problems = parse_roster(data, max_bytes, max_rows)
    if problems:
        raise RosterError(_shown(problems))
    in_class = set(
        session.scalars(
            select(User.email)
            .join(Enrollment, Enrollment.user_id == User.id)
            .where(Enrollment.course_id == course.id, Enrollment.status == EnrollmentStatus.ACTIVE)
        )
    )
    known: dict[str, int] = {
        email: invitation_id
        for email, invitation_id in session.execute(
            select(ClassInvitation.email, ClassInvitation.id).where(
                ClassInvitation.course_id == course.id
            )
        )
    }
    to_invite = [r for r in rows if r.email not in in_class]
    for chunk in _chunks(to_invite, chunk_rows):
        _write_chunk(session, course, instructor, chunk, known)
        end_chunk()
    return RosterImport(invited=len(to_invite), already_in_class=len(rows) - len(to_invite))


def _write_chunk(
    session: Session,
    course: Course,
    instructor: User,
    chunk: list[RosterRow],
    known: dict[str, int],
) -> None:
    now = utcnow()
    fresh = [r for r in chunk if r.email not in known]
    again = [r for r in chunk if r.email in known]
    if fresh:
        session.execute(
            insert(ClassInvitation),
            [
                {
                    "course_id": course.id,
                    "email": r.email,
                    "name": r.name,
                    "student_number": r.student_id,
                    "invited_by_id": instructor.id,
                    "invited_at": now,
                }
                for r in fresh
            ],
        )
    if again:
        # Uploading a row again renews its invitation, answered or not.
        # An ORM bulk update by primary key: one executemany for the whole chunk.
        session.execute(
            update(ClassInvitation),
            [
                {
                    "id": known[r.email],
                    "name": r.name,
                    "student_number": r.student_id,
                    "invited_by_id": instructor.id,
                    "invited_at": now,
                    "accepted_at": None,
                    "declined_at": None,
                }
                for r in again
            ],
        )
    audit.record_many(
        session,
        (
            audit.Entry(AuditAction.INVITE, instructor.id, course_id=course.id, email=r.email)
            for r in chunk
        ),
    )


def list_course_invitations(session: Session, course: Course) -> list[ClassInvitation]:
    """The class's invitations not yet accepted, for its page."""
    return list(
        session.scalars(
            select(ClassInvitation)
            .where(ClassInvitation.course_id == course.id, ClassInvitation.accepted_at.is_(None))
            .order_by(ClassInvitation.declined_at.is_not(None), ClassInvitation.name)
        )
    )


def make_invitation_links(
    session: Session, course: Course, instructor: User, ttl: timedelta
) -> list[tuple[ClassInvitation, str]]:
    """A fresh one-time link for each unanswered invitation of the class.

    Earlier links of these invitations stop working, so a lost file is replaced by
    downloading again.
    """
    pending = [i for i in list_course_invitations(session, course) if i.is_pending]
    expires = utcnow() + ttl
    links = [(invitation, secrets.token_urlsafe(32)) for invitation in pending]
    if links:
        session.execute(
            update(ClassInvitation),
            [
                {
                    "id": i.id,
                    "link_hash": auth.hash_token(raw),
                    "link_expires_at": expires,
                    "link_used_at": None,
                }
                for i, raw in links
            ],
        )
        audit.record_many(
            session,
            (
                audit.Entry(
                    AuditAction.INVITE_LINK_MADE, instructor.id, course_id=course.id, email=i.email
                )
                for i, _ in links
            ),
        )
    return links


def find_invitation_link(session: Session, raw: str, now: datetime) -> ClassInvitation:
    """The unanswered invitation of a usable link, or InvalidToken."""
    invitation = session.scalar(
        select(ClassInvitation).where(ClassInvitation.link_hash == auth.hash_token(raw))
    )
    if (
        invitation is None
        or invitation.link_used_at is not None
        or invitation.link_expires_at is None
        or invitation.link_expires_at <= now
        or not invitation.is_pending
    ):
        raise InvalidToken("This link is invalid, expired or already used. Ask for a new one.")
    return invitation


def use_invitation_link(
    session: Session, raw: str, password: str, address: str | None = None
) -> ClassInvitation:
    """Spend a class link: create the invited address's account if it has none.

    An account that exists is left exactly as it is (its owner accepts by logging in);
    both paths hash the password once, so they also take the same time, and the caller
    answers both the same way.
    """
    now = utcnow()
    invitation = find_invitation_link(session, raw, now)
    spent = session.execute(
        update(ClassInvitation)
        .where(ClassInvitation.id == invitation.id, ClassInvitation.link_used_at.is_(None))
        .values(link_used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if spent != 1:
        raise InvalidToken("This link was just used. Ask for a new one.")
    owner = auth.get_user_by_email(session, invitation.email)
    if owner is None:
        owner = auth.create_user(
            session,
            email=invitation.email,
            name=invitation.name,
            role=Role.STUDENT,
            password=password,
            student_number=invitation.student_number,
        )
        detail = "new account created"
    else:
        auth.hash_and_discard(password)
        detail = "account exists; left unchanged"
    audit.record(
        session,
        AuditAction.INVITE_LINK_USED,
        actor=None,
        user=owner,
        course_id=invitation.course_id,
        detail=detail,
        address=address,
    )
    session.flush()
    return invitation


def list_pending_invitations(session: Session, user: User) -> list[ClassInvitation]:
    """Invitations waiting for this student's answer (instructors are never invited)."""
    if user.role != Role.STUDENT:
        return []
    return list(
        session.scalars(
            select(ClassInvitation)
            .join(Course)
            .where(
                ClassInvitation.email == user.email,
                ClassInvitation.accepted_at.is_(None),
                ClassInvitation.declined_at.is_(None),
            )
            .order_by(ClassInvitation.invited_at)
        )
    )


def answer_invitation(
    session: Session, user: User, invitation_id: int, accept: bool
) -> ClassInvitation:
    """Accept (enrol) or decline one of the user's own invitations."""
    invitation = next(
        (i for i in list_pending_invitations(session, user) if i.id == invitation_id), None
    )
    if invitation is None:
        raise NotFound("No such invitation.")
    now = utcnow()
    if accept:
        invitation.accept(now)
        enroll(session, invitation.course, user)
        if not user.student_number and invitation.student_number:
            # Only filled in where empty, and only because the owner accepted.
            user.student_number = invitation.student_number
    else:
        invitation.decline(now)
    audit.record(
        session,
        AuditAction.INVITE_ACCEPTED if accept else AuditAction.INVITE_DECLINED,
        actor=user,
        user=user,
        course_id=invitation.course_id,
    )
    session.flush()
    return invitation


def check_invitation_owner(invitation: ClassInvitation, user: User) -> None:
    """A logged-in visitor of a class link must be the invited address."""
    if user.email != invitation.email:
        raise DomainError(
            "This invitation is for another e-mail address. Log out, then open the link again."
        )
