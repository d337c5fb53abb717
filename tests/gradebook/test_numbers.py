"""Numbers as instructors and importers read them: rounding, markers, the formula guard,
late, the long file's kept attempts and the export's statements per chunk. Fixed data."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from studyapp.attempts import grading, saving
from studyapp.attempts import services as attempts
from studyapp.classes.models import Enrollment
from studyapp.core import numbers
from studyapp.core.csvfile import is_formula
from studyapp.gradebook import csvwriter, export, services
from studyapp.gradebook.export import gradebook_table, responses_table
from studyapp.quizzes import services as quizzes
from studyapp.quizzes.models import GradingPolicy
from tests import factories
from tests.conftest import count_statements, login

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def _file(session, course, preset, now=NOW):
    text = "".join(gradebook_table(session, course, now, preset).lines())
    delimiter = ";" if preset == "excel-eu" else ","
    return list(csv.reader(io.StringIO(text.removeprefix(csvwriter.BOM)), delimiter=delimiter))


def _take(session, quiz, student, answers, when, submit=True):
    attempt = attempts.start_attempt(session, quiz, student, when)
    for position, answer in answers.items():
        saving.save_answer(session, attempt, position, answer, None, when)
    if submit:
        attempts.submit_attempt(session, attempt, when + timedelta(minutes=1))
    return attempt


# --- 1. rounding ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (76.25, 1, "76.3"),
        (81.25, 1, "81.3"),
        (2.675, 2, "2.68"),  # the float is 2.67499999..., the number written is 2.675
        (2.9166666666666665, 2, "2.92"),
        (0.125, 2, "0.13"),
        (-0.05, 1, "-0.1"),  # half away from zero
        (-0.04, 1, "0"),
        (Decimal("76.25"), 1, "76.3"),
        (7, 2, "7"),
    ],
)
def test_one_rounding_rule(value, places, text):
    assert numbers.format_number(value, places) == text


def test_percent_is_computed_in_decimal():
    # 100 * 0.7625 is 76.25 in decimal; a float product may land on either side of it.
    assert numbers.percent_of(6.1, 8) == Decimal("76.25")
    assert numbers.format_number(numbers.percent_of(0.1 + 0.2, 1), 1) == "30"


@pytest.fixture
def two_students(session, course, student, instructor):
    """A closed quiz; overrides give 76.25 % and 81.25 %, a third student has 2.9167 points."""
    quiz = factories.make_quiz(
        session, course, keys=("capital", "goods", "rebuilt", "river"), title="Unit 1"
    )
    maximum = quizzes.max_points(quiz)
    other = factories.make_user(session, name="Zed Other")
    third = factories.make_user(session, name="Ann Third")
    for s in (other, third):
        factories.make_enrollment(session, course, s)
    for who, points in ((student, 0.7625 * maximum), (other, 0.8125 * maximum)):
        services.set_override(
            session, quiz, who.id, points=points, excused=False, reason="r", by=instructor, now=NOW
        )
    services.set_override(
        session,
        quiz,
        third.id,
        points=2.9166666666666665,
        excused=False,
        reason="r",
        by=instructor,
        now=NOW,
    )
    session.commit()
    return quiz, maximum, other, third


def test_percentages_round_half_up_in_every_preset(session, course, student, two_students):
    quiz, maximum, other, third = two_students
    standard = {r[2]: r for r in _file(session, course, "standard")}
    assert standard[student.email][-2] == "76.3" and standard[other.email][-2] == "81.3"
    eu = {r[2]: r for r in _file(session, course, "excel-eu")}
    assert eu[student.email][-2] == "76,3" and eu[other.email][-2] == "81,3"
    registrar = {r[0]: r for r in _file(session, course, "registrar")}
    assert registrar[student.email][1] == "76.3" and registrar[other.email][1] == "81.3"
    assert standard[third.email][3] == "2.92" and standard[third.email][4] == "2.92"
    canvas = {r[3]: r for r in _file(session, course, "canvas")}
    assert canvas[third.email][5] == "2.92"


def test_pages_show_the_same_rounding(app, client, session, course, instructor, two_students):
    quiz, maximum, other, third = two_students
    login(client, instructor.email)
    page = client.get(f"/teach/classes/{course.id}/gradebook").get_data(as_text=True)
    assert "<td>76.3</td>" in page and "<td>81.3</td>" in page
    assert "2.92" in page and "2.9167" not in page
    row = client.get(f"/teach/classes/{course.id}/students/{third.id}/attempts")
    text = row.get_data(as_text=True)
    assert f"2.92 / {maximum:g}" in text and "2.9167" not in text


# --- 2. markers per preset -----------------------------------------------------------------


def moodle_grade(value: str) -> float | None:
    """Moodle's CSV grade import: '' or '-' is no grade, a number is a grade, anything else
    aborts the whole import ("badgrade")."""
    value = value.strip()
    if value in ("", "-"):
        return None
    try:
        return float(value.replace(",", "."))
    except ValueError:
        raise AssertionError(f"Moodle would abort the import on {value!r}") from None


def canvas_grade(value: str) -> str | float | None:
    """Canvas's gradebook import: EX (any case) excuses, blank or '-' is no score."""
    value = value.strip()
    if value.casefold() == "ex":
        return "excused"
    if value in ("", "-"):
        return None
    return float(value)


