"""Quiz answers feed study mode: cards created and moved by a submit, exam caps, races."""

from __future__ import annotations

from datetime import timedelta

from fsrs import Rating
from sqlalchemy import select

from studyapp.attempts import saving
from studyapp.attempts import services as attempts
from studyapp.study import services
from studyapp.study.models import ReviewStatus, StudyCard, StudyReview
from tests import factories
from tests.conftest import run_midway
from tests.study.helpers import DAY_START, NOW, SCHED, answer_key, scope, study


def _quiz_attempt(session, course, student, keys, answers, now):
    quiz = factories.make_quiz(session, course, keys=keys)
    attempt = attempts.start_attempt(session, quiz, student, now)
    for position, response in enumerate(answers):
        saving.save_answer(session, attempt, position, response, None, now)
    return attempt


def test_missed_quiz_question_comes_back_in_study(session, course, student, bank):
    quiz = factories.make_quiz(
        session, course, keys=("capital", "goods"), review_timing="immediately"
    )
    attempt = attempts.start_attempt(session, quiz, student, NOW)
    saving.save_answer(session, attempt, 0, "B", None, NOW)
    saving.save_answer(session, attempt, 1, ["A", "B"], None, NOW)
    attempts.submit_attempt(session, attempt, NOW)
    cards = {c.question.key: c for c in session.scalars(select(StudyCard))}
    assert set(cards) == {"capital", "goods"}
    assert cards["capital"].due_at < cards["goods"].due_at
    nxt = services.next_card(session, student, scope(bank), NOW + timedelta(minutes=15), DAY_START)
    assert nxt.question.id == "capital"


def test_quiz_answer_moves_a_card_studied_before(session, course, student, bank):
    studied, _ = study(session, student, bank, NOW)  # "capital", rated Good
    later = NOW + timedelta(days=1)
    attempt = _quiz_attempt(session, course, student, ("capital", "goods"), ["B", ["A"]], later)
    attempts.submit_attempt(session, attempt, later)
    card = session.get(StudyCard, studied.card.id)
    assert (card.version, card.reviews, card.lapses) == (2, 2, 1)  # missed: a lapse
    assert card.last_review_at == later and card.due_at <= later + timedelta(minutes=10)
    quiz_reviews = session.scalars(select(StudyReview).where(StudyReview.source == "quiz")).all()
    assert sorted((r.question_id == card.question_id, r.card_version) for r in quiz_reviews) == [
        (False, 0),
        (True, 1),
    ]
    assert {(r.status, r.rating, r.correct) for r in quiz_reviews} == {
        (ReviewStatus.APPLIED, Rating.Again, False)
    }


def test_quiz_fed_cards_never_fall_due_after_the_exam(session, course, student, bank):
    course.exam_at = NOW + timedelta(minutes=5)
    attempt = _quiz_attempt(session, course, student, ("capital",), ["A"], NOW)
    attempts.submit_attempt(session, attempt, NOW)
    card = session.scalar(select(StudyCard))
    assert card.reviews == 1 and card.due_at <= course.exam_at
    assert card.fsrs["due"] == card.due_at.isoformat()


def test_study_rating_arriving_mid_submit_is_voided_not_lost(app, session, course, student, bank):
    card = services.next_card(session, student, scope(bank), NOW, DAY_START)  # "capital"
    pending = services.answer(
        session, student, card.card.id, 0, card.version_id, answer_key(card), NOW
    )
    attempt = _quiz_attempt(session, course, student, ("capital",), ["B"], NOW)
    session.commit()
    maker = app.extensions["studyapp.sessionmaker"]
    outcome: list = []

    def rate() -> None:
        s = maker()
        try:
            rated = services.rate(s, SCHED, s.merge(student), pending.review.id, "good", NOW)
            outcome.append(rated[1])
            s.commit()
        except Exception as exc:  # noqa: BLE001 - any error is the failure being tested for
            outcome.append(repr(exc))
        finally:
            s.close()

    submitter = maker()
    # The rating comes once the submit has read the cards: it must wait for the submit.
    with run_midway(app, "FROM study_cards", rate):
        attempts.submit_attempt(submitter, attempts.get_attempt(submitter, attempt.id), NOW)
        submitter.commit()
    submitter.close()
    assert outcome == [False]
    session.expire_all()
    stored = session.get(StudyCard, card.card.id)
    statuses = {r.source: r.status for r in session.scalars(select(StudyReview))}
    assert statuses == {"quiz": ReviewStatus.APPLIED, "study": ReviewStatus.VOID}
    assert stored.reviews == stored.version == 1 and stored.lapses == 0
