"""The question picker: search, filters, adding several at once, draw counts and dedupe."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from studyapp.attempts import saving
from studyapp.attempts import services as attempts
from studyapp.banks.loader import load_bank_text
from studyapp.banks.models import Bank, Origin
from studyapp.banks.sync import upsert_bank
from studyapp.core.errors import DomainError
from studyapp.quizzes import drawcounts, drawing, picker, services
from studyapp.quizzes.picker import PickerFilters
from tests import factories
from tests.conftest import count_statements, csrf_token, login

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)

ACCENTED_BANK = """id: accents
title: Accented bank
source: sample
questions:
  - id: moscow-trip
    type: single
    prompt: Why did Erdoğan travel to Moscow?
    tags: [diplomacy]
    difficulty: easy
    source: ¶2
    explanation: The offensive.
    choices:
      A: To discuss the Idlib offensive
      B: To buy a Café
    answer: A
  - id: pipeline
    type: truefalse
    prompt: The pipeline runs under the sea.
    tags: [energy]
    difficulty: hard
    source: ¶3
    explanation: It does.
    answer: true
"""


@pytest.fixture
def banks(session):
    quizbank = factories.make_bank(session)
    result = load_bank_text(ACCENTED_BANK, "accents.yaml", factories.READINGS)
    assert result.bank is not None, [str(e) for e in result.errors]
    upsert_bank(session, result.bank, Origin.FILE, path="accents.yaml")
    session.commit()
    accents = session.scalar(select(Bank).where(Bank.slug == "accents"))
    return quizbank, accents


def _keys(page) -> list[str]:
    return [row.key for row in page.rows]


def _quiz(session, course):
    quiz = services.create_quiz(session, course, "Picked")
    session.flush()
    return quiz


def test_a_word_of_the_prompt_finds_the_question_whatever_its_case_and_accents(
    session, course, banks
):
    quiz = _quiz(session, course)
    for words in ("erdogan", "ERDOĞAN", "Erdogan moscow"):
        assert _keys(picker.search_questions(session, quiz, PickerFilters(words=words))) == [
            "moscow-trip"
        ]
    # A word of a choice finds it too; every word must match.
    assert _keys(picker.search_questions(session, quiz, PickerFilters(words="cafe"))) == [
        "moscow-trip"
    ]
    assert _keys(picker.search_questions(session, quiz, PickerFilters(words="cafe pipeline"))) == []


def test_search_text_treats_like_wildcards_as_letters(session, course, banks):
    quiz = _quiz(session, course)
    assert picker.search_questions(session, quiz, PickerFilters(words="%")).total == 0
    assert picker.search_questions(session, quiz, PickerFilters(words="_")).total == 0


def test_filters_by_bank_tag_type_difficulty_and_source(session, course, banks):
    quizbank, accents = banks
    quiz = _quiz(session, course)

    def keys(**kw):
        return _keys(picker.search_questions(session, quiz, PickerFilters(**kw)))

    assert keys(bank_id=accents.id) == ["moscow-trip", "pipeline"]
    assert keys(tag="trade") == ["capital", "goods"]
    assert keys(tag="trad") == []
    assert keys(type="numeric") == ["rebuilt"]
    assert keys(difficulty="hard") == ["pipeline"]
    assert keys(reading="sample", paragraph=3) == ["pipeline", "essay"]
    assert keys(bank_id=quizbank.id, paragraph=2) == ["rebuilt"]


def test_not_yet_in_this_quiz_and_used_in_other_quizzes(session, course, banks):
    quiz = _quiz(session, course)
    services.add_fixed_item(session, quiz, "quizbank", "capital", 1.0)
    other = _quiz(session, course)
    services.add_fixed_item(session, other, "quizbank", "goods", 1.0)
    services.add_fixed_item(session, other, "quizbank", "capital", 1.0)
    bank_filter = {"bank_id": banks[0].id}
    page = picker.search_questions(session, quiz, PickerFilters(not_in_quiz=True, **bank_filter))
    assert "capital" not in _keys(page) and "goods" in _keys(page)
    page = picker.search_questions(session, quiz, PickerFilters(used_elsewhere=True))
    assert _keys(page) == ["capital", "goods"]
    by_key = {r.key: r for r in page.rows}
    assert by_key["capital"].in_quiz and by_key["capital"].other_quizzes == 1
    assert not by_key["goods"].in_quiz


def test_three_questions_are_added_at_once_as_the_page_posts_them(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    session = app.extensions["studyapp.sessionmaker"]()
    instructor = factories.make_instructor(session)
    course = factories.make_course(session, instructor)
    factories.make_bank(session)
    quiz = _quiz(session, course)
    session.commit()
    client = app.test_client()
    login(client, instructor.email, csrf_token=csrf_token(client, "/login"))
    url = f"/teach/quizzes/{quiz.id}/picker?q=town"
    html = client.get(url).get_data(as_text=True)
    ids = re.findall(r'name="question_id" value="(\d+)"', html)
    assert len(ids) == 3  # capital, river and essay mention the town
    form = {"question_id": ids, "points": "2"}
    # Without the token nothing is added.
    assert client.post(f"/teach/quizzes/{quiz.id}/picker/add", data=form).status_code == 400
    response = client.post(
        f"/teach/quizzes/{quiz.id}/picker/add", data={"csrf_token": csrf_token(client, url), **form}
    )
    assert response.status_code == 302
    session.expire_all()
    quiz = services.get_quiz(session, quiz.id)
    assert [i.question.key for i in quiz.items] == ["capital", "river", "essay"]
    assert {i.points for i in quiz.items} == {2.0}
    session.close()


def test_adding_a_question_already_in_the_quiz_adds_none_of_the_ticked_ones(session, course, banks):
    quiz = _quiz(session, course)
    services.add_fixed_item(session, quiz, "quizbank", "capital", 1.0)
    ids = {q.key: q.id for q in banks[0].questions}
    with pytest.raises(DomainError, match="Already in this quiz: capital"):
        picker.add_questions(session, quiz, [ids["goods"], ids["capital"]], 1.0)
    session.rollback()
    with pytest.raises(DomainError, match="Tick at least one"):
        picker.add_questions(session, quiz, [], 1.0)


def test_a_retired_question_cannot_be_added(session, course, banks):
    quiz = _quiz(session, course)
    question = next(q for q in banks[0].questions if q.key == "goods")
    question.retired_at = NOW
    session.flush()
    assert "goods" not in _keys(picker.search_questions(session, quiz, PickerFilters()))
    with pytest.raises(DomainError, match="no longer available"):
        picker.add_questions(session, quiz, [question.id], 1.0)


def test_a_draw_counts_what_matches_and_what_the_quiz_already_takes(session, course, banks):
    quizbank, _ = banks
    quiz = _quiz(session, course)
    count = drawcounts.count_draw(session, quiz, quizbank, None)
    assert (count.matching, count.available) == (5, 5)
    services.add_fixed_item(session, quiz, "quizbank", "capital", 1.0)
    services.add_draw_item(session, quiz, "quizbank", "trade", 1, 1.0)
    count = drawcounts.count_draw(session, quiz, quizbank, None)
    # capital is fixed; the trade draw takes goods (the only trade question left).
    assert (count.matching, count.fixed_in_quiz, count.in_other_draws) == (5, 1, 1)
    assert count.available == 3
    trade = drawcounts.count_draw(session, quiz, quizbank, "trade")
    assert (trade.matching, trade.available) == (2, 0)


def test_the_picker_page_shows_the_draw_counts_before_the_draw_is_added(
    instructor_client, session, course, banks
):
    quiz = _quiz(session, course)
    services.add_fixed_item(session, quiz, "quizbank", "capital", 1.0)
    session.commit()
    html = instructor_client.get(
        f"/teach/quizzes/{quiz.id}/picker?bank={banks[0].id}&tag=trade"
    ).get_data(as_text=True)
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "2 question(s) match." in text
    assert "1 of them are already fixed items of this quiz" in text
    assert "1 can be drawn." in text


def test_no_attempt_gets_a_question_twice_and_the_quiz_page_says_the_draw_skips(
    instructor_client, session, course, banks, student
):
    quiz = _quiz(session, course)
    services.add_fixed_item(session, quiz, "quizbank", "capital", 1.0)
    services.add_draw_item(session, quiz, "quizbank", "trade", 1, 1.0)
    services.add_draw_item(session, quiz, "quizbank", None, 3, 1.0)
    services.publish(session, quiz, NOW)
    for seed in range(60):
        ids = [d.question_id for d in drawing.draw_questions(session, quiz, seed)]
        assert len(ids) == len(set(ids)) == 5
    attempt = attempts.start_attempt(session, quiz, student, NOW)
    versions = [row.version.question_id for row in attempt.questions]
    assert len(versions) == len(set(versions)) == 5
    session.commit()
    html = instructor_client.get(f"/teach/quizzes/{quiz.id}").get_data(as_text=True)
    notes = re.findall(r'class="hint draw-note">([^<]+)<', html)
    assert len(notes) == 2
    assert notes[0].startswith("Skips 1 question(s) that are fixed items of this quiz")
    assert "1 of 2 remain" in notes[0]
    assert "up to 1 taken by an earlier draw" in notes[1] and "3 of 5 remain" in notes[1]


def test_rows_show_facility_and_discrimination_once_attempts_exist(session, course, banks):
    quiz = factories.make_quiz(session, course, keys=("capital", "goods", "rebuilt"))
    students = [factories.make_user(session) for _ in range(4)]
    for n, user in enumerate(students):
        factories.make_enrollment(session, course, user)
        attempt = attempts.start_attempt(session, quiz, user, NOW)
        by_key = {attempts.question_of(r).id: r.position for r in attempt.questions}
        saving.save_answer(session, attempt, by_key["capital"], "A" if n < 2 else "B", None, NOW)
        saving.save_answer(
            session, attempt, by_key["goods"], ["A", "B"] if n < 3 else ["C"], None, NOW
        )
        saving.save_answer(session, attempt, by_key["rebuilt"], "2" if n < 1 else "5", None, NOW)
        attempts.submit_attempt(session, attempt, NOW)
    other = _quiz(session, course)
    page = picker.search_questions(session, other, PickerFilters(bank_id=banks[0].id))
    rows = {r.key: r for r in page.rows}
    assert rows["capital"].answered == 4 and rows["capital"].facility == pytest.approx(0.5)
    assert rows["goods"].facility == pytest.approx(0.75)
    assert rows["capital"].discrimination is not None and rows["capital"].discrimination > 0
    assert rows["river"].answered == 0 and rows["river"].facility is None


def test_preview_opens_as_a_fragment_and_pages_split_the_results(
    instructor_client, session, course, banks
):
    quiz = _quiz(session, course)
    session.commit()
    capital = next(q for q in banks[0].questions if q.key == "capital")
    fragment = instructor_client.get(f"/teach/quizzes/{quiz.id}/picker/{capital.id}/preview")
    assert fragment.status_code == 200
    html = fragment.get_data(as_text=True)
    assert "Which town traded salt?" in html and "<html" not in html
    assert (
        instructor_client.get(f"/teach/quizzes/{quiz.id}/picker/999999/preview").status_code == 404
    )
    page = picker.search_questions(session, quiz, PickerFilters(page=2), per_page=3)
    assert (page.total, page.page, page.pages, len(page.rows)) == (7, 2, 3, 3)
    late = picker.search_questions(session, quiz, PickerFilters(page=99), per_page=3)
    assert late.page == 3 and len(late.rows) == 1


def _big_bank(n: int) -> str:
    lines = ["id: big", "title: Big bank", "source: sample", "questions:"]
    for i in range(n):
        lines += [
            f"  - id: q{i}",
            "    type: single",
            f"    prompt: Question {i} about the river town",
            "    tags: [river]",
            "    source: ¶1",
            "    explanation: Yes.",
            "    choices: {A: yes, B: no}",
            "    answer: A",
        ]
    return "\n".join(lines) + "\n"


def test_the_picker_page_runs_the_same_statements_for_10_and_1000_questions(
    app, session, course, instructor
):
    """No statement per row: the count, the page, its use elsewhere and its past scores are
    one statement each (plus the login, the quiz and the filter lists); with a bank chosen,
    the draw's counts add a constant few."""
    factories.make_bank(session)
    quiz = _quiz(session, course)
    session.commit()
    client = app.test_client()
    login(client, instructor.email)
    counts: dict[str, list[int]] = {"search": [], "bank": []}
    for n in (10, 1000):
        result = load_bank_text(_big_bank(n), "big.yaml", factories.READINGS)
        upsert_bank(session, result.bank, Origin.FILE, path="big.yaml")
        if n == 10:
            services.add_fixed_item(session, quiz, "big", "q3", 1.0)
        session.commit()
        big = session.scalar(select(Bank.id).where(Bank.slug == "big"))
        urls = {
            "search": f"/teach/quizzes/{quiz.id}/picker?q=river&tag=river&page=2",
            "bank": f"/teach/quizzes/{quiz.id}/picker?q=river&bank={big}&not_in_quiz=y",
        }
        for name, url in urls.items():
            with count_statements(app) as statements:
                response = client.get(url)
            assert response.status_code == 200
            html = response.get_data(as_text=True)
            found = n if name == "search" else n - 1
            assert f"{found} question(s) found" in html
            counts[name].append(len(statements))
        assert f"{n} question(s) match." in " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert counts == {"search": [15, 15], "bank": [17, 17]}, counts
