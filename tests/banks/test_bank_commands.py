"""`flask banks sync` and `flask readings add`."""

from pathlib import Path

from bankfiles import write_questions

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
