"""What a student may see of a finished attempt, and which attempt's grade counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from studyapp.attempts.models import Attempt
from studyapp.attempts.services import ShownQuestion, question_of, shown_questions
from studyapp.banks.readings import paragraph_texts
from studyapp.banks.types import key_view
from studyapp.core.numbers import to_decimal
from studyapp.quizzes.models import GradingPolicy, QuizStatus, ReviewContent, ReviewTiming


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
    # Unrounded (added in decimal): pages and files round once, half up, when they show it.
    return float(sum((to_decimal(s) for s in scores), Decimal(0)) / len(scores))


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
        question = question_of(row)
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
