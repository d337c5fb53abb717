"""The override / excuse form."""

from __future__ import annotations

from typing import Any

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

    def override(self) -> dict[str, Any]:
        """The change as ``set_override`` takes it: points (None: use the attempts), whether
        excused, and the reason."""
        points = float(self.points.data) if self.points.data is not None else None
        return {"points": points, "excused": self.excused.data, "reason": self.reason.data}
