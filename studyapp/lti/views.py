"""LTI endpoints: key set, login initiation, launch, deep linking, and the LMS pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import (
    session as cookie_session,
)
from flask_login import current_user

from studyapp.auth.access import admin_required, instructor_required, safe_next
from studyapp.auth.models import User
from studyapp.auth.views import log_in
from studyapp.classes import services as classes
from studyapp.core.clock import utcnow
from studyapp.core.errors import DomainError, NotFound
from studyapp.db import get_session
from studyapp.extensions import csrf
from studyapp.lti import ags, deeplink, flow, keys, platforms, roster
from studyapp.lti import launch as oidc
from studyapp.lti.forms import ActionForm, DeepLinkForm, LinkCourseForm, PlatformForm
from studyapp.lti.models import Context
from studyapp.lti.platforms import LtiError

bp = Blueprint("lti", __name__)


#: Login, launch and their error pages may be framed by any site: the LMS frames them from
#: its school's own domain (Canvas: school.instructure.com, not the issuer), which is only
#: known once a launch is verified, and they offer nothing to click on a page of theirs.
#: Signed-in pages allow only the origins of the verified launch (flow.frame_origins).
_PRE_SESSION_FRAMING = "*"


def refuse(exc: LtiError, status: int = 400):
    """The clear error page every refused launch gets; the reason is logged, never the token."""
    get_session().rollback()
    current_app.logger.warning("LTI refused: %s", exc)
    # Shown inside whichever LMS framed the launch; the page carries nothing but the reason.
    g.lti_frame = [_PRE_SESSION_FRAMING]
    return render_template("lti/error.html", message=str(exc)), status


def _cookie_args() -> dict:
    cross = current_app.config["LTI_CROSS_SITE_COOKIES"]
    return {"samesite": "None" if cross else "Lax", "secure": cross, "httponly": True}


@bp.get("/lti/jwks")
def jwks():
    """The tool's public key set."""
    session = get_session()
    body = keys.public_key_set(session, utcnow())
    session.commit()
    return jsonify(body)


@bp.route("/lti/login", methods=["GET", "POST"])
@csrf.exempt
def login():
    """OIDC third-party login initiation from the LMS."""
    session = get_session()
    params = request.values.to_dict()
    try:
        start = oidc.start_login(session, params, url_for("lti.launch", _external=True), utcnow())
    except LtiError as exc:
        return refuse(exc)
    session.commit()
    g.lti_frame = [_PRE_SESSION_FRAMING]
    if start.storage_target:
        response = current_app.make_response(
            render_template("lti/storage_put.html", start=start, origin=_origin(start))
        )
    else:
        response = redirect(start.redirect_url)
    response.set_cookie(
        oidc.state_cookie_name(start.state),
        "1",
        max_age=int(oidc.STATE_LIFETIME.total_seconds()),
        **_cookie_args(),
    )
    return response


def _origin(start) -> str:
    parts = urlsplit(start.platform.auth_login_url)
    return f"{parts.scheme}://{parts.netloc}"


@bp.post("/lti/launch")
@csrf.exempt
def launch():
    """The LMS posts the id token here; every check runs before anything is trusted."""
    session = get_session()
    raw_state = request.form.get("state", "")
    has_cookie = request.cookies.get(oidc.state_cookie_name(raw_state)) == "1"
    try:
        verified = oidc.verify_launch(
            session, request.form.get("id_token", ""), raw_state, has_cookie, utcnow()
        )
        g.lti_frame = [_PRE_SESSION_FRAMING]
        if not verified.bound:
            oidc.save_for_storage_check(session, verified)
            session.commit()
            platform = verified.state.platform
            return render_template(
                "lti/storage_get.html",
                state=raw_state,
                target=verified.state.storage_target,
                origin=_origin_of(platform.auth_login_url),
            )
        return _enter(verified.state.platform, verified.claims)
    except LtiError as exc:
        return refuse(exc)


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@bp.post("/lti/launch/confirm")
@csrf.exempt
def confirm():
    """Second half of a launch whose cookie was blocked: the platform storage vouches."""
    session = get_session()
    try:
        platform, data = oidc.confirm_storage(
            session, request.form.get("state", ""), request.form.get("binding", ""), utcnow()
        )
        g.lti_frame = [_PRE_SESSION_FRAMING]
        response = _enter(platform, data)
        raw = oidc.issue_resume_link(
            session, request.form["state"], current_user.id, response.location, utcnow()
        )
        session.commit()
    except LtiError as exc:
        return refuse(exc, 403)
    # This browser dropped our cookie once, so it will likely drop the session cookie too.
    return render_template("lti/continue.html", here=response.location, token=raw)


