"""Grade passback: each change of a kept grade reaches the LMS's line item, with retries."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from studyapp.attempts.models import Attempt, AttemptQuestion
from studyapp.banks.loader import load_bank_text
from studyapp.banks.models import Origin
from studyapp.banks.sync import upsert_bank
from studyapp.classes.models import Course
from studyapp.core.clock import utcnow
from studyapp.lti import ags
from studyapp.lti.models import LineItem, ScoreSend, SendStatus
from tests import factories, pages
from tests.lti.conftest import launch
from tests.lti.platform import LEARNER

DL = "LtiDeepLinkingRequest"


def _deep_linked_quiz(lti_app, lms, session, keys=("capital", "essay")):
    teacher = lti_app.test_client()
    launch(teacher, lms)
    course = session.scalar(select(Course))
    quiz = factories.make_quiz(session, course, keys=keys, title="Salt towns")
    session.commit()
    launch(teacher, lms, message_type=DL)
    page = teacher.post("/lti/deep-link", data={"quiz": str(quiz.id)}).get_data(as_text=True)
    token = page.split('name="JWT" value="')[1].split('"')[0]
    return teacher, quiz, lms.accept_deep_link(token)


def _river(client, attempt_id: int) -> str:
    """What the attempt page posts for the right answer of 'capital' (choices are shuffled)."""
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    return pages.choice_value(page, "q0", "The river town")


def _take(client, quiz, answers: dict[str, str]) -> int:
    """Start, answer and submit the quiz through its pages' forms."""
    response = client.post(f"/quizzes/{quiz.id}/start")
    attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
    capital = _river(client, attempt_id) if answers["capital"] == "A" else answers["capital"]
    form = {"positions": ["0", "1"], "q0": capital, "q1": answers["essay"]}
    assert client.post(f"/attempts/{attempt_id}/submit", data=form).status_code == 302
    return attempt_id


def _send(lti_app) -> str:
    result = lti_app.test_cli_runner().invoke(args=["lti", "send-grades"])
    assert result.exit_code == 0, result.output
    return result.output


def test_each_grade_change_reaches_the_lms(lti_app, lms, session):
    teacher, quiz, link = _deep_linked_quiz(lti_app, lms, session)
    student = lti_app.test_client()
    launch(student, lms, sub="s1", roles=(LEARNER,), **link)
    _take(student, quiz, {"capital": "A", "essay": "Trade made it."})
    assert "1 sent" in _send(lti_app)
    first = lms.scores[-1]
    assert first["userId"] == "s1" and first["lineitem"].endswith("/course-1/lineitems/1")
    assert first["activityProgress"] == "Submitted"
    assert first["gradingProgress"] == "PendingManual"
    assert first["scoreMaximum"] == 5.0 and first["scoreGiven"] == 1.0

    # Hand grading finishes it.
    row = session.scalar(select(AttemptQuestion).where(AttemptQuestion.needs_grading.is_(True)))
    response = teacher.post(
        f"/teach/quizzes/{quiz.id}/grading/{row.id}", data={f"a{row.id}-points": "3"}
    )
    assert response.status_code == 302
    _send(lti_app)
    assert lms.scores[-1]["gradingProgress"] == "FullyGraded"
    assert lms.scores[-1]["activityProgress"] == "Completed"
    assert lms.scores[-1]["scoreGiven"] == 4.0

    # A key fix and a regrade take the point of the first question away.
    fixed = factories.QUIZ_BANK.replace("    answer: A\n", "    answer: B\n", 1)
    upsert_bank(session, load_bank_text(fixed, "x.yaml", factories.READINGS).bank, Origin.FILE)
    session.commit()
    capital = session.scalar(
        select(AttemptQuestion).where(AttemptQuestion.position == 0)
    ).version.question_id
    response = teacher.post(
        f"/teach/quizzes/{quiz.id}/questions/{capital}/regrade", data={"reason": "key was B"}
    )
    assert response.status_code == 302
    _send(lti_app)
    assert lms.scores[-1]["scoreGiven"] == 3.0

    # An override, then an excusal.
    user_id = session.scalar(select(Attempt.user_id))
    url = f"/teach/quizzes/{quiz.id}/students/{user_id}/override"
    teacher.post(url, data={"points": "4.5", "reason": "extra work"})
    _send(lti_app)
    assert lms.scores[-1]["scoreGiven"] == 4.5
    teacher.post(url, data={"excused": "y", "reason": "ill"})
    _send(lti_app)
    excused = lms.scores[-1]
    assert "scoreGiven" not in excused and excused["comment"] == "Excused"
    assert excused["gradingProgress"] == "FullyGraded"
    # Nothing changed since: nothing more is sent.
    count = len(lms.scores)
    assert "0 sent" in _send(lti_app)
    assert len(lms.scores) == count


