"""Starting an attempt costs the same few statements however many questions it draws."""

from __future__ import annotations

from sqlalchemy import select

from studyapp.attempts.models import Attempt
from studyapp.core.clock import utcnow
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
