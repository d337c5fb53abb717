"""Rules for attempts: start, save, submit once, close at the deadline, grade, review."""

from __future__ import annotations

import json
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from blinker import Namespace
from sqlalchemy import Select, Update, bindparam, func, select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from studyapp.attempts.models import Attempt, AttemptQuestion, AttemptStatus, ScoreChange
from studyapp.auth.models import User
from studyapp.banks import models as bank_models
from studyapp.banks.content import question_from_doc
from studyapp.banks.readings import paragraph_texts
from studyapp.banks.schema import Question
from studyapp.banks.types import grade, key_view, student_view
from studyapp.classes.models import Enrollment, EnrollmentStatus
from studyapp.core.errors import DomainError, NotFound
from studyapp.quizzes import services as quizzes
from studyapp.quizzes.models import GradingPolicy, Quiz, QuizStatus, ReviewContent, ReviewTiming

#: Sent with (session, attempt, now) once an attempt is graded; study mode listens.
attempt_graded = Namespace().signal("attempt-graded")

#: Answers that reach the server this soon after the deadline still count (network delay).
GRACE = timedelta(seconds=3)
MAX_RESPONSE_BYTES = 60_000


class AttemptClosed(DomainError):
    """The attempt no longer takes answers."""


class QuizUnavailable(DomainError):
    """The quiz cannot be started now."""


def _question(version: bank_models.QuestionVersion) -> Question:
    return question_from_doc(version.content)


def get_attempt(session: Session, attempt_id: int) -> Attempt:
    attempt = session.scalar(
        select(Attempt)
        .options(
            selectinload(Attempt.questions).selectinload(AttemptQuestion.version),
            selectinload(Attempt.quiz),
        )
        .where(Attempt.id == attempt_id)
    )
    if attempt is None:
        raise NotFound("No such attempt.")
    return attempt


def get_own_attempt(session: Session, attempt_id: int, user: User) -> Attempt:
    """The user's own attempt; anyone else's is 'not found'."""
    attempt = get_attempt(session, attempt_id)
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


def rules_for(session: Session, quiz: Quiz, user: User) -> quizzes.StudentRules:
    return quizzes.student_rules(
        quiz, _enrollment(session, quiz, user), quizzes.get_accommodation(session, quiz, user.id)
    )


def start_attempt(
    session: Session, quiz: Quiz, user: User, now: datetime, preview: bool = False
) -> Attempt:
    """Resume the open attempt, or start a new one with its questions and deadline fixed."""
    close_expired(session, now, quiz_id=quiz.id, user_id=user.id)
    previous = list_attempts(session, quiz, user)
    current = next((a for a in previous if a.is_open and a.is_preview == preview), None)
    if current is not None:
        return current
    rules = rules_for(session, quiz, user)
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
    drawn = quizzes.draw_questions(session, quiz, seed)
    versions = _current_versions(session, [qid for qid, _ in drawn])
    for position, (qid, points) in enumerate(drawn):
        attempt.questions.append(
            AttemptQuestion(position=position, version_id=versions[qid], points=points)
        )
    attempt.max_score = sum(q.points for q in attempt.questions)
    session.add(attempt)
    session.flush()
    return attempt


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


def _current_versions(session: Session, question_ids: list[int]) -> dict[int, int]:
    rows = session.execute(
        select(bank_models.Question.id, bank_models.QuestionVersion.id)
        .join(
            bank_models.QuestionVersion,
            (bank_models.QuestionVersion.question_id == bank_models.Question.id)
            & (bank_models.QuestionVersion.number == bank_models.Question.current_number),
        )
        .where(bank_models.Question.id.in_(question_ids))
    )
    return dict(rows.all())


@dataclass(frozen=True)
class ShownQuestion:
    """A question as the attempt page shows it: the student view and the saved state."""

    row: AttemptQuestion
    view: dict[str, Any]


def shown_questions(attempt: Attempt) -> list[ShownQuestion]:
    """The attempt's questions with their views; choice order is fixed by the attempt's seed."""
    shown = []
    for row in attempt.questions:
        rng = random.Random(attempt.seed * 1_000 + row.position)
        view = student_view(_question(row.version), rng)
        view["points"] = row.points
        if attempt.quiz.shuffle_choices and "choices" in view:
            rng.shuffle(view["choices"])
        shown.append(ShownQuestion(row, view))
    return shown


