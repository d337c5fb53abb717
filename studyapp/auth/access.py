"""Who may see what: the public list, role checks, and safe redirects."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar
from urllib.parse import urlsplit

from flask import abort, jsonify, redirect, request, url_for
from flask_login import current_user

#: Every endpoint not listed here requires a logged-in user.
PUBLIC_ENDPOINTS = frozenset(
    {
        "static",
        "auth.login",
        "auth.setup",
        "auth.activate",
        "auth.reset",
        "classes.invite",
        "classes.join",
        "core.healthz",
        # LTI 1.3: the LMS and its users' browsers call these before anyone is signed in;
        # each checks its own credentials (signed tokens, single-use state).
        "lti.jwks",
        "lti.login",
        "lti.launch",
        "lti.confirm",
        "lti.resume",
    }
)

F = TypeVar("F", bound=Callable)


def require_login():
    """before_request hook: send anonymous users to the login page outside the public list."""
    if request.endpoint is None or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if current_user.is_authenticated:
        return None
    if request.accept_mimetypes.best == "application/json" or request.is_json:
        return jsonify(error="login required"), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _role_guard(role: str, allowed: Callable[[object], bool]) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated or not allowed(current_user):
                abort(403)
            return view(*args, **kwargs)

        # Read by the access tests, which walk every route and check its guard.
        wrapped.required_role = role  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


#: Refuse (403) anyone but instructors.
instructor_required = _role_guard("instructor", lambda u: u.is_instructor)
#: Refuse (403) anyone but site administrators.
admin_required = _role_guard("admin", lambda u: u.is_admin)
#: Refuse (403) anyone but students.
student_required = _role_guard("student", lambda u: u.is_student)


def safe_next(target: str | None) -> str | None:
    """Return ``target`` if it is a path on this site, else None (no open redirects)."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
