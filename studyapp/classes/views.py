"""Pages for classes: home, creating and managing a class, joining, rosters."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from studyapp.attempts.listings import student_quizzes
from studyapp.auth import lockout
from studyapp.auth.access import instructor_required, student_required
from studyapp.auth.forms import ConfirmForm, SetPasswordForm
from studyapp.auth.models import TokenPurpose
from studyapp.classes import invitations, services
from studyapp.classes.forms import CoInstructorForm, CourseForm, JoinForm, RosterForm, SignupForm
from studyapp.classes.models import Course
from studyapp.core.clock import utcnow
from studyapp.core.csvfile import csv_response
from studyapp.core.errors import DomainError, InvalidToken, NotFound, RosterError, UnknownJoinCode
from studyapp.core.uploads import read_upload
from studyapp.db import get_session
from studyapp.quizzes.services import list_quizzes

bp = Blueprint("classes", __name__)


def _taught(course_id: int) -> Course:
    try:
        return services.get_taught_course(get_session(), course_id, current_user)
    except NotFound:
        abort(404)


@bp.get("/")
def index():
    """Each user's home: the classes they teach or attend."""
    session = get_session()
    if current_user.is_instructor:
        courses = services.list_courses_taught(session, current_user)
        return render_template("classes/instructor_home.html", courses=courses)
    enrollments = services.list_enrollments_of(session, current_user)
    quizzes = student_quizzes(session, current_user, utcnow())
    session.commit()  # attempts whose time ran out were just graded
    return render_template(
        "classes/student_home.html",
        enrollments=enrollments,
        quizzes=quizzes,
        pending=invitations.list_pending_invitations(session, current_user),
        form=JoinForm(),
        action_form=ConfirmForm(),
    )


@bp.route("/teach/classes/new", methods=["GET", "POST"])
@instructor_required
def create():
    form = CourseForm()
    if form.validate_on_submit():
        session = get_session()
        course = services.create_course(
            session, current_user, name=form.name.data, term=form.term.data
        )
        session.commit()
        flash(f"Class created. Students join with the code {course.join_code}.", "success")
        return redirect(url_for("classes.manage", course_id=course.id))
    return render_template("classes/create.html", form=form)


@bp.get("/teach/classes/<int:course_id>")
@instructor_required
def manage(course_id: int):
    """The instructor's page for one class: join code, roster, co-instructors."""
    session = get_session()
    course = _taught(course_id)
    return render_template(
        "classes/manage.html",
        course=course,
        roster=services.list_roster(session, course),
        invited=invitations.list_course_invitations(session, course),
        instructors=services.list_course_instructors(session, course),
        quizzes=list_quizzes(session, course.id),
        co_form=CoInstructorForm(),
        action_form=ConfirmForm(),
    )


@bp.post("/teach/classes/<int:course_id>/join-code")
@instructor_required
def rotate_code(course_id: int):
    course = _taught(course_id)
    code = services.rotate_join_code(get_session(), course)
    get_session().commit()
    flash(f"New join code: {code}. The old code no longer works.", "success")
    return redirect(url_for("classes.manage", course_id=course.id))


@bp.post("/teach/classes/<int:course_id>/join-code/<any(enable, disable):state>")
@instructor_required
def toggle_join(course_id: int, state: str):
    course = _taught(course_id)
    services.set_join_enabled(get_session(), course, state == "enable")
    get_session().commit()
    flash("Joining is open." if course.join_enabled else "Joining is closed.", "info")
    return redirect(url_for("classes.manage", course_id=course.id))


@bp.post("/teach/classes/<int:course_id>/instructors")
@instructor_required
def add_instructor(course_id: int):
    course = _taught(course_id)
    form = CoInstructorForm()
    if form.validate_on_submit():
        try:
            user = services.add_co_instructor(get_session(), course, form.email.data)
        except DomainError as exc:
            flash(str(exc), "error")
        else:
            get_session().commit()
            flash(f"{user.name} now teaches this class too.", "success")
    else:
        flash("Enter the email of an instructor account.", "error")
    return redirect(url_for("classes.manage", course_id=course.id))


