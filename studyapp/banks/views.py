"""Instructor pages for banks: list, sync, browse, edit in the browser, download, upload."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from studyapp.auth.access import instructor_required
from studyapp.auth.forms import ConfirmForm
from studyapp.banks import models, ownership, readings, services, writeback
from studyapp.banks.content import question_from_doc
from studyapp.banks.formeditor.services import bank_coverage
from studyapp.banks.forms import ImportForm, NewBankForm, QuestionForm, ReadingTextForm, ShareForm
from studyapp.banks.guard import check_bank_changeable
from studyapp.banks.starters import TYPES, starter
from studyapp.banks.sync import sync_banks
from studyapp.classes import services as classes
from studyapp.core.clock import utcnow
from studyapp.core.errors import DomainError, Forbidden, NotFound
from studyapp.core.uploads import read_upload
from studyapp.core.views import render_error
from studyapp.db import get_session

bp = Blueprint("banks", __name__, url_prefix="/teach")
MAX_UPLOAD = services.MAX_UPLOAD_BYTES


def _bank(bank_id: int) -> models.Bank:
    """A bank this instructor may see; any other is 'not found'."""
    session = get_session()
    try:
        bank = services.get_bank(session, bank_id)
        ownership.check_visible(session, bank, current_user)
    except NotFound:
        abort(404)
    return bank


def _owned_bank(bank_id: int) -> models.Bank:
    """A bank this instructor may change: 404 if unseen, 403 if only shared for use."""
    bank = _bank(bank_id)
    try:
        ownership.check_owner(get_session(), bank, current_user)
    except ownership.NotOwner:
        abort(403)
    return bank


@bp.get("/banks")
@instructor_required
def index():
    session = get_session()
    return render_template(
        "banks/index.html",
        banks=services.list_banks(session, ownership.visible_bank_ids(session, current_user)),
        issues=services.list_issues(session),
        behind=writeback.list_behind(session, Path(current_app.config["QUESTIONS_DIR"])),
        action_form=ConfirmForm(),
    )


@bp.post("/banks/sync")
@instructor_required
def sync():
    """Read the bank files again now."""
    session = get_session()
    report = sync_banks(session, Path(current_app.config["QUESTIONS_DIR"]))
    session.commit()
    flash(
        f"Synced {report.banks} changed bank(s), {report.unchanged_files} unchanged: "
        f"{report.created} new question(s), {report.new_versions} new version(s), "
        f"{report.retired} retired, {len(report.errors)} error(s).",
        "error" if report.errors else "success",
    )
    return redirect(url_for("banks.index"))


@bp.route("/banks/new", methods=["GET", "POST"])
@instructor_required
def create():
    form = NewBankForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            bank = services.create_bank(
                session,
                slug=form.slug.data,
                title=form.title.data,
                description=form.description.data or "",
                source=form.source.data,
                owner=current_user,
            )
        except DomainError as exc:
            form.slug.errors.append(str(exc))
        else:
            session.commit()
            return redirect(url_for("banks.show", bank_id=bank.id))
    return render_template("banks/create.html", form=form)


@bp.get("/banks/<int:bank_id>")
@instructor_required
def show(bank_id: int):
    bank = _bank(bank_id)
    session = get_session()
    return render_template(
        "banks/show.html",
        bank=bank,
        owned=ownership.is_owner(session, bank, current_user),
        sharing=ownership.sharing_options(session, bank, current_user),
        share_form=ShareForm(),
        types=TYPES,
        action_form=ConfirmForm(),
        issues=(
            services.list_issues(session, bank.path)
            if bank.path
            else services.list_bank_warnings(session, bank)
        ),
        gift_points=services.gift_points_lost(bank),
        current_version=services.current_version,
        coverage=bank_coverage(get_session(), bank),
    )


@bp.post("/banks/<int:bank_id>/sharing")
@instructor_required
def share(bank_id: int):
    """Share a browser bank with some of one's classes, or with every instructor."""
    bank = _owned_bank(bank_id)
    session = get_session()
    form = ShareForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        ownership.set_sharing(
            session,
            bank,
            current_user,
            set(form.course_id.data or []),
            form.site_wide.data,
            {c.id for c in classes.list_courses_taught(session, current_user)},
        )
    except NotFound:
        abort(404)
    except DomainError as exc:
        session.rollback()
        flash(str(exc), "error")
    else:
        session.commit()
        flash("Sharing saved.", "success")
    return redirect(url_for("banks.show", bank_id=bank.id))


_DOWNLOADS = {
    "yaml": (services.export_bank_yaml, "application/x-yaml", "{}.yaml"),
    "gift": (services.export_bank_gift, "text/plain", "{}.gift.txt"),
    "xml": (services.export_bank_moodle_xml, "application/xml", "{}.moodle.xml"),
}


@bp.get("/banks/<int:bank_id>/download.<any(yaml, gift, xml):fmt>")
@instructor_required
def download(bank_id: int, fmt: str):
    """The bank as a file: the bank format (to commit to questions/), GIFT or Moodle XML."""
    bank = _bank(bank_id)
    export, mimetype, pattern = _DOWNLOADS[fmt]
    body, name = export(bank), pattern.format(bank.slug)
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _editor(bank: models.Bank, key: str | None, initial: str, version: int | None = None):
    """The bank-format editor: saves a new version unless someone saved one in between."""
    check_bank_changeable(get_session(), bank.id, current_user)
    form = QuestionForm()
    if not form.validate_on_submit():
        if not form.is_submitted():
            form.text.data, form.base_version.data = initial, str(version or "")
        return _editor_page(bank, key, form)
    session = get_session()
    base = int(form.base_version.data) if form.base_version.data else None
    try:
        question = services.save_question(session, bank, form.text.data, current_user, key, base)
    except services.StaleVersion as exc:
        form.base_version.data = str(exc.number)  # saving again replaces theirs, knowingly
        return _editor_page(bank, key, form, stale=exc), 409
    except services.BankInvalid as exc:
        return _editor_page(bank, key, form, issues=exc.issues)
    session.commit()
    flash(f"Saved question '{question.key}' (version {question.current_number}).", "success")
    return redirect(url_for("banks.show", bank_id=bank.id, _anchor=f"q-{question.key}"))