@bp.get("/lti/resume/<token>")
def resume(token: str):
    """Open a cookie-less launch in a window of our own, signed in once."""
    session = get_session()
    try:
        user_id, path, platform, data = oidc.spend_resume_link(session, token, utcnow())
    except LtiError as exc:
        return refuse(exc, 403)
    pending = flow.resumed_pending(session, platform, data)
    session.commit()
    log_in(session.get(User, user_id))
    cookie_session["lti_platform"] = platform.id
    if pending is not None:
        cookie_session["lti_dl"] = pending
    return redirect(safe_next(path) or url_for("classes.index"))


def _enter(platform, data):
    """Sign the launch's user in and send them where the launch leads."""
    session = get_session()
    outcome = flow.complete_launch(session, platform, data)
    session.commit()
    log_in(outcome.user)
    cookie_session["lti_frame"] = flow.frame_origins(platform, data)
    cookie_session["lti_platform"] = platform.id
    return _go(outcome, data)


def _go(outcome: flow.Outcome, data):
    if outcome.go == "link":
        cookie_session["lti_pending"] = flow.pending_claims(data)
        return redirect(url_for("lti.link_course"))
    if outcome.go == "deep_link":
        cookie_session["lti_dl"] = {"context_id": outcome.context.id, **flow.pending_claims(data)}
        return redirect(url_for("lti.deep_link"))
    if outcome.go == "quiz" and outcome.user.is_instructor:
        return redirect(url_for("quizzes.show", quiz_id=outcome.quiz_id))
    if outcome.go == "quiz":
        return redirect(url_for("attempts.start_page", quiz_id=outcome.quiz_id))
    if outcome.user.is_instructor:
        return redirect(url_for("classes.manage", course_id=outcome.context.course_id))
    return redirect(url_for("classes.show", course_id=outcome.context.course_id))


@bp.route("/lti/link", methods=["GET", "POST"])
@instructor_required
def link_course():
    """An instructor's first launch from an LMS course: link it to a class, or a new one."""
    session = get_session()
    data = cookie_session.get("lti_pending")
    if not data:
        abort(404)
    form = LinkCourseForm()
    taught = classes.list_courses_taught(session, current_user)
    form.course.choices = [("new", "A new class")] + [(str(t.id), t.name) for t in taught]
    if form.validate_on_submit():
        platform = platforms.get_platform(session, cookie_session["lti_platform"])
        chosen = None if form.course.data == "new" else int(form.course.data)
        try:
            outcome = flow.finish_link(session, platform, data, current_user, chosen)
        except (LtiError, NotFound) as exc:
            return refuse(LtiError(str(exc)))
        session.commit()
        cookie_session.pop("lti_pending", None)
        return _go(outcome, data)
    return render_template("lti/link.html", form=form, title=(data.get(flow.c.CONTEXT) or {}))


@bp.route("/lti/deep-link", methods=["GET", "POST"])
@instructor_required
def deep_link():
    """The LMS's "add external tool" dialog: pick or create a quiz, return a resource link."""
    session = get_session()
    data = cookie_session.get("lti_dl") or abort(404)
    context = _own_context(data["context_id"])
    form = DeepLinkForm()
    form.quiz.choices = [("", "(create a new quiz)")] + [
        (str(q.id), q.title) for q in deeplink.quizzes.list_quizzes(session, context.course_id)
    ]
    if not form.validate_on_submit():
        return render_template("lti/deep_link.html", form=form, context=context)
    chosen = int(form.quiz.data) if form.quiz.data else None
    launch_url = url_for("lti.launch", _external=True)
    try:
        token = deeplink.answer(
            session, context, data, chosen, form.new_title.data or "", launch_url, utcnow()
        )
    except (LtiError, NotFound) as exc:
        return refuse(LtiError(str(exc)))
    session.commit()
    cookie_session.pop("lti_dl", None)
    return_url = data[flow.c.DL_SETTINGS]["deep_link_return_url"]
    page = render_template("lti/deep_link_return.html", return_url=return_url, jwt=token)
    return page, {"Content-Security-Policy": _csp_posting_to(return_url)}


