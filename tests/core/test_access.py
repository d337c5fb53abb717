"""Walk every route: anonymous users go to login, roles are enforced, other classes are 404."""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter

from studyapp.auth.access import PUBLIC_ENDPOINTS
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


def _url(rule, ids: dict[str, int]) -> str:
    values = {}
    for arg in rule.arguments:
        converter = rule._converters[arg]
        if isinstance(converter, IntegerConverter):
            values[arg] = ids.get(arg, 1)
        elif type(converter).__name__ == "AnyConverter":
            values[arg] = next(iter(converter.items))
        else:
            values[arg] = "x"
    return rule.build(values)[1]


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
        response = client.open(_url(rule, {}), method=_method(rule))
        assert response.status_code == 302, rule.endpoint
        assert response.headers["Location"].startswith("/login"), rule.endpoint


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
        response = student_client.open(_url(rule, ids), method=_method(rule))
        assert response.status_code == 403, rule.endpoint


def test_instructors_are_refused_on_student_pages(app, instructor_client, course):
    for rule in _rules(app):
        if getattr(app.view_functions[rule.endpoint], "required_role", None) == "student":
            response = instructor_client.open(
                _url(rule, {"course_id": course.id}), method=_method(rule)
            )
            assert response.status_code == 403, rule.endpoint


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
            response = client.open(_url(rule, ids), method=_method(rule))
            assert response.status_code == 404, rule.endpoint
            checked += 1
    assert checked >= 20


@pytest.mark.parametrize("path", ["/login", "/join", "/healthz"])
def test_public_pages_open_without_login(client, path):
    assert client.get(path).status_code == 200