@bp.post("/teach/classes/<int:course_id>/students/<int:user_id>/<any(drop, readd):action>")
@instructor_required
def change_enrollment(course_id: int, user_id: int, action: str):
    """Drop a student (their work is kept) or bring them back."""
    course = _taught(course_id)
    change = services.drop_student if action == "drop" else services.readd_student
    try:
        enrollment = change(get_session(), course, user_id)
    except NotFound:
        abort(404)
    get_session().commit()
    verb = "dropped from" if action == "drop" else "back in"
    flash(f"{enrollment.user.name} is {verb} this class.", "info")
    return redirect(url_for("classes.manage", course_id=course.id))


@bp.post("/teach/classes/<int:course_id>/students/<int:user_id>/password-link")
@instructor_required
def password_link(course_id: int, user_id: int):
    """Make a one-time password link for a student, to hand over."""
    course = _taught(course_id)
    try:
        student, purpose, raw = services.create_reset_link(
            get_session(), course, current_user, user_id, current_app.config["RESET_TOKEN_TTL"]
        )
    except NotFound:
        abort(404)
    except DomainError as exc:
        get_session().commit()  # the refusal is logged
        flash(str(exc), "error")
        return redirect(url_for("classes.manage", course_id=course.id))
    get_session().commit()
    endpoint = "auth.reset" if purpose is TokenPurpose.RESET else "auth.activate"
    link = url_for(endpoint, token=raw, _external=True)
    return render_template("classes/password_link.html", course=course, student=student, link=link)


@bp.route("/teach/classes/<int:course_id>/roster", methods=["GET", "POST"])
@instructor_required
def roster(course_id: int):
    """Upload a roster CSV: every row is invited; nothing is written unless every row is valid."""
    course = _taught(course_id)
    form = RosterForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            result = _import_roster(course, form)
        except RosterError as exc:
            get_session().rollback()
            problems = exc.problems
        else:
            return render_template(
                "classes/roster_done.html", course=course, result=result, action_form=ConfirmForm()
            )
    page = render_template("classes/roster.html", course=course, form=form, problems=problems)
    return page, 400 if problems else 200


def _import_roster(course: Course, form: RosterForm) -> invitations.RosterImport:
    """The uploaded roster imported under this site's size limits."""
    session = get_session()
    limit = current_app.config["ROSTER_MAX_BYTES"]
    # Committed chunk by chunk, after the whole file has been checked: a large roster must not
    # hold the database (on SQLite: every writer) for its length.
    return invitations.import_roster(
        session,
        course,
        current_user,
        read_upload(form.file.data, limit),
        max_bytes=limit,
        max_rows=current_app.config["ROSTER_MAX_ROWS"],
        end_chunk=session.commit,
    )


@bp.post("/teach/classes/<int:course_id>/roster/invitation-links.csv")
@instructor_required
def invitation_links(course_id: int):
    """Download a fresh one-time class link for every invitation not yet answered."""
    course = _taught(course_id)
    session = get_session()
    links = invitations.make_invitation_links(
        session, course, current_user, current_app.config["ACTIVATION_TOKEN_TTL"]
    )
    session.commit()
    rows = [
        (i.email, i.name, i.student_number, url_for("classes.invite", token=raw, _external=True))
        for i, raw in links
    ]
    header = ("email", "name", "student_id", "class_link")
    return csv_response(f"class-links-class-{course.id}.csv", header, rows)


