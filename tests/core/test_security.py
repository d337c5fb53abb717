"""Security baseline: headers, CSRF on every POST, secret key, configuration precedence."""

from __future__ import annotations

import io
import os
import stat
from datetime import timedelta

import pytest

from studyapp import create_app
from studyapp.auth import services as auth_services
from tests import factories
from tests.conftest import TEST_CONFIG, csrf_token, login


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_have_no_inline_script_or_external_assets(client):
    page = client.get("/login").get_data(as_text=True)
    assert "<script>" not in page and "onclick=" not in page
    assert "http://" not in page.replace("http://localhost", "") and "https://" not in page


#: The LMS posts these from its own pages, so they cannot carry our CSRF token; a signed
#: id token and a single-use state (tests/lti/test_security.py) protect them instead.
LTI_CROSS_SITE_POSTS = {"lti.login", "lti.launch", "lti.confirm"}


@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def test_every_post_route_refuses_a_missing_or_wrong_csrf_token(csrf_app):
    with csrf_app.app_context():
        s = csrf_app.extensions["studyapp.sessionmaker"]()
        teacher = factories.make_instructor(s, is_admin=True)
        course = factories.make_course(s, teacher)
        auth_services.start_session(s, teacher, timedelta(days=1))
        s.commit()
    client = csrf_app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = teacher.get_id()
        sess["_fresh"] = True
    posted = 0
    for rule in csrf_app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint in LTI_CROSS_SITE_POSTS:
            continue
        values = {a: (course.id if a.endswith("_id") else "x") for a in rule.arguments}
        for a in rule.arguments:
            conv = rule._converters[a]
            if type(conv).__name__ == "AnyConverter":
                values[a] = next(iter(conv.items))
        url = rule.build(values)[1]
        for data in ({}, {"csrf_token": "forged"}):
            response = client.post(url, data=data)
            assert response.status_code == 400, (rule.endpoint, data)
            assert b"This form has expired" in response.data
        posted += 1
    assert posted >= 10


def test_login_works_with_the_real_csrf_token(csrf_app):
    with csrf_app.app_context():
        s = csrf_app.extensions["studyapp.sessionmaker"]()
        user = factories.make_user(s)
        s.commit()
    client = csrf_app.test_client()
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_secret_key_is_generated_once_with_mode_0600(tmp_path, monkeypatch):
    monkeypatch.delenv("STUDYAPP_SECRET_KEY", raising=False)
    config = {k: v for k, v in TEST_CONFIG.items() if k != "SECRET_KEY"}
    config["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    first = create_app(config, instance_path=str(tmp_path / "inst"))
    key_file = tmp_path / "inst" / "secret_key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    second = create_app(config, instance_path=str(tmp_path / "inst"))
    assert first.secret_key == second.secret_key and len(first.secret_key) >= 32


def test_configuration_precedence(tmp_path, monkeypatch):
    inst = tmp_path / "inst"
    inst.mkdir()
    (inst / "config.py").write_text("PUBLIC_URL = 'https://from-file'\nTERM_NAME = 'file'\n")
    monkeypatch.setenv("STUDYAPP_PUBLIC_URL", "https://from-env")
    monkeypatch.setenv("STUDYAPP_SESSION_COOKIE_SECURE", "true")
    monkeypatch.setenv("STUDYAPP_SECRET_KEY", "from-env-secret")
    config = {
        "TESTING": True,
        "AUTO_MIGRATE": False,
        "SYNC_BANKS_ON_START": False,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
    }
    app = create_app(config, instance_path=str(inst))
    assert app.config["PUBLIC_URL"] == "https://from-env"
    assert app.config["TERM_NAME"] == "file"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.secret_key == "from-env-secret"
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("STUDYAPP_DATABASE_URL", raising=False)
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "AUTO_MIGRATE": False, "SYNC_BANKS_ON_START": False},
        instance_path=str(tmp_path),
    )
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'studyapp.sqlite3'}"


def test_healthz_reports_the_database(client):
    assert client.get("/healthz").json == {"status": "ok", "database": "ok"}


def test_healthz_fails_when_the_database_is_unreachable(tmp_path):
    app = create_app(
        {**TEST_CONFIG, "DATABASE_URL": "postgresql+psycopg://nobody:x@127.0.0.1:1/none"},
        instance_path=str(tmp_path),
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] == "unreachable"


def test_oversized_request_is_refused(student_client):
    response = student_client.post("/join", data={"code": "x" * (5 * 1024 * 1024)})
    assert response.status_code == 413


def test_login_is_required_after_logout(client, student):
    login(client, student.email)
    client.post("/logout")
    assert client.get("/account/password").status_code == 302


def test_uploads_over_the_limit_are_refused_before_reading(make_app):
    app = make_app(MAX_CONTENT_LENGTH=2048)
    s = app.extensions["studyapp.sessionmaker"]()
    teacher = factories.make_instructor(s)
    course = factories.make_course(s, teacher)
    s.commit()
    client = app.test_client()
    login(client, teacher.email)
    big = {"file": (io.BytesIO(b"email,name\n" + b"a" * 4096), "big.csv")}
    response = client.post(
        f"/teach/classes/{course.id}/roster", data=big, content_type="multipart/form-data"
    )
    assert response.status_code == 413 and b"too large" in response.data
    s.close()


def test_the_benchmark_endpoint_exists_only_when_asked_for(app, make_app):
    assert "bench.insert" not in app.view_functions
    bench = make_app(BENCH_ENDPOINTS=True)
    assert bench.test_client().post("/_bench/insert").status_code == 302, "still behind login"
