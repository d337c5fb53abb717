"""Exam mode of bench/load.py: a lecture hall behind one address sits a timed exam.

N students log in over a window (default 120 s) with the real password hash and the default
rate limits (every request comes from 127.0.0.1, as from a school behind one address) and open
the start page; all press start within 10 s after the window, answer with a think time of mean
30 s (exponential) between saves, change a fifth of their answers, and submit at their own
deadline (start plus the time limit), so the submits spread as the starts did. Then a
bare-INSERT reference runs over the same sessions at the save rate the exam reached. Runs on
SQLite, on PostgreSQL, and on two app servers sharing PostgreSQL and a private Redis (each
request to either, like a load balancer without sticky sessions).

    python bench/load.py --exam [--students 1000] [--window 120] [--think 30] [--questions 8]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text, update
from werkzeug.security import generate_password_hash

from bench import load
from bench import load_client as client
from studyapp import create_app
from studyapp.auth import services as auth
from studyapp.auth.models import Role, User
from studyapp.classes import services as classes
from studyapp.core import benchmark
from studyapp.db import make_engine

START_SPREAD = 10.0
#: How many bare inserts each student sends in the reference phase.
REFERENCE_PER_STUDENT = 2
REFERENCE_MAX_SECONDS = 180.0


@dataclass
class ExamFigures:
    """Latencies of each kind of request of the exam, and the reference run after it."""

    login: client.Timings = field(default_factory=client.Timings)
    start: client.Timings = field(default_factory=client.Timings)
    page: client.Timings = field(default_factory=client.Timings)
    save: client.Timings = field(default_factory=client.Timings)
    submit: client.Timings = field(default_factory=client.Timings)
    insert: client.Timings = field(default_factory=client.Timings)
    other: client.Timings = field(default_factory=client.Timings)
    exam_wall: float = 0.0
    login_wall: float = 0.0
    save_wall: float = 0.0
    reference_wall: float = 0.0
    others_cpu: float = 0.0
    ours_cpu: float = 0.0


def seed_exam(
    url: str, instance: str, students: int, questions: int, cheap_hash: bool = False
) -> load.Seeded:
    """A class and one timed quiz; every password hashed with the real default (one hash).

    One hash serves every account (same password, same cost to check) so seeding 1,000
    students does not take minutes; each login still pays the full default scrypt check.
    """
    app = create_app(load.app_settings(url), instance_path=instance)
    session = app.extensions["studyapp.sessionmaker"]()
    with app.app_context():
        teacher = auth.create_user(
            session, email="teacher@exam.test", name="Teacher", role=Role.INSTRUCTOR
        )
        course = classes.create_course(session, teacher, name="Exam class", term="")
        emails = [f"student{n:04d}@exam.test" for n in range(students)]
        for n, email in enumerate(emails):
            user = auth.create_user(
                session, email=email, name=f"Student {n:04d}", role=Role.STUDENT
            )
            classes.enroll(session, course, user)
        session.execute(
            update(User).values(
                password_hash=generate_password_hash(
                    load.PASSWORD, **({"method": load.HASH_METHOD} if cheap_hash else {})
                )
            )
        )
        items = load.pick_questions(session)[:questions]
        quiz_id = load.make_quiz(session, course, "Exam", items)
    engine = app.extensions["studyapp.engine"]
    session.execute(text(benchmark.CREATE_TABLE[engine.dialect.name]))
    session.commit()
    session.close()
    engine.dispose()
    return load.Seeded(emails, {"exam": quiz_id})


def exam_env(url: str, instance: str, redis: str | None) -> dict[str, str]:
    """The server's environment: the default rate limits on, shared in Redis when given."""
    env = load.server_env(url, instance)
    env["STUDYAPP_RATELIMIT_ENABLED"] = "true"
    if redis:
        env["STUDYAPP_RATELIMIT_STORAGE_URI"] = redis
    return env


@contextmanager
def private_redis(tmp: Path) -> Iterator[str]:
    """A Redis of this run only, on a free port, stopped at the end."""
    port = load.free_port()
    pidfile = tmp / "redis.pid"
    subprocess.run(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "yes",
            "--dir",
            str(tmp),
            "--pidfile",
            str(pidfile),
        ],
        check=True,
        timeout=30,
    )
    try:
        for _ in range(50):
            if (
                subprocess.run(
                    ["redis-cli", "-p", str(port), "ping"],
                    capture_output=True,
                    check=False,
                    timeout=5,
                ).stdout.strip()
                == b"PONG"
            ):
                break
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        if pidfile.exists():
            os.kill(int(pidfile.read_text()), 15)


