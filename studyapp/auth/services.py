"""Rules for accounts: creating them, logging in, passwords and one-time links."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import available_timezones

from flask import current_app, has_app_context
from sqlalchemy import Select, bindparam, delete, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from studyapp.auth import audit
from studyapp.auth.models import (
    AuditAction,
    LoginSession,
    OneTimeToken,
    Role,
    StartupClaim,
    TokenPurpose,
    User,
)
from studyapp.core.clock import utcnow
from studyapp.core.errors import BadCredentials, DomainError, DuplicateEmail, InvalidToken

EMAIL_RE = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\"]+$")
# Checked against when the email is unknown, so both paths take as long.
_DUMMY_HASH = generate_password_hash("not a real password")


def normalize_email(email: str) -> str:
    """Case-fold and trim an email; addresses differing only in case are the same account."""
    return email.strip().casefold()


def is_valid_email(email: str) -> bool:
    return len(email) <= 254 and bool(EMAIL_RE.match(email))


#: Used outside an app (console scripts); inside one, the PASSWORD_HASH_METHOD setting wins.
PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - an algorithm name, not a password


def hash_password(password: str) -> str:
    # Tests lower the scrypt cost through config; production keeps werkzeug's default.
    method = (
        current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else PASSWORD_HASH_METHOD
    )
    return generate_password_hash(password, method=method)


def hash_and_discard(password: str) -> None:
    """Spend the time a new account's password hash takes, for paths that must not be faster."""
    hash_password(password)


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalize_email(email)))


def instructor_exists(session: Session) -> bool:
    return bool(session.scalar(select(exists().where(User.role == Role.INSTRUCTOR))))


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: Role,
    password: str | None = None,
    student_number: str | None = None,
    is_admin: bool = False,
) -> User:
    """Create an account; without a password it waits for activation."""
    email = normalize_email(email)
    if not is_valid_email(email):
        raise DomainError(f"'{email}' is not a valid email address.")
    if get_user_by_email(session, email) is not None:
        raise DuplicateEmail("An account with this email already exists.")
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        is_admin=is_admin,
        student_number=student_number or None,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User:
    """Return the user for these credentials or raise BadCredentials."""
    user = get_user_by_email(session, email)
    if user is None or user.password_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        raise BadCredentials("Wrong email or password.")
    if not check_password_hash(user.password_hash, password):
        raise BadCredentials("Wrong email or password.")
    user.last_login_at = utcnow()
    return user


def set_timezone(session: Session, user: User, name: str | None) -> None:
    """Remember the user's time zone; unknown names are ignored (UTC stays)."""
    if name and name in available_timezones():
        user.timezone = name
        session.flush()


def set_password(session: Session, user: User, password: str) -> None:
    """Set a new password and end every session of this user (log in again to get a new one)."""
    user.password_hash = hash_password(password)
    end_all_sessions(session, user)
    session.flush()


def start_session(session: Session, user: User, max_age: timedelta) -> str:
    """Open a server-side login session for ``user`` and return its key for the cookie.

    The user's sessions older than ``max_age`` (the longest a cookie lives) are deleted
    on the way, so the table holds only sessions a cookie could still name.
    """
    session.execute(
        delete(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.created_at < utcnow() - max_age
        )
    )
    raw = secrets.token_urlsafe(24)
    session.add(LoginSession(user_id=user.id, key_hash=hash_token(raw)))
    session.flush()
    user.login_key = raw
    return raw


@cache
def _session_user_query() -> Select:
    # Every signed-in request runs it: built once and reused with parameters, as building
    # the statement cost more than running it.
    return (
        select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(User.id == bindparam("user_id"), LoginSession.key_hash == bindparam("key_hash"))
    )


def get_session_user(session: Session, user_id: int, key: str) -> User | None:
    """The activated user whose login session has this key, or None once it has ended."""
    user = session.scalar(_session_user_query(), {"user_id": user_id, "key_hash": hash_token(key)})
    if user is None or not user.is_activated:
        return None
    user.login_key = key
    return user


def end_session(session: Session, user: User) -> None:
    """Delete the login session this request runs in: its cookies stop working."""
    if user.login_key:
        session.execute(
            delete(LoginSession).where(
                LoginSession.user_id == user.id, LoginSession.key_hash == hash_token(user.login_key)
            )
        )
        user.login_key = None