@pytest.fixture
def marked(session, course, student, instructor):
    """One excused quiz and one whose essay waits for hand grading."""
    excused = factories.make_quiz(session, course, keys=("capital",), title="Excused one")
    essay = factories.make_quiz(session, course, keys=("capital", "essay"), title="With essay")
    _take(session, essay, student, {0: "A", 1: "Trade made the town."}, NOW)
    services.set_override(
        session,
        excused,
        student.id,
        points=None,
        excused=True,
        reason="ill",
        by=instructor,
        now=NOW,
    )
    session.commit()
    return excused, essay


def test_canvas_gets_ex_for_excused_and_no_score_while_awaiting(session, course, student, marked):
    rows = _file(session, course, "canvas")
    header, (row,) = rows[0], [r for r in rows[2:] if r[3] == student.email]
    cells = dict(zip(header, row, strict=True))
    assert cells["Excused one"] == "EX" and canvas_grade(cells["Excused one"]) == "excused"
    assert cells["With essay"] == "-" and canvas_grade(cells["With essay"]) is None


def test_standard_keeps_numbers_moodle_reads_and_names_pending_quizzes(
    session, course, student, marked
):
    rows = _file(session, course, "standard")
    cells = dict(zip(rows[0], rows[1], strict=True))
    assert moodle_grade(cells["With essay"]) == 1.0  # provisional, still a number
    assert moodle_grade(cells["Excused one"]) is None
    assert cells["awaiting_grading"] == "With essay"
    eu = _file(session, course, "excel-eu")
    assert dict(zip(eu[0], eu[1], strict=True))["awaiting_grading"] == "With essay"


def test_registrar_says_which_grades_are_final(session, course, student, marked, instructor):
    (row,) = _file(session, course, "registrar")[1:]
    assert row[2] == "awaiting grading"
    _, essay = marked
    (attempt,) = attempts.list_attempts(session, essay, student)
    grading.grade_essay(session, attempt.questions[1], 4, "", instructor, NOW)
    session.commit()
    (row,) = _file(session, course, "registrar")[1:]
    assert row[2] == "final"


def test_long_file_says_awaiting_grading(session, course, student, marked):
    rows = _file(session, course, "long")
    assert [r[5] for r in rows[1:]] == ["awaiting_grading"]


# --- 4. the formula guard ------------------------------------------------------------------

DANGEROUS = ['=HYPERLINK("http://x.test","x")', "-cmd|' /C calc'!A0", "@SUM(1+1)*9", "+A1"]


@pytest.mark.parametrize("text", DANGEROUS + ["-2+3", "\t=1", "=1"])
def test_what_a_spreadsheet_would_run_is_quoted(text):
    assert is_formula(text)


@pytest.mark.parametrize(
    "text", ["-dash.lee@school.test", "+lee", "@lee", "-a+b@school.test", "-1.5", "lee=x"]
)
def test_identifiers_and_numbers_are_not(text):
    assert not is_formula(text)


@pytest.fixture
def tricky(session, course):
    """A student whose e-mail and id start like formulas, one whose name is a formula."""
    quiz = factories.make_quiz(session, course, keys=("capital",), title="Unit")
    dash = factories.make_user(
        session, email="-dash.lee@school.test", name="Dash Lee", student_number="+lee"
    )
    evil = factories.make_user(session, email="evil@school.test", name=DANGEROUS[0])
    for s in (dash, evil):
        factories.make_enrollment(session, course, s)
        _take(session, quiz, s, {0: "A"}, NOW)
    session.commit()
    return quiz, dash, evil


def _moodle_finds(rows, column, user):
    """Moodle maps a column to "Email address" and looks the trimmed value up exactly."""
    return [r for r in rows[1:] if r[column].strip() == user.email]


def test_guard_on_every_preset_keeps_what_importers_match(session, course, tricky):
    quiz, dash, evil = tricky
    quoted = "'" + DANGEROUS[0]
    standard = _file(session, course, "standard")
    assert len(_moodle_finds(standard, 2, dash)) == 1
    assert any(r[1] == quoted for r in standard) and DANGEROUS[0] not in [r[1] for r in standard]
    eu = _file(session, course, "excel-eu")
    assert len(_moodle_finds(eu, 2, dash)) == 1 and any(r[1] == quoted for r in eu)
    # Canvas matches SIS User ID, then SIS Login ID, exactly.
    canvas = _file(session, course, "canvas")
    (row,) = [r for r in canvas[2:] if r[2] == dash.student_number and r[3] == dash.email]
    assert any(r[0] == quoted for r in canvas)
    registrar = _file(session, course, "registrar")
    assert [r[0] for r in registrar[1:]].count("+lee") == 1
    assert "evil@school.test" in [r[0] for r in registrar]
    long = _file(session, course, "long")
    assert len(_moodle_finds(long, 2, dash)) == 1 and any(r[1] == quoted for r in long)
    responses = list(csv.reader(io.StringIO("".join(responses_table(session, quiz).lines()))))
    assert len(_moodle_finds(responses, 2, dash)) == 1
    assert any(r[1] == quoted for r in responses)