def _csp_posting_to(url: str) -> str:
    from studyapp.core.security import CSP

    return CSP.replace("form-action 'self'", f"form-action 'self' {_origin_of(url)}")


def _own_context(context_id: int):
    session = get_session()
    context = session.get(Context, context_id)
    taught = {c.id for c in classes.list_courses_taught(session, current_user)}
    if context is None or context.course_id not in taught:
        abort(404)
    return context


@bp.route("/admin/lti", methods=["GET", "POST"])
@admin_required
def platforms_page():
    """Register LMS platforms; shows the values to paste into the LMS."""
    session = get_session()
    form = PlatformForm()
    if form.validate_on_submit():
        try:
            platforms.register_platform(session, form.data)
        except DomainError as exc:
            session.rollback()
            flash(str(exc), "error")
        else:
            session.commit()
            flash("Platform saved.", "success")
            return redirect(url_for("lti.platforms_page"))
    registered = platforms.list_platforms(session)
    keys.current_key(session, utcnow())
    session.commit()
    return render_template("lti/platforms.html", form=form, platforms=registered)


def _taught(course_id: int):
    try:
        return classes.get_taught_course(get_session(), course_id, current_user)
    except NotFound:
        abort(404)


@bp.get("/teach/classes/<int:course_id>/lms")
@instructor_required
def course_page(course_id: int):
    """The class's LMS links, grade sends (sent, pending, failed with the LMS's error)."""
    session = get_session()
    course = _taught(course_id)
    return render_template(
        "lti/course.html",
        course=course,
        contexts=roster.list_contexts(session, course),
        sends=ags.list_sends(session, course),
        quizzes=deeplink.quizzes.list_quizzes(session, course.id),
        form=ActionForm(),
    )


@bp.post("/teach/classes/<int:course_id>/lms/roster")
@instructor_required
def sync_roster(course_id: int):
    """Pull the roster of every LMS course linked to the class."""
    session = get_session()
    course = _taught(course_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        result = roster.sync_roster(session, course, utcnow())
    except LtiError as exc:
        session.rollback()
        flash(str(exc), "error")
    else:
        session.commit()
        flash(
            f"Roster pulled: {len(result.enrolled)} enrolled, {len(result.dropped)} marked "
            f"dropped, {result.unchanged} unchanged.",
            "success",
        )
    return redirect(url_for("lti.course_page", course_id=course.id))


@bp.post("/teach/classes/<int:course_id>/lms/send")
@instructor_required
def send_now(course_id: int):
    """Retry failed sends and send what is due now."""
    session = get_session()
    course = _taught(course_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    ags.retry_failed(session, course, utcnow())
    counts = ags.send_due(session, utcnow())
    session.commit()
    flash(f"{counts['sent']} sent, {counts['retry']} to retry, {counts['failed']} failed.", "info")
    return redirect(url_for("lti.course_page", course_id=course.id))


@bp.post("/teach/classes/<int:course_id>/lms/quizzes/<int:quiz_id>")
@instructor_required
def link_quiz(course_id: int, quiz_id: int):
    """Give a quiz a column in every linked LMS course (found first, created only if missing)."""
    session = get_session()
    course = _taught(course_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        quiz = deeplink.quizzes.get_quiz(session, quiz_id, {course.id})
        count = ags.link_quiz_everywhere(session, course, quiz, utcnow())
    except NotFound:
        abort(404)
    except LtiError as exc:
        session.rollback()
        flash(str(exc), "error")
    else:
        session.commit()
        flash(f"Grades of '{quiz.title}' go to {count} LMS course(s).", "success")
    return redirect(url_for("lti.course_page", course_id=course.id))
