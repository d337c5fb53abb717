"""Walk every route: anonymous users go to login, roles are enforced, other classes are 404."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from studyapp.auth.access import PUBLIC_ENDPOINTS
from studyapp.classes.models import ClassInvitation
from tests import factories
from tests.conftest import login

#: Endpoints any logged-in user may open; each checks ownership itself where it loads objects.
ANY_USER = {
    "classes.index",
    "auth.logout",
    "auth.change_password",
    "auth.account",
    # Attempts belong to one user (a student, or an instructor previewing); others get 404.
    "attempts.show",
    "attempts.save_page",
    "attempts.autosave",
    "attempts.confirm_submit",
    "attempts.submit",
    "attempts.review",
}


def _rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def _urls(rule, ids: dict[str, int]) -> list[str]:
    """The rule's URLs with these ids, one per value of each ``<any(...)>`` part."""
    fixed, choices = {}, {}
    for arg in rule.arguments:
        converter = rule._converters[arg]
        if isinstance(converter, IntegerConverter):
            fixed[arg] = ids.get(arg, 1)
        elif type(converter).__name__ == "AnyConverter":
            choices[arg] = sorted(converter.items)
        else:
            fixed[arg] = "x"
    combos = itertools.product(*choices.values())
    return [rule.build({**fixed, **dict(zip(choices, c, strict=True))})[1] for c in combos]


def _method(rule) -> str:
    return "GET" if "GET" in rule.methods else "POST"


def test_every_endpoint_is_classified(app):
    """A new route must be public, role-guarded, or knowingly open to every logged-in user."""
    unclassified = []
    for rule in _rules(app):
        view = app.view_functions[rule.endpoint]
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint in ANY_USER:
            continue
        if getattr(view, "required_role", None) is None:
            unclassified.append(rule.endpoint)
    assert unclassified == []


def test_anonymous_users_are_sent_to_login_outside_the_public_list(app, client):
    for rule in _rules(app):
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        for url in _urls(rule, {}):
            response = client.open(url, method=_method(rule))
            assert response.status_code == 302, url
            assert response.headers["Location"].startswith("/login"), url


def test_anonymous_json_requests_get_401(app, client):
    response = client.get("/", headers={"Accept": "application/json"})
    assert response.status_code == 401


def test_students_are_refused_on_instructor_and_admin_pages(app, student_client, course, student):
    ids = {"course_id": course.id, "user_id": student.id}
    guarded = [
        r
        for r in _rules(app)
        if getattr(app.view_functions[r.endpoint], "required_role", None) in {"instructor", "admin"}
    ]
    assert guarded
    for rule in guarded:
        for url in _urls(rule, ids):
            assert student_client.open(url, method=_method(rule)).status_code == 403, url


def test_instructors_are_refused_on_student_pages(app, instructor_client, course):
    for rule in _rules(app):
        if getattr(app.view_functions[rule.endpoint], "required_role", None) == "student":
            for url in _urls(rule, {"course_id": course.id}):
                assert instructor_client.open(url, method=_method(rule)).status_code == 403, url


def test_instructor_of_class_b_cannot_reach_class_a(app, session, course, student):
    from studyapp.attempts.services import start_attempt
    from studyapp.core.clock import utcnow

    quiz = factories.make_quiz(session, course, keys=("capital", "essay"))
    attempt = start_attempt(session, quiz, student, utcnow())
    other = factories.make_instructor(session)
    factories.make_course(session, other)
    session.commit()
    client = app.test_client()
    login(client, other.email)
    ids = {
        "course_id": course.id,
        "user_id": student.id,
        "quiz_id": quiz.id,
        "attempt_id": attempt.id,
        "item_id": quiz.items[0].id,
        "row_id": attempt.questions[0].id,
        "question_id": quiz.items[0].question_id,
    }
    class_scoped = {"course_id", "quiz_id", "attempt_id"}
    checked = 0
    for rule in _rules(app):
        view = app.view_functions[rule.endpoint]
        if getattr(view, "required_role", None) == "instructor" and class_scoped & set(
            rule.arguments
        ):
            for url in _urls(rule, ids):
                assert client.open(url, method=_method(rule)).status_code == 404, url
                checked += 1
    assert checked >= 20


@pytest.mark.parametrize("path", ["/login", "/join", "/healthz"])
def test_public_pages_open_without_login(client, path):
    assert client.get(path).status_code == 200


