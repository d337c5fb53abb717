"""Fixtures of the study tests."""

from __future__ import annotations

import pytest

from studyapp.study.models import CourseBank
from tests import factories


@pytest.fixture
def bank(session, course):
    """The quiz bank, opened to the class for study."""
    bank = factories.make_bank(session)
    session.add(CourseBank(course_id=course.id, bank_id=bank.id))
    session.commit()
    return bank
