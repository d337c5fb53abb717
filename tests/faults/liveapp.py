"""A real server for fault tests: gunicorn workers on a database, and a browser-like client."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Gunicorn:
    process: subprocess.Popen
    url: str
    log: Path

    def worker_pids(self) -> list[int]:
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        return [int(p) for p in out.split()]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_gunicorn(
    instance: Path,
    database_url: str,
    workers: int = 2,
    settings: dict[str, str | None] | None = None,
) -> Gunicorn:
    """gunicorn serving the app; waits until /healthz answers.

    ``settings`` adds or replaces environment variables (None removes one).
    """
    port = free_port()
    log = instance / "gunicorn.log"
    instance.mkdir(parents=True, exist_ok=True)
    env: dict[str, str | None] = {
        **os.environ,
        "STUDYAPP_INSTANCE_PATH": str(instance),
        "STUDYAPP_DATABASE_URL": database_url,
        "STUDYAPP_SECRET_KEY": "fault-tests",
        "STUDYAPP_RATELIMIT_ENABLED": "false",
        "STUDYAPP_PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        "STUDYAPP_ANNOUNCE_SETUP": "false",
        "STUDYAPP_SWEEP_INTERVAL_SECONDS": "0",
        "STUDYAPP_PUBLIC_URL": f"http://127.0.0.1:{port}",
        **(settings or {}),
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                str(gunicorn),
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--no-control-socket",
                "--graceful-timeout",
                "2",
                "studyapp:create_app()",
            ],
            env={k: v for k, v in env.items() if v is not None},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Gunicorn(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=2):
                return server
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                server.stop()
                raise RuntimeError("gunicorn did not start:\n" + log.read_text()) from None
            time.sleep(0.2)


class Client:
    """Cookies, CSRF tokens and retries, like a browser tab with the page's script."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.token = ""

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=10) as response:
            page = response.read().decode()
        match = CSRF.search(page)
        self.token = match[1] if match else self.token
        return page

    def post(self, path: str, data: dict, timeout: float = 10) -> tuple[int, bytes, str]:
        body = urllib.parse.urlencode({"csrf_token": self.token, **data}, doseq=True).encode()
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Accept": "application/json"}
        )
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.read(), response.geturl()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), exc.geturl()

    def login(self, email: str, password: str) -> None:
        self.get("/login")
        status, _, url = self.post("/login", {"email": email, "password": password})
        assert status == 200 and not url.endswith("/login"), "login failed"
