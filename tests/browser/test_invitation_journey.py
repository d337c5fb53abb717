"""A roster invitation in Chromium: the instructor uploads, a newcomer and an existing
student each answer for themselves, and Back after logout does not bring the roster back."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.fixtures import log_in

pytestmark = pytest.mark.browser


def test_roster_invitations_are_accepted_by_their_owners(
    live_server, page: Page, a11y, browser, tmp_path
):
    with live_server.app.app_context():
        s = live_server.app.extensions["studyapp.sessionmaker"]()
        teacher = factories.make_instructor(s, name="Ayse Instructor")
        course = factories.make_course(s, teacher, name="Turkey and Russia")
        known = factories.make_user(s, email="known@school.test", name="Known Student")
        s.commit()
        course_id = course.id
        s.close()
    base = live_server.url
    log_in(page, base, teacher.email, factories.PASSWORD)
    page.goto(f"{base}/teach/classes/{course_id}/roster")
    roster = tmp_path / "roster.csv"
    roster.write_text("email,name\nknown@school.test,Known\nnew@school.test,New Student\n")
    page.get_by_label("Roster file (CSV)").set_input_files(str(roster))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_text("2 student(s) invited")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download class links (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    links = {r["email"]: r["class_link"] for r in rows}
    assert set(links) == {"known@school.test", "new@school.test"}

    newcomer = browser.new_context()
    phone = newcomer.new_page()
    a11y.watch(phone)
    phone.goto(links["new@school.test"])
    phone.get_by_label("New password", exact=True).fill("a chosen password")
    phone.get_by_label("Repeat the new password").fill("a chosen password")
    phone.get_by_role("button", name="Save password").click()
    expect(phone.get_by_label("Email")).to_have_value("new@school.test")
    phone.get_by_label("Password").fill("a chosen password")
    phone.get_by_role("button", name="Log in").click()
    expect(phone.get_by_role("heading", name="Invitations")).to_be_visible()
    phone.get_by_role("button", name="Accept and join").click()
    expect(phone.get_by_text("You joined Turkey and Russia.")).to_be_visible()
    newcomer.close()

    owner = browser.new_context()
    laptop = owner.new_page()
    a11y.watch(laptop)
    log_in(laptop, base, known.email, factories.PASSWORD)
    expect(laptop.get_by_role("heading", name="Invitations")).to_be_visible()
    laptop.get_by_role("button", name="Decline").click()
    expect(laptop.get_by_text("You declined Turkey and Russia.")).to_be_visible()
    owner.close()

    page.goto(f"{base}/teach/classes/{course_id}")
    expect(page.get_by_role("cell", name="New Student")).to_be_visible()
    expect(page.get_by_role("cell", name="declined")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    # Back only once the logout's redirect has landed: going back mid-navigation races it.
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    page.wait_for_load_state()
    page.go_back()
    expect(page.get_by_role("cell", name="New Student")).not_to_be_visible()
    assert len(a11y.checked) >= 6
