"""Starting an attempt costs the same few statements however many questions it draws."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import event, select

from studyapp.attempts import saving
from studyapp.attempts import services as attempts_service
from studyapp.attempts.models import Attempt
from studyapp.banks import models as bank_models
from studyapp.core.clock import utcnow
from studyapp.quizzes import drawing
from studyapp.quizzes import services as quizzes
from tests import factories
from tests.conftest import count_statements

BIG_BANK = "id: bigbank\ntitle: Big bank\nquestions:\n" + "".join(
    f"""  - id: q{n}
    type: single
    prompt: Question {n}?
    explanation: Because.
    tags: [{"odd" if n % 2 else "even"}]
    choices:
      A: Yes
      B: No
    answer: A
"""
    for n in range(60)
)


def _quiz(session, course, fixed: int, drawn: int, tag: str | None = None):
    quiz = quizzes.create_quiz(session, course, f"{fixed} fixed, {drawn} drawn")
    for n in range(fixed):
        quizzes.add_fixed_item(session, quiz, "bigbank", f"q{n}", 1.0)
    quizzes.add_draw_item(session, quiz, "bigbank", tag, drawn, 1.0)
    quizzes.publish(session, quiz, utcnow())
    return quiz


def _start_statements(app, client, quiz) -> list[str]:
    with count_statements(app) as statements:
        response = client.post(f"/quizzes/{quiz.id}/start")
    assert response.status_code == 302 and "/attempts/" in response.location
    return statements


def test_starting_runs_as_many_statements_for_25_questions_as_for_5(
    app, session, course, student_client
):
    factories.make_bank(session, BIG_BANK)
    small = _quiz(session, course, fixed=2, drawn=3)
    large = _quiz(session, course, fixed=10, drawn=15)
    tagged_small = _quiz(session, course, fixed=1, drawn=4, tag="odd")
    tagged_large = _quiz(session, course, fixed=5, drawn=20, tag="odd")
    session.commit()
    assert len(_start_statements(app, student_client, small)) == len(
        _start_statements(app, student_client, large)
    )
    assert len(_start_statements(app, student_client, tagged_small)) == len(
        _start_statements(app, student_client, tagged_large)
    )
    counts = {
        quiz.id: len(session.scalar(select(Attempt).where(Attempt.quiz_id == quiz.id)).questions)
        for quiz in (small, large, tagged_small, tagged_large)
    }
    assert sorted(counts.values()) == [5, 5, 25, 25]


def test_a_tagged_draw_picks_only_questions_with_the_tag(session, course, student):
    from studyapp.attempts import services as attempts

    factories.make_bank(session, BIG_BANK)
    quiz = _quiz(session, course, fixed=0, drawn=30, tag="even")
    attempt = attempts.start_attempt(session, quiz, student, utcnow())
    keys = {row.version.question.key for row in attempt.questions}
    assert len(keys) == 30 and all(int(k[1:]) % 2 == 0 for k in keys)


def _writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().split(None, 1)[0].upper() != "SELECT"]


def test_the_start_page_reads_three_statements_and_writes_nothing(
    app, session, course, student, student_client
):
    # Opened by a whole class at once: the login check, the quiz with the student's
    # enrolment and accommodation, and their attempts; no write and no commit.
    quiz = factories.make_quiz(session, course, keys=("capital",), attempts_allowed=3)
    done = attempts_service.start_attempt(session, quiz, student, utcnow())
    attempts_service.submit_attempt(session, done, utcnow())
    session.commit()
    commits = []
    event.listen(app.extensions["studyapp.engine"], "commit", commits.append)
    with count_statements(app) as statements:
        page = student_client.get(f"/quizzes/{quiz.id}")
    assert page.status_code == 200 and "Start the quiz" in page.get_data(as_text=True)
    assert len(statements) == 3, statements
    assert _writes(statements) == [] and commits == []


def test_the_start_page_grades_an_attempt_past_its_deadline(
    session, course, student, student_client
):
    quiz = factories.make_quiz(session, course, keys=("capital",), time_limit_minutes=5)
    attempt = attempts_service.start_attempt(
        session, quiz, student, utcnow() - timedelta(minutes=30)
    )
    saving.save_answer(session, attempt, 0, "A", None, utcnow() - timedelta(minutes=29))
    session.commit()
    page = student_client.get(f"/quizzes/{quiz.id}")
    assert page.status_code == 200 and "Continue your attempt" not in page.get_data(as_text=True)
    session.expire_all()
    graded = attempts_service.get_attempt(session, attempt.id)
    assert graded.submitted_by == "deadline" and graded.score == 1.0


def test_a_start_runs_nine_statements_with_fixed_questions_draws_and_tags(
    app, session, course, student_client
):
    # Login check, quiz with rules, the student's row lock, their attempts, the quiz's slots,
    # one query for every candidate and current version, two inserts, the LMS outbox check.
    factories.make_bank(session, BIG_BANK)
    quiz = _quiz(session, course, fixed=3, drawn=4)
    quizzes.add_draw_item(session, quiz, "bigbank", "odd", 2, 1.0, confirmed=True)
    quizzes.add_draw_item(session, quiz, "bigbank", "even", 2, 1.0, confirmed=True)
    session.commit()
    statements = _start_statements(app, student_client, quiz)
    assert len(statements) == 9, statements
    keys = [
        int(row.version.question.key[1:])
        for row in session.scalar(select(Attempt).where(Attempt.quiz_id == quiz.id)).questions
    ]
    assert len(keys) == len(set(keys)) == 11
    assert sum(k % 2 for k in keys[7:]) == 2  # the "odd" draw, then the "even" one


def test_a_draw_of_a_tag_skips_retired_questions_and_other_banks_tags(session, course, student):
    factories.make_bank(session, BIG_BANK)
    bank = session.scalar(select(bank_models.Bank).where(bank_models.Bank.slug == "bigbank"))
    retired = {q.id for q in bank.questions if int(q.key[1:]) % 4 == 1}
    for question in bank.questions:
        if question.id in retired:
            question.retired_at = utcnow()
    session.flush()
    available = drawing.available_for_draw(session, bank, "odd")
    assert len(available) == 15 and not set(available) & retired
    assert drawing.available_for_draw(session, bank, "od") == []  # whole tags, not parts
    quiz = _quiz(session, course, fixed=0, drawn=15, tag="odd")
    attempt = attempts_service.start_attempt(session, quiz, student, utcnow())
    assert {row.version.question_id for row in attempt.questions} == set(available)


def test_the_attempt_page_reads_two_statements_for_5_or_25_questions(
    app, session, course, student_client
):
    # The page a whole class loads right after starting: the login check, then the attempt
    # with its quiz and every question's version in one join.
    factories.make_bank(session, BIG_BANK)
    pages = []
    for quiz in (_quiz(session, course, fixed=2, drawn=3), _quiz(session, course, 10, 15)):
        session.commit()
        attempt_url = student_client.post(f"/quizzes/{quiz.id}/start").location
        with count_statements(app) as statements:
            page = student_client.get(attempt_url)
        assert page.status_code == 200, page.status_code
        shown = re.search(r"Question 1 of (\d+)", page.get_data(as_text=True))
        pages.append((len(statements), int(shown.group(1))))
    assert pages == [(2, 5), (2, 25)], pages
