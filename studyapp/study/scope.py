"""What a student may study: the banks their classes opened, and reviewed quizzes' questions.

Every question a quiz still holds from the student (attempts/visibility.py) is left out,
whatever bank it is in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from studyapp.attempts.visibility import KeyVisibility, key_visibility
from studyapp.auth.models import User
from studyapp.banks import models as bank_models
from studyapp.banks import ownership
from studyapp.classes.models import Course, Enrollment, EnrollmentStatus
from studyapp.core.errors import NotFound
from studyapp.quizzes.models import Quiz, QuizItem, QuizStatus
from studyapp.study.models import CourseBank

#: Essays need a person to grade them; study mode leaves them out.
STUDY_TYPES = frozenset(
    {"single", "multiple", "truefalse", "short", "numeric", "ordering", "matching", "blanks"}
)


def active_courses(session: Session, user: User) -> list[Course]:
    return list(
        session.scalars(
            select(Course)
            .join(Enrollment)
            .where(Enrollment.user_id == user.id, Enrollment.status == EnrollmentStatus.ACTIVE)
            .order_by(Course.name)
        )
    )


def course_bank_ids(
    session: Session, course_ids: list[int], with_quizzes: bool = False
) -> dict[int, set[int]]:
    """Bank ids each class opened for study; ``with_quizzes`` adds those its quizzes use.

    Students study only the opened banks: a quiz's banks are not opened by publishing it
    (that let study show the keys of a quiz still being taken). Instructors' reports and
    the exam caps use both.
    """
    result: dict[int, set[int]] = {cid: set() for cid in course_ids}
    for cid, bid in session.execute(
        select(CourseBank.course_id, CourseBank.bank_id).where(CourseBank.course_id.in_(course_ids))
    ):
        result[cid].add(bid)
    if not with_quizzes:
        return result
    drawn = (
        select(Quiz.course_id, QuizItem.bank_id).join(QuizItem).where(QuizItem.bank_id.is_not(None))
    )
    fixed = (
        select(Quiz.course_id, bank_models.Question.bank_id)
        .join(QuizItem, QuizItem.quiz_id == Quiz.id)
        .join(bank_models.Question, bank_models.Question.id == QuizItem.question_id)
    )
    for query in (drawn, fixed):
        for cid, bid in session.execute(
            query.where(Quiz.course_id.in_(course_ids), Quiz.status != QuizStatus.DRAFT)
        ):
            result[cid].add(bid)
    return result


def studyable_banks(session: Session, user: User) -> dict[int, list[bank_models.Bank]]:
    """The banks a student may study (those their instructors opened), by class id."""
    courses = active_courses(session, user)
    ids = course_bank_ids(session, [c.id for c in courses])
    every = {b for bids in ids.values() for b in bids}
    banks = {
        b.id: b
        for b in session.scalars(select(bank_models.Bank).where(bank_models.Bank.id.in_(every)))
    }
    return {
        cid: sorted((banks[b] for b in bids), key=lambda b: b.title) for cid, bids in ids.items()
    }


def studyable_quizzes(
    session: Session, user: User, visibility: KeyVisibility
) -> dict[int, list[Quiz]]:
    """Quizzes whose review released their questions to this student for study, by class id."""
    active = {c.id for c in active_courses(session, user)}
    quizzes = session.scalars(
        select(Quiz).where(Quiz.id.in_(list(visibility.released))).order_by(Quiz.title)
    )
    result: dict[int, list[Quiz]] = {cid: [] for cid in active}
    for quiz in quizzes:
        if quiz.course_id in active and visibility.released[quiz.id] - visibility.held:
            result[quiz.course_id].append(quiz)
    return result


@dataclass(frozen=True)
class Scope:
    """What a session draws from: some banks and released quiz questions, optionally one tag."""

    bank_ids: frozenset[int]
    tag: str | None = None
    #: Questions of reviewed quizzes, studied even when their bank is not open for study.
    question_ids: frozenset[int] = frozenset()


def allowed_bank_ids(session: Session, user: User) -> set[int]:
    return {b.id for banks in studyable_banks(session, user).values() for b in banks}


def visibility(session: Session, user: User, now: datetime) -> KeyVisibility:
    """The student's quiz keys they may see now (the rule quiz review follows too)."""
    return key_visibility(session, user, now)


def choose_scope(
    session: Session,
    user: User,
    now: datetime,
    banks: set[int],
    tag: str | None,
    quiz_id: int | None,
) -> Scope:
    """The scope asked for, limited to what is open to this student; nothing open: NotFound."""
    vis = visibility(session, user, now)
    allowed = allowed_bank_ids(session, user)
    released = {
        qid: ids - vis.held
        for qid, ids in vis.released.items()
        if qid in {q.id for qs in studyable_quizzes(session, user, vis).values() for q in qs}
    }
    if quiz_id is not None:
        if quiz_id not in released or banks:
            raise NotFound("No such quiz to study.")
        return Scope(frozenset(), tag, frozenset(released[quiz_id]))
    if banks:
        chosen = banks & allowed
        if not chosen:
            raise NotFound("No such bank to study.")
        return Scope(frozenset(chosen), tag)
    every = frozenset().union(*released.values()) if released else frozenset()
    return Scope(frozenset(allowed), tag, every)


def scope_questions(
    session: Session, scope: Scope, vis: KeyVisibility
) -> list[tuple[bank_models.Question, bank_models.QuestionVersion]]:
    """The scope's active questions of the study types, minus those a quiz holds."""
    released = scope.question_ids & vis.released_ids
    rows = session.execute(
        select(bank_models.Question, bank_models.QuestionVersion)
        .join(
            bank_models.QuestionVersion,
            (bank_models.QuestionVersion.question_id == bank_models.Question.id)
            & (bank_models.QuestionVersion.number == bank_models.Question.current_number),
        )
        .where(
            bank_models.Question.bank_id.in_(scope.bank_ids)
            | bank_models.Question.id.in_(released),
            bank_models.Question.retired_at.is_(None),
            bank_models.QuestionVersion.type.in_(STUDY_TYPES),
        )
        .order_by(bank_models.Question.bank_id, bank_models.Question.position)
    ).all()
    return [
        (q, v)
        for q, v in rows
        if q.id not in vis.held
        and (scope.tag is None or scope.tag in (v.content.get("tags") or []))
    ]


def bank_choices(session: Session, instructor: User) -> dict[str, str]:
    """The banks an instructor may open to a class for study, slug to title."""
    banks = session.scalars(
        select(bank_models.Bank)
        .where(
            bank_models.Bank.retired_at.is_(None),
            bank_models.Bank.id.in_(ownership.visible_bank_ids(session, instructor)),
        )
        .order_by(bank_models.Bank.title)
    )
    return {b.slug: b.title for b in banks}


def open_bank(session: Session, course: Course, slug: str, instructor: User) -> bank_models.Bank:
    """Open a bank to a class for study (once); flushes, the caller commits."""
    bank = session.scalar(select(bank_models.Bank).where(bank_models.Bank.slug == slug))
    # A bank of other instructors that was not shared with this one is "not found".
    if bank is None or bank.id not in ownership.visible_bank_ids(session, instructor):
        raise NotFound("No such bank.")
    exists = session.scalar(
        select(CourseBank.id).where(
            CourseBank.course_id == course.id, CourseBank.bank_id == bank.id
        )
    )
    if exists is None:
        session.add(CourseBank(course_id=course.id, bank_id=bank.id))
        session.flush()
    return bank
