"""Taking a quiz: start page, the attempt (paged or one page), autosave, submit, review."""

from __future__ import annotations

from dataclasses import asdict

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from studyapp.attempts import saving, services
from studyapp.attempts.models import Attempt
from studyapp.attempts.responses import (
    flag_from_form,
    form_state,
    posted_answer,
    response_from_form,
)
from studyapp.attempts.review import review_access, review_rows
from studyapp.auth.access import student_required
from studyapp.auth.forms import ConfirmForm
from studyapp.core.clock import utcnow
from studyapp.core.errors import DomainError, NotFound
from studyapp.db import get_session
from studyapp.quizzes import services as quizzes
from studyapp.quizzes.models import Layout, Quiz

bp = Blueprint("attempts", __name__)


def _student_quiz(quiz_id: int) -> tuple[Quiz, quizzes.StudentRules]:
    """A published quiz of one of the student's classes, and their rules; else 'not found'."""
    try:
        return services.get_student_quiz(get_session(), quiz_id, current_user)
    except NotFound:
        abort(404)


def _own_attempt(attempt_id: int, questions: bool = True) -> Attempt:
    try:
        return services.get_own_attempt(get_session(), attempt_id, current_user, questions)
    except NotFound:
        abort(404)


@bp.get("/quizzes/<int:quiz_id>")
@student_required
def start_page(quiz_id: int):
    """What the quiz is, the student's time and attempts, and the start button."""
    quiz, rules = _student_quiz(quiz_id)
    session = get_session()
    now = utcnow()
    previous, closed = services.list_attempts_closing_expired(session, quiz, current_user, now)
    if closed:
        session.commit()
    return render_template(
        "attempts/start.html",
        quiz=quiz,
        rules=rules,
        previous=previous,
        form=ConfirmForm(),
        now=now,
    )


@bp.post("/quizzes/<int:quiz_id>/start")
@student_required
def start(quiz_id: int):
    quiz, rules = _student_quiz(quiz_id)
    session = get_session()
    try:
        attempt = services.start_attempt(session, quiz, current_user, utcnow(), rules=rules)
    except DomainError as exc:
        session.commit()  # keeps any attempt the deadline just closed
        flash(str(exc), "error")
        return redirect(url_for("attempts.start_page", quiz_id=quiz.id))
    session.commit()
    return redirect(url_for("attempts.show", attempt_id=attempt.id))


def _page_numbers(attempt: Attempt) -> tuple[int, int]:
    count = len(attempt.questions)
    page = request.args.get("page", type=int) or 1
    return max(1, min(page, count)), count


@bp.get("/attempts/<int:attempt_id>")
def show(attempt_id: int):
    """The attempt: every saved answer is shown again, on any device."""
    attempt = _own_attempt(attempt_id)
    session = get_session()
    if attempt.is_open and utcnow() > attempt.deadline_at + services.GRACE:
        services.finalize(session, attempt, utcnow(), "deadline")
        session.commit()
    if not attempt.is_open:
        return redirect(url_for("attempts.review", attempt_id=attempt.id))
    shown = services.shown_questions(attempt)
    paged = attempt.quiz.layout == Layout.PAGED
    page, count = _page_numbers(attempt)
    visible = [shown[page - 1]] if paged else shown
    return render_template(
        "attempts/take.html",
        attempt=attempt,
        shown=shown,
        visible=visible,
        paged=paged,
        page=page,
        count=count,
        form=ConfirmForm(),
        form_state=form_state,
        now=utcnow(),
    )


def _question_types(attempt: Attempt) -> dict[int, str]:
    """Each position's question type: all a save needs to read the form (no views built)."""
    return {row.position: row.version.type for row in attempt.questions}


def _save_from_form(attempt: Attempt, positions: list[int]) -> None:
    types, orders = _question_types(attempt), services.choice_orders(attempt)
    for position in positions:
        if position not in types:
            raise NotFound("This question is not part of the attempt.")
        name = f"q{position}"
        response = response_from_form(types[position], name, request.form, orders[position])
        flagged = bool(flag_from_form(request.form, name))
        saving.save_answer(get_session(), attempt, position, response, None, utcnow(), flagged)


