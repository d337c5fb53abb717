"""bench/guessing.py on small banks whose figures are known in advance."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from studyapp.banks.loader import load_bank_text
from studyapp.banks.schema import Reading

SPEC = importlib.util.spec_from_file_location(
    "guessing", Path(__file__).parents[2] / "bench" / "guessing.py"
)
guessing = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(guessing)

READINGS = {"r": Reading("r", "R", "A", "2026", 3)}


def _questions(text: str):
    result = load_bank_text(text, "bench.yaml", READINGS)
    assert result.bank is not None, result.errors
    return list(result.bank.questions)


def _single(qid: str, answer: str = "A") -> str:
    return (
        f"  - id: {qid}\n    type: single\n    prompt: p\n    explanation: e\n"
        f"    choices: {{A: aa, B: bb, C: cc, D: dd}}\n    answer: {answer}\n"
    )


ALL_A = "id: b\ntitle: t\nquestions:\n" + "".join(_single(f"q{i}") for i in range(4))


def test_all_keys_a_scores_everything_as_written_and_a_quarter_delivered():
    table = guessing.bank_table(_questions(ALL_A), seeds=400)
    assert table[("as written", "first")] == pytest.approx(100)
    assert table[("as written", "random")] == pytest.approx(25)
    assert table[("delivered", "random")] == pytest.approx(25)
    assert table[("delivered", "first")] == pytest.approx(25, abs=4)


def test_multiple_answers_get_the_graders_partial_credit():
    text = (
        "id: b\ntitle: t\nquestions:\n  - id: m\n    type: multiple\n    prompt: p\n"
        "    explanation: e\n    choices: {A: aa, B: bb, C: cc, D: dd}\n    answer: [A, B]\n"
    )
    table = guessing.bank_table(_questions(text), seeds=50)
    # As written, A alone earns half; A and B earn everything.
    assert table[("as written", "first 1")] == pytest.approx(50)
    assert table[("as written", "first 2")] == pytest.approx(100)


def test_true_false_strategies_and_the_longest_key():
    text = "id: b\ntitle: t\nquestions:\n" + "".join(
        f"  - id: t{i}\n    type: truefalse\n    prompt: p\n    explanation: e\n"
        f"    answer: {'false' if i else 'true'}\n"
        for i in range(4)
    )
    table = guessing.bank_table(_questions(text), seeds=10)
    assert table[("delivered", "false")] == pytest.approx(75)
    assert table[("delivered", "random")] == pytest.approx(50)
    longest = ALL_A.replace("A: aa", "A: a much longer key")
    assert guessing.bank_table(_questions(longest), seeds=50)[
        ("delivered", "longest")
    ] == pytest.approx(100)
