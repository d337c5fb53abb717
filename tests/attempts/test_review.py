"""What a student may see of a finished attempt, and which grade counts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from studyapp.attempts import review, services
from studyapp.quizzes.models import GradingPolicy, ReviewContent, ReviewTiming
from tests import factories
from tests.attempts.helpers import NOW


def test_review_policy(session, course, student):
    quiz = factories.make_quiz(
        session,
        course,
        keys=("capital",),
        closes_at=NOW + timedelta(days=1),
        review_timing=ReviewTiming.AFTER_CLOSE,
        review_content=ReviewContent.ANSWERS,
    )
    attempt = services.start_attempt(session, quiz, student, NOW)
    services.submit_attempt(session, attempt, NOW)
    before = review.review_access(attempt, NOW + timedelta(hours=1))
    after = review.review_access(attempt, NOW + timedelta(days=2))
    assert (before.score, before.answers) == (False, False)
    assert (after.score, after.answers, after.full) == (True, True, False)
    quiz.review_timing = ReviewTiming.NEVER
    assert not review.review_access(attempt, NOW + timedelta(days=9)).score


def test_review_rows_carry_no_key_before_release(session, course, student):
    quiz = factories.make_quiz(session, course, review_timing=ReviewTiming.NEVER)
    attempt = services.start_attempt(session, quiz, student, NOW)
    services.submit_attempt(session, attempt, NOW)
    access = review.review_access(attempt, NOW)
    rows = review.review_rows(session, attempt, access)
    assert all(
        r.key is None and r.explanation is None and r.result is None and r.awarded is None
        for r in rows
    )


@pytest.mark.parametrize(
    ("policy", "kept"),
    [
        (GradingPolicy.HIGHEST, 3.0),
        (GradingPolicy.LAST, 1.0),
        (GradingPolicy.FIRST, 2.0),
        (GradingPolicy.AVERAGE, 2.0),
    ],
)
def test_kept_grade_policies(policy, kept):
    from types import SimpleNamespace

    attempts = [
        SimpleNamespace(is_preview=False, is_open=False, score=s, number=n)
        for n, s in ((1, 2.0), (2, 3.0), (3, 1.0))
    ]
    attempts.append(SimpleNamespace(is_preview=True, is_open=False, score=9.0, number=4))
    assert review.kept_score(attempts, policy) == kept
