"""CPU per request of each step of an exam, in-process, beside a bare one-SELECT request.

Seeds a class of N students and the exam's one-page quiz as ``bench/load.py --exam`` does
(bench/exam.py's seeding, with the cheap hash), then runs every step for every student in
turn through the real WSGI app (Flask's test client: the app's own hooks, CSRF, Flask-Limiter,
server-side login sessions, templates), the whole class one step after the other as in the
crush: log in (a cheap hash), open the start page, start, open the attempt page, save each
answer and change a fifth of them, submit. For each step it prints the CPU milliseconds of
this process per request (``time.process_time``: steadier than wall time on a shared machine)
and the SQL statements per request. The reference is ``GET /_bench/select``: one SELECT
behind the same login, the floor under every step.

    python bench/requests.py [--students 200] [--questions 4] [--database-url URL]
    python bench/requests.py --profile start [--profile-lines 30]   # cProfile, by cumulative

On SQLite the database work runs inside this process and is counted; on PostgreSQL the
server's own CPU is not (the statement count shows what is sent to it).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The repository root, not bench/, goes first: a module named requests must not shadow the
# library of that name for anything this script imports.
ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)

from flask import Flask  # noqa: E402
from sqlalchemy import event, text  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402

from bench import exam, load  # noqa: E402
from bench import load_client as client  # noqa: E402
from bench.load import Seeded  # noqa: E402
from studyapp import create_app  # noqa: E402
from studyapp.db import Base, make_engine  # noqa: E402

STEPS = ("reference", "login", "start page", "start", "attempt page", "save", "submit")
#: The order the class goes through them (the reference needs a login).
ORDER = ("login", "reference", "start page", "start", "attempt page", "save", "submit")


def make_app(database_url: str | None, students: int, questions: int) -> tuple[Flask, Seeded]:
    """Seed the exam's class and quiz, then the app as the servers run it (CSRF, throttles on).

    One student more than asked is seeded: the warm-up student, the last one.
    """
    tmp = tempfile.mkdtemp(prefix="studyapp-requests-")
    url = database_url or f"sqlite:///{tmp}/requests.sqlite3"
    if database_url:
        engine = make_engine(url)
        Base.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
            conn.execute(text("DROP TABLE IF EXISTS bench_rows"))
        engine.dispose()
    seeded = exam.seed_exam(url, tmp, students + 1, questions, cheap_hash=True)
    settings = {**load.app_settings(url), "RATELIMIT_ENABLED": True, "WTF_CSRF_ENABLED": True}
    return create_app(settings, instance_path=tmp), seeded


@dataclass
class Figures:
    """CPU seconds, statements and requests of one step over the whole class."""

    cpu: float = 0.0
    wall: float = 0.0
    statements: int = 0
    requests: int = 0

    def row(self, label: str, reference: Figures | None) -> str:
        per = self.cpu / self.requests * 1000
        ratio = f"{per / (reference.cpu / reference.requests * 1000):>8.1f}" if reference else ""
        return (
            f"  {label:<14}{self.requests:>7}{per:>9.2f}{self.wall / self.requests * 1000:>9.2f}"
            f"{self.statements / self.requests:>8.1f}{ratio}"
        )


class Browser:
    """A test client that bills only the requests' own CPU, not reading the pages after."""

    def __init__(self, app: Flask) -> None:
        self.client = app.test_client()
        self.cpu = 0.0

    def get(self, path: str):
        return self._timed(self.client.get, path)

    def post(self, path: str, data: Any):
        return self._timed(self.client.post, path, data=data)

    def _timed(self, method: Callable, *args: Any, **kwargs: Any):
        started = time.process_time()
        try:
            return method(*args, **kwargs)
        finally:
            self.cpu += time.process_time() - started


@dataclass
class Student:
    """One browser: its own cookie jar, its CSRF token, its attempt and its questions."""

    email: str
    http: Browser
    rng: Any
    csrf: str = ""
    attempt_id: int | None = None
    questions: list[client.Question] = field(default_factory=list)


def _check(response, expected: int, what: str) -> None:
    if response.status_code != expected:
        raise SystemExit(f"{what}: HTTP {response.status_code} {response.get_data(True)[:300]!r}")


