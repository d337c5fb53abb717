"""Building quizzes: items, draws, publishing rules, and each student's time and attempts."""

from datetime import UTC, datetime, timedelta

import pytest

from studyapp.core.errors import DomainError
from studyapp.quizzes import drawing, services
from studyapp.quizzes.models import QuizRuleError, QuizStatus
from tests import factories

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def bank(session):
    return factories.make_bank(session)


def test_draft_cannot_publish_without_questions(session, course, bank):
    quiz = services.create_quiz(session, course, "Empty")
    with pytest.raises(QuizRuleError, match="at least one question"):
        services.publish(session, quiz, NOW)


def test_publish_close_reopen(session, course, bank):
    quiz = factories.make_quiz(session, course, keys=("capital",), publish=False)
    services.publish(session, quiz, NOW)
    assert quiz.status == QuizStatus.PUBLISHED
    with pytest.raises(QuizRuleError):
        services.publish(session, quiz, NOW)
    services.close_quiz(session, quiz)
    services.reopen_quiz(session, quiz)
    assert quiz.status == QuizStatus.PUBLISHED


def test_draw_needs_enough_questions(session, course, bank):
    quiz = services.create_quiz(session, course, "Draw")
    with pytest.raises(DomainError, match="only 2 question"):
        services.add_draw_item(session, quiz, "quizbank", "trade", 3, 1.0)
    services.add_draw_item(session, quiz, "quizbank", "trade", 2, 1.0)
    assert services.max_points(quiz) == 2.0


def test_draws_are_fixed_by_the_seed_and_never_repeat(session, course, bank):
    quiz = services.create_quiz(session, course, "Draw")
    services.add_fixed_item(session, quiz, "quizbank", "capital", 1.0)
    services.add_draw_item(session, quiz, "quizbank", None, 3, 1.0)
    first = drawing.draw_questions(session, quiz, 42)
    assert first == drawing.draw_questions(session, quiz, 42)
    ids = [d.question_id for d in first]
    assert len(ids) == len(set(ids)) == 4


def test_questions_of_a_started_quiz_change_only_when_confirmed(session, course, bank, student):
    from studyapp.attempts import services as attempts

    quiz = factories.make_quiz(session, course, keys=("capital",))
    attempts.start_attempt(session, quiz, student, NOW)
    with pytest.raises(QuizRuleError, match="1 attempt"):
        services.add_fixed_item(session, quiz, "quizbank", "goods", 1.0)
    services.add_fixed_item(session, quiz, "quizbank", "goods", 1.0, confirmed=True)
    assert len(quiz.items) == 2


def test_retired_question_cannot_be_added(session, course, bank):
    bank.questions[0].retired_at = NOW
    quiz = services.create_quiz(session, course, "Q")
    with pytest.raises(DomainError, match="retired"):
        services.add_fixed_item(session, quiz, "quizbank", "capital", 1.0)


def test_close_before_open_is_refused(session, course, bank):
    quiz = services.create_quiz(session, course, "Q")
    with pytest.raises(DomainError, match="after the open time"):
        services.update_settings(
            session, quiz, {"opens_at": NOW, "closes_at": NOW - timedelta(hours=1)}
        )


def _rules(session, quiz, enrollment=None, **acc):
    accommodation = (
        services.set_accommodation(session, quiz, enrollment.user_id, **acc) if acc else None
    )
    return services.student_rules(quiz, enrollment, accommodation)


def test_deadline_is_the_earlier_of_limit_and_close(session, course, bank):
    quiz = factories.make_quiz(
        session,
        course,
        keys=("capital",),
        time_limit_minutes=30,
        closes_at=NOW + timedelta(minutes=20),
    )
    rules = services.student_rules(quiz, None, None)
    assert rules.deadline(NOW) == NOW + timedelta(minutes=20)
    assert rules.deadline(NOW - timedelta(hours=1)) == NOW - timedelta(minutes=30)


def test_profile_gives_extra_time_on_every_timed_quiz_and_moves_the_close(
    session, course, bank, student
):
    enrollment = course.enrollments[0]
    services.set_time_profile(session, enrollment, 50)
    quiz = factories.make_quiz(
        session,
        course,
        keys=("capital",),
        time_limit_minutes=40,
        closes_at=NOW + timedelta(minutes=40),
    )
    rules = services.student_rules(quiz, enrollment, None)
    assert rules.time_limit == timedelta(minutes=60)
    # Starting at the last minute others could, the student still gets all 60 minutes.
    assert rules.deadline(NOW) == NOW + timedelta(minutes=60)


def test_quiz_accommodation_replaces_profile_percent_and_adds_minutes(
    session, course, bank, student
):
    enrollment = course.enrollments[0]
    services.set_time_profile(session, enrollment, 50)
    quiz = factories.make_quiz(
        session, course, keys=("capital",), time_limit_minutes=60, attempts_allowed=1
    )
    rules = _rules(
        session, quiz, enrollment, extra_time_percent=25, extra_time_minutes=5, extra_attempts=2
    )
    assert rules.time_limit == timedelta(minutes=80)
    assert rules.attempts_allowed == 3


def test_explicit_later_close_wins(session, course, bank, student):
    enrollment = course.enrollments[0]
    quiz = factories.make_quiz(session, course, keys=("capital",), closes_at=NOW)
    later = NOW + timedelta(days=2)
    assert _rules(session, quiz, enrollment, closes_at=later).closes_at == later


def test_accommodations_cannot_be_negative(session, course, bank, student):
    quiz = factories.make_quiz(session, course, keys=("capital",))
    with pytest.raises(DomainError):
        services.set_accommodation(session, quiz, student.id, extra_attempts=-1)
    with pytest.raises(DomainError):
        services.set_time_profile(session, course.enrollments[0], 1000)
