"""Script-injection strings in every text a user can write are shown as text, never run."""

from __future__ import annotations

from datetime import timedelta

import pytest
import yaml
from playwright.sync_api import Page, expect

from studyapp.attempts import saving
from studyapp.attempts import services as attempts
from studyapp.banks.gift import import_gift
from studyapp.banks.services import import_bank_text
from studyapp.classes import invitations
from studyapp.core.clock import utcnow
from studyapp.quizzes import services as quizzes
from studyapp.study.models import CourseBank
from tests import factories
from tests.browser.fixtures import log_in

pytestmark = pytest.mark.browser

CORPUS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "<svg onload=alert(3)>",
    "javascript:alert(4)",
    "</textarea><script>alert(5)</script>",
    "'; alert(6); //",
    "{{ 7*7 }} ${7*7}",
]
EVIL = " ".join(CORPUS)


def _bank_text() -> str:
    question = {
        "id": "evil",
        "type": "single",
        "prompt": f"Prompt {EVIL}",
        "explanation": f"Because {EVIL}",
        "choices": {"A": f"Right {CORPUS[1]}", "B": f"Wrong {CORPUS[2]}"},
        "answer": "A",
        "feedback": {"B": f"Feedback {CORPUS[0]}"},
    }
    essay = {
        "id": "evil-essay",
        "type": "essay",
        "prompt": f"Essay {CORPUS[4]}",
        "points": 2,
        "explanation": "x",
        "model_answer": f"Model {EVIL}",
    }
    return yaml.safe_dump(
        {
            "id": "evil-bank",
            "title": f"Bank {CORPUS[0]}",
            "source": "sample",
            "questions": [question, essay],
        },
        allow_unicode=True,
        sort_keys=False,
    )


@pytest.fixture
def hostile_world(live_server):
    session = live_server.app.extensions["studyapp.sessionmaker"]()
    teacher = factories.make_instructor(session, name=f"Teacher {CORPUS[0]}")
    course = factories.make_course(session, teacher, name=f"Class {CORPUS[1]}", term=CORPUS[2])
    student = factories.make_user(session, name=f"Student {CORPUS[2]}")
    factories.make_enrollment(session, course, student)
    invitations.import_roster(
        session,
        course,
        teacher,
        f'email,name\nr1@school.test,"Roster {CORPUS[0]}"\n'.encode(),
        max_bytes=10**6,
        max_rows=10,
    )
    factories.make_bank(session, factories.QUIZ_BANK)  # for the readings
    bank = import_bank_text(session, _bank_text(), "evil.yaml", teacher)
    gift = import_gift(
        f"::g1::GIFT {CORPUS[0]} {{=yes {CORPUS[1]} ~no}}\n",
        "gift-bank",
        f"GIFT {CORPUS[3]}",
        {"sample": factories.READINGS["sample"]},
    )
    import_bank_text(session, gift.bank_yaml, "g.yaml", teacher)
    session.add(CourseBank(course_id=course.id, bank_id=bank.id))
    quiz = quizzes.create_quiz(session, course, f"Quiz {CORPUS[4]}")
    quizzes.update_settings(
        session, quiz, {"description": f"Read {EVIL}", "review_timing": "immediately"}
    )
    quizzes.add_fixed_item(session, quiz, "evil-bank", "evil", 1.0)
    quizzes.add_fixed_item(session, quiz, "evil-bank", "evil-essay", 2.0)
    quizzes.publish(session, quiz, utcnow())
    attempt = attempts.start_attempt(session, quiz, student, utcnow() - timedelta(minutes=1))
    saving.save_answer(session, attempt, 0, "B", None, utcnow())
    saving.save_answer(session, attempt, 1, f"My essay {EVIL}", None, utcnow())
    attempts.submit_attempt(session, attempt, utcnow())
    session.commit()
    yield teacher, student, course, bank, quiz, attempt
    session.close()


def _watch(page: Page, problems: list[str]) -> None:
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))


def test_no_injected_script_runs_anywhere(live_server, page: Page, browser, a11y, hostile_world):
    teacher, student, course, bank, quiz, attempt = hostile_world
    problems: list[str] = []
    _watch(page, problems)
    log_in(page, live_server.url, teacher.email, factories.PASSWORD)
    for path in (
        "/",
        f"/teach/classes/{course.id}",
        "/teach/banks",
        f"/teach/banks/{bank.id}",
        f"/teach/banks/{bank.id}/questions/evil/edit",
        f"/teach/quizzes/{quiz.id}",
        f"/teach/quizzes/{quiz.id}/grading",
        f"/teach/classes/{course.id}/gradebook",
        f"/teach/attempts/{attempt.id}",
        f"/teach/quizzes/{quiz.id}/report",
        f"/teach/classes/{course.id}/students/{student.id}/attempts",
        f"/teach/classes/{course.id}/progress",
        f"/teach/quizzes/{quiz.id}/accommodations",
    ):
        page.goto(live_server.url + path)
    page.goto(f"{live_server.url}/teach/classes/{course.id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(CORPUS[1])
    page.goto(f"{live_server.url}/teach/banks/{bank.id}/questions/evil/edit")
    expect(page.locator("#preview")).to_contain_text("<script>alert(1)</script>")

    other = browser.new_context()
    student_page = other.new_page()
    _watch(student_page, problems)
    a11y.watch(student_page)
    log_in(student_page, live_server.url, student.email, factories.PASSWORD)
    for path in (
        "/",
        f"/classes/{course.id}",
        f"/quizzes/{quiz.id}",
        f"/attempts/{attempt.id}/review",
        "/study",
        f"/study/session?bank={bank.id}",
        "/progress",
    ):
        student_page.goto(live_server.url + path)
    student_page.goto(f"{live_server.url}/attempts/{attempt.id}/review")
    expect(student_page.locator("textarea")).to_have_value(f"My essay {EVIL}")
    other.close()
    assert problems == []
