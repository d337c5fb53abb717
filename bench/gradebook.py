"""Benchmark: a class of 300 students with 20 quizzes of 25 questions.

Seeds the class (bulk inserts for the attempts), then times the gradebook page, a quiz
report and the CSV exports through the app, and prints the figures and query counts.

    python bench/gradebook.py [--students 300] [--quizzes 20] [--questions 25] [--database-url URL]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchapp import fresh_app  # noqa: E402

from studyapp.attempts.models import Attempt, AttemptQuestion, AttemptStatus  # noqa: E402
from studyapp.auth import services as auth  # noqa: E402
from studyapp.auth.models import Role, User  # noqa: E402
from studyapp.banks.loader import load_bank_text  # noqa: E402
from studyapp.banks.models import Bank, Origin  # noqa: E402
from studyapp.banks.schema import Reading  # noqa: E402
from studyapp.banks.sync import upsert_bank, upsert_readings  # noqa: E402
from studyapp.classes import services as classes  # noqa: E402
from studyapp.classes.models import Enrollment  # noqa: E402
from studyapp.core.clock import utcnow  # noqa: E402
from studyapp.quizzes import services as quizzes  # noqa: E402

READINGS = {"bench": Reading("bench", "Bench reading", "Bench", "2026", 50)}


def bank_text(n: int) -> str:
    questions = "".join(
        f"  - id: q{i}\n    type: single\n    prompt: Question {i}?\n    source: ¶{i % 50 + 1}\n"
        "    explanation: Because.\n    choices:\n      A: Right\n      B: Wrong\n      C: Other\n"
        "    answer: A\n"
        for i in range(n)
    )
    return f"id: bench\ntitle: Bench bank\nsource: bench\nquestions:\n{questions}"


def seed(app, students: int, quiz_count: int, questions: int) -> tuple[int, str, int]:
    maker = app.extensions["studyapp.sessionmaker"]
    s = maker()
    upsert_readings(s, READINGS)
    upsert_bank(s, load_bank_text(bank_text(questions), "bench.yaml", READINGS).bank, Origin.FILE)
    teacher = auth.create_user(
        s,
        email="bench-teacher@bench.test",
        name="Teacher",
        role=Role.INSTRUCTOR,
        password="bench password",
    )
    course = classes.create_course(s, teacher, name="Bench class", term="")
    hashed = auth.hash_password("bench password")
    s.execute(
        insert(User),
        [
            {
                "email": f"s{i}@bench.test",
                "name": f"Student {i:03d}",
                "role": Role.STUDENT,
                "is_admin": False,
                "password_hash": hashed,
                "timezone": "UTC",
                "created_at": utcnow(),
            }
            for i in range(students)
        ],
    )
    users = s.execute(select(User.id).where(User.role == Role.STUDENT)).all()
    s.execute(
        insert(Enrollment),
        [
            {
                "course_id": course.id,
                "user_id": uid,
                "status": "active",
                "joined_at": utcnow(),
                "extra_time_percent": 0,
            }
            for (uid,) in users
        ],
    )
    bank = s.scalars(select(Bank)).one()
    quiz_ids, rng, now = [], random.Random(1), utcnow()
    for n in range(quiz_count):
        quiz = quizzes.create_quiz(s, course, f"Quiz {n + 1}")
        for q in bank.questions:
            quizzes.add_fixed_item(s, quiz, "bench", q.key, 1.0)
        quizzes.publish(s, quiz, now)
        quiz_ids.append(quiz.id)
    versions = [q.versions[-1].id for q in bank.questions]
    s.flush()
    for quiz_id in quiz_ids:
        attempt_rows = [
            {
                "quiz_id": quiz_id,
                "user_id": uid,
                "number": 1,
                "is_preview": False,
                "seed": 1,
                "status": AttemptStatus.GRADED,
                "started_at": now - timedelta(minutes=30),
                "deadline_at": now,
                "submitted_at": now - timedelta(minutes=rng.randint(1, 20)),
                "submitted_by": "student",
                "max_score": float(questions),
                "score": 0.0,
            }
            for (uid,) in users
        ]
        ids = s.execute(insert(Attempt).returning(Attempt.id), attempt_rows).scalars().all()
        rows = []
        for attempt_id in ids:
            ability = rng.random()
            for pos, vid in enumerate(versions):
                right = rng.random() < ability
                rows.append(
                    {
                        "attempt_id": attempt_id,
                        "position": pos,
                        "version_id": vid,
                        "points": 1.0,
                        "response": "A" if right else rng.choice("BC"),
                        "revision": 1,
                        "flagged": False,
                        "auto_points": 1.0 if right else 0.0,
                        "needs_grading": False,
                        "grader_comment": "",
                    }
                )
        s.execute(insert(AttemptQuestion), rows)
    s.commit()
    email, course_id = teacher.email, course.id
    s.close()
    return course_id, email, quiz_ids[0]


def timed(client, url: str, engine, repeat: int = 3) -> tuple[float, int, int]:
    """Best of ``repeat`` seconds for a full response, its SQL statement count, and its size."""
    counts: list[int] = []
    listener = lambda *a: counts.append(1)  # noqa: E731
    best, size = float("inf"), 0
    for _ in range(repeat):
        counts.clear()
        event.listen(engine, "before_cursor_execute", listener)
        start = time.perf_counter()
        response = client.get(url)
        body = response.get_data()
        best = min(best, time.perf_counter() - start)
        event.remove(engine, "before_cursor_execute", listener)
        assert response.status_code == 200, (url, response.status_code)
        size = len(body)
    return best, len(counts), size


def first_byte_and_peak(client, url: str) -> tuple[float, float, float]:
    """Time to the first line of a streamed download, total time, and peak memory (MB)."""
    tracemalloc.start()
    start = time.perf_counter()
    response = client.get(url, buffered=False)
    chunks = iter(response.response)
    next(chunks)
    first = time.perf_counter() - start
    for _ in chunks:
        pass
    total = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    response.close()
    return first, total, peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--quizzes", type=int, default=20)
    parser.add_argument("--questions", type=int, default=25)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    app = fresh_app(args.database_url)
    engine = app.extensions["studyapp.engine"]
    start = time.perf_counter()
    course_id, email, quiz_id = seed(app, args.students, args.quizzes, args.questions)
    print(
        f"seeded {args.students} students x {args.quizzes} quizzes x {args.questions} questions "
        f"({args.students * args.quizzes * args.questions:,} answers) on {engine.dialect.name} "
        f"in {time.perf_counter() - start:.1f} s"
    )
    client = app.test_client()
    client.post("/login", data={"email": email, "password": "bench password"})
    for label, path in (
        ("gradebook page", f"/teach/classes/{course_id}/gradebook"),
        ("quiz report", f"/teach/quizzes/{quiz_id}/report"),
        ("gradebook CSV (standard)", f"/teach/classes/{course_id}/gradebook.csv"),
        ("attempts CSV (long)", f"/teach/classes/{course_id}/gradebook.csv?preset=long"),
        ("responses CSV (one quiz)", f"/teach/quizzes/{quiz_id}/responses.csv"),
    ):
        seconds, queries, size = timed(client, path, engine)
        print(f"{label:<28} {seconds * 1000:8.0f} ms  {queries:4d} queries  {size / 1024:8.0f} KB")
    first, total, peak = first_byte_and_peak(
        client, f"/teach/classes/{course_id}/gradebook.csv?preset=long"
    )
    print(
        f"long CSV streamed: first line after {first * 1000:.0f} ms, all in {total * 1000:.0f} ms, "
        f"peak Python memory {peak:.1f} MB"
    )
    engine.dispose()


if __name__ == "__main__":
    main()