#: Arguments that name a student or something of one student's (attempt, answer row, card).
STUDENT_SCOPED = {
    "user_id",
    "attempt_id",
    "row_id",
    "card_id",
    "review_id",
    "enrollment_id",
    "invitation_id",
}


def _class_b_world(session, course, student):
    """Class A (``course``) with a student's attempt; class B of another instructor."""
    from studyapp.attempts.services import start_attempt, submit_attempt
    from studyapp.core.clock import utcnow

    quiz_a = factories.make_quiz(session, course, keys=("capital", "essay"))
    attempt = start_attempt(session, quiz_a, student, utcnow())
    open_attempt_quiz = factories.make_quiz(session, course, keys=("goods",), title="Open")
    open_attempt = start_attempt(session, open_attempt_quiz, student, utcnow())
    submit_attempt(session, attempt, utcnow())
    other = factories.make_instructor(session)
    course_b = factories.make_course(session, other)
    classmate_b = factories.make_enrollment(session, course_b).user
    quiz_b = factories.make_quiz(session, course_b, keys=("capital", "essay"), title="B quiz")
    # An invitation of A's student to another class of A's instructor, not yet answered.
    course_a2 = factories.make_course(session, course.instructors[0].user)
    session.add(ClassInvitation(course_id=course_a2.id, email=student.email, name=student.name))
    session.commit()
    return other, course_b, quiz_b, attempt, open_attempt, classmate_b


def test_instructor_of_class_b_cannot_act_on_a_student_of_class_a(app, session, course, student):
    """Every student-scoped route, with class B's own class and quiz but A's student: 404."""
    from studyapp.gradebook.models import GradeOverride
    from studyapp.quizzes.models import Accommodation

    other, course_b, quiz_b, attempt, open_attempt, _ = _class_b_world(session, course, student)
    client = app.test_client()
    login(client, other.email)
    ids = {
        "course_id": course_b.id,
        "quiz_id": quiz_b.id,
        "user_id": student.id,
        "attempt_id": attempt.id,
        "row_id": attempt.questions[1].id,
        "item_id": quiz_b.items[0].id,
        "question_id": quiz_b.items[0].question_id,
    }
    checked = []
    for rule in _rules(app):
        role = getattr(app.view_functions[rule.endpoint], "required_role", None)
        if role == "student" or not STUDENT_SCOPED & set(rule.arguments):
            continue
        for attempt_id in {attempt.id, open_attempt.id}:
            for url in _urls(rule, {**ids, "attempt_id": attempt_id}):
                response = client.open(
                    url,
                    method=_method(rule),
                    data={"points": "1", "reason": "x", "extra_time_percent": "50", "comment": "x"},
                )
                assert response.status_code in (403, 404), (url, response.status_code)
                assert student.email.encode() not in response.data, url
        checked.append(rule.endpoint)
    assert len(checked) >= 12, checked
    session.expire_all()
    assert (
        session.scalars(select(Accommodation).where(Accommodation.user_id == student.id)).all()
        == []
    )
    assert (
        session.scalars(select(GradeOverride).where(GradeOverride.user_id == student.id)).all()
        == []
    )
    assert session.get(type(attempt), attempt.id).questions[1].manual_points is None
    assert session.get(type(open_attempt), open_attempt.id).is_open


def test_a_student_of_class_b_cannot_reach_a_student_of_class_a(app, session, course, student):
    """Every route taking an attempt or a student, opened by a student of another class: 404."""
    *_, attempt, open_attempt, classmate = _class_b_world(session, course, student)
    invitation = session.scalar(select(ClassInvitation))
    client = app.test_client()
    login(client, classmate.email)
    checked = []
    for rule in _rules(app):
        role = getattr(app.view_functions[rule.endpoint], "required_role", None)
        if role in {"instructor", "admin"} or not STUDENT_SCOPED & set(rule.arguments):
            continue
        for attempt_id in {attempt.id, open_attempt.id}:
            ids = {"attempt_id": attempt_id, "user_id": student.id, "invitation_id": invitation.id}
            for url in _urls(rule, ids):
                response = client.open(url, method=_method(rule), data={"position": "0", "q0": "A"})
                assert response.status_code in (403, 404), (url, response.status_code)
        checked.append(rule.endpoint)
    assert len(checked) >= 6, checked
    session.expire_all()
    assert session.get(type(open_attempt), open_attempt.id).questions[0].response is None
    assert session.get(ClassInvitation, invitation.id).accepted_at is None
