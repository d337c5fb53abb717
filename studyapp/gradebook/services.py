"""The gradebook: each student's grade on each quiz under the quiz's policy, with marks.

A cell's grade is an instructor's override if there is one, else the kept attempt score
(highest, last, first or average of finished attempts). Marks: *late* (submitted after the
close time as the student's extra time moves it, i.e. through an extension), *missing*
(closed for the student with no finished attempt; counts as 0), *awaiting grading*,
*excused* (counts in neither total nor maximum), *in progress*, *not started*. The total
adds the cells that have a grade or are missing; the percentage is that total over the same
cells' maximum, unrounded until shown (`studyapp.core.numbers`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from studyapp.attempts.models import Attempt, AttemptStatus
from studyapp.attempts.review import kept_score
from studyapp.attempts.services import GRACE
from studyapp.auth.models import User
from studyapp.classes.models import Course, Enrollment
from studyapp.core.errors import DomainError
from studyapp.core.numbers import percent_of, to_decimal
from studyapp.gradebook.models import GradeChange, GradeOverride
from studyapp.quizzes import services as quizzes
from studyapp.quizzes.models import Accommodation, GradingPolicy, Quiz, QuizStatus
from studyapp.quizzes.services import StudentRules

COUNTED = {"graded", "late", "awaiting", "missing"}
STATUSES = ("graded", "late", "awaiting", "missing", "excused", "in_progress", "not_started")


@dataclass(frozen=True)
class Cell:
    score: float | None
    max_points: float
    status: str
    attempts: int
    attempt_id: int | None
    overridden: bool = False


@dataclass
class Row:
    student: User
    enrollment: Enrollment
    cells: dict[int, Cell] = field(default_factory=dict)

    @property
    def total_exact(self) -> Decimal:
        """The total added in decimal, so 0.1 + 0.2 is 0.3 and a tie rounds as written."""
        return sum(
            (to_decimal(c.score or 0) for c in self.cells.values() if c.status in COUNTED),
            Decimal(0),
        )

    @property
    def total(self) -> float:
        return float(self.total_exact)

    @property
    def max_total(self) -> float:
        return sum(c.max_points for c in self.cells.values() if c.status in COUNTED)

    @property
    def percent(self) -> Decimal | None:
        """Unrounded: pages and files round it once, half up, to the places they show."""
        return percent_of(self.total_exact, self.max_total) if self.max_total else None

    def has(self, status: str) -> bool:
        return any(c.status == status for c in self.cells.values())


@dataclass(frozen=True)
class Gradebook:
    course: Course
    quizzes: list[Quiz]
    rows: list[Row]


def kept_attempt(finished: list[Attempt], policy: GradingPolicy) -> Attempt | None:
    """The attempt the grade comes from (under "average", the last one, for the cell's link)."""
    if not finished:
        return None
    if policy == GradingPolicy.HIGHEST:
        return max(finished, key=lambda a: (a.score or 0.0, -a.number))
    if policy == GradingPolicy.FIRST:
        return finished[0]
    return finished[-1]


def counted_attempts(finished: list[Attempt], policy: GradingPolicy) -> list[Attempt]:
    """Every attempt the grade is made of: all scored ones under "average", else the kept one."""
    if policy == GradingPolicy.AVERAGE:
        return [a for a in finished if a.score is not None]
    kept = kept_attempt(finished, policy)
    return [kept] if kept is not None else []


def is_late(attempt: Attempt, quiz: Quiz, rules: StudentRules) -> bool:
    """Submitted after the close time as the student's extra time moved it.

    Extra time moves a student's close time by the same amount, so a submit inside that
    window is on time; only a real extension (a later close set for the student) lets a
    submit land past it. Answers within the network grace after a deadline are on time.
    """
    if quiz.closes_at is None or attempt.submitted_at is None:
        return False
    submitted = attempt.submitted_at
    if submitted.tzinfo is None:
        submitted = submitted.replace(tzinfo=UTC)
    closes = quiz.closes_at if quiz.closes_at.tzinfo else quiz.closes_at.replace(tzinfo=UTC)
    return submitted > closes + rules.extra_time + GRACE


def _cell(
    quiz: Quiz,
    mine: list[Attempt],
    override: GradeOverride | None,
    rules: StudentRules,
    max_points: float,
    now: datetime,
) -> Cell:
    finished = [a for a in mine if not a.is_open]
    kept = kept_attempt(finished, quiz.grading_policy)
    link = kept.id if kept else (mine[-1].id if mine else None)
    if override is not None and override.excused:
        return Cell(None, max_points, "excused", len(mine), link, True)
    if override is not None and override.points is not None:
        return Cell(override.points, max_points, "graded", len(mine), link, True)
    if kept is not None:
        score = kept_score(finished, quiz.grading_policy)
        if any(a.status == AttemptStatus.AWAITING_GRADING for a in finished):
            status = "awaiting"
        elif any(is_late(a, quiz, rules) for a in counted_attempts(finished, quiz.grading_policy)):
            status = "late"
        else:
            status = "graded"
        return Cell(score, max_points, status, len(mine), link)
    if mine:
        return Cell(None, max_points, "in_progress", len(mine), link)
    closes = rules.closes_at
    closed = quiz.status == QuizStatus.CLOSED or (closes is not None and now >= closes)
    return Cell(
        0.0 if closed else None, max_points, "missing" if closed else "not_started", 0, None
    )


def build_gradebook(
    session: Session, course: Course, now: datetime, user_ids: list[int] | None = None
) -> Gradebook:
    """Every student's cells (or those of ``user_ids``) in six queries, whatever the class size."""
    quiz_list = list(
        session.scalars(
            select(Quiz)
            .options(selectinload(Quiz.items))
            .where(Quiz.course_id == course.id, Quiz.status != QuizStatus.DRAFT)
            .order_by(Quiz.closes_at.is_(None), Quiz.closes_at, Quiz.id)
        )
    )
    ids = [q.id for q in quiz_list]
    enrollments = list(
        session.scalars(
            select(Enrollment)
            .join(User, Enrollment.user_id == User.id)
            .options(selectinload(Enrollment.user))
            .where(Enrollment.course_id == course.id, *_only(Enrollment.user_id, user_ids))
            .order_by(Enrollment.status, User.name)
        )
    )
    attempts: dict[tuple[int, int], list[Attempt]] = defaultdict(list)
    for a in session.scalars(
        select(Attempt)
        .where(Attempt.quiz_id.in_(ids), Attempt.is_preview.is_(False))
        .where(*_only(Attempt.user_id, user_ids))
        .order_by(Attempt.number)
    ):
        attempts[(a.user_id, a.quiz_id)].append(a)
    overrides = {
        (o.user_id, o.quiz_id): o
        for o in session.scalars(
            select(GradeOverride).where(
                GradeOverride.quiz_id.in_(ids), *_only(GradeOverride.user_id, user_ids)
            )
        )
    }
    accs = {
        (a.user_id, a.quiz_id): a
        for a in session.scalars(
            select(Accommodation).where(
                Accommodation.quiz_id.in_(ids), *_only(Accommodation.user_id, user_ids)
            )
        )
    }
    maxes = {q.id: quizzes.max_points(q) for q in quiz_list}
    rows = []
    for enrollment in enrollments:
        row = Row(enrollment.user, enrollment)
        for quiz in quiz_list:
            key = (enrollment.user_id, quiz.id)
            rules = quizzes.student_rules(quiz, enrollment, accs.get(key))
            mine = attempts.get(key, [])
            max_points = mine[0].max_score if mine else maxes[quiz.id]
            row.cells[quiz.id] = _cell(quiz, mine, overrides.get(key), rules, max_points, now)
        rows.append(row)
    return Gradebook(course, quiz_list, rows)


def _only(column, user_ids: list[int] | None) -> tuple:
    return () if user_ids is None else (column.in_(user_ids),)


def filter_and_sort(
    book: Gradebook,
    *,
    student: str = "",
    status: str = "",
    quiz_ids: set[int] | None = None,
    sort: str = "name",
    descending: bool = False,
) -> tuple[list[Quiz], list[Row]]:
    """The rows and columns the gradebook page shows after its filters and sort."""
    quizzes_shown = [q for q in book.quizzes if not quiz_ids or q.id in quiz_ids]
    needle = student.casefold().strip()
    rows = [
        r
        for r in book.rows
        if (
            not needle
            or needle in r.student.name.casefold()
            or needle in r.student.email
            or needle in (r.student.student_number or "").casefold()
        )
        and (not status or any(r.cells[q.id].status == status for q in quizzes_shown))
    ]
    if sort == "total":
        rows.sort(key=lambda r: (r.percent is None, r.percent or 0.0), reverse=descending)
    elif sort.isdigit() and int(sort) in {q.id for q in book.quizzes}:
        qid = int(sort)
        rows.sort(
            key=lambda r: (r.cells[qid].score is None, r.cells[qid].score or 0.0),
            reverse=descending,
        )
    else:
        rows.sort(
            key=lambda r: (not r.enrollment.is_active, r.student.name.casefold()),
            reverse=descending,
        )
    return quizzes_shown, rows


def set_override(
    session: Session,
    quiz: Quiz,
    user_id: int,
    *,
    points: float | None,
    excused: bool,
    reason: str,
    by: User,
    now: datetime,
) -> GradeOverride | None:
    """Override or excuse a student's grade on a quiz (or clear both); every change is logged."""
    reason = reason.strip()
    if not reason:
        raise DomainError("Give a reason: it is kept in the grade history.")
    maximum = quizzes.max_points(quiz)
    if points is not None and not 0 <= points <= maximum:
        raise DomainError(f"Points must be between 0 and {maximum:g}.")
    override = session.scalar(
        select(GradeOverride).where(
            GradeOverride.quiz_id == quiz.id, GradeOverride.user_id == user_id
        )
    )
    old = override.points if override else None
    if points is None and not excused:
        action = "cleared"
        if override is not None:
            session.delete(override)
            override = None
    else:
        action = "excused" if excused else "overridden"
        if override is None:
            override = GradeOverride(quiz_id=quiz.id, user_id=user_id, reason=reason)
            session.add(override)
        override.points, override.excused, override.reason = (
            (None if excused else points),
            excused,
            reason,
        )
        override.changed_by_id, override.changed_at = by.id, now
    session.add(
        GradeChange(
            quiz_id=quiz.id,
            user_id=user_id,
            action=action,
            old_points=old,
            new_points=None if excused else points,
            reason=reason,
            changed_by_id=by.id,
            changed_at=now,
        )
    )
    session.flush()
    return override


def grade_history(
    session: Session, quiz_ids: list[int], user_id: int | None = None
) -> list[GradeChange]:
    query = (
        select(GradeChange)
        .options(selectinload(GradeChange.changed_by))
        .where(GradeChange.quiz_id.in_(quiz_ids))
        .order_by(GradeChange.changed_at.desc())
    )
    if user_id is not None:
        query = query.where(GradeChange.user_id == user_id)
    return list(session.scalars(query))
