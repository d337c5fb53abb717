"""Private pages are never cached (no-store); static files are; HSTS once on HTTPS."""

from __future__ import annotations

from tests import factories
from tests.conftest import login
from tests.core.test_access import _rules, _urls


def _get_rules(app):
    return [r for r in _rules(app) if "GET" in r.methods]


def test_every_page_says_no_store_to_anyone(app, client, course, student, instructor, session):
    """Walk the url map as a student, an instructor and anonymously: every answer is no-store."""
    admin = factories.make_instructor(session, is_admin=True)
    session.commit()
    ids = {"course_id": course.id, "user_id": student.id}
    checked = 0
    for who in (None, student, instructor, admin):
        c = app.test_client()
        if who is not None:
            assert login(c, who.email).status_code == 302
        for url in (u for rule in _get_rules(app) for u in _urls(rule, ids)):
            response = c.get(url)
            response.close()  # a streamed CSV keeps its request open until closed
            assert response.headers.get("Cache-Control") == "no-store", (
                who and who.email,
                url,
                response.status_code,
            )
            checked += 1
    assert checked > 4 * 30


def test_logged_in_pages_with_private_data_say_no_store(instructor_client, course):
    for path in (f"/teach/classes/{course.id}", f"/teach/classes/{course.id}/gradebook", "/"):
        response = instructor_client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path


def test_static_files_stay_cacheable(client):
    response = client.get("/static/css/app.css")
    response.close()
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_hsts_only_when_secure_cookies_are_on(make_app):
    plain = make_app().test_client().get("/login")
    assert "Strict-Transport-Security" not in plain.headers
    secure = make_app(SESSION_COOKIE_SECURE=True).test_client()
    for path in ("/login", "/static/css/app.css", "/healthz"):
        response = secure.get(path)
        response.close()
        header = response.headers.get("Strict-Transport-Security")
        assert header == "max-age=31536000; includeSubDomains", path
