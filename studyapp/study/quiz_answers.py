"""Quiz answers feed study mode: a graded answer reviews the student's card of its question.

A missed quiz question comes back in study soon; a right one moves on as a Good review. A
submit reviews every answer's card at once, so its statements do not grow with the quiz.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from flask import Flask
from fsrs import Card, Rating, Scheduler
from sqlalchemy import Select, bindparam, insert, select, update
from sqlalchemy.orm import Session

from studyapp.attempts.models import Attempt
from studyapp.attempts.services import attempt_graded
from studyapp.banks import models as bank_models
from studyapp.study.models import ReviewStatus, StudyCard, StudyReview
from studyapp.study.services import STUDY_TYPES, app_scheduler, exam_caps, schedule

#: The columns a quiz submit moves on an existing card.
_MOVED = ("fsrs", "due_at", "version", "reviews", "lapses", "last_review_at")


@dataclass
class _CardState:
    """A card as a submit moves it on, in memory, before one write per card."""

    card: StudyCard | None
    fsrs: dict[str, Any]
    version: int
    reviews: int
    lapses: int
    due_at: datetime

    @classmethod
    def of(cls, card: StudyCard | None, question_id: int, now: datetime) -> _CardState:
        if card is None:
            fresh = Card(card_id=question_id, due=now).to_dict()
            return cls(None, fresh, 0, 0, 0, now)
        return cls(card, card.fsrs, card.version, card.reviews, card.lapses, card.due_at)

    def review(
        self, scheduler: Scheduler, rating: Rating, now: datetime, exam: datetime | None
    ) -> None:
        self.fsrs, self.due_at = schedule(scheduler, self.fsrs, rating, now, exam)
        self.lapses += 1 if rating == Rating.Again and self.reviews else 0
        self.reviews += 1
        self.version += 1


@cache
def _locked_cards_query() -> Select:
    # Every submit runs it: built once and reused with parameters.
    return (
        select(StudyCard)
        .where(
            StudyCard.user_id == bindparam("user_id"),
            StudyCard.question_id.in_(bindparam("question_ids", expanding=True)),
        )
        .order_by(StudyCard.id)
        .with_for_update()
    )


def record_quiz_attempt(
    session: Session, scheduler: Scheduler, attempt: Attempt, now: datetime
) -> int:
    """A graded quiz answer reviews its card: missed questions come back in study.

    A submit reviews every answer's card at once, so the statements it runs do not grow
    with the quiz: one read of the cards, the exam dates once (and the cards' banks when an
    exam is ahead), then one batch each of new cards, card updates and reviews.
    """
    rows = [r for r in attempt.questions if r.version.type in STUDY_TYPES and r.awarded is not None]
    if not rows:
        return 0
    question_ids = sorted({r.version.question_id for r in rows})
    # Locked in id order (PostgreSQL; SQLite's submit already holds the write lock): a study
    # rating racing this submit waits, then finds the card moved on and is voided.
    cards = {
        c.question_id: c
        for c in session.scalars(
            _locked_cards_query(), {"user_id": attempt.user_id, "question_ids": question_ids}
        )
    }
    caps = exam_caps(session, attempt.user, now)
    # The banks matter only to cap intervals before an exam; most submits have none ahead.
    bank_of: dict[int, int] = {}
    if caps:
        bank_of = dict(
            session.execute(
                select(bank_models.Question.id, bank_models.Question.bank_id).where(
                    bank_models.Question.id.in_(question_ids)
                )
            ).all()
        )
    states: dict[int, _CardState] = {}
    reviews: list[tuple[int, dict[str, Any]]] = []
    for row in rows:
        question_id = row.version.question_id
        state = states.setdefault(
            question_id, _CardState.of(cards.get(question_id), question_id, now)
        )
        fraction = row.awarded / row.points if row.points else 0.0
        correct = fraction >= 0.999
        rating = Rating.Good if correct else Rating.Again
        review = {
            "user_id": attempt.user_id,
            "question_id": question_id,
            "version_id": row.version_id,
            "source": "quiz",
            "card_version": state.version,
            "answered_at": now,
            "response": row.response,
            "fraction": fraction,
            "correct": correct,
            "rating": int(rating),
            "status": ReviewStatus.APPLIED,
        }
        state.review(scheduler, rating, now, caps.get(bank_of.get(question_id, -1)))
        reviews.append((question_id, review))
    card_ids = _write_cards(session, attempt.user_id, states, now)
    # Core inserts in one executemany, into the table itself: the ORM would insert row by
    # row on SQLite to read back each id (nothing here needs them), and even its bulk path
    # costs a submit more than the statement does.
    session.execute(
        insert(StudyReview.__table__),
        [{**review, "card_id": card_ids[question_id]} for question_id, review in reviews],
    )
    return len(reviews)


def _write_cards(
    session: Session, user_id: int, states: dict[int, _CardState], now: datetime
) -> dict[int, int]:
    """Insert the new cards and update the known ones, one batch each; card ids by question."""
    new = [
        {
            "user_id": user_id,
            "question_id": question_id,
            "fsrs": state.fsrs,
            "due_at": state.due_at,
            "version": state.version,
            "reviews": state.reviews,
            "lapses": state.lapses,
            "created_at": now,
            "last_review_at": now,
        }
        for question_id, state in states.items()
        if state.card is None
    ]
    card_ids = {qid: s.card.id for qid, s in states.items() if s.card is not None}
    if new:
        # One batch that hands back the new ids (RETURNING on both databases), not a
        # second query to find them.
        table = StudyCard.__table__
        created = session.execute(insert(table).returning(table.c.question_id, table.c.id), new)
        card_ids.update({question_id: card_id for question_id, card_id in created})
    known = [s for s in states.values() if s.card is not None]
    if known:
        table = StudyCard.__table__
        moved = session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
            .values(
                fsrs=bindparam("b_fsrs", type_=table.c.fsrs.type),
                due_at=bindparam("b_due", type_=table.c.due_at.type),
                version=bindparam("b_new_version"),
                reviews=bindparam("b_reviews"),
                lapses=bindparam("b_lapses"),
                last_review_at=bindparam("b_now", type_=table.c.last_review_at.type),
            ),
            [
                {
                    "b_id": s.card.id,
                    "b_version": s.card.version,
                    "b_fsrs": s.fsrs,
                    "b_due": s.due_at,
                    "b_new_version": s.version,
                    "b_reviews": s.reviews,
                    "b_lapses": s.lapses,
                    "b_now": now,
                }
                for s in known
            ],
        ).rowcount
        if moved != len(known):
            # The cards are locked (or the database is), so this means a bug, not a race:
            # fail the submit whole rather than record reviews that did not apply.
            raise RuntimeError("study cards changed while locked for a quiz submit")
        for s in known:
            session.expire(s.card, list(_MOVED))
    return card_ids


def _on_attempt_graded(session: Session, attempt: Attempt, now: datetime) -> None:
    record_quiz_attempt(session, app_scheduler(), attempt, now)


def init_app(_app: Flask) -> None:
    """Listen for graded attempts (blinker keeps one connection however often this runs)."""
    attempt_graded.connect(_on_attempt_graded)
