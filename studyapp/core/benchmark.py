"""Bench-only reference endpoints: one small INSERT, or one SELECT, through the app's own stack.

Registered only when the BENCH_ENDPOINTS setting is true (``bench/load.py`` sets it); never
in production. ``bench/load.py`` creates the ``bench_rows`` table itself before the server
starts, so the schema and the migrations stay untouched.
"""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify, request
from sqlalchemy import text

from studyapp.db import get_session
from studyapp.extensions import csrf

bp = Blueprint("bench", __name__, url_prefix="/_bench")

#: What the bench creates before starting the server (SQLite and PostgreSQL spellings).
CREATE_TABLE = {
    "sqlite": "CREATE TABLE IF NOT EXISTS bench_rows (id INTEGER PRIMARY KEY, payload TEXT)",
    "postgresql": "CREATE TABLE IF NOT EXISTS bench_rows (id SERIAL PRIMARY KEY, payload TEXT)",
}


@bp.post("/insert")
def insert():
    """Insert one row and commit: the floor under any write the app does per request."""
    session = get_session()
    row_id = session.execute(
        text("INSERT INTO bench_rows (payload) VALUES (:payload) RETURNING id"),
        {"payload": request.form.get("payload", "")[:200]},
    ).scalar_one()
    session.commit()
    return jsonify(ok=True, id=row_id)


@bp.get("/select")
def select_one():
    """One SELECT behind the login: what any request costs before it does its own work."""
    value = get_session().execute(text("SELECT 1")).scalar_one()
    return jsonify(ok=True, value=value)


def init_app(app: Flask) -> None:
    """Register the blueprint without CSRF (the login the app's hook demands still applies)."""
    csrf.exempt(bp)
    app.register_blueprint(bp)
