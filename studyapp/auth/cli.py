"""Console commands: the first-run setup link and the demo class."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from studyapp.auth import services
from studyapp.auth.models import TokenPurpose
from studyapp.core.clock import utcnow
from studyapp.db import get_session


def new_setup_link(app: Flask) -> str | None:
    """A fresh one-time setup URL, or None once an instructor exists."""
    session = get_session()
    if services.instructor_exists(session):
        return None
    raw = services.issue_token(session, TokenPurpose.SETUP, app.config["SETUP_TOKEN_TTL"])
    session.commit()
    return f"{app.config['PUBLIC_URL'].rstrip('/')}/setup/{raw}"


def announce_setup_link(app: Flask) -> None:
    """Print the setup link on start while the site has no instructor, from one worker only.

    Every gunicorn worker of every server builds the app; the one that claims the announcement
    in the database prints it, and the claim lasts as long as the link, so a restart within
    that time stays quiet (``flask setup-link`` prints a fresh link at any time).
    """
    session = get_session()
    if services.instructor_exists(session):
        return
    ttl = app.config["SETUP_TOKEN_TTL"]
    if not services.claim_startup_job(session, "setup-link", utcnow(), ttl):
        session.rollback()
        return
    link = new_setup_link(app)
    if link:
        click.echo(
            "\n  No instructor account exists yet. Open this one-time link to create the first"
            " one\n"
            f"  (it expires in {ttl}):\n\n    {link}\n",
            err=True,
        )


@click.command("setup-link")
@with_appcontext
def setup_link_command() -> None:
    """Print a new one-time link that creates the first instructor."""
    link = new_setup_link(current_app)
    if link is None:
        raise click.ClickException("An instructor already exists; log in instead.")
    click.echo(link)


@click.command("demo")
@click.option("--students", default=30, show_default=True, help="How many demo students.")
@with_appcontext
def demo_command(students: int) -> None:
    """Seed a demo class and print its logins (new random passwords on every run)."""
    from studyapp.banks.cli import sync_from_files
    from studyapp.demo import seed_demo

    sync_from_files(current_app)
    session = get_session()
    course, creds = seed_demo(session, students)
    session.commit()
    click.echo(f"Demo class '{course.name}' (join code {course.join_code}). Logins:")
    for c in creds:
        click.echo(f"  {c.role:<10} {c.email:<38} {c.password}   {c.name}")
