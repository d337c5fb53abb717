"""The first journey end to end in Chromium: setup link to a student in a class."""

import re

import pytest
from playwright.sync_api import Page, expect

from studyapp.auth.cli import new_setup_link

pytestmark = pytest.mark.browser


def test_setup_to_student_in_class(live_server, page: Page, a11y, browser):
    with live_server.app.app_context():
        link = new_setup_link(live_server.app)

    page.goto(link)
    expect(page.get_by_role("heading", name="Create the first instructor account")).to_be_visible()
    page.get_by_label("Your name").fill("Ayse Instructor")
    page.get_by_label("Email").fill("ayse@school.test")
    page.get_by_label("New password", exact=True).fill("a long password")
    page.get_by_label("Repeat the new password").fill("a long password")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", name="New class")).to_be_visible()
    page.get_by_label("Class name").fill("Turkey and Russia")
    page.get_by_label("Term").fill("Spring 2027")
    page.get_by_role("button", name="Create class").click()
    code = page.get_by_test_id("join-code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{8}", code)

    student = browser.new_context(viewport={"width": 390, "height": 844})
    phone = student.new_page()
    a11y.watch(phone)
    phone.goto(f"{live_server.url}/join")
    phone.get_by_label("Join code").fill(code.lower())
    phone.get_by_label("Your name").fill("Mehmet Student")
    phone.get_by_label("Email").fill("mehmet@school.test")
    phone.get_by_label("New password", exact=True).fill("another long pw")
    phone.get_by_label("Repeat the new password").fill("another long pw")
    phone.get_by_role("button", name="Create account and join").click()
    # Sign-up never logs in (it must answer the same for a taken address): log in now.
    expect(phone.get_by_label("Email")).to_have_value("mehmet@school.test")
    phone.get_by_label("Password").fill("another long pw")
    phone.get_by_role("button", name="Log in").click()
    expect(phone.get_by_role("link", name="Turkey and Russia")).to_be_visible()
    student.close()

    page.reload()
    expect(page.get_by_role("cell", name="Mehmet Student")).to_be_visible()
    assert len(a11y.checked) >= 3
