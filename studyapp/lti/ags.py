"""Grade passback (Assignment and Grade Services): line items, the score outbox, sending.

A grade change anywhere (submit, deadline, hand grading, regrade, override, excusal) is
noticed when its transaction commits, and the student's kept grade is written to the outbox
in that same transaction, so no change is lost when the LMS is down. Sending happens later
(`flask lti send-grades`, or the app's periodic run) with retries and backoff.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any

import httpx
from sqlalchemy import Select, bindparam, event, select
from sqlalchemy.orm import Session, selectinload

from studyapp.attempts.models import Attempt, AttemptQuestion
from studyapp.classes.models import Course
from studyapp.core.clock import utcnow
from studyapp.gradebook.models import GradeOverride
from studyapp.gradebook.services import build_gradebook
from studyapp.lti import claims as c
from studyapp.lti.accounts import remember_line_item
from studyapp.lti.models import Context, LineItem, PlatformUser, ScoreSend, SendStatus
from studyapp.lti.platforms import HTTP_TIMEOUT, LtiError
from studyapp.lti.tokens import service_token
from studyapp.quizzes import services as quizzes
from studyapp.quizzes.models import Quiz

MAX_TRIES = 8
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"


def backoff(tries: int) -> timedelta:
    """30 s, 1 min, 2 min, ... up to 6 hours between tries."""
    return timedelta(seconds=min(30 * 2 ** max(tries - 1, 0), 6 * 3600))


def resource_id(quiz: Quiz) -> str:
    return f"studyapp-quiz-{quiz.id}"


def score_payload(
    cell_status: str, score: float | None, maximum: float, sub: str, now: datetime
) -> dict[str, Any]:
    """The AGS score for a gradebook cell's status, per the activity/grading progress values."""
    body: dict[str, Any] = {"userId": sub, "timestamp": now.isoformat(timespec="milliseconds")}
    if cell_status == "excused":
        # AGS has no excused value: a completed activity with no score clears the LMS cell,
        # so the grade counts in neither the LMS's total nor its maximum.
        body.update(activityProgress="Completed", gradingProgress="FullyGraded", comment="Excused")
    elif cell_status == "awaiting":
        body.update(
            activityProgress="Submitted",
            gradingProgress="PendingManual",
            scoreGiven=score or 0.0,
            scoreMaximum=maximum,
        )
    elif cell_status == "in_progress":
        body.update(activityProgress="InProgress", gradingProgress="Pending")
    else:
        body.update(
            activityProgress="Completed",
            gradingProgress="FullyGraded",
            scoreGiven=score or 0.0,
            scoreMaximum=maximum,
        )
    return body


@cache
def _line_items_query() -> Select:
    # Every start and submit asks (most quizzes have no line item): built once and reused.
    return (
        select(LineItem)
        .options(selectinload(LineItem.context), selectinload(LineItem.quiz))
        .where(LineItem.quiz_id.in_(bindparam("quiz_ids", expanding=True)))
    )


def enqueue_grades(session: Session, pairs: set[tuple[int, int]], now: datetime) -> int:
    """Write the current kept grade of each (quiz, student) to the outbox of its line items."""
    quiz_ids = sorted({q for q, _ in pairs})
    items = list(session.scalars(_line_items_query(), {"quiz_ids": quiz_ids}))
    if not items:
        return 0
    queued = 0
    for course_id in {i.quiz.course_id for i in items}:
        users = sorted({u for q, u in pairs if any(i.quiz_id == q for i in items)})
        book = build_gradebook(session, session.get(Course, course_id), now, users)
        for row in book.rows:
            for item in (i for i in items if i.quiz.course_id == course_id):
                if (item.quiz_id, row.student.id) not in pairs or item.quiz_id not in row.cells:
                    continue
                cell = row.cells[item.quiz_id]
                if cell.status in {"not_started"}:
                    continue
                queued += _queue(session, item, row.student.id, cell, now)
    session.flush()
    return queued


