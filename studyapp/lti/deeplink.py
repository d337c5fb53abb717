"""Deep linking: the instructor picks or creates a quiz and the LMS gets a resource link."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from studyapp.lti import claims as c
from studyapp.lti import keys
from studyapp.lti.ags import resource_id
from studyapp.lti.models import Context, Platform
from studyapp.lti.platforms import LtiError
from studyapp.quizzes import services as quizzes
from studyapp.quizzes.models import Quiz


def pick_quiz(session: Session, context: Context, quiz_id: int | None, new_title: str) -> Quiz:
    """The chosen quiz of the linked class, or a new draft quiz with this title."""
    if quiz_id:
        return quizzes.get_quiz(session, quiz_id, {context.course_id})
    if not new_title.strip():
        raise LtiError("Pick a quiz or give the new quiz a title.")
    course = context.course
    return quizzes.create_quiz(session, course, new_title.strip()[:200])


def content_item(quiz: Quiz, launch_url: str) -> dict[str, Any]:
    """An ltiResourceLink with a line item, so the LMS makes the gradebook column itself."""
    return {
        "type": "ltiResourceLink",
        "title": quiz.title,
        "url": launch_url,
        "custom": {"quiz_id": str(quiz.id)},
        "lineItem": {
            "label": quiz.title,
            "scoreMaximum": quizzes.max_points(quiz) or 1,
            "resourceId": resource_id(quiz),
            "tag": "studyapp",
        },
    }


def response_jwt(
    session: Session,
    platform: Platform,
    request_claims: dict[str, Any],
    items: list[dict[str, Any]],
    now: datetime,
) -> str:
    """The signed LtiDeepLinkingResponse, echoing the request's opaque data."""
    settings = request_claims.get(c.DL_SETTINGS) or {}
    body: dict[str, Any] = {
        "iss": platform.client_id,
        "aud": platform.issuer,
        "nonce": keys.secrets_nonce(),
        c.MESSAGE_TYPE: c.DEEP_LINKING_RESPONSE,
        c.VERSION: c.LTI_VERSION,
        c.DEPLOYMENT_ID: request_claims.get(c.DEPLOYMENT_ID),
        c.DL_CONTENT_ITEMS: items,
    }
    if settings.get("data") is not None:
        body[c.DL_DATA] = settings["data"]
    return keys.sign(session, body, now)


def answer(
    session: Session,
    context: Context,
    request_claims: dict[str, Any],
    quiz_id: int | None,
    new_title: str,
    launch_url: str,
    now: datetime,
) -> str:
    """The signed deep-linking response for the chosen (or new) quiz."""
    # The signing key must exist before this transaction writes (see keys.current_key).
    keys.current_key(session, now)
    quiz = pick_quiz(session, context, quiz_id, new_title)
    item = content_item(quiz, launch_url)
    return response_jwt(session, context.platform, request_claims, [item], now)
