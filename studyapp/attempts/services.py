"""Rules for attempts: start, save, submit once, close at the deadline, grade, review."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from blinker import Namespace
from sqlalchemy import Select, bindparam, insert, select, update
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from studyapp.attempts.models import Attempt, AttemptQuestion, AttemptStatus
from studyapp.auth.models import User
from studyapp.banks import models as bank_models
from studyapp.banks.content import question_from_doc
from studyapp.banks.schema import Question
from studyapp.banks.types import choice_order, deliver, delivery_rng, grade
from studyapp.classes.models import Enrollment, EnrollmentStatus
from studyapp.core.errors import DomainError, NotFound
from studyapp.quizzes import drawing
from studyapp.quizzes import services as quizzes
from studyapp.quizzes.models import Accommodation, Quiz, QuizStatus

#: Sent with (session, attempt, now) once an attempt is graded; study mode listens.
attempt_graded = Namespace().signal("attempt-graded")

#: Answers that reach the server this soon after the deadline still count (network delay).
GRACE = timedelta(seconds=3)


class AttemptClosed(DomainError):
    """The attempt no longer takes answers."""


class QuizUnavailable(DomainError):
    """The quiz cannot be started now."""


def _question(version: bank_models.QuestionVersion) -> Question:
    return question_from_doc(version.content)


#: What attempt pages, grading and study read of a question version; the rest (search text,
#: tags, source) is for the bank pages, and loading it for every row cost every request.
_VERSION_FIELDS = (
    bank_models.QuestionVersion.id,
    bank_models.QuestionVersion.question_id,
    bank_models.QuestionVersion.number,
    bank_models.QuestionVersion.type,
    bank_models.QuestionVersion.content,
)


def get_attempt(session: Session, attempt_id: int, questions: bool = True) -> Attempt:
    """An attempt with its quiz and, unless ``questions`` is False, its questions' versions."""
    options = [joinedload(Attempt.quiz, innerjoin=True)]
    if questions:
        options.append(
            joinedload(Attempt.questions)
            .joinedload(AttemptQuestion.version, innerjoin=True)
            .load_only(*_VERSION_FIELDS)
        )
    # One join, not a second SELECT for the questions: the whole class loads this page in
    # the seconds after the start (one statement and a tenth of the page's CPU fewer).
    found = session.execute(select(Attempt).options(*options).where(Attempt.id == attempt_id))
    attempt = found.unique().scalar_one_or_none()
    if attempt is None:
        raise NotFound("No such attempt.")
    return attempt


def get_own_attempt(
    session: Session, attempt_id: int, user: User, questions: bool = True
) -> Attempt:
    """The user's own attempt; anyone else's is 'not found'."""
    attempt = get_attempt(session, attempt_id, questions)
    if attempt.user_id != user.id:
        raise NotFound("No such attempt.")
    return attempt


def list_attempts(session: Session, quiz: Quiz, user: User) -> list[Attempt]:
    return list(
        session.scalars(
            select(Attempt)
            .where(Attempt.quiz_id == quiz.id, Attempt.user_id == user.id)
            .order_by(Attempt.number)
        )
    )


def _enrollment(session: Session, quiz: Quiz, user: User) -> Enrollment | None:
    return session.scalar(
        select(Enrollment).where(
            Enrollment.course_id == quiz.course_id,
            Enrollment.user_id == user.id,
            Enrollment.status == EnrollmentStatus.ACTIVE,
        )
    )


@cache
def _student_quiz_query() -> Select:
    # Built once and reused with parameters (see _attempt_for_save_query): every student
    # opening or starting a quiz runs it.
    return (
        select(Quiz, Enrollment, Accommodation)
        .join(
            Enrollment,
            (Enrollment.course_id == Quiz.course_id)
            & (Enrollment.user_id == bindparam("user_id"))
            & (Enrollment.status == EnrollmentStatus.ACTIVE),
        )
        .outerjoin(
            Accommodation,
            (Accommodation.quiz_id == Quiz.id) & (Accommodation.user_id == bindparam("user_id")),
        )
        .where(Quiz.id == bindparam("quiz_id"), Quiz.status != QuizStatus.DRAFT)
    )


def get_student_quiz(
    session: Session, quiz_id: int, user: User
) -> tuple[Quiz, quizzes.StudentRules]:
    """A published quiz of one of the student's classes with their rules, in one query.

    A draft, or a quiz of a class the student is not active in, is 'not found'.
    """
    # One join, not a second SELECT for the questions: the whole class loads this page in
    # the seconds after the start (one statement and a tenth of the page's CPU fewer).
    found = session.execute(_student_quiz_query(), {"quiz_id": quiz_id, "user_id": user.id}).first()
    if found is None:
        raise NotFound("No such quiz.")
    quiz, enrollment, accommodation = found
    return quiz, quizzes.student_rules(quiz, enrollment, accommodation)


