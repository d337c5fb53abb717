"""Instructor pages for quizzes: build, publish, accommodate, preview, grade, regrade."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from studyapp.attempts import grading as hand_grading
from studyapp.attempts import listings
from studyapp.attempts import services as attempts
from studyapp.auth.access import instructor_required
from studyapp.auth.forms import ConfirmForm
from studyapp.banks import ownership
from studyapp.classes import services as classes
from studyapp.core.clock import utcnow
from studyapp.core.errors import DomainError, NotFound
from studyapp.core.timezones import to_local, to_utc
from studyapp.db import get_session
from studyapp.quizzes import choices, drawcounts, services
from studyapp.quizzes.forms import (
    DrawItemForm,
    FixedItemForm,
    NewQuizForm,
    QuizSettingsForm,
    RegradeForm,
    RemoveItemForm,
)
from studyapp.quizzes.models import Quiz

bp = Blueprint("quizzes", __name__, url_prefix="/teach")


def _quiz(quiz_id: int) -> Quiz:
    """A quiz of a class this instructor teaches; any other is 'not found'."""
    session = get_session()
    taught = {c.id for c in classes.list_courses_taught(session, current_user)}
    try:
        return services.get_quiz(session, quiz_id, taught)
    except NotFound:
        abort(404)


def _back(quiz: Quiz):
    return redirect(url_for("quizzes.show", quiz_id=quiz.id))


def _commit_or_flash(action, *args, success: str, **kwargs):
    """Run a service; commit and flash success, or roll back and flash its refusal."""
    session = get_session()
    try:
        result = action(session, *args, **kwargs)
    except DomainError as exc:
        session.rollback()
        flash(str(exc), "error")
        return None
    session.commit()
    flash(success, "success")
    return result if result is not None else True


@bp.route("/classes/<int:course_id>/quizzes/new", methods=["GET", "POST"])
@instructor_required
def create(course_id: int):
    session = get_session()
    try:
        course = classes.get_taught_course(session, course_id, current_user)
    except NotFound:
        abort(404)
    form = NewQuizForm()
    if form.validate_on_submit():
        quiz = services.create_quiz(session, course, form.title.data)
        session.commit()
        return redirect(url_for("quizzes.show", quiz_id=quiz.id))
    return render_template("quizzes/create.html", form=form, course=course)


def _usable_banks() -> set[int]:
    """The banks this instructor may use in quizzes (file banks and those shared with them)."""
    return ownership.visible_bank_ids(get_session(), current_user)


def _question_choices(session) -> dict[str, str]:
    return choices.question_choices(session, _usable_banks())


def _bank_choices(session) -> dict[str, str]:
    return choices.bank_choices(session, _usable_banks())


@bp.get("/quizzes/<int:quiz_id>")
@instructor_required
def show(quiz_id: int):
    """A quiz's overview: items, state, attempts, and what can be done next."""
    quiz = _quiz(quiz_id)
    session = get_session()
    fixed, draw = FixedItemForm(), DrawItemForm()
    fixed.question.choices = _question_choices(session)
    draw.bank.choices = _bank_choices(session)
    return render_template(
        "quizzes/show.html",
        quiz=quiz,
        fixed_form=fixed,
        draw_form=draw,
        remove_form=RemoveItemForm(),
        action_form=ConfirmForm(),
        regrade_form=RegradeForm(),
        counts=listings.count_by_status(session, quiz),
        max_points=services.max_points(quiz),
        started=services.count_real_attempts(session, quiz),
        draw_notes=drawcounts.draw_notes(session, quiz),
    )


@bp.route("/quizzes/<int:quiz_id>/settings", methods=["GET", "POST"])
@instructor_required
def settings(quiz_id: int):
    quiz = _quiz(quiz_id)
    tz = current_user.timezone
    form = QuizSettingsForm(obj=quiz)
    if not form.is_submitted():
        form.opens_at.data, form.closes_at.data = (
            to_local(quiz.opens_at, tz),
            to_local(quiz.closes_at, tz),
        )
    if form.validate_on_submit():
        values = {
            name: field.data for name, field in form._fields.items() if name in services.SETTINGS
        }
        values["opens_at"], values["closes_at"] = (
            to_utc(form.opens_at.data, tz),
            to_utc(form.closes_at.data, tz),
        )
        if _commit_or_flash(services.update_settings, quiz, values, success="Settings saved."):
            return _back(quiz)
    return render_template("quizzes/settings.html", quiz=quiz, form=form, tz=tz)


