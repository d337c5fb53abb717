"""Attempts: start, save, submit once, close at the deadline, grade, previews, shuffling."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from studyapp.attempts import saving, services
from studyapp.attempts.models import AttemptStatus, ScoreChange
from studyapp.core.errors import DomainError, NotFound
from tests import factories
from tests.attempts.helpers import NOW, answer_all
from tests.conftest import run_midway


def test_start_fixes_questions_and_deadline_and_resumes(session, quiz, student):
    attempt = services.start_attempt(session, quiz, student, NOW)
    assert attempt.deadline_at == NOW + timedelta(minutes=30)
    assert len(attempt.questions) == 5 and attempt.max_score == 8
    again = services.start_attempt(session, quiz, student, NOW + timedelta(minutes=5))
    assert again.id == attempt.id


def test_saved_answers_survive_and_are_graded_with_partial_credit(session, quiz, student):
    attempt = services.start_attempt(session, quiz, student, NOW)
    answer_all(session, attempt)
    session.commit()
    session.expire_all()
    reloaded = services.get_own_attempt(session, attempt.id, student)
    assert {services.question_of(r).id: r.response for r in reloaded.questions}[
        "river"
    ] == "Zanzibar salt"
    assert services.submit_attempt(session, reloaded, NOW + timedelta(minutes=10))
    points = {services.question_of(r).id: r.awarded for r in reloaded.questions}
    # goods: one right pick (+1/2), one wrong pick (-1/1) -> clamped at 0.
    assert points == {"capital": 1.0, "goods": 0.0, "rebuilt": 0.0, "river": 1.0, "essay": None}
    assert reloaded.status == AttemptStatus.AWAITING_GRADING and reloaded.score == 2.0


def test_numeric_answers_in_words_a_student_types(session, quiz, student):
    attempt = services.start_attempt(session, quiz, student, NOW)
    by_key = {services.question_of(r).id: r.position for r in attempt.questions}
    saving.save_answer(session, attempt, by_key["rebuilt"], " 2 ", None, NOW)
    services.submit_attempt(session, attempt, NOW)
    assert next(r for r in attempt.questions if r.position == by_key["rebuilt"]).awarded == 1.0


def test_last_write_wins_and_the_other_tab_is_told(session, quiz, student):
    attempt = services.start_attempt(session, quiz, student, NOW)
    tab_one = saving.save_answer(session, attempt, 0, "A", 0, NOW)
    tab_two = saving.save_answer(session, attempt, 0, "B", 0, NOW)
    assert not tab_one.overwrote_other and tab_two.overwrote_other
    assert tab_two.revision == 2
    assert attempt.questions[0].response == "B"


def test_answers_for_questions_not_in_the_attempt_are_refused(session, quiz, student):
    attempt = services.start_attempt(session, quiz, student, NOW)
    with pytest.raises(NotFound):
        saving.save_answer(session, attempt, 99, "A", None, NOW)


def test_oversized_answer_is_refused_and_the_saved_one_kept(session, quiz, student):
    attempt = services.start_attempt(session, quiz, student, NOW)
    saving.save_answer(session, attempt, 0, "A", None, NOW)
    with pytest.raises(DomainError, match="too long"):
        saving.save_answer(session, attempt, 0, "x" * 100_000, None, NOW)
    assert attempt.questions[0].response == "A"


def test_save_after_the_deadline_is_refused_and_the_attempt_graded(session, quiz, student):
    attempt = services.start_attempt(session, quiz, student, NOW)
    saving.save_answer(session, attempt, 0, "A", None, NOW + timedelta(minutes=29))
    with pytest.raises(services.AttemptClosed):
        saving.save_answer(session, attempt, 1, ["A"], None, NOW + timedelta(minutes=31))
    assert attempt.status != AttemptStatus.IN_PROGRESS and attempt.submitted_by == "deadline"
    assert attempt.questions[0].response == "A" and attempt.questions[1].response is None


def test_submit_after_the_deadline_says_so_and_grades_what_was_saved(session, quiz, student):
    attempt = services.start_attempt(session, quiz, student, NOW)
    saving.save_answer(session, attempt, 0, "A", None, NOW)
    with pytest.raises(services.AttemptClosed, match="time was up"):
        services.submit_attempt(session, attempt, NOW + timedelta(hours=1))
    assert attempt.submitted_at == NOW + timedelta(minutes=30) + services.GRACE


def test_double_submit_grades_once(session, quiz, student):
    attempt = services.start_attempt(session, quiz, student, NOW)
    assert services.submit_attempt(session, attempt, NOW) is True
    assert services.submit_attempt(session, attempt, NOW + timedelta(seconds=1)) is False


def test_racing_submits_and_sweeps_grade_exactly_once(app, session, quiz, student):
    attempt = services.start_attempt(session, quiz, student, NOW)
    saving.save_answer(session, attempt, 0, "A", None, NOW)
    session.commit()
    maker = app.extensions["studyapp.sessionmaker"]
    results: list[bool] = []
    barrier = threading.Barrier(4)

    def submit(kind: str) -> None:
        s = maker()
        try:
            mine = services.get_attempt(s, attempt.id)
            barrier.wait()
            if kind == "sweep":
                results.append(bool(services.close_expired(s, NOW + timedelta(hours=1))))
            else:
                results.append(services.finalize(s, mine, NOW + timedelta(minutes=1), "student"))
            s.commit()
        finally:
            s.close()

    threads = [threading.Thread(target=submit, args=(k,)) for k in ("a", "b", "sweep", "sweep")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1


def test_a_save_still_writing_when_the_submit_comes_is_graded(app, session, quiz, student):
    attempt = services.start_attempt(session, quiz, student, NOW)
    capital = next(r for r in attempt.questions if services.question_of(r).id == "capital")
    session.commit()
    maker = app.extensions["studyapp.sessionmaker"]
    submitted: list[bool] = []

    def submit() -> None:
        s = maker()
        try:
            submitted.append(services.submit_attempt(s, services.get_attempt(s, attempt.id), NOW))
            s.commit()
        finally:
            s.close()

    saver = maker()
    # The submit arrives while the save's transaction is still open: it must wait for it.
    with run_midway(app, "UPDATE attempt_questions", submit):
        saving.save_answer(
            saver, services.get_attempt(saver, attempt.id), capital.position, "A", None, NOW
        )
        saver.commit()
    saver.close()
    session.expire_all()
    graded = session.get(type(capital), capital.id)
    assert submitted == [True]
    assert graded.response == "A" and graded.auto_points == 1.0 and graded.attempt.score == 1.0


def test_sweep_closes_only_attempts_past_their_deadline(session, quiz, student):
    attempt = services.start_attempt(session, quiz, student, NOW)
    assert services.close_expired(session, NOW + timedelta(minutes=10)) == 0
    assert services.close_expired(session, NOW + timedelta(minutes=31)) == 1
    assert services.close_expired(session, NOW + timedelta(minutes=32)) == 0
    assert attempt.submitted_by == "deadline"


def test_attempt_limit_and_next_attempt(session, quiz, student):
    for n in range(2):
        a = services.start_attempt(session, quiz, student, NOW + timedelta(hours=n))
        services.submit_attempt(session, a, NOW + timedelta(hours=n, minutes=1))
    with pytest.raises(services.QuizUnavailable, match="used all your attempts"):
        services.start_attempt(session, quiz, student, NOW + timedelta(hours=3))


def test_closed_or_not_yet_open_quiz_cannot_start(session, course, student):
    later = factories.make_quiz(
        session, course, keys=("capital",), opens_at=NOW + timedelta(days=1)
    )
    with pytest.raises(services.QuizUnavailable, match="not opened"):
        services.start_attempt(session, later, student, NOW)
    gone = factories.make_quiz(session, course, keys=("capital",), title="Gone", closes_at=NOW)
    with pytest.raises(services.QuizUnavailable, match="closed"):
        services.start_attempt(session, gone, student, NOW)


def test_preview_attempts_never_count(session, quiz, instructor, student):
    preview = services.start_attempt(session, quiz, instructor, NOW, preview=True)
    assert preview.is_preview
    services.submit_attempt(session, preview, NOW)
    from studyapp.quizzes.services import count_real_attempts

    assert count_real_attempts(session, quiz) == 0
    assert session.scalar(select(func.count()).select_from(ScoreChange)) == 0


def test_shuffled_order_is_fixed_by_the_attempt_seed(session, course, student):
    quiz = factories.make_quiz(
        session,
        course,
        keys=("capital", "goods", "rebuilt"),
        shuffle_questions=True,
        shuffle_choices=True,
    )
    attempt = services.start_attempt(session, quiz, student, NOW)

    def shown(attempt):
        return [
            (
                services.question_of(s.row).id,
                s.order,
                [c["text"] for c in s.view.get("choices", [])],
            )
            for s in services.shown_questions(attempt)
        ]

    first = shown(attempt)
    again = shown(services.get_attempt(session, attempt.id))
    assert first == again
    capital = next(order for qid, order, _ in first if qid == "capital")
    assert sorted(capital) == ["A", "B", "C"]
    choice_orders, orders = set(), set()
    for seed in range(12):
        attempt.seed = seed
        orders.add(tuple(qid for qid, _, _ in shown(attempt)))
        choice_orders.add(tuple(tuple(texts) for _, _, texts in shown(attempt)))
    assert len(choice_orders) > 1, "choice order follows the attempt's seed"
    assert len(orders) == 1, "question order is fixed at start, not by the view seed"