async def request(
    student: client.Student,
    bases: list[str],
    method: str,
    path: str,
    timings: client.Timings,
    data: Any = None,
) -> client.Reply | None:
    """One request to a server picked at random, as a load balancer would."""
    return await client.call(student, method, random.choice(bases) + path, timings, data)


async def log_in(student: client.Student, bases: list[str], figures: ExamFigures) -> bool:
    page = await request(student, bases, "GET", "/login", figures.other)
    if page is None:
        return False
    form = {
        "csrf_token": client.parse_page(page.body).csrf,
        "email": student.email,
        "password": load.PASSWORD,
    }
    reply = await request(student, bases, "POST", "/login", figures.login, form)
    if reply is None or reply.status != 302 or "/login" in reply.location:
        if reply is not None:
            figures.login.fail(f"login refused for {student.email}")
        return False
    return True


async def open_start_page(
    student: client.Student, bases: list[str], quiz_id: int, figures: ExamFigures
) -> bool:
    """Open the quiz's start page and keep its form token, as a student waiting for the go."""
    page = await request(student, bases, "GET", f"/quizzes/{quiz_id}", figures.other)
    if page is None:
        return False
    student.csrf = client.parse_page(page.body).csrf or student.csrf
    return True


async def arrive(
    student: client.Student, bases: list[str], at: float, quiz_id: int, figures: ExamFigures
) -> bool:
    """Log in at one's moment of the window and open the start page (the logins-apart run)."""
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    return await log_in(student, bases, figures) and await open_start_page(
        student, bases, quiz_id, figures
    )


async def begin(
    student: client.Student, bases: list[str], quiz_id: int, figures: ExamFigures
) -> bool:
    """Press start on the start page opened on arrival, then load the attempt page."""
    reply = await request(
        student,
        bases,
        "POST",
        f"/quizzes/{quiz_id}/start",
        figures.start,
        {"csrf_token": student.csrf},
    )
    match = re.search(r"/attempts/(\d+)", reply.location) if reply else None
    if match is None:
        if reply is not None:
            figures.start.fail(f"start did not open an attempt: {reply.location!r}")
        return False
    student.attempt_id = int(match.group(1))
    page = await request(student, bases, "GET", f"/attempts/{student.attempt_id}", figures.page)
    if page is None:
        return False
    parsed = client.parse_page(page.body)
    student.csrf, student.questions = parsed.csrf or student.csrf, parsed.questions
    return bool(student.questions)


async def sit(
    student: client.Student,
    bases: list[str],
    quiz_id: int,
    plan: dict[str, float],
    think: float,
    figures: ExamFigures,
) -> None:
    """One student's exam: log in at their moment, start, answer with pauses, submit at the end."""
    t0 = plan["t0"]
    if plan.get("login") is not None:
        await asyncio.sleep(max(0.0, t0 + plan["login"] - time.monotonic()))
        if not await log_in(student, bases, figures):
            return
        # In the hall the class logs in and opens the exam's page while the instructor
        # hands out the instructions; the crush is everyone pressing start at the go.
        if not await open_start_page(student, bases, quiz_id, figures):
            return
    elif not plan.get("logged_in"):
        return
    await asyncio.sleep(max(0.0, t0 + plan["start"] - time.monotonic()))
    if not await begin(student, bases, quiz_id, figures):
        return
    base = random.choice(bases)
    for item in client.plan_saves(student):
        await asyncio.sleep(student.rng.expovariate(1 / think))
        await client.save(student, base, item, figures.save)
        base = random.choice(bases)
    await asyncio.sleep(max(0.0, t0 + plan["end"] - time.monotonic()))
    reply = await request(
        student,
        bases,
        "POST",
        f"/attempts/{student.attempt_id}/submit",
        figures.submit,
        {"csrf_token": student.csrf},
    )
    if reply is not None and "/review" not in reply.location:
        figures.submit.fail(f"submit did not land on the review: {reply.location!r}")


async def reference(
    students: list[client.Student], bases: list[str], spread: float, figures: ExamFigures
) -> None:
    """Bare inserts at the exam's save rate: each student sends a few at random moments."""

    async def one(student: client.Student) -> None:
        moments = sorted(student.rng.uniform(0, spread) for _ in range(REFERENCE_PER_STUDENT))
        t0 = time.monotonic()
        for n, at in enumerate(moments):
            await asyncio.sleep(max(0.0, t0 + at - time.monotonic()))
            await request(
                student,
                bases,
                "POST",
                "/_bench/insert",
                figures.insert,
                {"payload": f"{student.email} {n}"},
            )

    started = time.monotonic()
    await asyncio.gather(*(one(s) for s in students))
    figures.reference_wall = time.monotonic() - started


