"""What a verified launch does here: whose account it is, and which class it belongs to."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from studyapp.auth import services as auth_services
from studyapp.auth.models import Role, User
from studyapp.classes import services as classes
from studyapp.classes.models import Course, CourseInstructor
from studyapp.core.errors import DomainError
from studyapp.lti import claims as c
from studyapp.lti.models import Context, LineItem, Platform, PlatformUser
from studyapp.lti.platforms import LtiError
from studyapp.quizzes.models import Quiz

#: Marks an account as activated while matching no password (it is not a hash): LMS users
#: sign in through launches; an instructor's reset link can still give them a password.
LMS_ONLY_PASSWORD = "!lms-launch-only"  # noqa: S105 - a marker no hash matches


def launch_role(data: dict[str, Any]) -> Role:
    """Teaching roles in the LMS course make an instructor; learners (and the rest) students."""
    return Role.INSTRUCTOR if c.is_teaching(data.get(c.ROLES) or []) else Role.STUDENT


def _placeholder_email(platform: Platform, sub: str) -> str:
    digest = hashlib.sha256(f"{platform.id}:{sub}".encode()).hexdigest()[:20]
    return f"lti-{platform.id}-{digest}@lti.invalid"


def account_for(
    session: Session, platform: Platform, sub: str, *, name: str, email: str | None, role: Role
) -> User:
    """The account of the LMS user (issuer, sub), created on first sight.

    Matching is by the platform's sub only: an e-mail in a token proves nothing about the
    studyapp account holding that address, so an existing account with the same e-mail is
    never taken over; the new account gets a placeholder address instead.
    """
    link = session.scalar(
        select(PlatformUser).where(PlatformUser.platform_id == platform.id, PlatformUser.sub == sub)
    )
    if link is not None:
        user = link.user
        if name and user.name != name:
            user.name = name[:200]
        return user
    address = auth_services.normalize_email(email or "")
    if (
        not address
        or not auth_services.is_valid_email(address)
        or auth_services.get_user_by_email(session, address) is not None
    ):
        address = _placeholder_email(platform, sub)
    user = User(
        email=address,
        name=(name or "LMS user")[:200],
        role=role,
        password_hash=LMS_ONLY_PASSWORD,
    )
    session.add(user)
    session.flush()
    session.add(PlatformUser(platform_id=platform.id, sub=sub, user_id=user.id))
    session.flush()
    return user


def _display_name(data: dict[str, Any]) -> str:
    name = data.get("name") or " ".join(
        p for p in (data.get("given_name"), data.get("family_name")) if p
    )
    return str(name).strip()


def launch_user(session: Session, platform: Platform, data: dict[str, Any]) -> User:
    """Sign-in target of a launch, refusing one whose LMS role differs from the account's."""
    role = launch_role(data)
    user = account_for(
        session,
        platform,
        str(data["sub"]),
        name=_display_name(data),
        email=data.get("email"),
        role=role,
    )
    if user.role != role:
        raise LtiError(
            f"Your studyapp account is a {user.role.value} account, but the LMS launched you "
            f"as {'an instructor' if role == Role.INSTRUCTOR else 'a student'}. Ask your "
            "studyapp administrator to sort out the account."
        )
    return user


def find_context(session: Session, platform: Platform, data: dict[str, Any]) -> Context | None:
    ctx = data.get(c.CONTEXT) or {}
    if not ctx.get("id"):
        return None
    return session.scalar(
        select(Context).where(
            Context.platform_id == platform.id, Context.context_id == str(ctx["id"])
        )
    )


def update_context(context: Context, data: dict[str, Any]) -> None:
    """Keep the service endpoints of the latest launch (an LMS may move them)."""
    ctx = data.get(c.CONTEXT) or {}
    context.title = str(ctx.get("title") or ctx.get("label") or context.title)[:255]
    ags = data.get(c.AGS_ENDPOINT) or {}
    if ags.get("lineitems"):
        context.lineitems_url = str(ags["lineitems"])[:500]
    nrps = data.get(c.NRPS) or {}
    if nrps.get("context_memberships_url"):
        context.memberships_url = str(nrps["context_memberships_url"])[:500]


def link_context(
    session: Session,
    platform: Platform,
    data: dict[str, Any],
    user: User,
    course_id: int | None,
) -> Context:
    """Link the launch's LMS course to one of the instructor's classes, or to a new class."""
    ctx = data.get(c.CONTEXT) or {}
    if not ctx.get("id"):
        raise LtiError("The launch has no LMS course (context) to link.")
    existing = find_context(session, platform, data)
    if existing is not None:
        return existing
    if course_id is None:
        title = str(ctx.get("title") or ctx.get("label") or "LMS course")
        course = classes.create_course(session, user, name=title[:200], term="")
    else:
        course = classes.get_taught_course(session, course_id, user)
    context = Context(
        platform_id=platform.id,
        context_id=str(ctx["id"])[:255],
        deployment_id=str(data.get(c.DEPLOYMENT_ID))[:255],
        course_id=course.id,
    )
    update_context(context, data)
    session.add(context)
    session.flush()
    return context


def join_context(session: Session, context: Context, user: User) -> None:
    """A launch into a linked course makes the user a member of its class."""
    if user.role == Role.INSTRUCTOR:
        taught = session.scalar(
            select(CourseInstructor).where(
                CourseInstructor.course_id == context.course_id,
                CourseInstructor.user_id == user.id,
            )
        )
        if taught is None:
            session.add(CourseInstructor(course_id=context.course_id, user_id=user.id))
    else:
        # A launch is the student's own doing: like a join code, it does not undo a drop
        # (the instructor re-adds, or pulls the LMS roster).
        try:
            classes.enroll(session, session.get(Course, context.course_id), user, False)
        except DomainError as exc:
            raise LtiError(str(exc)) from exc
    session.flush()


def linked_quiz(session: Session, context: Context, data: dict[str, Any]) -> Quiz | None:
    """The quiz a resource link points at (set by deep linking), if it is in the linked class."""
    custom = data.get(c.CUSTOM) or {}
    raw = str(custom.get("quiz_id", "")).strip()
    if not raw.isdigit():
        return None
    quiz = session.get(Quiz, int(raw))
    if quiz is None or quiz.course_id != context.course_id:
        raise LtiError("This link points at a quiz of another class.")
    ags = data.get(c.AGS_ENDPOINT) or {}
    if ags.get("lineitem"):
        link_id = (data.get(c.RESOURCE_LINK) or {}).get("id")
        remember_line_item(session, context, quiz, str(ags["lineitem"]), link_id)
    return quiz


def remember_line_item(
    session: Session, context: Context, quiz: Quiz, url: str, resource_link_id: str | None
) -> LineItem:
    """Record the LMS column of a quiz in one LMS course, once (a re-link updates it)."""
    item = session.scalar(
        select(LineItem).where(LineItem.context_id == context.id, LineItem.quiz_id == quiz.id)
    )
    if item is None:
        item = LineItem(context_id=context.id, quiz_id=quiz.id, url=url[:500])
        session.add(item)
    item.url = url[:500]
    if resource_link_id:
        item.resource_link_id = str(resource_link_id)[:255]
    session.flush()
    return item
