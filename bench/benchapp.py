"""The app the in-process benchmarks measure: a fresh schema in a temporary folder or a given
database, with the switches that would measure something else (CSRF, rate limits, the sweep,
a full-cost password hash while seeding) turned off."""

from __future__ import annotations

import tempfile

from flask import Flask

from studyapp import create_app
from studyapp.db import Base


def fresh_app(database_url: str | None) -> Flask:
    """An app on an emptied schema: ``database_url``, or SQLite in a new temporary folder."""
    tmp = tempfile.mkdtemp(prefix="studyapp-bench-")
    app = create_app(
        {
            "DATABASE_URL": database_url or f"sqlite:///{tmp}/bench.sqlite3",
            "SECRET_KEY": "bench",
            "AUTO_MIGRATE": False,
            "SYNC_BANKS_ON_START": False,
            "ANNOUNCE_SETUP": False,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "SWEEP_INTERVAL_SECONDS": 0,
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        },
        instance_path=tmp,
    )
    engine = app.extensions["studyapp.engine"]
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    return app