def test_failed_sends_retry_with_backoff_and_show_the_lms_error(lti_app, lms, session):
    teacher, quiz, link = _deep_linked_quiz(lti_app, lms, session, keys=("capital",))
    student = lti_app.test_client()
    launch(student, lms, sub="s1", roles=(LEARNER,), **link)
    response = student.post(f"/quizzes/{quiz.id}/start")
    attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
    lms.fail_scores = [503] * (ags.MAX_TRIES + 1)
    student.post(
        f"/attempts/{attempt_id}/submit",
        data={"positions": ["0"], "q0": _river(student, attempt_id)},
    )
    assert "1 to retry" in _send(lti_app)
    send = session.scalar(select(ScoreSend))
    assert send.status == SendStatus.PENDING and send.tries == 1
    assert "503" in send.last_error and "LMS trouble 503" in send.last_error
    assert send.next_try_at > utcnow() + timedelta(seconds=20)
    # Not due yet: a second run sends nothing.
    assert "0 sent, 0 to retry" in _send(lti_app)
    page = teacher.get(f"/teach/classes/{quiz.course_id}/lms").get_data(as_text=True)
    assert "pending" in page and "LMS trouble 503" in page
    # Each failure waits longer; after MAX_TRIES the send is marked failed.
    s = lti_app.extensions["studyapp.sessionmaker"]()
    when = utcnow()
    waits = []
    for _ in range(ags.MAX_TRIES - 1):
        when += timedelta(hours=7)
        ags.send_due(s, when)
        s.commit()
        row = s.scalar(select(ScoreSend))
        waits.append(row.next_try_at - when)
    s.close()
    assert waits[:-1] == sorted(waits[:-1]) and waits[0] < waits[-2]
    session.expire_all()
    failed = session.scalar(select(ScoreSend))
    assert failed.status == SendStatus.FAILED and failed.tries == ags.MAX_TRIES
    assert "failed" in teacher.get(f"/teach/classes/{quiz.course_id}/lms").get_data(as_text=True)
    # The LMS recovers; the instructor retries.
    lms.fail_scores = []
    response = teacher.post(f"/teach/classes/{quiz.course_id}/lms/send")
    assert response.status_code == 302
    session.expire_all()
    assert session.scalar(select(ScoreSend)).status == SendStatus.SENT
    assert lms.scores[-1]["scoreGiven"] == 1.0


def test_line_items_are_created_once_and_a_class_feeds_two_lms_courses(lti_app, lms, session):
    teacher = lti_app.test_client()
    launch(teacher, lms)
    course = session.scalar(select(Course))
    launch(teacher, lms, context="course-2")
    teacher.post("/lti/link", data={"course": str(course.id)})
    quiz = factories.make_quiz(session, course, keys=("capital",), title="Salt towns")
    session.commit()
    for ctx in ("course-1", "course-2"):
        launch(lti_app.test_client(), lms, sub="s1", roles=(LEARNER,), context=ctx)
    url = f"/teach/classes/{course.id}/lms/quizzes/{quiz.id}"
    assert teacher.post(url).status_code == 302
    assert teacher.post(url).status_code == 302
    created = [r for r in lms.requests_to("lineitems") if r.method == "POST"]
    assert len(created) == 2 and len(lms.line_items) == 2
    # Our record lost (a re-link, or an answer that never arrived): found, not duplicated.
    session.execute(delete(LineItem))
    session.commit()
    assert teacher.post(url).status_code == 302
    assert len(lms.line_items) == 2
    assert len([r for r in lms.requests_to("lineitems") if r.method == "POST"]) == 2
    # One submit, one score in each LMS course.
    student = lti_app.test_client()
    launch(student, lms, sub="s1", roles=(LEARNER,), context="course-1")
    attempt = student.post(f"/quizzes/{quiz.id}/start").headers["Location"].rsplit("/", 1)[1]
    student.post(
        f"/attempts/{attempt}/submit",
        data={"positions": ["0"], "q0": _river(student, attempt)},
    )
    assert "2 sent" in _send(lti_app)
    assert sorted(s["lineitem"].split("/")[1] for s in lms.scores) == ["course-1", "course-2"]
    assert {s["scoreGiven"] for s in lms.scores} == {1.0}


def test_students_unknown_to_the_lms_and_previews_send_nothing(lti_app, lms, session):
    teacher, quiz, _link = _deep_linked_quiz(lti_app, lms, session, keys=("capital",))
    joined = factories.make_user(session)
    factories.make_enrollment(session, session.get(Course, quiz.course_id), joined)
    session.commit()
    from tests.conftest import login

    other = lti_app.test_client()
    login(other, joined.email)
    attempt = other.post(f"/quizzes/{quiz.id}/start").headers["Location"].rsplit("/", 1)[1]
    other.post(
        f"/attempts/{attempt}/submit",
        data={"positions": ["0"], "q0": _river(other, attempt)},
    )
    teacher.post(f"/teach/quizzes/{quiz.id}/preview")
    assert session.scalars(select(ScoreSend)).all() == []


def test_the_app_sends_queued_grades_by_itself(make_app, lms):
    """With a sweep interval, a request starts a background send of what is due."""
    import time as _time

    from studyapp.lti import platforms

    app = make_app(SWEEP_INTERVAL_SECONDS=60)
    s = app.extensions["studyapp.sessionmaker"]()
    platforms.register_platform(s, lms.registration())
    s.commit()
    lms.tool_jwks = lambda: app.test_client().get("/lti/jwks").get_json()
    _teacher, quiz, link = _deep_linked_quiz(app, lms, s, keys=("capital",))
    s.close()
    student = app.test_client()
    launch(student, lms, sub="s1", roles=(LEARNER,), **link)
    app.extensions["studyapp.last_lti_send"] = 0.0
    attempt = student.post(f"/quizzes/{quiz.id}/start").headers["Location"].rsplit("/", 1)[1]
    student.post(
        f"/attempts/{attempt}/submit",
        data={"positions": ["0"], "q0": _river(student, attempt)},
    )
    app.extensions["studyapp.last_lti_send"] = 0.0
    student.get("/")
    deadline = _time.monotonic() + 10
    while not lms.scores and _time.monotonic() < deadline:
        _time.sleep(0.1)
    assert lms.scores and lms.scores[-1]["scoreGiven"] == 1.0
