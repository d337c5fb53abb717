"""Forms for building quizzes and granting accommodations."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from studyapp.quizzes.models import GradingPolicy, Layout, ReviewContent, ReviewTiming

FORMAT = "%Y-%m-%dT%H:%M"


class NewQuizForm(FlaskForm):
    title = StringField("Quiz title", validators=[DataRequired(), Length(max=200)])


class QuizSettingsForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(
        "Instructions for students", validators=[Optional(), Length(max=5000)]
    )
    opens_at = DateTimeLocalField(
        "Opens",
        format=FORMAT,
        validators=[Optional()],
        description="Leave empty to open as soon as it is published.",
    )
    closes_at = DateTimeLocalField(
        "Closes",
        format=FORMAT,
        validators=[Optional()],
        description="Leave empty for no close time.",
    )
    time_limit_minutes = IntegerField(
        "Time limit (minutes)",
        validators=[Optional(), NumberRange(1, 1440)],
        description="Leave empty for an untimed quiz.",
    )
    attempts_allowed = IntegerField(
        "Attempts allowed",
        default=1,
        validators=[NumberRange(0, 100)],
        description="0 for unlimited.",
    )
    grading_policy = SelectField(
        "Grade kept",
        choices={
            GradingPolicy.HIGHEST.value: "Highest attempt",
            GradingPolicy.LAST.value: "Last attempt",
            GradingPolicy.FIRST.value: "First attempt",
            GradingPolicy.AVERAGE.value: "Average of attempts",
        },
    )
    shuffle_questions = BooleanField("Shuffle question order for each attempt")
    shuffle_choices = BooleanField("Shuffle choices within questions", default=True)
    layout = SelectField(
        "Layout",
        choices={
            Layout.PAGED.value: "One question per page",
            Layout.ONE_PAGE.value: "All questions on one page",
        },
    )
    review_content = SelectField(
        "After the attempt, students see",
        choices={
            ReviewContent.SCORE.value: "Their score only",
            ReviewContent.ANSWERS.value: "Score and correct answers",
            ReviewContent.FULL.value: "Full feedback: answers, explanations and sources",
        },
    )
    review_timing = SelectField(
        "…shown",
        choices={
            ReviewTiming.IMMEDIATELY.value: "Immediately after submitting",
            ReviewTiming.AFTER_CLOSE.value: "After the quiz closes",
            ReviewTiming.NEVER.value: "Never",
        },
    )


class FixedItemForm(FlaskForm):
    question = SelectField("Question", validators=[DataRequired()])
    points = DecimalField("Points", default=1, places=2, validators=[NumberRange(0.01, 1000)])
    confirm = BooleanField("Apply to new attempts (students who started keep their questions)")


class DrawItemForm(FlaskForm):
    bank = SelectField("Bank", validators=[DataRequired()])
    tag = StringField("Only questions tagged (optional)", validators=[Optional(), Length(max=100)])
    count = IntegerField("How many questions", default=5, validators=[NumberRange(1, 200)])
    points = DecimalField("Points each", default=1, places=2, validators=[NumberRange(0.01, 1000)])
    confirm = BooleanField("Apply to new attempts (students who started keep their questions)")


class RemoveItemForm(FlaskForm):
    confirm = BooleanField("Apply to new attempts")


class AccommodationForm(FlaskForm):
    extra_time_percent = IntegerField(
        "Extra time (%)",
        validators=[Optional(), NumberRange(0, 400)],
        description="Replaces the class profile for this quiz.",
    )
    extra_time_minutes = IntegerField(
        "Extra minutes", default=0, validators=[Optional(), NumberRange(0, 1440)]
    )
    closes_at = DateTimeLocalField("Later close time", format=FORMAT, validators=[Optional()])
    extra_attempts = IntegerField(
        "Extra attempts", default=0, validators=[Optional(), NumberRange(0, 50)]
    )
    note = StringField("Note (seen by instructors only)", validators=[Optional(), Length(max=500)])


class ProfileForm(FlaskForm):
    extra_time_percent = IntegerField(
        "Extra time on every timed quiz (%)", validators=[NumberRange(0, 400)]
    )


class EssayGradeForm(FlaskForm):
    points = DecimalField("Points", places=2, validators=[NumberRange(0, 1000)])
    comment = TextAreaField("Comment for the student", validators=[Optional(), Length(max=5000)])


class RegradeForm(FlaskForm):
    reason = StringField(
        "Why (kept in the score history)", validators=[DataRequired(), Length(max=300)]
    )


class PickerSearchForm(FlaskForm):
    """The picker's search and filters, sent by GET so a search can be bookmarked."""

    class Meta:
        csrf = False

    q = StringField("Words of the prompt or choices", validators=[Optional(), Length(max=200)])
    bank = SelectField("Bank", coerce=str, validators=[Optional()])
    tag = SelectField("Tag", validators=[Optional()])
    type = SelectField("Type", validators=[Optional()])
    difficulty = SelectField("Difficulty", validators=[Optional()])
    reading = SelectField("Reading", validators=[Optional()])
    paragraph = IntegerField("Paragraph", validators=[Optional(), NumberRange(1, 999)])
    not_in_quiz = BooleanField("Not yet in this quiz")
    used_elsewhere = BooleanField("Used in other quizzes")
    page = IntegerField("Page", default=1, validators=[Optional(), NumberRange(1, 100000)])


class AddQuestionsForm(FlaskForm):
    """Several ticked questions added at once, each worth ``points``."""

    question_id = SelectMultipleField("Questions", coerce=int, validate_choice=False)
    points = DecimalField("Points each", default=1, places=2, validators=[NumberRange(0.01, 1000)])
    confirm = BooleanField("Apply to new attempts (students who started keep their questions)")
