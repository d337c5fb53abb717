"""Registration page, the tool's key set, and key rotation."""

from __future__ import annotations

import jwt
from sqlalchemy import select

from studyapp.core.clock import utcnow
from studyapp.lti import keys
from studyapp.lti.models import Platform
from tests import factories
from tests.conftest import csrf_token, login


def test_admin_registers_a_platform_and_sees_the_tool_values(make_app, session, lms):
    app = make_app(WTF_CSRF_ENABLED=True)
    s = app.extensions["studyapp.sessionmaker"]()
    admin = factories.make_instructor(s, is_admin=True)
    s.commit()
    client = app.test_client()
    login(client, admin.email, csrf_token=csrf_token(client, "/login"))
    page = client.get("/admin/lti").get_data(as_text=True)
    for path in ("/lti/login", "/lti/launch", "/lti/jwks"):
        assert f"http://localhost{path}" in page
    data = {**lms.registration(), "csrf_token": csrf_token(client, "/admin/lti")}
    response = client.post("/admin/lti", data=data)
    assert response.status_code == 302
    assert len(s.scalars(select(Platform)).all()) == 1
    # The same issuer and client id again updates the registration instead of adding one.
    data["deployment_ids"] = "dep-1\ndep-2"
    data["csrf_token"] = csrf_token(client, "/admin/lti")
    assert client.post("/admin/lti", data=data).status_code == 302
    s.expire_all()
    platform = s.scalars(select(Platform)).one()
    assert platform.deployment_ids == ["dep-1", "dep-2"]
    s.close()


def test_instructors_who_are_not_admins_cannot_register(instructor_client):
    assert instructor_client.get("/admin/lti").status_code == 403


def test_key_set_is_public_and_stable(client):
    first = client.get("/lti/jwks").get_json()
    assert len(first["keys"]) == 1
    key = first["keys"][0]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and "d" not in key
    assert client.get("/lti/jwks").get_json() == first


def test_rotate_key_keeps_the_old_key_until_its_tokens_expire(app, runner, session, client):
    old = client.get("/lti/jwks").get_json()["keys"][0]["kid"]
    result = runner.invoke(args=["lti", "rotate-key"])
    assert result.exit_code == 0, result.output
    assert "PRIVATE" not in result.output
    kids = [k["kid"] for k in client.get("/lti/jwks").get_json()["keys"]]
    assert len(kids) == 2 and kids[1] == old
    new = kids[0]
    token = keys.sign(session, {"iss": "x"}, utcnow())
    assert jwt.get_unverified_header(token)["kid"] == new
    later = utcnow() + keys.RETIRED_KEY_KEPT + keys.TOKEN_LIFETIME
    assert [k["kid"] for k in keys.public_key_set(session, later)["keys"]] == [new]
