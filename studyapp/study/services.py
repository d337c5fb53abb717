"""Study mode's rules: what is due, grading a practice answer, and scheduling with FSRS.

Ratings: a wrong answer (less than full marks, or partial credit under half) is Again;
a right answer is Good unless the student picks Hard or Easy; partial credit of at least
half counts as Hard. Times are aware UTC. Cards never fall due after a class's exam date:
an interval that would pass it is cut to one day before the exam (or to the exam itself
when that is under a day away).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, has_app_context
from fsrs import Card, Rating, Scheduler
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from studyapp.auth.models import User
from studyapp.banks import models as bank_models
from studyapp.banks.content import question_from_doc
from studyapp.banks.readings import paragraph_texts
from studyapp.banks.schema import Question
from studyapp.banks.types import Score, deliver, grade, keys_from_positions
from studyapp.core.errors import NotFound
from studyapp.study.models import ReviewStatus, StudyCard, StudyReview
from studyapp.study.scope import (
    STUDY_TYPES,
    Scope,
    active_courses,
    allowed_bank_ids,
    course_bank_ids,
    scope_questions,
    visibility,
)

__all__ = ["STUDY_TYPES", "Scope", "active_courses", "course_bank_ids", "visibility"]

NEW_PER_DAY = 20
RATINGS = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}


def make_scheduler(fuzzing: bool = True) -> Scheduler:
    return Scheduler(desired_retention=0.9, enable_fuzzing=fuzzing)


def app_scheduler() -> Scheduler:
    """The scheduler with this app's settings (fuzzing spreads reviews; tests turn it off)."""
    fuzzing = current_app.config.get("STUDY_FUZZING", True) if has_app_context() else False
    return make_scheduler(fuzzing)


# ---- the queue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NextCard:
    card: StudyCard
    question: Question
    version_id: int
    view: dict[str, Any]
    due_left: int
    new_left: int
    number: int = 1  # this card's place among today's: answered today + 1

    @property
    def label(self) -> str:
        """'Question 4 of 12': today's cards so far, this one, and those still waiting."""
        return f"Question {self.number} of {self.number + self.due_left + self.new_left}"


def answered_today(session: Session, user: User, start_of_day: datetime) -> int:
    """Practice answers this student gave today."""
    return (
        session.scalar(
            select(func.count(StudyReview.id)).where(
                StudyReview.user_id == user.id, StudyReview.answered_at >= start_of_day
            )
        )
        or 0
    )


def new_today(session: Session, user: User, start_of_day: datetime) -> int:
    """Cards this student first met today (a quiz answer counts too)."""
    return (
        session.scalar(
            select(func.count(StudyCard.id)).where(
                StudyCard.user_id == user.id, StudyCard.created_at >= start_of_day
            )
        )
        or 0
    )


def next_card(
    session: Session,
    user: User,
    scope: Scope,
    now: datetime,
    start_of_day: datetime,
    new_limit: int = NEW_PER_DAY,
) -> NextCard | None:
    """Due reviews first (oldest due first), then new questions up to the daily cap."""
    questions = scope_questions(session, scope, visibility(session, user, now))
    ids = [q.id for q, _ in questions]
    cards = {
        c.question_id: c
        for c in session.scalars(
            select(StudyCard).where(StudyCard.user_id == user.id, StudyCard.question_id.in_(ids))
        )
    }
    due = sorted((c for c in cards.values() if c.due_at <= now), key=lambda c: (c.due_at, c.id))
    new = [(q, v) for q, v in questions if q.id not in cards]
    new_left = max(0, new_limit - new_today(session, user, start_of_day))
    if due:
        card = due[0]
        version = next(v for q, v in questions if q.id == card.question_id)
    elif new and new_left:
        question_row, version = new[0]
        card = _new_card(session, user, question_row.id, now)
        new_left -= 1
    else:
        return None
    question = question_from_doc(version.content)
    view = deliver(question, card_seed(card.id, card.version)).view
    return NextCard(
        card,
        question,
        version.id,
        view,
        max(0, len(due) - 1),
        min(new_left, len(new)),
        answered_today(session, user, start_of_day) + 1,
    )


