"""Forms for logging in and for setting passwords."""

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from studyapp.auth.services import is_valid_email, normalize_email


def _min_length(_form, field) -> None:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(field.data or "") < minimum:
        raise ValidationError(f"Use at least {minimum} characters.")


def valid_email(_form, field) -> None:
    """Shape only; whether the address is taken is the services' business."""
    if not is_valid_email(normalize_email(field.data or "")):
        raise ValidationError("Enter an email address like name@school.edu.")


def password_fields():
    password = PasswordField(
        "New password", validators=[DataRequired(), _min_length, Length(max=200)]
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )
    return password, confirm


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me logged in on this device")


class SetPasswordForm(FlaskForm):
    password, confirm = password_fields()


class SetupForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("Email", validators=[DataRequired(), valid_email, Length(max=254)])
    password, confirm = password_fields()

    def account(self) -> dict[str, str]:
        """The first instructor's account as ``complete_setup`` takes it."""
        return {name: self[name].data for name in ("email", "name", "password")}


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    password, confirm = password_fields()


class CreateInstructorForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("Email", validators=[DataRequired(), valid_email, Length(max=254)])

    def account(self) -> dict[str, str]:
        """The new instructor as ``create_instructor`` takes it."""
        return {name: self[name].data for name in ("email", "name")}


class TimezoneForm(FlaskForm):
    timezone = SelectField(
        "Your time zone",
        validators=[DataRequired()],
        description="Due times and deadlines are shown in this zone.",
    )


class ConfirmForm(FlaskForm):
    """An empty form: a POST button that carries the CSRF token."""
