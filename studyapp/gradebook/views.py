"""Gradebook, quiz report, results by paragraph, overrides and CSV downloads."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from sqlalchemy.orm import Session

from studyapp.attempts import listings
from studyapp.auth.access import instructor_required
from studyapp.classes import services as classes
from studyapp.classes.models import Course, Enrollment
from studyapp.core.clock import utcnow
from studyapp.core.errors import DomainError, NotFound
from studyapp.db import get_session
from studyapp.gradebook import csvquiz, csvwriter, export, report, services
from studyapp.gradebook.definitions import DEFINITIONS
from studyapp.gradebook.forms import OverrideForm
from studyapp.gradebook.stats import MIN_FLAG_N
from studyapp.quizzes import services as quizzes
from studyapp.quizzes.models import Quiz

bp = Blueprint("gradebook", __name__, url_prefix="/teach")


def _course(course_id: int) -> Course:
    try:
        return classes.get_taught_course(get_session(), course_id, current_user)
    except NotFound:
        abort(404)


def _quiz(quiz_id: int) -> Quiz:
    session = get_session()
    taught = {c.id for c in classes.list_courses_taught(session, current_user)}
    try:
        return quizzes.get_quiz(session, quiz_id, taught)
    except NotFound:
        abort(404)


def _enrollment(course: Course, user_id: int) -> Enrollment:
    """The student's enrollment in the class; a student of another class is 'not found'."""
    try:
        return classes.get_enrollment(get_session(), course, user_id)
    except NotFound:
        abort(404)


def _csv(build: Callable[[Session], csvwriter.Table], filename: str) -> Response:
    """Stream a CSV download: the first line leaves at once, memory stays flat.

    The rows come from a session of their own, which lives as long as the download does:
    the request's session closes when the view returns, before the file is sent.
    """
    maker = current_app.extensions["studyapp.sessionmaker"]

    def lines() -> Iterator[str]:
        session = maker()
        try:
            yield from build(session).lines()
        finally:
            session.close()

    return Response(
        stream_with_context(lines()),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/classes/<int:course_id>/gradebook")
@instructor_required
def show(course_id: int):
    """Students x quizzes with marks, totals, sort and filters."""
    course = _course(course_id)
    book = services.build_gradebook(get_session(), course, utcnow())
    quiz_ids = {int(q) for q in request.args.getlist("quiz") if q.isdigit()}
    shown, rows = services.filter_and_sort(
        book,
        student=request.args.get("student", ""),
        status=request.args.get("status", ""),
        quiz_ids=quiz_ids,
        sort=request.args.get("sort", "name"),
        descending=request.args.get("desc") == "1",
    )
    return render_template(
        "gradebook/show.html",
        course=course,
        book=book,
        quizzes=shown,
        rows=rows,
        statuses=services.STATUSES,
        args=request.args,
        presets=export.GRADEBOOK_PRESETS,
    )


@bp.get("/classes/<int:course_id>/gradebook.csv")
@instructor_required
def download(course_id: int):
    course = _course(course_id)
    preset = request.args.get("preset", "standard")
    if preset not in export.GRADEBOOK_PRESETS:
        abort(404)
    bom, now, course_id = request.args.get("bom") == "1", utcnow(), course.id

    def build(session: Session) -> csvwriter.Table:
        table = export.gradebook_table(session, session.get(Course, course_id), now, preset)
        return export.with_bom(table) if bom else table

    return _csv(build, f"grades-{course.id}-{preset}.csv")


@bp.get("/classes/<int:course_id>/students/<int:user_id>/attempts")
@instructor_required
def student_attempts(course_id: int, user_id: int):
    """One student's row: every attempt at every quiz of the class, and the grade history."""
    course = _course(course_id)
    session = get_session()
    enrollment = _enrollment(course, user_id)
    book = services.build_gradebook(session, course, utcnow(), user_ids=[user_id])
    quiz_ids = [q.id for q in book.quizzes]
    return render_template(
        "gradebook/student.html",
        course=course,
        student=enrollment.user,
        book=book,
        row=book.rows[0] if book.rows else None,
        attempts=listings.attempts_of_student(session, quiz_ids, user_id),
        history=services.grade_history(session, quiz_ids, user_id),
        form=OverrideForm(),
    )


@bp.post("/quizzes/<int:quiz_id>/students/<int:user_id>/override")
@instructor_required
def override(quiz_id: int, user_id: int):
    """Override or excuse a grade, or clear both (points empty, not excused)."""
    quiz = _quiz(quiz_id)
    course = _course(quiz.course_id)
    _enrollment(course, user_id)
    back = url_for("gradebook.student_attempts", course_id=course.id, user_id=user_id)
    form = OverrideForm()
    if not form.validate_on_submit():
        flash("Give a reason for the change.", "error")
        return redirect(back)
    session = get_session()
    try:
        services.set_override(
            session, quiz, user_id, **form.override(), by=current_user, now=utcnow()
        )
    except DomainError as exc:
        session.rollback()
        flash(str(exc), "error")
    else:
        session.commit()
        flash("Grade changed; the change is in the history.", "success")
    return redirect(back)


@bp.get("/quizzes/<int:quiz_id>/report")
@instructor_required
def quiz_report(quiz_id: int):
    """Score distribution, reliability and per-question analysis, with definitions."""
    quiz = _quiz(quiz_id)
    which = _which()
    data = report.quiz_report(get_session(), quiz, which)
    return render_template(
        "gradebook/report.html",
        quiz=quiz,
        report=data,
        definitions=DEFINITIONS,
        choices=report.ATTEMPT_CHOICES,
        min_flag_n=MIN_FLAG_N,
    )


def _which() -> str:
    which = request.args.get("attempts", "graded")
    return which if which in report.ATTEMPT_CHOICES else "graded"


@bp.get("/quizzes/<int:quiz_id>/<any(responses, analysis):kind>.csv")
@instructor_required
def quiz_csv(quiz_id: int, kind: str):
    quiz_id, which = _quiz(quiz_id).id, _which()

    def build(session: Session) -> csvwriter.Table:
        quiz = session.get(Quiz, quiz_id)
        if kind == "responses":
            return export.responses_table(session, quiz)
        data = report.quiz_report(session, quiz, which)
        return csvquiz.analysis(
            csvquiz.analysis_row(i + 1, c.label, c.type, c.stats, c.drawn)
            for i, c in enumerate(data.columns)
        )

    return _csv(build, f"quiz-{quiz_id}-{kind}.csv")


@bp.get("/classes/<int:course_id>/readings")
@instructor_required
def by_paragraph(course_id: int):
    """How the class did on the questions citing each paragraph; which paragraphs nothing tests."""
    course = _course(course_id)
    return render_template(
        "gradebook/paragraphs.html",
        course=course,
        readings=report.paragraph_report(get_session(), course),
    )
