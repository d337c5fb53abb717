"""The quiz report recomputed independently, in plain Python, from the raw responses.

A seeded class of 40 takes two quizzes through the app's own services: one with fixed
questions and random draws and an essay (one attempt's essay still awaiting grading), one
of fixed questions only (so reliability, error ratio and standard error have values). One
student is excused, one never takes part. Everything below the setup reads only raw rows
(attempts, their questions, scores, responses) and recomputes every figure of the report
from the definitions in Moodle's statistics code, with no function of the app's own.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from markupsafe import escape
from sqlalchemy import select

from studyapp.attempts import grading, saving
from studyapp.attempts import services as attempts
from studyapp.attempts.models import Attempt, AttemptQuestion
from studyapp.banks.models import QuestionVersion
from studyapp.gradebook import report, services
from studyapp.quizzes import services as quizzes
from studyapp.quizzes.models import GradingPolicy, QuizItem
from tests import factories
from tests.conftest import login

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
SIZE = 40
Z = 1.959963984540054  # the 97.5% point of the standard normal
TOL = 1e-9

CHOICES = "\n".join(f"      {k}: Choice {k}" for k in "ABCD")
FIXED = [f"f{i}" for i in range(1, 5)]
POOL = [f"p{i}" for i in range(1, 7)]


def _single(key: str, tag: str = "fixed") -> str:
    return f"""  - id: {key}
    type: single
    prompt: Question {key}?
    tags: [{tag}]
    explanation: Because.
    choices:
{CHOICES}
    answer: A
"""


BANK = (
    "id: recompute\ntitle: Recompute\nquestions:\n"
    + "".join(_single(k) for k in FIXED)
    + "".join(_single(k, "pool") for k in POOL)
    + """  - id: both
    type: multiple
    prompt: Which two?
    tags: [fixed]
    explanation: A and B.
    choices:
      A: One
      B: Two
      C: Three
    answer: [A, B]
    points: 2
  - id: long
    type: essay
    prompt: Explain.
    points: 4
    explanation: Trade.
    model_answer: A model answer.
    rubric:
      - criterion: Explains
        points: 4
