"""Every launch check, each met by a forged or replayed token: refused with a clear page."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from studyapp.core.clock import utcnow
from studyapp.lti.claims import DL_SETTINGS
from studyapp.lti.models import LaunchState, PlatformUser
from tests.lti.conftest import launch, start_login
from tests.lti.platform import LTI, new_rsa_key

NOW = int(time.time())


def _refused(response, words: str, status: int = 400) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == status, page
    assert "studyapp could not open this LMS link" in page
    assert words in page


def _nobody_signed_in(client) -> None:
    assert client.get("/").status_code == 302


FORGERIES = {
    "aud": ({"aud": "another-tool"}, "meant for another tool"),
    "iss": ({"iss": "https://evil.example"}, "another issuer"),
    "exp": ({"exp": NOW - 3600, "iat": NOW - 4000}, "expired"),
    "iat in the future": ({"iat": NOW + 3600, "exp": NOW + 4000}, "in the future"),
    "iat too old": ({"iat": NOW - 3600, "exp": NOW + 600}, "too long ago"),
    "nonce": ({"nonce": "some-other-nonce"}, "nonce does not match"),
    "azp missing": ({"aud": ["studyapp-client", "other"]}, "no azp"),
    "azp": ({"azp": "other"}, "authorized party"),
    "deployment": ({LTI + "deployment_id": "dep-unknown"}, "deployment"),
    "message type": ({LTI + "message_type": "LtiSubmissionReviewRequest"}, "message type"),
    "version": ({LTI + "version": "1.1"}, "1.3.0"),
    "roles": ({LTI + "roles": None}, "roles"),
    "resource link": ({LTI + "resource_link": {}}, "resource link id"),
    "sub": ({"sub": " "}, "sub"),
    "target link": ({LTI + "target_link_uri": None}, "target link URI"),
    "deep link return": (
        {
            LTI + "message_type": "LtiDeepLinkingRequest",
            DL_SETTINGS: {"accept_types": ["ltiResourceLink"]},
        },
        "deep_link_return_url",
    ),
}


@pytest.mark.parametrize("name", FORGERIES)
def test_a_forged_claim_is_refused(lti_app, lms, name):
    client = lti_app.test_client()
    changes, words = FORGERIES[name]
    auth = start_login(client, lms)
    claims = {**lms.claims(auth["nonce"]), **changes}
    claims = {k: v for k, v in claims.items() if v is not None}
    response = client.post(
        "/lti/launch", data={"id_token": lms.sign(claims), "state": auth["state"]}
    )
    _refused(response, words)
    _nobody_signed_in(client)


def test_a_token_signed_with_another_key_is_refused(lti_app, lms):
    client = lti_app.test_client()
    auth = start_login(client, lms)
    forged = lms.sign(lms.claims(auth["nonce"]), key=new_rsa_key())
    _refused(
        client.post("/lti/launch", data={"id_token": forged, "state": auth["state"]}),
        "signature does not verify",
    )
    _nobody_signed_in(client)


def test_an_unknown_kid_refetches_once_then_refuses(lti_app, lms):
    client = lti_app.test_client()
    assert launch(client, lms).status_code == 302
    fetched = len(lms.requests_to("/jwks"))
    auth = start_login(client, lms)
    forged = lms.sign(lms.claims(auth["nonce"]), key=new_rsa_key(), kid="made-up")
    response = client.post("/lti/launch", data={"id_token": forged, "state": auth["state"]})
    _refused(response, "key the LMS does not publish")
    # Within the minimum refresh time a forged kid does not make us fetch again.
    assert len(lms.requests_to("/jwks")) == fetched


@pytest.mark.parametrize("token", ["not-a-jwt", ""])
def test_garbage_and_missing_tokens_are_refused(lti_app, lms, token):
    client = lti_app.test_client()
    auth = start_login(client, lms)
    response = client.post("/lti/launch", data={"id_token": token, "state": auth["state"]})
    _refused(response, "id_token")


def test_unsigned_and_hmac_tokens_are_refused(lti_app, lms):
    import jwt

    client = lti_app.test_client()
    for alg, key in (("none", None), ("HS256", "studyapp-client" * 3)):
        auth = start_login(client, lms)
        token = jwt.encode(lms.claims(auth["nonce"]), key, algorithm=alg)
        response = client.post("/lti/launch", data={"id_token": token, "state": auth["state"]})
        _refused(response, "RS256")


def test_a_replayed_launch_is_refused(lti_app, lms):
    client = lti_app.test_client()
    auth = start_login(client, lms)
    body = {"id_token": lms.sign(lms.claims(auth["nonce"])), "state": auth["state"]}
    assert client.post("/lti/launch", data=body).status_code == 302
    other = lti_app.test_client()
    other.set_cookie(
        *next((c.key, c.value) for c in client._cookies.values() if c.key.startswith("lti_state_"))
    )
    _refused(other.post("/lti/launch", data=body), "already used")


def test_a_state_that_never_started_here_is_refused(lti_app, lms):
    client = lti_app.test_client()
    auth = start_login(client, lms)
    token = lms.sign(lms.claims(auth["nonce"]))
    _refused(
        client.post("/lti/launch", data={"id_token": token, "state": "forged"}), "Unknown state"
    )


def test_a_launch_without_state_is_refused(lti_app, lms):
    client = lti_app.test_client()
    auth = start_login(client, lms)
    token = lms.sign(lms.claims(auth["nonce"]))
    _refused(client.post("/lti/launch", data={"id_token": token}), "has no state")
    _nobody_signed_in(client)


def test_a_storage_confirmation_of_an_unknown_launch_is_refused(lti_app, lms):
    client = lti_app.test_client()
    _refused(
        client.post("/lti/launch/confirm", data={"state": "never-issued", "binding": "guess"}),
        "Unknown launch",
        403,
    )
    _nobody_signed_in(client)


def test_an_expired_state_is_refused(lti_app, lms, session):
    client = lti_app.test_client()
    auth = start_login(client, lms)
    session.execute(update(LaunchState).values(expires_at=utcnow() - timedelta(seconds=1)))
    session.commit()
    token = lms.sign(lms.claims(auth["nonce"]))
    _refused(
        client.post("/lti/launch", data={"id_token": token, "state": auth["state"]}), "expired"
    )


def test_a_launch_from_another_browser_is_refused(lti_app, lms):
    """Without the login's cookie (and without platform storage) the state proves nothing."""
    auth = start_login(lti_app.test_client(), lms)
    token = lms.sign(lms.claims(auth["nonce"]))
    stranger = lti_app.test_client()
    _refused(
        stranger.post("/lti/launch", data={"id_token": token, "state": auth["state"]}),
        "without the login cookie",
    )


