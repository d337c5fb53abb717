"""Moodle's GIFT and XML samples, each with Moodle's expected result (see moodlecases.py)."""

from __future__ import annotations

import pytest

from studyapp.banks.gift import import_gift
from studyapp.banks.schema import Question
from tests.banks.moodlecases import DATA, FORMATS, imported, load_cases, problems, table

GIFT_CASES = load_cases(FORMATS["GIFT"])
XML_CASES = load_cases(FORMATS["Moodle XML"])


@pytest.mark.parametrize("case", GIFT_CASES, ids=[c["name"] for c in GIFT_CASES])
def test_moodle_gift_case(case: dict) -> None:
    assert problems(case, *imported(case)) == []


@pytest.mark.parametrize("case", XML_CASES, ids=[c["name"] for c in XML_CASES])
def test_moodle_xml_case(case: dict) -> None:
    assert problems(case, *imported(case)) == []


def test_case_names_are_unique() -> None:
    names = [c["name"] for c in GIFT_CASES + XML_CASES]
    assert len(names) == len(set(names))


def test_developer_notes_give_the_current_table_of_samples() -> None:
    notes = (DATA.parents[3] / "DEVELOPERS.md").read_text(encoding="utf-8")
    assert table() in notes


def gift_questions(gift: str) -> list[Question]:
    result = import_gift(gift, "moodle-cases", "Moodle cases", {})
    return list(result.result.bank.questions) if result.result.bank else []


def test_cr_only_file_reads_as_lines() -> None:
    questions = gift_questions("::A::First? {T}\r\r::B::Second? {F}\r")
    assert [(q.id, q.spec["answer"]) for q in questions] == [("a", True), ("b", False)]


def test_every_refusal_gives_its_question() -> None:
    result = import_gift("::A::Broken {=x\n\n::B::Only text", "b", "B", {})
    assert result.bank_yaml is None
    assert any("question 1 'A'" in n and "skipped" in n for n in result.notes)
    assert any("question 2 'B'" in n and "skipped" in n for n in result.notes)