@bp.post("/quizzes/<int:quiz_id>/items/fixed")
@instructor_required
def add_fixed(quiz_id: int):
    quiz = _quiz(quiz_id)
    form = FixedItemForm()
    form.question.choices = _question_choices(get_session())
    if form.validate_on_submit():
        slug, key = form.question.data.split("/", 1)
        _commit_or_flash(
            services.add_fixed_item,
            quiz,
            slug,
            key,
            float(form.points.data),
            form.confirm.data,
            _usable_banks(),
            success=f"Added {key}.",
        )
    else:
        flash("Choose a question and its points.", "error")
    return _back(quiz)


@bp.post("/quizzes/<int:quiz_id>/items/draw")
@instructor_required
def add_draw(quiz_id: int):
    quiz = _quiz(quiz_id)
    form = DrawItemForm()
    form.bank.choices = _bank_choices(get_session())
    if form.validate_on_submit():
        _commit_or_flash(
            services.add_draw_item,
            quiz,
            form.bank.data,
            form.tag.data,
            form.count.data,
            float(form.points.data),
            form.confirm.data,
            _usable_banks(),
            success=f"Added a draw of {form.count.data} from {form.bank.data}.",
        )
    else:
        flash("Choose a bank, how many questions, and their points.", "error")
    return _back(quiz)


@bp.post("/quizzes/<int:quiz_id>/items/<int:item_id>/remove")
@instructor_required
def remove_item(quiz_id: int, item_id: int):
    quiz = _quiz(quiz_id)
    form = RemoveItemForm()
    form.validate_on_submit()
    _commit_or_flash(services.remove_item, quiz, item_id, form.confirm.data, success="Removed.")
    return _back(quiz)


@bp.post("/quizzes/<int:quiz_id>/<any(publish, close, reopen):action>")
@instructor_required
def change_state(quiz_id: int, action: str):
    quiz = _quiz(quiz_id)
    if action == "publish":
        _commit_or_flash(
            services.publish, quiz, utcnow(), success="Published: students can see it."
        )
    elif action == "close":
        if _commit_or_flash(services.close_quiz, quiz, success="Closed."):
            # Attempts still open are graded with what they saved.
            attempts.close_expired(get_session(), utcnow(), quiz_id=quiz.id)
            get_session().commit()
    else:
        _commit_or_flash(services.reopen_quiz, quiz, success="Reopened.")
    return _back(quiz)


@bp.post("/quizzes/<int:quiz_id>/preview")
@instructor_required
def preview(quiz_id: int):
    """Take the quiz as a student would; the attempt never counts."""
    quiz = _quiz(quiz_id)
    session = get_session()
    try:
        attempt = attempts.start_attempt(session, quiz, current_user, utcnow(), preview=True)
    except DomainError as exc:
        flash(str(exc), "error")
        return _back(quiz)
    session.commit()
    return redirect(url_for("attempts.show", attempt_id=attempt.id))


@bp.get("/quizzes/<int:quiz_id>/attempts")
@instructor_required
def results(quiz_id: int):
    """Every attempt at this quiz with its score and status."""
    quiz = _quiz(quiz_id)
    return render_template(
        "quizzes/results.html", quiz=quiz, rows=listings.quiz_attempts(get_session(), quiz)
    )


@bp.get("/attempts/<int:attempt_id>")
@instructor_required
def attempt_detail(attempt_id: int):
    """One attempt with each answer, its score, and the score history."""
    session = get_session()
    try:
        attempt = attempts.get_attempt(session, attempt_id)
    except NotFound:
        abort(404)
    _quiz(attempt.quiz_id)
    return render_template(
        "quizzes/attempt_detail.html",
        attempt=attempt,
        shown=attempts.shown_questions(attempt),
        history=hand_grading.score_history(session, attempt),
        question_of=attempts.question_of,
    )


# The picker's, accommodations' and hand grading's routes are registered on this blueprint
# by their own modules, which keeps this one under the house size limit.
from studyapp.quizzes import accommodation_views, grading_views, picker_views  # noqa: E402, F401
