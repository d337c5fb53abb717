"""Health check and error pages."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from studyapp.db import get_session

bp = Blueprint("core", __name__)

MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have access to this page.",
    404: "There is nothing here. The link may be wrong or the page may have moved.",
    405: "This page does not accept that kind of request.",
    413: "The file or form is too large.",
    429: "Too many attempts. Wait a minute and try again.",
    500: "Something went wrong on our side. Your saved work is safe; try again in a moment.",
    503: "The service is briefly unavailable. Try again in a moment.",
}


@bp.get("/healthz")
def healthz():
    """Report whether the app can reach its database (for load balancers)."""
    try:
        get_session().execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def render_error(code: int, message: str):
    if _wants_json():
        return jsonify(error=message), code
    return render_template("core/error.html", code=code, message=message), code


@bp.app_errorhandler(CSRFError)
def csrf_error(exc: CSRFError):
    return render_error(
        400,
        "This form has expired or did not come from this site. "
        "Go back, reload the page and try again.",
    )


@bp.app_errorhandler(HTTPException)
def http_error(exc: HTTPException):
    code = exc.code or 500
    if code == 429:
        return render_error(code, MESSAGES[429])
    return render_error(code, MESSAGES.get(code, exc.description or "Error"))


@bp.app_errorhandler(SQLAlchemyError)
def database_error(exc: SQLAlchemyError):
    # A dropped database connection should read as "try again", not as a stack trace.
    current_app.logger.exception("database error")
    return render_error(503, MESSAGES[503])