def _ensure_open(session: Session, attempt: Attempt, now: datetime) -> None:
    if attempt.is_open and now > attempt.deadline_at + GRACE:
        finalize(session, attempt, now, "deadline")
    if not attempt.is_open:
        raise AttemptClosed(
            "This attempt is closed: the time was up or it was submitted. "
            "Answers saved before then were kept and graded."
        )


@dataclass(frozen=True)
class SaveResult:
    revision: int
    saved_at: datetime
    #: True when another tab or device had saved this answer since this page loaded it.
    overwrote_other: bool


@cache
def _attempt_for_save_query() -> Select:
    # Built once and reused with parameters: every autosave runs it, and building a
    # statement costs more than running it.
    return (
        select(Attempt, bank_models.QuestionVersion.type)
        .outerjoin(
            AttemptQuestion,
            (AttemptQuestion.attempt_id == Attempt.id)
            & (AttemptQuestion.position == bindparam("position")),
        )
        .outerjoin(
            bank_models.QuestionVersion,
            bank_models.QuestionVersion.id == AttemptQuestion.version_id,
        )
        .where(Attempt.id == bindparam("attempt_id"))
    )


def attempt_for_save(
    session: Session, attempt_id: int, user: User, position: int | None
) -> tuple[Attempt, str | None]:
    """The user's own attempt and the type of its question at ``position``, in one query.

    An autosave needs no more than this: the answer's form fields depend on the type, and
    loading the attempt's other questions (and their versions) would cost every save.
    The type is None when the attempt has no question at that position.
    """
    found = session.execute(
        _attempt_for_save_query(), {"attempt_id": attempt_id, "position": position}
    ).first()
    if found is None or found[0].user_id != user.id:
        raise NotFound("No such attempt.")
    return found[0], found[1]


@cache
def _save_statement(with_flag: bool) -> Update:
    """The UPDATE of one saved answer, built once (see _attempt_for_save_query)."""
    # Guarded by the attempt still being open: a save racing the deadline sweep or a
    # submit either lands before the grading or is refused, never half-way. On
    # PostgreSQL the guard holds a share lock on the attempt until commit, so a submit
    # (which updates the attempt) waits for an unfinished save and grades it, and a save
    # arriving during a submit waits, sees the attempt closed and is refused. SQLite's
    # single writer gives the same order. RETURNING gives the new revision without a read.
    open_attempt = (
        select(Attempt.id)
        .where(Attempt.id == bindparam("b_attempt_id"), Attempt.status == AttemptStatus.IN_PROGRESS)
        .with_for_update(read=True)
    )
    values: dict[str, Any] = {
        "response": bindparam("b_response", type_=AttemptQuestion.response.type),
        "saved_at": bindparam("b_saved_at", type_=AttemptQuestion.saved_at.type),
        "revision": AttemptQuestion.revision + 1,
    }
    if with_flag:
        values["flagged"] = bindparam("b_flagged", type_=AttemptQuestion.flagged.type)
    return (
        update(AttemptQuestion)
        .where(
            AttemptQuestion.attempt_id.in_(open_attempt),
            AttemptQuestion.attempt_id == bindparam("b_attempt_id"),
            AttemptQuestion.position == bindparam("b_position"),
        )
        .values(values)
        .returning(AttemptQuestion.id, AttemptQuestion.revision)
        .execution_options(synchronize_session=False)
    )


