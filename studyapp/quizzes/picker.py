"""The question picker: search and filter the banks for a quiz and add several at once
(what a random draw can pick is counted in `drawcounts`).

Every list is built in a fixed number of statements whatever the bank size: one count, one
page of rows, one statement for the page's use in other quizzes and one for its past scores.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from studyapp.attempts.models import Attempt, AttemptQuestion, AttemptStatus
from studyapp.banks import models as bank_models
from studyapp.banks import readings
from studyapp.banks import services as bank_services
from studyapp.banks.content import question_from_doc
from studyapp.banks.schema import DIFFICULTIES
from studyapp.banks.searchtext import fold, like_escape
from studyapp.banks.types import TYPES
from studyapp.core.errors import DomainError, NotFound
from studyapp.gradebook import stats
from studyapp.quizzes.models import Quiz, QuizItem
from studyapp.quizzes.services import check_items_editable

PER_PAGE = 25
#: The most questions one "add selected" may carry; a page holds fewer.
MAX_ADD = 200

Q = bank_models.Question
V = bank_models.QuestionVersion
B = bank_models.Bank


@dataclass(frozen=True)
class PickerFilters:
    """What the instructor searched for; empty strings and None mean 'any'."""

    words: str = ""
    bank_id: int | None = None
    tag: str = ""
    type: str = ""
    difficulty: str = ""
    reading: str = ""
    paragraph: int | None = None
    not_in_quiz: bool = False
    used_elsewhere: bool = False
    page: int = 1


@dataclass(frozen=True)
class PickerRow:
    question_id: int
    bank_slug: str
    bank_title: str
    key: str
    prompt: str
    type: str
    points: float
    difficulty: str
    source: str | None
    in_quiz: bool
    other_quizzes: int
    answered: int
    facility: float | None
    discrimination: float | None


@dataclass(frozen=True)
class PickerPage:
    rows: list[PickerRow]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class PickerChoices:
    """Options of the picker's filter lists."""

    banks: list[tuple[int, str]]
    tags: list[str]
    types: list[str]
    difficulties: tuple[str, ...]
    readings: list[tuple[str, str]]


def _current_join() -> Any:
    return and_(V.question_id == Q.id, V.number == Q.current_number)


def quiz_question_ids(quiz: Quiz) -> set[int]:
    """The questions the quiz holds as fixed items."""
    return {i.question_id for i in quiz.items if i.question_id is not None}


def _filtered(
    query: Select, quiz: Quiz, filters: PickerFilters, bank_ids: set[int] | None
) -> Select:
    """Apply the filters to a select over questions joined to their current version."""
    query = query.where(Q.retired_at.is_(None), B.retired_at.is_(None))
    if bank_ids is not None:
        query = query.where(B.id.in_(bank_ids))
    for word in fold(filters.words).split():
        query = query.where(V.search_text.like(f"%{like_escape(word)}%", escape="\\"))
    if filters.bank_id is not None:
        query = query.where(Q.bank_id == filters.bank_id)
    if filters.tag:
        query = query.where(V.tags_text.like(f"%|{like_escape(filters.tag)}|%", escape="\\"))
    if filters.type:
        query = query.where(V.type == filters.type)
    if filters.difficulty:
        query = query.where(V.difficulty == filters.difficulty)
    if filters.reading:
        query = query.where(V.source_reading == filters.reading)
    if filters.paragraph is not None:
        query = query.where(V.source_paragraphs.like(f"%|{filters.paragraph}|%"))
    if filters.not_in_quiz:
        query = query.where(
            Q.id.not_in(
                select(QuizItem.question_id).where(
                    QuizItem.quiz_id == quiz.id, QuizItem.question_id.is_not(None)
                )
            )
        )
    if filters.used_elsewhere:
        query = query.where(
            Q.id.in_(
                select(QuizItem.question_id).where(
                    QuizItem.quiz_id != quiz.id, QuizItem.question_id.is_not(None)
                )
            )
        )
    return query


