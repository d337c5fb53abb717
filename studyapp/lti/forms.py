"""Forms of the LTI pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, Optional


class PlatformForm(FlaskForm):
    name = StringField("Name", validators=[Optional(), Length(max=200)])
    issuer = StringField("Issuer", validators=[DataRequired(), Length(max=255)])
    client_id = StringField("Client id", validators=[DataRequired(), Length(max=255)])
    deployment_ids = TextAreaField(
        "Deployment ids", validators=[DataRequired()], description="One per line."
    )
    auth_login_url = StringField(
        "Auth login URL", validators=[DataRequired(), URL(require_tld=False), Length(max=500)]
    )
    token_url = StringField(
        "Token URL", validators=[DataRequired(), URL(require_tld=False), Length(max=500)]
    )
    jwks_url = StringField(
        "Key set URL", validators=[DataRequired(), URL(require_tld=False), Length(max=500)]
    )
    submit = SubmitField("Save platform")


class LinkCourseForm(FlaskForm):
    course = RadioField("Link this LMS course to", validators=[DataRequired()])
    submit = SubmitField("Continue")


class DeepLinkForm(FlaskForm):
    quiz = SelectField("Quiz", validators=[Optional()], coerce=str)
    new_title = StringField("Or a new quiz titled", validators=[Optional(), Length(max=200)])
    submit = SubmitField("Add to the LMS course")


class ActionForm(FlaskForm):
    submit = SubmitField("Go")
