"""No question id reaches a student: every page and JSON reply of a quiz and of study.

The bank's ids name their answers, as real ones did (`karlov-name`, `maks-name`...), so a
page that printed an id anywhere (a legend, a data attribute, a reply) would be caught.
Instructors keep seeing the ids.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from studyapp.banks.models import Bank
from studyapp.core.clock import utcnow
from studyapp.quizzes import services as quizzes
from studyapp.quizzes.models import ReviewContent, ReviewTiming
from studyapp.study.models import CourseBank
from tests import factories, pages

BANK = """id: crises
title: Crises of 2015 and 2016
source: sample
questions:
  - id: karlov-name
    type: short
    prompt: Which ambassador was shot in Ankara in December 2016?
    source: ¶1
    explanation: The ambassador was Andrei Karlov.
    answers: [Andrei Karlov, Karlov]
  - id: maks-name
    type: single
    prompt: At which air show did Erdogan see the new fighter?
    source: ¶1
    explanation: It was MAKS.
    choices:
      A: MAKS
      B: Farnborough
      C: Le Bourget
      D: Dubai Airshow
    answer: A
  - id: three-opportunities-count
    type: numeric
    prompt: How many opportunities does the article list?
    source: ¶2
    explanation: Three.
    answer: 3
  - id: seals-and-sanctions-multiple
    type: multiple
    prompt: Which of these were part of the deal?
    source: ¶2
    explanation: Seals and sanctions.
    choices:
      A: Seals
      B: Sanctions
      C: Subsidies
    answer: [A, B]
  - id: jet-downing-truefalse
    type: truefalse
    prompt: The jet was downed in 2015.
    source: ¶2
    explanation: November 2015.
    answer: true
  - id: idlib-chronology
    type: ordering
    prompt: Put these in order.
    source: ¶3
    explanation: In this order.
    items: [The agreement, The offensive, The visit]
  - id: commitments-matching
    type: matching
    prompt: Match each side to its promise.
    source: ¶3
    explanation: As agreed.
    pairs:
      Russia: restrain Damascus
      Turkey: clear out radicals
  - id: client-blank
    type: blanks
    prompt: Russia wants the regime as its [[role]].
    source: ¶3
    explanation: A client.
    blanks:
      role: [client]
  - id: crises-essay
    type: essay
    prompt: Explain the crisis.
    source: ¶3
    explanation: Trade.
    model_answer: Trade shaped it.
"""
IDS = re.findall(r"^  - id: (\S+)$", BANK, re.M)


@pytest.fixture
def quiz(session, course):
    bank = factories.make_bank(session, BANK)
    # Study serves no question a quiz still holds: a copy of the bank is open for study.
    study_bank = factories.make_bank(session, BANK.replace("id: crises\n", "id: crises-study\n"))
    session.add(CourseBank(course_id=course.id, bank_id=study_bank.id))
    quiz = quizzes.create_quiz(session, course, "Crises quiz")
    quizzes.update_settings(
        session,
        quiz,
        {
            "layout": "paged",
            "review_timing": ReviewTiming.IMMEDIATELY,
            "review_content": ReviewContent.FULL,
        },
    )
    for key in IDS:
        quizzes.add_fixed_item(session, quiz, bank.slug, key, points=1.0)
    quizzes.publish(session, quiz, utcnow())
    session.commit()
    return quiz


def _leaks(body: str) -> list[str]:
    return [qid for qid in IDS if qid in body]


def test_no_question_id_in_anything_a_student_receives(student_client, quiz, session):
    received: dict[str, str] = {}

    def get(label: str, url: str) -> str:
        response = student_client.get(url, follow_redirects=True)
        assert response.status_code == 200, (label, response.status_code)
        received[label] = response.get_data(as_text=True)
        return received[label]

    get("home", "/")
    get("class", f"/classes/{quiz.course_id}")
    # Study first (the quiz then feeds the same cards): card, check reply, rating.
    get("study index", "/study")
    bank_id = session.scalar(select(Bank.id).where(Bank.slug == "crises-study"))
    for n in range(3):
        card = get(f"study card {n}", f"/study/session?bank={bank_id}")
        assert re.search(r"<legend[^>]*>Question \d+ of \d+</legend>", card)
        hidden = dict(
            re.findall(
                r'name="(card_id|card_version|version_id)" type="hidden" value="([^"]*)"', card
            )
        )
        radios = pages.choices(card, "q")
        answer = next(iter(radios.values())) if radios else "an answer"
        checked = student_client.post("/study/answer", data={**hidden, "q": answer})
        received[f"study check {n}"] = checked.get_data(as_text=True)
        review_id = re.search(
            r'name="review_id" type="hidden" value="(\d+)"', received[f"study check {n}"]
        )[1]
        rated = student_client.post(
            f"/study/rate?bank={bank_id}",
            data={"review_id": review_id, "rating": "again"},
            follow_redirects=True,
        )
        received[f"study after rating {n}"] = rated.get_data(as_text=True)
    get("quiz start", f"/quizzes/{quiz.id}")
    start = student_client.post(f"/quizzes/{quiz.id}/start")
    url = start.headers["Location"]
    for n in range(1, len(IDS) + 1):
        page = get(f"question page {n}", f"{url}?page={n}")
        assert re.search(rf"<legend[^>]*>Question {n} of {len(IDS)}</legend>", page), n
        position = re.search(r'name="positions" value="(\d+)"', page)[1]
        fields = {"position": position, "revision": 0, f"q{position}-flag": ["0", "1"]}
        radios = pages.choices(page, f"q{position}")
        if radios:
            fields[f"q{position}"] = next(iter(radios.values()))
        elif f'name="q{position}"' in page:
            fields[f"q{position}"] = "an answer"
        reply = student_client.post(f"{url}/save", data=fields)
        assert reply.is_json and reply.json["ok"], reply.data
        received[f"autosave reply {n}"] = reply.get_data(as_text=True)
    get("confirm", f"{url}/submit")
    submitted = student_client.post(f"{url}/submit", follow_redirects=True)
    received["review after submit"] = submitted.get_data(as_text=True)
    get("review", f"{url}/review")
    get("progress", "/progress")
    assert {label: _leaks(body) for label, body in received.items() if _leaks(body)} == {}


def test_instructors_keep_seeing_question_ids(instructor_client, student_client, quiz, session):
    start = student_client.post(f"/quizzes/{quiz.id}/start")
    attempt_id = start.headers["Location"].rsplit("/", 1)[1]
    student_client.post(f"/attempts/{attempt_id}/submit")
    detail = instructor_client.get(f"/teach/attempts/{attempt_id}").get_data(as_text=True)
    assert _leaks(detail) == IDS
    quiz_page = instructor_client.get(f"/teach/quizzes/{quiz.id}").get_data(as_text=True)
    assert "karlov-name" in quiz_page
