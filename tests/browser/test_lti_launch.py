"""An LTI launch in Chromium, from a minimal LMS page with studyapp in an iframe."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from studyapp.lti import platforms
from tests.conftest import build_app
from tests.lti.platform import FakePlatform, PlatformServer

pytestmark = pytest.mark.browser


@pytest.fixture
def cross_site(tmp_path, database_url):
    """The LMS on localhost and the tool on 127.0.0.1: two sites, as in a school."""
    lms_server = PlatformServer(FakePlatform(), host="localhost")
    lms = lms_server.platform
    app = build_app(tmp_path, database_url, WTF_CSRF_ENABLED=True, LTI_CROSS_SITE_COOKIES=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    s = app.extensions["studyapp.sessionmaker"]()
    platforms.register_platform(s, lms.registration())
    s.commit()
    s.close()
    lms.tool_jwks = lambda: app.test_client().get("/lti/jwks").get_json()
    yield lms, url
    server.shutdown()
    thread.join(timeout=5)
    lms_server.stop()
    app.extensions["studyapp.engine"].dispose()


def test_instructor_launch_inside_the_lms_iframe(cross_site, page: Page):
    lms, tool = cross_site
    login = (
        f"{tool}/lti/login?iss={lms.issuer}&login_hint=h&client_id={lms.client_id}"
        f"&target_link_uri={tool}/lti/launch&lti_storage_target=post_message_forwarding"
    )
    page.goto(f"{lms.url}/course?tool={login.replace('&', '%26').replace('?', '%3F')}")
    frame = page.frame_locator("iframe[name=tool]")
    # Chromium keeps our cookies out of the LMS's page: the login's secret went to the LMS's
    # storage frame and came back, so the launch went through without the state cookie.
    expect(frame.get_by_role("heading", name="You are signed in to studyapp")).to_be_visible(
        timeout=15000
    )
    stored = page.frame("post_message_forwarding").evaluate("() => Object.keys(window.stored)")
    assert len(stored) == 1 and stored[0].startswith("studyapp-state-")
    # A window of its own is first-party: signed in as the LMS's instructor, on the new class.
    with page.context.expect_page() as opened:
        frame.get_by_role("link", name="Open studyapp in a new window").click()
    window = opened.value
    expect(window.get_by_role("heading", name="LMS course-1")).to_be_visible()
    expect(window.get_by_role("link", name="Gradebook")).to_be_visible()
