"""`flask lti ...`: rotate the signing key, send queued grades."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from studyapp.core.clock import utcnow
from studyapp.db import get_session
from studyapp.lti import ags, keys

lti_cli = AppGroup("lti", help="LTI 1.3: keys and grade passback.")


@lti_cli.command("rotate-key")
def rotate_key_command() -> None:
    """Make a new signing key; the old one stays published until its tokens expire."""
    session = get_session()
    key = keys.rotate_key(session, utcnow())
    session.commit()
    click.echo(
        f"New signing key {key.kid}; the previous one stays in the key set for "
        f"{int(keys.RETIRED_KEY_KEPT.total_seconds() // 60)} minutes."
    )


@lti_cli.command("send-grades")
def send_grades_command() -> None:
    """Send the grades waiting in the outbox (failures retry later with backoff)."""
    session = get_session()
    counts = ags.send_due(session, utcnow())
    session.commit()
    click.echo(f"{counts['sent']} sent, {counts['retry']} to retry, {counts['failed']} failed")
