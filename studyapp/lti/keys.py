"""The tool's signing keys: made once, rotated on command, published as a JWK set.

Private keys stay in the database (every app server signs with the same one) and are never
logged or shown; only the public halves leave through the key set URL.
"""

from __future__ import annotations

import json
import secrets
import time
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select
from sqlalchemy.orm import Session

from studyapp.lti.models import ToolKey

#: Our own tokens (client assertions, deep-linking responses) live this long.
TOKEN_LIFETIME = timedelta(minutes=5)
#: A retired key stays published this long, comfortably past the last token it signed.
RETIRED_KEY_KEPT = timedelta(hours=1)


def _new_key(now: datetime) -> ToolKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    kid = secrets.token_urlsafe(12)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    public.update(kid=kid, alg="RS256", use="sig")
    return ToolKey(kid=kid, private_pem=pem, public_jwk=public, created_at=now)


def current_key(session: Session, now: datetime) -> ToolKey:
    """The signing key, generated on first use.

    A new key is committed at once in a session of its own: the LMS fetches our key set to
    check the very token we are about to send, and must find the key before we commit.
    """
    query = select(ToolKey).where(ToolKey.retired_at.is_(None)).order_by(ToolKey.id.desc())
    key = session.scalar(query)
    if key is None:
        with Session(bind=session.get_bind()) as own:
            own.add(_new_key(now))
            own.commit()
        key = session.scalar(query)
    return key


def rotate_key(session: Session, now: datetime) -> ToolKey:
    """Make a new signing key; the old one stays in the key set until its tokens expire."""
    for old in session.scalars(select(ToolKey).where(ToolKey.retired_at.is_(None))):
        old.retired_at = now
    key = _new_key(now)
    session.add(key)
    session.flush()
    return key


def public_key_set(session: Session, now: datetime) -> dict[str, Any]:
    """The JWK set platforms verify our signatures with: the current key and recent old ones."""
    current_key(session, now)
    keys = session.scalars(
        select(ToolKey)
        .where((ToolKey.retired_at.is_(None)) | (ToolKey.retired_at > now - RETIRED_KEY_KEPT))
        .order_by(ToolKey.id.desc())
    )
    return {"keys": [k.public_jwk for k in keys]}


def sign(session: Session, claims: dict[str, Any], now: datetime) -> str:
    """A JWT signed with the current key, valid for TOKEN_LIFETIME from now."""
    key = current_key(session, now)
    issued = int(now.timestamp()) if now else int(time.time())
    body = {
        "iat": issued,
        "exp": issued + int(TOKEN_LIFETIME.total_seconds()),
        "jti": secrets.token_urlsafe(16),
        **claims,
    }
    return jwt.encode(body, key.private_pem, algorithm="RS256", headers={"kid": key.kid})


def secrets_nonce() -> str:
    return secrets.token_urlsafe(16)
