"""Roster sync (Names and Role Provisioning Services): the LMS's students, enrolled here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from studyapp.auth.models import Role
from studyapp.classes import services as classes
from studyapp.classes.models import Course, Enrollment
from studyapp.lti import claims as c
from studyapp.lti.accounts import account_for
from studyapp.lti.models import Context, PlatformUser
from studyapp.lti.platforms import HTTP_TIMEOUT, LtiError
from studyapp.lti.tokens import service_token

MEMBERSHIPS_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
#: Follow at most this many "next" pages (a runaway LMS must not loop us forever).
MAX_PAGES = 100


@dataclass
class RosterSync:
    enrolled: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)


def list_contexts(session: Session, course: Course) -> list[Context]:
    return list(
        session.scalars(select(Context).where(Context.course_id == course.id).order_by(Context.id))
    )


def _members(session: Session, context: Context, now: datetime) -> list[dict]:
    if not context.memberships_url:
        raise LtiError(f"The LMS course '{context.title}' did not offer its roster.")
    token = service_token(session, context.platform, [c.SCOPE_MEMBERSHIPS], now)
    url: str | None = context.memberships_url
    members: list[dict] = []
    for _ in range(MAX_PAGES):
        if url is None:
            break
        try:
            response = httpx.get(
                url,
                headers={"Authorization": f"Bearer {token}", "Accept": MEMBERSHIPS_TYPE},
                timeout=HTTP_TIMEOUT,
            )
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise LtiError(f"The LMS refused the roster ({exc}).") from exc
        members.extend(response.json().get("members", []))
        url = response.links.get("next", {}).get("url")
    return members


def sync_roster(session: Session, course: Course, now: datetime) -> RosterSync:
    """Pull every linked LMS course's roster: enrol its active learners, drop the ones gone.

    A class linked to several LMS courses counts a student present if any of them lists
    them. Dropped students keep their account, attempts and grades (never deleted), and
    students who joined with a code and never came from an LMS are left alone.
    """
    result = RosterSync()
    contexts = list_contexts(session, course)
    if not contexts:
        raise LtiError("This class is not linked to an LMS course.")
    present: set[int] = set()
    for context in contexts:
        for member in _members(session, context, now):
            roles = member.get("roles") or []
            sub = str(member.get("user_id", ""))
            if not sub or not c.is_learner(roles) or c.is_teaching(roles):
                continue
            if member.get("status", "Active") != "Active":
                continue
            name = member.get("name") or " ".join(
                p for p in (member.get("given_name"), member.get("family_name")) if p
            )
            user = account_for(
                session,
                context.platform,
                sub,
                name=name,
                email=member.get("email"),
                role=Role.STUDENT,
            )
            if user.role != Role.STUDENT:
                result.skipped.append(user.name)
                continue
            present.add(user.id)
            enrollment = session.scalar(
                select(Enrollment).where(
                    Enrollment.course_id == course.id, Enrollment.user_id == user.id
                )
            )
            if enrollment is not None and enrollment.is_active:
                result.unchanged += 1
            else:
                classes.enroll(session, course, user)
                result.enrolled.append(user.name)
        context.roster_synced_at = now
    platform_ids = {ctx.platform_id for ctx in contexts}
    from_lms = select(PlatformUser.user_id).where(PlatformUser.platform_id.in_(platform_ids))
    for enrollment in session.scalars(
        select(Enrollment).where(
            Enrollment.course_id == course.id, Enrollment.user_id.in_(from_lms)
        )
    ):
        if enrollment.is_active and enrollment.user_id not in present:
            # The class's own drop: the student's open attempts are graded as they stand.
            classes.drop_student(session, course, enrollment.user_id)
            result.dropped.append(enrollment.user.name)
    session.flush()
    return result
