"""Mastery as predicted recall at a horizon: a failure lowers it, time wears it down.

Fixed times throughout; the scheduler runs without fuzzing, so every figure is exact.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from fsrs import Card
from sqlalchemy import func, select

from studyapp.study import progress
from studyapp.study.models import StudyCard
from studyapp.study.reports import class_report
from tests.conftest import login
from tests.study.helpers import NOW, SCHED, study

UTC_ZONE = ZoneInfo("UTC")


def _mastery(session, student, bank, at):
    questions = progress.bank_questions(session, {bank.id})
    (row,), tags = progress.student_mastery(session, student, questions, {bank.id: "b"}, at)
    return row, tags


def _study_all(session, student, bank, now, right=True):
    for _ in range(4):
        study(session, student, bank, now, right=right)
    session.commit()


def _keep_reviewing(session, student, bank, until):
    """Answer every card right whenever it falls due, up to ``until``; returns the last time."""
    now = NOW
    while True:
        due = session.scalar(
            select(func.min(StudyCard.due_at)).where(StudyCard.user_id == student.id)
        )
        due = due if due.tzinfo else due.replace(tzinfo=NOW.tzinfo)
        if due > until:
            return now
        now = max(now, due)
        study(session, student, bank, now)
        session.commit()


def test_all_wrong_is_low_and_due_today(session, student, bank):
    _study_all(session, student, bank, NOW, right=False)
    row, tags = _mastery(session, student, bank, NOW + timedelta(minutes=1))
    # Retrievability now would be 1.0 and FSRS's recall tomorrow still about 0.77.
    assert row.seen == 4 and row.mastery == 0.0
    assert all(t.mastery == 0.0 for t in tags)
    due_today, _ = progress.due_counts(session, student, NOW + timedelta(minutes=1), UTC_ZONE)
    assert due_today == 4


def test_all_right_and_stable_is_high_and_not_due(session, student, bank):
    _study_all(session, student, bank, NOW)
    last = _keep_reviewing(session, student, bank, NOW + timedelta(days=60))
    row, _ = _mastery(session, student, bank, last)
    assert row.mastery > 0.95
    due_today, _ = progress.due_counts(session, student, last, UTC_ZONE)
    assert due_today == 0
    # Exactly the scheduler's recall tomorrow, averaged over the four cards.
    cards = session.scalars(select(StudyCard).where(StudyCard.user_id == student.id)).all()
    expected = sum(
        SCHED.get_card_retrievability(
            Card.from_dict(c.fsrs), current_datetime=last + progress.HORIZON
        )
        for c in cards
    )
    assert row.mastery == pytest.approx(expected / 4)


def test_mastery_decays_with_time(session, student, bank):
    _study_all(session, student, bank, NOW)
    last = _keep_reviewing(session, student, bank, NOW + timedelta(days=20))
    values = [
        _mastery(session, student, bank, last + timedelta(days=d))[0].mastery
        for d in (0, 10, 40, 200)
    ]
    assert values == sorted(values, reverse=True) and values[0] > values[-1] + 0.2


def test_one_failure_lowers_a_known_question(session, student, bank):
    _study_all(session, student, bank, NOW)
    last = _keep_reviewing(session, student, bank, NOW + timedelta(days=30))
    before = _mastery(session, student, bank, last)[0].mastery
    # The next card to fall due is answered wrong.
    due = session.scalar(select(func.min(StudyCard.due_at)).where(StudyCard.user_id == student.id))
    when = max(last, due if due.tzinfo else due.replace(tzinfo=NOW.tzinfo))
    study(session, student, bank, when, right=False)
    session.commit()
    after = _mastery(session, student, bank, when + timedelta(minutes=1))[0].mastery
    assert after < before - 0.2  # one of four questions now counts 0
    assert progress.due_counts(session, student, when + timedelta(minutes=1), UTC_ZONE)[0] >= 1
    # Answered right again, it counts again.
    study(session, student, bank, when + timedelta(minutes=10))
    session.commit()
    again = _mastery(session, student, bank, when + timedelta(minutes=11))[0].mastery
    assert again > after


def test_the_exam_date_is_the_horizon_when_set(session, student, bank, course):
    _study_all(session, student, bank, NOW)
    tomorrow = _mastery(session, student, bank, NOW)[0].mastery
    course.exam_at = NOW + timedelta(days=30)
    session.commit()
    on_exam = _mastery(session, student, bank, NOW)[0].mastery
    cards = session.scalars(select(StudyCard).where(StudyCard.user_id == student.id)).all()
    # Study caps intervals before the exam; recall on the exam date is what is asked for.
    expected = sum(
        SCHED.get_card_retrievability(Card.from_dict(c.fsrs), current_datetime=course.exam_at)
        for c in cards
    )
    assert on_exam == pytest.approx(expected / 4) and on_exam < tomorrow
    report = class_report(session, course, NOW)
    assert report.matrix[("trade", student.id)] == pytest.approx(
        _mastery(session, student, bank, NOW)[1][0].mastery
    )


def test_class_report_counts_a_lapse_as_zero(session, student, bank, course):
    _study_all(session, student, bank, NOW, right=False)
    report = class_report(session, course, NOW + timedelta(minutes=1))
    assert report.matrix[("trade", student.id)] == 0.0


def test_pages_state_the_definition(app, client, session, student, bank, instructor, course):
    _study_all(session, student, bank, NOW, right=False)
    login(client, student.email)
    page = client.get("/progress").get_data(as_text=True)
    assert "predicted chance of recalling a question tomorrow" in page
    assert "latest answer was wrong counts 0" in page
    client.post("/logout")
    login(client, instructor.email)
    page = client.get(f"/teach/classes/{course.id}/progress").get_data(as_text=True)
    assert "on the exam date when one is set" in page
