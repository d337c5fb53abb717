"""Study never shows a key, a grade or a schedule of a question a quiz still holds."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from studyapp.attempts import saving, visibility
from studyapp.attempts import services as attempts
from studyapp.attempts.review import review_access, review_rows
from studyapp.banks.models import Bank
from studyapp.core.clock import utcnow
from studyapp.quizzes import services as quizzes
from studyapp.study import progress, services
from studyapp.study import scope as scopes
from studyapp.study.models import CourseBank, StudyCard
from studyapp.study.views import zone
from tests import factories

#: One question of each auto-graded type; every key and explanation carries a marker.
EVERY_KIND = """id: everykind
title: Every kind
source: sample
questions:
  - id: k-single
    type: single
    prompt: PROMPT-single which town?
    source: ¶1
    explanation: KEYTEXT-single
    choices: {A: River town, B: Hill town}
    answer: A
  - id: k-multiple
    type: multiple
    prompt: PROMPT-multiple which goods?
    source: ¶1
    explanation: KEYTEXT-multiple
    choices: {A: Salt, B: Grain, C: Iron}
    answer: [A, B]
  - id: k-truefalse
    type: truefalse
    prompt: PROMPT-truefalse the bridge stood?
    source: ¶1
    explanation: KEYTEXT-truefalse
    answer: false
  - id: k-short
    type: short
    prompt: PROMPT-short what for grain?
    source: ¶1
    explanation: KEYTEXT-short
    answers: [salt]
  - id: k-numeric
    type: numeric
    prompt: PROMPT-numeric how many times?
    source: ¶2
    explanation: KEYTEXT-numeric
    answer: 2
  - id: k-ordering
    type: ordering
    prompt: PROMPT-ordering put in order
    source: ¶2
    explanation: KEYTEXT-ordering
    items: [First, Second, Third]
  - id: k-matching
    type: matching
    prompt: PROMPT-matching match them
    source: ¶2
    explanation: KEYTEXT-matching
    pairs: {River: Salt, Hill: Grain}
  - id: k-blanks
    type: blanks
    prompt: PROMPT-blanks the [[good]] trade
    source: ¶3
    explanation: KEYTEXT-blanks
    blanks: {good: [salt]}
