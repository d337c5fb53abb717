"""Study mode in Chromium: five cards with the keyboard only, then the progress page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from studyapp.study.models import CourseBank
from tests import factories
from tests.browser.fixtures import log_in

pytestmark = pytest.mark.browser

FIVE = "id: five\ntitle: Five facts\nsource: sample\nquestions:\n" + "".join(
    f"""  - id: fact-{n}
    type: single
    prompt: Fact number {n} is which?
    source: ¶1
    explanation: Explanation {n}.
    choices:
      A: Right {n}
      B: Wrong {n}
    answer: A
"""
    for n in range(1, 6)
)


def test_five_cards_by_keyboard_then_progress(live_server, page: Page, a11y):
    session = live_server.app.extensions["studyapp.sessionmaker"]()
    teacher = factories.make_instructor(session)
    course = factories.make_course(session, teacher)
    student = factories.make_user(session)
    factories.make_enrollment(session, course, student)
    bank = factories.make_bank(session, FIVE)
    session.add(CourseBank(course_id=course.id, bank_id=bank.id))
    session.commit()
    session.close()

    log_in(page, live_server.url, student.email, factories.PASSWORD)
    page.goto(f"{live_server.url}/study/session?bank={bank.id}")
    for n in range(1, 6):
        expect(page.get_by_text(f"Fact number {n} is which?")).to_be_visible()
        page.wait_for_selector("html[data-keys=ready]", state="attached")
        # Choices are shuffled per card: press the number of the place "Right n" is shown in.
        shown = [t.strip() for t in page.locator("ul.choices label").all_inner_texts()]
        page.keyboard.press(str(shown.index(f"Right {n}") + 1))
        expect(page.get_by_label(f"Right {n}")).to_be_checked()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Right!")).to_be_visible()
        expect(page.get_by_text(f"Explanation {n}.")).to_be_visible()
        page.wait_for_selector("html[data-keys=ready]", state="attached")
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="All done for now")).to_be_visible()

    page.get_by_role("link", name="See your progress").click()
    expect(page.get_by_test_id("reviews-total")).to_have_text("5")
    expect(page.get_by_test_id("streak")).to_have_text("1")
    expect(page.get_by_role("cell", name="5 / 5")).to_be_visible()
