"""HTTP side of bench/load.py: one aiohttp session (its own cookie jar) per simulated student.

Every stage runs all students at once with ``asyncio.gather``, so a stage's start is the
barrier: the whole class starts the attempt, saves, and submits together, as in a lecture hall.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench.pages import PageParser, Question, parse_page

#: Per-request limit; a stage as a whole is bounded by STAGE_TIMEOUT.
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=60)
STAGE_TIMEOUT = 300.0
RESAVE_SHARE = 0.2
THINK_SECONDS = (0.2, 1.5)
SUBMIT_SPREAD_SECONDS = 2.0


@dataclass
class Timings:
    """Latencies of the requests that succeeded, and what failed."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    samples: list[str] = field(default_factory=list)

    def fail(self, what: str) -> None:
        """Count one failure and keep the first few messages for the report."""
        self.errors += 1
        if len(self.samples) < 5:
            self.samples.append(what)

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile in milliseconds (nan when nothing succeeded)."""
        return nearest_rank(self.latencies, p) * 1000


def nearest_rank(values: list[float], p: float) -> float:
    """The nearest-rank p-th percentile of the values (nan when there are none)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(p / 100 * len(ordered)))) - 1]


@dataclass
class Reply:
    """What a request got back: status, body and any redirect target."""

    status: int
    body: str
    location: str


@dataclass
class Student:
    """A simulated student: a browser-like session and what the server acknowledged."""

    email: str
    http: aiohttp.ClientSession
    rng: random.Random
    csrf: str = ""
    attempt_id: int | None = None
    questions: list[Question] = field(default_factory=list)
    #: position -> (stored response the last acknowledged save should leave, its revision)
    acked: dict[int, tuple[Any, int]] = field(default_factory=dict)


async def call(
    student: Student, method: str, url: str, timings: Timings, data: Any = None
) -> Reply | None:
    """One request without following redirects; None (and counted) on error or non-2xx/3xx."""
    start = time.perf_counter()
    try:
        async with student.http.request(
            method, url, data=data, allow_redirects=False, headers={"Accept": "application/json"}
        ) as resp:
            body = await resp.text()
    except (aiohttp.ClientError, TimeoutError) as exc:
        timings.fail(f"{method} {url}: {type(exc).__name__} {exc}")
        return None
    if resp.status >= 400:
        timings.fail(f"{method} {url}: HTTP {resp.status} {body[:120]!r}")
        return None
    timings.latencies.append(time.perf_counter() - start)
    return Reply(resp.status, body, resp.headers.get("Location", ""))


async def login(student: Student, base: str, password: str, timings: Timings) -> bool:
    """GET the form for its CSRF token, then POST it; success is a redirect away from /login."""
    page = await call(student, "GET", f"{base}/login", Timings())
    if page is None:
        timings.fail(f"GET /login failed for {student.email}")
        return False
    form = {"csrf_token": parse_page(page.body).csrf, "email": student.email, "password": password}
    reply = await call(student, "POST", f"{base}/login", timings, form)
    if reply is None or reply.status != 302 or "/login" in reply.location:
        if reply is not None:
            timings.fail(f"login refused for {student.email}")
        return False
    return True


async def start_attempt(student: Student, base: str, quiz_id: int, timings: Timings) -> None:
    """POST the start button with the start page's token and note the attempt it opened."""
    match = None
    reply = await call(
        student, "POST", f"{base}/quizzes/{quiz_id}/start", timings, {"csrf_token": student.csrf}
    )
    if reply is not None:
        match = re.search(r"/attempts/(\d+)", reply.location)
        if match is None:
            timings.fail(f"start did not open an attempt: {reply.location!r}")
    student.attempt_id = int(match.group(1)) if match else None


async def load_page(student: Student, url: str, timings: Timings) -> PageParser | None:
    """GET a page and parse it, keeping its CSRF token for the next POST."""
    reply = await call(student, "GET", url, timings)
    if reply is None:
        return None
    page = parse_page(reply.body)
    student.csrf = page.csrf or student.csrf
    return page


