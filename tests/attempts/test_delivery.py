"""Delivery never rewards position: choices shuffled per attempt, posted by display position.

Everything here goes through HTTP as the student meets it, posting the fields the page's
own inputs carry (read back from the page), on the quiz page, autosave and the plain form.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from studyapp.attempts import services
from studyapp.quizzes.models import Quiz, ReviewContent, ReviewTiming
from tests import factories, pages
from tests.conftest import login

# Every key is A, as in the banks before their rewrite: the page must not show it.
ALL_A = """id: all-a
title: Keyed by A
source: sample
questions:
  - id: towns
    type: single
    prompt: Which town traded salt?
    source: ¶1
    explanation: The first paragraph.
    choices:
      A: The river town
      B: The hill town
      C: The sea town
      D: The lake town
      E: The forest town
      F: The desert town
    answer: A
  - id: goods
    type: multiple
    prompt: Which goods were traded?
    source: ¶1
    explanation: Salt and grain.
    choices:
      A: Salt
      B: Grain
      C: Iron
      D: Copper
      E: Wool
      F: Timber
    answer: [A, B]
  - id: fixed
    type: single
    prompt: Which is right?
    source: ¶1
    explanation: Both.
    shuffle: false
    choices:
      A: The bridge
      B: The mill
      C: Both of the above
    answer: C
