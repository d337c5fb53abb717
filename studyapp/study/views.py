"""Study mode for students, progress pages for students and instructors."""

from __future__ import annotations

from datetime import datetime, time
from functools import partial

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from studyapp.attempts.responses import form_state, response_from_form
from studyapp.auth.access import instructor_required, student_required
from studyapp.banks.types import key_view
from studyapp.classes import services as classes
from studyapp.core.clock import utcnow
from studyapp.core.errors import DomainError, NotFound
from studyapp.core.ids import parse_id
from studyapp.core.timezones import to_local, to_utc, zone
from studyapp.db import get_session
from studyapp.study import progress, services
from studyapp.study import scope as scopes
from studyapp.study.forms import AnswerForm, ExamForm, RateForm, StudyBankForm
from studyapp.study.reports import class_report

bp = Blueprint("study", __name__)


def _start_of_day(now: datetime) -> datetime:
    tz = zone(current_user.timezone)
    return datetime.combine(now.astimezone(tz).date(), time(), tz)


def _scope() -> services.Scope:
    """The banks, reviewed quiz (and tag) asked for, limited to those open to this student."""
    asked = {parse_id(b) for b in request.args.getlist("bank")}
    if None in asked:
        abort(404)
    quiz = request.args.get("quiz")
    quiz_id = parse_id(quiz)
    if quiz is not None and quiz_id is None:
        abort(404)
    try:
        return scopes.choose_scope(
            get_session(), current_user, utcnow(), asked, request.args.get("tag") or None, quiz_id
        )
    except NotFound:
        abort(404)


def _scope_args() -> dict[str, list[str]]:
    """The scope's own query arguments, carried from page to page.

    Only these: url_for reads arguments such as ``_method`` or ``_external`` as its own
    options, so passing the whole query string on let ``?_method=GET`` break the page.
    """
    return {k: request.args.getlist(k) for k in ("bank", "tag", "quiz") if request.args.get(k)}


@bp.get("/study")
@student_required
def index():
    """Choose what to study: a bank, a whole class, a tag, or everything due."""
    session = get_session()
    now = utcnow()
    vis = scopes.visibility(session, current_user, now)
    due_today, due_week = progress.due_counts(
        session, current_user, now, zone(current_user.timezone), hidden=vis.held
    )
    return render_template(
        "study/index.html",
        banks=scopes.studyable_banks(session, current_user),
        quizzes=scopes.studyable_quizzes(session, current_user, vis),
        courses={c.id: c for c in scopes.active_courses(session, current_user)},
        due_today=due_today,
        due_week=due_week,
    )


@bp.get("/study/session")
@student_required
def session_page():
    """The next card of the chosen scope, or the news that today's work is done."""
    session = get_session()
    scope = _scope()
    now = utcnow()
    card = services.next_card(session, current_user, scope, now, _start_of_day(now))
    session.commit()
    form = AnswerForm()
    if card is not None:
        form.card_id.data, form.card_version.data = card.card.id, card.card.version
        form.version_id.data = card.version_id
    return render_template("study/card.html", next=card, form=form, args=_scope_args())


@bp.post("/study/answer")
@student_required
def answer():
    """Grade a practice answer at once and show why; the student then rates it."""
    form = AnswerForm()
    if not form.validate_on_submit():
        abort(400)
    ids = [parse_id(f.data) for f in (form.card_id, form.card_version, form.version_id)]
    if None in ids:
        abort(404)
    session = get_session()
    answer_of = partial(response_from_form, name="q", form=request.form)
    try:
        result = services.answer_form(session, current_user, *ids, answer_of, utcnow())
    except NotFound:
        abort(404)
    session.commit()
    return render_template(
        "study/result.html",
        result=result,
        key=key_view(result.question),
        cited=result.cited,
        form_state=form_state,
        rate_form=RateForm(review_id=result.review.id),
        args=_scope_args(),
    )


@bp.post("/study/rate")
@student_required
def rate():
    """Schedule the card by the rating; a replayed or racing rating changes nothing."""
    form = RateForm()
    review_id = parse_id(form.review_id.data) if form.validate_on_submit() else None
    if review_id is None:
        abort(400)
    session = get_session()
    try:
        _review, applied = services.rate(
            session,
            services.app_scheduler(),
            current_user,
            review_id,
            request.form.get("rating"),
            utcnow(),
        )
    except NotFound:
        abort(404)
    session.commit()
    if not applied:
        flash("That card had already been answered in another tab; nothing changed.", "info")
    return redirect(url_for("study.session_page", **_scope_args()))


@bp.get("/progress")
@student_required
def my_progress():
    return _progress_page(current_user, None)


def _progress_page(user, course):
    page = progress.progress_page(get_session(), user, utcnow(), zone(user.timezone), course)
    return render_template("study/progress.html", student=user, course=course, **page)


def _taught(course_id: int):
    try:
        return classes.get_taught_course(get_session(), course_id, current_user)
    except NotFound:
        abort(404)


@bp.get("/teach/classes/<int:course_id>/students/<int:user_id>/progress")
@instructor_required
def student_progress(course_id: int, user_id: int):
    course = _taught(course_id)
    try:
        enrollment = classes.get_enrollment(get_session(), course, user_id)
    except NotFound:
        abort(404)
    return _progress_page(enrollment.user, course)


@bp.get("/teach/classes/<int:course_id>/progress")
@instructor_required
def class_progress(course_id: int):
    """Topic x student mastery, most-missed questions, and predicted recall on the exam date."""
    course = _taught(course_id)
    session = get_session()
    report = class_report(session, course, utcnow())
    exam_form = ExamForm(exam_at=to_local(course.exam_at, current_user.timezone))
    bank_form = StudyBankForm()
    bank_form.bank.choices = scopes.bank_choices(session, current_user)
    return render_template(
        "study/class_progress.html",
        course=course,
        report=report,
        exam_form=exam_form,
        bank_form=bank_form,
    )


@bp.post("/teach/classes/<int:course_id>/exam")
@instructor_required
def set_exam(course_id: int):
    course = _taught(course_id)
    form = ExamForm()
    if form.validate_on_submit():
        course.exam_at = to_utc(form.exam_at.data, current_user.timezone)
        get_session().commit()
        flash(
            "Exam date saved: study scheduling keeps every card due before it."
            if course.exam_at
            else "Exam date removed.",
            "success",
        )
    return redirect(url_for("study.class_progress", course_id=course.id))


@bp.post("/teach/classes/<int:course_id>/study-banks")
@instructor_required
def add_study_bank(course_id: int):
    course = _taught(course_id)
    session = get_session()
    try:
        bank = scopes.open_bank(session, course, request.form.get("bank", ""), current_user)
    except NotFound:
        abort(404)
    session.commit()
    flash(f"'{bank.title}' is open to the class for study.", "success")
    return redirect(url_for("study.class_progress", course_id=course.id))


@bp.errorhandler(DomainError)
def domain_error(exc: DomainError):
    flash(str(exc), "error")
    return redirect(url_for("study.index"))