def card_seed(card_id: int, card_version: int) -> int:
    """The delivery seed of one served card: the same on a reload, new once it is rated."""
    return card_id * 7919 + card_version


def _new_card(session: Session, user: User, question_id: int, now: datetime) -> StudyCard:
    fsrs_card = Card(card_id=question_id, due=now)
    card = StudyCard(
        user_id=user.id,
        question_id=question_id,
        fsrs=fsrs_card.to_dict(),
        due_at=now,
        created_at=now,
    )
    session.add(card)
    session.flush()
    return card


# ---- answering and rating ----------------------------------------------------------------


def get_own_card(
    session: Session, user: User, card_id: int, now: datetime, held_too: bool = False
) -> StudyCard:
    """The student's own card of a question open to them; anything else is 'not found'.

    A question a quiz still holds from the student (its key not yet theirs to see) is
    'not found' too, so study never grades it; ``held_too`` lets a rating of an answer
    given before the quiz held it through (a rating shows nothing new).
    """
    card = session.get(StudyCard, card_id)
    if card is None or card.user_id != user.id:
        raise NotFound("No such card.")
    question = session.get(bank_models.Question, card.question_id)
    if question is None:
        raise NotFound("No such card.")
    vis = visibility(session, user, now)
    if not held_too and not vis.may_see(question.id):
        raise NotFound("No such card.")
    opened = question.bank_id in allowed_bank_ids(session, user)
    if not opened and question.id not in vis.released_ids and not held_too:
        raise NotFound("No such card.")
    return card


def answer_kind(session: Session, user: User, card_id: int, version_id: int, now: datetime) -> str:
    """The question type an answer to this card is read as (checks the card is open to them)."""
    card = get_own_card(session, user, card_id, now)
    version = session.get(bank_models.QuestionVersion, version_id)
    if version is None or version.question_id != card.question_id:
        raise NotFound("This answer does not belong to that card.")
    return version.type


@dataclass(frozen=True)
class Answered:
    review: StudyReview
    score: Score
    question: Question
    view: dict[str, Any]
    order: list[str]  # the choice keys by display position, as the card showed them
    #: The cited paragraphs of the reading, as (number, text), when its text is loaded.
    cited: list[tuple[int, str]] = field(default_factory=list)


def answer_form(
    session: Session,
    user: User,
    card_id: int,
    card_version: int,
    version_id: int,
    read_response: Callable[[str], Any],
    now: datetime,
) -> Answered:
    """Grade an answer as the study page sends it: the response is read by question type
    (choices by display position).

    :param read_response: turns the question's type into the grader's response (the
        form's fields depend on the type).
    """
    kind = answer_kind(session, user, card_id, version_id, now)
    done = answer(session, user, card_id, card_version, version_id, read_response(kind), now)
    source = done.question.source
    if source is None:
        return done
    cited = paragraph_texts(session, source.reading, source.paragraphs)
    return Answered(done.review, done.score, done.question, done.view, done.order, cited)


def answer(
    session: Session,
    user: User,
    card_id: int,
    card_version: int,
    version_id: int,
    response: Any,
    now: datetime,
) -> Answered:
    """Grade a practice answer at once; the card changes only when the answer is rated.

    ``response`` is as the card's form posts it: choices by display position.
    """
    card = get_own_card(session, user, card_id, now)
    version = session.get(bank_models.QuestionVersion, version_id)
    if version is None or version.question_id != card.question_id:
        raise NotFound("This answer does not belong to that card.")
    question = question_from_doc(version.content)
    delivered = deliver(question, card_seed(card.id, card_version))
    if question.type in ("single", "multiple"):
        response = keys_from_positions(response, delivered.order)
    score = grade(question, response)
    fraction = score.points / score.max_points if score.max_points else 0.0
    review = StudyReview(
        user_id=user.id,
        card_id=card.id,
        question_id=card.question_id,
        version_id=version.id,
        card_version=card_version,
        answered_at=now,
        response=response,
        fraction=fraction,
        correct=bool(score.correct),
    )
    session.add(review)
    session.flush()
    return Answered(review, score, question, delivered.view, delivered.order)