@bp.post("/attempts/<int:attempt_id>")
def save_page(attempt_id: int):
    """The no-JavaScript path: save the answers on the page, then move where asked."""
    attempt = _own_attempt(attempt_id)
    session = get_session()
    positions = [int(p) for p in request.form.getlist("positions") if p.isdigit()]
    try:
        _save_from_form(attempt, positions)
    except DomainError as exc:
        session.commit()
        flash(str(exc), "error")
        return redirect(url_for("attempts.show", attempt_id=attempt.id))
    session.commit()
    go = request.form.get("go", "")
    if go == "submit":
        return redirect(url_for("attempts.confirm_submit", attempt_id=attempt.id))
    target = int(go) if go.isdigit() else None
    flash("Saved.", "success")
    return redirect(url_for("attempts.show", attempt_id=attempt.id, page=target))


def _save_refused(attempt: Attempt, exc: DomainError) -> tuple[Response, int]:
    """The JSON reply to an answer the rules refused; an attempt found closed stays closed."""
    session = get_session()
    if isinstance(exc, services.AttemptClosed):
        session.commit()
        review_url = url_for("attempts.review", attempt_id=attempt.id)
        return jsonify(ok=False, closed=True, error=str(exc), redirect=review_url), 409
    session.rollback()
    if isinstance(exc, saving.StaleAnswer):
        return jsonify(ok=False, stale=True, revision=exc.revision, error=str(exc)), 409
    return jsonify(ok=False, error=str(exc)), 400


@bp.post("/attempts/<int:attempt_id>/save")
def autosave(attempt_id: int):
    """Save one answer (JSON reply for the page's script); never sends grading information."""
    session = get_session()
    position = request.form.get("position", type=int)
    try:
        target = saving.attempt_for_save(session, attempt_id, current_user, position)
    except NotFound:
        abort(404)
    if target.kind is None:
        return jsonify(ok=False, error="This question is not part of the attempt."), 404
    posted = posted_answer(request.form, position, target.kind, target.order)
    try:
        result = saving.save_answer(
            session, target.attempt, position, now=utcnow(), **asdict(posted)
        )
    except DomainError as exc:
        return _save_refused(target.attempt, exc)
    session.commit()
    saved_at = result.saved_at.isoformat()
    return jsonify(
        ok=True, revision=result.revision, saved_at=saved_at, overwrote_other=result.overwrote_other
    )


@bp.get("/attempts/<int:attempt_id>/submit")
def confirm_submit(attempt_id: int):
    """Ask before submitting, listing unanswered and flagged questions."""
    attempt = _own_attempt(attempt_id)
    if not attempt.is_open:
        return redirect(url_for("attempts.review", attempt_id=attempt.id))
    return render_template(
        "attempts/confirm.html", attempt=attempt, form=ConfirmForm(), now=utcnow()
    )


@bp.post("/attempts/<int:attempt_id>/submit")
def submit(attempt_id: int):
    """Submit once; a repeated or racing submit changes nothing and lands on the same review."""
    positions = [int(p) for p in request.form.getlist("positions") if p.isdigit()]
    # Grading reads the saved answers afresh; the questions are loaded here only for a form
    # that carries answers (the no-JavaScript path).
    attempt = _own_attempt(attempt_id, questions=bool(positions))
    session = get_session()
    timed_out = request.form.get("reason") == "time"
    try:
        if positions and attempt.is_open:
            _save_from_form(attempt, positions)
        graded_now = services.submit_attempt(
            session, attempt, utcnow(), "deadline" if timed_out else "student"
        )
    except services.AttemptClosed as exc:
        session.commit()
        flash(str(exc), "error")
        return redirect(url_for("attempts.review", attempt_id=attempt.id))
    session.commit()
    flash(*_submitted_message(graded_now, timed_out))
    return redirect(url_for("attempts.review", attempt_id=attempt.id))


def _submitted_message(graded_now: bool, timed_out: bool) -> tuple[str, str]:
    if not graded_now:
        return "This attempt was already submitted.", "info"
    if timed_out:
        return "Time is up: your attempt was submitted with your saved answers.", "info"
    return "Your attempt was submitted.", "success"


@bp.get("/attempts/<int:attempt_id>/review")
def review(attempt_id: int):
    """The finished attempt, showing only what the quiz's review settings allow now."""
    attempt = _own_attempt(attempt_id)
    if attempt.is_open:
        return redirect(url_for("attempts.show", attempt_id=attempt.id))
    session = get_session()
    rules = services.rules_for(session, attempt.quiz, current_user)
    now = utcnow()
    access = review_access(attempt, now, rules.closes_at)
    return render_template(
        "attempts/review.html",
        attempt=attempt,
        access=access,
        rows=review_rows(session, attempt, access, now),
        form_state=form_state,
        show_letters=attempt.is_preview,  # an instructor's preview names choices by letter
    )
