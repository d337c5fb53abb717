"""Two app servers behind one address: one database, one Redis, one secret key.

Each server is its own gunicorn with two workers on its own port; nothing but the database and
Redis is shared, as on two machines behind a load balancer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from studyapp import create_app
from studyapp.attempts import saving
from studyapp.attempts import services as attempts
from studyapp.attempts.models import Attempt, AttemptStatus
from studyapp.auth.models import User
from studyapp.core.clock import utcnow
from studyapp.study.models import StudyReview
from tests import factories
from tests.conftest import TEST_CONFIG, fresh_database_url, require_redis
from tests.faults.liveapp import Client, Gunicorn, start_gunicorn

KEYS = ("capital", "goods", "rebuilt", "river")


@dataclass
class Site:
    app: object
    servers: list[Gunicorn]

    def session(self):
        return self.app.extensions["studyapp.sessionmaker"]()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    """A migrated, empty database and two servers started at the same moment."""
    redis = require_redis()
    tmp = tmp_path_factory.mktemp("two-servers")
    url = fresh_database_url(tmp, "servers")
    app = create_app(
        {**TEST_CONFIG, "DATABASE_URL": url, "AUTO_MIGRATE": True},
        instance_path=str(tmp / "test-process"),
    )
    settings = {
        "STUDYAPP_SECRET_KEY": "shared-by-both-servers",
        "STUDYAPP_RATELIMIT_ENABLED": "true",
        "STUDYAPP_RATELIMIT_STORAGE_URI": redis,
        "STUDYAPP_ANNOUNCE_SETUP": "true",
        "STUDYAPP_SWEEP_INTERVAL_SECONDS": "1",
    }
    servers: list[Gunicorn] = []
    errors: list[BaseException] = []

    def start(name: str) -> None:
        try:
            servers.append(start_gunicorn(tmp / name, url, workers=2, settings=settings))
        except BaseException as exc:  # noqa: BLE001 - reported below, after both tried
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(n,)) for n in ("server-a", "server-b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert not errors, errors
        yield Site(app, sorted(servers, key=lambda s: s.url))
    finally:
        for server in servers:
            server.stop()
        app.extensions["studyapp.engine"].dispose()


def _students(site: Site, count: int, **quiz_settings):
    s = site.session()
    course = factories.make_course(s)
    users = [factories.make_user(s) for _ in range(count)]
    for u in users:
        factories.make_enrollment(s, course, u)
    quiz = factories.make_quiz(s, course, keys=KEYS, layout="one_page", **quiz_settings)
    s.commit()
    result = [u.email for u in users], quiz.id
    s.close()
    return result


def _login(client: Client, email: str, password: str) -> tuple[int, str]:
    client.get("/login")
    status, _, url = client.post("/login", {"email": email, "password": password})
    return status, url


def test_the_first_start_setup_link_is_printed_once_across_both_servers(site):
    logs = "".join(server.log.read_text() for server in site.servers)
    assert sum("/setup/" in line for line in logs.splitlines()) == 1, logs
    assert "Traceback" not in logs


def test_a_session_made_on_one_server_is_valid_on_the_other(site):
    (email,), _ = _students(site, 1)
    a, b = site.servers
    client = Client(a.url)
    status, url = _login(client, email, factories.PASSWORD)
    assert status == 200 and not url.endswith("/login")
    client.base = b.url
    page = client.get("/account")
    assert "Time zone" in page or "time zone" in page
    assert 'name="password"' not in page  # not sent back to the login form


def test_failed_logins_counted_on_one_server_are_refused_on_the_other(site):
    (email,), _ = _students(site, 1)
    a, b = site.servers
    guesser = Client(a.url)
    codes = [_login(guesser, email, f"guess {i}")[0] for i in range(5)]
    assert codes == [200] * 5
    guesser.base = b.url
    # The sixth try, right password or not, meets the counters the first server kept.
    assert _login(guesser, email, factories.PASSWORD)[0] == 429


def test_the_deadline_sweep_grades_each_attempt_once_while_both_servers_run(site):
    emails, quiz_id = _students(site, 6, time_limit_minutes=5)
    s = site.session()
    started = utcnow() - timedelta(minutes=30)
    ids = []
    for email in emails:
        user = s.scalar(select(User).where(User.email == email))
        quiz = attempts.quizzes.get_quiz(s, quiz_id, None)
        attempt = attempts.start_attempt(s, quiz, user, started)
        saving.save_answer(s, attempt, 0, "B", None, started + timedelta(minutes=1))
        ids.append(attempt.id)
    s.commit()
    s.close()
    # Traffic on both servers: every worker's before-request sweep finds the same attempts.
    hits = [threading.Thread(target=_poke, args=(server.url,)) for server in site.servers * 3]
    for t in hits:
        t.start()
    for t in hits:
        t.join()
    s = site.session()
    statuses = s.scalars(select(Attempt.status).where(Attempt.id.in_(ids))).all()
    assert set(statuses) == {AttemptStatus.GRADED}
    # Grading feeds study once per question; a second grading would review the cards again.
    reviews = s.scalar(
        select(func.count()).select_from(StudyReview).where(StudyReview.source == "quiz")
    )
    assert reviews == len(ids) * len(KEYS)
    by = s.scalars(select(Attempt.submitted_by).where(Attempt.id.in_(ids))).all()
    assert set(by) == {"deadline"}
    s.close()


def _poke(base: str) -> None:
    client = Client(base)
    for _ in range(8):
        client.get("/healthz")
        time.sleep(0.3)
