"""Instructor pages of the question picker: search the banks, preview, add several at once.

The routes live on the quizzes blueprint (``views.bp``); this module only keeps views.py
under the house size limit.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from studyapp.auth.access import instructor_required
from studyapp.core.errors import NotFound
from studyapp.db import get_session
from studyapp.quizzes import drawcounts, picker
from studyapp.quizzes.forms import AddQuestionsForm, DrawItemForm, PickerSearchForm
from studyapp.quizzes.views import _bank_choices, _commit_or_flash, _quiz, _usable_banks, bp


@bp.get("/quizzes/<int:quiz_id>/picker")
@instructor_required
def picker_page(quiz_id: int):
    """Search the banks for questions to add to this quiz."""
    quiz = _quiz(quiz_id)
    session = get_session()
    visible = _usable_banks()
    form = PickerSearchForm(request.args)
    for name, options in picker.filter_options(picker.picker_choices(session, visible)).items():
        form[name].choices = options
    values = form.data if form.validate() else {}
    filters = picker.filters_from(values)
    draw_form = DrawItemForm()
    draw_form.bank.choices = _bank_choices(session)
    return render_template(
        "quizzes/picker.html",
        quiz=quiz,
        form=form,
        filters=filters,
        results=picker.search_questions(session, quiz, filters, visible),
        draw=drawcounts.draw_for_filters(session, quiz, filters, visible),
        draw_form=draw_form,
        add_form=AddQuestionsForm(),
    )


@bp.get("/quizzes/<int:quiz_id>/picker/<int:question_id>/preview")
@instructor_required
def picker_preview(quiz_id: int, question_id: int):
    """A question as students will see it, as a fragment the picker opens in place."""
    _quiz(quiz_id)
    session = get_session()
    try:
        question = picker.get_pickable(session, question_id, _usable_banks())
    except NotFound:
        abort(404)
    return render_template("banks/_preview.html", **picker.preview_data(session, question))


@bp.post("/quizzes/<int:quiz_id>/picker/add")
@instructor_required
def picker_add(quiz_id: int):
    """Add every ticked question of the picker as a fixed item."""
    quiz = _quiz(quiz_id)
    form = AddQuestionsForm()
    if not form.validate_on_submit():
        flash("Give the points as a number between 0.01 and 1000.", "error")
        return redirect(request.referrer or url_for("quizzes.picker_page", quiz_id=quiz.id))
    added = _commit_or_flash(
        picker.add_questions,
        quiz,
        form.question_id.data or [],
        float(form.points.data),
        _usable_banks(),
        form.confirm.data,
        success=f"Added {len(form.question_id.data or [])} question(s).",
    )
    if added is None:
        return redirect(url_for("quizzes.picker_page", quiz_id=quiz.id))
    return redirect(url_for("quizzes.show", quiz_id=quiz.id))
