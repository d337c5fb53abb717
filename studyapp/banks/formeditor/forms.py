"""The form editor's WTForms class: it carries the CSRF token and the one-line fields.

The rows (choices, items, pairs...) vary in number per question, so `mapping` reads them
from the posted names; this class checks only lengths, like every form's field validators.
"""

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import Length, Optional


class QuestionFieldsForm(FlaskForm):
    """CSRF, the version the editor started from, and the answer to try."""

    base_version = HiddenField(validators=[Optional()])
    trial = StringField("Try an answer", validators=[Optional(), Length(max=500)])