def save_answer(
    session: Session,
    attempt: Attempt,
    position: int,
    response: Any,
    base_revision: int | None,
    now: datetime,
    flagged: bool | None = None,
) -> SaveResult:
    """Store one answer (last write wins) and report whether it replaced another device's."""
    _ensure_open(session, attempt, now)
    if len(json.dumps(response)) > MAX_RESPONSE_BYTES:
        raise DomainError("This answer is too long to save.")
    params = {
        "b_attempt_id": attempt.id,
        "b_position": position,
        "b_response": response,
        "b_saved_at": now,
    }
    if flagged is not None:
        params["b_flagged"] = flagged
    saved = session.execute(_save_statement(flagged is not None), params).first()
    if saved is None:
        exists = session.scalar(
            select(AttemptQuestion.id).where(
                AttemptQuestion.attempt_id == attempt.id, AttemptQuestion.position == position
            )
        )
        if exists is None:
            raise NotFound("This question is not part of the attempt.")
        raise AttemptClosed("This attempt was just submitted; this answer came too late to save.")
    row_id, revision = saved
    # A copy of the row this session already holds (the no-JavaScript form path loads the
    # whole attempt) must not show the answer from before this save.
    held = session.identity_map.get(identity_key(AttemptQuestion, row_id))
    if held is not None:
        session.expire(held, ["response", "saved_at", "revision", "flagged"])
    overwrote = base_revision is not None and base_revision != revision - 1
    return SaveResult(revision, now, overwrote)


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
    claimed = session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.IN_PROGRESS)
        .values(
            status=AttemptStatus.GRADED,
            submitted_at=min(now, attempt.deadline_at + GRACE),
            submitted_by=by,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(attempt, ["status", "submitted_at", "submitted_by"])
    if claimed != 1:
        return False
    # Read the saved answers again, all in one query: this request may hold copies older
    # than the last save (another tab, or an autosave that landed meanwhile).
    rows = session.scalars(
        select(AttemptQuestion)
        .options(selectinload(AttemptQuestion.version))
        .where(AttemptQuestion.attempt_id == attempt.id)
        .order_by(AttemptQuestion.position)
        .execution_options(populate_existing=True)
    ).all()
    set_committed_value(attempt, "questions", list(rows))
    for row in rows:
        _grade_row(row, row.version)
    _recompute(attempt)
    session.flush()
    if not attempt.is_preview:
        attempt_graded.send(session, attempt=attempt, now=now)
    return True


def _grade_row(row: AttemptQuestion, version: bank_models.QuestionVersion) -> None:
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


def _recompute(attempt: Attempt) -> None:
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


@dataclass(frozen=True)
class ReviewAccess:
    score: bool
    answers: bool
    full: bool
    message: str


def review_access(
    attempt: Attempt, now: datetime, rules_closes_at: datetime | None = None
) -> ReviewAccess:
    """What the student may see of a finished attempt now, by the quiz's review settings."""
    quiz = attempt.quiz
    if attempt.is_preview:
        return ReviewAccess(True, True, True, "Preview: everything is shown.")
    if attempt.is_open:
        return ReviewAccess(False, False, False, "The attempt is still open.")
    closes = rules_closes_at or quiz.closes_at
    if quiz.review_timing == ReviewTiming.NEVER:
        return ReviewAccess(
            False, False, False, "Your instructor does not release results for this quiz."
        )
    if (
        quiz.review_timing == ReviewTiming.AFTER_CLOSE
        and quiz.status != QuizStatus.CLOSED
        and (closes is None or now < closes)
    ):
        return ReviewAccess(False, False, False, "Results are released when the quiz closes.")
    content = quiz.review_content
    return ReviewAccess(
        True,
        content in (ReviewContent.ANSWERS, ReviewContent.FULL),
        content == ReviewContent.FULL,
        "",
    )


def kept_score(attempts: list[Attempt], policy: GradingPolicy) -> float | None:
    """The grade that counts, by the quiz's policy, over finished real attempts."""
    done = [a for a in attempts if not a.is_preview and not a.is_open and a.score is not None]
    if not done:
        return None
    scores = [a.score for a in sorted(done, key=lambda a: a.number)]
    if policy == GradingPolicy.HIGHEST:
        return max(scores)
    if policy == GradingPolicy.FIRST:
        return scores[0]
    if policy == GradingPolicy.LAST:
        return scores[-1]
    return round(sum(scores) / len(scores), 4)


def change_points(
    session: Session,
    row: AttemptQuestion,
    points: float | None,
    user: User | None,
    reason: str,
    now: datetime,
) -> None:
    """Set an instructor's points for one answer and log the change."""
    if points is not None and not 0 <= points <= row.points:
        raise DomainError(f"Points must be between 0 and {row.points:g}.")
    old = row.awarded
    row.manual_points = points
    row.needs_grading = False
    row.graded_by_id = user.id if user else None
    row.graded_at = now
    _log(session, row, old, row.awarded, user, reason, now)
    _recompute(row.attempt)
    session.flush()


def _log(
    session: Session,
    row: AttemptQuestion,
    old: float | None,
    new: float | None,
    user: User | None,
    reason: str,
    now: datetime,
) -> None:
    if old != new:
        session.add(
            ScoreChange(
                attempt_question_id=row.id,
                old_points=old,
                new_points=new,
                changed_by_id=user.id if user else None,
                changed_at=now,
                reason=reason,
            )
        )


def grade_essay(
    session: Session, row: AttemptQuestion, points: float, comment: str, grader: User, now: datetime
) -> None:
    row.grader_comment = comment
    change_points(session, row, points, grader, "graded by hand", now)


def grading_queue(session: Session, quiz: Quiz) -> list[AttemptQuestion]:
    """Answers waiting for an instructor, oldest submission first."""
    return list(
        session.scalars(
            select(AttemptQuestion)
            .join(Attempt)
            .options(
                selectinload(AttemptQuestion.version),
                selectinload(AttemptQuestion.attempt).selectinload(Attempt.user),
            )
            .where(Attempt.quiz_id == quiz.id, AttemptQuestion.needs_grading.is_(True))
            .order_by(Attempt.submitted_at, AttemptQuestion.position)
        )
    )


def regrade_question(
    session: Session, quiz: Quiz, question_id: int, user: User, reason: str, now: datetime
) -> int:
    """Grade every finished answer to a question again with its current key; count changes."""
    question = session.get(bank_models.Question, question_id)
    if question is None:
        raise NotFound("No such question.")
    latest = session.scalar(
        select(bank_models.QuestionVersion).where(
            bank_models.QuestionVersion.question_id == question_id,
            bank_models.QuestionVersion.number == question.current_number,
        )
    )
    rows = session.scalars(
        select(AttemptQuestion)
        .join(Attempt)
        .join(
            bank_models.QuestionVersion,
            AttemptQuestion.version_id == bank_models.QuestionVersion.id,
        )
        .options(selectinload(AttemptQuestion.attempt).selectinload(Attempt.questions))
        .where(
            Attempt.quiz_id == quiz.id,
            Attempt.status != AttemptStatus.IN_PROGRESS,
            bank_models.QuestionVersion.question_id == question_id,
        )
    ).all()
    changed = 0
    for row in rows:
        old = row.awarded
        _grade_row(row, latest)
        if row.manual_points is None and old != row.awarded:
            _log(session, row, old, row.awarded, user, f"regrade: {reason}", now)
            changed += 1
        _recompute(row.attempt)
    session.flush()
    return changed


def count_by_status(session: Session, quiz: Quiz) -> dict[str, int]:
    rows = session.execute(
        select(Attempt.status, func.count())
        .where(Attempt.quiz_id == quiz.id, Attempt.is_preview.is_(False))
        .group_by(Attempt.status)
    )
    return {status.value: n for status, n in rows.all()}


@dataclass(frozen=True)
class QuizEntry:
    """One quiz on a student's home page."""

    quiz: Quiz
    state: str  # "todo", "upcoming", "in_progress", "done", "missed"
    rules: quizzes.StudentRules
    attempts_used: int
    open_attempt: Attempt | None
    kept: float | None
    score_released: bool


def student_quizzes(session: Session, user: User, now: datetime) -> dict[int, list[QuizEntry]]:
    """Every published quiz of the student's classes, by class id, with its state for them."""
    close_expired(session, now, user_id=user.id)
    enrollments = {
        e.course_id: e
        for e in session.scalars(
            select(Enrollment).where(
                Enrollment.user_id == user.id, Enrollment.status == EnrollmentStatus.ACTIVE
            )
        )
    }
    quiz_rows = session.scalars(
        select(Quiz)
        .where(Quiz.course_id.in_(enrollments), Quiz.status != QuizStatus.DRAFT)
        .order_by(Quiz.closes_at.is_(None), Quiz.closes_at, Quiz.id)
    ).all()
    accs = {
        a.quiz_id: a
        for a in session.scalars(
            select(quizzes.Accommodation).where(quizzes.Accommodation.user_id == user.id)
        )
    }
    attempts: dict[int, list[Attempt]] = {}
    for a in session.scalars(
        select(Attempt)
        .where(Attempt.user_id == user.id, Attempt.is_preview.is_(False))
        .order_by(Attempt.number)
    ):
        attempts.setdefault(a.quiz_id, []).append(a)
    result: dict[int, list[QuizEntry]] = {}
    for quiz in quiz_rows:
        rules = quizzes.student_rules(quiz, enrollments[quiz.course_id], accs.get(quiz.id))
        mine = attempts.get(quiz.id, [])
        result.setdefault(quiz.course_id, []).append(_entry(quiz, rules, mine, now))
    return result


def _entry(
    quiz: Quiz, rules: quizzes.StudentRules, mine: list[Attempt], now: datetime
) -> QuizEntry:
    open_attempt = next((a for a in mine if a.is_open), None)
    finished = [a for a in mine if not a.is_open]
    closed = quiz.status == QuizStatus.CLOSED or (
        rules.closes_at is not None and now >= rules.closes_at
    )
    left = not rules.attempts_allowed or len(mine) < rules.attempts_allowed
    if open_attempt is not None:
        state = "in_progress"
    elif not quiz.has_opened(now):
        state = "upcoming"
    elif not closed and left:
        state = "todo" if not finished else "done"
    else:
        state = "done" if finished else "missed"
    released = bool(finished) and review_access(finished[-1], now, rules.closes_at).score
    kept = kept_score(mine, quiz.grading_policy) if released else None
    return QuizEntry(quiz, state, rules, len(mine), open_attempt, kept, released)


def question_of(row: AttemptQuestion) -> Question:
    """The question exactly as this attempt showed it."""
    return _question(row.version)


def quiz_attempts(session: Session, quiz: Quiz) -> list[Attempt]:
    """Every real attempt at a quiz, with its student, by student then number."""
    return list(
        session.scalars(
            select(Attempt)
            .join(User, Attempt.user_id == User.id)
            .options(selectinload(Attempt.user))
            .where(Attempt.quiz_id == quiz.id, Attempt.is_preview.is_(False))
            .order_by(User.name, Attempt.number)
        )
    )


def score_history(session: Session, attempt: Attempt) -> list[ScoreChange]:
    return list(
        session.scalars(
            select(ScoreChange)
            .join(AttemptQuestion)
            .options(selectinload(ScoreChange.changed_by))
            .where(AttemptQuestion.attempt_id == attempt.id)
            .order_by(ScoreChange.changed_at)
        )
    )


@dataclass(frozen=True)
class ReviewRow:
    """One question of a finished attempt, holding only what the review policy lets through."""

    shown: ShownQuestion
    awarded: float | None
    key: dict[str, Any] | None
    result: dict[str, Any] | None
    explanation: str | None
    source: str | None
    cited: list[tuple[int, str]]
    comment: str


def review_rows(session: Session, attempt: Attempt, access: ReviewAccess) -> list[ReviewRow]:
    """The review page's rows; key, feedback and explanation only when ``access`` allows."""
    rows = []
    for shown in shown_questions(attempt):
        row = shown.row
        question = _question(row.version)
        full = access.full and question.source is not None
        rows.append(
            ReviewRow(
                shown=shown,
                awarded=row.awarded if access.answers else None,
                key=key_view(question) if access.answers else None,
                result=row.result if access.full else None,
                explanation=question.explanation if access.full else None,
                source=str(question.source) if full else None,
                cited=paragraph_texts(session, question.source.reading, question.source.paragraphs)
                if full
                else [],
                comment=row.grader_comment if access.score else "",
            )
        )
    return rows


def attempts_of_student(session: Session, quiz_ids: list[int], user_id: int) -> list[Attempt]:
    """A student's real attempts at these quizzes, newest first."""
    return list(
        session.scalars(
            select(Attempt)
            .options(selectinload(Attempt.quiz))
            .where(
                Attempt.quiz_id.in_(quiz_ids),
                Attempt.user_id == user_id,
                Attempt.is_preview.is_(False),
            )
            .order_by(Attempt.started_at.desc())
        )
    )
