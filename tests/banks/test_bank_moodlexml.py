"""Moodle XML: the real banks round-trip exactly, Moodle's samples import with every loss said."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from studyapp.banks.loader import bank_files, load_bank, load_readings
from studyapp.banks.moodlexml import export_moodle_xml, import_moodle_xml
from studyapp.banks.moodlexml.importer import NO_EXPLANATION
from studyapp.banks.schema import dump_bank
from studyapp.banks.types import grade
from tests.banks.bankfiles import SHUFFLE

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "questions"
SAMPLES = Path(__file__).parent / "data" / "moodle" / "moodle-xml"
READINGS, _ = load_readings(QUESTIONS / "readings.yaml")
BANKS = sorted(bank_files(QUESTIONS))


def sample(name: str):
    return import_moodle_xml((SAMPLES / name).read_text(encoding="utf-8"), "m", "M", {})


@pytest.mark.parametrize("path", BANKS, ids=[p.stem for p in BANKS])
def test_real_bank_round_trips_through_moodle_xml_unchanged(path: Path) -> None:
    bank = load_bank(path, READINGS).bank
    assert bank is not None
    back = import_moodle_xml(export_moodle_xml(bank).text, bank.id, None, READINGS)
    assert back.notes == ()
    assert back.result.bank is not None
    assert dump_bank(back.result.bank) == dump_bank(bank)


def test_every_question_of_the_real_banks_is_exported() -> None:
    total = 0
    for path in BANKS:
        bank = load_bank(path, READINGS).bank
        assert bank is not None
        text = export_moodle_xml(bank).text
        total += len(bank.questions)
        assert text.count("<question type=") == len(bank.questions) + 1  # and the category
    # Every question written in the files, counted without the loader.
    written = sum(len(yaml.safe_load(p.read_text(encoding="utf-8"))["questions"]) for p in BANKS)
    assert total == written


def test_moodle_truefalse_sample_with_images_keeps_alt_text_and_names_each_file() -> None:
    imported = sample("truefalse-images.xml")
    (question,) = imported.result.bank.questions
    assert question.type == "truefalse" and question.spec["answer"] is False
    assert question.prompt == (
        "Moodle [image: Moodle logo] is an acronym for Modular Object-Oriented Dynamic "
        "Learning Education."
    )
    assert "<img" not in question.explanation and "<p>" not in question.explanation
    assert question.explanation.endswith(
        "[documentation about Moodle](<http://docs.moodle.org/en/About_Moodle>)."
    )
    notes = "\n".join(imported.notes)
    for name in ("logo.jpg", "infos.jpg", "thumbdown.jpg", "thumbup.jpg"):
        assert f"embedded file '{name}'" in notes
    assert "penalty per retry (100%) dropped" in notes


def test_moodle_cloze_with_choice_gaps_is_refused_with_its_reason() -> None:
    imported = sample("cloze-multichoice.xml")
    assert imported.bank_yaml is None
    assert imported.notes == (
        "question 1 'cloze with images': gaps of kind MULTICHOICE have no studyapp "
        "equivalent (only SHORTANSWER gaps become blanks); skipped",
    )


def test_moodle_editor_export_imports_every_type_with_its_losses() -> None:
    imported = sample("moodle-editor-export.xml")
    got = {q.id: q for q in imported.result.bank.questions}
    assert list(got) == ["capital", "refugees", "town", "pairs", "essay"]
    capital = got["capital"]
    assert (capital.prompt, capital.points, capital.tags) == (
        "Which city is the **capital** of Turkey?",
        2.0,
        ("capitals", "geo"),
    )
    assert dict(capital.spec["choices"]) == {"A": "Ankara", "B": "Istanbul", "C": "Izmir"}
    assert dict(capital.spec["feedback"]) == {"A": "Yes.", "B": "The largest city."}
    refugees = got["refugees"]
    assert dict(refugees.spec) == {"answer": 3.6, "tolerance": 0.1, "unit": "million"}
    town = got["town"]
    assert grade(town, "Nazareth").correct is True
    assert town.explanation == NO_EXPLANATION
    pairs = got["pairs"]
    assert dict(pairs.spec["pairs"]) == {"Erdogan": "Turkey", "Putin": "Russia"}
    assert tuple(pairs.spec["distractors"]) == ("Iran",)
    assert pairs.points == 3.0
    essay = got["essay"]
    assert (essay.spec["min_words"], essay.spec["max_words"]) == (50, 300)
    assert essay.spec["model_answer"] == "Names both commitments."
    notes = "\n".join(imported.notes)
    for part in (
        "category '$course$/top/Default for Politics' ignored",
        "question 1 'Capital': Moodle ID number 'CAP-1' dropped",
        "question 1 'Capital': grade -25% for choice C dropped",
        "question 1 'Capital': the correctfeedback text dropped",
        "question 2 'Refugees': numeric answer '3.6' (50%) dropped",
        "question 3 'Town': answer 'Nazar*' uses Moodle's '*' wildcard",
        "question 5 'Essay': attachments dropped",
        "question 6 'Formula': calculated questions",
        "question 7 'Intro': a description",
    ):
        assert part in notes, part


@pytest.mark.parametrize(
    "xml",
    [
        '<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<quiz><question type='truefalse'><name><text>&x;</text></name></question></quiz>",
        '<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
        "<quiz>&b;</quiz>",
    ],
    ids=["external-entity", "entity-expansion"],
)
def test_dtds_and_entities_are_refused(xml: str) -> None:
    imported = import_moodle_xml(xml, "m", "M", {})
    assert imported.bank_yaml is None
    assert "not XML studyapp reads" in imported.result.errors[0].message


def test_a_file_that_is_not_xml_is_refused_clearly() -> None:
    imported = import_moodle_xml("::Q:: GIFT? {T}", "m", "M", {})
    assert imported.result.errors[0].message.startswith("the file is not XML studyapp reads")


EVERY_EXTRA = """\
id: extras
title: Extras -- with a double dash
description: What Moodle has no field for.
source: aras
questions:
  - id: keys
    type: single
    prompt: "Pick one -- carefully: *bold*, \\"quoted\\" and <b>tags</b> stay text."
    points: 2.5
    tags: [f35, figures]
    difficulty: hard
    source: aras ¶6-7
    explanation: Because.
    choices: {X: First, Y: Second, Z: Third}
    answer: Y
    feedback: {X: Not that one.}
  - id: range
    type: numeric
    prompt: A number from -3.5 to 2?
    explanation: Any.
    min: -3.5
    max: 2
    unit: metres
  - id: zero
    type: numeric
    prompt: Exactly 7?
    explanation: Seven.
    answer: 7
    tolerance: 0
  - id: pattern
    type: short
    prompt: Which town?
    explanation: Nazareth.
    answers: ["Nazareth", "5*"]
    pattern: 'naz.*|a"b--c'
  - id: rubric
    type: essay
    prompt: Why?
    explanation: Reasons.
    model_answer: Because of both.
    rubric:
      - {criterion: Names both, points: 2}
      - {criterion: Explains, points: 1.5}
    min_words: 10
  - id: positions
    type: ordering
    prompt: Order them.
    explanation: In time.
    items: [One, Two, Three]
    scoring: positions
  - id: gaps
    type: blanks
    prompt: "The capital is [[city]] on the [[river]] {not a gap}."
    explanation: Ankara.
    blanks: {city: [Ankara, "An~kara#1"], river: [Ankara Çayı]}
