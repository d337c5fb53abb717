"""An LMS of our own for the tests: real HTTP on 127.0.0.1, in a thread.

It holds an RSA key and serves its key set, signs id tokens, answers the OIDC auth request
(auto-posting the launch, as an LMS does), issues service tokens after checking the tool's
signed client assertion, keeps line items and scores (AGS) and a roster (NRPS), and
records every request it received.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, Response, jsonify, request
from markupsafe import escape
from werkzeug.serving import make_server

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def new_rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(private, kid: str) -> dict[str, Any]:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    jwk.update(kid=kid, alg="RS256", use="sig")
    return jwk


@dataclass
class Received:
    method: str
    path: str
    body: Any
    headers: dict[str, str]


@dataclass
class FakePlatform:
    url: str = ""
    client_id: str = "studyapp-client"
    deployment_id: str = "dep-1"
    key: Any = field(default_factory=new_rsa_key)
    kid: str = "platform-key-1"
    received: list[Received] = field(default_factory=list)
    line_items: dict[str, dict] = field(default_factory=dict)
    scores: list[dict] = field(default_factory=list)
    members: dict[str, list[dict]] = field(default_factory=dict)
    #: Score posts answer this status this many times before they succeed.
    fail_scores: list[int] = field(default_factory=list)
    #: Given the tool's key set, checks client assertions (set by the tests).
    tool_jwks: Any = None
    #: The next launch's claims for the browser flow (the auth endpoint signs them).
    next_claims: dict[str, Any] = field(default_factory=dict)
    storage: dict[str, str] = field(default_factory=dict)

    @property
    def issuer(self) -> str:
        return self.url

    def registration(self) -> dict[str, str]:
        return {
            "name": "Test LMS",
            "issuer": self.issuer,
            "client_id": self.client_id,
            "deployment_ids": self.deployment_id,
            "auth_login_url": f"{self.url}/auth",
            "token_url": f"{self.url}/token",
            "jwks_url": f"{self.url}/jwks",
        }

    def rotate(self) -> None:
        self.key, self.kid = new_rsa_key(), f"platform-key-{secrets.token_hex(3)}"

    def sign(self, claims: dict[str, Any], key=None, kid: str | None = None, **header) -> str:
        pem = (key or self.key).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return jwt.encode(
            claims, pem, algorithm="RS256", headers={"kid": kid or self.kid, **header}
        )

    def claims(
        self,
        nonce: str,
        *,
        sub: str = "lms-user-1",
        roles: tuple[str, ...] = (INSTRUCTOR,),
        context: str = "course-1",
        message_type: str = "LtiResourceLinkRequest",
        target: str = "http://localhost/lti/launch",
        **extra: Any,
    ) -> dict[str, Any]:
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": f"Person {sub}",
            "email": f"{sub}@school.test",
            LTI + "message_type": message_type,
            LTI + "version": "1.3.0",
            LTI + "deployment_id": self.deployment_id,
            LTI + "target_link_uri": target,
            LTI + "roles": list(roles),
            LTI + "context": {"id": context, "title": f"LMS {context}"},
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": [
                    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                ],
                "lineitems": f"{self.url}/{context}/lineitems",
            },
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": f"{self.url}/{context}/memberships",
                "service_versions": ["2.0"],
            },
        }
        if message_type == "LtiResourceLinkRequest":
            body[LTI + "resource_link"] = {"id": f"link-{context}"}
        else:
            body["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
                "deep_link_return_url": f"{self.url}/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "data": "opaque-data",
            }
        body.update(extra)
        return body

    def accept_deep_link(self, token: str, context: str = "course-1") -> dict[str, Any]:
        """Do what an LMS does with a deep-linking response: verify it, add the link and its
        gradebook column, and return the claims a launch of that link carries."""
        header = jwt.get_unverified_header(token)
        keys = {k["kid"]: k for k in self.tool_jwks()["keys"]}
        body = jwt.decode(
            token,
            jwt.PyJWK(keys[header["kid"]]),
            algorithms=["RS256"],
            audience=self.issuer,
            issuer=self.client_id,
        )
        self.deep_link_body = body
        item = body["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"][0]
        url = f"{self.url}/{context}/lineitems/{len(self.line_items) + 1}"
        self.line_items[url] = {**item["lineItem"], "id": url}
        return {
            LTI + "custom": item["custom"],
            LTI + "resource_link": {"id": f"link-{len(self.line_items)}", "title": item["title"]},
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
                "lineitems": f"{self.url}/{context}/lineitems",
                "lineitem": url,
            },
        }

    def requests_to(self, path_part: str) -> list[Received]:
        return [r for r in self.received if path_part in r.path]

    # --- the HTTP side ----------------------------------------------------------------

    def app(self) -> Flask:
        app = Flask("fake_platform")

        @app.before_request
        def record():
            body = request.get_json(silent=True) if request.is_json else request.form.to_dict()
            self.received.append(
                Received(request.method, request.full_path, body, dict(request.headers))
            )

        @app.get("/jwks")
        def jwks():
            return jsonify(keys=[public_jwk(self.key, self.kid)])

        @app.route("/auth", methods=["GET", "POST"])
        def auth():
            # An LMS checks the login hint and redirect URI, then posts the id token back.
            args = request.values
            claims = self.claims(args["nonce"], **self.next_claims)
            token = self.sign(claims)
            return Response(
                "<!doctype html><title>LMS</title><form id=f method=post action='"
                + str(escape(args["redirect_uri"]))
                + "'><input type=hidden name=id_token value='"
                + token
                + "'>"
                "<input type=hidden name=state value='" + str(escape(args["state"])) + "'></form>"
                "<script>document.getElementById('f').submit()</script>",
                mimetype="text/html",
            )

        @app.post("/token")
        def token():
            assertion = request.form["client_assertion"]
            header = jwt.get_unverified_header(assertion)
            keys = {k["kid"]: k for k in self.tool_jwks()["keys"]}
            if header.get("kid") not in keys:
                return jsonify(error="invalid_client"), 401
            jwt.decode(
                assertion,
                jwt.PyJWK(keys[header["kid"]]),
                algorithms=["RS256"],
                audience=f"{self.url}/token",
                issuer=self.client_id,
            )
            return jsonify(
                access_token="at-" + secrets.token_hex(8),
                token_type="bearer",
                expires_in=3600,
                scope=request.form["scope"],
            )

        def authorized() -> bool:
            return request.headers.get("Authorization", "").startswith("Bearer at-")

        @app.route("/<context>/lineitems", methods=["GET", "POST"])
        def lineitems(context: str):
            if not authorized():
                return jsonify(error="unauthorized"), 401
            if request.method == "POST":
                item_id = f"{self.url}/{context}/lineitems/{len(self.line_items) + 1}"
                self.line_items[item_id] = {**request.get_json(), "id": item_id}
                return jsonify(self.line_items[item_id]), 201
            wanted = request.args.get("resource_id")
            return jsonify(
                [
                    i
                    for k, i in self.line_items.items()
                    if f"/{context}/" in k and (wanted is None or i.get("resourceId") == wanted)
                ]
            )

        @app.post("/<context>/lineitems/<int:number>/scores")
        def scores(context: str, number: int):
            if not authorized():
                return jsonify(error="unauthorized"), 401
            if self.fail_scores:
                status = self.fail_scores.pop(0)
                return jsonify(error=f"LMS trouble {status}"), status
            self.scores.append({"lineitem": f"/{context}/lineitems/{number}", **request.get_json()})
            return "", 204

        @app.get("/<context>/memberships")
        def memberships(context: str):
            if not authorized():
                return jsonify(error="unauthorized"), 401
            people = self.members.get(context, [])
            page = int(request.args.get("page", 1))
            chunk = people[(page - 1) * 2 : page * 2]
            response = jsonify(id=request.url, context={"id": context}, members=chunk)
            if page * 2 < len(people):
                response.headers["Link"] = (
                    f'<{self.url}/{context}/memberships?page={page + 1}>; rel="next"'
                )
            return response

        @app.get("/course")
        def course_page():
            # A minimal LMS course page: the tool in an iframe beside the LMS's storage frame.
            tool = request.args["tool"]
            return Response(
                "<!doctype html><html lang=en><title>LMS course</title><h1>LMS course</h1>"
                "<iframe name=post_message_forwarding src='/storage-frame' hidden></iframe>"
                "<iframe name=tool title='studyapp' width=900 height=600 src='"
                + str(escape(tool))
                + "'></iframe></html>",
                mimetype="text/html",
            )

        @app.get("/storage-frame")
        def storage_frame():
            # The platform side of lti-cs-oidc: keeps values per key for the tool's frames.
            return Response(
                "<!doctype html><title>storage</title><script>"
                "window.stored = {};"
                "window.addEventListener('message', function (e) {"
                "  var d = e.data || {}; var reply = {message_id: d.message_id, key: d.key};"
                "  if (d.subject === 'lti.put_data') { window.stored[d.key] = d.value;"
                "    reply.subject = 'lti.put_data.response'; reply.value = d.value; }"
                "  else if (d.subject === 'lti.get_data') {"
                "    reply.subject = 'lti.get_data.response';"
                "    reply.value = window.stored[d.key]; }"
                "  else { return; }"
                "  e.source.postMessage(reply, e.origin);"
                "});</script>",
                mimetype="text/html",
            )

        @app.post("/deep-link-return")
        def deep_link_return():
            self.deep_link_jwt = request.form["JWT"]
            return "<!doctype html><title>LMS</title><p>Content added</p>"

        return app


def parse_redirect(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


class PlatformServer:
    """Serve a FakePlatform on a free port until stopped."""

    def __init__(self, platform: FakePlatform, host: str = "127.0.0.1") -> None:
        self.platform = platform
        self.server = make_server("127.0.0.1", 0, platform.app(), threaded=True)
        # "localhost" makes the LMS another site than a tool on 127.0.0.1, as in real life.
        platform.url = f"http://{host}:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)
