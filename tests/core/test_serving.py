"""The production setup for real: gunicorn with several workers, health check, setup link."""

from __future__ import annotations

import subprocess
import sys
import urllib.request

import pytest

from tests.conftest import fresh_database_url
from tests.faults.liveapp import start_gunicorn


def test_gunicorn_workers_serve_the_app_and_print_the_setup_link_once(tmp_path):
    server = start_gunicorn(
        tmp_path / "instance",
        fresh_database_url(tmp_path, "serving"),
        workers=3,
        settings={"STUDYAPP_ANNOUNCE_SETUP": "true"},
    )
    try:
        with urllib.request.urlopen(f"{server.url}/healthz", timeout=5) as health:
            assert b'"status":"ok"' in health.read().replace(b" ", b"")
        with urllib.request.urlopen(f"{server.url}/login", timeout=5) as page:
            assert page.status == 200
    finally:
        server.stop()
    output = server.log.read_text()
    links = [line.strip() for line in output.splitlines() if "/setup/" in line]
    assert len(links) == 1, output
    assert links[0].startswith(f"{server.url}/setup/")
    assert "Traceback" not in output


def test_gunicorn_without_a_shared_secret_key_refuses_to_start_and_says_what_to_set(tmp_path):
    with pytest.raises(RuntimeError, match="did not start") as failed:
        start_gunicorn(
            tmp_path / "instance",
            fresh_database_url(tmp_path, "nokey"),
            settings={"STUDYAPP_SECRET_KEY": None},
        )
    assert "STUDYAPP_SECRET_KEY is not set" in str(failed.value)
    assert "same random value on every server" in str(failed.value)
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_flask_run_alone_still_generates_its_own_key(tmp_path):
    """The README's quick start: one process, the key made into instance/ on first start."""
    code = (
        "import os, sys; sys.argv = ['flask', 'run']; "
        "from studyapp import create_app; "
        "app = create_app({'AUTO_MIGRATE': False, 'SYNC_BANKS_ON_START': False, "
        "'ANNOUNCE_SETUP': False}); print(len(app.secret_key))"
    )
    env = {"STUDYAPP_INSTANCE_PATH": str(tmp_path / "instance"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "64"
    assert (tmp_path / "instance" / "secret_key").exists()
