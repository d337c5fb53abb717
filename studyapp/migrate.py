"""Run Alembic migrations from the app (on start and from `flask db upgrade`)."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import Engine, text

MIGRATIONS = Path(__file__).parent / "migrations"
# Any constant works; it only has to be the same in every worker.
PG_LOCK_ID = 74_210_001


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


@contextmanager
def exclusive(engine: Engine) -> Iterator[None]:
    """Run start-up work in one worker at a time: workers of one deployment start together."""
    if engine.dialect.name == "sqlite":
        with _file_lock(engine.url.database):
            yield
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": PG_LOCK_ID})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PG_LOCK_ID})
            conn.commit()


@contextmanager
def _file_lock(database: str | None) -> Iterator[None]:
    # SQLite's own locking does not cover "check the schema, then create it" as one step.
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.startup-lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to ``revision``; workers starting together take turns."""
    with exclusive(engine):
        command.upgrade(alembic_config(engine), revision)


db_cli = AppGroup("db", help="Database schema commands.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade_command(revision: str) -> None:
    """Migrate the database schema (default: to the newest revision)."""
    upgrade(current_app.extensions["studyapp.engine"], revision)
    click.echo(f"database at {revision}")


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def revision_command(message: str) -> None:
    """Write a new migration from the difference between models and database."""
    cfg = alembic_config(current_app.extensions["studyapp.engine"])
    command.revision(cfg, message=message, autogenerate=True)
