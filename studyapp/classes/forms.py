"""Forms for classes, joining and rosters."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, HiddenField, StringField
from wtforms.validators import DataRequired, Length

from studyapp.auth.forms import password_fields, valid_email


class CourseForm(FlaskForm):
    name = StringField("Class name", validators=[DataRequired(), Length(max=200)])
    term = StringField("Term", validators=[Length(max=100)], description="For example: Spring 2027")


class CoInstructorForm(FlaskForm):
    email = EmailField("Instructor's email", validators=[DataRequired(), valid_email])


class JoinForm(FlaskForm):
    code = StringField("Join code", validators=[DataRequired(), Length(max=32)])


class SignupForm(FlaskForm):
    code = StringField("Join code", validators=[DataRequired(), Length(max=32)])
    name = StringField("Your name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("Email", validators=[DataRequired(), valid_email, Length(max=254)])
    password, confirm = password_fields()
    #: Filled in by the page's script from the browser's own setting.
    timezone = HiddenField(render_kw={"data-detect-timezone": ""})

    def account(self) -> dict[str, str | None]:
        """The new account as ``sign_up_with_code`` takes it."""
        return {name: self[name].data for name in ("email", "name", "password", "timezone")}


class RosterForm(FlaskForm):
    file = FileField("Roster file (CSV)", validators=[FileRequired("Choose a CSV file.")])
