"""Browser-test fixtures: Debian's Chromium, a live server, and axe-core on every page.

Chromium comes from the system (``apt-get install -y chromium``); nothing here
downloads a browser. Without it the browser tests skip, except under CI=true.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium instead of a downloaded build."""
    if not Path(CHROMIUM).exists():
        message = (
            f"Chromium not found at {CHROMIUM}: install it with 'apt-get install -y chromium' "
            "(or set CHROMIUM_PATH) to run the browser tests"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@dataclass
class LiveServer:
    app: object
    url: str


@pytest.fixture
def live_server(tmp_path, database_url) -> Iterator[LiveServer]:
    """The app served on a free local port in a background thread, with CSRF on."""
    from tests.conftest import build_app

    app = build_app(tmp_path, database_url, WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_URL"] = url
    yield LiveServer(app, url)
    server.shutdown()
    thread.join(timeout=5)
    app.extensions["studyapp.engine"].dispose()


class AccessibilityLog:
    """Audits every page load of the pages it watches with axe-core."""

    def __init__(self) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.checked: list[str] = []
        self.violations: list[str] = []

    def watch(self, page) -> None:
        page.on("load", self.audit)

    def audit(self, page) -> None:
        try:
            result = self.axe.run(page)
        except Exception:  # noqa: BLE001 - the page navigated on mid-audit; its successor is audited
            return
        self.checked.append(page.url)
        for v in result.response["violations"]:
            if v.get("impact") in BLOCKING_IMPACTS:
                targets = [n["target"] for n in v["nodes"]][:3]
                self.violations.append(f"{page.url}: {v['id']} ({v['impact']}) at {targets}")


@pytest.fixture
def a11y(page) -> Iterator[AccessibilityLog]:
    """Run axe-core on every load of ``page`` (and of pages passed to ``watch``);
    fail the test on serious or critical violations."""
    log = AccessibilityLog()
    log.watch(page)
    yield log
    assert not log.violations, "accessibility violations:\n" + "\n".join(log.violations)


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-GB", "timezone_id": "Europe/Istanbul"}


def log_in(page, base_url: str, email: str, password: str) -> None:
    """Log in through the login form, as a person would."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")


def make_class(session, name: str = "Turkey and Russia"):
    """An instructor's class with one enrolled student: (teacher, course, student)."""
    from tests import factories

    teacher = factories.make_instructor(session)
    course = factories.make_course(session, teacher, name=name)
    student = factories.make_user(session, name="Selin Student")
    factories.make_enrollment(session, course, student)
    return teacher, course, student
