"""Load benchmark: a whole class takes a timed quiz at once, against gunicorn with several workers.

Seeds an instructor, a class and two published 60-minute quizzes of 25 questions from the real
banks, starts gunicorn, logs every student in over HTTP, and has the class start together, save
every answer through the autosave endpoint (a fifth of them twice), and submit within seconds;
once with no think time and once with 0.2-1.5 s between saves. A bare one-INSERT endpoint behind
the same login is the reference. Prints throughput, latency percentiles, errors and lost answers.

    python bench/load.py [--postgres] [--students 200] [--workers 4]
    python bench/load.py --exam [--students 1000] [--window 120] [--think 30]   (bench/exam.py)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import load_client as client  # noqa: E402
from studyapp import create_app  # noqa: E402
from studyapp.attempts import services as attempts  # noqa: E402
from studyapp.attempts.models import Attempt, AttemptQuestion, AttemptStatus  # noqa: E402
from studyapp.auth import services as auth  # noqa: E402
from studyapp.auth.models import Role  # noqa: E402
from studyapp.banks import models as bank_models  # noqa: E402
from studyapp.banks.types import keys_from_positions  # noqa: E402
from studyapp.classes import services as classes  # noqa: E402
from studyapp.core import benchmark  # noqa: E402
from studyapp.core.clock import utcnow  # noqa: E402
from studyapp.db import make_engine  # noqa: E402
from studyapp.quizzes import services as quizzes  # noqa: E402
from studyapp.quizzes.models import Layout  # noqa: E402

PASSWORD = "load test password"
#: Cheap scrypt so 200 logins measure the app, not the hash; production keeps the default.
HASH_METHOD = "scrypt:1024:8:1"
#: Questions easy to answer from the page alone: 13 + 12 from two real banks.
BANKS = (("s400-costs", 13), ("astana-process", 12))
KINDS = ("single", "multiple", "truefalse")
PG_NAME = "studyapp_bench"
PG_URL = f"postgresql+psycopg://{PG_NAME}:{PG_NAME}@127.0.0.1:5432/{PG_NAME}"
MODES = (("no think time", False), ("think 0.2-1.5 s", True))
STARTUP_TIMEOUT = 90.0
QUESTIONS = sum(count for _, count in BANKS)


def app_settings(url: str) -> dict[str, Any]:
    """The settings shared by the seeding process and the server (STUDYAPP_* without prefix)."""
    return {
        "DATABASE_URL": url,
        "SECRET_KEY": "load-bench-secret",
        # Off as in the runs recorded before; the exam mode runs with the default throttles
        # (they count failed logins only, so a class behind one address never meets them).
        "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_METHOD": HASH_METHOD,
        "ANNOUNCE_SETUP": False,
        "BENCH_ENDPOINTS": True,
    }


def server_env(url: str, instance: str) -> dict[str, str]:
    """The environment gunicorn runs with: ours plus the settings as STUDYAPP_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDYAPP_")}
    for name, value in app_settings(url).items():
        env[f"STUDYAPP_{name}"] = value if isinstance(value, str) else json.dumps(value)
    env["STUDYAPP_INSTANCE_PATH"] = instance
    return env


def reset_postgres(drop_only: bool = False) -> None:
    """(Re)create the bench role and database; never touches any other database."""
    sql = ["SET client_min_messages = warning;", f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE);"]
    if not drop_only:
        sql += [
            f"DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{PG_NAME}') "
            f"THEN CREATE ROLE {PG_NAME} LOGIN; END IF; END$$;",
            f"ALTER ROLE {PG_NAME} LOGIN PASSWORD '{PG_NAME}';",
            f"CREATE DATABASE {PG_NAME} OWNER {PG_NAME};",
        ]
    psql = "psql -X -q -v ON_ERROR_STOP=1"
    cmd = (
        ["su", "postgres", "-c", psql]
        if os.geteuid() == 0
        else ["sudo", "-n", "-u", "postgres", *psql.split()]
    )
    # cwd is the temp folder: postgres cannot read the caller's directory, and psql complains there.
    subprocess.run(
        cmd, input="\n".join(sql), text=True, check=True, cwd=tempfile.gettempdir(), timeout=60
    )