def _queue(session: Session, item: LineItem, user_id: int, cell, now: datetime) -> int:
    sub = session.scalar(
        select(PlatformUser.sub).where(
            PlatformUser.platform_id == item.context.platform_id, PlatformUser.user_id == user_id
        )
    )
    if sub is None:
        return 0  # not known to that LMS: joined by code, never launched from it
    payload = score_payload(cell.status, cell.score, cell.max_points, sub, now)
    send = session.scalar(
        select(ScoreSend).where(ScoreSend.line_item_id == item.id, ScoreSend.user_id == user_id)
    )
    if send is None:
        send = ScoreSend(line_item_id=item.id, user_id=user_id)
        session.add(send)
    send.payload, send.status, send.tries = payload, SendStatus.PENDING, 0
    send.next_try_at, send.updated_at, send.last_error = now, now, None
    return 1


def ensure_line_item(session: Session, context: Context, quiz: Quiz, now: datetime) -> LineItem:
    """The quiz's column in this LMS course, found by resourceId before one is created.

    Looking it up first makes a re-link or a retry after a lost answer reuse the column
    instead of adding a duplicate.
    """
    known = session.scalar(
        select(LineItem).where(LineItem.context_id == context.id, LineItem.quiz_id == quiz.id)
    )
    if known is not None:
        return known
    if not context.lineitems_url:
        raise LtiError("The LMS did not offer grade passback in this course.")
    platform = context.platform
    token = service_token(session, platform, [c.SCOPE_LINEITEM], now)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        found = httpx.get(
            context.lineitems_url,
            params={"resource_id": resource_id(quiz)},
            headers={**headers, "Accept": LINEITEMS_TYPE},
            timeout=HTTP_TIMEOUT,
        )
        found.raise_for_status()
        existing = [i for i in found.json() if i.get("resourceId") == resource_id(quiz)]
        if existing:
            return remember_line_item(session, context, quiz, existing[0]["id"], None)
        created = httpx.post(
            context.lineitems_url,
            json={
                "label": quiz.title,
                "scoreMaximum": quizzes.max_points(quiz) or 1,
                "resourceId": resource_id(quiz),
                "tag": "studyapp",
            },
            headers={**headers, "Content-Type": LINEITEM_TYPE, "Accept": LINEITEM_TYPE},
            timeout=HTTP_TIMEOUT,
        )
        created.raise_for_status()
    except httpx.HTTPError as exc:
        raise LtiError(f"The LMS refused the line item ({exc}).") from exc
    return remember_line_item(session, context, quiz, created.json()["id"], None)


def _scores_url(lineitem_url: str) -> str:
    path, _, query = lineitem_url.partition("?")
    return path.rstrip("/") + "/scores" + (f"?{query}" if query else "")


def send_due(session: Session, now: datetime, limit: int = 200) -> dict[str, int]:
    """Send the outbox's due scores; failures wait longer each time, then stay failed."""
    due = list(
        session.scalars(
            select(ScoreSend)
            .options(selectinload(ScoreSend.line_item).selectinload(LineItem.context))
            .where(ScoreSend.status == SendStatus.PENDING, ScoreSend.next_try_at <= now)
            .order_by(ScoreSend.next_try_at)
            .limit(limit)
        )
    )
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for send in due:
        try:
            _post_score(session, send, now)
        except LtiError as exc:
            send.tries += 1
            send.last_error = str(exc)[:2000]
            if send.tries >= MAX_TRIES:
                send.status = SendStatus.FAILED
                counts["failed"] += 1
            else:
                send.next_try_at = now + backoff(send.tries)
                counts["retry"] += 1
        else:
            send.status, send.sent_at, send.last_error = SendStatus.SENT, now, None
            counts["sent"] += 1
    session.flush()
    return counts


