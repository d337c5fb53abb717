"""The production setup for real: gunicorn with several workers, health check, setup link."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import fresh_database_url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, seconds: float = 30) -> bytes:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_gunicorn_workers_serve_the_app_and_print_the_setup_link(tmp_path):
    port = _free_port()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    env = {
        **os.environ,
        "STUDYAPP_INSTANCE_PATH": str(tmp_path / "instance"),
        "STUDYAPP_DATABASE_URL": fresh_database_url(tmp_path, "serving"),
        "STUDYAPP_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                str(gunicorn),
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--no-control-socket",
                "studyapp:create_app()",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        body = _wait_for(f"http://127.0.0.1:{port}/healthz")
        assert b'"status":"ok"' in body.replace(b" ", b"")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as page:
            assert page.status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    output = log.read_text()
    link = next(line.strip() for line in output.splitlines() if "/setup/" in line)
    assert link.startswith(f"http://127.0.0.1:{port}/setup/")
    assert "Traceback" not in output
    assert (tmp_path / "instance" / "secret_key").exists()