"""
)


def _answer(rng: random.Random, ability: float, kind: str):
    if kind == "single":
        return "A" if rng.random() < ability else rng.choice("BCD")
    if kind == "multiple":
        return (
            ["A", "B"] if rng.random() < ability else sorted(rng.sample("ABC", rng.randint(1, 2)))
        )
    return "An answer of some length."


@pytest.fixture
def seeded(session, instructor):
    """Two quizzes taken by a class of 40 (+1 excused, +1 absent), one or two attempts each."""
    factories.make_bank(session, BANK)
    course = factories.make_course(session, instructor)
    students = [factories.make_user(session) for _ in range(SIZE + 2)]
    for s in students:
        factories.make_enrollment(session, course, s)
    mixed = quizzes.create_quiz(session, course, "Mixed")
    quizzes.update_settings(
        session, mixed, {"attempts_allowed": 2, "grading_policy": GradingPolicy.HIGHEST}
    )
    for key in FIXED[:2]:
        quizzes.add_fixed_item(session, mixed, "recompute", key, points=1)
    quizzes.add_fixed_item(session, mixed, "recompute", "both", points=2)
    quizzes.add_draw_item(session, mixed, "recompute", "pool", 3, points=1)
    quizzes.add_fixed_item(session, mixed, "recompute", "long", points=4)
    fixed = quizzes.create_quiz(session, course, "Fixed")
    quizzes.update_settings(
        session, fixed, {"attempts_allowed": 2, "grading_policy": GradingPolicy.AVERAGE}
    )
    for key in FIXED:
        quizzes.add_fixed_item(session, fixed, "recompute", key, points=1)
    quizzes.add_fixed_item(session, fixed, "recompute", "both", points=2)
    for quiz in (mixed, fixed):
        quizzes.publish(session, quiz, T0)
    rng = random.Random(20270301)
    takers, excused = students[:SIZE], students[SIZE]
    for i, student in enumerate(takers):
        ability = 0.25 + 0.7 * i / SIZE
        for quiz in (mixed, fixed):
            for number in range(1 + (i % 3 == 0)):
                start = T0 + timedelta(hours=number, minutes=i)
                attempt = attempts.start_attempt(session, quiz, student, start)
                for row in sorted(attempt.questions, key=lambda r: r.position):
                    answer = _answer(rng, ability, row.version.type)
                    saving.save_answer(session, attempt, row.position, answer, None, start)
                attempts.submit_attempt(session, attempt, start + timedelta(minutes=5 + i % 7))
    services.set_override(
        session, mixed, excused.id, points=None, excused=True, reason="ill", by=instructor, now=T0
    )
    essays = session.scalars(
        select(AttemptQuestion)
        .join(Attempt)
        .where(Attempt.quiz_id == mixed.id, AttemptQuestion.needs_grading.is_(True))
        .order_by(AttemptQuestion.id)
    ).all()
    for row in essays[:-1]:  # the very last essay still waits for its grader
        grading.grade_essay(
            session, row, float(rng.randint(0, 4)), "", instructor, T0 + timedelta(days=1)
        )
    session.commit()
    return course, mixed, fixed


# --- the independent side: raw rows in, figures out ----------------------------------------


def _raw(session, quiz):
    """Submitted real attempts and their question rows, as plain tuples."""
    heads = session.execute(
        select(
            Attempt.id,
            Attempt.user_id,
            Attempt.number,
            Attempt.status,
            Attempt.score,
            Attempt.max_score,
            Attempt.started_at,
            Attempt.submitted_at,
        ).where(
            Attempt.quiz_id == quiz.id,
            Attempt.is_preview.is_(False),
            Attempt.submitted_at.is_not(None),
        )
    ).all()
    rows = defaultdict(dict)
    for aid, qid, kind, content, points, auto, manual, response in session.execute(
        select(
            AttemptQuestion.attempt_id,
            QuestionVersion.question_id,
            QuestionVersion.type,
            QuestionVersion.content,
            AttemptQuestion.points,
            AttemptQuestion.auto_points,
            AttemptQuestion.manual_points,
            AttemptQuestion.response,
        )
        .join(QuestionVersion, AttemptQuestion.version_id == QuestionVersion.id)
        .join(Attempt, AttemptQuestion.attempt_id == Attempt.id)
        .where(Attempt.quiz_id == quiz.id)
    ):
        awarded = manual if manual is not None else auto
        rows[aid][qid] = (kind, content, points, awarded, response)
    fixed = set(
        session.scalars(
            select(QuizItem.question_id).where(
                QuizItem.quiz_id == quiz.id, QuizItem.question_id.is_not(None)
            )
        )
    )
    return heads, rows, fixed


def _choose(heads, which, policy):
    by_user = defaultdict(list)
    for h in sorted(heads, key=lambda h: (h.user_id, h.number)):
        by_user[h.user_id].append(h)
    chosen = []
    for mine in by_user.values():
        if which == "all":
            chosen += mine
        elif which == "first":
            chosen.append(mine[0])
        elif which == "last":
            chosen.append(mine[-1])
        elif policy == GradingPolicy.AVERAGE:
            chosen += mine
        else:  # highest; the earlier attempt on a tie
            chosen.append(max(mine, key=lambda h: (h.score or 0.0, -h.number)))
    counted = [h for h in chosen if h.status.value == "graded"]
    return counted, len(chosen) - len(counted)


def _mean(xs):
    return sum(xs) / len(xs)


def _sample_var(xs):
    m = _mean(xs)
    return sum((x - m) ** 2 for x in xs) / (len(xs) - 1)


def _cov(xs, ys):
    mx, my = _mean(xs), _mean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / (len(xs) - 1)


def _t_quantile(df):
    """Two-sided 95% point of Student's t, by Simpson's rule on the density and bisection."""
    c = math.gamma((df + 1) / 2) / (math.sqrt(df * math.pi) * math.gamma(df / 2))

    def central(x, steps=4000):
        h = x / steps
        f = [c * (1 + (h * i) ** 2 / df) ** (-(df + 1) / 2) for i in range(steps + 1)]
        return 2 * h / 3 * (f[0] + f[-1] + 4 * sum(f[1:-1:2]) + 2 * sum(f[2:-1:2]))

    low, high = 0.0, 20.0
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if central(mid) < 0.95 else (low, mid)
    return (low + high) / 2


def _expected(session, quiz, which):
    heads, rows, fixed = _raw(session, quiz)
    counted, awaiting = _choose(heads, which, quiz.grading_policy)
    qids = sorted({q for h in counted for q in rows[h.id]})
    maxes = {q: next(rows[h.id][q][2] for h in counted if q in rows[h.id]) for q in qids}
    totals = [sum((rows[h.id][q][3] or 0.0) for q in rows[h.id]) for h in counted]
    max_total = max(h.max_score for h in counted)
    n = len(totals)
    ordered = sorted(totals)
    median = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    sd = math.sqrt(_sample_var(totals))
    histogram = [0] * 10
    for t in totals:
        histogram[min(9, max(0, math.floor(t * 10 / max_total)))] += 1
    questions = {}
    for q in qids:
        pairs = [
            ((rows[h.id][q][3] or 0.0), t)
            for h, t in zip(counted, totals, strict=True)
            if q in rows[h.id]
        ]
        item = [p[0] for p in pairs]
        drawn = q not in fixed
        # Moodle: a position's score against the rest of the attempt; a random question's
        # sub-question against the whole attempt total.
        other = [t if drawn else t - s for s, t in pairs]
        m = maxes[q]
        fractions = [s / m for s in item]
        right_or_wrong = all(s in (0.0, m) for s in item)
        k = len(item)
        if right_or_wrong:
            p = sum(1 for s in item if s == m) / k
            centre = (p + Z * Z / (2 * k)) / (1 + Z * Z / k)
            half = Z * math.sqrt(p * (1 - p) / k + Z * Z / (4 * k * k)) / (1 + Z * Z / k)
            fci = (max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half)))
        else:
            half = _t_quantile(k - 1) * math.sqrt(_sample_var(fractions)) / math.sqrt(k)
            f = _mean(fractions)
            fci = (max(0.0, f - half), min(1.0, f + half))
        varies = len(set(item)) > 1 and len(set(other)) > 1
        r = (
            _cov(item, other) / math.sqrt(_sample_var(item) * _sample_var(other))
            if varies
            else None
        )
        dci = None
        if r is not None and k >= 4:
            z, w = math.atanh(r), Z / math.sqrt(k - 3)
            dci = (math.tanh(z - w), math.tanh(z + w))
        most = _cov(sorted(item), sorted(other))
        efficiency = _cov(item, other) / most if most > 0 else None
        kind, content = next(rows[h.id][q][:2] for h in counted if q in rows[h.id])
        options = None
        if kind in ("single", "multiple"):
            options = defaultdict(int)
            for h in counted:
                if q in rows[h.id]:
                    response = rows[h.id][q][4]
                    for key in [response] if isinstance(response, str) else response or []:
                        options[key] += 1
        questions[q] = {
            "n": k,
            "facility": _mean(item) / m,
            "sd": math.sqrt(_sample_var(fractions)),
            "facility_ci": fci,
            "discrimination": r,
            "discrimination_ci": dci,
            "efficiency": efficiency,
            "drawn": drawn,
            "options": dict(options) if options is not None else None,
            "key": content.get("answer"),
        }
    complete = [
        [(rows[h.id][q][3] or 0.0) for q in qids] for h in counted if set(rows[h.id]) == set(qids)
    ]
    alpha = None
    if len(complete) >= 3:
        item_var = sum(_sample_var([row[i] for row in complete]) for i in range(len(qids)))
        total_var = _sample_var([sum(row) for row in complete])
        alpha = len(qids) / (len(qids) - 1) * (1 - item_var / total_var)
    error_ratio = math.sqrt(1 - alpha) if alpha is not None else None
    durations = [(h.submitted_at - h.started_at).total_seconds() for h in counted]
    return {
        "n": n,
        "awaiting": awaiting,
        "students": len({h.user_id for h in counted}),
        "mean": _mean(totals),
        "median": median,
        "sd": sd,
        "min": ordered[0],
        "max": ordered[-1],
        "max_total": max_total,
        "histogram": histogram,
        "alpha": alpha,
        "complete": len(complete),
        "error_ratio": error_ratio,
        "standard_error": error_ratio * sd if error_ratio is not None else None,
        "mean_time": _mean(durations),
        "questions": questions,
    }


def _close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=TOL, abs_tol=TOL)


def _compare(got: report.QuizReport, want: dict) -> None:
    s = got.stats.summary
    assert (s.n, got.awaiting, got.completed) == (want["n"], want["awaiting"], want["students"])
    for name in ("mean", "median", "sd", "min", "max", "max_total"):
        assert _close(getattr(s, name), want[name]), name
    assert _close(s.mean_percent, 100 * want["mean"] / want["max_total"])
    assert [b.count for b in got.stats.histogram] == want["histogram"]
    rel = got.stats.reliability
    assert rel.n_students == want["complete"] and _close(rel.value, want["alpha"])
    assert _close(got.stats.error_ratio, want["error_ratio"])
    assert _close(got.stats.standard_error, want["standard_error"])
    assert _close(got.mean_time.total_seconds(), want["mean_time"])
    assert {c.question_id for c in got.columns} == set(want["questions"])
    for column in got.columns:
        q, w = column.stats, want["questions"][column.question_id]
        label = column.label
        assert q.n == w["n"] and column.drawn == w["drawn"], label
        assert _close(q.facility, w["facility"]) and _close(q.sd, w["sd"]), label
        assert _close(q.facility_ci.low, w["facility_ci"][0]), label
        assert math.isclose(q.facility_ci.high, w["facility_ci"][1], abs_tol=1e-6), label
        assert _close(q.discrimination, w["discrimination"]), label
        assert _close(q.discriminative_efficiency, w["efficiency"]), label
        if w["discrimination_ci"] is None:
            assert q.discrimination_ci is None, label
        else:
            assert _close(q.discrimination_ci.low, w["discrimination_ci"][0]), label
            assert _close(q.discrimination_ci.high, w["discrimination_ci"][1]), label
        if w["options"] is not None:
            counts = {o.label: o.count for o in q.options}
            assert {k: v for k, v in counts.items() if v} == w["options"], label
            key = {w["key"]} if isinstance(w["key"], str) else set(w["key"])
            assert {o.label for o in q.options if o.is_key} == key, label
            top_key = max(counts.get(k, 0) for k in key)
            beaten = [k for k, v in counts.items() if k not in key and v > top_key]
            flagged = [f for f in q.flags if f.startswith("More students chose")]
            assert len(flagged) == (len(beaten) if q.n >= 10 else 0), label
        r = w["discrimination"]
        if r is not None and abs(r) > TOL:  # the sign of a zero correlation is rounding noise
            negative = q.n >= 10 and r < 0
            flagged_negative = any(f.startswith("Negative discrimination") for f in q.flags)
            assert flagged_negative == negative, (label, q.n, q.discrimination, r)


def test_report_matches_an_independent_recomputation(session, seeded):
    """Every attempt choice, both quizzes (one class seeded once: the machine is shared)."""
    course, mixed, fixed = seeded
    for which in report.ATTEMPT_CHOICES:
        for quiz in (mixed, fixed):
            got = report.quiz_report(session, quiz, which)
            _compare(got, _expected(session, quiz, which))
            assert got.enrolled == SIZE + 2
    _exercises_every_case(session, mixed, fixed)
    _random_draws_are_compared_with_the_whole_total(session, mixed)


def _exercises_every_case(session, mixed, fixed):
    graded = report.quiz_report(session, mixed, "graded")
    everything = report.quiz_report(session, mixed, "all")
    # The essay still to grade is left out (Moodle does the same), not counted as 0.
    assert graded.awaiting + everything.awaiting >= 1 and everything.awaiting == 1
    assert everything.stats.summary.n > graded.stats.summary.n  # second attempts
    assert any(c.drawn for c in graded.columns) and any(not c.drawn for c in graded.columns)
    assert graded.stats.reliability.value is None  # nobody drew every pool question
    assert report.quiz_report(session, fixed, "graded").stats.reliability.value is not None
    average = report.quiz_report(session, fixed, "graded")
    assert average.stats.summary.n == report.quiz_report(session, fixed, "all").stats.summary.n


def _random_draws_are_compared_with_the_whole_total(session, mixed):
    """Moodle's rule for a random question's sub-question, not the rest of the attempt."""
    got = report.quiz_report(session, mixed, "graded")
    heads, rows, fixed = _raw(session, mixed)
    counted, _ = _choose(heads, "graded", mixed.grading_policy)
    column = next(c for c in got.columns if c.drawn and c.stats.discrimination is not None)
    pairs = [
        (rows[h.id][column.question_id][3] or 0.0, sum((v[3] or 0.0) for v in rows[h.id].values()))
        for h in counted
        if column.question_id in rows[h.id]
    ]
    item, total = [p[0] for p in pairs], [p[1] for p in pairs]
    rest = [t - s for s, t in pairs]
    with_total = _cov(item, total) / math.sqrt(_sample_var(item) * _sample_var(total))
    with_rest = _cov(item, rest) / math.sqrt(_sample_var(item) * _sample_var(rest))
    assert _close(column.stats.discrimination, with_total)
    assert not _close(column.stats.discrimination, with_rest)


def test_report_page_offers_the_choice_and_states_the_rules(client, seeded, instructor):
    course, mixed, _ = seeded
    login(client, instructor.email)
    for which, words in report.ATTEMPT_CHOICES.items():
        page = client.get(f"/teach/quizzes/{mixed.id}/report?attempts={which}")
        text = page.get_data(as_text=True)
        assert page.status_code == 200 and f'value="{which}" selected' in text
        assert f"Counting {escape(words)}" in text
    assert "awaiting hand grading are left out until graded" in text
    assert "answered by at least 10 students" in text
    for name in ("Error ratio", "Standard error", "Discriminative efficiency", "SD"):
        assert name in text
    analysis = client.get(f"/teach/quizzes/{mixed.id}/analysis.csv?attempts=all")
    assert analysis.status_code == 200