@bp.route("/invite/<token>", methods=["GET", "POST"])
def invite(token: str):
    """A class link: newcomers choose a password; everyone then logs in to accept."""
    session = get_session()
    try:
        invitation = invitations.find_invitation_link(session, token, utcnow())
    except InvalidToken as exc:
        return render_template("auth/link_invalid.html", message=str(exc)), 404
    if current_user.is_authenticated:
        try:
            invitations.check_invitation_owner(invitation, current_user)
        except DomainError as exc:
            return render_template("auth/link_invalid.html", message=str(exc)), 403
        return redirect(url_for("classes.invitations_page"))
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            invitations.use_invitation_link(session, token, form.password.data, request.remote_addr)
        except InvalidToken as exc:
            session.rollback()
            return render_template("auth/link_invalid.html", message=str(exc)), 404
        session.commit()
        # The same answer whether the account was just created or already existed.
        flash(f"Now log in as {invitation.email} to accept the invitation.", "info")
        return redirect(url_for("auth.login", email=invitation.email))
    return render_template("classes/invite.html", form=form, invitation=invitation)


@bp.get("/invitations")
@student_required
def invitations_page():
    """The classes that invited this student, to accept or decline."""
    pending = invitations.list_pending_invitations(get_session(), current_user)
    return render_template("classes/invitations.html", pending=pending, form=ConfirmForm())


@bp.post("/invitations/<int:invitation_id>/<any(accept, decline):answer>")
@student_required
def answer_invitation(invitation_id: int, answer: str):
    """Accept (join the class) or decline an invitation of one's own."""
    session = get_session()
    try:
        invitation = invitations.answer_invitation(
            session, current_user, invitation_id, answer == "accept"
        )
    except NotFound:
        abort(404)
    session.commit()
    name = invitation.course.name
    flash(f"You joined {name}." if answer == "accept" else f"You declined {name}.", "info")
    return redirect(url_for("classes.invitations_page"))


@bp.get("/classes/<int:course_id>")
@student_required
def show(course_id: int):
    """A student's page for one of their classes."""
    try:
        course = services.get_attended_course(get_session(), course_id, current_user)
    except NotFound:
        abort(404)
    entries = student_quizzes(get_session(), current_user, utcnow()).get(course.id, [])
    get_session().commit()
    return render_template("classes/show.html", course=course, entries=entries)


#: Said the same way whether the address was new or had an account already.
SIGNED_UP = (
    "Log in as {email} to open {course}. If this address already had an account, use its "
    "password and join with the code."
)


@bp.route("/join", methods=["GET", "POST"])
def join():
    """Join a class with its code; visitors without an account sign up here."""
    if current_user.is_authenticated:
        return _join_logged_in()
    form = SignupForm()
    if form.validate_on_submit():
        if (wait := lockout.join_wait(request.remote_addr or "")) is not None:
            form.code.errors = [f"Too many wrong join codes. Try again in {wait} seconds."]
            return render_template("classes/signup.html", form=form), 429
        session = get_session()
        try:
            user, course = services.sign_up_with_code(session, form.code.data, **form.account())
        except DomainError as exc:
            session.rollback()
            _count_join_failure(exc)
            field = form.code if "code" in str(exc) else form.email
            field.errors = [*field.errors, str(exc)]
        else:
            session.commit()
            email = form.email.data.strip()
            flash(SIGNED_UP.format(email=email, course=course.name), "info")
            return redirect(url_for("auth.login", email=email))
    return render_template("classes/signup.html", form=form)


def _count_join_failure(exc: DomainError) -> None:
    # Only codes that open no class count: a hall of students joining is never throttled.
    if isinstance(exc, UnknownJoinCode):
        lockout.record_join_failure(request.remote_addr or "")


def _join_logged_in():
    form = JoinForm()
    if form.validate_on_submit():
        if (wait := lockout.join_wait(request.remote_addr or "")) is not None:
            flash(f"Too many wrong join codes. Try again in {wait} seconds.", "error")
            return render_template("classes/join.html", form=form), 429
        session = get_session()
        try:
            course = services.join_with_code(session, form.code.data, current_user)
        except DomainError as exc:
            session.rollback()
            _count_join_failure(exc)
            flash(str(exc), "error")
        else:
            session.commit()
            flash(f"You joined {course.name}.", "success")
        return redirect(url_for("classes.index"))
    return render_template("classes/join.html", form=form)