async def drive_exam(
    bases: list[str], seeded: load.Seeded, args: argparse.Namespace, probe: client.CpuProbe
) -> tuple[ExamFigures, dict]:
    """Run the exam, then the reference; return the figures and the acknowledged answers."""
    figures = ExamFigures()
    students = [
        client.Student(
            email,
            client.aiohttp.ClientSession(
                cookie_jar=client.aiohttp.CookieJar(unsafe=True), timeout=client.REQUEST_TIMEOUT
            ),
            random.Random(n),
        )
        for n, email in enumerate(seeded.emails)
    ]
    saves = args.questions + round(args.questions * client.RESAVE_SHARE)
    # Everyone has started by window + spread; the slowest finish about then plus their
    # answering (mean think time per save), so the class submits from there on.
    end = args.window + START_SPREAD + saves * args.think * 1.5
    t0 = time.monotonic() + 1
    offsets = [(s.rng.uniform(0, args.window), s.rng.uniform(0, 1)) for s in students]
    # A timed exam ends at each student's own deadline, their start plus the time limit: the
    # page's timer submits those still working, so the wave at the end keeps the order and
    # (with the default --submit-spread) the spread of the starts.
    plans = [
        {
            "t0": t0,
            "login": login,
            "start": args.window + share * START_SPREAD,
            "end": end + share * args.submit_spread,
        }
        for login, share in offsets
    ]
    if args.logins_apart:
        # The class logs in first (measured on its own), then sits the exam from a fresh clock.
        logged = await asyncio.gather(
            *(
                arrive(s, bases, t0 + p["login"], seeded.quiz_ids["exam"], figures)
                for s, p in zip(students, plans, strict=True)
            )
        )
        figures.login_wall = time.monotonic() - t0
        t0 = time.monotonic() + 1 - args.window
        for p, ok in zip(plans, logged, strict=True):
            p.update(t0=t0, login=None, logged_in=ok)
    machine, ours = probe()
    try:
        started = time.monotonic()
        await asyncio.gather(
            *(
                sit(s, bases, seeded.quiz_ids["exam"], p, args.think, figures)
                for s, p in zip(students, plans, strict=True)
            )
        )
        figures.exam_wall = time.monotonic() - started
        machine_after, ours_after = probe()
        cores = os.cpu_count() or 1
        figures.ours_cpu = (ours_after - ours) / (figures.exam_wall * cores)
        figures.others_cpu = max(0.0, (machine_after - machine) - (ours_after - ours)) / (
            figures.exam_wall * cores
        )
        figures.save_wall = max(1.0, end - args.window - START_SPREAD)
        rate = len(figures.save.latencies) / figures.save_wall
        spread = min(REFERENCE_MAX_SECONDS, REFERENCE_PER_STUDENT * len(students) / max(rate, 1.0))
        await reference(students, bases, spread, figures)
    finally:
        await asyncio.gather(*(s.http.close() for s in students))
    expected = {
        (s.attempt_id, pos): acked
        for s in students
        if s.attempt_id is not None
        for pos, acked in s.acked.items()
    }
    return figures, expected


def run_exam(name: str, url: str, tmp: Path, args: argparse.Namespace, servers: int) -> None:
    """Seed, serve (one or two gunicorns), sit the exam, check and print one configuration."""
    instance = tmp / name.replace(" ", "-")
    seeded = seed_exam(url, str(instance), args.students, args.questions, args.hash == "cheap")
    with ExitStack() as stack:
        redis = stack.enter_context(private_redis(tmp)) if servers > 1 else None
        bases, groups = [], []
        for n in range(servers):
            log = tmp / f"{instance.name}-{n}.log"
            access = tmp / f"{instance.name}-{n}-access.log"
            base, group = stack.enter_context(
                load.gunicorn(
                    exam_env(url, str(instance), redis), args.workers // servers, log, access
                )
            )
            bases.append(base)
            groups.append(group)
        figures, expected = asyncio.run(drive_exam(bases, seeded, args, load.cpu_probe(*groups)))
    engine = make_engine(url)
    try:
        lost, still_open = load.check_quiz(engine, seeded.quiz_ids["exam"], expected)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT count(*) FROM bench_rows")).scalar_one()
    finally:
        engine.dispose()
    report(name, servers, args, figures, lost, still_open, len(figures.insert.latencies) - rows)


