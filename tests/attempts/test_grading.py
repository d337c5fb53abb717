"""Grading by hand: the essay queue, point changes and regrades after a key fix."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from studyapp.attempts import grading, saving, services
from studyapp.attempts.models import AttemptStatus, ScoreChange
from studyapp.banks.loader import load_bank_text
from studyapp.banks.models import Origin
from studyapp.banks.sync import upsert_bank
from studyapp.core.errors import DomainError
from tests import factories
from tests.attempts.helpers import NOW, answer_all


def test_essay_waits_for_a_grade_then_counts(session, quiz, student, instructor):
    attempt = services.start_attempt(session, quiz, student, NOW)
    by_key = answer_all(session, attempt)
    services.submit_attempt(session, attempt, NOW)
    queue = grading.grading_queue(session, quiz)
    assert [services.question_of(r).id for r in queue] == ["essay"]
    grading.grade_essay(session, queue[0], 3.5, "Good point about trade.", instructor, NOW)
    assert attempt.status == AttemptStatus.GRADED and attempt.score == 5.5
    assert grading.grading_queue(session, quiz) == []
    with pytest.raises(DomainError):
        grading.grade_essay(session, queue[0], 5, "", instructor, NOW)
    assert by_key


def test_regrade_after_a_key_fix_changes_scores_and_logs_why(session, quiz, student, instructor):
    attempt = services.start_attempt(session, quiz, student, NOW)
    saving.save_answer(session, attempt, 0, "B", None, NOW)
    services.submit_attempt(session, attempt, NOW)
    assert attempt.questions[0].awarded == 0.0
    fixed = factories.QUIZ_BANK.replace("    answer: A\n", "    answer: B\n", 1)
    upsert_bank(session, load_bank_text(fixed, "x.yaml", factories.READINGS).bank, Origin.FILE)
    question_id = attempt.questions[0].version.question_id
    assert grading.regrade_question(session, quiz, question_id, instructor, "key was B", NOW) == 1
    assert attempt.questions[0].awarded == 1.0 and attempt.score == 1.0
    change = session.scalar(select(ScoreChange))
    assert (change.old_points, change.new_points, change.reason) == (0.0, 1.0, "regrade: key was B")
    assert change.changed_by_id == instructor.id
    # The student's attempt still shows the version they saw.
    assert attempt.questions[0].version.number == 1
