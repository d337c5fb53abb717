"""Who may see, use and change a bank.

File banks (and banks from before owners existed) are shared by every instructor. A bank
written in the browser or imported belongs to the instructor who made it and to the
instructors of the classes it is shared with; shared site-wide, every instructor may see it
and use it in quizzes, but only its owners change it. Anyone else is told it does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from studyapp.auth.models import User
from studyapp.banks.models import Bank, BankShare, Origin
from studyapp.classes.models import Course, CourseInstructor
from studyapp.core.errors import DomainError, NotFound


class NotOwner(DomainError):
    """The bank is visible to this instructor but belongs to others."""


def _shared_with(user: User):
    return (
        select(BankShare.bank_id)
        .join(CourseInstructor, CourseInstructor.course_id == BankShare.course_id)
        .where(CourseInstructor.user_id == user.id)
    )


def _everyone():
    return or_(Bank.origin == Origin.FILE, Bank.owner_id.is_(None))


def visible_bank_ids(session: Session, user: User) -> set[int]:
    """Ids of the banks ``user`` may see and use, in one statement."""
    return set(
        session.scalars(
            select(Bank.id).where(
                or_(
                    _everyone(),
                    Bank.owner_id == user.id,
                    Bank.shared_site_wide.is_(True),
                    Bank.id.in_(_shared_with(user)),
                )
            )
        )
    )


def is_shared_by_everyone(bank: Bank) -> bool:
    """A file bank, or one from before owners existed."""
    return bank.origin is Origin.FILE or bank.owner_id is None


def is_owner(session: Session, bank: Bank, user: User) -> bool:
    """True if ``user`` may change ``bank``: a file bank, its maker, or a shared class's teacher."""
    if is_shared_by_everyone(bank) or bank.owner_id == user.id:
        return True
    return session.scalar(_shared_with(user).where(BankShare.bank_id == bank.id)) is not None


def check_visible(session: Session, bank: Bank, user: User) -> None:
    """Raise NotFound unless ``user`` may see ``bank``."""
    if bank.id not in visible_bank_ids(session, user):
        raise NotFound("No such bank.")


def check_owner(session: Session, bank: Bank, user: User) -> None:
    """Raise NotFound if ``user`` cannot see ``bank``, NotOwner if they may only use it."""
    check_visible(session, bank, user)
    if not is_owner(session, bank, user):
        raise NotOwner("This bank is shared with you to use in quizzes; only its owners change it.")


def set_sharing(
    session: Session,
    bank: Bank,
    user: User,
    course_ids: set[int],
    site_wide: bool,
    taught_ids: set[int],
) -> None:
    """Share ``bank`` with some of the classes ``user`` teaches, and/or site-wide.

    Shares with classes the user does not teach are kept as they are: another owner made them.
    """
    check_owner(session, bank, user)
    if is_shared_by_everyone(bank):
        raise DomainError("Bank files in questions/ are shared with every instructor already.")
    unknown = course_ids - taught_ids
    if unknown:
        raise NotFound("No such class.")
    kept = [s for s in bank.shares if s.course_id not in taught_ids]
    bank.shares[:] = kept + [BankShare(course_id=cid) for cid in sorted(course_ids)]
    bank.shared_site_wide = site_wide
    session.flush()


@dataclass(frozen=True)
class Sharing:
    """The sharing panel of a browser bank, for one of its owners."""

    classes: list[tuple[Course, bool]]
    site_wide: bool
    owner_name: str | None


def sharing_options(session: Session, bank: Bank, user: User) -> Sharing | None:
    """The user's classes with whether each shares ``bank``; None for file banks and for
    instructors who may only use the bank."""
    if is_shared_by_everyone(bank) or not is_owner(session, bank, user):
        return None
    taught = session.scalars(
        select(Course)
        .join(CourseInstructor, CourseInstructor.course_id == Course.id)
        .where(CourseInstructor.user_id == user.id)
        .order_by(Course.name)
    )
    shared = {s.course_id for s in bank.shares}
    owner = session.get(User, bank.owner_id)
    return Sharing(
        [(c, c.id in shared) for c in taught], bank.shared_site_wide, owner.name if owner else None
    )