def _post_score(session: Session, send: ScoreSend, now: datetime) -> None:
    platform = send.line_item.context.platform
    token = service_token(session, platform, [c.SCOPE_SCORE], now)
    try:
        response = httpx.post(
            _scores_url(send.line_item.url),
            json=send.payload,
            headers={"Authorization": f"Bearer {token}", "Content-Type": SCORE_TYPE},
            timeout=HTTP_TIMEOUT,
        )
    except httpx.HTTPError as exc:
        raise LtiError(f"The LMS did not answer ({type(exc).__name__}).") from exc
    if response.status_code >= 300:
        raise LtiError(f"The LMS answered {response.status_code}: {response.text[:500]}")


def retry_failed(session: Session, course: Course, now: datetime) -> int:
    """Put a class's failed sends back in the queue (the instructor's 'retry now')."""
    sends = session.scalars(
        select(ScoreSend)
        .join(LineItem)
        .join(Context)
        .where(Context.course_id == course.id, ScoreSend.status == SendStatus.FAILED)
    )
    count = 0
    for send in sends:
        send.status, send.tries, send.next_try_at = SendStatus.PENDING, 0, now
        count += 1
    session.flush()
    return count


def list_sends(session: Session, course: Course) -> list[ScoreSend]:
    """Every score of the class's line items with its state, newest change first."""
    return list(
        session.scalars(
            select(ScoreSend)
            .join(LineItem)
            .join(Context)
            .options(
                selectinload(ScoreSend.user),
                selectinload(ScoreSend.line_item).selectinload(LineItem.quiz),
                selectinload(ScoreSend.line_item).selectinload(LineItem.context),
            )
            .where(Context.course_id == course.id)
            .order_by(ScoreSend.updated_at.desc())
        )
    )


# --- noticing grade changes -------------------------------------------------------------

_KEY = "lti_grade_changes"


def _after_flush(session: Session, _ctx) -> None:
    # Only ids here: loading relationships in the middle of a flush is not safe.
    changed = session.info.setdefault(_KEY, {"pairs": set(), "attempts": set(), "known": set()})
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, (Attempt, GradeOverride)):
            if isinstance(obj, Attempt):
                changed["known"].add(obj.id)  # its pair is known: no lookup for its rows
            if not getattr(obj, "is_preview", False):
                changed["pairs"].add((obj.quiz_id, obj.user_id))
        elif isinstance(obj, AttemptQuestion):
            changed["attempts"].add(obj.attempt_id)


def _before_commit(session: Session) -> None:
    session.flush()
    changed = session.info.pop(_KEY, None)
    if not changed:
        return
    pairs = set(changed["pairs"])
    # A submit changes the attempt and its rows together: only rows of attempts this
    # session did not itself change need a lookup of their (quiz, student).
    unknown = changed["attempts"] - changed["known"]
    if unknown:
        pairs |= set(
            session.execute(
                select(Attempt.quiz_id, Attempt.user_id).where(
                    Attempt.id.in_(unknown), Attempt.is_preview.is_(False)
                )
            ).all()
        )
    if pairs:
        enqueue_grades(session, pairs, utcnow())
        session.info.pop(_KEY, None)


def _after_rollback(session: Session) -> None:
    session.info.pop(_KEY, None)


def listen() -> None:
    """Watch every session for grade changes (idempotent: SQLAlchemy keeps one listener)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_soft_rollback", lambda s, _t: _after_rollback(s))


def link_quiz_everywhere(session: Session, course: Course, quiz: Quiz, now: datetime) -> int:
    """A line item for the quiz in every LMS course linked to the class; queue current grades."""
    contexts = list(session.scalars(select(Context).where(Context.course_id == course.id)))
    for context in contexts:
        ensure_line_item(session, context, quiz, now)
    users = {
        u
        for (u,) in session.execute(
            select(Attempt.user_id).where(Attempt.quiz_id == quiz.id, Attempt.is_preview.is_(False))
        )
    }
    enqueue_grades(session, {(quiz.id, u) for u in users}, now)
    return len(contexts)
