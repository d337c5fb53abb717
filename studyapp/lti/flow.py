"""A verified launch, carried through: sign-in, class membership and where to go next."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from studyapp.auth.models import User
from studyapp.classes import services as classes
from studyapp.lti import claims as c
from studyapp.lti import platforms
from studyapp.lti.accounts import (
    find_context,
    join_context,
    launch_user,
    link_context,
    linked_quiz,
    update_context,
)
from studyapp.lti.models import Context, Platform
from studyapp.lti.platforms import LtiError


@dataclass(frozen=True)
class Outcome:
    user: User
    #: "link" (instructor must pick a class), "deep_link", "quiz", "course".
    go: str
    context: Context | None = None
    quiz_id: int | None = None


def complete_launch(session: Session, platform: Platform, data: dict[str, Any]) -> Outcome:
    """Sign-in and membership for a verified launch, and the page it leads to."""
    user = launch_user(session, platform, data)
    context = find_context(session, platform, data)
    if context is None:
        if not user.is_instructor:
            raise LtiError(
                "Your instructor has not opened studyapp from this LMS course yet, so it has "
                "no class here. Try again after they have."
            )
        if classes.list_courses_taught(session, user):
            return Outcome(user, "link")
        context = link_context(session, platform, data, user, None)
    update_context(context, data)
    join_context(session, context, user)
    if data.get(c.MESSAGE_TYPE) == c.DEEP_LINKING_REQUEST:
        if not user.is_instructor:
            raise LtiError("Only instructors can add studyapp quizzes to the LMS course.")
        return Outcome(user, "deep_link", context)
    quiz = linked_quiz(session, context, data)
    return Outcome(user, "quiz" if quiz else "course", context, quiz.id if quiz else None)


def finish_link(
    session: Session, platform: Platform, data: dict[str, Any], user: User, course_id: int | None
) -> Outcome:
    """The instructor chose a class (or a new one) for an unlinked LMS course: link, go on."""
    link_context(session, platform, data, user, course_id)
    return complete_launch(session, platform, data)


def pending_claims(data: dict[str, Any]) -> dict[str, Any]:
    """The part of a launch kept in the session while the instructor picks a class."""
    keep = {
        "sub",
        c.CONTEXT,
        c.DEPLOYMENT_ID,
        c.MESSAGE_TYPE,
        c.ROLES,
        c.RESOURCE_LINK,
        c.CUSTOM,
        c.AGS_ENDPOINT,
        c.NRPS,
        c.DL_SETTINGS,
        "name",
        "given_name",
        "family_name",
        "email",
    }
    return {k: v for k, v in data.items() if k in keep}


def resumed_pending(
    session: Session, platform: Platform, data: dict[str, Any]
) -> dict[str, Any] | None:
    """The pending deep-linking request of a launch reopened in a window of its own, or None.

    It is rebuilt from the claims kept server-side with the one-time resume link, so the
    dialog can be finished in a browser that never kept our cookie inside the LMS's iframe.
    """
    if data.get(c.MESSAGE_TYPE) != c.DEEP_LINKING_REQUEST:
        return None
    context = find_context(session, platform, data)
    if context is None:
        return None
    return {"context_id": context.id, **pending_claims(data)}


def frame_origins(platform: Platform, data: dict[str, Any]) -> list[str]:
    """Who may frame our pages after this launch: the platform's origins and the origins of
    the signed return URLs (where an LMS like Canvas shows the course)."""
    origins = set(platforms.frame_origins(platform))
    presentation = data.get(c.LTI + "launch_presentation") or {}
    settings = data.get(c.DL_SETTINGS) or {}
    for url in (presentation.get("return_url"), settings.get("deep_link_return_url")):
        parts = urlsplit(str(url or ""))
        if parts.scheme in {"https", "http"} and parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)
