"""Syncing bank files: upsert by id, a version per change, retire what vanished, keep issues."""

from __future__ import annotations

import pytest
from bankfiles import BANK, write_questions
from sqlalchemy import select

from studyapp.banks import models, services
from studyapp.banks.sync import sync_banks


@pytest.fixture
def qdir(tmp_path):
    return write_questions(tmp_path / "questions")


def _bank(session) -> models.Bank:
    return services.get_bank(session, session.scalar(select(models.Bank.id)))


def test_first_sync_creates_bank_questions_and_readings(session, qdir):
    report = sync_banks(session, qdir)
    assert (report.banks, report.created, report.errors) == (1, 2, [])
    bank = _bank(session)
    assert bank.slug == "town" and bank.path == "town.yaml"
    assert [q.key for q in bank.questions] == ["trade", "bridge"]
    assert session.get(models.Reading, "sample").paragraph_count == 3


def test_unchanged_file_is_skipped(session, qdir):
    sync_banks(session, qdir)
    report = sync_banks(session, qdir)
    assert report.unchanged_files == 1 and report.new_versions == 0


def test_editing_a_question_makes_a_new_version_and_keeps_the_old(session, qdir):
    sync_banks(session, qdir)
    (qdir / "town.yaml").write_text(
        BANK.replace("What did the town trade", "What did the town sell")
    )
    report = sync_banks(session, qdir)
    assert report.new_versions == 1
    trade = services.get_question(session, _bank(session), "trade")
    assert [v.number for v in trade.versions] == [1, 2]
    assert "trade for grain" in trade.versions[0].content["prompt"]
    assert "sell" in services.current_version(trade).content["prompt"]


def test_reordering_keys_in_the_file_is_not_a_change(session, qdir):
    sync_banks(session, qdir)
    reordered = BANK.replace(
        "    source: ¶2\n    explanation: After a flood and after a fire.\n",
        "    explanation: After a flood and after a fire.\n    source: ¶2\n",
    )
    (qdir / "town.yaml").write_text(reordered)
    assert sync_banks(session, qdir).new_versions == 0


def test_question_gone_from_the_file_is_retired_not_deleted(session, qdir):
    sync_banks(session, qdir)
    (qdir / "town.yaml").write_text(BANK.split("  - id: bridge")[0])
    report = sync_banks(session, qdir)
    assert report.retired == 1
    bridge = services.get_question(session, _bank(session), "bridge")
    assert bridge.retired_at is not None and bridge.versions
    (qdir / "town.yaml").write_text(BANK)
    sync_banks(session, qdir)
    assert services.get_question(session, _bank(session), "bridge").retired_at is None


def test_broken_file_keeps_its_bank_and_records_issues(session, qdir):
    sync_banks(session, qdir)
    (qdir / "town.yaml").write_text(BANK.replace("answer: A", "answer: E"))
    (qdir / "other.yaml").write_text(BANK.replace("id: town", "id: other"))
    report = sync_banks(session, qdir)
    assert any("town.yaml:" in e and "'E'" in e for e in report.errors)
    assert session.scalar(select(models.Bank).where(models.Bank.slug == "other")) is not None
    issues = services.list_issues(session, "town.yaml")
    assert issues and issues[0].question_key == "trade" and issues[0].line > 1
    trade = services.get_question(session, _bank(session), "trade")
    assert trade.current_number == 1


def test_deleted_file_retires_the_bank(session, qdir):
    sync_banks(session, qdir)
    (qdir / "town.yaml").unlink()
    sync_banks(session, qdir)
    assert _bank(session).retired_at is not None


def test_browser_edit_survives_a_sync_of_an_unchanged_question(session, qdir, instructor):
    sync_banks(session, qdir)
    bank = _bank(session)
    snippet = services.question_yaml(services.bank_content(bank).questions[0])
    services.save_question(
        session, bank, snippet.replace("town trade", "town swap"), instructor, "trade"
    )
    # The file changes another question: the browser edit of 'trade' stays.
    (qdir / "town.yaml").write_text(BANK.replace("rebuilt twice", "rebuilt two times"))
    report = sync_banks(session, qdir)
    assert (
        "swap"
        in services.current_version(services.get_question(session, bank, "trade")).content["prompt"]
    )
    assert report.warnings == []


def test_file_change_to_a_browser_edited_question_wins_and_warns(session, qdir, instructor):
    sync_banks(session, qdir)
    bank = _bank(session)
    snippet = services.question_yaml(services.bank_content(bank).questions[0])
    services.save_question(
        session, bank, snippet.replace("town trade", "town swap"), instructor, "trade"
    )
    (qdir / "town.yaml").write_text(BANK.replace("town trade", "town sell"))
    report = sync_banks(session, qdir)
    trade = services.get_question(session, bank, "trade")
    assert "sell" in services.current_version(trade).content["prompt"]
    assert [v.origin.value for v in trade.versions] == ["file", "web", "file"]
    assert any("edited in the browser" in w for w in report.warnings)


def test_every_bank_in_questions_syncs_without_errors(session, app):
    from pathlib import Path

    from studyapp.banks.loader import load_banks, load_readings

    root = Path(app.config["QUESTIONS_DIR"])
    readings, _ = load_readings(root / "readings.yaml")
    results = load_banks(root, readings)
    in_files = sum(len(r.bank.questions) for r in results if r.bank)
    report = sync_banks(session, root)
    assert report.errors == []
    # Every question of every bank reaches the database (the banks hold well over 100).
    assert report.created == in_files > 100


MATCHING = (
    BANK
    + """  - id: events
    type: matching
    prompt: Match each event to what followed it.
    source: ¶3
    explanation: In the order the reading tells them.
    pairs:
      The great flood of the river: The bridge fell
      A fire: The market moved
      Peace: Trade came back
"""
)


def _lefts(session) -> list[str]:
    session.expire_all()
    events = services.get_question(session, _bank(session), "events")
    return list(services.current_version(events).content["pairs"])


def test_a_matching_questions_statements_keep_the_written_order(session, tmp_path):
    # Written longest first: PostgreSQL's jsonb would hand them back shortest first.
    sync_banks(session, write_questions(tmp_path / "questions", MATCHING))
    session.commit()
    assert _lefts(session) == ["The great flood of the river", "A fire", "Peace"]


def test_moving_a_matching_pair_is_a_change_and_other_key_orders_are_not(session, tmp_path):
    qdir = write_questions(tmp_path / "questions", MATCHING)
    sync_banks(session, qdir)
    session.commit()
    moved = MATCHING.replace(
        "      The great flood of the river: The bridge fell\n      A fire: The market moved\n",
        "      A fire: The market moved\n      The great flood of the river: The bridge fell\n",
    )
    (qdir / "town.yaml").write_text(moved)
    assert sync_banks(session, qdir).new_versions == 1
    session.commit()
    assert _lefts(session) == ["A fire", "The great flood of the river", "Peace"]
    reworded = moved.replace(
        "    source: ¶3\n    explanation: In the order the reading tells them.\n",
        "    explanation: In the order the reading tells them.\n    source: ¶3\n",
    )
    (qdir / "town.yaml").write_text(reworded)
    assert sync_banks(session, qdir).new_versions == 0
