"""Autosave: one answer at a time, guarded by the attempt being open, and journal replays that
never overwrite a newer answer from another device."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, Update, bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from studyapp.attempts.models import Attempt, AttemptQuestion, AttemptStatus
from studyapp.attempts.services import AttemptClosed, ensure_open
from studyapp.auth.models import User
from studyapp.banks import models as bank_models
from studyapp.banks.content import question_from_doc
from studyapp.banks.types import choice_order, delivery_rng
from studyapp.core.errors import DomainError, NotFound
from studyapp.quizzes.models import Quiz

MAX_RESPONSE_BYTES = 60_000


class StaleAnswer(DomainError):
    """A replayed answer from a browser's journal met a newer one saved elsewhere."""

    def __init__(self, message: str, revision: int):
        super().__init__(message)
        self.revision = revision


@dataclass(frozen=True)
class SaveResult:
    revision: int
    saved_at: datetime
    #: True when another tab or device had saved this answer since this page loaded it.
    overwrote_other: bool


@cache
def _attempt_for_save_query() -> Select:
    # Built once and reused with parameters: every autosave runs it, and building a
    # statement costs more than running it.
    return (
        select(
            Attempt,
            bank_models.QuestionVersion.type,
            bank_models.QuestionVersion.content,
            Quiz.shuffle_choices,
        )
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .outerjoin(
            AttemptQuestion,
            (AttemptQuestion.attempt_id == Attempt.id)
            & (AttemptQuestion.position == bindparam("position")),
        )
        .outerjoin(
            bank_models.QuestionVersion,
            bank_models.QuestionVersion.id == AttemptQuestion.version_id,
        )
        .where(Attempt.id == bindparam("attempt_id"))
    )


@dataclass(frozen=True)
class SaveTarget:
    """What an autosave needs of one question: its type and its choices' display order."""

    attempt: Attempt
    kind: str | None  # None when the attempt has no question at that position
    order: list[str]


def attempt_for_save(
    session: Session, attempt_id: int, user: User, position: int | None
) -> SaveTarget:
    """The user's own attempt and its question at ``position``, in one query.

    An autosave needs no more than this: the answer's form fields depend on the type (and,
    for choices, on the order this attempt shows them in), and loading the attempt's other
    questions would cost every save.
    """
    found = session.execute(
        _attempt_for_save_query(), {"attempt_id": attempt_id, "position": position}
    ).first()
    if found is None or found[0].user_id != user.id:
        raise NotFound("No such attempt.")
    attempt, kind, content, shuffle = found
    order = []
    if content is not None and position is not None:
        order = choice_order(
            question_from_doc(content), delivery_rng(attempt.seed, position), shuffle
        )
    return SaveTarget(attempt, kind, order)


@cache
def _save_statement(with_flag: bool, conditional: bool = False) -> Update:
    """The UPDATE of one saved answer, built once (see _attempt_for_save_query)."""
    # Guarded by the attempt still being open: a save racing the deadline sweep or a
    # submit either lands before the grading or is refused, never half-way. On
    # PostgreSQL the guard holds a share lock on the attempt until commit, so a submit
    # (which updates the attempt) waits for an unfinished save and grades it, and a save
    # arriving during a submit waits, sees the attempt closed and is refused. SQLite's
    # single writer gives the same order. RETURNING gives the new revision without a read.
    open_attempt = (
        select(Attempt.id)
        .where(Attempt.id == bindparam("b_attempt_id"), Attempt.status == AttemptStatus.IN_PROGRESS)
        .with_for_update(read=True)
    )
    values: dict[str, Any] = {
        "response": bindparam("b_response", type_=AttemptQuestion.response.type),
        "saved_at": bindparam("b_saved_at", type_=AttemptQuestion.saved_at.type),
        "revision": AttemptQuestion.revision + 1,
    }
    if with_flag:
        values["flagged"] = bindparam("b_flagged", type_=AttemptQuestion.flagged.type)
    where = [
        AttemptQuestion.attempt_id.in_(open_attempt),
        AttemptQuestion.attempt_id == bindparam("b_attempt_id"),
        AttemptQuestion.position == bindparam("b_position"),
    ]
    if conditional:
        # A journal replay lands only on the revision it was typed over.
        where.append(AttemptQuestion.revision == bindparam("b_if_revision"))
    return (
        update(AttemptQuestion)
        .where(*where)
        .values(values)
        .returning(AttemptQuestion.id, AttemptQuestion.revision)
        .execution_options(synchronize_session=False)
    )


