"""Security headers and the secret key."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, Response, current_app, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def add_security_headers(response: Response) -> Response:
    """No inline script, no framing, no sniffing, no referrer leaks, no caching of pages; HSTS."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.endpoint != "static":
        # Every page may show someone's data (and the login page a CSRF token): no copy in
        # any cache, and none in the back/forward cache after logout. Static files, which
        # hold nothing private, stay cacheable.
        response.headers["Cache-Control"] = "no-store"
    if current_app.config["SESSION_COOKIE_SECURE"]:
        # Only once the site is on HTTPS (the same switch as secure cookies): a year, and
        # the subdomains too, so no later visit starts over plain HTTP.
        response.headers.setdefault(
            "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
        )
    return response


def load_or_create_secret_key(app: Flask) -> str:
    """Read instance/secret_key, creating it (mode 0600) on first start."""
    path = Path(app.instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: when several workers start at once, one writes and the others read its key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


class MissingSecretKey(RuntimeError):
    """Several processes would each sign sessions with a key of their own."""


def refuse_unshared_key() -> None:
    """Stop a gunicorn start without a configured key, saying what to set.

    A key generated into one machine's instance folder is not shared with other servers, so
    sessions made on one would be refused by the next: logins that seem to fail at random.
    """
    raise MissingSecretKey(
        "STUDYAPP_SECRET_KEY is not set. Under gunicorn every worker and every server must sign "
        "sessions with the same key: set STUDYAPP_SECRET_KEY to the same random value on every "
        "server (make one with: python3 -c 'import secrets; print(secrets.token_hex(32))'), or "
        "SECRET_KEY in instance/config.py. Only the single-process `flask run` generates its "
        "own key into instance/secret_key."
    )