def answer_for(question: Question, rng: random.Random, avoid: Any = None) -> tuple[list[str], Any]:
    """Form values for an answer different from ``avoid``, and what the server should store."""
    for _ in range(20):
        if question.kind == "multiple":
            picked = sorted(rng.sample(question.values, rng.randint(1, len(question.values))))
            stored: Any = picked
        else:
            picked = [rng.choice(question.values)]
            stored = {"true": True, "false": False}.get(picked[0], picked[0])
        if stored != avoid:
            break
    return picked, stored


def plan_saves(student: Student) -> list[tuple[Question, list[str], Any]]:
    """Every question once in page order, then a fifth of them again with another answer."""
    plan, first = [], {}
    for question in student.questions:
        values, stored = answer_for(question, student.rng)
        plan.append((question, values, stored))
        first[question.position] = stored
    again = student.rng.sample(student.questions, round(len(student.questions) * RESAVE_SHARE))
    for question in again:
        plan.append((question, *answer_for(question, student.rng, first[question.position])))
    return plan


async def save(
    student: Student, base: str, item: tuple[Question, list[str], Any], timings: Timings
) -> None:
    """Autosave one answer as the page's script does; remember it only if acknowledged."""
    question, values, stored = item
    name = f"q{question.position}"
    form = [
        ("csrf_token", student.csrf),
        ("position", str(question.position)),
        ("revision", str(question.revision)),
        *((name, v) for v in values),
        (f"{name}-flag", "0"),
    ]
    reply = await call(student, "POST", f"{base}/attempts/{student.attempt_id}/save", timings, form)
    if reply is None:
        return
    data = json.loads(reply.body) if reply.body.startswith("{") else {}
    if not data.get("ok"):
        # A 200 that is not {"ok": true} is not an acknowledgement: count it, keep the old one.
        timings.latencies.pop()
        timings.fail(f"save not acknowledged: {reply.body[:120]!r}")
        return
    question.revision = data["revision"]
    student.acked[question.position] = (stored, data["revision"])


async def save_all(student: Student, base: str, think: bool, timings: Timings) -> None:
    """The student's saves one after another (the page saves each answer as it changes)."""
    if student.attempt_id is None:
        return
    for item in plan_saves(student):
        if think:
            await asyncio.sleep(student.rng.uniform(*THINK_SECONDS))
        await save(student, base, item, timings)


async def submit(student: Student, base: str, timings: Timings) -> None:
    """Submit after a short random delay: the class finishes within a couple of seconds."""
    if student.attempt_id is None:
        return
    await asyncio.sleep(student.rng.uniform(0, SUBMIT_SPREAD_SECONDS))
    url = f"{base}/attempts/{student.attempt_id}/submit"
    reply = await call(student, "POST", url, timings, {"csrf_token": student.csrf})
    if reply is not None and "/review" not in reply.location:
        timings.fail(f"submit did not land on the review: {reply.location!r}")


async def bare_inserts(student: Student, base: str, count: int, timings: Timings) -> None:
    """The reference: as many requests as the saves, each one INSERT behind the same login."""
    for n in range(count):
        url = f"{base}/_bench/insert"
        reply = await call(student, "POST", url, timings, {"payload": f"{student.email} {n}"})
        if reply is not None and not json.loads(reply.body or "{}").get("ok"):
            timings.latencies.pop()
            timings.fail(f"insert not acknowledged: {reply.body[:120]!r}")


#: Returns (CPU seconds used by the whole machine, CPU seconds used by this bench) so far.
CpuProbe = Callable[[], tuple[float, float]]


@dataclass
class Phase:
    """One measured stage: its requests, wall time, and who used the CPU meanwhile."""

    name: str
    timings: Timings = field(default_factory=Timings)
    wall: float = 0.0
    #: the client's own CPU, as a share of one core
    client_cpu: float = 0.0
    #: CPU used by processes outside this bench, as a share of the whole machine
    others_cpu: float = 0.0

    @property
    def rate(self) -> float:
        """Acknowledged requests per second over the stage's wall time."""
        return len(self.timings.latencies) / self.wall if self.wall else 0.0


