"""GIFT samples from Moodle's tests and documentation, each with Moodle's expected result."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from studyapp.banks.gift import import_gift
from studyapp.banks.schema import Question
from studyapp.banks.types import grade

DATA = Path(__file__).parent / "data" / "moodle"
CASES = yaml.safe_load((DATA / "gift-cases.yaml").read_text(encoding="utf-8"))


def thaw(value):
    """Frozen spec values as plain dicts and lists."""
    if hasattr(value, "items"):
        return {k: thaw(v) for k, v in value.items()}
    return [thaw(v) for v in value] if isinstance(value, tuple) else value


def imported(gift: str) -> tuple[list[Question], tuple[str, ...]]:
    result = import_gift(gift, "moodle-cases", "Moodle cases", {})
    return (list(result.result.bank.questions) if result.result.bank else []), result.notes


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_moodle_gift_case(case: dict) -> None:
    questions, notes = imported(case["gift"])
    text = "\n".join(notes)
    if "refused" in case:
        assert questions == []
        assert case["refused"] in text and "skipped" in text
        return
    (question,) = questions
    expect = dict(case["expect"])
    assert question.type == expect.pop("type")
    assert question.prompt == expect.pop("prompt")
    spec = thaw(question.spec)
    if question.type == "essay":
        spec.pop("model_answer")
    assert spec == expect
    if "explanation" in case:
        assert question.explanation == case["explanation"]
    assert question.tags == tuple(case.get("tags", ()))
    for part in case.get("notes", ()):
        assert part in text
    for response, right in case.get("graded", {}).items():
        assert grade(question, response).correct is right, response


def test_cr_only_file_reads_as_lines() -> None:
    questions, _ = imported("::A::First? {T}\r\r::B::Second? {F}\r")
    assert [(q.id, q.spec["answer"]) for q in questions] == [("a", True), ("b", False)]


def test_every_refusal_gives_its_question() -> None:
    result = import_gift("::A::Broken {=x\n\n::B::Only text", "b", "B", {})
    assert result.bank_yaml is None
    assert any("question 1 'A'" in n and "skipped" in n for n in result.notes)
    assert any("question 2 'B'" in n and "skipped" in n for n in result.notes)
