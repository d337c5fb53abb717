"""Fixtures shared by every test: an app on a fresh database, sessions, clients and users.

Set STUDYAPP_TEST_DATABASE_URL to run the suite against PostgreSQL instead of SQLite.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import Session

import studyapp.models  # noqa: F401 - every table, for create_all and drop_all
from studyapp import create_app
from studyapp.auth import services as auth_services
from studyapp.db import Base
from tests import factories

pytest_plugins = ["tests.browser.fixtures"]

PG_URL = os.environ.get("STUDYAPP_TEST_DATABASE_URL")

# Property tests are never timed: Hypothesis's per-example deadline (200 ms) and its
# slow-generation check fail a correct test whenever the machine is busy. In CI the examples
# are drawn from a fixed seed, so a run is repeatable; locally they vary and keep exploring.
settings.register_profile(
    "studyapp",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=bool(os.environ.get("CI")),
)
settings.load_profile("studyapp")


def _worker_url(url: str) -> str:
    """Give each xdist worker its own PostgreSQL database."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return f"{url}_{worker}" if worker else url


@pytest.fixture(scope="session")
def database_url() -> Iterator[str | None]:
    """The PostgreSQL URL with a fresh schema, or None to use one SQLite file per test."""
    if not PG_URL:
        yield None
        return
    url = _worker_url(PG_URL)
    if url != PG_URL:
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        name = url.rsplit("/", 1)[1]
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    engine = create_engine(url)
    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    Base.metadata.create_all(engine)
    engine.dispose()
    yield url


def fresh_database_url(tmp_path, suffix: str = "fresh") -> str:
    """An empty database of the backend under test."""
    if not PG_URL:
        return f"sqlite:///{tmp_path / (suffix + '.sqlite3')}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = PG_URL.rsplit("/", 1)[1] + f"_{suffix}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_URL.rsplit("/", 1)[0] + "/" + name


REDIS_URL = os.environ.get("STUDYAPP_TEST_REDIS_URL")


def require_redis() -> str:
    """The Redis that .ci/run starts (STUDYAPP_TEST_REDIS_URL), emptied; skips without one."""
    if not REDIS_URL:
        message = (
            "STUDYAPP_TEST_REDIS_URL is not set: start a private Redis (see DEVELOPERS.md) "
            "to run the tests of several app servers sharing their counters"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    import redis

    url = REDIS_URL
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker.startswith("gw") and worker[2:].isdigit():
        # Each xdist worker empties and uses a database of its own (Redis has 16).
        url = f"{REDIS_URL.rsplit('/', 1)[0]}/{1 + int(worker[2:]) % 15}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    return url


@pytest.fixture
def redis_url() -> str:
    return require_redis()


TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "AUTO_MIGRATE": False,
    "ANNOUNCE_SETUP": False,
    "SYNC_BANKS_ON_START": False,
    "SWEEP_INTERVAL_SECONDS": 0,
    "STUDY_FUZZING": False,
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
    "PUBLIC_URL": "http://localhost",
    "SERVER_NAME": None,
}


def build_app(tmp_path, database_url: str | None, **overrides) -> Flask:
    """An app on a clean database: a new SQLite file, or the emptied PostgreSQL schema."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    url = database_url or f"sqlite:///{tmp_path / 'test.sqlite3'}"
    app = create_app(
        {**TEST_CONFIG, "DATABASE_URL": url, **overrides}, instance_path=str(tmp_path / "instance")
    )
    engine = app.extensions["studyapp.engine"]
    if engine.dialect.name == "postgresql":
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    else:
        Base.metadata.create_all(engine)
    return app


@pytest.fixture
def make_app(tmp_path, database_url):
    """Build extra apps with other settings; their connections close after the test."""
    built: list[Flask] = []

    def make(**overrides) -> Flask:
        app = build_app(tmp_path / f"app{len(built)}", database_url, **overrides)
        built.append(app)
        return app

    yield make
    for app in built:
        app.extensions["studyapp.engine"].dispose()


@pytest.fixture
def app(make_app) -> Flask:
    return make_app()


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing():
    """Hashes made outside a request (by factories) use a low scrypt cost too."""
    original = auth_services.PASSWORD_HASH_METHOD
    auth_services.PASSWORD_HASH_METHOD = TEST_CONFIG["PASSWORD_HASH_METHOD"]
    yield
    auth_services.PASSWORD_HASH_METHOD = original


@pytest.fixture
def session(app) -> Iterator[Session]:
    """A session for arranging and checking data; tests commit what the app must see.

    No app context stays pushed: a request would reuse it, and with it ``g``.
    """
    s = app.extensions["studyapp.sessionmaker"]()
    yield s
    s.rollback()
    s.close()


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@contextmanager
def count_statements(app: Flask) -> Iterator[list[str]]:
    """Collect the SQL statements the app's engine runs inside the block (an executemany is one)."""
    engine = app.extensions["studyapp.engine"]
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@contextmanager
def run_midway(
    app: Flask, marker: str, work: Callable[[], None], wait: float = 1.0
) -> Iterator[None]:
    """Start ``work`` in another thread right after this thread runs SQL containing ``marker``.

    This thread then lets it go on for up to ``wait`` seconds before it carries on, so the
    other thread gets as far as the database lets it while this one's transaction is open:
    where a lock makes it wait, it finishes only after this thread commits. The block's end
    waits for it.
    """
    engine = app.extensions["studyapp.engine"]
    me = threading.get_ident()
    other = threading.Thread(target=work)

    def start_other(_conn, _cursor, statement, *_args) -> None:
        if threading.get_ident() == me and marker in statement and other.ident is None:
            other.start()
            other.join(timeout=wait)

    event.listen(engine, "after_cursor_execute", start_other)
    try:
        yield
    finally:
        event.remove(engine, "after_cursor_execute", start_other)
        if other.ident is not None:
            other.join()
    assert other.ident is not None, f"no statement containing {marker!r} ran"


def login(client: FlaskClient, email: str, password: str = factories.PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


@pytest.fixture
def instructor(session):
    user = factories.make_instructor(session)
    session.commit()
    return user


@pytest.fixture
def student(session):
    user = factories.make_user(session)
    session.commit()
    return user


@pytest.fixture
def course(session, instructor, student):
    """A class taught by ``instructor`` with ``student`` enrolled."""
    c = factories.make_course(session, instructor)
    factories.make_enrollment(session, c, student)
    session.commit()
    return c


@pytest.fixture
def instructor_client(app, instructor) -> FlaskClient:
    c = app.test_client()
    assert login(c, instructor.email).status_code == 302
    return c


@pytest.fixture
def student_client(app, student) -> FlaskClient:
    c = app.test_client()
    assert login(c, student.email).status_code == 302
    return c


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str) -> str:
    """Fetch a page and return the CSRF token of its first form."""
    page = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)
