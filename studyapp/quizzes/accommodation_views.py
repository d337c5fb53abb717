"""Instructor pages of a quiz's accommodations: per-quiz extra time, close time and attempts,
and a student's class-wide extra time. Routes on the quizzes blueprint (``views.bp``)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from studyapp.auth.access import instructor_required
from studyapp.classes import services as classes
from studyapp.core.errors import NotFound
from studyapp.core.timezones import to_local, to_utc
from studyapp.db import get_session
from studyapp.quizzes import services
from studyapp.quizzes.forms import AccommodationForm, ProfileForm
from studyapp.quizzes.views import _commit_or_flash, _quiz, bp


@bp.get("/quizzes/<int:quiz_id>/accommodations")
@instructor_required
def accommodations(quiz_id: int):
    """Each student's time and attempts on this quiz, with forms to change them."""
    quiz = _quiz(quiz_id)
    session = get_session()
    course = classes.get_taught_course(session, quiz.course_id, current_user)
    rows = []
    given = services.accommodations_by_user(session, quiz)
    for enrollment in classes.list_roster(session, course):
        if not enrollment.is_active:
            continue
        acc = given.get(enrollment.user_id)
        form = AccommodationForm(obj=acc, prefix=f"u{enrollment.user_id}")
        if acc is not None:
            form.closes_at.data = to_local(acc.closes_at, current_user.timezone)
        profile = ProfileForm(obj=enrollment, prefix=f"p{enrollment.user_id}")
        rows.append((enrollment, services.student_rules(quiz, enrollment, acc), form, profile))
    return render_template("quizzes/accommodations.html", quiz=quiz, rows=rows)


def _quiz_and_enrollment(quiz_id: int, user_id: int):
    """The instructor's quiz and a student's enrolment in its class; any other is 404."""
    quiz = _quiz(quiz_id)
    session = get_session()
    course = classes.get_taught_course(session, quiz.course_id, current_user)
    try:
        return quiz, classes.get_enrollment(session, course, user_id)
    except NotFound:
        abort(404)


@bp.post("/quizzes/<int:quiz_id>/accommodations/<int:user_id>")
@instructor_required
def set_accommodation(quiz_id: int, user_id: int):
    quiz, _ = _quiz_and_enrollment(quiz_id, user_id)
    form = AccommodationForm(prefix=f"u{user_id}")
    if form.validate_on_submit():
        values = {
            k: form[k].data
            for k in ("extra_time_percent", "extra_time_minutes", "extra_attempts", "note")
        }
        values["extra_time_minutes"] = values["extra_time_minutes"] or 0
        values["extra_attempts"] = values["extra_attempts"] or 0
        values["closes_at"] = to_utc(form.closes_at.data, current_user.timezone)
        _commit_or_flash(
            services.set_accommodation, quiz, user_id, success="Accommodation saved.", **values
        )
    else:
        flash("Check the accommodation values.", "error")
    return redirect(url_for("quizzes.accommodations", quiz_id=quiz.id))


@bp.post("/quizzes/<int:quiz_id>/profiles/<int:user_id>")
@instructor_required
def set_profile(quiz_id: int, user_id: int):
    """Set a student's class-wide extra time (applies to every timed quiz of the class)."""
    quiz, enrollment = _quiz_and_enrollment(quiz_id, user_id)
    form = ProfileForm(prefix=f"p{user_id}")
    if form.validate_on_submit():
        _commit_or_flash(
            services.set_time_profile,
            enrollment,
            form.extra_time_percent.data,
            success="Class-wide extra time saved.",
        )
    else:
        flash("Extra time must be a whole number between 0 and 400.", "error")
    return redirect(url_for("quizzes.accommodations", quiz_id=quiz.id))
