"""Quizzes in Chromium: build and publish, answer with autosave, survive reloads and drops,
a timer that closes the attempt, and a double submit that grades once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from studyapp.attempts.models import Attempt, AttemptStatus
from studyapp.core.clock import utcnow
from studyapp.quizzes.models import Quiz, ReviewTiming
from tests import factories
from tests.browser.fixtures import log_in, make_class

pytestmark = pytest.mark.browser


@pytest.fixture
def world(live_server):
    """A class with one instructor, one student and the quiz bank, in the live server's database."""
    session = live_server.app.extensions["studyapp.sessionmaker"]()
    teacher, course, student = make_class(session)
    factories.make_bank(session)
    session.commit()
    yield session, teacher, course, student
    session.close()


def test_instructor_builds_and_publishes_a_quiz(live_server, page: Page, a11y, world):
    session, teacher, course, _ = world
    log_in(page, live_server.url, teacher.email, factories.PASSWORD)
    page.get_by_role("link", name="Turkey and Russia").click()
    page.get_by_role("link", name="New quiz").click()
    page.get_by_label("Quiz title").fill("Week 1 check")
    page.get_by_role("button", name="Create draft").click()
    page.get_by_label("Question", exact=True).select_option("quizbank/capital")
    page.get_by_role("button", name="Add question").click()
    expect(page.get_by_text("Added capital.")).to_be_visible()
    page.get_by_label("Bank").select_option("quizbank")
    page.get_by_label("How many questions").fill("2")
    page.get_by_role("button", name="Add draw").click()
    expect(page.get_by_text("2 random from")).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published: students can see it.")).to_be_visible()
    assert (
        session.scalar(select(Quiz).where(Quiz.title == "Week 1 check")).status.value == "published"
    )


def _take(page: Page, live_server, student, quiz) -> None:
    log_in(page, live_server.url, student.email, factories.PASSWORD)
    page.goto(f"{live_server.url}/quizzes/{quiz.id}")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_selector("#attempt-form[data-ready]", state="attached")


def test_answers_are_saved_as_the_student_goes_and_survive_a_reload(
    live_server, page: Page, a11y, world
):
    session, _, course, student = world
    quiz = factories.make_quiz(session, course, keys=("capital", "river"), layout="one_page")
    session.commit()
    _take(page, live_server, student, quiz)
    page.get_by_label("The river town").check()
    expect(page.locator("#save-status")).to_contain_text("All answers saved")
    page.get_by_label("Your answer").fill("salt")
    expect(page.locator(".attempt-question").nth(1).locator(".question-status")).to_contain_text(
        "Saved at"
    )
    page.reload()
    expect(page.get_by_label("The river town")).to_be_checked()
    expect(page.get_by_label("Your answer")).to_have_value("salt")


def test_a_dropped_connection_is_retried_and_nothing_is_lost(live_server, page: Page, a11y, world):
    session, _, course, student = world
    quiz = factories.make_quiz(session, course, keys=("capital",), layout="one_page")
    session.commit()
    _take(page, live_server, student, quiz)
    page.route(
        re.compile(r".*/attempts/\d+/save$"), lambda route: route.abort("internetdisconnected")
    )
    page.get_by_label("The hill town").check()
    expect(page.locator("#save-status")).to_contain_text("Retrying")
    page.unroute(re.compile(r".*/attempts/\d+/save$"))
    expect(page.locator("#save-status")).to_contain_text("All answers saved", timeout=10_000)
    page.reload()
    expect(page.get_by_label("The hill town")).to_be_checked()


def test_a_timed_quiz_closes_itself_with_the_saved_answers(live_server, page: Page, a11y, world):
    session, _, course, student = world
    quiz = factories.make_quiz(
        session,
        course,
        keys=("capital", "river"),
        layout="one_page",
        closes_at=utcnow() + timedelta(seconds=12),
        review_timing=ReviewTiming.IMMEDIATELY,
    )
    session.commit()
    _take(page, live_server, student, quiz)
    expect(page.locator("#timer-text")).to_have_text(re.compile(r"0:\d\d"))
    page.get_by_label("The river town").check()
    expect(page.locator("#save-status")).to_contain_text("All answers saved")
    expect(page.get_by_role("heading", name="Quiz: attempt 1")).to_be_visible(timeout=25_000)
    expect(page.get_by_text("when the time was up")).to_be_visible()
    expect(page.get_by_text("Time is up: your attempt was submitted")).to_be_visible()
    session.expire_all()
    attempt = session.scalar(select(Attempt).where(Attempt.quiz_id == quiz.id))
    assert attempt.status == AttemptStatus.GRADED and attempt.score == 1.0


def test_double_submit_grades_once(live_server, page: Page, a11y, world):
    session, _, course, student = world
    quiz = factories.make_quiz(
        session, course, keys=("capital",), layout="paged", review_timing=ReviewTiming.IMMEDIATELY
    )
    session.commit()
    _take(page, live_server, student, quiz)
    page.get_by_label("The river town").check()
    page.get_by_role("button", name="Finish and submit…").click()
    page.get_by_role("button", name="Submit now").dblclick()
    expect(page.get_by_text("Score: 1 / 1")).to_be_visible()
    # Replaying the submit request (a second tab, a resent form) changes nothing.
    token = page.locator("input[name=csrf_token]").first.input_value()
    review_url = page.url
    replay = page.request.post(
        review_url.removesuffix("/review") + "/submit", form={"csrf_token": token}, max_redirects=0
    )
    assert replay.status == 302
    page.goto(review_url)
    expect(page.get_by_text("This attempt was already submitted.")).to_be_visible()
    session.expire_all()
    attempts = session.scalars(select(Attempt).where(Attempt.quiz_id == quiz.id)).all()
    assert len(attempts) == 1 and attempts[0].score == 1.0