"""


@pytest.fixture
def quiz(session, course):
    bank = factories.make_bank(session, ALL_A)
    from studyapp.core.clock import utcnow
    from studyapp.quizzes import services as quizzes

    quiz = quizzes.create_quiz(session, course, "Default settings")
    quizzes.update_settings(
        session,
        quiz,
        {"layout": "one_page", "review_timing": ReviewTiming.IMMEDIATELY},
    )
    for key in ("towns", "goods", "fixed"):
        quizzes.add_fixed_item(session, quiz, bank.slug, key, points=1.0)
    quizzes.publish(session, quiz, utcnow())
    session.commit()
    return quiz


def _start(client, quiz) -> tuple[str, str]:
    response = client.post(f"/quizzes/{quiz.id}/start")
    assert response.status_code == 302, response.data
    url = response.headers["Location"]
    return url, client.get(url).get_data(as_text=True)


def _names(page: str) -> dict[str, str]:
    """Field name of each question, by its prompt."""
    found = re.finditer(
        r'name="positions" value="(\d+)">.*?<div class="prompt"[^>]*>(.*?)</div>', page, re.S
    )
    return {re.sub(r"<[^>]+>", "", m[2]).strip(): f"q{m[1]}" for m in found}


def _orders(page: str) -> dict[str, list[str]]:
    return {prompt: list(pages.choices(page, name)) for prompt, name in _names(page).items()}


def test_a_new_quiz_shuffles_choices_unless_the_instructor_turns_it_off(
    instructor_client, course, session
):
    created = instructor_client.post(
        f"/teach/classes/{course.id}/quizzes/new", data={"title": "Fresh"}
    )
    assert created.status_code == 302
    quiz = session.scalar(select(Quiz).where(Quiz.title == "Fresh"))
    assert quiz.shuffle_choices is True
    settings = instructor_client.get(f"/teach/quizzes/{quiz.id}/settings").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="shuffle_choices"[^>]*>', settings)[0]
    assert "checked" in box


def test_two_students_on_a_default_quiz_see_different_choice_orders(
    app, session, course, student_client, quiz
):
    other = factories.make_user(session)
    factories.make_enrollment(session, course, other)
    session.commit()
    second = app.test_client()
    login(second, other.email)
    _, first_page = _start(student_client, quiz)
    _, second_page = _start(second, quiz)
    first, theirs = _orders(first_page), _orders(second_page)
    assert (
        set(first)
        == set(theirs)
        == {"Which town traded salt?", "Which goods were traded?", "Which is right?"}
    )
    # Six choices each: the same two orders by chance is one in 518,400.
    shuffled = ("Which town traded salt?", "Which goods were traded?")
    assert [first[p] for p in shuffled] != [theirs[p] for p in shuffled]
    assert sorted(first["Which town traded salt?"]) == sorted(theirs["Which town traded salt?"])
    # `shuffle: false` keeps "Both of the above" last for everyone.
    written = ["The bridge", "The mill", "Both of the above"]
    assert first["Which is right?"] == theirs["Which is right?"] == written


def test_the_order_is_the_same_on_every_reload(student_client, quiz):
    url, page = _start(student_client, quiz)
    again = student_client.get(url).get_data(as_text=True)
    assert _orders(page) == _orders(again)


def test_the_page_names_choices_by_position_never_by_letter(student_client, quiz):
    url, page = _start(student_client, quiz)
    for name in _names(page).values():
        assert [int(v) for v in pages.choices(page, name).values()] == list(
            range(1, len(pages.choices(page, name)) + 1)
        )
    inputs = re.findall(r"<input[^>]*>", page)
    assert not [i for i in inputs if re.search(r'value="[A-F]"', i)]
    # Over many attempts the key sits at every position: nothing to learn from where it is.
    seen = set()
    for _ in range(12):
        order = _orders(page)["Which town traded salt?"]
        seen.add(order.index("The river town"))
        student_client.post(f"{url}/submit")
        url, page = _start_again(student_client, url)
    assert len(seen) >= 3


def _start_again(client, url):
    """A new attempt at the same quiz (the fixture allows one, so reopen it by preview)."""
    attempt = url.rsplit("/", 1)[1]
    with client.application.app_context():
        from studyapp.db import get_session

        session = get_session()
        row = services.get_attempt(session, int(attempt))
        row.quiz.attempts_allowed = 0
        quiz_id = row.quiz_id
        session.commit()
    response = client.post(f"/quizzes/{quiz_id}/start")
    new = response.headers["Location"]
    return new, client.get(new).get_data(as_text=True)


def test_autosave_form_post_and_grading_agree_on_what_was_picked(session, student_client, quiz):
    url, page = _start(student_client, quiz)
    names = _names(page)
    towns, goods = names["Which town traded salt?"], names["Which goods were traded?"]
    fixed = names["Which is right?"]
    # Autosave sends what the script collects: position, revision, the checked inputs.
    saved = student_client.post(
        f"{url}/save",
        data={
            "position": towns[1:],
            "revision": 0,
            towns: pages.choice_value(page, towns, "The river town"),
            f"{towns}-flag": "0",
        },
    )
    assert saved.json["ok"]
    assert set(saved.json) == {"ok", "revision", "saved_at", "overwrote_other"}
    # The plain form sends every question on the page.
    form = {
        "positions": [towns[1:], goods[1:], fixed[1:]],
        goods: [pages.choice_value(page, goods, t) for t in ("Grain", "Salt")],
        fixed: pages.choice_value(page, fixed, "Both of the above"),
        towns: pages.choice_value(page, towns, "The river town"),
    }
    for name in (towns, goods, fixed):
        form[f"{name}-flag"] = "0"
    assert student_client.post(url, data=form).status_code == 302
    reloaded = student_client.get(url).get_data(as_text=True)
    assert pages.checked(reloaded, towns) == {"The river town"}
    assert pages.checked(reloaded, goods) == {"Grain", "Salt"}
    review = student_client.post(f"{url}/submit", follow_redirects=True).get_data(as_text=True)
    assert "Score: <strong>3 / 3</strong>" in review
    attempt = services.get_attempt(session, int(url.rsplit("/", 1)[1]))
    by_id = {services.question_of(r).id: r.response for r in attempt.questions}
    assert (by_id["towns"], sorted(by_id["goods"]), by_id["fixed"]) == ("A", ["A", "B"], "C")


def test_the_review_shows_the_students_order_and_no_letters(session, student_client, quiz):
    quiz.review_content = ReviewContent.FULL
    session.commit()
    url, page = _start(student_client, quiz)
    name = _names(page)["Which town traded salt?"]
    student_client.post(
        url, data={"positions": [name[1:]], name: pages.choice_value(page, name, "The hill town")}
    )
    review = student_client.post(f"{url}/submit", follow_redirects=True).get_data(as_text=True)
    review_orders = [
        list(pages.choices(review, f"r{i}")) for i in range(1, 4) if pages.choices(review, f"r{i}")
    ]
    assert _orders(page)["Which town traded salt?"] in review_orders
    assert "The hill town" in set().union(*(pages.checked(review, f"r{i}") for i in range(1, 4)))
    key = re.search(r'<div class="key"><h3>Correct answer</h3>(.*?)</div>', review, re.S)[1]
    assert "The river town" in key and "A:" not in key


def test_an_instructor_sees_the_students_order_by_stable_letter(
    session, instructor_client, student_client, quiz
):
    url, page = _start(student_client, quiz)
    student_client.post(f"{url}/submit")
    attempt = services.get_attempt(session, int(url.rsplit("/", 1)[1]))
    detail = instructor_client.get(f"/teach/attempts/{attempt.id}").get_data(as_text=True)
    letters = {"The river town": "A", "The hill town": "B", "The sea town": "C"}
    letters |= {"The lake town": "D", "The forest town": "E", "The desert town": "F"}
    shown = ", ".join(letters[t] for t in _orders(page)["Which town traded salt?"])
    assert f"<td>{shown}</td>" in detail
    assert "<code>towns</code>" in detail
