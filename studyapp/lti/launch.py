"""OIDC login initiation and the checks every launch's id token must pass.

Nothing in a token is read before its signature is verified against the key set of the
platform the login started with: the state row, not the token, says which platform that is.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from studyapp.lti import claims as c
from studyapp.lti.models import LaunchState, Platform
from studyapp.lti.platforms import LtiError, find_platform, platform_key

#: Login initiation to launch: a person clicking through the LMS needs seconds, not hours.
STATE_LIFETIME = timedelta(minutes=10)
#: A cookie-less launch's "open in a new window" link works this long.
RESUME_LIFETIME = timedelta(minutes=2)
#: Allowed clock difference between the LMS and us.
LEEWAY = timedelta(seconds=60)
#: An id token issued longer ago than this is refused even if it has not expired.
MAX_TOKEN_AGE = timedelta(minutes=10)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def state_cookie_name(raw_state: str) -> str:
    """One cookie per login, so launches in two tabs do not overwrite each other."""
    return "lti_state_" + _hash(raw_state)[:24]


@dataclass(frozen=True)
class LoginStart:
    state: str
    nonce: str
    redirect_url: str
    platform: Platform
    #: Secret put in the platform's storage when the LMS offers it (lti_storage_target).
    binding: str | None
    storage_target: str | None


def start_login(
    session: Session, params: dict[str, str], launch_url: str, now: datetime
) -> LoginStart:
    """Answer a third-party login initiation: a fresh state and nonce, then the LMS's auth URL."""
    issuer, login_hint = params.get("iss", ""), params.get("login_hint", "")
    target = params.get("target_link_uri", "")
    if not issuer or not login_hint or not target:
        raise LtiError("The login initiation lacks iss, login_hint or target_link_uri.")
    platform = find_platform(session, issuer, params.get("client_id"))
    ours = urlsplit(launch_url)
    if urlsplit(target).netloc != ours.netloc:
        raise LtiError("The target link URI is not on this site.")
    deployment = params.get("lti_deployment_id")
    if deployment and deployment not in platform.deployment_ids:
        raise LtiError("This deployment of studyapp is not registered.")
    session.execute(delete(LaunchState).where(LaunchState.expires_at < now - STATE_LIFETIME))
    raw_state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    target_frame = params.get("lti_storage_target") or None
    binding = secrets.token_urlsafe(32) if target_frame else None
    session.add(
        LaunchState(
            platform_id=platform.id,
            state_hash=_hash(raw_state),
            nonce=nonce,
            binding_hash=_hash(binding) if binding else None,
            storage_target=target_frame[:100] if target_frame else None,
            created_at=now,
            expires_at=now + STATE_LIFETIME,
        )
    )
    session.flush()
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": launch_url,
        "login_hint": login_hint,
        "state": raw_state,
        "nonce": nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    sep = "&" if "?" in platform.auth_login_url else "?"
    url = platform.auth_login_url + sep + urlencode(query)
    return LoginStart(raw_state, nonce, url, platform, binding, target_frame)


@dataclass
class Verified:
    state: LaunchState
    claims: dict[str, Any]
    #: False when the browser came back without our state cookie (platform storage follows).
    bound: bool


def _state_row(session: Session, raw_state: str, now: datetime) -> LaunchState:
    if not raw_state:
        raise LtiError("The launch has no state.")
    row = session.scalar(
        select(LaunchState).where(LaunchState.state_hash == _hash(raw_state)).with_for_update()
    )
    if row is None:
        raise LtiError("Unknown state: this launch did not start with a login here.")
    if row.used_at is not None:
        raise LtiError("This launch was already used (a replayed state).")
    if row.expires_at <= now:
        raise LtiError("The login expired before the launch arrived; open the link again.")
    return row


def verify_launch(
    session: Session, id_token: str, raw_state: str, has_cookie: bool, now: datetime
) -> Verified:
    """Check the launch's state and every claim LTI 1.3 requires; consume state and nonce."""
    row = _state_row(session, raw_state, now)
    if not has_cookie and row.storage_target is None:
        raise LtiError(
            "The launch came back without the login cookie, and the LMS offered no platform "
            "storage to check it with. Open studyapp in a new window, or allow its cookies."
        )
    platform = row.platform
    data = decode_platform_token(platform, id_token, now, audience=platform.client_id)
    if not hmac.compare_digest(str(data.get("nonce", "")), row.nonce):
        raise LtiError("The token's nonce does not match this login (a replayed token).")
    check_message(platform, data)
    row.used_at = now
    session.flush()
    return Verified(row, data, has_cookie)


