"""Attempts past their deadline are graded with nobody looking: by the app's sweep and the CLI."""

from datetime import timedelta

from studyapp.attempts import saving, services
from studyapp.core.clock import utcnow
from tests import factories


def _expired_attempt(session, course, student):
    quiz = factories.make_quiz(session, course, keys=("capital",), time_limit_minutes=5)
    attempt = services.start_attempt(session, quiz, student, utcnow() - timedelta(minutes=30))
    saving.save_answer(session, attempt, 0, "A", None, utcnow() - timedelta(minutes=29))
    session.commit()
    return attempt


def test_cli_sweep_grades_expired_attempts(runner, session, course, student):
    attempt = _expired_attempt(session, course, student)
    result = runner.invoke(args=["attempts", "sweep"])
    assert result.exit_code == 0 and "1 attempt(s) closed" in result.output
    session.expire_all()
    graded = services.get_attempt(session, attempt.id)
    assert graded.submitted_by == "deadline" and graded.score == 1.0
    assert "0 attempt(s) closed" in runner.invoke(args=["attempts", "sweep"]).output


def test_the_app_sweeps_on_a_request_from_anyone(make_app):
    app = make_app(SWEEP_INTERVAL_SECONDS=60)
    session = app.extensions["studyapp.sessionmaker"]()
    teacher = factories.make_instructor(session)
    course = factories.make_course(session, teacher)
    student = factories.make_user(session)
    factories.make_enrollment(session, course, student)
    attempt = _expired_attempt(session, course, student)
    app.test_client().get("/healthz")
    session.expire_all()
    assert not services.get_attempt(session, attempt.id).is_open
    session.close()