def save_answer(
    session: Session,
    attempt: Attempt,
    position: int,
    response: Any,
    base_revision: int | None,
    now: datetime,
    flagged: bool | None = None,
    only_over: int | None = None,
    sent_before: Any = None,
) -> SaveResult:
    """Store one answer (last write wins) and report whether it replaced another device's.

    :param only_over: for answers replayed from a browser's journal: save only if the stored
        answer is still at this revision, so a newer answer from another device is never
        overwritten (StaleAnswer). A replay of an answer that already arrived is a no-op.
    :param sent_before: with ``only_over``, the answer this browser sent last without hearing
        back; when that is what the server holds, the newer revision is this browser's own
        and the replay goes over it.
    """
    ensure_open(session, attempt, now)
    if len(json.dumps(response)) > MAX_RESPONSE_BYTES:
        raise DomainError("This answer is too long to save.")
    params = {
        "b_attempt_id": attempt.id,
        "b_position": position,
        "b_response": response,
        "b_saved_at": now,
    }
    if flagged is not None:
        params["b_flagged"] = flagged
    if only_over is not None:
        params["b_if_revision"] = only_over
    statement = _save_statement(flagged is not None, only_over is not None)
    saved = session.execute(statement, params).first()
    if saved is None:
        held = _not_saved(session, attempt, position, response, only_over)
        if held.stored != response and sent_before is not None and held.stored == sent_before:
            # The newer revision is this browser's own earlier send: go over it.
            return save_answer(
                session, attempt, position, response, held.revision, now, flagged, held.revision
            )
        return held.result(response)
    row_id, revision = saved
    # A copy of the row this session already holds (the no-JavaScript form path loads the
    # whole attempt) must not show the answer from before this save.
    held = session.identity_map.get(identity_key(AttemptQuestion, row_id))
    if held is not None:
        session.expire(held, ["response", "saved_at", "revision", "flagged"])
    overwrote = base_revision is not None and base_revision != revision - 1
    return SaveResult(revision, now, overwrote)


@dataclass(frozen=True)
class _Held:
    """What the server holds for a question a conditional save did not land on."""

    revision: int
    stored: Any
    saved_at: datetime

    def result(self, response: Any) -> SaveResult:
        if self.stored == response:
            # The journal resent an answer whose first send arrived but whose reply was lost.
            return SaveResult(self.revision, self.saved_at, False)
        raise StaleAnswer(
            "A newer answer to this question was saved from another tab or device; it was kept.",
            self.revision,
        )


def _not_saved(
    session: Session, attempt: Attempt, position: int, response: Any, only_over: int | None
) -> _Held:
    """Why a save's UPDATE matched no row: no such question, a closed attempt, or a newer answer."""
    row = session.execute(
        select(AttemptQuestion.revision, AttemptQuestion.response, AttemptQuestion.saved_at)
        .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .where(
            AttemptQuestion.attempt_id == attempt.id,
            AttemptQuestion.position == position,
            Attempt.status == AttemptStatus.IN_PROGRESS,
        )
    ).first()
    if row is None:
        exists = session.scalar(
            select(AttemptQuestion.id).where(
                AttemptQuestion.attempt_id == attempt.id, AttemptQuestion.position == position
            )
        )
        if exists is None:
            raise NotFound("This question is not part of the attempt.")
        raise AttemptClosed("This attempt was just submitted; this answer came too late to save.")
    if only_over is None:  # closed between the UPDATE and this read
        raise AttemptClosed("This attempt was just submitted; this answer came too late to save.")
    return _Held(*row)
