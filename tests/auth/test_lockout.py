"""Failed-login and join-code throttles, through HTTP with the default limits where it matters."""

from __future__ import annotations

from flask import Flask

from tests import factories

SCHOOL = "203.0.113.7"


def _users(app: Flask, count: int) -> list[str]:
    s = app.extensions["studyapp.sessionmaker"]()
    emails = [factories.make_user(s).email for _ in range(count)]
    s.commit()
    s.close()
    return emails


def _login(client, email: str, password: str, address: str) -> int:
    response = client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )
    return response.status_code


def test_a_lecture_hall_of_300_logs_in_from_one_address_with_the_default_limits(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    emails = _users(app, 300)
    codes = []
    for i, email in enumerate(emails):
        client = app.test_client()
        if i % 5 == 0:  # a fifth mistype their password first
            codes.append(_login(client, email, "wrong password", SCHOOL))
        codes.append(_login(client, email, factories.PASSWORD, SCHOOL))
    assert 429 not in codes
    assert codes.count(302) == 300


def test_a_password_guesser_is_stopped_even_when_the_guess_is_right(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    (email,) = _users(app, 1)
    client = app.test_client()
    codes = [_login(client, email, f"guess {i}", "198.51.100.1") for i in range(6)]
    assert codes == [200] * 5 + [429]
    page = client.post(
        "/login",
        data={"email": email, "password": factories.PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.1"},
    )
    assert page.status_code == 429 and b"Too many failed logins" in page.data


def test_a_guesser_on_many_addresses_meets_the_account_ceiling(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_FAILURES_PER_ACCOUNT="10 per hour")
    (email,) = _users(app, 1)
    codes = [_login(app.test_client(), email, "guess", f"198.51.100.{i}") for i in range(11)]
    assert codes == [200] * 10 + [429]
    # A stranger's address with the right password is refused too: the account is shut
    # to places its owner never logged in from.
    assert _login(app.test_client(), email, factories.PASSWORD, "192.0.2.99") == 429


def test_failures_from_elsewhere_do_not_lock_the_student_out(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    (email,) = _users(app, 1)
    laptop = app.test_client()
    assert _login(laptop, email, factories.PASSWORD, "192.0.2.10") == 302
    laptop.post("/logout")
    # 200 addresses try one password each: far past the per-account ceiling.
    for i in range(200):
        _login(app.test_client(), email, "guess", f"198.51.{i // 250}.{i % 250}")
    assert _login(app.test_client(), email, factories.PASSWORD, "192.0.2.200") == 429
    # The student's own browser (its device cookie), even on a new network, still gets in,
    assert _login(laptop, email, factories.PASSWORD, "100.64.0.5") == 302
    # and so does a fresh browser at the address the student last logged in from.
    assert _login(app.test_client(), email, factories.PASSWORD, "192.0.2.10") == 302


def test_a_guesser_behind_the_school_address_cannot_lock_the_student_out_of_her_laptop(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_FAILURES_PER_ADDRESS="15 per minute")
    emails = _users(app, 4)
    selin = emails[0]
    laptop = app.test_client()
    assert _login(laptop, selin, factories.PASSWORD, SCHOOL) == 302
    laptop.post("/logout")
    # A classmate on the same school address guesses her password, then sprays the others.
    guesser = app.test_client()
    codes = [_login(guesser, selin, f"guess {i}", SCHOOL) for i in range(6)]
    codes += [_login(guesser, e, "guess", SCHOOL) for e in emails[1:] for _ in range(4)]
    assert codes[5] == 429 and codes[-1] == 429
    # Her pair and the address are used up for browsers that cannot prove anything,
    assert _login(app.test_client(), selin, factories.PASSWORD, SCHOOL) == 429
    assert _login(app.test_client(), emails[1], factories.PASSWORD, SCHOOL) == 429
    # but her own laptop, on the same address, still gets in,
    assert _login(laptop, selin, factories.PASSWORD, SCHOOL) == 302
    laptop.post("/logout")
    # and its own mistakes still meet a backoff of their own.
    tries = [_login(laptop, selin, "typo", SCHOOL) for _ in range(6)]
    assert tries == [200] * 5 + [429]


def test_a_success_forgets_the_mistakes_before_it(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    (email,) = _users(app, 1)
    client = app.test_client()
    for _ in range(4):
        assert _login(client, email, "typo", SCHOOL) == 200
    assert _login(client, email, factories.PASSWORD, SCHOOL) == 302
    client.post("/logout")
    assert [_login(client, email, "typo", SCHOOL) for _ in range(4)] == [200] * 4


def test_spraying_many_accounts_from_one_address_is_stopped(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_FAILURES_PER_ADDRESS="10 per minute")
    emails = _users(app, 12)
    codes = [_login(app.test_client(), e, "Winter2026!", "198.51.100.50") for e in emails]
    assert codes == [200] * 10 + [429] * 2
    # Another address is not affected.
    assert _login(app.test_client(), emails[0], factories.PASSWORD, SCHOOL) == 302


def test_a_forged_device_cookie_does_not_open_a_locked_account(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_FAILURES_PER_ACCOUNT="3 per hour")
    (email,) = _users(app, 1)
    for i in range(3):
        _login(app.test_client(), email, "guess", f"198.51.100.{i}")
    client = app.test_client()
    client.set_cookie("studyapp_device", "forged.value.here")
    assert _login(client, email, factories.PASSWORD, "192.0.2.77") == 429


def test_limits_switched_off_never_refuse(make_app):
    app = make_app(RATELIMIT_ENABLED=False)
    (email,) = _users(app, 1)
    client = app.test_client()
    assert 429 not in [_login(client, email, "guess", SCHOOL) for _ in range(60)]


def test_join_code_guessing_is_limited_on_failures_only(make_app):
    app = make_app(RATELIMIT_ENABLED=True, JOIN_FAILURES_PER_ADDRESS="3 per minute")
    s = app.extensions["studyapp.sessionmaker"]()
    code = factories.make_course(s).join_code
    s.commit()
    s.close()

    def sign_up(i: int, join_code: str) -> int:
        data = {
            "code": join_code,
            "email": f"new{i}@school.test",
            "name": f"New {i}",
            "password": "a long enough password",
            "confirm": "a long enough password",
        }
        response = app.test_client().post("/join", data=data, environ_base={"REMOTE_ADDR": SCHOOL})
        return response.status_code

    # A class signing up with the right code from one address is never throttled.
    assert [sign_up(i, code) for i in range(10)] == [302] * 10
    assert [sign_up(100 + i, f"GUESS{i:03d}") for i in range(4)] == [200, 200, 200, 429]
