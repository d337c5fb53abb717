"""Fixtures of the bank tests that use the form editor."""

from __future__ import annotations

import pytest
from bankfiles import write_questions
from sqlalchemy import select

from studyapp.banks import models
from studyapp.banks.sync import sync_banks


@pytest.fixture
def town_bank(app, session, tmp_path):
    """The small town bank of ``bankfiles``, synced from a temporary questions/ folder."""
    root = write_questions(tmp_path / "questions")
    app.config["QUESTIONS_DIR"] = str(root)
    sync_banks(session, root)
    session.commit()
    return session.scalar(select(models.Bank).where(models.Bank.slug == "town"))
