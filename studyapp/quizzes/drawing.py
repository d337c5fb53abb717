"""Which questions an attempt gets: fixed slots and random draws from a bank (by tag), with
their current versions, in a constant number of statements whatever the quiz holds."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, or_, select
from sqlalchemy.orm import Session

from studyapp.banks import models as bank_models
from studyapp.banks.searchtext import like_escape
from studyapp.quizzes.models import Quiz, QuizItem


def _tag_pattern(tag: str) -> str:
    return f"%|{like_escape(tag)}|%"


def has_tag(tag: str) -> ColumnElement[bool]:
    """A current version carries ``tag``: matched in SQL on the stored ``|tag|tag|`` list."""
    return bank_models.QuestionVersion.tags_text.like(_tag_pattern(tag), escape="\\")


def _current_version_join() -> ColumnElement[bool]:
    return (bank_models.QuestionVersion.question_id == bank_models.Question.id) & (
        bank_models.QuestionVersion.number == bank_models.Question.current_number
    )


def available_for_draw(session: Session, bank: bank_models.Bank, tag: str | None) -> list[int]:
    """Ids of the active questions of a bank (with a tag) that a draw may pick."""
    query = (
        select(bank_models.Question.id)
        .where(bank_models.Question.bank_id == bank.id, bank_models.Question.retired_at.is_(None))
        .order_by(bank_models.Question.position)
    )
    if tag is not None:
        query = query.join(bank_models.QuestionVersion, _current_version_join()).where(has_tag(tag))
    return list(session.scalars(query))


@dataclass(frozen=True)
class Drawn:
    """One question an attempt gets: which, the version it shows, and its points."""

    question_id: int
    version_id: int
    points: float


def draw_questions(session: Session, quiz: Quiz, seed: int) -> list[Drawn]:
    """The questions an attempt with this seed gets, in order, with their current versions."""
    rng = random.Random(seed)
    picked: list[tuple[int, float]] = []
    items = _item_rows(session, quiz)
    taken: set[int] = {i.question_id for i in items if i.question_id}
    pools, versions = _candidates(session, items)
    for item in items:
        if item.bank_id is None:
            picked.append((item.question_id, item.points))
            continue
        pool = [q for q in pools[(item.bank_id, item.tag or None)] if q not in taken]
        picks = rng.sample(pool, min(item.draw_count, len(pool)))
        taken.update(picks)
        picked.extend((q, item.points) for q in picks)
    if quiz.shuffle_questions:
        rng.shuffle(picked)
    return [Drawn(qid, versions[qid], points) for qid, points in picked]


@cache
def _item_rows_query() -> Select:
    # Statements of a start are built once and reused with parameters: a whole class starts
    # at once, and building a statement costs more than running it.
    item = QuizItem
    return (
        select(item.question_id, item.bank_id, item.tag, item.draw_count, item.points)
        .where(item.quiz_id == bindparam("quiz_id"))
        .order_by(item.position, item.id)
    )


def _item_rows(session: Session, quiz: Quiz) -> list[Any]:
    """The quiz's slots as plain rows, in order (no ORM objects: every start reads them)."""
    return list(session.execute(_item_rows_query(), {"quiz_id": quiz.id}))


@cache
def _candidates_query(fixed: bool, draws: bool, tags: int) -> Select:
    """The candidates' statement for a quiz of this shape (built once per shape)."""
    Q, V = bank_models.Question, bank_models.QuestionVersion
    wanted = []
    if fixed:
        wanted.append(Q.id.in_(bindparam("fixed", expanding=True)))
    if draws:
        wanted.append(Q.bank_id.in_(bindparam("banks", expanding=True)) & Q.retired_at.is_(None))
    matches = (V.tags_text.like(bindparam(f"tag{n}"), escape="\\") for n in range(tags))
    return (
        select(Q.id, Q.bank_id, Q.retired_at.is_(None), V.id, *matches)
        .join(V, _current_version_join())
        .where(or_(*wanted))
        .order_by(Q.bank_id, Q.position)
    )


def _candidates(
    session: Session, items: list[Any]
) -> tuple[dict[tuple[int | None, str | None], list[int]], dict[int, int]]:
    """Every draw's candidates and every question's current version, from one query.

    Every attempt start runs this, however many slots and draws the quiz has: the fixed
    questions and the draw banks' active questions come in one result, each with its current
    version and, per tagged draw, whether that version carries the tag (matched in SQL).
    """
    draws = {(i.bank_id, i.tag or None) for i in items if i.bank_id is not None}
    pools: dict[tuple[int | None, str | None], list[int]] = {key: [] for key in draws}
    fixed = [i.question_id for i in items if i.question_id]
    tags = sorted({tag for _, tag in draws if tag})
    if not fixed and not draws:
        return pools, {}
    params: dict[str, Any] = {f"tag{n}": _tag_pattern(tag) for n, tag in enumerate(tags)}
    if fixed:
        params["fixed"] = fixed
    if draws:
        params["banks"] = sorted({bank for bank, _ in draws})
    rows = session.execute(_candidates_query(bool(fixed), bool(draws), len(tags)), params)
    versions = {}
    for qid, bank_id, active, version_id, *matches in rows:
        versions[qid] = version_id
        if not active:
            continue
        tagged = dict(zip(tags, matches, strict=True))
        for key in ((bank_id, None), *((bank_id, t) for t, hit in tagged.items() if hit)):
            if key in pools:
                pools[key].append(qid)
    return pools, versions
