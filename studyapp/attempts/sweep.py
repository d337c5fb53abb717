"""A periodic sweep inside the app: attempts past their deadline get graded even if no one looks.

Each worker runs it at most once per SWEEP_INTERVAL_SECONDS, on the first request after the
interval; `flask attempts sweep` from cron does the same for sites with no traffic.
"""

from __future__ import annotations

import threading
import time

from flask import Flask, current_app

from studyapp.attempts.services import close_expired
from studyapp.core.clock import utcnow

_lock = threading.Lock()


def init_app(app: Flask) -> None:
    app.extensions["studyapp.last_sweep"] = 0.0
    if app.config.get("SWEEP_INTERVAL_SECONDS"):
        app.before_request(maybe_sweep)


def maybe_sweep() -> None:
    app = current_app._get_current_object()
    interval = app.config["SWEEP_INTERVAL_SECONDS"]
    now = time.monotonic()
    if now - app.extensions["studyapp.last_sweep"] < interval or not _lock.acquire(blocking=False):
        return
    try:
        app.extensions["studyapp.last_sweep"] = now
        session = app.extensions["studyapp.sessionmaker"]()
        try:
            closed = close_expired(session, utcnow())
            session.commit()
        finally:
            session.close()
        if closed:
            app.logger.info("sweep graded %d attempt(s) past their deadline", closed)
    finally:
        _lock.release()
