"""Forms for banks, the question editor, uploads and readings."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp

from studyapp.banks.schema import SLUG_PATTERN


class QuestionForm(FlaskForm):
    text = TextAreaField("Question (bank format)", validators=[DataRequired(), Length(max=100_000)])
    # The version the editor opened, so a save over someone else's newer one is refused.
    base_version = HiddenField(validators=[Optional(), Regexp(r"^\d{1,9}$")])


class NewBankForm(FlaskForm):
    slug = StringField(
        "Bank id",
        validators=[
            DataRequired(),
            Length(max=100),
            Regexp(
                f"^{SLUG_PATTERN}$",
                message="Use lowercase letters, digits and hyphens, e.g. 'idlib-2019'.",
            ),
        ],
        description="Stable id used in files and reports; it cannot change later.",
    )
    title = StringField("Title", validators=[DataRequired(), Length(max=300)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    source = StringField(
        "Default reading id",
        validators=[Optional(), Length(max=64)],
        description="For example 'aras'; questions may then cite just '¶6'.",
    )


class ImportForm(FlaskForm):
    file = FileField(
        "Bank file (.yaml, Moodle XML .xml, or GIFT .txt/.gift)", validators=[FileRequired()]
    )
    bank_id = StringField(
        "Bank id for a GIFT or Moodle XML file",
        validators=[Optional(), Length(max=100), Regexp(f"^{SLUG_PATTERN}$")],
    )
    title = StringField(
        "Title for a GIFT or Moodle XML file", validators=[Optional(), Length(max=300)]
    )


class ReadingTextForm(FlaskForm):
    reading = SelectField("Reading", validators=[DataRequired()])
    file = FileField(
        "Text file (UTF-8; paragraphs separated by blank lines)", validators=[FileRequired()]
    )


class ShareForm(FlaskForm):
    """Which of the owner's classes share a bank, and whether every instructor may use it."""

    course_id = SelectMultipleField("Classes", coerce=int, validate_choice=False)
    site_wide = BooleanField("Every instructor may see it and use it in quizzes")
