"""Throttles on failed logins and failed join codes, kept in the rate limiter's storage.

Only failures count: a lecture hall logging in from one school address costs nothing, while a
guesser meets three walls:

- per (account, address): a short backoff that stops one machine guessing one password;
- per address: a ceiling high enough for a hall of students mistyping, low enough to stop
  one machine spraying many accounts;
- per account: a ceiling far above any student's typing, for guessers spread over many
  addresses. It does not apply where the account's owner recently logged in (the same address,
  or a browser holding the account's signed device cookie), so failures from elsewhere cannot
  lock a student out of their own laptop or classroom.

A browser holding the account's device cookie meets none of these: it has a backoff of its own
(the per-pair figures, keyed by that browser), so a guesser behind the same school address can
use up neither the student's tries there nor the address's. A student without the cookie (a
lab machine that clears it) can still be held back by failures from their address, for the
per-pair window at most.

The counters live in Flask-Limiter's storage (``memory://`` for one process, Redis via
``RATELIMIT_STORAGE_URI`` for several workers or servers), so every server sees the same counts.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import RateLimitItem, parse_many

from studyapp.extensions import limiter

#: The cookie a browser keeps after a successful login: proof it has been the owner's.
DEVICE_COOKIE = "studyapp_device"
DEVICE_DAYS = 60
#: How long a successful login makes its address one of the account's own.
KNOWN_ADDRESS_SECONDS = 30 * 24 * 3600


def enabled() -> bool:
    """False where RATELIMIT_ENABLED is off (tests, or sites that throttle at the proxy)."""
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _limits(setting: str) -> list[RateLimitItem]:
    return parse_many(current_app.config[setting])


def _digest(text: str) -> str:
    # Storage keys carry no e-mail addresses in the clear.
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _wait(checks: Iterable[tuple[str, tuple[str, ...]]]) -> int | None:
    """Seconds until every exhausted limit among ``checks`` resets, or None if none is."""
    waits = []
    for setting, ids in checks:
        for item in _limits(setting):
            if not limiter.limiter.test(item, *ids):
                reset = limiter.limiter.get_window_stats(item, *ids).reset_time
                waits.append(max(1, int(reset - time.time()) + 1))
    return max(waits) if waits else None


def _hit(checks: Iterable[tuple[str, tuple[str, ...]]]) -> None:
    for setting, ids in checks:
        for item in _limits(setting):
            limiter.limiter.hit(item, *ids)


def _login_checks(account: str, address: str, own_place: bool, device: str | None = None):
    if device is not None:
        # A browser that proves it is the owner's counts its own failures only: guessers
        # sharing its school address cannot use up its tries, nor the address's.
        return [("LOGIN_FAILURES_PER_ACCOUNT_ADDRESS", ("login-device", account, device))]
    checks = [
        ("LOGIN_FAILURES_PER_ACCOUNT_ADDRESS", ("login-pair", account, address)),
        ("LOGIN_FAILURES_PER_ADDRESS", ("login-address", address)),
    ]
    if not own_place:
        checks.append(("LOGIN_FAILURES_PER_ACCOUNT", ("login-account", account)))
    return checks


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="studyapp-device")


def device_cookie_for(email: str) -> str:
    """The signed device cookie value a successful login of ``email`` leaves behind."""
    return _serializer().dumps(_digest(email))


def _own_device(account: str, cookie: str | None) -> str | None:
    """A key for this browser if its device cookie is the account's, else None."""
    if not cookie:
        return None
    try:
        signed = _serializer().loads(cookie, max_age=DEVICE_DAYS * 24 * 3600)
    except BadSignature:
        return None
    return _digest(cookie) if signed == account else None


def _known_address_key(account: str, address: str) -> str:
    return f"studyapp/known-address/{account}/{_digest(address)}"


def _checks_for(email: str, address: str, device_cookie: str | None):
    account = _digest(email)
    device = _own_device(account, device_cookie)
    known = device is not None or limiter.storage.get(_known_address_key(account, address)) > 0
    return _login_checks(account, address, known, device)


def login_wait(email: str, address: str, device_cookie: str | None) -> int | None:
    """Seconds this login must wait because of earlier failures, or None to go ahead."""
    if not enabled():
        return None
    return _wait(_checks_for(email, address, device_cookie))


def record_login_failure(email: str, address: str, device_cookie: str | None = None) -> None:
    """Count a wrong password (or unknown account) against the pair, the address, the account.

    From the owner's own browser it counts against that browser alone.
    """
    if not enabled():
        return
    account = _digest(email)
    device = _own_device(account, device_cookie)
    _hit(_login_checks(account, address, own_place=False, device=device))


def record_login_success(email: str, address: str, device_cookie: str | None = None) -> None:
    """Forget this pair's (and browser's) failures and remember the address as the account's."""
    if not enabled():
        return
    account = _digest(email)
    device = _own_device(account, device_cookie)
    for item in _limits("LOGIN_FAILURES_PER_ACCOUNT_ADDRESS"):
        limiter.limiter.clear(item, "login-pair", account, address)
        if device is not None:
            limiter.limiter.clear(item, "login-device", account, device)
    limiter.storage.incr(_known_address_key(account, address), KNOWN_ADDRESS_SECONDS)


def join_wait(address: str) -> int | None:
    """Seconds before this address may try another join code, or None to go ahead."""
    if not enabled():
        return None
    return _wait([("JOIN_FAILURES_PER_ADDRESS", ("join-address", address))])


def record_join_failure(address: str) -> None:
    """Count a join code that opened no class."""
    if enabled():
        _hit([("JOIN_FAILURES_PER_ADDRESS", ("join-address", address))])
