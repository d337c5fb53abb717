"""`flask banks ...` commands; `check` validates bank files for instructors and CI."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app, has_app_context
from flask.cli import AppGroup, NoAppException, ScriptInfo

from studyapp.banks import services
from studyapp.banks.gift.metadata import slug
from studyapp.banks.loader import READINGS_FILE, load_banks, load_readings
from studyapp.banks.readings import list_readings, load_reading_text
from studyapp.banks.schema import Issue
from studyapp.banks.sync import SyncReport, sync_banks
from studyapp.banks.writeback import write_banks
from studyapp.core.errors import DomainError
from studyapp.db import get_session
from studyapp.migrate import exclusive

banks_cli = AppGroup("banks", help="Check and load the question banks in questions/.")


def _app_or_none() -> Flask | None:
    """The current app, or the one `flask` would load, or None when there is none."""
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    ctx = click.get_current_context(silent=True)
    info = ctx.find_object(ScriptInfo) if ctx is not None else None
    if info is None:
        return None
    try:
        return info.load_app()
    except NoAppException:
        return None


def default_questions_dir() -> Path:
    """The app's QUESTIONS_DIR when an app is available, else ./questions."""
    app = _app_or_none()
    configured = app.config.get("QUESTIONS_DIR") if app is not None else None
    return Path(configured) if configured else Path("questions")


def _readings_path(paths: tuple[Path, ...], default_dir: Path) -> Path:
    """readings.yaml beside the first path given, else in the questions directory."""
    if paths:
        first = paths[0] if paths[0].is_dir() else paths[0].parent
        if (first / READINGS_FILE).is_file():
            return first / READINGS_FILE
    return default_dir / READINGS_FILE


def _format(issue: Issue) -> str:
    """file:line: [warning: |note: ]question 'id': message."""
    prefix = "" if issue.is_error else f"{issue.severity}: "
    return f"{issue.path}:{issue.line}: {prefix}{issue.describe()}"


def _summary(files: int, errors: int, warnings: int) -> str:
    """'7 file(s): 0 errors, 2 warnings' (notes are not counted)."""
    return f"{files} file(s): {errors} errors, {warnings} warnings"


@banks_cli.command("check", with_appcontext=False)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--readings",
    "readings_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The readings file (default: readings.yaml in the questions directory).",
)
def check_command(paths: tuple[Path, ...], readings_file: Path | None) -> None:
    """Check bank files (default: the questions directory) and report every problem.

    Exits with status 1 when any file has an error, so it can guard CI.
    """
    default_dir = default_questions_dir()
    readings_file = readings_file or _readings_path(paths, default_dir)
    readings, reading_issues = load_readings(readings_file)
    results = load_banks(paths or default_dir, readings)
    # Readings first: their problems explain many of the source errors that follow.
    issues = reading_issues + [
        i for r in results for i in sorted((*r.errors, *r.warnings, *r.notes), key=lambda i: i.line)
    ]
    for issue in issues:
        click.echo(_format(issue))
    errors = sum(1 for i in issues if i.is_error)
    warnings = sum(1 for i in issues if i.severity == "warning")
    click.echo(_summary(len(results), errors, warnings))
    if errors:
        raise SystemExit(1)


def sync_from_files(app: Flask) -> SyncReport:

    session = get_session()
    report = sync_banks(session, Path(app.config["QUESTIONS_DIR"]))
    session.commit()
    return report


def sync_on_start(app: Flask) -> None:
    """Load changed bank files when the app starts; problems go to the log and the bank page."""
    with app.app_context(), exclusive(app.extensions["studyapp.engine"]):
        report = sync_from_files(app)
    for line in report.errors:
        app.logger.warning("bank file problem: %s", line)


