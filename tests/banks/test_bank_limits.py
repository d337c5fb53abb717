"""Hostile bank input gets a clear message, never a server error or minutes of work."""

from __future__ import annotations

import io
import time

import pytest
from sqlalchemy import select

from studyapp.banks import gift, models
from studyapp.banks.content import question_from_doc
from studyapp.banks.loader import load_bank_text
from studyapp.banks.types import grade

HUGE = "9" * 320


def _numeric_bank(field: str) -> str:
    return (
        "id: huge\ntitle: Huge\nquestions:\n  - id: n\n    type: numeric\n"
        f"    prompt: How many?\n    explanation: Some.\n    {field}\n"
    )


@pytest.mark.parametrize("field", [f"answer: {HUGE}", f"answer: 2\n    tolerance: {HUGE}"])
def test_a_310_digit_integer_in_an_import_is_an_error_at_its_line(
    instructor_client, session, field
):
    reply = instructor_client.post(
        "/teach/banks/import",
        data={"file": (io.BytesIO(_numeric_bank(field).encode()), "huge.yaml")},
        content_type="multipart/form-data",
    )
    body = reply.get_data(as_text=True)
    assert reply.status_code == 200
    assert "huge.yaml:" in body and "is too large a number" in body
    assert session.scalar(select(models.Bank).where(models.Bank.slug == "huge")) is None


def test_a_310_digit_integer_in_the_editor_preview_is_an_error_at_its_line(
    instructor_client, session
):
    instructor_client.post("/teach/banks/new", data={"slug": "web", "title": "Web"})
    bank = session.scalar(select(models.Bank).where(models.Bank.slug == "web"))
    snippet = (
        f"id: n\ntype: numeric\nprompt: How many?\nexplanation: Some.\npoints: {HUGE}\nanswer: 2\n"
    )
    reply = instructor_client.post(f"/teach/banks/{bank.id}/preview", data={"text": snippet})
    assert reply.status_code == 200
    assert reply.get_json()["issues"] == [
        "question:5: question 'n': 'points' is too large a number"
    ]
    saved = instructor_client.post(f"/teach/banks/{bank.id}/questions/new", data={"text": snippet})
    assert saved.status_code == 200 and b"is too large a number" in saved.data


# ---- GIFT: refused above a documented size, linear below it --------------------------------


def _gift(questions: int) -> str:
    return "".join(f"::Q{i}::What is {i}? {{=A{i} ~B ~C#nope}}\n\n" for i in range(questions))


def test_a_gift_import_of_2000_questions_takes_seconds_not_minutes():
    text = _gift(2000)
    assert len(text) > 80_000
    started = time.process_time()
    imported = gift.import_gift(text, "big", "Big", {})
    spent = time.process_time() - started
    assert imported.result.errors == () and imported.result.question_count == 2000
    assert spent < 10, f"{spent:.1f} s of CPU"  # it took 19 s when each question was loaded alone


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_gift(2001), "the GIFT text has 2,001 questions; at most 2,000"),
        (
            "::L::" + "word " * 50_000 + "{=a ~b}\n",
            "the GIFT text is larger than 200,000 characters",
        ),
    ],
)
def test_a_gift_file_above_the_limits_is_refused_at_once(instructor_client, text, message):
    started = time.process_time()
    reply = instructor_client.post(
        "/teach/banks/import",
        data={"file": (io.BytesIO(text.encode()), "big.gift"), "bank_id": "big", "title": "Big"},
        content_type="multipart/form-data",
    )
    assert reply.status_code == 200 and message in reply.get_data(as_text=True)
    assert time.process_time() - started < 2


def test_one_bad_question_among_many_skips_only_itself():
    text = _gift(3) + "::Dup::Pick {=a ~a}\n\n::Dup::Pick {=a ~b}\n\n::Q0::Again {=x ~y}\n"
    imported = gift.import_gift(text, "mixed", "Mixed", {})
    assert imported.result.errors == ()
    # The refused 'Dup' is gone, so the next one keeps the id 'dup'.
    assert [q.id for q in imported.result.bank.questions] == ["q0", "q1", "q2", "dup", "q0-2"]
    assert "question 4 'Dup' (line 7): choice B has the same text as choice A; skipped" in (
        imported.notes
    )
    assert any("renamed 'q0-2'" in n for n in imported.notes)


# ---- short-answer patterns ------------------------------------------------------------------


def _short_bank(pattern: str) -> str:
    return (
        "id: pat\ntitle: Patterns\nquestions:\n  - id: p\n    type: short\n"
        f"    prompt: Which?\n    explanation: This.\n    answers: [ab]\n    pattern: '{pattern}'\n"
    )


@pytest.mark.parametrize("pattern", [r"(a+)+b", r"(a*)*", r"(a|aa)*b", r"(\w+\s?)+$"])
def test_a_pattern_that_can_backtrack_without_end_is_refused_at_its_line(pattern):
    result = load_bank_text(_short_bank(pattern), "pat.yaml", {})
    assert [(e.line, e.question_id) for e in result.errors] == [(9, "p")]
    assert "pattern can take exponential time" in result.errors[0].message


@pytest.mark.parametrize("pattern", [r"colou?r", r"(ab)+", r"[a-z]+ (salt|grain)", r"a{2,}"])
def test_ordinary_patterns_still_load(pattern):
    assert load_bank_text(_short_bank(pattern), "pat.yaml", {}).errors == ()


def test_the_editor_refuses_a_catastrophic_pattern(instructor_client, session):
    instructor_client.post("/teach/banks/new", data={"slug": "web", "title": "Web"})
    bank = session.scalar(select(models.Bank).where(models.Bank.slug == "web"))
    snippet = (
        "id: p\ntype: short\nprompt: Which?\nexplanation: This.\nanswers: [ab]\npattern: '(a+)+b'\n"
    )
    reply = instructor_client.post(f"/teach/banks/{bank.id}/preview", data={"text": snippet})
    assert "pattern can take exponential time" in reply.get_json()["issues"][0]
    assert reply.get_json()["issues"][0].startswith("question:6:")


def test_grading_with_a_catastrophic_pattern_is_quick_and_wrong():
    """A version stored before patterns were checked still grades at once."""
    doc = {
        "id": "p",
        "type": "short",
        "prompt": "Which?",
        "points": 1.0,
        "explanation": "This.",
        "answers": ["ab"],
        "pattern": "(a+)+b",
    }
    question = question_from_doc(doc)
    started = time.perf_counter()
    score = grade(question, "a" * 28)
    assert time.perf_counter() - started < 1
    assert score.correct is False and score.points == 0
    assert grade(question, "a" * 20_000).correct is False  # longer than any pattern is run on
    assert grade(question, "aaab").correct is True


def test_a_match_past_its_timeout_counts_as_not_matching():
    """`(a|aa)+b` runs long even in the regex engine: the timeout stops it."""
    doc = {
        "id": "p",
        "type": "short",
        "prompt": "Which?",
        "points": 1.0,
        "explanation": "This.",
        "answers": ["ab"],
        "pattern": "(a|aa)+b",
    }
    started = time.perf_counter()
    score = grade(question_from_doc(doc), "a" * 40 + "c")
    assert time.perf_counter() - started < 1
    assert score.correct is False