def line(label: str, timings: client.Timings, wall: float | None = None) -> str:
    n = len(timings.latencies)
    rate = f"{n / wall:>7.1f}" if wall else f"{'':>7}"
    return (
        f"  {label:<14}{n:>7}{rate}{timings.percentile(50):>8.0f}{timings.percentile(95):>8.0f}"
        f"{timings.percentile(99):>8.0f}{timings.errors:>8}"
    )


def report(
    name: str,
    servers: int,
    args: argparse.Namespace,
    figures: ExamFigures,
    lost: int,
    still_open: int,
    lost_inserts: int,
) -> None:
    """The figures of one configuration, then the targets."""
    workers = f"{servers} servers x {args.workers // servers}" if servers > 1 else str(args.workers)
    print(
        f"\n{name}: exam, {args.students} students, {workers} gunicorn workers, logins over "
        f"{args.window:.0f} s, starts within {START_SPREAD:.0f} s, think mean {args.think:.0f} s,"
        f" {args.questions} questions, submits over {args.submit_spread:.0f} s; "
        + ("the real (default) password hash" if args.hash == "default" else "a cheap hash")
        + (", logins measured apart, before the exam" if args.logins_apart else "")
        + "; default rate limits"
    )
    print(f"  {'request':<14}{'count':>7}{'per s':>7}{'p50':>8}{'p95':>8}{'p99':>8}{'errors':>8}")
    print(line("login", figures.login, figures.login_wall or None))
    print(line("start", figures.start))
    print(line("attempt page", figures.page))
    print(line("save", figures.save, figures.save_wall))
    print(line("submit", figures.submit))
    print(line("bare insert", figures.insert, figures.reference_wall))
    print(line("other pages", figures.other))
    errors = sum(
        t.errors
        for t in (
            figures.login,
            figures.start,
            figures.page,
            figures.save,
            figures.submit,
            figures.insert,
            figures.other,
        )
    )
    print(
        f"  latencies in ms as the clients saw them; bare insert: the same sessions after the "
        f"exam, at the exam's save rate; the bench used {figures.ours_cpu:.0%} of the machine, "
        f"other processes {figures.others_cpu:.0%} (above ~10% the figures are skewed)"
    )
    targets = [
        (
            f"0 errors, 0 lost answers, every attempt graded: {errors} errors, {lost} lost "
            f"(+{max(0, lost_inserts)} inserts), {still_open} open",
            errors == 0 and lost == 0 and still_open == 0 and lost_inserts <= 0,
        ),
        (
            f"save p95 < 150 ms: {figures.save.percentile(95):.0f} ms",
            figures.save.percentile(95) < 150,
        ),
        (
            f"start p95 < 1 s: {figures.start.percentile(95):.0f} ms",
            figures.start.percentile(95) < 1000,
        ),
        (
            f"submit p95 < 2 s: {figures.submit.percentile(95):.0f} ms",
            figures.submit.percentile(95) < 2000,
        ),
    ]
    for label, met in targets:
        print(f"  [{'met' if met else 'MISSED'}] {label}")
    for kind in ("login", "start", "page", "save", "submit", "insert", "other"):
        for sample in getattr(figures, kind).samples:
            print(f"    {kind} error: {sample}")


def main(args: argparse.Namespace) -> None:
    """SQLite, PostgreSQL, then two servers on PostgreSQL with Redis (unless --only)."""
    load_avg = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, load average {load_avg}")
    tmp = Path(tempfile.mkdtemp(prefix="studyapp-exam-"))
    named = {
        "sqlite": ("SQLite", f"sqlite:///{tmp}/exam.sqlite3", 1),
        "postgresql": ("PostgreSQL", load.PG_URL, 1),
        "two": ("PostgreSQL, two servers + Redis", load.PG_URL, 2),
    }
    configs = [c for key, c in named.items() if not args.only or key == args.only.lower()]
    try:
        for name, url, servers in configs:
            started = time.perf_counter()
            if url == load.PG_URL:
                load.reset_postgres()
            run_exam(name, url, tmp, args, servers)
            print(f"  {name}: the whole run took {time.perf_counter() - started:.0f} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if any(url == load.PG_URL for _, url, _ in configs):
            load.reset_postgres(drop_only=True)
