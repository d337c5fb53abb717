"""A backup taken in the middle of a quiz holds every answer saved before it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from studyapp import create_app
from studyapp.attempts import saving
from studyapp.attempts import services as attempts
from studyapp.attempts.models import AttemptQuestion
from studyapp.core.backup import backup_sqlite
from tests import factories
from tests.conftest import PG_URL, TEST_CONFIG

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def test_backup_mid_quiz_restores_every_saved_answer(make_app, tmp_path):
    # The online backup API is SQLite's: on a PostgreSQL run this test still uses SQLite.
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'live.sqlite3'}")
    session = app.extensions["studyapp.sessionmaker"]()
    course = factories.make_course(session)
    student = factories.make_user(session)
    factories.make_enrollment(session, course, student)
    quiz = factories.make_quiz(session, course, keys=("capital", "goods", "river"))
    attempt = attempts.start_attempt(session, quiz, student, NOW)
    saving.save_answer(session, attempt, 0, "A", None, NOW)
    saving.save_answer(session, attempt, 1, ["A", "B"], None, NOW)
    session.commit()

    # Another writer keeps saving while the copy is taken.
    stop = threading.Event()

    def writer() -> None:
        s = app.extensions["studyapp.sessionmaker"]()
        mine = attempts.get_attempt(s, attempt.id)
        n = 0
        while not stop.is_set() and n < 200:
            saving.save_answer(s, mine, 2, f"answer {n}", None, NOW)
            s.commit()
            n += 1
        s.close()

    thread = threading.Thread(target=writer)
    thread.start()
    copy = backup_sqlite(
        app.extensions["studyapp.engine"].url.database, tmp_path / "backup.sqlite3", 2
    )
    stop.set()
    thread.join()
    session.close()

    restored = create_app(
        {**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{copy}"}, instance_path=str(tmp_path / "r")
    )
    s = restored.extensions["studyapp.sessionmaker"]()
    rows = {
        r.position: r.response
        for r in s.scalars(select(AttemptQuestion).order_by(AttemptQuestion.position))
    }
    assert rows[0] == "A" and rows[1] == ["A", "B"]
    assert rows[2] is None or rows[2].startswith("answer ")
    s.close()
    restored.extensions["studyapp.engine"].dispose()


def test_backup_command_writes_a_file(runner, app, tmp_path):
    if PG_URL:
        result = runner.invoke(args=["backup"])
        assert result.exit_code != 0 and "pg_dump" in result.output
        return
    result = runner.invoke(args=["backup", str(tmp_path / "b.sqlite3")])
    assert result.exit_code == 0 and (tmp_path / "b.sqlite3").stat().st_size > 0


@pytest.mark.parametrize("bad", ["/proc/definitely/not/writable.sqlite3"])
def test_backup_failure_is_reported(runner, app, bad):
    if PG_URL:
        pytest.skip("SQLite only")
    result = runner.invoke(args=["backup", bad])
    assert result.exit_code != 0
