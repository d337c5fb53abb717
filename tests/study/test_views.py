"""Study mode and progress pages over HTTP."""

from __future__ import annotations

import re

from sqlalchemy import select

from studyapp.attempts import saving
from studyapp.attempts import services as attempts
from studyapp.core.clock import utcnow
from studyapp.quizzes import services as quizzes
from studyapp.study.models import CourseBank, StudyCard
from tests import factories, pages
from tests.conftest import login


def _hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page)[1]


def _answer(client, page: str, value):
    data = {k: _hidden(page, k) for k in ("card_id", "card_version", "version_id")}
    return client.post("/study/answer", data={**data, "q": value})


def test_study_page_lists_the_classes_banks(student_client, bank):
    page = student_client.get("/study").get_data(as_text=True)
    assert "Quiz bank" in page and "Study everything due" in page


def test_a_card_is_answered_explained_and_rated(student_client, bank, session):
    page = student_client.get(f"/study/session?bank={bank.id}").get_data(as_text=True)
    assert "Which town traded salt?" in page and "SECRET-EXPLANATION" not in page
    hill = pages.choice_value(page, "q", "The hill town")
    result = _answer(student_client, page, hill).get_data(as_text=True)
    assert pages.checked(result, "q") == {"The hill town"}
    assert "Not quite" in result and "SECRET-EXPLANATION" in result and "SECRET-FEEDBACK" in result
    review_id = _hidden(result, "review_id")
    response = student_client.post(
        f"/study/rate?bank={bank.id}", data={"review_id": review_id, "rating": "again"}
    )
    assert response.status_code == 302 and f"bank={bank.id}" in response.headers["Location"]
    assert session.scalar(select(StudyCard)).reviews == 1


def test_a_bank_outside_the_students_classes_is_not_found(student_client, bank, session):
    other = factories.make_bank(
        session, factories.QUIZ_BANK.replace("id: quizbank", "id: elsewhere")
    )
    session.commit()
    assert student_client.get(f"/study/session?bank={other.id}").status_code == 404


def test_another_students_card_is_not_found(app, student_client, bank, session, course):
    page = student_client.get(f"/study/session?bank={bank.id}").get_data(as_text=True)
    other = factories.make_user(session)
    factories.make_enrollment(session, course, other)
    session.commit()
    intruder = app.test_client()
    login(intruder, other.email)
    assert _answer(intruder, page, "A").status_code == 404


def test_progress_page_shows_what_was_done(student_client, bank):
    page = student_client.get(f"/study/session?bank={bank.id}").get_data(as_text=True)
    result = _answer(student_client, page, "A").get_data(as_text=True)
    student_client.post(
        "/study/rate", data={"review_id": _hidden(result, "review_id"), "rating": "good"}
    )
    progress = student_client.get("/progress").get_data(as_text=True)
    assert 'data-testid="reviews-total">1<' in progress and 'data-testid="streak">1<' in progress
    assert "1 / 4" in progress and "Quiz bank" in progress


def test_instructor_class_progress_with_exam_date(instructor_client, course, bank, student):
    response = instructor_client.post(
        f"/teach/classes/{course.id}/exam", data={"exam_at": "2099-06-01T09:00"}
    )
    assert response.status_code == 302
    page = instructor_client.get(f"/teach/classes/{course.id}/progress").get_data(as_text=True)
    assert "Predicted recall on the exam date" in page and student.name in page and "trade" in page
    detail = instructor_client.get(f"/teach/classes/{course.id}/students/{student.id}/progress")
    assert detail.status_code == 200 and student.name.encode() in detail.data


def test_instructor_opens_a_bank_for_study(instructor_client, course, session, student_client):
    factories.make_bank(session)
    session.commit()
    assert b"has not opened any bank" in student_client.get("/study").data
    instructor_client.post(f"/teach/classes/{course.id}/study-banks", data={"bank": "quizbank"})
    assert b"Quiz bank" in student_client.get("/study").data


