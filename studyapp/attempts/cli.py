"""`flask attempts sweep`: close and grade every attempt whose time is up."""

import click
from flask.cli import AppGroup

from studyapp.attempts.services import close_expired
from studyapp.core.clock import utcnow
from studyapp.db import get_session

attempts_cli = AppGroup("attempts", help="Attempt maintenance.")


@attempts_cli.command("sweep")
def sweep_command() -> None:
    """Grade open attempts past their deadline (run it from cron every minute)."""
    session = get_session()
    closed = close_expired(session, utcnow())
    session.commit()
    click.echo(f"{closed} attempt(s) closed and graded")