def _editor_page(bank: models.Bank, key: str | None, form: QuestionForm, **shown):
    return render_template(
        "banks/edit_question.html",
        bank=bank,
        form=form,
        key=key,
        issues=shown.get("issues", []),
        stale=shown.get("stale"),
        types=TYPES,
    )


@bp.route("/banks/<int:bank_id>/questions/new", methods=["GET", "POST"])
@instructor_required
def new_question(bank_id: int):
    bank = _owned_bank(bank_id)
    kind = request.args.get("type", "single")
    return _editor(bank, None, starter(kind, bank.source_default))


@bp.route("/banks/<int:bank_id>/questions/<key>/edit", methods=["GET", "POST"])
@instructor_required
def edit_question(bank_id: int, key: str):
    bank = _owned_bank(bank_id)
    try:
        question = services.get_question(get_session(), bank, key)
    except NotFound:
        abort(404)
    current = question_from_doc(services.current_version(question).content)
    return _editor(bank, key, services.question_yaml(current), question.current_number)


@bp.post("/banks/<int:bank_id>/questions/<key>/<any(retire, restore):action>")
@instructor_required
def retire_question(bank_id: int, key: str, action: str):
    bank = _owned_bank(bank_id)
    try:
        question = services.get_question(get_session(), bank, key)
    except NotFound:
        abort(404)
    services.set_retired(get_session(), question, action == "retire", utcnow(), current_user)
    get_session().commit()
    flash(f"Question '{key}' {'retired' if action == 'retire' else 'restored'}.", "info")
    return redirect(url_for("banks.show", bank_id=bank.id))


@bp.post("/banks/<int:bank_id>/preview")
@instructor_required
def preview(bank_id: int):
    """Render the question being edited as a student will see it (JSON for the live preview)."""
    bank = _owned_bank(bank_id)
    form = QuestionForm()
    if not form.validate_on_submit():
        return jsonify(html="", issues=["Write a question first."], warnings=[]), 400
    try:
        question = services.parse_question_snippet(get_session(), bank, form.text.data)
    except services.BankInvalid as exc:
        return jsonify(html="", issues=[str(i) for i in exc.issues], warnings=[])
    cited = (
        readings.paragraph_texts(get_session(), question.source.reading, question.source.paragraphs)
        if question.source
        else []
    )
    html = render_template(
        "banks/_preview.html", view=services.preview(question), question=question, cited=cited
    )
    return jsonify(html=html, issues=[], warnings=services.check_question_in_bank(bank, question))


@bp.route("/banks/import", methods=["GET", "POST"])
@instructor_required
def upload():
    """Upload a bank file in the bank format, Moodle XML or Moodle's GIFT format."""
    form = ImportForm()
    issues, notes = [], []
    if form.validate_on_submit():
        bank, issues, notes = _import(form)
        if bank is not None:
            for note in notes:
                flash(note, "info")
            flash(f"Imported '{bank.title}'.", "success")
            return redirect(url_for("banks.show", bank_id=bank.id))
    return render_template("banks/import.html", form=form, issues=issues, notes=notes)


def _import(form: ImportForm):
    """Import the uploaded file; a refused one is rolled back and returned as issues and notes."""
    session = get_session()
    try:
        bank, notes = services.import_upload(
            session,
            read_upload(form.file.data, MAX_UPLOAD),
            form.file.data.filename or "",
            current_user,
            bank_id=form.bank_id.data,
            title=form.title.data,
            max_bytes=MAX_UPLOAD,
        )
    except services.BankInvalid as exc:
        session.rollback()
        return None, exc.issues, exc.notes
    except Forbidden:
        raise
    except DomainError as exc:
        session.rollback()
        return None, [str(exc)], []
    session.commit()
    return bank, [], notes


@bp.route("/readings", methods=["GET", "POST"])
@instructor_required
def reading_texts():
    """List the readings and load a reading's text (kept in this installation only)."""
    session = get_session()
    form = ReadingTextForm()
    form.reading.choices = {r.id: f"{r.id}: {r.title}" for r in readings.list_readings(session)}
    if form.validate_on_submit():
        try:
            reading = readings.load_reading_text(
                session,
                form.reading.data,
                read_upload(form.file.data, readings.MAX_READING_BYTES),
            )
        except DomainError as exc:
            session.rollback()
            form.file.errors.append(str(exc))
        else:
            session.commit()
            flash(f"Loaded {len(reading.paragraphs)} paragraphs of '{reading.title}'.", "success")
            return redirect(url_for("banks.reading_texts"))
    return render_template(
        "banks/readings.html", form=form, readings=readings.list_readings(session)
    )


@bp.errorhandler(Forbidden)
def forbidden(exc: Forbidden):
    """A bank change the guard refused: a 403 page (or JSON) saying why."""
    get_session().rollback()
    return render_error(403, str(exc))