def rules_for(session: Session, quiz: Quiz, user: User) -> quizzes.StudentRules:
    return quizzes.student_rules(
        quiz, _enrollment(session, quiz, user), quizzes.get_accommodation(session, quiz, user.id)
    )


def start_attempt(
    session: Session,
    quiz: Quiz,
    user: User,
    now: datetime,
    preview: bool = False,
    rules: quizzes.StudentRules | None = None,
) -> Attempt:
    """Resume the open attempt, or start a new one with its questions and deadline fixed.

    Two starts at once (a double click, two tabs) give the same attempt: the first
    statement locks the student's row (a no-op UPDATE: a row lock on PostgreSQL, the write
    lock on SQLite), so the second start waits, then finds the first one's attempt open.

    :param rules: the student's rules when the caller has already read them (the start
        view reads them with the quiz); read here otherwise.
    """
    session.execute(
        update(User)
        .where(User.id == user.id)
        .values(id=User.id)
        .execution_options(synchronize_session=False)
    )
    previous, _closed = list_attempts_closing_expired(session, quiz, user, now)
    current = next((a for a in previous if a.is_open and a.is_preview == preview), None)
    if current is not None:
        return current
    rules = rules or rules_for(session, quiz, user)
    if not preview:
        _check_can_start(quiz, rules, [a for a in previous if not a.is_preview], now)
    seed = secrets.randbelow(2**31)
    attempt = Attempt(
        quiz_id=quiz.id,
        user_id=user.id,
        number=len(previous) + 1,
        is_preview=preview,
        seed=seed,
        started_at=now,
        deadline_at=rules.deadline(now),
    )
    drawn = drawing.draw_questions(session, quiz, seed)
    attempt.max_score = sum(d.points for d in drawn)
    session.add(attempt)
    session.flush()
    # One multi-row INSERT, however many questions: a whole class starts at once, and the
    # ORM would send these one by one to learn each row's id, which nothing here needs.
    if drawn:
        session.execute(
            insert(AttemptQuestion),
            [
                {
                    "attempt_id": attempt.id,
                    "position": position,
                    "version_id": d.version_id,
                    "points": d.points,
                }
                for position, d in enumerate(drawn)
            ],
        )
    session.expire(attempt, ["questions"])
    return attempt


def list_attempts_closing_expired(
    session: Session, quiz: Quiz, user: User, now: datetime
) -> tuple[list[Attempt], bool]:
    """The student's attempts at the quiz, after grading any open one past its deadline.

    True with them when one was graded (the caller commits): a start page opened during
    the exam then writes nothing unless something actually expired.
    """
    previous = list_attempts(session, quiz, user)
    expired = [
        a
        for a in previous
        if a.is_open and (a.deadline_at < now - GRACE or quiz.status == QuizStatus.CLOSED)
    ]
    for attempt in expired:
        finalize(session, get_attempt(session, attempt.id), now, "deadline")
    return previous, bool(expired)


def _check_can_start(
    quiz: Quiz, rules: quizzes.StudentRules, previous: list[Attempt], now: datetime
) -> None:
    if quiz.status != QuizStatus.PUBLISHED:
        raise QuizUnavailable("This quiz is not open.")
    if not quiz.has_opened(now):
        raise QuizUnavailable("This quiz has not opened yet.")
    if rules.closes_at is not None and now >= rules.closes_at:
        raise QuizUnavailable("This quiz has closed.")
    if rules.attempts_allowed and len(previous) >= rules.attempts_allowed:
        raise QuizUnavailable("You have used all your attempts at this quiz.")


@dataclass(frozen=True)
class ShownQuestion:
    """A question as the attempt page shows it: the student view and the saved state.

    ``order`` lists the choice keys by display position; it never reaches the page.
    """

    row: AttemptQuestion
    view: dict[str, Any]
    order: list[str]


def shown_questions(attempt: Attempt) -> list[ShownQuestion]:
    """The attempt's questions with their views; choice order is fixed by the attempt's seed."""
    shown = []
    for row in attempt.questions:
        delivered = deliver(
            _question(row.version), attempt.seed, row.position, attempt.quiz.shuffle_choices
        )
        delivered.view["points"] = row.points
        shown.append(ShownQuestion(row, delivered.view, delivered.order))
    return shown


def choice_orders(attempt: Attempt) -> dict[int, list[str]]:
    """Each position's choice keys in display order, to read the positions a page posts."""
    return {
        row.position: choice_order(
            _question(row.version),
            delivery_rng(attempt.seed, row.position),
            attempt.quiz.shuffle_choices,
        )
        for row in attempt.questions
    }


