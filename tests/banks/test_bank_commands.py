"""`flask banks sync` and `flask readings add`."""

from pathlib import Path

from bankfiles import write_questions
from sqlalchemy import select

from studyapp.banks import models

SAMPLE = Path(__file__).parent / "data" / "sample-reading.md"


def test_sync_command_loads_and_reports(app, runner, tmp_path):
    app.config["QUESTIONS_DIR"] = str(write_questions(tmp_path / "q"))
    result = runner.invoke(args=["banks", "sync"])
    assert result.exit_code == 0, result.output
    assert "1 bank(s) loaded" in result.output and "2 new question(s)" in result.output


def test_sync_command_exits_nonzero_on_errors(app, runner, tmp_path):
    root = write_questions(tmp_path / "q")
    (root / "bad.yaml").write_text("id: bad\ntitle: Bad\nquestions: 3\n")
    app.config["QUESTIONS_DIR"] = str(root)
    result = runner.invoke(args=["banks", "sync"])
    assert result.exit_code == 1 and "bad.yaml:" in result.output


def test_readings_add_stores_numbered_paragraphs(app, runner, session, tmp_path):
    app.config["QUESTIONS_DIR"] = str(write_questions(tmp_path / "q"))
    result = runner.invoke(args=["readings", "add", str(SAMPLE), "--id", "sample"])
    assert result.exit_code == 0, result.output
    assert "loaded 3 paragraphs" in result.output
    assert session.get(models.Reading, "sample").text_loaded_at is not None


def test_readings_add_refuses_unknown_reading(app, runner, tmp_path):
    app.config["QUESTIONS_DIR"] = str(write_questions(tmp_path / "q"))
    result = runner.invoke(args=["readings", "add", str(SAMPLE), "--id", "nope"])
    assert result.exit_code != 0 and "No reading 'nope'" in result.output


def _synced(app, runner, tmp_path):
    app.config["QUESTIONS_DIR"] = str(write_questions(tmp_path / "q"))
    assert runner.invoke(args=["banks", "sync"]).exit_code == 0


def test_export_command_writes_gift_and_moodle_xml(app, runner, tmp_path):
    _synced(app, runner, tmp_path)
    gift = runner.invoke(args=["banks", "export", "town", "--format", "gift"])
    assert gift.exit_code == 0, gift.output
    assert "$CATEGORY: $course$/top/town" in gift.output
    out = tmp_path / "town.xml"
    xml = runner.invoke(args=["banks", "export", "town", "--format", "moodle-xml", "-o", str(out)])
    assert xml.exit_code == 0, xml.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert '<question type="category">' in text


def test_export_command_refuses_an_unknown_bank(app, runner, tmp_path):
    _synced(app, runner, tmp_path)
    result = runner.invoke(args=["banks", "export", "nope"])
    assert result.exit_code != 0 and "There is no bank 'nope'" in result.output


def test_import_command_reads_moodle_xml_and_gift(app, runner, session, tmp_path):
    _synced(app, runner, tmp_path)
    out = tmp_path / "town.xml"
    runner.invoke(args=["banks", "export", "town", "--format", "moodle-xml", "-o", str(out)])
    result = runner.invoke(args=["banks", "import", str(out), "--id", "town-copy"])
    assert result.exit_code == 0, result.output
    assert "Imported bank 'town-copy'" in result.output
    copy = session.scalar(select(models.Bank).where(models.Bank.slug == "town-copy"))
    town = session.scalar(select(models.Bank).where(models.Bank.slug == "town"))
    assert sorted(q.key for q in copy.questions) == sorted(q.key for q in town.questions)
    gift = tmp_path / "moodle.gift"
    gift.write_text("::Capital::Capital of Turkey? {=Ankara ~Izmir}\n", encoding="utf-8")
    result = runner.invoke(args=["banks", "import", str(gift), "--title", "From Moodle"])
    assert result.exit_code == 0, result.output
    assert "no general feedback" in result.output and "Imported bank 'moodle'" in result.output


def test_import_command_lists_every_reason_when_nothing_imports(app, runner, tmp_path):
    _synced(app, runner, tmp_path)
    gift = tmp_path / "broken.gift"
    gift.write_text("::A::Unclosed {=x\n\n::B::Only words\n", encoding="utf-8")
    result = runner.invoke(args=["banks", "import", str(gift)])
    assert result.exit_code == 1
    assert "question 1 'A'" in result.output and "question 2 'B'" in result.output


def test_import_command_replaces_a_bank_it_imported_before(app, runner, session, tmp_path):
    _synced(app, runner, tmp_path)
    gift = tmp_path / "moodle.gift"
    gift.write_text("::One::First? {T}\n", encoding="utf-8")
    assert runner.invoke(args=["banks", "import", str(gift)]).exit_code == 0
    gift.write_text("::One::First? {T}\n\n::Two::Second? {F}\n", encoding="utf-8")
    result = runner.invoke(args=["banks", "import", str(gift)])
    assert result.exit_code == 0, result.output
    bank = session.scalar(select(models.Bank).where(models.Bank.slug == "moodle"))
    session.refresh(bank)
    assert sorted(q.key for q in bank.questions) == ["one", "two"]
