"""The override / excuse form."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class OverrideForm(FlaskForm):
    points = DecimalField(
        "Points (empty: use the attempts)",
        places=2,
        validators=[Optional(), NumberRange(0, 10_000)],
    )
    excused = BooleanField("Excuse the student from this quiz")
    reason = StringField(
        "Reason (kept in the history)", validators=[DataRequired(), Length(max=500)]
    )
