"""The quiz report (score distribution, item analysis) and results by reading paragraph.

Which attempts count is the instructor's choice, as in Moodle's statistics report: the
graded attempts by the quiz's grading policy (the kept one; every attempt under
"average"), each student's first, their last, or all attempts. An attempt still awaiting
hand grading is left out until it is graded, as Moodle does: counting its essay as 0 would
move every figure.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from statistics import fmean

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from studyapp.attempts.models import Attempt, AttemptQuestion, AttemptStatus
from studyapp.banks import models as bank_models
from studyapp.banks.schema import Source
from studyapp.classes.models import Course, Enrollment, EnrollmentStatus
from studyapp.gradebook import quizstats, stats
from studyapp.gradebook.services import counted_attempts
from studyapp.quizzes.models import Quiz

#: The report's attempt choices, with the words the page uses.
ATTEMPT_CHOICES: dict[str, str] = {
    "graded": "graded attempts (by the quiz's grading policy)",
    "first": "each student's first attempt",
    "last": "each student's last attempt",
    "all": "all attempts",
}


@dataclass(frozen=True)
class QuestionColumn:
    question_id: int
    label: str
    type: str
    prompt: str
    stats: stats.QuestionStats
    #: Drawn at random (a different question per student) rather than fixed in the quiz.
    drawn: bool = False


@dataclass(frozen=True)
class QuizReport:
    quiz: Quiz
    stats: quizstats.QuizStats
    columns: list[QuestionColumn]
    completed: int
    enrolled: int
    mean_time: timedelta | None
    which: str = "graded"
    #: Attempts left out because they still wait for hand grading.
    awaiting: int = 0


def _counted_attempts(session: Session, quiz: Quiz, which: str) -> tuple[list[Attempt], int]:
    """The attempts the report counts under ``which``, and how many were left out as
    awaiting grading."""
    attempts = session.scalars(
        select(Attempt)
        .options(
            selectinload(Attempt.questions)
            .selectinload(AttemptQuestion.version)
            .selectinload(bank_models.QuestionVersion.question)
            .selectinload(bank_models.Question.bank)
        )
        .where(
            Attempt.quiz_id == quiz.id,
            Attempt.is_preview.is_(False),
            Attempt.submitted_at.is_not(None),
        )
        .order_by(Attempt.user_id, Attempt.number)
    ).all()
    by_user: dict[int, list[Attempt]] = defaultdict(list)
    for a in attempts:
        by_user[a.user_id].append(a)
    chosen: list[Attempt] = []
    for mine in by_user.values():
        if which == "all":
            chosen += mine
        elif which == "first":
            chosen.append(mine[0])
        elif which == "last":
            chosen.append(mine[-1])
        else:
            chosen += counted_attempts(mine, quiz.grading_policy)
    counted = [a for a in chosen if a.status == AttemptStatus.GRADED]
    return counted, len(chosen) - len(counted)


def quiz_report(session: Session, quiz: Quiz, which: str = "graded") -> QuizReport:
    """Statistics of the attempts ``which`` chooses (see `ATTEMPT_CHOICES`), in a fixed
    number of queries."""
    if which not in ATTEMPT_CHOICES:
        raise ValueError(f"unknown attempt choice {which!r}")
    kept, awaiting = _counted_attempts(session, quiz, which)
    fixed = {item.question_id for item in quiz.items if item.question_id is not None}
    order: dict[int, AttemptQuestion] = {}
    for attempt in kept:
        for row in attempt.questions:
            order.setdefault(row.version.question_id, row)
    qids = list(order)
    matrix, counts = [], {qid: defaultdict(int) for qid in qids}
    for attempt in kept:
        mine = {r.version.question_id: r for r in attempt.questions}
        matrix.append([(mine[q].awarded or 0.0) if q in mine else None for q in qids])
        for q, row in mine.items():
            for key in _picked(row):
                counts[q][key] += 1
    maxes = [order[q].points for q in qids]
    keys = [_key(order[q]) for q in qids]
    choice_counts = [dict(counts[q]) if keys[i] is not None else None for i, q in enumerate(qids)]
    drawn = [q not in fixed for q in qids]
    quiz_stats = quizstats.quiz_stats(
        matrix,
        maxes,
        max_total=max((a.max_score for a in kept), default=0.0),
        choice_counts=choice_counts,
        keys=keys,
        drawn=drawn,
    )
    columns = [
        QuestionColumn(
            q,
            f"{order[q].version.question.bank.slug}/{order[q].version.question.key}",
            order[q].version.type,
            order[q].version.content["prompt"],
            s,
            random,
        )
        for q, s, random in zip(qids, quiz_stats.questions, drawn, strict=True)
    ]
    enrolled = (
        session.scalar(
            select(func.count(Enrollment.id)).where(
                Enrollment.course_id == quiz.course_id, Enrollment.status == EnrollmentStatus.ACTIVE
            )
        )
        or 0
    )
    times = [(a.submitted_at - a.started_at).total_seconds() for a in kept if a.submitted_at]
    mean_time = timedelta(seconds=fmean(times)) if times else None
    completed = len({a.user_id for a in kept})
    return QuizReport(quiz, quiz_stats, columns, completed, enrolled, mean_time, which, awaiting)


def _picked(row: AttemptQuestion) -> list[str]:
    if row.version.type == "single" and isinstance(row.response, str):
        return [row.response]
    if row.version.type == "multiple" and isinstance(row.response, list):
        return [k for k in row.response if isinstance(k, str)]
    return []


def _key(row: AttemptQuestion) -> set[str] | None:
    content = row.version.content
    if content["type"] == "single":
        return {content["answer"]}
    if content["type"] == "multiple":
        return set(content["answer"])
    return None


@dataclass(frozen=True)
class ParagraphResult:
    number: int
    questions: int
    answers: int
    facility: float | None
    text: str | None


@dataclass(frozen=True)
class ReadingResults:
    reading: bank_models.Reading
    paragraphs: list[ParagraphResult]

    @property
    def untested(self) -> list[int]:
        return [p.number for p in self.paragraphs if p.questions == 0]


def paragraph_report(session: Session, course: Course) -> list[ReadingResults]:
    """For every paragraph of every reading: questions citing it and the class's results on them."""
    citing: dict[tuple[str, int], set[int]] = defaultdict(set)
    for qid, content in session.execute(
        select(bank_models.Question.id, bank_models.QuestionVersion.content)
        .join(
            bank_models.QuestionVersion,
            (bank_models.QuestionVersion.question_id == bank_models.Question.id)
            & (bank_models.QuestionVersion.number == bank_models.Question.current_number),
        )
        .where(bank_models.Question.retired_at.is_(None))
    ):
        if content.get("source"):
            source = Source.parse(content["source"])
            for n in source.paragraphs:
                citing[(source.reading, n)].add(qid)
    scored: dict[int, list[float]] = defaultdict(list)
    for qid, awarded_manual, awarded_auto, points in session.execute(
        select(
            bank_models.QuestionVersion.question_id,
            AttemptQuestion.manual_points,
            AttemptQuestion.auto_points,
            AttemptQuestion.points,
        )
        .join(AttemptQuestion, AttemptQuestion.version_id == bank_models.QuestionVersion.id)
        .join(Attempt, AttemptQuestion.attempt_id == Attempt.id)
        .join(Quiz, Attempt.quiz_id == Quiz.id)
        .where(
            Quiz.course_id == course.id,
            Attempt.is_preview.is_(False),
            Attempt.submitted_at.is_not(None),
        )
    ):
        awarded = awarded_manual if awarded_manual is not None else awarded_auto
        if awarded is not None and points:
            scored[qid].append(awarded / points)
    readings = session.scalars(
        select(bank_models.Reading)
        .options(selectinload(bank_models.Reading.paragraphs))
        .order_by(bank_models.Reading.id)
    ).all()
    results = []
    for reading in readings:
        texts = {p.number: p.text for p in reading.paragraphs}
        rows = []
        for n in range(1, reading.paragraph_count + 1):
            qids = citing.get((reading.id, n), set())
            values = [v for q in qids for v in scored.get(q, [])]
            rows.append(
                ParagraphResult(
                    n, len(qids), len(values), fmean(values) if values else None, texts.get(n)
                )
            )
        results.append(ReadingResults(reading, rows))
    return results
