"""A consistent copy of a live SQLite database, taken with SQLite's online backup API."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext


def backup_sqlite(database: str, target: Path, pages_per_step: int = 1024) -> Path:
    """Copy ``database`` to ``target`` while the app keeps writing (each step is consistent)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    dest = sqlite3.connect(target)
    try:
        # Copying in steps lets writers in between; SQLite restarts the copy if a page it
        # already copied changes, so the result is one moment's state.
        source.backup(dest, pages=pages_per_step)
    finally:
        dest.close()
        source.close()
    return target


@click.command("backup")
@click.argument("target", required=False, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(target: Path | None) -> None:
    """Write a consistent copy of the SQLite database (default: instance/backups/<time>.sqlite3)."""
    engine = current_app.extensions["studyapp.engine"]
    if engine.dialect.name != "sqlite":
        raise click.ClickException(
            "This database is PostgreSQL: back it up with pg_dump (see the README)."
        )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = target or Path(current_app.instance_path) / "backups" / f"studyapp-{stamp}.sqlite3"
    try:
        written = backup_sqlite(engine.url.database, target)
    except sqlite3.Error as exc:
        raise click.ClickException(f"Backup failed: {exc}") from None
    click.echo(str(written))
