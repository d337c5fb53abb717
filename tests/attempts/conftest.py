"""Fixtures of the attempts tests."""

from __future__ import annotations

import pytest

from studyapp.quizzes.models import ReviewTiming
from tests import factories


@pytest.fixture
def quiz(session, course):
    return factories.make_quiz(
        session,
        course,
        time_limit_minutes=30,
        attempts_allowed=2,
        review_timing=ReviewTiming.IMMEDIATELY,
    )