def test_login_initiation_checks_issuer_target_and_deployment(lti_app, lms):
    client = lti_app.test_client()
    base = {"iss": lms.issuer, "login_hint": "h", "target_link_uri": "http://localhost/lti/launch"}
    cases = [
        ({**base, "iss": "https://unknown.example"}, "not registered"),
        ({**base, "target_link_uri": "https://evil.example/lti/launch"}, "not on this site"),
        ({**base, "lti_deployment_id": "nope"}, "deployment"),
        ({"iss": lms.issuer}, "lacks"),
    ]
    for params, words in cases:
        _refused(client.get("/lti/login", query_string=params), words)


def test_a_forged_storage_confirmation_is_refused(lti_app, lms, session):
    client = lti_app.test_client()
    response = client.get(
        "/lti/login",
        query_string={
            "iss": lms.issuer,
            "login_hint": "h",
            "target_link_uri": "http://localhost/lti/launch",
            "lti_storage_target": "_parent",
        },
    )
    assert response.status_code == 200
    state = response.get_data(as_text=True).split('data-key="studyapp-state-')[1].split('"')[0]
    nonce = session.scalar(select(LaunchState.nonce))
    token = lms.sign(lms.claims(nonce))
    stranger = lti_app.test_client()
    page = stranger.post("/lti/launch", data={"id_token": token, "state": state})
    assert page.status_code == 200 and "lti.confirm" not in page.get_data(as_text=True)
    _refused(
        stranger.post("/lti/launch/confirm", data={"state": state, "binding": "guess"}),
        "another browser",
        403,
    )
    _nobody_signed_in(stranger)


def test_an_email_in_a_token_never_signs_into_an_existing_account(lti_app, lms, session):
    from tests import factories

    owner = factories.make_instructor(session, email="lms-user-1@school.test")
    session.commit()
    client = lti_app.test_client()
    assert launch(client, lms).status_code == 302
    link = session.scalar(select(PlatformUser))
    assert link.user_id != owner.id
    assert link.user.email.endswith("@lti.invalid")


def test_keys_and_tokens_are_never_logged(lti_app, lms, runner, caplog):
    caplog.set_level(logging.DEBUG)
    client = lti_app.test_client()
    auth = start_login(client, lms)
    token = lms.sign(lms.claims(auth["nonce"], aud="other"))
    client.post("/lti/launch", data={"id_token": token, "state": auth["state"]})
    lti_app.test_cli_runner().invoke(args=["lti", "rotate-key"])
    text = caplog.text
    assert "LTI refused" in text
    assert token not in text and "PRIVATE KEY" not in text and auth["nonce"] not in text