def pick_questions(session: Session) -> list[tuple[str, str, float]]:
    """(bank, key, points) of the first choice-type questions of each bench bank."""
    picked = []
    for slug, count in BANKS:
        rows = session.execute(
            select(bank_models.Question.key, bank_models.QuestionVersion.content)
            .join(bank_models.Bank)
            .join(
                bank_models.QuestionVersion,
                (bank_models.QuestionVersion.question_id == bank_models.Question.id)
                & (bank_models.QuestionVersion.number == bank_models.Question.current_number),
            )
            .where(bank_models.Bank.slug == slug, bank_models.Question.retired_at.is_(None))
            .where(bank_models.QuestionVersion.type.in_(KINDS))
            .order_by(bank_models.Question.position)
            .limit(count)
        ).all()
        if len(rows) < count:
            raise SystemExit(f"bank {slug} has only {len(rows)} questions of types {KINDS}")
        picked += [(slug, key, float(content.get("points", 1))) for key, content in rows]
    return picked


def make_quiz(
    session: Session, course: Any, title: str, items: list[tuple[str, str, float]]
) -> int:
    """A published one-page quiz with a 60-minute limit and one attempt per student."""
    quiz = quizzes.create_quiz(session, course, title)
    quizzes.update_settings(
        session, quiz, {"time_limit_minutes": 60, "attempts_allowed": 1, "layout": Layout.ONE_PAGE}
    )
    for slug, key, points in items:
        quizzes.add_fixed_item(session, quiz, slug, key, points)
    quizzes.publish(session, quiz, utcnow())
    return quiz.id


@dataclass
class Seeded:
    """What the HTTP clients need from the seeding: who logs in, and which quiz is which."""

    emails: list[str]
    quiz_ids: dict[str, int]


def seed(url: str, instance: str, students: int) -> Seeded:
    """Migrate, load the banks and seed through the app's services; create the bench table."""
    app = create_app(app_settings(url), instance_path=instance)
    session = app.extensions["studyapp.sessionmaker"]()
    with app.app_context():  # hash_password reads the hash method from the app's config
        teacher = auth.create_user(
            session,
            email="teacher@load.test",
            name="Teacher",
            role=Role.INSTRUCTOR,
            password=PASSWORD,
        )
        course = classes.create_course(session, teacher, name="Load class", term="")
        emails = [f"student{n:03d}@load.test" for n in range(students)]
        for n, email in enumerate(emails):
            user = auth.create_user(
                session, email=email, name=f"Student {n:03d}", role=Role.STUDENT, password=PASSWORD
            )
            classes.enroll(session, course, user)
        items = pick_questions(session)
        quiz_ids = {mode: make_quiz(session, course, f"Load: {mode}", items) for mode, _ in MODES}
    engine: Engine = app.extensions["studyapp.engine"]
    session.execute(text(benchmark.CREATE_TABLE[engine.dialect.name]))
    session.commit()
    session.close()
    engine.dispose()
    return Seeded(emails, quiz_ids)


def free_port() -> int:
    """A port the kernel says is free now (gunicorn binds it a moment later)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(base: str, proc: subprocess.Popen, log: Path) -> None:
    """Poll /healthz until it answers 200; fail with the server's log if it dies or stalls."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(
        f"gunicorn not healthy after {STARTUP_TIMEOUT:.0f} s:\n{log.read_text()[-3000:]}"
    )