def test_instructor_sees_only_their_own_class_on_a_students_page(
    app, session, instructor_client, course, student, student_client, bank
):
    """Another instructor's class of the same student: no quiz title, score or study work."""
    other = factories.make_instructor(session)
    elsewhere = factories.make_course(session, other, name="Elsewhere")
    factories.make_enrollment(session, elsewhere, student)
    their_bank = factories.make_bank(
        session, factories.QUIZ_BANK.replace("id: quizbank", "id: theirs")
    )
    session.add(CourseBank(course_id=elsewhere.id, bank_id=their_bank.id))
    quiz = quizzes.create_quiz(session, elsewhere, "ELSEWHERE-QUIZ")
    quizzes.update_settings(session, quiz, {"review_timing": "immediately"})
    quizzes.add_fixed_item(session, quiz, "theirs", "capital", 1)
    quizzes.publish(session, quiz, utcnow())
    attempt = attempts.start_attempt(session, quiz, student, utcnow())
    saving.save_answer(session, attempt, 0, "A", None, utcnow())
    attempts.submit_attempt(session, attempt, utcnow())
    session.commit()
    page = student_client.get(f"/study/session?bank={their_bank.id}").get_data(as_text=True)
    shown = next(iter(pages.choices(page, "q").values()))
    result = _answer(student_client, page, shown).get_data(as_text=True)
    student_client.post("/study/rate", data={"review_id": _hidden(result, "review_id")})
    assert b"ELSEWHERE-QUIZ" in student_client.get("/progress").data  # the student's own page

    mine = instructor_client.get(f"/teach/classes/{course.id}/students/{student.id}/progress")
    body = mine.get_data(as_text=True)
    assert mine.status_code == 200
    assert "ELSEWHERE-QUIZ" not in body and "theirs" not in body.lower()
    assert 'data-testid="reviews-total">0<' in body and 'data-testid="due-today">0<' in body
    gradebook = instructor_client.get(f"/teach/classes/{course.id}/students/{student.id}/attempts")
    assert gradebook.status_code == 200 and b"ELSEWHERE-QUIZ" not in gradebook.data


def test_method_overrides_and_odd_ids_on_study_pages_are_no_server_error(
    student_client, bank, session
):
    page = student_client.get(f"/study/session?bank={bank.id}&_method=GET").get_data(as_text=True)
    assert "Which town traded salt?" in page
    fields = {k: _hidden(page, k) for k in ("card_id", "card_version", "version_id")}
    result = student_client.post(
        f"/study/answer?bank={bank.id}&_method=GET&_external=1",
        data={**fields, "q": pages.choice_value(page, "q", "The river town")},
    )
    assert result.status_code == 200
    body = result.get_data(as_text=True)
    assert f'action="/study/rate?bank={bank.id}"' in body
    rated = student_client.post(
        "/study/rate?_method=GET", data={"review_id": _hidden(body, "review_id")}
    )
    assert rated.status_code == 302
    huge = "9" * 30
    odd = [
        ("GET", f"/study/session?bank={huge}", None),
        ("GET", f"/study/session?quiz={huge}", None),
        ("GET", "/study/session?quiz=abc", None),
        ("POST", "/study/answer", {**fields, "card_id": huge}),
        ("POST", "/study/answer", {**fields, "version_id": huge}),
        ("POST", "/study/rate", {"review_id": huge}),
        ("GET", f"/attempts/{huge}", None),
        ("PUT", "/study/session?_method=GET", None),
        ("DELETE", "/study/answer?_method=POST", None),
        ("PROPFIND", "/study", None),
    ]
    for method, path, data in odd:
        reply = student_client.open(path, method=method, data=data)
        assert 400 <= reply.status_code < 500, (method, path, reply.status_code)


def test_a_card_keeps_its_choice_order_on_reload_and_names_choices_by_position(
    student_client, bank
):
    url = f"/study/session?bank={bank.id}"
    page = student_client.get(url).get_data(as_text=True)
    again = student_client.get(url).get_data(as_text=True)
    assert pages.choices(page, "q") == pages.choices(again, "q")
    values = list(pages.choices(page, "q").values())
    assert values == [str(i) for i in range(1, len(values) + 1)]
    # The reply grades what the student saw: the river town, wherever it was shown.
    right = _answer(student_client, page, pages.choice_value(page, "q", "The river town"))
    assert "Right!" in right.get_data(as_text=True)


def test_study_cards_are_shuffled_per_card(app, session, course, bank):
    orders = set()
    for _ in range(8):
        student = factories.make_user(session)
        factories.make_enrollment(session, course, student)
        session.commit()
        client = app.test_client()
        login(client, student.email)
        page = client.get(f"/study/session?bank={bank.id}").get_data(as_text=True)
        orders.add(tuple(pages.choices(page, "q")))
    assert len(orders) > 1
