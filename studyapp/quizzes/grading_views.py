"""Instructor pages of hand grading: the essay queue, a grade, and a regrade of a question.
Routes on the quizzes blueprint (``views.bp``)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from studyapp.attempts import grading as hand_grading
from studyapp.attempts import services as attempts
from studyapp.auth.access import instructor_required
from studyapp.core.clock import utcnow
from studyapp.db import get_session
from studyapp.quizzes.forms import EssayGradeForm, RegradeForm
from studyapp.quizzes.views import _back, _commit_or_flash, _quiz, bp


@bp.get("/quizzes/<int:quiz_id>/grading")
@instructor_required
def grading(quiz_id: int):
    """Essay answers waiting for a grade."""
    quiz = _quiz(quiz_id)
    queue = hand_grading.grading_queue(get_session(), quiz)
    forms = {row.id: EssayGradeForm(prefix=f"a{row.id}") for row in queue}
    return render_template(
        "quizzes/grading.html",
        quiz=quiz,
        queue=queue,
        forms=forms,
        question_of=attempts.question_of,
    )


@bp.post("/quizzes/<int:quiz_id>/grading/<int:row_id>")
@instructor_required
def grade(quiz_id: int, row_id: int):
    quiz = _quiz(quiz_id)
    session = get_session()
    row = next((r for r in hand_grading.grading_queue(session, quiz) if r.id == row_id), None)
    if row is None:
        abort(404)
    form = EssayGradeForm(prefix=f"a{row_id}")
    if form.validate_on_submit():
        _commit_or_flash(
            hand_grading.grade_essay,
            row,
            float(form.points.data),
            form.comment.data or "",
            current_user,
            utcnow(),
            success=f"Graded {row.attempt.user.name}'s answer.",
        )
    else:
        flash("Give the points as a number.", "error")
    return redirect(url_for("quizzes.grading", quiz_id=quiz.id))


@bp.post("/quizzes/<int:quiz_id>/questions/<int:question_id>/regrade")
@instructor_required
def regrade(quiz_id: int, question_id: int):
    """Grade every finished answer to a question again with its current key."""
    quiz = _quiz(quiz_id)
    form = RegradeForm()
    if not form.validate_on_submit():
        flash("Say why you regrade: the reason is kept in every student's score history.", "error")
        return _back(quiz)
    changed = _commit_or_flash(
        hand_grading.regrade_question,
        quiz,
        question_id,
        current_user,
        form.reason.data,
        utcnow(),
        success="Regraded.",
    )
    if changed is not None:
        flash(f"{0 if changed is True else changed} score(s) changed.", "info")
    return _back(quiz)
