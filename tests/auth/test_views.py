"""Logging in and out, one-time links, password changes and rate limits, through HTTP."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from studyapp.auth import services
from studyapp.auth.cli import new_setup_link
from studyapp.auth.models import TokenPurpose, User
from tests import factories
from tests.conftest import login


def test_login_page_renders(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert b'name="email"' in page.data


def test_login_then_home_then_logout(client, student):
    assert login(client, student.email).headers["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post("/logout")
    assert client.get("/").status_code == 302


def test_wrong_password_shows_an_error_and_stays_logged_out(client, student):
    page = client.post("/login", data={"email": student.email, "password": "nope nope nope"})
    assert page.status_code == 200
    assert b"Wrong email or password." in page.data
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/account/password", "/account/password"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_redirects_only_within_the_site(client, student, target, expected):
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": student.email, "password": factories.PASSWORD},
    )
    assert response.headers["Location"] == expected


def test_remember_me_sets_a_lasting_httponly_cookie(client, student):
    response = login(client, student.email, remember="y")
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")
    )
    assert "HttpOnly" in cookie and "Expires=" in cookie and "SameSite=Lax" in cookie


def test_session_cookie_is_httponly_and_samesite_lax(client, student):
    response = login(client, student.email)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_secure_cookies_when_configured(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True)
    with app.app_context():
        s = app.extensions["studyapp.sessionmaker"]()
        user = factories.make_user(s)
        s.commit()
    response = login(app.test_client(), user.email)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in cookie


def test_tampered_session_cookie_is_treated_as_logged_out(client, student):
    login(client, student.email)
    cookie = client.get_cookie("session")
    client.set_cookie("session", cookie.value[:-4] + "AAAA")
    assert client.get("/").status_code == 302


def test_password_change_ends_other_sessions(app, student):
    phone, laptop = app.test_client(), app.test_client()
    login(phone, student.email, remember="y")
    login(laptop, student.email)
    response = laptop.post(
        "/account/password",
        data={
            "current": factories.PASSWORD,
            "password": "fresh password 123",
            "confirm": "fresh password 123",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/").status_code == 200, "the device that changed it stays logged in"
    phone.delete_cookie("session")  # only the remember cookie is left: it must not work either
    assert phone.get("/").status_code == 302


def test_password_change_with_wrong_current_password(student_client):
    page = student_client.post(
        "/account/password",
        data={
            "current": "wrong!",
            "password": "fresh password 123",
            "confirm": "fresh password 123",
        },
    )
    assert b"current password is not right" in page.data


def test_new_password_must_be_long_enough_and_confirmed(student_client):
    page = student_client.post(
        "/account/password",
        data={"current": factories.PASSWORD, "password": "short", "confirm": "other"},
    )
    assert b"Use at least 10 characters." in page.data
    assert b"The two passwords differ." in page.data


def test_setup_link_creates_first_instructor_and_then_dies(app, client, session):
    with app.app_context():
        link = new_setup_link(app)
    path = "/setup/" + link.rsplit("/", 1)[1]
    assert client.get(path).status_code == 200
    form = {
        "name": "Ayse Yilmaz",
        "email": "ayse@school.test",
        "password": "long enough pw",
        "confirm": "long enough pw",
    }
    response = client.post(path, data=form)
    assert response.headers["Location"] == "/teach/classes/new"
    admin = session.scalar(select(User).where(User.email == "ayse@school.test"))
    assert admin.is_admin
    again = app.test_client().post(path, data={**form, "email": "b@school.test"})
    assert again.status_code == 404
    with app.app_context():
        assert new_setup_link(app) is None, "no new setup link once an instructor exists"


def test_unknown_setup_link_is_404(client):
    assert client.get("/setup/made-up-token").status_code == 404


def test_reset_link_sets_password_once(app, client, session, student):
    raw = services.issue_token(session, TokenPurpose.RESET, timedelta(hours=1), user=student)
    session.commit()
    page = client.get(f"/reset/{raw}")
    assert student.email.encode() in page.data
    response = client.post(
        f"/reset/{raw}", data={"password": "my new password", "confirm": "my new password"}
    )
    assert response.status_code == 302
    assert app.test_client().get(f"/reset/{raw}").status_code == 404
    assert login(app.test_client(), student.email, "my new password").status_code == 302


def test_expired_reset_link_is_refused_with_a_message(client, session, student):
    raw = services.issue_token(session, TokenPurpose.RESET, timedelta(seconds=-5), user=student)
    session.commit()
    page = client.get(f"/reset/{raw}")
    assert page.status_code == 404 and b"expired" in page.data


def test_admin_creates_an_instructor_with_an_activation_link(app, session):
    admin = factories.make_instructor(session, is_admin=True)
    session.commit()
    c = app.test_client()
    login(c, admin.email)
    page = c.post("/admin/instructors", data={"name": "New Prof", "email": "prof@school.test"})
    assert b"/activate/" in page.data
    dup = c.post("/admin/instructors", data={"name": "Again", "email": "PROF@school.test"})
    assert b"already exists" in dup.data


def test_non_admin_instructor_cannot_create_instructors(instructor_client):
    assert instructor_client.get("/admin/instructors").status_code == 403


def test_account_time_zone_changes_how_due_times_are_shown(student_client, session, student):
    assert student_client.post("/account", data={"timezone": "Asia/Tokyo"}).status_code == 302
    session.expire_all()
    assert session.get(User, student.id).timezone == "Asia/Tokyo"
    page = student_client.post("/account", data={"timezone": "Mars/Olympus"})
    assert b"Not a valid choice" in page.data


def test_sign_up_keeps_the_browsers_time_zone(client, course, session):
    client.post(
        "/join",
        data={
            "code": course.join_code,
            "name": "Tz",
            "email": "tz@school.test",
            "password": "long password 1",
            "confirm": "long password 1",
            "timezone": "Europe/Istanbul",
        },
    )
    assert (
        session.scalar(select(User).where(User.email == "tz@school.test")).timezone
        == "Europe/Istanbul"
    )
