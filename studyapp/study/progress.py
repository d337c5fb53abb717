"""What a student knows: mastery per bank and tag, reviews due, activity, quiz history.

Mastery of a question is the predicted chance of recalling it at the *horizon*: tomorrow
(24 hours from now), or the class's exam date when one is set and still ahead. It is the
FSRS retrievability of the student's card at that moment, counted only while the latest
answer to the question was right; a question whose latest answer was wrong (rated Again)
counts 0 until it is answered right again, and so does one never studied.

Retrievability *now* cannot serve: a card rated Again a minute ago has retrievability 1.
Even at tomorrow FSRS's forgetting curve is deliberately flat after a lapse (about 0.77
after a first wrong answer), so on its own it would call a question just missed mostly
known. A question counted 0 for a wrong answer is always due today (FSRS brings it back
within minutes), so "due" and mastery agree: a card is due before the horizon when its
predicted recall there has fallen below the 90% the scheduler aims for, or when it lapsed.

Mastery of a bank or tag is the mean over its active questions that study mode uses.
"Seen" is the share of those with a card.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fsrs import Card, Rating
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from studyapp.attempts.models import Attempt
from studyapp.attempts.review import kept_score, review_access
from studyapp.attempts.visibility import key_visibility
from studyapp.auth.models import User
from studyapp.banks import models as bank_models
from studyapp.classes.models import Course
from studyapp.quizzes.models import Quiz
from studyapp.study.models import ReviewStatus, StudyCard, StudyReview
from studyapp.study.scope import STUDY_TYPES, course_bank_ids, studyable_banks
from studyapp.study.services import exam_caps, make_scheduler

CALENDAR_DAYS = 84
#: Mastery looks this far ahead when no exam date is set.
HORIZON = timedelta(days=1)


@dataclass(frozen=True)
class Mastery:
    label: str
    questions: int
    seen: int
    mastery: float  # 0..1


def _retrievability(
    cards: dict[int, StudyCard],
    question_ids: list[int],
    at: datetime | Mapping[int, datetime],
    right: Mapping[int, bool] | None = None,
) -> list[float]:
    """Each question's mastery: predicted recall at ``at`` (one time, or one per question),
    0 when never studied or when ``right`` says its latest answer was wrong."""
    scheduler = make_scheduler(False)
    values = []
    for qid in question_ids:
        card = cards.get(qid)
        if card is None or card.last_review_at is None or (right and not right.get(qid, True)):
            values.append(0.0)
            continue
        when = at if isinstance(at, datetime) else at[qid]
        values.append(
            scheduler.get_card_retrievability(Card.from_dict(card.fsrs), current_datetime=when)
        )
    return values


def horizon(now: datetime, exam: datetime | None) -> datetime:
    """When mastery is predicted for: the exam if one is ahead, else tomorrow."""
    return exam if exam is not None and exam > now else now + HORIZON


def bank_horizons(
    session: Session, user: User, bank_ids: Collection[int], now: datetime
) -> dict[int, datetime]:
    """Per bank, the horizon for this student: the earliest exam ahead of a class that
    studies it, else tomorrow."""
    exams = exam_caps(session, user, now)
    return {b: horizon(now, exams.get(b)) for b in bank_ids}


def latest_right(session: Session, user_ids: list[int]) -> dict[int, dict[int, bool]]:
    """Per student and question: whether the latest applied answer was right (not Again)."""
    latest = (
        select(func.max(StudyReview.id))
        .where(StudyReview.user_id.in_(user_ids), StudyReview.status == ReviewStatus.APPLIED)
        .group_by(StudyReview.card_id)
    )
    result: dict[int, dict[int, bool]] = defaultdict(dict)
    for uid, qid, rating in session.execute(
        select(StudyReview.user_id, StudyReview.question_id, StudyReview.rating).where(
            StudyReview.id.in_(latest)
        )
    ):
        result[uid][qid] = rating is not None and rating > int(Rating.Again)
    return result


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
    horizons: Mapping[int, datetime],
    right: Mapping[int, bool],
) -> tuple[list[Mastery], list[Mastery]]:
    """Mastery per bank and per tag for one student.

    :param horizons: bank id -> when recall is predicted for (see `bank_horizons`).
    :param right: question id -> whether the latest answer was right.
    """
    by_bank: dict[int, list[int]] = defaultdict(list)
    by_tag: dict[str, list[int]] = defaultdict(list)
    at: dict[int, datetime] = {}
    for qid, bid, tags in questions:
        by_bank[bid].append(qid)
        at[qid] = horizons[bid]
        for tag in tags:
            by_tag[tag].append(qid)

    def row(label: str, ids: list[int]) -> Mastery:
        values = _retrievability(cards, ids, at, right)
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


def activity(
    session: Session, user: User, now: datetime, tz: ZoneInfo, only: set[int] | None = None
) -> Activity:
    """Reviews per local day over the last 12 weeks, and the current streak of days.

    :param only: count only reviews of these questions.
    """
    since = now - timedelta(days=CALENDAR_DAYS + 1)
    query = select(StudyReview.answered_at).where(
        StudyReview.user_id == user.id,
        StudyReview.answered_at >= since,
        StudyReview.status == ReviewStatus.APPLIED,
    )
    if only is not None:
        query = query.where(StudyReview.question_id.in_(only))
    stamps = session.scalars(query).all()
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


def due_counts(
    session: Session,
    user: User,
    now: datetime,
    tz: ZoneInfo,
    *,
    hidden: frozenset[int] = frozenset(),
    only: set[int] | None = None,
) -> tuple[int, int]:
    """Reviews due by the end of today and by the end of the coming week (local time).

    :param hidden: questions whose cards are left out (a quiz still holds them).
    :param only: count only cards of these questions.
    """
    end_today = datetime.combine(now.astimezone(tz).date() + timedelta(days=1), time(), tz)

    def count(until: datetime) -> int:
        query = select(func.count(StudyCard.id)).where(
            StudyCard.user_id == user.id,
            StudyCard.due_at < until,
            StudyCard.last_review_at.is_not(None),
        )
        if hidden:
            query = query.where(StudyCard.question_id.not_in(hidden))
        if only is not None:
            query = query.where(StudyCard.question_id.in_(only))
        return session.scalar(query) or 0

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


def quiz_history(
    session: Session, user: User, now: datetime, course_ids: set[int] | None = None
) -> list[QuizResult]:
    """The student's kept quiz scores whose release the quiz's settings allow, oldest first.

    :param course_ids: only quizzes of these classes (an instructor sees their own classes).
    """
    query = (
        select(Attempt)
        .options(selectinload(Attempt.quiz))
        .where(
            Attempt.user_id == user.id,
            Attempt.is_preview.is_(False),
            Attempt.submitted_at.is_not(None),
        )
        .order_by(Attempt.submitted_at)
    )
    if course_ids is not None:
        query = query.join(Quiz, Quiz.id == Attempt.quiz_id).where(Quiz.course_id.in_(course_ids))
    attempts = session.scalars(query).all()
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


def student_mastery(
    session: Session,
    user: User,
    questions: list[tuple[int, int, list[str]]],
    labels: dict[int, str],
    now: datetime,
) -> tuple[list[Mastery], list[Mastery]]:
    """One student's mastery per bank and tag at each bank's horizon."""
    cards = user_cards(session, [user.id]).get(user.id, {})
    horizons = bank_horizons(session, user, {bid for _, bid, _ in questions}, now)
    right = latest_right(session, [user.id]).get(user.id, {})
    return mastery_table(questions, cards, labels, horizons, right)


def predicted_recall(
    cards_by_user: dict[int, dict[int, StudyCard]],
    user_ids: list[int],
    question_ids: list[int],
    at: datetime,
    right_by_user: Mapping[int, Mapping[int, bool]] | None = None,
) -> float:
    """Mean mastery at ``at`` over students and questions (unstudied and lapsed count 0)."""
    rights = right_by_user or {}
    values = [
        v
        for uid in user_ids
        for v in _retrievability(cards_by_user.get(uid, {}), question_ids, at, rights.get(uid, {}))
    ]
    return sum(values) / len(values) if values else 0.0


def progress_page(
    session: Session, user: User, now: datetime, tz: ZoneInfo, course: Course | None = None
) -> dict[str, Any]:
    """What a progress page shows: the student's own, or one class's view of a student.

    The student sees every class but nothing a quiz still holds from them (see
    attempts/visibility.py). An instructor (``course`` given) sees only that class: its
    banks, its quizzes, and due reviews and activity on its banks' questions.
    """
    if course is None:
        vis = key_visibility(session, user, now)
        banks = {b.id: b for bs in studyable_banks(session, user).values() for b in bs}
        questions = [q for q in bank_questions(session, set(banks)) if q[0] not in vis.held]
        only, hidden, course_ids = None, vis.held, None
    else:
        bank_ids = course_bank_ids(session, [course.id], with_quizzes=True)[course.id]
        banks = {
            b.id: b
            for b in session.scalars(
                select(bank_models.Bank).where(bank_models.Bank.id.in_(bank_ids))
            )
        }
        questions = bank_questions(session, set(banks))
        only, hidden, course_ids = {q[0] for q in questions}, frozenset(), {course.id}
    by_bank, by_tag = student_mastery(
        session, user, questions, {i: b.title for i, b in banks.items()}, now
    )
    due_today, due_week = due_counts(session, user, now, tz, hidden=hidden, only=only)
    return {
        "by_bank": by_bank,
        "by_tag": by_tag,
        "activity": activity(session, user, now, tz, only),
        "due_today": due_today,
        "due_week": due_week,
        "history": quiz_history(session, user, now, course_ids),
    }