def rating_for(review: StudyReview, chosen: str | None) -> Rating:
    """Wrong is Again whatever was clicked; right is the student's choice (Good by default)."""
    if not review.correct:
        return Rating.Hard if review.fraction >= 0.5 and chosen == "hard" else Rating.Again
    return RATINGS.get(chosen or "good", Rating.Good)


def exam_caps(session: Session, user: User, now: datetime) -> dict[int, datetime]:
    """The earliest upcoming exam of the student's classes, by bank those classes study."""
    upcoming = [c for c in active_courses(session, user) if c.exam_at and c.exam_at > now]
    if not upcoming:
        return {}
    caps: dict[int, datetime] = {}
    ids = course_bank_ids(session, [c.id for c in upcoming], with_quizzes=True)
    for course_id, bank_ids in ids.items():
        exam = next(c.exam_at for c in upcoming if c.id == course_id)
        for bank_id in bank_ids:
            caps[bank_id] = min(caps.get(bank_id, exam), exam)
    return caps


def exam_cap(session: Session, user: User, question_id: int, now: datetime) -> datetime | None:
    """The earliest upcoming exam of a class of this student that studies this question."""
    bank_id = session.scalar(
        select(bank_models.Question.bank_id).where(bank_models.Question.id == question_id)
    )
    return exam_caps(session, user, now).get(bank_id)


def capped_due(due: datetime, exam: datetime | None, now: datetime) -> datetime:
    """Never schedule past the exam: one day before it, or the exam itself if that is closer."""
    if exam is None or due <= exam:
        return due
    before = exam - timedelta(days=1)
    return before if before > now else max(now, exam - timedelta(hours=1))


def schedule(
    scheduler: Scheduler,
    fsrs_state: dict[str, Any],
    rating: Rating,
    now: datetime,
    exam: datetime | None,
) -> tuple[dict[str, Any], datetime]:
    """The card's FSRS state and due time after one review, capped by the exam."""
    updated, _log = scheduler.review_card(Card.from_dict(fsrs_state), rating, review_datetime=now)
    updated.due = capped_due(updated.due, exam, now)
    return updated.to_dict(), updated.due


def apply_rating(
    session: Session,
    scheduler: Scheduler,
    card: StudyCard,
    review: StudyReview,
    rating: Rating,
    now: datetime,
) -> bool:
    """Move the card on; False (and the review voided) if another answer got there first."""
    exam = exam_cap(session, session.get(User, card.user_id), card.question_id, now)
    fsrs_state, due = schedule(scheduler, card.fsrs, rating, now, exam)
    done = session.execute(
        update(StudyCard)
        .where(StudyCard.id == card.id, StudyCard.version == review.card_version)
        .values(
            fsrs=fsrs_state,
            due_at=due,
            version=StudyCard.version + 1,
            reviews=StudyCard.reviews + 1,
            last_review_at=now,
            lapses=StudyCard.lapses + (1 if rating == Rating.Again and card.reviews else 0),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    review.rating = int(rating)
    review.status = ReviewStatus.APPLIED if done == 1 else ReviewStatus.VOID
    session.flush()
    session.refresh(card)
    return done == 1


def rate(
    session: Session,
    scheduler: Scheduler,
    user: User,
    review_id: int,
    chosen: str | None,
    now: datetime,
) -> tuple[StudyReview, bool]:
    """Apply the student's rating to a pending review (a replayed rating changes nothing)."""
    review = session.get(StudyReview, review_id)
    if review is None or review.user_id != user.id:
        raise NotFound("No such answer.")
    card = get_own_card(session, user, review.card_id, now, held_too=True)
    if review.status != ReviewStatus.PENDING:
        return review, False
    return review, apply_rating(session, scheduler, card, review, rating_for(review, chosen), now)
