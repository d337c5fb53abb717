"""Platform registrations and their key sets (fetched, cached, refreshed on an unknown kid)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from studyapp.core.errors import DomainError, NotFound
from studyapp.lti.models import Platform

#: A cached key set is trusted this long; a token naming an unknown kid refetches sooner.
JWKS_MAX_AGE = timedelta(hours=24)
#: However many forged kids arrive, the platform's key set is fetched at most this often.
JWKS_MIN_REFRESH = timedelta(seconds=30)
HTTP_TIMEOUT = 10.0


class LtiError(DomainError):
    """A launch or service call refused; the message says which check failed."""


def _check_url(url: str, what: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.netloc:
        raise DomainError(f"{what} must be an http(s) address.")
    return url


def register_platform(session: Session, values: dict[str, Any]) -> Platform:
    """Register an LMS (or update the registration with the same issuer and client id)."""
    issuer, client_id = values["issuer"].strip(), values["client_id"].strip()
    if not issuer or not client_id:
        raise DomainError("Issuer and client id are required.")
    platform = session.scalar(
        select(Platform).where(Platform.issuer == issuer, Platform.client_id == client_id)
    )
    if platform is None:
        platform = Platform(issuer=issuer, client_id=client_id)
        session.add(platform)
    platform.name = values.get("name", "").strip() or issuer
    platform.deployment_ids = [
        d.strip() for d in values["deployment_ids"].replace(",", "\n").splitlines() if d.strip()
    ]
    if not platform.deployment_ids:
        raise DomainError("Give at least one deployment id.")
    platform.auth_login_url = _check_url(values["auth_login_url"], "The auth login URL")
    platform.token_url = _check_url(values["token_url"], "The token URL")
    new_jwks = _check_url(values["jwks_url"], "The key set URL")
    if new_jwks != platform.jwks_url:
        platform.jwks, platform.jwks_fetched_at = None, None
    platform.jwks_url = new_jwks
    session.flush()
    return platform


def list_platforms(session: Session) -> list[Platform]:
    return list(session.scalars(select(Platform).order_by(Platform.name)))


def get_platform(session: Session, platform_id: int) -> Platform:
    platform = session.get(Platform, platform_id)
    if platform is None:
        raise NotFound("No such platform.")
    return platform


def find_platform(session: Session, issuer: str, client_id: str | None) -> Platform:
    """The registration a login initiation names; ambiguous or unknown ones are refused."""
    query = select(Platform).where(Platform.issuer == issuer)
    if client_id:
        query = query.where(Platform.client_id == client_id)
    found = list(session.scalars(query))
    if not found:
        raise LtiError("This LMS is not registered with studyapp (unknown issuer or client id).")
    if len(found) > 1:
        raise LtiError("Several registrations share this issuer; the LMS must send client_id.")
    return found[0]


def frame_origins(platform: Platform) -> list[str]:
    """Origins allowed to frame our pages after a launch from this platform."""
    origins = []
    for url in (platform.issuer, platform.auth_login_url):
        parts = urlsplit(url)
        if parts.scheme and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return sorted(set(origins))


def _fetch_jwks(platform: Platform, now: datetime) -> None:
    try:
        response = httpx.get(platform.jwks_url, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise LtiError(f"The LMS's key set could not be fetched ({type(exc).__name__}).") from exc
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise LtiError("The LMS's key set is not a JWK set.")
    platform.jwks, platform.jwks_fetched_at = data, now


def platform_key(platform: Platform, kid: str | None, now: datetime) -> dict[str, Any]:
    """The platform's public JWK with this kid, refetching the set when it is stale or lacks it."""

    def lookup() -> dict[str, Any] | None:
        for key in (platform.jwks or {}).get("keys", []):
            if isinstance(key, dict) and (kid is None or key.get("kid") == kid):
                return key
        return None

    fetched = platform.jwks_fetched_at
    stale = fetched is None or now - fetched > JWKS_MAX_AGE
    key = None if stale else lookup()
    if key is None and (fetched is None or now - fetched >= JWKS_MIN_REFRESH or stale):
        _fetch_jwks(platform, now)
        key = lookup()
    if key is None:
        raise LtiError("The token is signed with a key the LMS does not publish.")
    return key
