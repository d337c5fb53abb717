"""The question picker in Chromium: find questions by a word of the prompt, preview one in
place by keyboard, add three at once, publish, and a student gets them."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from studyapp.quizzes import services as quizzes
from tests import factories
from tests.browser.fixtures import log_in

pytestmark = pytest.mark.browser

PROMPTS = (
    "Which town traded salt?",
    "What did the town trade for grain?",
    "Explain what shaped the town.",
)


@pytest.fixture
def world(live_server):
    session = live_server.app.extensions["studyapp.sessionmaker"]()
    teacher = factories.make_instructor(session)
    course = factories.make_course(session, teacher, name="Turkey and Russia")
    student = factories.make_user(session, name="Selin Student")
    factories.make_enrollment(session, course, student)
    factories.make_bank(session)
    quiz = quizzes.create_quiz(session, course, "Picked quiz")
    quizzes.update_settings(session, quiz, {"layout": "one_page"})
    session.commit()
    yield session, teacher, student, quiz
    session.close()


def test_instructor_finds_previews_and_adds_three_questions_and_a_student_sees_them(
    live_server, page: Page, a11y, world
):
    session, teacher, student, quiz = world
    log_in(page, live_server.url, teacher.email, factories.PASSWORD)
    page.goto(f"{live_server.url}/teach/quizzes/{quiz.id}")
    page.get_by_role("link", name="Find questions in the banks").click()
    page.get_by_label("Words of the prompt or choices").fill("TOWN")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="3 question(s) found")).to_be_visible()

    # The preview opens in place, by keyboard, as the student will see the question.
    summary = page.locator("details.picker-preview summary").first
    summary.focus()
    page.keyboard.press("Enter")
    preview = page.locator("details.picker-preview").first.locator(".preview-card")
    expect(preview).to_contain_text("The river town")
    expect(preview).to_contain_text("The hill town")

    for prompt in PROMPTS:
        page.get_by_role("checkbox", name=prompt).check()
    page.get_by_label("Points each").fill("2")
    page.get_by_role("button", name="Add selected questions").click()
    expect(page.get_by_text("Added 3 question(s).")).to_be_visible()
    for key in ("quizbank/capital", "quizbank/river", "quizbank/essay"):
        expect(page.get_by_text(key)).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published: students can see it.")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server.url, student.email, factories.PASSWORD)
    page.goto(f"{live_server.url}/quizzes/{quiz.id}")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_selector("#attempt-form[data-ready]", state="attached")
    for prompt in PROMPTS:
        expect(page.get_by_text(prompt)).to_be_visible()
    expect(page.locator(".attempt-question")).to_have_count(3)
