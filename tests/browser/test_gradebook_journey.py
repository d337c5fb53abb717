"""An instructor opens the gradebook in Chromium and downloads a CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from studyapp.attempts import saving
from studyapp.attempts import services as attempts
from studyapp.core.clock import utcnow
from tests import factories
from tests.browser.fixtures import log_in

pytestmark = pytest.mark.browser


def test_gradebook_and_csv_download(live_server, page: Page, a11y):
    session = live_server.app.extensions["studyapp.sessionmaker"]()
    teacher = factories.make_instructor(session)
    course = factories.make_course(session, teacher, name="Turkey and Russia")
    student = factories.make_user(session, name="Öztürk, Ayşe")
    factories.make_enrollment(session, course, student)
    quiz = factories.make_quiz(session, course, keys=("capital", "goods"), title="Week 1")
    attempt = attempts.start_attempt(session, quiz, student, utcnow() - timedelta(minutes=5))
    saving.save_answer(session, attempt, 0, "A", None, utcnow())
    attempts.submit_attempt(session, attempt, utcnow())
    session.commit()
    session.close()

    log_in(page, live_server.url, teacher.email, factories.PASSWORD)
    page.get_by_role("link", name="Turkey and Russia").click()
    page.get_by_role("link", name="Gradebook").click()
    expect(page.get_by_role("rowheader", name="Öztürk, Ayşe")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download").click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][3] == "Week 1" and rows[1][1] == "Öztürk, Ayşe" and rows[1][3] == "1"
    page.get_by_role("link", name="Week 1").click()
    expect(page.get_by_role("heading", name="Quiz report")).to_be_visible()
