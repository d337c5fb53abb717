"""Study scheduling, the daily queue, ratings, races, exam caps and mastery, at fixed times."""

from __future__ import annotations

import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from fsrs import Card, Rating
from sqlalchemy import select

from studyapp.core.errors import NotFound
from studyapp.study import progress, services
from studyapp.study.models import ReviewStatus, StudyCard, StudyReview
from tests import factories
from tests.study.helpers import DAY_START, NOW, SCHED, answer_key, scope, study


def test_new_questions_come_in_bank_order_and_essays_are_left_out(session, student, bank):
    seen = []
    for _ in range(4):
        card, _ = study(session, student, bank, NOW)
        seen.append(card.question.id)
    assert seen == ["capital", "goods", "rebuilt", "river"]
    assert services.next_card(session, student, scope(bank), NOW, DAY_START) is None


def test_wrong_answer_is_again_and_comes_back_soon(session, student, bank):
    card, done = study(session, student, bank, NOW, right=False, rating="easy")
    assert done.review.rating == Rating.Again and not done.review.correct
    stored = session.get(StudyCard, card.card.id)
    assert stored.due_at <= NOW + timedelta(minutes=10)


def test_right_answer_follows_the_students_rating(session, student, bank):
    study(session, student, bank, NOW, rating="easy")
    study(session, student, bank, NOW, rating="hard")
    reviews = session.scalars(select(StudyReview).order_by(StudyReview.id)).all()
    assert [r.rating for r in reviews] == [Rating.Easy, Rating.Hard]
    easy, hard = session.scalars(select(StudyCard).order_by(StudyCard.id)).all()
    assert easy.due_at > hard.due_at


def test_due_reviews_come_before_new_questions(session, student, bank):
    first, _ = study(session, student, bank, NOW, right=False)
    later = NOW + timedelta(hours=1)
    card = services.next_card(session, student, scope(bank), later, DAY_START)
    assert card.card.id == first.card.id


def test_new_questions_are_capped_per_day(session, student, bank):
    for _ in range(2):
        study(session, student, bank, NOW)
    assert services.next_card(session, student, scope(bank), NOW, DAY_START, new_limit=2) is None
    tomorrow = DAY_START + timedelta(days=1)
    assert services.next_card(
        session, student, scope(bank), NOW + timedelta(days=1), tomorrow, new_limit=2
    )


def test_state_persists_across_sessions(app, session, student, bank):
    study(session, student, bank, NOW)
    session.commit()
    other = app.extensions["studyapp.sessionmaker"]()
    card = other.scalar(select(StudyCard))
    assert card.reviews == 1 and card.fsrs["stability"] is not None and card.last_review_at == NOW
    other.close()


def test_replayed_rating_changes_nothing(session, student, bank):
    card, done = study(session, student, bank, NOW)
    before = session.get(StudyCard, card.card.id).version
    _review, applied = services.rate(
        session, SCHED, student, done.review.id, "easy", NOW + timedelta(minutes=1)
    )
    assert not applied and session.get(StudyCard, card.card.id).version == before


def test_two_answers_racing_apply_once(app, session, student, bank):
    card = services.next_card(session, student, scope(bank), NOW, DAY_START)
    answers = [
        services.answer(
            session,
            student,
            card.card.id,
            card.card.version,
            card.version_id,
            answer_key(card),
            NOW,
        )
        for _ in range(2)
    ]
    session.commit()
    maker = app.extensions["studyapp.sessionmaker"]
    barrier, results = threading.Barrier(2), []

    def rate(review_id):
        s = maker()
        try:
            barrier.wait()
            results.append(services.rate(s, SCHED, s.merge(student), review_id, "good", NOW)[1])
            s.commit()
        finally:
            s.close()

    threads = [threading.Thread(target=rate, args=(a.review.id,)) for a in answers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    session.expire_all()
    assert sorted(results) == [False, True]
    assert session.get(StudyCard, card.card.id).reviews == 1
    statuses = sorted(r.status for r in session.scalars(select(StudyReview)))
    assert statuses == [ReviewStatus.APPLIED, ReviewStatus.VOID]


def test_question_outside_the_students_classes_is_refused(session, student, bank, instructor):
    outsider = factories.make_user(session)
    card = services.next_card(session, student, scope(bank), NOW, DAY_START)
    with pytest.raises(NotFound):
        services.answer(session, outsider, card.card.id, 0, card.version_id, answer_key(card), NOW)


def test_client_clock_is_not_trusted(session, student, bank):
    # Only the server's time goes in: a review at NOW lands at NOW whatever a client claims.
    card, done = study(session, student, bank, NOW)
    assert (
        done.review.answered_at == NOW
        and session.get(StudyCard, card.card.id).last_review_at == NOW
    )


def test_exam_caps_every_interval(session, course, student, bank):
    course.exam_at = NOW + timedelta(days=3)
    for _ in range(3):
        study(session, student, bank, NOW, rating="easy")
    for card in session.scalars(select(StudyCard)):
        assert card.due_at <= course.exam_at - timedelta(days=1)


@pytest.mark.parametrize(
    ("due", "exam", "expected"),
    [
        (NOW + timedelta(days=30), NOW + timedelta(days=10), NOW + timedelta(days=9)),
        (NOW + timedelta(days=3), NOW + timedelta(days=10), NOW + timedelta(days=3)),
        (NOW + timedelta(days=30), NOW + timedelta(hours=5), NOW + timedelta(hours=4)),
        (NOW + timedelta(days=30), None, NOW + timedelta(days=30)),
    ],
)
def test_capped_due(due, exam, expected):
    assert services.capped_due(due, exam, NOW) == expected


def test_mastery_is_mean_retrievability_with_unseen_as_zero(session, student, bank):
    study(session, student, bank, NOW)
    questions = progress.bank_questions(session, {bank.id})
    cards = progress.user_cards(session, [student.id])[student.id]
    banks, tags = progress.mastery_table(
        questions, cards, {bank.id: "Quiz bank"}, {bank.id: NOW + timedelta(days=1)}, {}
    )
    (row,) = banks
    assert (row.questions, row.seen) == (4, 1)
    only = SCHED.get_card_retrievability(
        Card.from_dict(cards[bank.questions[0].id].fsrs), current_datetime=NOW + timedelta(days=1)
    )
    assert row.mastery == pytest.approx(only / 4)
    assert {t.label for t in tags} == {"trade"}


def test_activity_calendar_and_streak_in_local_time(session, student, bank):
    tz = ZoneInfo("Asia/Tokyo")
    for days_ago in (0, 1, 2, 4):
        study(session, student, bank, NOW - timedelta(days=days_ago), right=False)
    activity = progress.activity(session, student, NOW, tz)
    assert activity.streak == 3 and activity.total == 4
    assert activity.days[-1][1] == 1 and len(activity.days) == progress.CALENDAR_DAYS
