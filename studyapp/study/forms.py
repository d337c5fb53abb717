"""Forms for study mode and the class's study settings."""

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, HiddenField, SelectField
from wtforms.validators import DataRequired, Optional

from studyapp.quizzes.forms import FORMAT


class AnswerForm(FlaskForm):
    card_id = HiddenField(validators=[DataRequired()])
    card_version = HiddenField(validators=[DataRequired()])
    version_id = HiddenField(validators=[DataRequired()])


class RateForm(FlaskForm):
    review_id = HiddenField(validators=[DataRequired()])


class ExamForm(FlaskForm):
    exam_at = DateTimeLocalField(
        "Exam date and time",
        format=FORMAT,
        validators=[Optional()],
        description="Study scheduling keeps every card due before it.",
    )


class StudyBankForm(FlaskForm):
    bank = SelectField("Bank to open for study", validators=[DataRequired()])