def run_step(student: Student, step: str, quiz_id: int) -> int:
    """One student's requests of one step, posting what the page would; returns their number."""
    http = student.http
    if step == "reference":
        _check(http.get("/_bench/select"), 200, step)
        return 1
    if step == "login":
        page = http.get("/login")
        form = {"csrf_token": client.parse_page(page.get_data(True)).csrf, "email": student.email}
        reply = http.post("/login", data={**form, "password": load.PASSWORD})
        _check(reply, 302, step)
        return 2
    if step == "start page":
        reply = http.get(f"/quizzes/{quiz_id}")
        _check(reply, 200, step)
        student.csrf = client.parse_page(reply.get_data(True)).csrf
        return 1
    if step == "start":
        reply = http.post(f"/quizzes/{quiz_id}/start", data={"csrf_token": student.csrf})
        _check(reply, 302, step)
        student.attempt_id = int(re.search(r"/attempts/(\d+)", reply.location).group(1))
        return 1
    if step == "attempt page":
        reply = http.get(f"/attempts/{student.attempt_id}")
        _check(reply, 200, step)
        page = client.parse_page(reply.get_data(True))
        student.csrf, student.questions = page.csrf, page.questions
        return 1
    if step == "save":
        plan = client.plan_saves(student)  # type: ignore[arg-type]
        for question, values, _stored in plan:
            name = f"q{question.position}"
            form = MultiDict(
                [
                    ("csrf_token", student.csrf),
                    ("position", str(question.position)),
                    ("revision", str(question.revision)),
                    *((name, v) for v in values),
                    (f"{name}-flag", "0"),
                ]
            )
            reply = http.post(f"/attempts/{student.attempt_id}/save", data=form)
            _check(reply, 200, step)
            question.revision = reply.get_json()["revision"]
        return len(plan)
    reply = http.post(f"/attempts/{student.attempt_id}/submit", data={"csrf_token": student.csrf})
    _check(reply, 302, step)
    return 1


def measure(
    app: Flask,
    students: list[Student],
    quiz_id: int,
    profile: str | None,
    lines: int,
    show_sql: bool = False,
) -> dict[str, Figures]:
    """Every step for the whole class in turn; CPU, wall time and statements per step."""
    engine = app.extensions["studyapp.engine"]
    counted: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        counted.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    figures: dict[str, Figures] = {}
    for step in ORDER:
        profiler = cProfile.Profile() if step == profile else None
        fig = Figures()
        counted.clear()
        cpu, wall = sum(s.http.cpu for s in students), time.perf_counter()
        if profiler:
            profiler.enable()
        for n, student in enumerate(students):
            fig.requests += run_step(student, step, quiz_id)
            if n == 0 and show_sql:
                print(f"-- {step}: {len(counted)} statements", *counted, sep="\n")
        if profiler:
            profiler.disable()
        fig.cpu, fig.wall = sum(s.http.cpu for s in students) - cpu, time.perf_counter() - wall
        fig.statements = len(counted)
        figures[step] = fig
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(lines)
            print(out.getvalue())
    event.remove(engine, "before_cursor_execute", count)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--questions", type=int, default=4)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (emptied first)")
    parser.add_argument("--profile", choices=STEPS, help="print cProfile's figures for one step")
    parser.add_argument("--profile-lines", type=int, default=40)
    parser.add_argument("--sql", action="store_true", help="print the first student's statements")
    args = parser.parse_args()

    app, seeded = make_app(args.database_url, args.students, args.questions)
    quiz_id = seeded.quiz_ids["exam"]
    *emails, warm_up = seeded.emails
    students = [Student(email, Browser(app), random.Random(n)) for n, email in enumerate(emails)]
    # Warm-up: one extra student's whole exam, so first-request costs (template compiling,
    # statement caches) are not billed to the class.
    warm = Student(warm_up, Browser(app), random.Random(-1))
    for step in ORDER:
        run_step(warm, step, quiz_id)
    figures = measure(app, students, quiz_id, args.profile, args.profile_lines, args.sql)
    load_avg = " ".join(f"{x:.2f}" for x in os.getloadavg())
    dialect = app.extensions["studyapp.engine"].dialect.name
    print(
        f"{time.strftime('%Y-%m-%d %H:%M')}, {dialect}, {args.students} students, "
        f"{args.questions} questions, load average {load_avg}"
    )
    print(f"  {'step':<14}{'requests':>7}{'CPU ms':>9}{'wall ms':>9}{'stmts':>8}{'× ref':>8}")
    reference = figures["reference"]
    for step in STEPS:
        print(figures[step].row(step, reference if step != "reference" else None))
    sequence = ("start page", "start", "attempt page")
    start = sum(figures[s].cpu / figures[s].requests for s in sequence)
    print(
        f"  the start sequence (start page + start + attempt page): {start * 1000:.2f} ms CPU "
        f"per student; login is two requests (the form and the post)"
    )


if __name__ == "__main__":
    main()
