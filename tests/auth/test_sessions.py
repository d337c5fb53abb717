"""Logging out (or changing a password) ends the session on the server: copied cookies die."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from studyapp.auth.models import LoginSession
from studyapp.classes import services
from tests import factories
from tests.conftest import login


def _copy(app, source, *names):
    """A new browser holding copies of ``source``'s cookies named ``names``."""
    thief = app.test_client()
    for name in names:
        cookie = source.get_cookie(name)
        assert cookie is not None, f"no {name} cookie to copy"
        thief.set_cookie(name, cookie.value, domain=cookie.domain)
    return thief


def _logged_in(client) -> bool:
    return client.get("/").status_code == 200


def test_a_session_cookie_copied_before_logout_stops_working(app, client, student):
    login(client, student.email)
    thief = _copy(app, client, "session")
    assert _logged_in(thief), "the copy works while the session lasts"
    client.post("/logout")
    assert not _logged_in(client)
    assert not _logged_in(thief)
    assert thief.get("/").headers["Location"].startswith("/login")


def test_a_remember_me_cookie_copied_before_logout_stops_working(app, client, student):
    login(client, student.email, remember="y")
    thief = _copy(app, client, "remember_token")
    assert _logged_in(thief), "the remember cookie alone logs in"
    client.post("/logout")
    assert not _logged_in(_copy(app, thief, "remember_token"))


def test_logout_ends_only_its_own_session(app, student, session):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, student.email)
    login(phone, student.email)
    laptop.post("/logout")
    assert not _logged_in(laptop) and _logged_in(phone)
    assert session.scalar(select(func.count()).select_from(LoginSession)) == 1


def test_a_password_change_ends_every_other_session_and_its_copies(app, student):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, student.email, remember="y")
    login(phone, student.email, remember="y")
    copies = [_copy(app, phone, "session"), _copy(app, phone, "remember_token")]
    assert all(_logged_in(c) for c in copies)
    response = laptop.post(
        "/account/password",
        data={
            "current": factories.PASSWORD,
            "password": "a fresh long password",
            "confirm": "a fresh long password",
        },
    )
    assert response.status_code == 302
    assert _logged_in(laptop), "the device that changed it stays in"
    assert not _logged_in(phone)
    assert not any(_logged_in(c) for c in copies)


def test_a_password_link_ends_the_accounts_sessions(app, session, student, instructor, course):
    old = app.test_client()
    login(old, student.email)
    _, _, raw = services.create_reset_link(
        session, course, instructor, student.id, timedelta(hours=1)
    )
    session.commit()
    fresh = app.test_client()
    fresh.post(
        f"/reset/{raw}", data={"password": "reset long password", "confirm": "reset long password"}
    )
    assert _logged_in(fresh) and not _logged_in(old)
