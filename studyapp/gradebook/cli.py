"""`flask export grades CLASS > grades.csv`."""

import sys

import click
from flask.cli import AppGroup

from studyapp.classes.models import Course
from studyapp.core.clock import utcnow
from studyapp.db import get_session
from studyapp.gradebook import export

export_cli = AppGroup("export", help="Write grades as CSV to standard output.")


@export_cli.command("grades")
@click.argument("course_id", type=int)
@click.option(
    "--preset",
    type=click.Choice(export.GRADEBOOK_PRESETS),
    default="standard",
    show_default=True,
    help="Column layout (see the README).",
)
def export_grades(course_id: int, preset: str) -> None:
    """Write the gradebook of class COURSE_ID (its number in the class page's address)."""
    session = get_session()
    course = session.get(Course, course_id)
    if course is None:
        raise click.ClickException(f"No class {course_id}.")
    for line in export.gradebook_table(session, course, utcnow(), preset).lines():
        sys.stdout.write(line)