def search_questions(
    session: Session,
    quiz: Quiz,
    filters: PickerFilters,
    bank_ids: set[int] | None = None,
    per_page: int = PER_PAGE,
) -> PickerPage:
    """One page of the active questions matching ``filters``, from the banks in ``bank_ids``
    (None: every bank), with their use elsewhere and their past facility and discrimination."""
    base = select(Q.id).join(B, B.id == Q.bank_id).join(V, _current_join())
    total = (
        session.scalar(
            select(func.count()).select_from(_filtered(base, quiz, filters, bank_ids).subquery())
        )
        or 0
    )
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, filters.page), pages)
    query = _filtered(
        select(Q.id, B.slug, B.title, Q.key, V.content, V.type, V.difficulty)
        .join(B, B.id == Q.bank_id)
        .join(V, _current_join()),
        quiz,
        filters,
        bank_ids,
    )
    found = session.execute(
        query.order_by(B.title, Q.position, Q.id).offset((page - 1) * per_page).limit(per_page)
    ).all()
    ids = [r[0] for r in found]
    used = _other_quiz_counts(session, quiz, ids)
    past = _past_scores(session, ids)
    in_quiz = quiz_question_ids(quiz)
    rows = []
    for qid, slug, title, key, content, type_, difficulty in found:
        item_scores, rest = past.get(qid, ([], []))
        rows.append(
            PickerRow(
                question_id=qid,
                bank_slug=slug,
                bank_title=title,
                key=key,
                prompt=content.get("prompt", ""),
                type=type_,
                points=float(content.get("points", 1)),
                difficulty=difficulty,
                source=content.get("source"),
                in_quiz=qid in in_quiz,
                other_quizzes=used.get(qid, 0),
                answered=len(item_scores),
                facility=stats.facility(item_scores, 1.0),
                discrimination=stats.pearson(item_scores, rest),
            )
        )
    return PickerPage(rows, total, page, pages)


