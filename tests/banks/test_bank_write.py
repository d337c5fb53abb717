"""`flask banks write`: browser edits go back into questions/, unchanged lines stay as written,
and a sync afterwards changes nothing, for every question type."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from studyapp.banks import models, services
from studyapp.banks.content import question_from_doc
from studyapp.banks.schema import freeze
from studyapp.banks.starters import TYPES, starter
from studyapp.banks.sync import sync_banks
from studyapp.banks.writeback import list_behind
from studyapp.core.clock import utcnow

REAL_QUESTIONS = Path(__file__).resolve().parents[2] / "questions"
COMMENT = "    # Checked against the reading by hand; keep this note.\n"


@pytest.fixture
def qdir(app, tmp_path):
    """A copy of the real banks, with hand-written comments in one file."""
    root = tmp_path / "questions"
    shutil.copytree(REAL_QUESTIONS, root)
    path = root / "astana-process.yaml"
    lines = path.read_text().splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith("  - id: ")]
    # Inside the second question (the first of each type gets edited) and before the first.
    lines.insert(starts[1] + 1, COMMENT)
    lines.insert(starts[0], "  # The first question sets the scene.\n")
    path.write_text("".join(lines))
    app.config["QUESTIONS_DIR"] = str(root)
    return root


def _snapshot(session) -> dict[tuple[str, str], tuple[int, str, bool]]:
    session.expire_all()
    rows = session.execute(
        select(
            models.Bank.slug,
            models.Question.key,
            models.Question.current_number,
            models.QuestionVersion.content_hash,
            models.Question.retired_at,
        )
        .join(models.Question, models.Question.bank_id == models.Bank.id)
        .join(
            models.QuestionVersion,
            (models.QuestionVersion.question_id == models.Question.id)
            & (models.QuestionVersion.number == models.Question.current_number),
        )
    ).all()
    return {(b, k): (n, h, r is None) for b, k, n, h, r in rows}


def _edit(session, instructor, bank, question):
    """Change the prompt and explanation, as the browser editor saves them; a single choice
    also gets the form's "keep the written order" (`shuffle: false`)."""
    content = question_from_doc(services.current_version(question).content)
    spec = {**content.spec, "shuffle": False} if content.type == "single" else content.spec
    edited = dataclasses.replace(
        content,
        prompt=content.prompt.rstrip() + " (Answer from the reading.)",
        explanation=content.explanation.rstrip() + "\nSee the cited paragraph.",
        spec=freeze(spec),
    )
    services.save_question(
        session, bank, services.question_yaml(edited), instructor, key=question.key
    )


def test_browser_edits_of_every_type_are_written_back_and_a_sync_then_changes_nothing(
    app, runner, session, qdir, instructor
):
    sync_banks(session, qdir)
    session.commit()
    originals = {p.name: p.read_text() for p in qdir.glob("*.yaml")}
    banks = {b.slug: services.get_bank(session, b.id) for b in session.scalars(select(models.Bank))}
    edited_types = {}
    for bank in banks.values():
        for question in bank.questions:
            kind = services.current_version(question).type
            if kind not in edited_types:
                _edit(session, instructor, bank, question)
                edited_types[kind] = (bank.slug, question.key)
    assert set(edited_types) == set(TYPES)
    # A question added to a file bank, one retired there, and a whole bank made in the browser.
    s400 = banks["s400-costs"]
    services.save_question(
        session, s400, starter("numeric", "aras", qid="added-in-browser"), instructor
    )
    retired_key = s400.questions[1].key
    services.set_retired(session, s400.questions[1], True, utcnow(), instructor)
    web = services.create_bank(
        session, slug="web-made", title="Made in the browser", description="", source="aras"
    )
    for kind in TYPES:
        services.save_question(session, web, starter(kind, "aras", qid=f"web-{kind}"), instructor)
    session.commit()
    behind = {p.path for p in list_behind(session, qdir)}
    assert {"web-made.yaml", "s400-costs.yaml"} | {
        f"{b}.yaml" for b, _ in edited_types.values()
    } == behind

    result = runner.invoke(args=["banks", "write"])
    assert result.exit_code == 0, result.output
    assert "wrote web-made.yaml (new file)" in result.output
    assert "wrote s400-costs.yaml" in result.output and "1 added" in result.output
    assert "1 removed" in result.output

    before = _snapshot(session)
    report = sync_banks(session, qdir)
    session.commit()
    assert report.errors == []
    assert (report.created, report.new_versions, report.retired) == (0, 0, 0)
    assert _snapshot(session) == before
    assert list_behind(session, qdir) == []
    # Writing again finds nothing to write.
    assert "0 file(s) written" in runner.invoke(args=["banks", "write"]).output

    # Lines of the questions that did not change are exactly as they were, comments included.
    astana = (qdir / "astana-process.yaml").read_text()
    assert COMMENT in astana and "  # The first question sets the scene.\n" in astana
    for name, text in originals.items():
        new = (qdir / name).read_text()
        if name == "readings.yaml" or text == new:
            continue
        old_lines, new_lines = text.splitlines(), set(new.splitlines())
        kept = sum(1 for line in old_lines if line in new_lines)
        # One question of a bank of about twenty changed: the rest of the file stays.
        assert kept >= 0.8 * len(old_lines), name
    assert f"id: {retired_key}\n" not in (qdir / "s400-costs.yaml").read_text()
    single_bank, single_key = edited_types["single"]
    written = (qdir / f"{single_bank}.yaml").read_text()
    assert "shuffle: false" in written.split(f"id: {single_key}\n", 1)[1].split("- id:")[0]


def test_write_names_banks_and_refuses_an_unknown_one(app, runner, session, qdir, instructor):
    sync_banks(session, qdir)
    bank = session.scalar(select(models.Bank).where(models.Bank.slug == "pkk-history"))
    bank = services.get_bank(session, bank.id)
    _edit(session, instructor, bank, bank.questions[0])
    other = session.scalar(select(models.Bank).where(models.Bank.slug == "s400-costs"))
    other = services.get_bank(session, other.id)
    _edit(session, instructor, other, other.questions[0])
    session.commit()
    result = runner.invoke(args=["banks", "write", "pkk-history"])
    assert result.exit_code == 0 and "wrote pkk-history.yaml: 1 changed" in result.output
    assert [p.path for p in list_behind(session, qdir)] == ["s400-costs.yaml"]
    result = runner.invoke(args=["banks", "write", "no-such-bank"])
    assert result.exit_code != 0 and "No such bank: no-such-bank" in result.output


def test_the_bank_page_lists_the_files_behind_the_database(
    instructor_client, session, qdir, instructor
):
    sync_banks(session, qdir)
    bank = session.scalar(select(models.Bank).where(models.Bank.slug == "pkk-history"))
    bank = services.get_bank(session, bank.id)
    _edit(session, instructor, bank, bank.questions[0])
    session.commit()
    html = instructor_client.get("/teach/banks").get_data(as_text=True)
    assert "1 bank file(s) behind the browser edits" in html
    assert f"<code>pkk-history.yaml</code>:\n          changed {bank.questions[0].key}" in html