"""


def test_every_field_moodle_lacks_comes_back_from_its_comment() -> None:
    readings = {"aras": READINGS["aras"]} if "aras" in READINGS else READINGS
    original = load_bank_text_checked(EVERY_EXTRA, readings)
    exported = export_moodle_xml(original).text
    assert "--" not in "".join(
        part.split("-->")[0] for part in exported.split("<!--")[1:]
    )  # comments never hold a double dash
    back = import_moodle_xml(exported, original.id, None, readings)
    assert back.notes == ()
    assert back.result.bank is not None
    assert dump_bank(back.result.bank) == dump_bank(original)


def load_bank_text_checked(text: str, readings):
    from studyapp.banks.loader import load_bank_text

    result = load_bank_text(text, "extras.yaml", readings)
    assert result.ok, [str(e) for e in result.errors]
    return result.bank


def test_shuffle_false_is_moodles_shuffleanswers_both_ways() -> None:
    original = load_bank_text_checked(SHUFFLE, {})
    exported = export_moodle_xml(original).text
    assert exported.count("<shuffleanswers>false</shuffleanswers>") == 2
    assert exported.count("<shuffleanswers>true</shuffleanswers>") == 1
    back = import_moodle_xml(exported, original.id, None, {})
    assert back.notes == ()
    assert dump_bank(back.result.bank) == dump_bank(original)
    moodle = exported.replace("<shuffleanswers>false", "<shuffleanswers>0")
    again = {q.id: q for q in import_moodle_xml(moodle, "order", None, {}).result.bank.questions}
    assert again["both"].spec["shuffle"] is False and "shuffle" not in again["free"].spec