def _other_quiz_counts(session: Session, quiz: Quiz, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    return dict(
        session.execute(
            select(QuizItem.question_id, func.count(func.distinct(QuizItem.quiz_id)))
            .where(QuizItem.question_id.in_(ids), QuizItem.quiz_id != quiz.id)
            .group_by(QuizItem.question_id)
        ).all()
    )


def _past_scores(session: Session, ids: list[int]) -> dict[int, tuple[list[float], list[float]]]:
    """Per question, its score fractions in graded attempts and the rest of each attempt.

    Fractions, not points, because the same question is worth different points in different
    quizzes; the rest is the attempt's other questions, as the quiz report compares them.
    """
    if not ids:
        return {}
    awarded = func.coalesce(AttemptQuestion.manual_points, AttemptQuestion.auto_points)
    rows = session.execute(
        select(V.question_id, awarded, AttemptQuestion.points, Attempt.score, Attempt.max_score)
        .join(AttemptQuestion, AttemptQuestion.version_id == V.id)
        .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .where(
            V.question_id.in_(ids),
            Attempt.is_preview.is_(False),
            Attempt.status == AttemptStatus.GRADED,
            awarded.is_not(None),
        )
    ).all()
    out: dict[int, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for qid, points, worth, score, max_score in rows:
        if not worth:
            continue
        rest_max = (max_score or 0) - worth
        item, rest = out[qid]
        item.append(points / worth)
        rest.append(((score or 0) - points) / rest_max if rest_max > 0 else 0.0)
    return dict(out)


def picker_choices(session: Session, bank_ids: set[int] | None = None) -> PickerChoices:
    """The banks, tags and readings the filter lists offer, in three statements."""
    bank_query = select(B.id, B.title).where(B.retired_at.is_(None)).order_by(B.title)
    tag_query = (
        select(V.tags_text)
        .join(Q, _current_join())
        .join(B, B.id == Q.bank_id)
        .where(Q.retired_at.is_(None), B.retired_at.is_(None), V.tags_text != "")
        .distinct()
    )
    if bank_ids is not None:
        bank_query = bank_query.where(B.id.in_(bank_ids))
        tag_query = tag_query.where(B.id.in_(bank_ids))
    tags = {t for (text,) in session.execute(tag_query) for t in text.strip("|").split("|") if t}
    readings = session.execute(
        select(bank_models.Reading.id, bank_models.Reading.title).order_by(
            bank_models.Reading.title
        )
    ).all()
    return PickerChoices(
        banks=[(bid, title) for bid, title in session.execute(bank_query)],
        tags=sorted(tags),
        types=list(TYPES),
        difficulties=DIFFICULTIES,
        readings=[(rid, title) for rid, title in readings],
    )


def add_questions(
    session: Session,
    quiz: Quiz,
    question_ids: list[int],
    points: float,
    bank_ids: set[int] | None = None,
    confirmed: bool = False,
) -> list[QuizItem]:
    """Add several questions as fixed items, in the order given; none is added twice."""
    check_items_editable(session, quiz, confirmed)
    wanted = list(dict.fromkeys(question_ids))
    if not wanted:
        raise DomainError("Tick at least one question to add.")
    if len(wanted) > MAX_ADD:
        raise DomainError(f"Add at most {MAX_ADD} questions at once.")
    found = {
        q.id: q
        for q in session.scalars(
            select(Q)
            .join(B, B.id == Q.bank_id)
            .where(
                Q.id.in_(wanted),
                Q.retired_at.is_(None),
                B.retired_at.is_(None),
                *((B.id.in_(bank_ids),) if bank_ids is not None else ()),
            )
        )
    }
    missing = [qid for qid in wanted if qid not in found]
    if missing:
        raise DomainError("Some ticked questions are no longer available; search again.")
    already = quiz_question_ids(quiz)
    repeated = [found[qid].key for qid in wanted if qid in already]
    if repeated:
        raise DomainError(f"Already in this quiz: {', '.join(repeated)}.")
    items = []
    for qid in wanted:
        item = QuizItem(question=found[qid], points=points, position=len(quiz.items))
        quiz.items.append(item)
        items.append(item)
    session.flush()
    return items


def filter_options(choices: PickerChoices) -> dict[str, list[tuple[str, str]]]:
    """The (value, label) lists of the picker's select fields; '' means any."""
    any_ = [("", "Any")]
    return {
        "bank": any_ + [(str(bid), title) for bid, title in choices.banks],
        "tag": any_ + [(t, t) for t in choices.tags],
        "type": any_ + [(t, t) for t in choices.types],
        "difficulty": any_ + [(d, d) for d in choices.difficulties],
        "reading": any_ + [(rid, title) for rid, title in choices.readings],
    }


def filters_from(values: dict[str, Any]) -> PickerFilters:
    """PickerFilters from the search form's data (unknown values were refused by the form)."""
    bank = values.get("bank") or ""
    return PickerFilters(
        words=(values.get("q") or "").strip(),
        bank_id=int(bank) if bank.isdigit() else None,
        tag=values.get("tag") or "",
        type=values.get("type") or "",
        difficulty=values.get("difficulty") or "",
        reading=values.get("reading") or "",
        paragraph=values.get("paragraph"),
        not_in_quiz=bool(values.get("not_in_quiz")),
        used_elsewhere=bool(values.get("used_elsewhere")),
        page=values.get("page") or 1,
    )


def get_pickable(
    session: Session, question_id: int, bank_ids: set[int] | None = None
) -> bank_models.Question:
    """An active question of a bank the instructor may use."""
    question = session.scalar(
        select(Q)
        .join(B, B.id == Q.bank_id)
        .where(Q.id == question_id, B.retired_at.is_(None), Q.retired_at.is_(None))
    )
    if question is None or (bank_ids is not None and question.bank_id not in bank_ids):
        raise NotFound("No such question.")
    return question


def preview_data(session: Session, question: bank_models.Question) -> dict[str, Any]:
    """What the picker's in-place preview shows: the student's view, the key's explanation
    and the cited paragraphs (the picker is for instructors only)."""
    version = session.scalar(
        select(V).where(V.question_id == question.id, V.number == question.current_number)
    )
    content = question_from_doc(version.content)
    cited = (
        readings.paragraph_texts(session, content.source.reading, content.source.paragraphs)
        if content.source
        else []
    )
    return {"view": bank_services.preview(content), "question": content, "cited": cited}
