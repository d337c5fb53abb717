"""What a student knows: mastery per bank and tag, reviews due, activity, quiz history.

Mastery of a question is the FSRS retrievability of its card now (the predicted chance of
recalling it); a question never studied counts 0. Mastery of a bank or tag is the mean over
its active questions that study mode uses. "Seen" is the share of those with a card.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fsrs import Card
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from studyapp.attempts.models import Attempt
from studyapp.attempts.review import kept_score, review_access
from studyapp.auth.models import User
from studyapp.banks import models as bank_models
from studyapp.quizzes.models import Quiz
from studyapp.study.models import ReviewStatus, StudyCard, StudyReview
from studyapp.study.services import STUDY_TYPES, make_scheduler

CALENDAR_DAYS = 84


@dataclass(frozen=True)
class Mastery:
    label: str
    questions: int
    seen: int
    mastery: float  # 0..1


def _retrievability(
    cards: dict[int, StudyCard], question_ids: list[int], at: datetime
) -> list[float]:
    scheduler = make_scheduler(False)
    values = []
    for qid in question_ids:
        card = cards.get(qid)
        if card is None or card.last_review_at is None:
            values.append(0.0)
        else:
            values.append(
                scheduler.get_card_retrievability(Card.from_dict(card.fsrs), current_datetime=at)
            )
    return values


def bank_questions(session: Session, bank_ids: set[int]) -> list[tuple[int, int, list[str]]]:
    """(question id, bank id, tags) of the active questions study mode uses."""
    rows = session.execute(
        select(
            bank_models.Question.id,
            bank_models.Question.bank_id,
            bank_models.QuestionVersion.content,
        )
        .join(
            bank_models.QuestionVersion,
            (bank_models.QuestionVersion.question_id == bank_models.Question.id)
            & (bank_models.QuestionVersion.number == bank_models.Question.current_number),
        )
        .where(
            bank_models.Question.bank_id.in_(bank_ids),
            bank_models.Question.retired_at.is_(None),
            bank_models.QuestionVersion.type.in_(STUDY_TYPES),
        )
    ).all()
    return [(qid, bid, list(content.get("tags") or [])) for qid, bid, content in rows]


def user_cards(session: Session, user_ids: list[int]) -> dict[int, dict[int, StudyCard]]:
    cards: dict[int, dict[int, StudyCard]] = defaultdict(dict)
    for card in session.scalars(select(StudyCard).where(StudyCard.user_id.in_(user_ids))):
        cards[card.user_id][card.question_id] = card
    return cards


def mastery_table(
    questions: list[tuple[int, int, list[str]]],
    cards: dict[int, StudyCard],
    labels: dict[int, str],
    at: datetime,
) -> tuple[list[Mastery], list[Mastery]]:
    """Mastery per bank and per tag for one student."""
    by_bank: dict[int, list[int]] = defaultdict(list)
    by_tag: dict[str, list[int]] = defaultdict(list)
    for qid, bid, tags in questions:
        by_bank[bid].append(qid)
        for tag in tags:
            by_tag[tag].append(qid)

    def row(label: str, ids: list[int]) -> Mastery:
        values = _retrievability(cards, ids, at)
        seen = sum(1 for q in ids if q in cards and cards[q].last_review_at is not None)
        return Mastery(label, len(ids), seen, sum(values) / len(values) if values else 0.0)

    banks = sorted((row(labels[b], ids) for b, ids in by_bank.items()), key=lambda m: m.label)
    tags = sorted((row(t, ids) for t, ids in by_tag.items()), key=lambda m: m.mastery)
    return banks, tags


@dataclass(frozen=True)
class Activity:
    days: list[tuple[date, int]]  # oldest first
    streak: int
    total: int


def activity(session: Session, user: User, now: datetime, tz: ZoneInfo) -> Activity:
    """Reviews per local day over the last 12 weeks, and the current streak of days."""
    since = now - timedelta(days=CALENDAR_DAYS + 1)
    stamps = session.scalars(
        select(StudyReview.answered_at).where(
            StudyReview.user_id == user.id,
            StudyReview.answered_at >= since,
            StudyReview.status == ReviewStatus.APPLIED,
        )
    ).all()
    counts = Counter(s.astimezone(tz).date() for s in stamps)
    today = now.astimezone(tz).date()
    days = [
        (today - timedelta(days=i), counts.get(today - timedelta(days=i), 0))
        for i in range(CALENDAR_DAYS - 1, -1, -1)
    ]
    streak, day = 0, today if counts.get(today) else today - timedelta(days=1)
    while counts.get(day):
        streak, day = streak + 1, day - timedelta(days=1)
    return Activity(days, streak, sum(counts.values()))


def due_counts(session: Session, user: User, now: datetime, tz: ZoneInfo) -> tuple[int, int]:
    """Reviews due by the end of today and by the end of the coming week (local time)."""
    end_today = datetime.combine(now.astimezone(tz).date() + timedelta(days=1), time(), tz)

    def count(until: datetime) -> int:
        return (
            session.scalar(
                select(func.count(StudyCard.id)).where(
                    StudyCard.user_id == user.id,
                    StudyCard.due_at < until,
                    StudyCard.last_review_at.is_not(None),
                )
            )
            or 0
        )

    return count(end_today), count(end_today + timedelta(days=6))


@dataclass(frozen=True)
class QuizResult:
    quiz: Quiz
    submitted_at: datetime
    score: float
    max_score: float

    @property
    def percent(self) -> float:
        return 100 * self.score / self.max_score if self.max_score else 0.0


def quiz_history(session: Session, user: User, now: datetime) -> list[QuizResult]:
    """The student's kept quiz scores whose release the quiz's settings allow, oldest first."""
    attempts = session.scalars(
        select(Attempt)
        .options(selectinload(Attempt.quiz))
        .where(
            Attempt.user_id == user.id,
            Attempt.is_preview.is_(False),
            Attempt.submitted_at.is_not(None),
        )
        .order_by(Attempt.submitted_at)
    ).all()
    by_quiz: dict[int, list[Attempt]] = defaultdict(list)
    for a in attempts:
        by_quiz[a.quiz_id].append(a)
    results = []
    for mine in by_quiz.values():
        last = mine[-1]
        if not review_access(last, now).score:
            continue
        kept = kept_score(mine, last.quiz.grading_policy)
        if kept is not None:
            results.append(QuizResult(last.quiz, last.submitted_at, kept, last.max_score))
    return sorted(results, key=lambda r: r.submitted_at)


def most_missed(
    session: Session, user_ids: list[int], bank_ids: set[int], limit: int = 10
) -> list[tuple[bank_models.Question, int, int]]:
    """Questions most often answered wrong in study by these students: (question, wrong, total)."""
    rows = session.execute(
        select(
            StudyReview.question_id,
            func.count(),
            func.sum(case((StudyReview.correct.is_(False), 1), else_=0)),
        )
        .join(bank_models.Question, bank_models.Question.id == StudyReview.question_id)
        .where(
            StudyReview.user_id.in_(user_ids),
            StudyReview.source == "study",
            bank_models.Question.bank_id.in_(bank_ids),
            StudyReview.status != ReviewStatus.VOID,
        )
        .group_by(StudyReview.question_id)
    ).all()
    ranked = sorted(
        ((qid, int(wrong or 0), total) for qid, total, wrong in rows if wrong),
        key=lambda r: (-r[1], r[0]),
    )[:limit]
    questions = {
        q.id: q
        for q in session.scalars(
            select(bank_models.Question)
            .options(selectinload(bank_models.Question.bank))
            .where(bank_models.Question.id.in_([r[0] for r in ranked]))
        )
    }
    return [(questions[qid], wrong, total) for qid, wrong, total in ranked]


def predicted_recall(
    cards_by_user: dict[int, dict[int, StudyCard]],
    user_ids: list[int],
    question_ids: list[int],
    at: datetime,
) -> float:
    """Mean predicted recall at ``at`` over students and questions (unstudied count 0)."""
    values = [
        v for uid in user_ids for v in _retrievability(cards_by_user.get(uid, {}), question_ids, at)
    ]
    return sum(values) / len(values) if values else 0.0