@banks_cli.command("sync")
def sync_command() -> None:
    """Load the bank files into the database (new versions for changed questions)."""
    report = sync_from_files(current_app)
    for line in (*report.errors, *report.warnings):
        click.echo(line)
    click.echo(
        f"{report.banks} bank(s) loaded, {report.unchanged_files} unchanged file(s); "
        f"{report.created} new question(s), {report.new_versions} new version(s), "
        f"{report.retired} retired; {len(report.errors)} error(s)"
    )
    if report.errors:
        raise SystemExit(1)


_EXPORTS = {
    "gift": "export_bank_gift",
    "moodle-xml": "export_bank_moodle_xml",
    "yaml": "export_bank_yaml",
}


@banks_cli.command("export")
@click.argument("bank")
@click.option(
    "--format", "fmt", type=click.Choice(list(_EXPORTS)), default="gift", show_default=True
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path))
def export_command(bank: str, fmt: str, output: Path | None) -> None:
    """Write bank BANK (its id) as GIFT or Moodle XML, to a file or to standard output."""
    try:
        row = services.get_bank_by_slug(get_session(), bank)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    text = getattr(services, _EXPORTS[fmt])(row)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}", err=True)


@banks_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--id", "bank_id", help="Id of the new bank (default: from the file name).")
@click.option("--title", help="Title of the new bank (default: the file's, or its id).")
def import_command(file: Path, bank_id: str | None, title: str | None) -> None:
    """Import FILE: the bank format (.yaml), Moodle XML (.xml) or GIFT (.gift, .txt)."""
    session = get_session()
    bank_id = bank_id or slug(file.name.split(".")[0])
    try:
        bank, notes = services.import_upload(
            session,
            file.read_bytes(),
            file.name,
            None,
            bank_id=bank_id,
            title=title or (None if file.suffix.lower() == ".xml" else bank_id),
            max_bytes=services.MAX_UPLOAD_BYTES,
        )
    except services.BankInvalid as exc:
        session.rollback()
        for line in (*exc.notes, *map(str, exc.issues)):
            click.echo(line, err=True)
        raise SystemExit(1) from None
    except DomainError as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from None
    session.commit()
    for note in notes:
        click.echo(note)
    click.echo(f"Imported bank '{bank.slug}' ({len(bank.questions)} question(s)).")


@banks_cli.command("write")
@click.argument("slugs", nargs=-1)
def write_command(slugs: tuple[str, ...]) -> None:
    """Write banks edited in the browser back into their files (default: every bank behind).

    Questions that did not change keep their lines and comments; review the diff and commit.
    """
    session = get_session()
    try:
        written = write_banks(session, Path(current_app.config["QUESTIONS_DIR"]), slugs)
    except DomainError as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from None
    session.commit()
    for plan in written:
        parts = [
            f"{len(names)} {what}"
            for what, names in (
                ("changed", plan.changed),
                ("added", plan.added),
                ("removed", plan.removed),
            )
            if names
        ]
        new = " (new file)" if plan.is_new else ""
        click.echo(f"wrote {plan.path}{new}: {', '.join(parts) or 'no question changes'}")
    click.echo(f"{len(written)} file(s) written")


readings_cli = AppGroup("readings", help="Load the texts of the readings the banks cite.")


@readings_cli.command("add")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--id", "reading_id", help="Reading id (default: from the file name).")
def add_reading_command(file: Path, reading_id: str | None) -> None:
    """Store FILE's paragraphs (blank-line separated, numbered ¶1...) as a reading's text."""
    session = get_session()
    sync_from_files(current_app)
    known = [r.id for r in list_readings(session)]
    reading_id = reading_id or next((r for r in known if file.stem.startswith(r)), None)
    if reading_id is None:
        raise click.ClickException(f"Name the reading with --id (one of: {', '.join(known)}).")
    try:
        reading = load_reading_text(session, reading_id, file.read_bytes())
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    session.commit()
    click.echo(f"{reading.id}: loaded {len(reading.paragraphs)} paragraphs of '{reading.title}'")
