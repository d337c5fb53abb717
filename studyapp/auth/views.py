"""Login, logout, first-run setup, one-time password links and account settings."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from studyapp.auth import lockout, services
from studyapp.auth.access import admin_required, safe_next
from studyapp.auth.forms import (
    ChangePasswordForm,
    ConfirmForm,
    CreateInstructorForm,
    LoginForm,
    SetPasswordForm,
    SetupForm,
    TimezoneForm,
)
from studyapp.auth.models import TokenPurpose, User
from studyapp.core.errors import DomainError, InvalidToken
from studyapp.core.timezones import all_zones
from studyapp.db import get_session
from studyapp.extensions import login_manager

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Find the user of a login cookie; a session ended by logout or a new password is gone."""
    uid, _, key = user_id.partition(":")
    if not uid.isdigit() or not key:
        return None
    return services.get_session_user(get_session(), int(uid), key)


def log_in(user: User, remember: bool = False) -> None:
    """Open a server-side session for ``user``, commit, and hand the browser its cookie."""
    session = get_session()
    services.start_session(session, user, current_app.config["REMEMBER_COOKIE_DURATION"])
    session.commit()
    login_user(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in; failed tries are throttled per account and address (auth/lockout.py)."""
    if current_user.is_authenticated:
        return redirect(url_for("classes.index"))
    # A class link or sign-up sends the visitor here with their address filled in.
    form = LoginForm(email=request.args.get("email", "")[:254])
    if form.validate_on_submit():
        email, address = services.normalize_email(form.email.data), request.remote_addr or ""
        device = request.cookies.get(lockout.DEVICE_COOKIE)
        wait = lockout.login_wait(email, address, device)
        if wait is not None:
            form.password.errors.append(f"Too many failed logins. Try again in {wait} seconds.")
            return render_template("auth/login.html", form=form), 429
        session = get_session()
        try:
            user = services.authenticate(session, form.email.data, form.password.data)
        except DomainError as exc:
            lockout.record_login_failure(email, address, device)
            form.password.errors.append(str(exc))
        else:
            return _logged_in(user, email, address, device, form.remember.data)
    return render_template("auth/login.html", form=form)


def _logged_in(user: User, email: str, address: str, device: str | None, remember: bool):
    """Start the session and leave the device cookie that keeps this browser the owner's."""
    lockout.record_login_success(email, address, device)
    log_in(user, remember=remember)
    response = redirect(safe_next(request.args.get("next")) or url_for("classes.index"))
    response.set_cookie(
        lockout.DEVICE_COOKIE,
        lockout.device_cookie_for(email),
        max_age=lockout.DEVICE_DAYS * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


@bp.post("/logout")
def logout():
    """End this session on the server too, so a copied cookie no longer works."""
    services.end_session(get_session(), current_user)
    get_session().commit()
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/setup/<token>", methods=["GET", "POST"])
def setup(token: str):
    """Create the first instructor through the link printed on the console."""
    session = get_session()
    try:
        if services.instructor_exists(session):
            raise InvalidToken("This site is already set up. Log in instead.")
        services.peek_token(session, token, TokenPurpose.SETUP)
    except InvalidToken as exc:
        return render_template("auth/link_invalid.html", message=str(exc)), 404
    form = SetupForm()
    if form.validate_on_submit():
        try:
            user = services.complete_setup(session, token, **form.account())
        except DomainError as exc:
            session.rollback()
            flash(str(exc), "error")
        else:
            log_in(user)
            flash("Welcome! Your instructor account is ready. Create your first class.", "success")
            return redirect(url_for("classes.create"))
    return render_template("auth/setup.html", form=form)


def _password_link(token: str, purpose: TokenPurpose, title: str):
    session = get_session()
    try:
        link = services.peek_token(session, token, purpose)
    except InvalidToken as exc:
        return render_template("auth/link_invalid.html", message=str(exc)), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.complete_token_password(
                session, token, purpose, form.password.data, request.remote_addr
            )
        except DomainError as exc:
            session.rollback()
            return render_template("auth/link_invalid.html", message=str(exc)), 404
        logout_user()
        log_in(user)
        flash("Your password is set. You are logged in.", "success")
        return redirect(url_for("classes.index"))
    return render_template("auth/set_password.html", form=form, title=title, account=link.user)


@bp.route("/activate/<token>", methods=["GET", "POST"])
def activate(token: str):
    """Choose a password for an account an instructor created."""
    return _password_link(token, TokenPurpose.ACTIVATION, "Activate your account")


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    """Choose a new password through a link an instructor handed over."""
    return _password_link(token, TokenPurpose.RESET, "Choose a new password")


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    """Change one's own password; other devices are logged out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            services.change_password(session, current_user, form.current.data, form.password.data)
        except DomainError as exc:
            form.current.errors.append(str(exc))
        else:
            # Every session ended with the old password; this device gets a new one.
            log_in(current_user._get_current_object())
            flash("Password changed. Your other sessions have been logged out.", "success")
            return redirect(url_for("classes.index"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
def account():
    """Account settings: the time zone due times are shown in."""
    form = TimezoneForm(timezone=current_user.timezone)
    form.timezone.choices = {z: z for z in all_zones()}
    if form.validate_on_submit():
        services.set_timezone(get_session(), current_user, form.timezone.data)
        get_session().commit()
        flash(f"Times are now shown in {current_user.timezone}.", "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form)


@bp.route("/admin/instructors", methods=["GET", "POST"])
@admin_required
def instructors():
    """Site admins list instructors and create new ones (with an activation link)."""
    session = get_session()
    form = CreateInstructorForm()
    link = None
    if form.validate_on_submit():
        try:
            ttl = current_app.config["ACTIVATION_TOKEN_TTL"]
            raw = services.create_instructor(session, current_user, **form.account(), ttl=ttl)
        except DomainError as exc:
            session.rollback()
            form.email.errors.append(str(exc))
        else:
            session.commit()
            link = url_for("auth.activate", token=raw, _external=True)
            form = CreateInstructorForm(formdata=None)
    return render_template(
        "auth/instructors.html",
        form=form,
        link=link,
        instructors=services.list_instructors(session),
    )


@bp.app_context_processor
def inject_forms():
    """Every page's header has a logout button, which needs a CSRF-carrying form."""
    return {"logout_form": ConfirmForm(formdata=None)}