"""
KEYS = [line.split("id: ")[1] for line in EVERY_KIND.splitlines() if "  - id: " in line]


def _every_kind_bank(session, course, open_for_study=True):
    bank = factories.make_bank(session, EVERY_KIND)
    if open_for_study:
        session.add(CourseBank(course_id=course.id, bank_id=bank.id))
    session.flush()
    return bank


def _quiz(session, course, bank, **settings):
    quiz = quizzes.create_quiz(session, course, "Probe quiz")
    quizzes.update_settings(session, quiz, settings)
    for key in KEYS:
        quizzes.add_fixed_item(session, quiz, bank.slug, key, points=1)
    quizzes.publish(session, quiz, utcnow())
    return quiz


def _scope(bank):
    return services.Scope(frozenset({bank.id}))


def _day_start(now):
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _study_all(session, student, bank, now):
    """Meet every question of the bank in study once (cards exist before the quiz)."""
    cards = []
    for _ in KEYS:
        card = services.next_card(session, student, _scope(bank), now, _day_start(now), 100)
        cards.append(card)
        done = services.answer(
            session, student, card.card.id, card.card.version, card.version_id, None, now
        )
        services.rate(session, services.make_scheduler(False), student, done.review.id, None, now)
    return cards


def test_probe_open_quiz_with_review_never_hides_all_eight_kinds(
    app, session, course, student, student_client
):
    """The probe: every auto-graded question of an open quiz, review 'never', in study."""
    now = utcnow()
    bank = _every_kind_bank(session, course)
    cards = _study_all(session, student, bank, now - timedelta(days=30))
    quiz = _quiz(session, course, bank, review_timing="never")
    attempt = attempts.start_attempt(session, quiz, student, now)
    session.commit()

    assert services.next_card(session, student, _scope(bank), now, _day_start(now), 100) is None
    page = student_client.get(f"/study/session?bank={bank.id}").get_data(as_text=True)
    assert "PROMPT-" not in page and "KEYTEXT-" not in page
    for card in cards:
        data = {
            "card_id": card.card.id,
            "card_version": session.get(StudyCard, card.card.id).version,
            "version_id": card.version_id,
            "q": "A",
        }
        for headers in ({}, {"Accept": "application/json"}):
            reply = student_client.post("/study/answer", data=data, headers=headers)
            body = reply.get_data(as_text=True)
            assert reply.status_code == 404, card.question.id
            assert "KEYTEXT-" not in body and "Correct answer" not in body

    # Submitted, review still 'never': the quiz's answers schedule nothing the student sees.
    for position in range(len(KEYS)):
        saving.save_answer(session, attempt, position, "A", None, now)
    attempts.submit_attempt(session, attempt, now)
    session.commit()
    later = now + timedelta(days=60)
    assert services.next_card(session, student, _scope(bank), later, _day_start(later), 100) is None
    assert progress.due_counts(
        session,
        student,
        later,
        zone("UTC"),
        hidden=services.visibility(session, student, later).held,
    ) == (0, 0)
    mine = progress.progress_page(session, student, later, zone("UTC"))
    assert mine["due_today"] == 0 and all(m.questions == 0 for m in mine["by_bank"])


def test_a_published_quiz_no_longer_opens_its_banks(session, course, student):
    quiz = factories.make_quiz(session, course, keys=("capital",))
    assert quiz.status.value == "published"
    assert services.allowed_bank_ids(session, student) == set()


def test_quiz_questions_join_study_when_review_shows_the_answers(session, course, student):
    now = utcnow()
    bank = _every_kind_bank(session, course, open_for_study=False)
    quiz = _quiz(session, course, bank, review_timing="immediately", review_content="answers")
    attempt = attempts.start_attempt(session, quiz, student, now)
    assert services.visibility(session, student, now).released == {}
    attempts.submit_attempt(session, attempt, now)
    vis = services.visibility(session, student, now)
    assert len(vis.released[quiz.id]) == len(KEYS) and not vis.held
    scope = scopes.choose_scope(session, student, now, set(), None, quiz.id)
    later = now + timedelta(days=1)  # the quiz's missed answers are due again by then
    card = services.next_card(session, student, scope, later, _day_start(later), 100)
    assert card is not None and card.question.id in KEYS
    assert scopes.studyable_quizzes(session, student, vis)[course.id] == [quiz]


def test_score_only_review_keeps_the_questions_held(session, course, student):
    now = utcnow()
    bank = _every_kind_bank(session, course)
    quiz = _quiz(session, course, bank, review_timing="immediately", review_content="score")
    attempts.submit_attempt(session, attempts.start_attempt(session, quiz, student, now), now)
    assert services.next_card(session, student, _scope(bank), now, _day_start(now), 100) is None


def test_attempts_left_accommodation_included_keep_the_questions_held(session, course, student):
    now = utcnow()
    bank = _every_kind_bank(session, course)
    quiz = _quiz(session, course, bank, review_timing="immediately", attempts_allowed=1)
    quizzes.set_accommodation(session, quiz, student.id, extra_attempts=1)
    attempts.submit_attempt(session, attempts.start_attempt(session, quiz, student, now), now)
    assert not visibility.may_see_key(session, student, quiz.items[0].question_id, now)
    assert services.next_card(session, student, _scope(bank), now, _day_start(now), 100) is None
    quizzes.set_accommodation(session, quiz, student.id, extra_attempts=0)
    assert visibility.may_see_key(session, student, quiz.items[0].question_id, now)


def test_a_quiz_not_yet_open_or_a_draft_holds_its_questions(session, course, student):
    now = utcnow()
    bank = _every_kind_bank(session, course)
    _quiz(session, course, bank, opens_at=now + timedelta(days=3))
    assert services.next_card(session, student, _scope(bank), now, _day_start(now), 100) is None
    draft = factories.make_quiz(session, course, keys=("capital",), publish=False)
    quiz_bank = session.scalar(select(Bank).where(Bank.slug == "quizbank"))
    assert not visibility.may_see_key(session, student, draft.items[0].question_id, now)
    assert quiz_bank is not None


def test_a_draw_holds_every_question_it_could_give(session, course, student):
    now = utcnow()
    bank = _every_kind_bank(session, course)
    quiz = quizzes.create_quiz(session, course, "Draw quiz")
    quizzes.add_draw_item(session, quiz, bank.slug, None, 2, 1)
    quizzes.publish(session, quiz, now)
    assert services.next_card(session, student, _scope(bank), now, _day_start(now), 100) is None


def test_another_quizs_review_leaves_out_a_key_an_open_quiz_holds(session, course, student):
    now = utcnow()
    done = factories.make_quiz(
        session, course, keys=("capital", "goods"), review_timing="immediately", title="Done"
    )
    attempt = attempts.start_attempt(session, done, student, now)
    attempts.submit_attempt(session, attempt, now)
    factories.make_quiz(session, course, keys=("capital",), title="Still open")
    access = review_access(attempt, now)
    rows = {r.shown.row.version.question.key: r for r in review_rows(session, attempt, access, now)}
    assert rows["capital"].key is None and rows["capital"].explanation is None
    assert rows["capital"].awarded is None
    assert rows["goods"].key is not None and rows["goods"].awarded is not None
