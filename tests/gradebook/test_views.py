"""Gradebook pages and downloads over HTTP, and the export command."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from studyapp.attempts import saving
from studyapp.attempts import services as attempts
from studyapp.banks.readings import load_reading_text
from studyapp.core.clock import utcnow
from tests import factories
from tests.conftest import login


@pytest.fixture
def quiz(session, course, student):
    quiz = factories.make_quiz(session, course, keys=("capital", "goods"), title="=Week 1")
    attempt = attempts.start_attempt(session, quiz, student, utcnow() - timedelta(hours=1))
    saving.save_answer(session, attempt, 0, "B", None, utcnow())
    attempts.submit_attempt(session, attempt, utcnow())
    session.commit()
    return quiz


def test_gradebook_page(instructor_client, course, quiz, student):
    page = instructor_client.get(f"/teach/classes/{course.id}/gradebook").get_data(as_text=True)
    assert student.name in page and "=Week 1" in page and 'data-status="graded"' in page


@pytest.mark.parametrize("preset", ["standard", "excel-eu", "registrar", "canvas", "long"])
def test_every_preset_downloads_and_neutralizes_formulas(instructor_client, course, quiz, preset):
    response = instructor_client.get(f"/teach/classes/{course.id}/gradebook.csv?preset={preset}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    rows = list(
        csv.reader(
            io.StringIO(text.lstrip("\ufeff")), delimiter=";" if preset == "excel-eu" else ","
        )
    )
    assert len(rows) >= 2
    assert "=Week 1" not in [c for r in rows for c in r], "a title starting with = is neutralized"


def test_bom_option(instructor_client, course, quiz):
    with_bom = instructor_client.get(f"/teach/classes/{course.id}/gradebook.csv?bom=1").get_data(
        as_text=True
    )
    assert with_bom.startswith("\ufeff")
    assert (
        not instructor_client.get(f"/teach/classes/{course.id}/gradebook.csv")
        .get_data(as_text=True)
        .startswith("\ufeff")
    )


def test_quiz_report_and_its_csvs(instructor_client, quiz):
    page = instructor_client.get(f"/teach/quizzes/{quiz.id}/report").get_data(as_text=True)
    assert "Facility index" in page and "Score distribution" in page and "1 of 1 students" in page
    responses = instructor_client.get(f"/teach/quizzes/{quiz.id}/responses.csv").get_data(
        as_text=True
    )
    rows = list(csv.DictReader(io.StringIO(responses)))
    assert [r["answer"] for r in rows] == ["B", ""]
    analysis = list(
        csv.DictReader(
            io.StringIO(
                instructor_client.get(f"/teach/quizzes/{quiz.id}/analysis.csv").get_data(
                    as_text=True
                )
            )
        )
    )
    assert [r["question_id"] for r in analysis] == ["quizbank/capital", "quizbank/goods"]


def test_student_row_override_and_history(instructor_client, course, quiz, student):
    page = instructor_client.get(
        f"/teach/classes/{course.id}/students/{student.id}/attempts"
    ).get_data(as_text=True)
    assert "attempt 1" in page
    instructor_client.post(
        f"/teach/quizzes/{quiz.id}/students/{student.id}/override",
        data={"points": "2", "reason": "regraded by hand"},
    )
    page = instructor_client.get(
        f"/teach/classes/{course.id}/students/{student.id}/attempts"
    ).get_data(as_text=True)
    assert "overridden to 2" in page and "regraded by hand" in page
    refused = instructor_client.post(
        f"/teach/quizzes/{quiz.id}/students/{student.id}/override",
        data={"points": "1"},
        follow_redirects=True,
    )
    assert b"Give a reason" in refused.data


def test_results_by_paragraph(instructor_client, course, quiz, session):
    from pathlib import Path

    load_reading_text(
        session,
        "sample",
        (Path(__file__).parents[1] / "banks" / "data" / "sample-reading.md").read_bytes(),
    )
    session.commit()
    page = instructor_client.get(f"/teach/classes/{course.id}/readings").get_data(as_text=True)
    assert "¶1" in page and "0% over 2 answer(s)" in page and "river town traded salt" in page


def test_other_instructors_get_404(app, course, quiz, session, student):
    stranger = factories.make_instructor(session)
    session.commit()
    c = app.test_client()
    login(c, stranger.email)
    for url in (
        f"/teach/classes/{course.id}/gradebook",
        f"/teach/classes/{course.id}/gradebook.csv",
        f"/teach/quizzes/{quiz.id}/report",
        f"/teach/quizzes/{quiz.id}/responses.csv",
        f"/teach/classes/{course.id}/readings",
    ):
        assert c.get(url).status_code == 404, url


def test_export_command(runner, course, quiz):
    result = runner.invoke(args=["export", "grades", str(course.id), "--preset", "registrar"])
    assert result.exit_code == 0
    assert list(csv.reader(io.StringIO(result.output)))[0] == ["ID", "Grade", "Status"]
    assert runner.invoke(args=["export", "grades", "9999"]).exit_code != 0
