"""`flask banks check`, run through click's CliRunner on the command itself (no app factory)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.cli import FlaskGroup

from studyapp.banks.cli import banks_cli, check_command

READINGS = """\
readings:
  - id: aras
    title: Turkey and Russia
    author: Bulent Aras
    published: 2019-09
    paragraphs: 10
"""
GOOD = """\
id: {bank}
title: Good
questions:
  - id: q1
    type: truefalse
    prompt: p
    explanation: e
    source: aras ¶2
    answer: true
  - id: q2
    type: essay
    prompt: p
    points: 2
    explanation: e
    model_answer: m
    rubric:
      - criterion: c
        points: 1
"""
BAD = """\
id: bad
title: Bad
questions:
  - id: q1
    type: single
    prompt: p
    explanation: e
    choices: {{A: a, B: b}}
    answer: E
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A questions folder with readings and one good bank (one warning)."""
    (tmp_path / "readings.yaml").write_text(READINGS)
    (tmp_path / "good.yaml").write_text(GOOD.format(bank="good"))
    return tmp_path


def run(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(check_command, list(args))
    return result.exit_code, result.output.splitlines()


def test_clean_folder_passes_and_prints_warnings(folder):
    code, lines = run(str(folder))
    assert code == 0
    assert lines == [
        f"{folder / 'good.yaml'}:16: warning: question 'q2': rubric points add up to 1, "
        "but the question is worth 2",
        "1 file(s): 0 errors, 1 warnings",
    ]


def test_errors_fail_with_status_1(folder):
    (folder / "bad.yaml").write_text(BAD.format())
    code, lines = run(str(folder))
    assert code == 1
    assert (
        f"{folder / 'bad.yaml'}:9: question 'q1': answer 'E' is not one of the choices A, B"
        in lines
    )
    assert lines[-1] == "2 file(s): 1 errors, 1 warnings"


def test_single_file_uses_readings_beside_it(folder):
    code, lines = run(str(folder / "good.yaml"))
    assert (code, lines[-1]) == (0, "1 file(s): 0 errors, 1 warnings")


def test_readings_option_and_readings_errors(folder, tmp_path_factory):
    other = tmp_path_factory.mktemp("other") / "readings.yaml"
    other.write_text("readings:\n  - id: aras\n    title: t\n")
    code, lines = run("--readings", str(other), str(folder / "good.yaml"))
    assert code == 1
    assert f"{other}:2: question 'aras': missing required key 'author'" in lines
    assert any("names unknown reading 'aras' (no readings are loaded)" in line for line in lines)


def test_missing_readings_file_is_an_error(tmp_path):
    (tmp_path / "good.yaml").write_text(GOOD.format(bank="good"))
    code, lines = run("--readings", str(tmp_path / "none.yaml"), str(tmp_path))
    assert code == 1
    missing = tmp_path / "none.yaml"
    assert lines[0] == f"{missing}:1: cannot read the file: No such file or directory"


def test_duplicate_bank_ids_across_files(folder):
    (folder / "copy.yaml").write_text(GOOD.format(bank="good"))
    code, lines = run(str(folder))
    assert code == 1
    assert (
        f"{folder / 'good.yaml'}:1: bank id 'good' is already used by {folder / 'copy.yaml'}"
        in lines
    )


def test_default_folder_is_questions_in_the_working_directory(folder, monkeypatch):
    questions = folder / "questions"
    questions.mkdir()
    (questions / "readings.yaml").write_text(READINGS)
    (questions / "bad.yaml").write_text(BAD.format())
    monkeypatch.chdir(folder)
    code, lines = run()
    assert code == 1
    assert lines[0].startswith("questions/bad.yaml:9: question 'q1': ")


def test_default_folder_comes_from_app_config(folder):
    app = Flask("cli-test")
    app.config["QUESTIONS_DIR"] = str(folder)
    with app.app_context():
        code, lines = run()
    assert (code, lines[-1]) == (0, "1 file(s): 0 errors, 1 warnings")


def test_empty_folder(tmp_path):
    (tmp_path / "readings.yaml").write_text(READINGS)
    assert run(str(tmp_path)) == (0, ["0 file(s): 0 errors, 0 warnings"])


def test_group_has_the_check_command():
    assert banks_cli.name == "banks"
    assert banks_cli.commands["check"] is check_command


def test_flask_cli_finds_questions_dir_of_the_app_it_loads(folder):
    app = Flask("cli-test")
    app.config["QUESTIONS_DIR"] = str(folder)
    cli = FlaskGroup(create_app=lambda: app, add_default_commands=False)
    cli.add_command(banks_cli)
    result = CliRunner().invoke(cli, ["banks", "check"])
    assert (result.exit_code, result.output.splitlines()[-1]) == (
        0,
        "1 file(s): 0 errors, 1 warnings",
    )