@dataclass
class Classroom:
    """The logged-in class, the server's address, and the CPU probe the stages report with."""

    students: list[Student]
    base: str
    probe: CpuProbe


async def stage(room: Classroom, phase: Phase, jobs: list[Any]) -> Phase:
    """Run every student's job at once (the barrier) and time the stage as a whole."""
    wall, cpu, (machine, ours) = time.perf_counter(), time.process_time(), room.probe()
    await asyncio.wait_for(asyncio.gather(*jobs), STAGE_TIMEOUT)
    phase.wall = time.perf_counter() - wall
    machine_after, ours_after = room.probe()
    if phase.wall:
        phase.client_cpu = (time.process_time() - cpu) / phase.wall
        others = (machine_after - machine) - (ours_after - ours)
        phase.others_cpu = max(0.0, others) / (phase.wall * (os.cpu_count() or 1))
    return phase


@dataclass
class QuizRun:
    """The figures of one quiz taken by the whole class, and what each attempt should hold."""

    start: Phase
    saves: Phase
    submit: Phase
    #: errors of every request of the run, the unmeasured page loads included
    errors: int
    samples: list[str]
    #: (attempt id, position) -> (response, revision) of the last acknowledged save
    expected: dict[tuple[int, int], tuple[Any, int]]


async def read_attempt(student: Student, base: str, timings: Timings) -> None:
    """Load the attempt page to learn each question's position, type, revision and choices."""
    if student.attempt_id is None:
        return
    page = await load_page(student, f"{base}/attempts/{student.attempt_id}", timings)
    student.questions = page.questions if page else []
    if page is not None and not student.questions:
        timings.fail(f"attempt {student.attempt_id}: no questions on the page")


async def take_quiz(room: Classroom, quiz_id: int, think: bool) -> QuizRun:
    """The whole class opens the quiz, starts together, saves every answer and submits."""
    students, base = room.students, room.base
    for s in students:
        s.attempt_id, s.questions, s.acked = None, [], {}
    opened, start, page = Phase("start page"), Phase("start"), Phase("attempt page")
    saves, submitted = Phase("save"), Phase("submit")
    quiz_url = f"{base}/quizzes/{quiz_id}"
    await stage(room, opened, [load_page(s, quiz_url, opened.timings) for s in students])
    await stage(room, start, [start_attempt(s, base, quiz_id, start.timings) for s in students])
    await stage(room, page, [read_attempt(s, base, page.timings) for s in students])
    await stage(room, saves, [save_all(s, base, think, saves.timings) for s in students])
    await stage(room, submitted, [submit(s, base, submitted.timings) for s in students])
    phases = (opened, start, page, saves, submitted)
    expected = {
        (s.attempt_id, pos): acked
        for s in students
        if s.attempt_id is not None
        for pos, acked in s.acked.items()
    }
    return QuizRun(
        start,
        saves,
        submitted,
        sum(p.timings.errors for p in phases),
        [m for p in phases for m in p.timings.samples][:5],
        expected,
    )


async def open_class(
    emails: list[str], base: str, password: str, probe: CpuProbe
) -> tuple[Classroom, Phase]:
    """A session per student, every one logged in at once."""
    students = [
        Student(
            email,
            aiohttp.ClientSession(
                # unsafe=True: aiohttp otherwise drops cookies set by an IP address host.
                cookie_jar=aiohttp.CookieJar(unsafe=True),
                timeout=REQUEST_TIMEOUT,
            ),
            random.Random(n),
        )
        for n, email in enumerate(emails)
    ]
    room, phase = Classroom(students, base, probe), Phase("login")
    await stage(room, phase, [login(s, base, password, phase.timings) for s in students])
    return room, phase


async def close_class(room: Classroom) -> None:
    """Close every session (and its connections)."""
    await asyncio.gather(*(s.http.close() for s in room.students))


async def bare_run(room: Classroom, count: int) -> Phase:
    """Every student sends ``count`` bare inserts back to back."""
    phase = Phase("bare insert")
    jobs = [bare_inserts(s, room.base, count, phase.timings) for s in room.students]
    return await stage(room, phase, jobs)
