"""OAuth 2 client-credentials tokens for the LMS's services, asked for with a signed JWT."""

from __future__ import annotations

import threading
import time
from datetime import datetime

import httpx
from sqlalchemy.orm import Session

from studyapp.lti import keys
from studyapp.lti.models import Platform
from studyapp.lti.platforms import HTTP_TIMEOUT, LtiError

_cache: dict[tuple[int, str], tuple[str, float]] = {}
_lock = threading.Lock()


def service_token(session: Session, platform: Platform, scopes: list[str], now: datetime) -> str:
    """A bearer token for these scopes, reused until a minute before it expires."""
    scope = " ".join(sorted(scopes))
    with _lock:
        cached = _cache.get((platform.id, scope))
    if cached and cached[1] > time.monotonic() + 60:
        return cached[0]
    assertion = keys.sign(
        session,
        {"iss": platform.client_id, "sub": platform.client_id, "aud": platform.token_url},
        now,
    )
    try:
        response = httpx.post(
            platform.token_url,
            data={
                "grant_type": "client_credentials",
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": assertion,
                "scope": scope,
            },
            timeout=HTTP_TIMEOUT,
        )
    except httpx.HTTPError as exc:
        raise LtiError(f"The LMS's token endpoint did not answer ({type(exc).__name__}).") from exc
    if response.status_code != 200:
        raise LtiError(
            f"The LMS refused a service token: {response.status_code} {response.text[:200]}"
        )
    body = response.json()
    token = body.get("access_token")
    if not token:
        raise LtiError("The LMS's token response has no access_token.")
    with _lock:
        expires = time.monotonic() + float(body.get("expires_in", 3600))
        _cache[(platform.id, scope)] = (token, expires)
    return token


def forget_tokens() -> None:
    """Drop cached tokens (after the LMS refuses one, or between tests)."""
    with _lock:
        _cache.clear()
