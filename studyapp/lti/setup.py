"""Wiring: cookies for the LMS's iframe, framing by the launching LMS, the grade sender."""

from __future__ import annotations

import threading
import time

from flask import Flask, Response, current_app, g, session

from studyapp.core.clock import utcnow
from studyapp.lti import ags

_lock = threading.Lock()


def init_app(app: Flask) -> None:
    app.config.setdefault("LTI_CROSS_SITE_COOKIES", False)
    if app.config["LTI_CROSS_SITE_COOKIES"]:
        # Inside the LMS's iframe our cookies are third-party: only SameSite=None; Secure
        # ones are sent at all. CSRF tokens still guard every form.
        app.config.update(
            SESSION_COOKIE_SAMESITE="None",
            SESSION_COOKIE_SECURE=True,
            REMEMBER_COOKIE_SAMESITE="None",
            REMEMBER_COOKIE_SECURE=True,
        )
    ags.listen()
    app.after_request(allow_lms_frame)
    app.extensions["studyapp.last_lti_send"] = 0.0
    if app.config.get("SWEEP_INTERVAL_SECONDS"):
        app.before_request(maybe_send)


def allow_lms_frame(response: Response) -> Response:
    """After a launch, let the LMS that launched us frame our pages (and no one else)."""
    # g.lti_frame: pages of the launch itself, before the session knows the platform.
    origins = g.get("lti_frame") or (session.get("lti_frame") if session else None)
    if origins:
        csp = response.headers.get("Content-Security-Policy")
        if csp:
            response.headers["Content-Security-Policy"] = csp.replace(
                "frame-ancestors 'none'", "frame-ancestors " + " ".join(origins)
            )
        response.headers.pop("X-Frame-Options", None)
    return response


def maybe_send() -> None:
    """Start sending due grades in the background at most once per sweep interval."""
    app = current_app._get_current_object()
    now = time.monotonic()
    if now - app.extensions["studyapp.last_lti_send"] < app.config["SWEEP_INTERVAL_SECONDS"]:
        return
    if not _lock.acquire(blocking=False):
        return
    app.extensions["studyapp.last_lti_send"] = now
    threading.Thread(target=_send, args=(app,), daemon=True).start()


def _send(app: Flask) -> None:
    try:
        db = app.extensions["studyapp.sessionmaker"]()
        try:
            counts = ags.send_due(db, utcnow())
            db.commit()
        finally:
            db.close()
        if counts["sent"] or counts["failed"]:
            app.logger.info(
                "LTI grades: %(sent)d sent, %(retry)d to retry, %(failed)d failed", counts
            )
    finally:
        _lock.release()