@contextmanager
def gunicorn(
    env: dict[str, str], workers: int, log: Path, access: Path
) -> Iterator[tuple[str, int]]:
    """Run gunicorn for the block, yielding its base URL and process group; always stopped.

    Its access log records each request's path and the time a worker spent on it
    (``%(D)s``, microseconds, from the moment a worker took the request): the client's
    latency minus that is time spent waiting for a free worker.
    """
    port = free_port()
    options = f"--workers {workers} --bind 127.0.0.1:{port} --no-control-socket --log-level warning"
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        *options.split(),
        "--chdir",
        str(ROOT),
        "--access-logfile",
        str(access),
        "--access-logformat",
        "%(U)s %(D)s",
    ]
    with log.open("w") as out:
        # A session of its own: its process group is gunicorn and its workers, nothing else.
        proc = subprocess.Popen(
            # The production entry point; BENCH_ENDPOINTS makes it add /_bench/insert.
            [*cmd, "studyapp:create_app()"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc, log)
        yield f"http://127.0.0.1:{port}", proc.pid
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM gunicorn (graceful), then SIGKILL its process group if it lingers."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def cpu_probe(*server_groups: int) -> client.CpuProbe:
    """CPU seconds of the machine and of this bench (client, gunicorns, its PG backends)."""
    tick = os.sysconf("SC_CLK_TCK")
    me = os.getpid()

    def probe() -> tuple[float, float]:
        """Read /proc: the machine's busy time, and that of our processes."""
        with open("/proc/stat") as f:
            user, nice, system, _idle, _iowait, irq, softirq, steal = map(
                int, f.readline().split()[1:9]
            )
        ours = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                # PostgreSQL names each backend after its user and database in its title.
                ours_pg = PG_NAME.encode() in (stat.parent / "cmdline").read_bytes()
            except OSError:  # the process ended meanwhile
                continue
            if int(stat.parent.name) == me or int(fields[2]) in server_groups or ours_pg:
                ours += int(fields[11]) + int(fields[12])
        return (user + nice + system + irq + softirq + steal) / tick, ours / tick

    return probe


def normalized(response: Any) -> Any:
    """Compare multiple-choice answers as sets: the order of the form fields is not an answer."""
    return sorted(response) if isinstance(response, list) else response


def as_stored(response: Any, order: list[str] | None) -> Any:
    """A response as posted (choices by display position) as the server stores it."""
    return keys_from_positions(response, order) if order else response


def check_quiz(
    engine: Engine, quiz_id: int, expected: dict[tuple[int, int], tuple[Any, int]]
) -> tuple[int, int]:
    """Lost answers (stored differs from the last acknowledged save) and still-open attempts."""
    with Session(engine) as session:
        rows = session.execute(
            select(AttemptQuestion.attempt_id, AttemptQuestion.position, AttemptQuestion.response)
            .join(Attempt)
            .where(Attempt.quiz_id == quiz_id)
        )
        stored = {(a, p): r for a, p, r in rows}
        # The page posts choices by display position; the server stores their keys.
        orders = {
            (attempt_id, position): order
            for attempt_id in {a for a, _ in expected}
            for position, order in attempts.choice_orders(
                attempts.get_attempt(session, attempt_id)
            ).items()
        }
        open_left = session.scalar(
            select(func.count())
            .select_from(Attempt)
            .where(Attempt.quiz_id == quiz_id, Attempt.status == AttemptStatus.IN_PROGRESS)
        )
    lost = sum(
        normalized(stored.get(key)) != normalized(as_stored(response, orders.get(key)))
        for key, (response, _revision) in expected.items()
    )
    return lost, open_left or 0


def server_times(access: Path) -> dict[str, list[float]]:
    """Milliseconds a worker spent on each request, by path, from gunicorn's access log."""
    times: dict[str, list[float]] = {}
    for line in access.read_text().splitlines():
        path, _, micros = line.rpartition(" ")
        if micros.isdigit():
            times.setdefault(path, []).append(int(micros) / 1000)
    return times


def save_paths(engine: Engine, quiz_id: int) -> list[str]:
    """The autosave paths of a quiz's attempts."""
    with Session(engine) as session:
        ids = session.scalars(select(Attempt.id).where(Attempt.quiz_id == quiz_id))
        return [f"/attempts/{attempt_id}/save" for attempt_id in ids]


def check_inserts(engine: Engine, phase: client.Phase) -> int:
    """Acknowledged bare inserts missing from the table."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM bench_rows")).scalar_one()
    return max(0, len(phase.timings.latencies) - rows)


@dataclass
class Row:
    """One line of the table: a mode's measured requests and its correctness figures."""

    mode: str
    phase: client.Phase
    submit: client.Phase | None
    errors: int
    lost: int
    samples: list[str]
    #: ms a worker spent on each of these requests (the rest of the latency is queueing)
    server: list[float]


@dataclass
class DatabaseRun:
    """Everything printed for one database."""

    name: str
    #: login, bare insert, then one row per quiz mode
    rows: list[Row]
    starts: dict[str, client.Phase]
    open_left: int


async def drive(
    base: str, seeded: Seeded, probe: client.CpuProbe
) -> tuple[client.Phase, client.Phase, dict[str, client.QuizRun]]:
    """Log the class in, run the bare inserts, then each quiz mode, over the same sessions."""
    room, login = await client.open_class(seeded.emails, base, PASSWORD, probe)
    try:
        per_student = QUESTIONS + round(QUESTIONS * client.RESAVE_SHARE)
        bare = await client.bare_run(room, per_student)
        runs = {}
        for mode, think in MODES:
            runs[mode] = await client.take_quiz(room, seeded.quiz_ids[mode], think)
    finally:
        await client.close_class(room)
    return login, bare, runs


def run_database(name: str, url: str, tmp: Path, args: argparse.Namespace) -> DatabaseRun:
    """Seed, serve, drive and check one database."""
    instance = tmp / name
    seeded = seed(url, str(instance), args.students)
    log, access = tmp / f"{name}-gunicorn.log", tmp / f"{name}-access.log"
    with gunicorn(server_env(url, str(instance)), args.workers, log, access) as (base, group):
        login, bare, runs = asyncio.run(drive(base, seeded, cpu_probe(group)))
    served = server_times(access)
    engine = make_engine(url)
    try:
        rows = [
            Row(
                "login",
                login,
                None,
                login.timings.errors,
                0,
                login.timings.samples,
                served.get("/login", []),
            ),
            Row(
                "bare insert",
                bare,
                None,
                bare.timings.errors,
                check_inserts(engine, bare),
                bare.timings.samples,
                served.get("/_bench/insert", []),
            ),
        ]
        open_left = 0
        for mode, run in runs.items():
            quiz_id = seeded.quiz_ids[mode]
            lost, still_open = check_quiz(engine, quiz_id, run.expected)
            open_left += still_open
            server = [ms for path in save_paths(engine, quiz_id) for ms in served.get(path, [])]
            rows.append(
                Row(f"save, {mode}", run.saves, run.submit, run.errors, lost, run.samples, server)
            )
    finally:
        engine.dispose()
    if any(row.errors for row in rows):
        # The temp folder goes at the end: show why the server failed while it is here.
        print(f"{name}: errors; the server's log ends with:\n{log.read_text()[-3000:]}")
    starts = {mode: run.start for mode, run in runs.items()}
    return DatabaseRun(name, rows, starts, open_left)


def ms(phase: client.Phase | None, p: float) -> str:
    """A percentile of a phase in whole milliseconds, or a dash."""
    return (
        "-"
        if phase is None or not phase.timings.latencies
        else f"{phase.timings.percentile(p):.0f}"
    )


COLUMNS = (
    f"{'mode':<22}{'requests':>9}{'req/s':>7}{'p50':>6}{'p95':>6}{'p99':>6}{'server p95':>11}"
    f"{'submit p50':>11}{'p95':>7}{'p99':>7}{'errors':>7}{'lost':>5}{'client':>8}{'others':>8}"
)


def server_p95(row: Row) -> str:
    """The 95th percentile of the time a worker spent on the row's requests."""
    return f"{client.nearest_rank(row.server, 95):.1f}" if row.server else "-"


def print_row(row: Row) -> None:
    """One mode's line of the table, then its first few errors."""
    phase = row.phase
    print(
        f"{row.mode:<22}{len(phase.timings.latencies):>9}{phase.rate:>7.0f}"
        f"{ms(phase, 50):>6}{ms(phase, 95):>6}{ms(phase, 99):>6}{server_p95(row):>11}"
        f"{ms(row.submit, 50):>11}{ms(row.submit, 95):>7}{ms(row.submit, 99):>7}"
        f"{row.errors:>7}{row.lost:>5}{phase.client_cpu:>8.0%}{phase.others_cpu:>8.0%}"
    )
    for sample in row.samples:
        print(f"    error: {sample}")


def print_run(result: DatabaseRun, args: argparse.Namespace) -> None:
    """The table for one database, then the targets."""
    print(f"\n{result.name}: {args.workers} gunicorn workers, {args.students} students")
    print(COLUMNS)
    print("-" * len(COLUMNS))
    for row in result.rows:
        print_row(row)
    print(
        "latencies in ms, as the clients saw them; server p95: the time a worker spent on the\n"
        "request (the rest is waiting for a free worker); lost: acknowledged answers the\n"
        "database does not hold after grading;\n"
        "client: the load client's CPU (share of one core); others: CPU used meanwhile by\n"
        "processes outside this bench (share of the machine; above ~10% the figures are skewed)"
    )
    starts = ", ".join(
        f"{mode} p50 {ms(p, 50)} / p95 {ms(p, 95)} ms" for mode, p in result.starts.items()
    )
    print(f"start (the whole class at once): {starts}")
    print_targets(result, args.students)


def print_targets(result: DatabaseRun, students: int) -> None:
    """Each target with its measured figure and whether it is met."""
    bare, fast = result.rows[1], result.rows[2]
    errors = sum(r.errors for r in result.rows)
    lost = sum(r.lost for r in result.rows)
    ratio = fast.phase.rate / bare.phase.rate if bare.phase.rate else 0.0
    p95 = fast.phase.timings.percentile(95)
    # With no think time every client always waits on the server, so by Little's law the
    # mean latency is the number of clients over the throughput, whatever the endpoint.
    floor = students / fast.phase.rate * 1000 if fast.phase.rate else float("nan")
    checks = [
        (
            f"zero errors, zero lost answers, every attempt graded: {errors} errors, {lost} lost, "
            f"{result.open_left} ungraded",
            errors == 0 and lost == 0 and result.open_left == 0,
        ),
        (
            f"save p95 < 150 ms with no think time: {p95:.0f} ms "
            f"({students} clients / {fast.phase.rate:.0f} saves/s = {floor:.0f} ms mean)",
            p95 < 150,
        ),
        (f"save throughput >= half the bare insert's: {ratio:.2f}", ratio >= 0.5),
    ]
    for label, met in checks:
        print(f"  [{'met' if met else 'MISSED'}] {label}")


def main() -> None:
    """Parse the options, run each database, clean up whatever happens."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="after SQLite, run on PostgreSQL")
    parser.add_argument("--students", type=int, help="default 200; 1,000 with --exam")
    parser.add_argument("--workers", type=int, default=4)
    exam_mode = parser.add_argument_group("exam mode (bench/exam.py)")
    exam_mode.add_argument("--exam", action="store_true", help="a lecture hall sits an exam")
    exam_mode.add_argument("--window", type=float, default=120.0, help="seconds of logins")
    exam_mode.add_argument("--think", type=float, default=30.0, help="mean think time, s")
    exam_mode.add_argument("--questions", type=int, default=8, help="questions in the exam")
    exam_mode.add_argument(
        "--submit-spread",
        type=float,
        default=10.0,
        help="seconds the submits spread over (default: as the starts, each at its own deadline)",
    )
    exam_mode.add_argument("--only", help="one configuration: sqlite, postgresql or two")
    exam_mode.add_argument(
        "--logins-apart", action="store_true", help="log the class in first, then sit the exam"
    )
    exam_mode.add_argument(
        "--hash", choices=("default", "cheap"), default="default", help="password hash cost"
    )
    args = parser.parse_args()
    if args.exam:
        from bench import exam

        args.students = args.students or 1000
        exam.main(args)
        return
    args.students = args.students or 200
    sys.stdout.reconfigure(line_buffering=True)  # figures appear as each database finishes
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, load average {load}")
    tmp = Path(tempfile.mkdtemp(prefix="studyapp-load-"))
    databases = [("SQLite", f"sqlite:///{tmp}/load.sqlite3")]
    if args.postgres:
        databases.append(("PostgreSQL", PG_URL))
    try:
        for name, url in databases:
            started = time.perf_counter()
            if name == "PostgreSQL":
                reset_postgres()
            print_run(run_database(name, url, tmp, args), args)
            print(f"{name}: the whole run took {time.perf_counter() - started:.0f} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if args.postgres:
            reset_postgres(drop_only=True)


if __name__ == "__main__":
    main()