def ensure_open(session: Session, attempt: Attempt, now: datetime) -> None:
    """Close an attempt past its deadline (and its grace), then refuse it if it is closed."""
    if attempt.is_open and now > attempt.deadline_at + GRACE:
        finalize(session, attempt, now, "deadline")
    if not attempt.is_open:
        raise AttemptClosed(
            "This attempt is closed: the time was up or it was submitted. "
            "Answers saved before then were kept and graded."
        )


def submit_attempt(session: Session, attempt: Attempt, now: datetime, by: str = "student") -> bool:
    """Submit and grade; True if this call did it (a repeated submit changes nothing).

    ``by`` is "deadline" when the page's timer ran out and sent the attempt itself.
    """
    if attempt.is_open and now > attempt.deadline_at + GRACE:
        finalize(session, attempt, now, "deadline")
        raise AttemptClosed(
            "The time was up before this submission arrived. Your attempt was submitted with "
            "the answers saved by the deadline."
        )
    return finalize(session, attempt, now, by)


def finalize(session: Session, attempt: Attempt, now: datetime, by: str) -> bool:
    """Close the attempt and grade it, exactly once even when several requests race."""
    submitted_at = min(now, attempt.deadline_at + GRACE)
    claimed = session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.IN_PROGRESS)
        .values(status=AttemptStatus.GRADED, submitted_at=submitted_at, submitted_by=by)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        session.refresh(attempt, ["status", "submitted_at", "submitted_by"])
        return False
    # This request's UPDATE set them: no need to read them back.
    set_committed_value(attempt, "status", AttemptStatus.GRADED)
    set_committed_value(attempt, "submitted_at", submitted_at)
    set_committed_value(attempt, "submitted_by", by)
    # Read the saved answers again, all in one query: this request may hold copies older
    # than the last save (another tab, or an autosave that landed meanwhile).
    rows = session.scalars(
        select(AttemptQuestion)
        .options(joinedload(AttemptQuestion.version, innerjoin=True).load_only(*_VERSION_FIELDS))
        .where(AttemptQuestion.attempt_id == attempt.id)
        .order_by(AttemptQuestion.position)
        .execution_options(populate_existing=True)
    ).all()
    set_committed_value(attempt, "questions", list(rows))
    for row in rows:
        grade_row(row, row.version)
    recompute(attempt)
    session.flush()
    if not attempt.is_preview:
        attempt_graded.send(session, attempt=attempt, now=now)
    return True


def grade_row(row: AttemptQuestion, version: bank_models.QuestionVersion) -> None:
    question = _question(version)
    score = grade(question, row.response)
    scale = row.points / score.max_points if score.max_points else 0
    row.graded_version_id = version.id
    row.result = {
        "parts": [[p.label, p.earned * scale, p.possible * scale, p.correct] for p in score.parts],
        "feedback": list(score.feedback),
        "correct": score.correct,
    }
    if question.type == "essay":
        row.needs_grading = row.manual_points is None and row.response not in (None, "")
        row.auto_points = None if row.needs_grading else 0.0
    else:
        row.auto_points = round(score.points * scale, 4)


def recompute(attempt: Attempt) -> None:
    awaiting = any(q.needs_grading for q in attempt.questions)
    attempt.score = round(sum(q.awarded or 0.0 for q in attempt.questions), 4)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        attempt.status = AttemptStatus.AWAITING_GRADING if awaiting else AttemptStatus.GRADED


def close_expired(
    session: Session, now: datetime, *, quiz_id: int | None = None, user_id: int | None = None
) -> int:
    """Grade every open attempt whose deadline has passed (or whose quiz was closed)."""
    query = (
        select(Attempt.id)
        .join(Quiz)
        .where(Attempt.status == AttemptStatus.IN_PROGRESS)
        .where((Attempt.deadline_at < now - GRACE) | (Quiz.status == QuizStatus.CLOSED))
    )
    if quiz_id is not None:
        query = query.where(Attempt.quiz_id == quiz_id)
    if user_id is not None:
        query = query.where(Attempt.user_id == user_id)
    closed = 0
    for attempt_id in session.scalars(query).all():
        closed += finalize(session, get_attempt(session, attempt_id), now, "deadline")
    return closed


def close_open_attempts(session: Session, course_id: int, user_id: int, now: datetime) -> int:
    """Grade, as they stand, a student's open attempts at a class's quizzes (when dropped)."""
    query = (
        select(Attempt.id)
        .join(Quiz)
        .where(
            Quiz.course_id == course_id,
            Attempt.user_id == user_id,
            Attempt.status == AttemptStatus.IN_PROGRESS,
            Attempt.is_preview.is_(False),
        )
    )
    return sum(
        finalize(session, get_attempt(session, attempt_id), now, "dropped")
        for attempt_id in session.scalars(query).all()
    )


def question_of(row: AttemptQuestion) -> Question:
    """The question exactly as this attempt showed it."""
    return _question(row.version)
