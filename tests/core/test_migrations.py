"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from studyapp import create_app
from studyapp.banks import models as bank_models
from studyapp.banks.sync import sync_banks
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


ORDER_BANK = """id: order
title: Order
questions:
  - id: events
    type: matching
    prompt: Match each event to what followed it.
    explanation: In the order they happened.
    pairs:
      The great flood of the river: The bridge fell
      A fire: The market moved
      Peace: Trade came back
"""


def test_content_keeps_its_written_order_after_the_upgrade_that_stops_sorting_keys(tmp_path):
    """Versions stored before 0012 (sorted on PostgreSQL) are put back in the file's order by
    the next sync, and only those; on SQLite nothing had been reordered, so nothing changes."""

    questions = tmp_path / "questions"
    questions.mkdir()
    (questions / "order.yaml").write_text(ORDER_BANK)
    engine = make_engine(fresh_database_url(tmp_path))
    upgrade(engine, "0011")

    def sync_and_read() -> tuple[int, list[str]]:
        with Session(engine) as session:
            report = sync_banks(session, questions)
            session.commit()
            version = session.scalars(
                select(bank_models.QuestionVersion).order_by(bank_models.QuestionVersion.id.desc())
            ).first()
            return report.new_versions, list(version.content["pairs"])

    written = ["The great flood of the river", "A fire", "Peace"]
    _, before = sync_and_read()
    upgrade(engine)
    new_versions, after = sync_and_read()
    assert after == written
    if engine.dialect.name == "postgresql":
        assert before != written and new_versions == 1
    else:
        assert before == written and new_versions == 0
    assert sync_and_read()[0] == 0
    engine.dispose()