# --- 5. late -------------------------------------------------------------------------------


def test_extra_time_is_not_late_only_a_real_extension_is(session, course, student):
    closes = NOW + timedelta(hours=1)
    quiz = factories.make_quiz(
        session,
        course,
        keys=("capital",),
        title="Timed",
        time_limit_minutes=60,
        closes_at=closes,
    )
    extra, extended, plain, swept = (factories.make_user(session) for _ in range(4))
    for s in (extra, extended, plain, swept):
        factories.make_enrollment(session, course, s)
    for s in (extra, swept):
        enrollment = session.scalar(select(Enrollment).where(Enrollment.user_id == s.id))
        quizzes.set_time_profile(session, enrollment, 50)  # close moves to +30 min
    quizzes.set_accommodation(session, quiz, extended.id, closes_at=closes + timedelta(hours=2))
    start = closes - timedelta(minutes=10)
    for s, submit_at in (
        (extra, closes + timedelta(minutes=20)),
        (extended, closes + timedelta(minutes=40)),
        (plain, closes - timedelta(minutes=1)),
    ):
        attempt = _take(session, quiz, s, {0: "A"}, start, submit=False)
        attempts.submit_attempt(session, attempt, submit_at)
    _take(session, quiz, swept, {0: "A"}, start, submit=False)
    attempts.close_expired(session, closes + timedelta(hours=3))  # graded at its deadline
    session.commit()
    book = services.build_gradebook(session, course, closes + timedelta(hours=4))
    status = {r.student.id: r.cells[quiz.id].status for r in book.rows}
    assert status[extra.id] == "graded"
    assert status[swept.id] == "graded"
    assert status[plain.id] == "graded"
    assert status[extended.id] == "late"


# --- 6. the long file under "average" ------------------------------------------------------


def test_long_file_marks_every_averaged_attempt_kept(session, course, student):
    quiz = factories.make_quiz(
        session,
        course,
        keys=("capital",),
        title="Twice",
        attempts_allowed=3,
        grading_policy=GradingPolicy.AVERAGE,
    )
    _take(session, quiz, student, {0: "A"}, NOW)
    _take(session, quiz, student, {0: "B"}, NOW + timedelta(hours=1))
    _take(session, quiz, student, {0: "A"}, NOW + timedelta(hours=2), submit=False)  # open
    session.commit()
    rows = _file(session, course, "long", NOW + timedelta(hours=2))[1:]
    assert [(r[4], r[5], r[10]) for r in rows] == [
        ("1", "graded", "yes"),
        ("2", "graded", "yes"),
        ("3", "in_progress", "no"),
    ]
    kept = [float(r[8]) for r in rows if r[10] == "yes"]
    (row,) = services.build_gradebook(session, course, NOW + timedelta(hours=2)).rows
    assert row.cells[quiz.id].score == sum(kept) / len(kept) == 0.5


# --- 10. statements per chunk --------------------------------------------------------------


def test_export_statements_per_chunk_match_the_docs(app, session, course):
    quiz = factories.make_quiz(session, course, keys=("capital",), title="Unit")
    for _ in range(5):
        s = factories.make_user(session)
        factories.make_enrollment(session, course, s)
        _take(session, quiz, s, {0: "A"}, NOW)
    session.commit()
    counts = {}
    for chunk in (6, 2):  # 6 students (one enrolled by the fixture): 1 chunk, then 3
        with count_statements(app) as statements:
            for _line in gradebook_table(session, course, NOW, "standard", chunk=chunk).lines():
                pass
        counts[chunk] = len(statements)
    per_chunk = (counts[2] - counts[6]) / 2
    assert per_chunk == export.STATEMENTS_PER_CHUNK
    assert counts[6] == 1 + export.STATEMENTS_PER_CHUNK  # the student list, then one chunk
    bench = (ROOT / "bench" / "README.md").read_text()
    words = {6: "six", 7: "seven", 8: "eight"}[export.STATEMENTS_PER_CHUNK]
    assert re.search(rf"\b{words} statements per chunk", bench)


def test_an_average_is_kept_unrounded_until_shown():
    from types import SimpleNamespace

    from studyapp.attempts.review import kept_score

    done = [
        SimpleNamespace(is_preview=False, is_open=False, score=s, number=n)
        for n, s in ((1, 1.0), (2, 2.0), (3, 2.0), (4, 2.375))
    ]
    # The grade keeps every digit (1.84375, not 1.8438): pages and files round it once.
    assert kept_score(done, GradingPolicy.AVERAGE) == 1.84375
    assert numbers.format_number(kept_score(done, GradingPolicy.AVERAGE)) == "1.84"
