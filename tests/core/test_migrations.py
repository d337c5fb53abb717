"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from studyapp import create_app
from studyapp.db import make_engine
from studyapp.migrate import alembic_config, upgrade
from studyapp.models import Base
from tests.conftest import TEST_CONFIG, fresh_database_url


def test_migrations_and_models_agree(tmp_path):
    engine = make_engine(fresh_database_url(tmp_path))
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    engine.dispose()
    assert diff == [], f"models differ from migrations; write a migration: {diff}"


def test_upgrade_is_idempotent_and_reaches_head(tmp_path):
    engine = make_engine(fresh_database_url(tmp_path))
    upgrade(engine)
    upgrade(engine)
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head
    engine.dispose()


def test_app_start_migrates_and_loads_the_banks(tmp_path):
    url = fresh_database_url(tmp_path)
    config = {**TEST_CONFIG, "AUTO_MIGRATE": True, "SYNC_BANKS_ON_START": True, "DATABASE_URL": url}
    app = create_app(config, instance_path=str(tmp_path))
    app.extensions["studyapp.engine"].dispose()
    engine = make_engine(url)
    assert {"users", "courses", "banks", "alembic_version"} <= set(
        inspect(engine).get_table_names()
    )
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM banks")).scalar() >= 6
    engine.dispose()