def end_all_sessions(session: Session, user: User) -> None:
    """Delete every login session of ``user``, on every device."""
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    user.login_key = None


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Change a password after checking the current one."""
    if user.password_hash is None or not check_password_hash(user.password_hash, current):
        raise BadCredentials("Your current password is not right.")
    set_password(session, user, new)


def hash_token(raw: str) -> str:
    """The stored form of a one-time key (SHA-256): the raw key is never kept."""
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(
    session: Session,
    purpose: TokenPurpose,
    ttl: timedelta,
    *,
    user: User | None = None,
    created_by: User | None = None,
) -> str:
    """Create a one-time token and return its raw value (only its hash is stored)."""
    raw = secrets.token_urlsafe(32)
    session.add(
        OneTimeToken(
            purpose=purpose,
            token_hash=hash_token(raw),
            user=user,
            created_by_id=created_by.id if created_by else None,
            expires_at=utcnow() + ttl,
        )
    )
    session.flush()
    return raw


def revoke_tokens(session: Session, user: User, purpose: TokenPurpose) -> None:
    """Expire the user's unused tokens of one purpose, so only the newest link works."""
    session.execute(
        update(OneTimeToken)
        .where(
            OneTimeToken.user_id == user.id,
            OneTimeToken.purpose == purpose,
            OneTimeToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )


def peek_token(session: Session, raw: str, purpose: TokenPurpose) -> OneTimeToken:
    """Return a usable token without spending it, or raise InvalidToken."""
    token = session.scalar(
        select(OneTimeToken).where(
            OneTimeToken.token_hash == hash_token(raw), OneTimeToken.purpose == purpose
        )
    )
    if token is None or not token.is_usable(utcnow()):
        raise InvalidToken("This link is invalid, expired or already used. Ask for a new one.")
    return token


def spend_token(session: Session, raw: str, purpose: TokenPurpose) -> OneTimeToken:
    """Mark a token used, atomically, so two requests cannot both spend it."""
    token = peek_token(session, raw, purpose)
    now: datetime = utcnow()
    spent = session.execute(
        update(OneTimeToken)
        .where(OneTimeToken.id == token.id, OneTimeToken.used_at.is_(None))
        .values(used_at=now)
    ).rowcount
    if spent != 1:
        raise InvalidToken("This link was just used. Ask for a new one.")
    session.refresh(token)
    return token


def complete_setup(session: Session, raw: str, *, email: str, name: str, password: str) -> User:
    """Create the first instructor (a site admin) through the setup link."""
    if instructor_exists(session):
        raise InvalidToken("This site is already set up. Log in instead.")
    spend_token(session, raw, TokenPurpose.SETUP)
    return create_user(
        session, email=email, name=name, role=Role.INSTRUCTOR, password=password, is_admin=True
    )


def complete_token_password(
    session: Session, raw: str, purpose: TokenPurpose, password: str, address: str | None = None
) -> User:
    """Set a password through an activation or reset link (``address``: the request's, logged)."""
    token = spend_token(session, raw, purpose)
    if token.user is None:
        raise InvalidToken("This link is not tied to an account.")
    set_password(session, token.user, password)
    audit.record(
        session,
        AuditAction.PASSWORD_LINK_USED,
        actor=None,
        user=token.user,
        detail=f"{purpose.value} link made by user {token.created_by_id}",
        address=address,
    )
    return token.user


def create_instructor(
    session: Session, admin: User, *, email: str, name: str, ttl: timedelta
) -> str:
    """Create an instructor account (admins only) and return its activation token."""
    if not admin.is_admin:
        raise DomainError("Only site administrators can create instructors.")
    user = create_user(session, email=email, name=name, role=Role.INSTRUCTOR)
    audit.record(
        session, AuditAction.PASSWORD_LINK_MADE, actor=admin, user=user, detail="new instructor"
    )
    return issue_token(session, TokenPurpose.ACTIVATION, ttl, user=user, created_by=admin)


def list_instructors(session: Session) -> list[User]:
    return list(
        session.scalars(select(User).where(User.role == Role.INSTRUCTOR).order_by(User.name))
    )


def claim_startup_job(session: Session, name: str, now: datetime, ttl: timedelta) -> bool:
    """True for exactly one caller, across workers and servers, until the claim lapses.

    A lapsed claim is taken over by a guarded UPDATE; a missing one by an INSERT that only
    one caller can win (the primary key). Losers get False and do nothing.
    """
    taken = session.execute(
        update(StartupClaim)
        .where(StartupClaim.name == name, StartupClaim.claimed_until < now)
        .values(claimed_until=now + ttl)
    ).rowcount
    if taken:
        return True
    try:
        with session.begin_nested():
            session.add(StartupClaim(name=name, claimed_until=now + ttl))
    except IntegrityError:
        return False
    return True
