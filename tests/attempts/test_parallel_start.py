"""Two starts of one quiz at once (a double click, two tabs) give one attempt, no error."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from studyapp.attempts.models import Attempt
from tests import factories
from tests.conftest import login, run_midway


def test_two_starts_in_parallel_get_the_same_attempt(app, session, course, student):
    quiz = factories.make_quiz(session, course, keys=("capital", "goods"))
    session.commit()
    first, second = app.test_client(), app.test_client()
    login(first, student.email)
    login(second, student.email)
    replies: dict[str, object] = {}

    def start(name, client) -> None:
        replies[name] = client.post(f"/quizzes/{quiz.id}/start")

    # The second start arrives while the first one's attempt is inserted but not committed.
    with run_midway(app, "INSERT INTO attempts", lambda: start("second", second), wait=1.0):
        start("first", first)
    statuses = {name: reply.status_code for name, reply in replies.items()}
    assert statuses == {"first": 302, "second": 302}
    assert replies["first"].headers["Location"] == replies["second"].headers["Location"]
    session.expire_all()
    assert session.scalar(select(func.count(Attempt.id)).where(Attempt.quiz_id == quiz.id)) == 1


def test_many_starts_at_once_count_one_attempt(app, session, course, student):
    quiz = factories.make_quiz(session, course, keys=("capital",))
    session.commit()
    clients = [app.test_client() for _ in range(4)]
    for client in clients:
        login(client, student.email)
    barrier = threading.Barrier(len(clients))
    locations: list[str] = []
    errors: list[BaseException] = []

    def start(client) -> None:
        barrier.wait()
        try:
            reply = client.post(f"/quizzes/{quiz.id}/start")
            assert reply.status_code == 302
            locations.append(reply.headers["Location"])
        except BaseException as exc:  # noqa: BLE001 - any failure of a start is the bug
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(set(locations)) == 1
