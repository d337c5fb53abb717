"""What a student may see of a finished attempt, and which attempt's grade counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from studyapp.attempts.models import Attempt
from studyapp.attempts.services import ShownQuestion, question_of, shown_questions
from studyapp.attempts.visibility import ReviewAccess, key_visibility, review_access
from studyapp.banks.readings import paragraph_texts
from studyapp.banks.types import key_view
from studyapp.core.numbers import to_decimal
from studyapp.quizzes.models import GradingPolicy

__all__ = ["ReviewAccess", "review_access", "kept_score", "review_rows"]


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


def review_rows(
    session: Session, attempt: Attempt, access: ReviewAccess, now: datetime | None = None
) -> list[ReviewRow]:
    """The review page's rows; key, feedback and explanation only when ``access`` allows.

    A question another quiz still holds from this student (see attempts/visibility.py)
    shows no key, points or feedback here either, whatever this quiz's settings say.
    """
    held = (
        key_visibility(session, attempt.user, now, except_quiz_id=attempt.quiz_id).held
        if now is not None and not attempt.is_preview and access.score
        else frozenset()
    )
    rows = []
    for shown in shown_questions(attempt):
        row = shown.row
        question = question_of(row)
        answers = access.answers and row.version.question_id not in held
        detail = access.full and answers
        full = detail and question.source is not None
        rows.append(
            ReviewRow(
                shown=shown,
                awarded=row.awarded if answers else None,
                key=key_view(question) if answers else None,
                result=row.result if detail else None,
                explanation=question.explanation if detail else None,
                source=str(question.source) if full else None,
                cited=paragraph_texts(session, question.source.reading, question.source.paragraphs)
                if full
                else [],
                comment=row.grader_comment if access.score else "",
            )
        )
    return rows
