"""The form editor's pages: a new question or an edit, a JSON check for the live preview and
the "try an answer" box, and the switch to and from the bank-format (YAML) tab."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from studyapp.auth.access import instructor_required
from studyapp.banks import models, readings, services
from studyapp.banks.formeditor import mapping
from studyapp.banks.formeditor import services as editor
from studyapp.banks.formeditor.forms import QuestionFieldsForm
from studyapp.banks.forms import QuestionForm
from studyapp.banks.guard import check_bank_changeable
from studyapp.core.errors import Forbidden, NotFound
from studyapp.core.views import render_error
from studyapp.db import get_session

bp = Blueprint("bankform", __name__, url_prefix="/teach/banks")
# A form at the row limit posts about 4 names per row and list; werkzeug's default of 1,000
# parts would refuse an over-long form with a bare 413 before the editor can say which field.
MAX_FORM_PARTS = 40_000


def _bank(bank_id: int) -> models.Bank:
    """The bank, if this instructor may change it (the form only ever changes a bank)."""
    try:
        bank = services.get_bank(get_session(), bank_id)
    except NotFound:
        abort(404)
    check_bank_changeable(get_session(), bank.id, current_user)
    return bank


@bp.errorhandler(Forbidden)
def forbidden(exc: Forbidden):
    """A bank change the guard refused: a 403 page (or JSON) saying why."""
    get_session().rollback()
    return render_error(403, str(exc))


def _question(bank: models.Bank, key: str) -> models.Question:
    try:
        return services.get_question(get_session(), bank, key)
    except NotFound:
        abort(404)


@bp.route("/<int:bank_id>/form/new", methods=["GET", "POST"])
@instructor_required
def new(bank_id: int):
    """Write a new question in the form (pre-filled with a type and a cited paragraph)."""
    bank = _bank(bank_id)
    if request.method == "GET":
        fields = editor.new_question_form(
            bank, request.args.get("type", "single"), request.args.get("source")
        )
        return _shown(bank, None, fields)
    return _post(bank, None)


@bp.route("/<int:bank_id>/form/<key>", methods=["GET", "POST"])
@instructor_required
def edit(bank_id: int, key: str):
    """Edit a question in the form; saving writes a new version."""
    bank = _bank(bank_id)
    question = _question(bank, key)
    if request.method == "GET":
        fields = mapping.doc_to_form(services.current_version(question).content)
        fields["base_version"] = str(question.current_number)
        return _shown(bank, key, fields)
    return _post(bank, key)


@bp.post("/<int:bank_id>/form/check")
@instructor_required
def check(bank_id: int):
    """The form's question as the loader sees it: preview, messages per field, the YAML, the
    cited paragraphs, and the grade of a trial answer (JSON for the page's script)."""
    bank = _bank(bank_id)
    request.max_form_parts = MAX_FORM_PARTS
    form = QuestionFieldsForm()
    if not form.validate_on_submit():
        return jsonify(
            issues=[{"field": "form", "message": "Reload the page.", "severity": "error"}]
        ), 400
    return jsonify(_checked_view(bank, request.form))


def _checked_view(bank: models.Bank, data: Any) -> dict[str, Any]:
    session = get_session()
    checked = editor.check_form(session, bank, data)
    result: dict[str, Any] = {
        "issues": [vars(i) for i in checked.issues],
        "yaml": checked.yaml,
        "html": "",
        "cited": editor.cited_paragraphs(session, checked.question),
        "trial": None,
    }
    if checked.question is not None:
        result["html"] = render_template(
            "banks/_preview.html",
            view=services.preview(checked.question),
            question=checked.question,
            cited=result["cited"],
        )
        result["trial"] = editor.trial_result(checked.question, mapping.Fields(data).get("trial"))
    return result


def _post(bank: models.Bank, key: str | None):
    request.max_form_parts = MAX_FORM_PARTS
    form = QuestionFieldsForm()
    if not form.validate_on_submit():
        abort(400)
    action = request.form.get("action", "save")
    if action == "yaml":
        return _yaml_tab(bank, key, editor.check_form(get_session(), bank, request.form).yaml)
    if action == "from_yaml":
        return _from_yaml(bank, key)
    if action in ("preview", "try"):
        return _page(bank, key, request.form, checked=_checked_view(bank, request.form))
    return _save(bank, key, form)


def _save(bank: models.Bank, key: str | None, form: QuestionFieldsForm):
    session = get_session()
    base = form.base_version.data
    try:
        question = editor.save_form(
            session, bank, request.form, current_user, key, int(base) if base else None
        )
    except services.StaleVersion as exc:
        data = request.form.copy()
        data.setlist("base_version", [str(exc.number)])  # a second save replaces it, knowingly
        return _page(bank, key, data, stale=exc), 409
    except editor.FormInvalid as exc:
        return _page(bank, key, request.form, issues=exc.checked.issues), 422
    session.commit()
    flash(f"Saved question '{question.key}' (version {question.current_number}).", "success")
    return redirect(url_for("banks.show", bank_id=bank.id, _anchor=f"q-{question.key}"))


def _from_yaml(bank: models.Bank, key: str | None):
    text = request.form.get("text", "")
    try:
        fields = editor.yaml_to_form(get_session(), bank, text)
    except services.BankInvalid as exc:
        return _yaml_tab(bank, key, text, exc.issues)
    fields["base_version"] = request.form.get("base_version", "")
    return _shown(bank, key, fields)


def _shown(bank: models.Bank, key: str | None, fields: dict[str, Any]):
    """The form filled with ``fields``, previewed, with the cited paragraph beside it."""
    data = MultiDict(_flatten(fields))
    return _page(bank, key, data, checked=_checked_view(bank, data))


def _yaml_tab(bank: models.Bank, key: str | None, text: str, issues=()):
    base = request.form.get("base_version", "")
    form = QuestionForm(formdata=None, text=text, base_version=base)
    return render_template(
        "banks/edit_question.html", bank=bank, form=form, key=key, issues=list(issues)
    )


def _page(bank: models.Bank, key: str | None, data: Any, **extra: Any):
    session = get_session()
    issues = extra.pop("issues", None)
    if issues is None and extra.get("checked"):
        issues = [mapping.FieldIssue(**i) for i in extra["checked"]["issues"]]
    stale = extra.get("stale")
    return render_template(
        "banks/form/edit.html",
        bank=bank,
        key=key,
        f=mapping.Fields(data),
        qtype=mapping.Fields(data).get("type") or "single",
        issues=_by_field(issues or []),
        all_issues=issues or [],
        readings=readings.list_readings(session),
        tags=editor.bank_tags(bank),
        max_rows=mapping.MAX_ROWS,
        form=QuestionFieldsForm(
            formdata=None, base_version=mapping.Fields(data).get("base_version")
        ),
        checked=extra.get("checked"),
        stale=stale,
    )


def _by_field(issues) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for issue in issues:
        grouped.setdefault(issue.field, []).append(issue)
    return grouped


def _flatten(fields: dict[str, Any]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, value in fields.items():
        for v in value if isinstance(value, list) else [value]:
            pairs.append((name, "" if v is None else str(v)))
    return pairs