def decode_platform_token(
    platform: Platform, token: str, now: datetime, audience: str
) -> dict[str, Any]:
    """Verify signature, iss, aud, azp, exp and iat of a token the platform signed."""
    if not token:
        raise LtiError("The launch has no id_token.")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise LtiError("The id_token is not a JWT.") from exc
    if header.get("alg") != "RS256":
        raise LtiError("The id_token must be signed with RS256.")
    jwk = platform_key(platform, header.get("kid"), now)
    try:
        key = jwt.PyJWK(jwk, algorithm="RS256")
        data = jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience=audience,
            issuer=platform.issuer,
            leeway=LEEWAY,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise LtiError("The id_token has expired.") from exc
    except jwt.InvalidAudienceError as exc:
        raise LtiError("The id_token is meant for another tool (aud).") from exc
    except jwt.InvalidIssuerError as exc:
        raise LtiError("The id_token comes from another issuer (iss).") from exc
    except jwt.ImmatureSignatureError as exc:
        raise LtiError("The id_token is issued in the future (iat).") from exc
    except jwt.MissingRequiredClaimError as exc:
        raise LtiError(f"The id_token lacks the '{exc.claim}' claim.") from exc
    except jwt.InvalidSignatureError as exc:
        raise LtiError("The id_token's signature does not verify.") from exc
    except jwt.PyJWTError as exc:
        raise LtiError(f"The id_token is invalid ({type(exc).__name__}).") from exc
    if now.timestamp() - float(data["iat"]) > (MAX_TOKEN_AGE + LEEWAY).total_seconds():
        raise LtiError("The id_token was issued too long ago (iat).")
    aud = data["aud"]
    if isinstance(aud, list) and len(aud) > 1 and "azp" not in data:
        raise LtiError("The id_token has several audiences but no azp.")
    if "azp" in data and data["azp"] != audience:
        raise LtiError("The id_token's authorized party (azp) is another tool.")
    return data


def check_message(platform: Platform, data: dict[str, Any]) -> None:
    """Deployment id, message type, version and the claims each message type needs."""
    if data.get(c.DEPLOYMENT_ID) not in platform.deployment_ids:
        raise LtiError("The launch names a deployment that is not registered.")
    kind = data.get(c.MESSAGE_TYPE)
    if kind not in c.MESSAGE_TYPES:
        raise LtiError(f"Unsupported message type {str(kind)[:60]!r}.")
    if data.get(c.VERSION) != c.LTI_VERSION:
        raise LtiError("Only LTI version 1.3.0 launches are accepted.")
    if not isinstance(data.get(c.ROLES), list):
        raise LtiError("The launch lacks the roles claim.")
    if not str(data.get("sub", "")).strip():
        raise LtiError("The launch lacks a user (sub).")
    if kind == c.RESOURCE_LINK_REQUEST:
        link = data.get(c.RESOURCE_LINK)
        if not isinstance(link, dict) or not link.get("id"):
            raise LtiError("A resource link launch must carry the resource link id.")
        if not data.get(c.TARGET_LINK_URI):
            raise LtiError("The launch lacks its target link URI.")
    else:
        settings = data.get(c.DL_SETTINGS)
        if not isinstance(settings, dict) or not settings.get("deep_link_return_url"):
            raise LtiError("A deep-linking request must carry deep_link_return_url.")


def save_for_storage_check(session: Session, verified: Verified) -> None:
    """Keep the verified claims until the platform storage confirms this browser."""
    verified.state.claims = verified.claims
    session.flush()


def confirm_storage(
    session: Session, raw_state: str, binding: str, now: datetime
) -> tuple[Platform, dict[str, Any]]:
    """The browser read back the secret our login put in the platform's storage: finish."""
    row = session.scalar(
        select(LaunchState).where(LaunchState.state_hash == _hash(raw_state)).with_for_update()
    )
    if row is None or row.claims is None or row.binding_hash is None:
        raise LtiError("Unknown launch.")
    if row.confirmed_at is not None:
        raise LtiError("This launch was already used (a replayed state).")
    if row.expires_at <= now:
        raise LtiError("The login expired before the launch arrived; open the link again.")
    if not hmac.compare_digest(_hash(binding or ""), row.binding_hash):
        raise LtiError("The platform storage does not hold this login: another browser?")
    row.confirmed_at = now
    session.flush()
    return row.platform, row.claims


def issue_resume_link(
    session: Session, raw_state: str, user_id: int, path: str, now: datetime
) -> str:
    """A single-use token that signs this launch's user in from a new top-level window.

    Browsers that block our cookie inside the LMS's iframe (the reason platform storage was
    needed) also drop the session cookie there; a window of our own is first-party.
    """
    row = session.scalar(select(LaunchState).where(LaunchState.state_hash == _hash(raw_state)))
    raw = secrets.token_urlsafe(32)
    row.resume_hash, row.resume_user_id, row.resume_path = _hash(raw), user_id, path[:500]
    row.expires_at = max(row.expires_at, now + RESUME_LIFETIME)
    session.flush()
    return raw


def spend_resume_link(
    session: Session, raw: str, now: datetime
) -> tuple[int, str, Platform, dict[str, Any]]:
    """The user, page, platform and verified claims of a resume link, which then stops working.

    The claims travel with the link because the new window has none of the iframe's session:
    a deep-linking dialog needs its request (return URL, opaque data) to be finished there.
    """
    row = session.scalar(
        select(LaunchState).where(LaunchState.resume_hash == _hash(raw)).with_for_update()
    )
    if row is None or row.resume_user_id is None or row.expires_at <= now:
        raise LtiError("This sign-in link is used or expired; open the link in your LMS again.")
    user_id, path = row.resume_user_id, row.resume_path or "/"
    row.resume_hash, row.resume_user_id = None, None
    session.flush()
    return user_id, path, row.platform, dict(row.claims or {})
