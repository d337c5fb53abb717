"""Fixtures for the LTI tests: a platform on real HTTP and launches through its flow."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from studyapp.lti import platforms, tokens
from tests.lti.platform import FakePlatform, PlatformServer, parse_redirect


@pytest.fixture(autouse=True)
def _no_cached_service_tokens():
    tokens.forget_tokens()
    yield
    tokens.forget_tokens()


@pytest.fixture
def lms() -> Iterator[FakePlatform]:
    server = PlatformServer(FakePlatform())
    yield server.platform
    server.stop()


@pytest.fixture
def lti_app(app, lms):
    """The app with the test LMS registered; the LMS checks assertions against our key set."""
    s = app.extensions["studyapp.sessionmaker"]()
    platforms.register_platform(s, lms.registration())
    s.commit()
    s.close()
    lms.tool_jwks = lambda: app.test_client().get("/lti/jwks").get_json()
    return app


def start_login(client: FlaskClient, lms: FakePlatform, **extra) -> dict[str, str]:
    """Login initiation as the LMS sends it; returns the auth request's parameters."""
    params = {
        "iss": lms.issuer,
        "login_hint": "hint-1",
        "target_link_uri": "http://localhost/lti/launch",
        "client_id": lms.client_id,
        "lti_deployment_id": lms.deployment_id,
        **extra,
    }
    response = client.get("/lti/login", query_string=params)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].startswith(f"{lms.url}/auth?")
    return parse_redirect(response.headers["Location"])


def launch(client: FlaskClient, lms: FakePlatform, token: str | None = None, **claims):
    """A whole launch: login initiation, then the id token posted with the state."""
    auth = start_login(client, lms)
    if token is None:
        token = lms.sign(lms.claims(auth["nonce"], **claims))
    return client.post("/lti/launch", data={"id_token": token, "state": auth["state"]})
