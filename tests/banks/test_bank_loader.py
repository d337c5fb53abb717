"""Loader tests: one per message (exact line and question id), real banks, README, round trip."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studyapp.banks.loader import (
    bank_files,
    load_bank,
    load_bank_text,
    load_banks,
    load_readings,
    load_readings_text,
)
from studyapp.banks.schema import Issue, LoadResult, Reading, Source, dump_bank

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "questions"

READINGS_YAML = """\
readings:
  - id: aras
    title: "Turkey and Russia: An Asymmetrical Partnership?"
    author: Bulent Aras
    published: 2019-09
    paragraphs: 10
  - id: alliance
    title: The Russo-Turkish Alliance
    author: (not named)
    published: 2019-11
    paragraphs: 10
"""
READINGS = {
    "aras": Reading(
        "aras", "Turkey and Russia: An Asymmetrical Partnership?", "Bulent Aras", "2019-09", 10
    ),
    "alliance": Reading("alliance", "The Russo-Turkish Alliance", "(not named)", "2019-11", 10),
}
HEAD = "id: demo\ntitle: Demo bank\nquestions:\n"


def bank_text(questions: str, head: str = HEAD) -> str:
    """A bank file: the head, then the question entries indented under `questions:`."""
    return head + textwrap.indent(textwrap.dedent(questions).strip("\n"), "  ") + "\n"


def load(tmp_path: Path, text: str) -> LoadResult:
    """Write readings.yaml and a bank to tmp_path and load the bank like the checker does."""
    (tmp_path / "readings.yaml").write_text(READINGS_YAML, encoding="utf-8")
    path = tmp_path / "demo.yaml"
    path.write_text(text, encoding="utf-8")
    readings, issues = load_readings(tmp_path / "readings.yaml")
    assert issues == []
    return load_bank(path, readings)


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the only line containing `needle`."""
    lines = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    assert len(lines) == 1, f"{needle!r} is on lines {lines}"
    return lines[0]


def found(issues: tuple[Issue, ...]) -> list[tuple[int, str | None, str]]:
    return [(i.line, i.question_id, i.message) for i in issues]


SINGLE = """\
- id: q1
  type: single
  prompt: Pick one.
  explanation: Because.
  choices:
    A: one
    B: two
    C: three
  answer: A
"""

# (test id, questions YAML, text on the offending line, question id, exact message)
ERROR_CASES = [
    (
        "unknown-question-key",
        SINGLE + "  explaination: typo\n",
        "explaination",
        "q1",
        "unknown key 'explaination' (did you mean 'explanation'?)",
    ),
    (
        "other-type-key",
        SINGLE + "  answers: [x]\n",
        "answers:",
        "q1",
        "key 'answers' is not used by type 'single' (did you mean 'answer'?)",
    ),
    (
        "missing-explanation",
        SINGLE.replace("  explanation: Because.\n", ""),
        "- id: q1",
        "q1",
        "missing required key 'explanation'",
    ),
    (
        "empty-explanation",
        SINGLE.replace("Because.", '""'),
        "explanation:",
        "q1",
        "'explanation' is empty",
    ),
    ("empty-prompt", SINGLE.replace("Pick one.", ""), "prompt:", "q1", "'prompt' is empty"),
    (
        "missing-type",
        SINGLE.replace("  type: single\n", ""),
        "- id: q1",
        "q1",
        "missing required key 'type'",
    ),
    (
        "unknown-type",
        SINGLE.replace("type: single", "type: mcq"),
        "type: mcq",
        "q1",
        "unknown type 'mcq' (known types: blanks, essay, matching, multiple, numeric, "
        "ordering, short, single, truefalse)",
    ),
    (
        "unknown-type-suggests",
        SINGLE.replace("type: single", "type: singel"),
        "type:",
        "q1",
        "unknown type 'singel' (did you mean 'single'?) (known types: blanks, essay, matching, "
        "multiple, numeric, ordering, short, single, truefalse)",
    ),
    (
        "bad-question-id",
        SINGLE.replace("id: q1", "id: Q 1"),
        "id: Q 1",
        "Q 1",
        "id 'Q 1' is not valid: use lowercase letters, digits and single hyphens, "
        "e.g. 's400-costs'",
    ),
    (
        "points-zero",
        SINGLE + "  points: 0\n",
        "points:",
        "q1",
        "points must be greater than 0, not 0",
    ),
    (
        "points-negative",
        SINGLE + "  points: -1.5\n",
        "points:",
        "q1",
        "points must be greater than 0, not -1.5",
    ),
    (
        "points-text",
        SINGLE + "  points: one\n",
        "points:",
        "q1",
        "'points' must be a number, not text 'one'",
    ),
    (
        "points-quoted",
        SINGLE + "  points: '2'\n",
        "points:",
        "q1",
        "'points' must be a number, not text '2' (remove the quotes)",
    ),
    (
        "difficulty",
        SINGLE + "  difficulty: Hard\n",
        "difficulty:",
        "q1",
        "difficulty 'Hard' must be one of easy, medium, hard",
    ),
    (
        "bad-tag",
        SINGLE + "  tags: [ok, Not OK]\n",
        "tags:",
        "q1",
        "tags[2] 'Not OK' is not valid: tags are lowercase slugs, e.g. 'f35'",
    ),
    (
        "tags-not-list",
        SINGLE + "  tags: f35\n",
        "tags:",
        "q1",
        "'tags' must be a list, not text 'f35'",
    ),
    (
        "source-unknown-reading",
        SINGLE + "  source: arass ¶6\n",
        "source:",
        "q1",
        "source 'arass ¶6' names unknown reading 'arass' (known: alliance, aras)",
    ),
    (
        "source-paragraph-outside",
        SINGLE + "  source: aras ¶2, ¶11\n",
        "source:",
        "q1",
        "source 'aras ¶2, ¶11': paragraph ¶11 is outside aras ¶1-¶10",
    ),
    (
        "source-paragraph-zero",
        SINGLE + "  source: aras ¶0\n",
        "source:",
        "q1",
        "source 'aras ¶0': paragraph ¶0 is outside aras ¶1-¶10",
    ),
    (
        "source-malformed",
        SINGLE + "  source: aras p6\n",
        "source:",
        "q1",
        "source 'aras p6' is not in the form 'aras ¶6', 'aras ¶6-7' or 'aras ¶2, ¶6'",
    ),
    (
        "source-backwards",
        SINGLE + "  source: aras ¶7-6\n",
        "source:",
        "q1",
        "source 'aras ¶7-6': range ¶7-6 runs backwards",
    ),
    (
        "source-no-default",
        SINGLE + "  source: ¶6\n",
        "source:",
        "q1",
        "source '¶6' names no reading and the bank has no default 'source'",
    ),
    (
        "duplicate-key",
        SINGLE + "  answer: B\n",
        "answer: B",
        "q1",
        "duplicate key 'answer' (first at line 12)",
    ),
    (
        "question-not-mapping",
        "- just text\n",
        "- just text",
        "#1",
        "each question must be a mapping of keys (id, type, prompt...), not text 'just text'",
    ),
    # single
    (
        "single-answer-not-choice",
        SINGLE.replace("answer: A", "answer: E"),
        "answer: E",
        "q1",
        "answer 'E' is not one of the choices A, B, C",
    ),
    (
        "single-one-choice",
        SINGLE.replace("    B: two\n    C: three\n", ""),
        "choices:",
        "q1",
        "needs at least 2 choices, found 1",
    ),
    (
        "single-duplicate-choice",
        SINGLE.replace("C: three", "C: One!"),
        "C: One!",
        "q1",
        "choice C has the same text as choice A",
    ),
    (
        "single-bad-choice-key",
        SINGLE.replace("C: three", "c: three"),
        "c: three",
        "q1",
        "key 'c' in 'choices' is not valid: choice keys are 1-4 capital letters or digits, "
        "like A, B, C",
    ),
    ("single-empty-choice", SINGLE.replace("C: three", "C:"), "C:", "q1", "'choices.C' is empty"),
    (
        "single-choices-list",
        SINGLE.replace(
            "  choices:\n    A: one\n    B: two\n    C: three\n", "  choices: [one, two]\n"
        ),
        "choices:",
        "q1",
        "'choices' must be a mapping (one 'key: value' per line), not a list",
    ),
    (
        "single-feedback-unknown",
        SINGLE + "  feedback:\n    E: no such choice\n",
        "E: no such",
        "q1",
        "feedback for 'E', which is not one of the choices A, B, C",
    ),
    (
        "single-missing-answer",
        SINGLE.replace("  answer: A\n", ""),
        "- id: q1",
        "q1",
        "missing required key 'answer'",
    ),
    # multiple
    (
        "multiple-empty-answer",
        SINGLE.replace("single", "multiple").replace("answer: A", "answer: []"),
        "answer:",
        "q1",
        "answer must list at least one choice key",
    ),
    (
        "multiple-unknown-answer",
        SINGLE.replace("single", "multiple").replace("answer: A", "answer:\n    - A\n    - E"),
        "- E",
        "q1",
        "answer 'E' is not one of the choices A, B, C",
    ),
    (
        "multiple-answer-not-list",
        SINGLE.replace("single", "multiple"),
        "answer: A",
        "q1",
        "'answer' must be a list, not text 'A'",
    ),
    # truefalse
    (
        "truefalse-quoted",
        "- id: tf\n  type: truefalse\n  prompt: p\n  explanation: e\n  answer: 'false'\n",
        "answer:",
        "tf",
        "'answer' must be true or false, not text 'false' (remove the quotes)",
    ),
    (
        "truefalse-text",
        "- id: tf\n  type: truefalse\n  prompt: p\n  explanation: e\n  answer: maybe\n",
        "answer:",
        "tf",
        "'answer' must be true or false, not text 'maybe'",
    ),
    (
        "truefalse-feedback-key",
        "- id: tf\n  type: truefalse\n  prompt: p\n  explanation: e\n  answer: true\n"
        "  feedback:\n    maybe: hm\n",
        "maybe:",
        "tf",
        "key 'maybe' in 'feedback' must be true or false",
    ),
    # short
    (
        "short-no-answers",
        "- id: s\n  type: short\n  prompt: p\n  explanation: e\n  answers: []\n",
        "answers:",
        "s",
        "'answers' has no accepted answers",
    ),
    (
        "short-missing-answers",
        "- id: s\n  type: short\n  prompt: p\n  explanation: e\n  pattern: ab+\n",
        "- id: s",
        "s",
        "missing required key 'answers'",
    ),
    (
        "short-answer-only-punctuation",
        "- id: s\n  type: short\n  prompt: p\n  explanation: e\n  answers:\n    - ok\n    - '?!'\n",
        "- '?!'",
        "s",
        "accepted answer '?!' is empty once punctuation is ignored",
    ),
    (
        "short-bad-pattern",
        "- id: s\n  type: short\n  prompt: p\n  explanation: e\n  answers: [a]\n  pattern: '(ab'\n",
        "pattern:",
        "s",
        "pattern is not a valid regular expression: missing ), unterminated subpattern "
        "at position 0",
    ),
    # numeric
    (
        "numeric-not-number",
        "- id: n\n  type: numeric\n  prompt: p\n  explanation: e\n  answer: 1.5 billion\n",
        "answer:",
        "n",
        "'answer' must be a number, not text '1.5 billion'",
    ),
    (
        "numeric-infinite",
        "- id: n\n  type: numeric\n  prompt: p\n  explanation: e\n  answer: .inf\n",
        "answer:",
        "n",
        "'answer' must be a finite number",
    ),
    (
        "numeric-negative-tolerance",
        "- id: n\n  type: numeric\n  prompt: p\n  explanation: e\n  answer: 3\n  tolerance: -1\n",
        "tolerance:",
        "n",
        "tolerance must be 0 or more, not -1",
    ),
    # ordering
    (
        "ordering-one-item",
        "- id: o\n  type: ordering\n  prompt: p\n  explanation: e\n  items: [only]\n",
        "items:",
        "o",
        "needs at least 2 items, found 1",
    ),
    (
        "ordering-repeated-item",
        "- id: o\n  type: ordering\n  prompt: p\n  explanation: e\n  items:\n"
        "    - First\n    - Second\n    - first.\n",
        "- first.",
        "o",
        "item 3 repeats item 1 ('First')",
    ),
    (
        "ordering-bad-scoring",
        "- id: o\n  type: ordering\n  prompt: p\n  explanation: e\n  items: [a, b]\n"
        "  scoring: pair\n",
        "scoring:",
        "o",
        "scoring 'pair' must be one of pairs, positions",
    ),
    # matching
    (
        "matching-one-pair",
        "- id: m\n  type: matching\n  prompt: p\n  explanation: e\n  pairs:\n    a: x\n",
        "pairs:",
        "m",
        "needs at least 2 pairs, found 1",
    ),
    (
        "matching-repeated-right",
        "- id: m\n  type: matching\n  prompt: p\n  explanation: e\n  pairs:\n    a: x\n    b: X\n",
        "b: X",
        "m",
        "right side 'X' is also the match for 'a'",
    ),
    (
        "matching-distractor-is-right",
        "- id: m\n  type: matching\n  prompt: p\n  explanation: e\n  pairs:\n    a: x\n    b: y\n"
        "  distractors:\n    - z\n    - 'y'\n",
        "- 'y'",
        "m",
        "distractor 'y' is also the right side for 'b'",
    ),
    (
        "matching-repeated-distractor",
        "- id: m\n  type: matching\n  prompt: p\n  explanation: e\n  pairs:\n    a: x\n    b: y\n"
        "  distractors:\n    - z\n    - Z\n",
        "- Z",
        "m",
        "distractor 2 repeats distractor 1",
    ),
    # blanks
    (
        "blanks-marker-without-entry",
        "- id: b\n  type: blanks\n  prompt: In [[year]] the [[who]] came.\n  explanation: e\n"
        "  blanks:\n    year: ['2019']\n",
        "prompt:",
        "b",
        "marker [[who]] has no entry in 'blanks'",
    ),
    (
        "blanks-entry-without-marker",
        "- id: b\n  type: blanks\n  prompt: In [[year]].\n  explanation: e\n"
        "  blanks:\n    year: ['2019']\n    who: [Aras]\n",
        "who:",
        "b",
        "blank 'who' has no [[who]] marker in the prompt",
    ),
    (
        "blanks-empty-answers",
        "- id: b\n  type: blanks\n  prompt: In [[year]].\n  explanation: e\n"
        "  blanks:\n    year: []\n",
        "year:",
        "b",
        "blank 'year' has no accepted answers",
    ),
    (
        "blanks-no-markers",
        "- id: b\n  type: blanks\n  prompt: No markers.\n  explanation: e\n"
        "  blanks:\n    year: ['2019']\n",
        "prompt:",
        "b",
        "the prompt has no [[name]] blank markers",
    ),
    (
        "blanks-bad-marker",
        "- id: b\n  type: blanks\n  prompt: In [[the year]] and [[x]].\n  explanation: e\n"
        "  blanks:\n    x: ['1']\n",
        "prompt:",
        "b",
        "marker '[[the year]]' is not a valid blank name: use letters, digits, '-' or '_'",
    ),
    (
        "blanks-repeated-marker",
        "- id: b\n  type: blanks\n  prompt: '[[x]] and [[x]]'\n  explanation: e\n"
        "  blanks:\n    x: ['1']\n",
        "prompt:",
        "b",
        "marker [[x]] appears more than once",
    ),
    (
        "blanks-answers-not-list",
        "- id: b\n  type: blanks\n  prompt: In [[year]].\n  explanation: e\n"
        "  blanks:\n    year: 2019\n",
        "year:",
        "b",
        "'blanks.year' must be a list, not the number 2019",
    ),
    # essay
    (
        "essay-no-model-answer",
        "- id: es\n  type: essay\n  prompt: p\n  explanation: e\n",
        "- id: es",
        "es",
        "missing required key 'model_answer'",
    ),
    (
        "essay-min-over-max",
        "- id: es\n  type: essay\n  prompt: p\n  explanation: e\n  model_answer: m\n"
        "  min_words: 300\n  max_words: 100\n",
        "min_words:",
        "es",
        "min_words (300) is more than max_words (100)",
    ),
    (
        "essay-words-not-integer",
        "- id: es\n  type: essay\n  prompt: p\n  explanation: e\n  model_answer: m\n"
        "  max_words: 99.5\n",
        "max_words:",
        "es",
        "'max_words' must be a whole number, not the number 99.5",
    ),
    (
        "essay-rubric-unknown-key",
        "- id: es\n  type: essay\n  prompt: p\n  explanation: e\n  model_answer: m\n"
        "  rubric:\n    - criterion: c\n      pts: 1\n",
        "pts:",
        "es",
        "unknown key 'pts' in 'rubric[1]' (did you mean 'points'?)",
    ),
    (
        "essay-rubric-missing-points",
        "- id: es\n  type: essay\n  prompt: p\n  explanation: e\n  model_answer: m\n"
        "  rubric:\n    - criterion: c\n",
        "- criterion: c",
        "es",
        "missing required key 'points' in 'rubric[1]'",
    ),
    (
        "essay-rubric-zero-points",
        "- id: es\n  type: essay\n  prompt: p\n  explanation: e\n  model_answer: m\n"
        "  rubric:\n    - criterion: c\n      points: 0\n",
        "points: 0",
        "es",
        "rubric points must be > 0",
    ),
]


@pytest.mark.parametrize(
    ("questions", "needle", "qid", "message"),
    [pytest.param(*case[1:], id=case[0]) for case in ERROR_CASES],
)
def test_error_message(tmp_path, questions, needle, qid, message):
    text = bank_text(questions)
    result = load(tmp_path, text)
    assert (line_of(text, needle), qid, message) in found(result.errors), found(result.errors)
    assert result.bank is None


def test_duplicate_question_id_points_at_second_id(tmp_path):
    text = bank_text(SINGLE + SINGLE.replace("one", "uno"))
    result = load(tmp_path, text)
    assert found(result.errors) == [(13, "q1", "duplicate question id 'q1' (first used at line 4)")]


def test_repeated_multiple_answer(tmp_path):
    text = bank_text(
        SINGLE.replace("single", "multiple").replace(
            "answer: A", "answer:\n    - A\n    - B\n    - A"
        )
    )
    result = load(tmp_path, text)
    assert found(result.errors) == [(15, "q1", "answer lists 'A' twice")]


BANK_LEVEL_CASES = [
    (
        "bank-unknown-key",
        "id: demo\ntitel: x\ntitle: t\nquestions:\n",
        "titel:",
        "unknown key 'titel' (did you mean 'title'?)",
    ),
    (
        "bank-bad-id",
        "id: Demo Bank\ntitle: t\nquestions:\n",
        "id: Demo",
        "id 'Demo Bank' is not valid: use lowercase letters, digits and single hyphens, "
        "e.g. 's400-costs'",
    ),
    ("bank-missing-title", "id: demo\nquestions:\n", "id: demo", "missing required key 'title'"),
    (
        "bank-source-unknown",
        "id: demo\ntitle: t\nsource: nope\nquestions:\n",
        "source:",
        "source names unknown reading 'nope' (known: alliance, aras)",
    ),
    (
        "bank-source-with-paragraph",
        "id: demo\ntitle: t\nsource: aras ¶3\nquestions:\n",
        "source:",
        "the bank's source 'aras ¶3' must be a reading id only, like 'aras'; give "
        "paragraphs on each question",
    ),
    (
        "bank-questions-not-list",
        "id: demo\ntitle: t\nquestions: many\n",
        "questions:",
        "'questions' must be a list, not text 'many'",
    ),
]


@pytest.mark.parametrize(
    ("head", "needle", "message"), [pytest.param(*c[1:], id=c[0]) for c in BANK_LEVEL_CASES]
)
def test_bank_level_error(tmp_path, head, needle, message):
    text = bank_text(SINGLE, head=head) if head.endswith("questions:\n") else head
    result = load(tmp_path, text)
    assert (line_of(text, needle), None, message) in found(result.errors), found(result.errors)


FILE_CASES = [
    (
        "yaml-syntax",
        "id: demo\ntitle: x\nquestions:\n  - id: q\n    prompt: a: b\n",
        5,
        "YAML syntax error: mapping values are not allowed here (put text that contains ': ' in "
        "quotes, or use a '|' block)",
    ),
    (
        "yaml-tab",
        "id: demo\n\ttitle: x\n",
        2,
        "YAML syntax error: found character '\\t' that cannot start any token "
        "(indent with spaces, not tabs)",
    ),
    (
        "alias",
        "id: &x demo\ntitle: *x\nquestions: []\n",
        2,
        "YAML syntax error: anchors and aliases (*name) are not supported in banks",
    ),
    ("empty-file", "", 1, "the file is empty"),
    (
        "not-a-mapping",
        "- a\n- b\n",
        1,
        "a bank file must be a mapping with id, title and questions",
    ),
    ("control-character", "id: demo\ntitle: x\x07\n", 2, "character U+0007 is not allowed in YAML"),
    (
        "two-documents",
        "id: a\n---\nid: b\n",
        2,
        "YAML syntax error: expected a single document in the stream, but found another document",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "message"), [pytest.param(*c[1:], id=c[0]) for c in FILE_CASES]
)
def test_file_level_error(tmp_path, text, line, message):
    result = load(tmp_path, text)
    assert found(result.errors) == [(line, None, message)]


def test_file_not_utf8(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes("id: caf\xe9\n".encode("latin-1"))
    result = load_bank(path, READINGS)
    assert [i.message for i in result.errors] == [
        "the file is not UTF-8 text (invalid continuation byte)"
    ]


def test_missing_file(tmp_path):
    result = load_bank(tmp_path / "nope.yaml", READINGS)
    assert result.errors[0].message == "cannot read the file: No such file or directory"


def test_too_large(tmp_path):
    result = load_bank_text("#" * 1_000_001, "big.yaml", READINGS)
    assert found(result.errors) == [(1, None, "the file is larger than 1,000,000 characters")]


WARNING_CASES = [
    (
        "multiple-all-correct",
        SINGLE.replace("single", "multiple").replace("answer: A", "answer: [A, B, C]"),
        "answer:",
        "q1",
        "every choice is correct, so picking them all gets full marks",
    ),
    (
        "rubric-sum",
        "- id: es\n  type: essay\n  prompt: p\n  points: 4\n  explanation: e\n  model_answer: m\n"
        "  rubric:\n    - criterion: c\n      points: 3\n",
        "rubric:",
        "es",
        "rubric points add up to 3, but the question is worth 4",
    ),
    (
        "blank-name-is-answer",
        "- id: b\n  type: blanks\n  prompt: In [[ankara]].\n  explanation: e\n"
        "  blanks:\n    ankara: [Ankara]\n",
        "ankara:",
        "b",
        "blank name 'ankara' gives the answer away",
    ),
]


@pytest.mark.parametrize(
    ("questions", "needle", "qid", "message"),
    [pytest.param(*c[1:], id=c[0]) for c in WARNING_CASES],
)
def test_warning(tmp_path, questions, needle, qid, message):
    text = bank_text(questions)
    result = load(tmp_path, text)
    assert result.errors == ()
    assert found(result.warnings) == [(line_of(text, needle), qid, message)]
    assert result.bank is not None
    assert all(w.severity == "warning" for w in result.warnings)


def test_bank_without_questions_warns(tmp_path):
    result = load(tmp_path, "id: demo\ntitle: t\nquestions: []\n")
    assert found(result.warnings) == [(3, None, "the bank has no questions")]
    assert result.bank is not None and result.bank.questions == ()


def test_every_problem_is_collected(tmp_path):
    text = bank_text(
        SINGLE.replace("answer: A", "answer: E")
        + "  difficulty: Hard\n"
        + "- id: q2\n  type: numeric\n  prompt: ''\n  explanation: e\n  answer: x\n"
    )
    result = load(tmp_path, text)
    assert sorted((i.line, i.question_id) for i in result.errors) == [
        (12, "q1"),
        (13, "q1"),
        (16, "q2"),
        (18, "q2"),
    ]


def test_issue_str():
    assert (
        str(Issue("questions/a.yaml", 42, "q1", "answer 'E' is not one of the choices A, B"))
        == "questions/a.yaml:42: question 'q1': answer 'E' is not one of the choices A, B"
    )
    assert (
        str(Issue("questions/a.yaml", 3, None, "the file is empty"))
        == "questions/a.yaml:3: the file is empty"
    )


def test_valid_bank_fields(tmp_path):
    text = bank_text(
        SINGLE
        + "  points: 2\n  tags: [a, b-2]\n  difficulty: hard\n  source: ¶2, ¶4-5\n"
        + "- id: q2\n  type: truefalse\n  prompt: |\n    Two\n    lines\n  explanation: e\n"
        + "  answer: false\n  feedback:\n    true: Nope.\n",
        head=HEAD.replace("questions:", "source: aras\nquestions:"),
    )
    result = load(tmp_path, text)
    assert result.ok and result.warnings == ()
    bank = result.bank
    assert (bank.id, bank.title, bank.description, bank.source_default) == (
        "demo",
        "Demo bank",
        "",
        "aras",
    )
    q1, q2 = bank.questions
    assert (q1.points, q1.tags, q1.difficulty, str(q1.source)) == (
        2.0,
        ("a", "b-2"),
        "hard",
        "aras ¶2, ¶4-5",
    )
    assert dict(q1.spec["choices"]) == {"A": "one", "B": "two", "C": "three"}
    assert [c.key for c in q1.choices] == ["A", "B", "C"]
    assert (q2.prompt, q2.points, q2.difficulty, q2.source, q1.line, q2.line) == (
        "Two\nlines",
        1.0,
        "medium",
        Source("aras"),
        5,
        18,
    )
    assert dict(q2.spec["feedback"]) == {True: "Nope."}


def test_texts_are_taken_as_written(tmp_path):
    text = bank_text(
        SINGLE.replace("A: one", "A: No")
        .replace("B: two", "B: 1945")
        .replace("C: three", "C: 'null'")
    )
    result = load(tmp_path, text)
    assert dict(result.bank.questions[0].spec["choices"]) == {"A": "No", "B": "1945", "C": "null"}


def test_numeric_answer_in_exponent_form(tmp_path):
    text = bank_text("- id: n\n  type: numeric\n  prompt: p\n  explanation: e\n  answer: 1.5e9\n")
    assert load(tmp_path, text).bank.questions[0].spec["answer"] == 1.5e9


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("aras ¶6", Source("aras", (6,))),
        ("aras ¶6-7", Source("aras", (6, 7))),
        ("aras ¶2, ¶6", Source("aras", (2, 6))),
        ("aras ¶2-4, 6", Source("aras", (2, 3, 4, 6))),
        ("aras", Source("aras")),
    ],
)
def test_source_parse_and_str(text, expected):
    assert Source.parse(text) == expected
    assert Source.parse(str(expected)) == expected


def test_source_canonical_form():
    assert str(Source("aras", (6,))) == "aras ¶6"
    assert str(Source("aras", (6, 7))) == "aras ¶6-7"
    assert str(Source("aras", (2, 6))) == "aras ¶2, ¶6"
    assert str(Source.parse("¶6", "alliance")) == "alliance ¶6"


# ---- readings -------------------------------------------------------------------------------


def test_readings_load():
    readings, issues = load_readings_text(READINGS_YAML, "readings.yaml")
    assert issues == [] and readings == READINGS


# Lines of READINGS_YAML: 2 "- id: aras", 4 author, 6 paragraphs, 7 "- id: alliance", 10 published.
READINGS_CASES = [
    (
        "duplicate-id",
        READINGS_YAML.replace("id: alliance", "id: aras"),
        7,
        "aras",
        "duplicate reading id 'aras' (first at line 2)",
    ),
    (
        "zero-paragraphs",
        READINGS_YAML.replace("paragraphs: 10\n  - id", "paragraphs: 0\n  - id"),
        6,
        "aras",
        "paragraphs must be at least 1",
    ),
    (
        "bad-date",
        READINGS_YAML.replace("2019-11", "Nov 2019"),
        10,
        "alliance",
        "published 'Nov 2019' is not valid: write the date as YYYY, YYYY-MM or YYYY-MM-DD",
    ),
    (
        "missing-author",
        READINGS_YAML.replace("author: Bulent Aras", "note: n"),
        2,
        "aras",
        "missing required key 'author'",
    ),
    (
        "unknown-key",
        READINGS_YAML.replace('title: "Turkey', 'titel: "Turkey'),
        3,
        "aras",
        "unknown key 'titel' (did you mean 'title'?)",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "qid", "message"), [pytest.param(*c[1:], id=c[0]) for c in READINGS_CASES]
)
def test_readings_error(text, line, qid, message):
    readings, issues = load_readings_text(text, "readings.yaml")
    assert (line, qid, message) in [(i.line, i.question_id, i.message) for i in issues], issues
    assert len(readings) == 1


# ---- several files --------------------------------------------------------------------------


def test_load_banks_finds_files_and_rejects_duplicate_bank_ids(tmp_path):
    (tmp_path / "readings.yaml").write_text(READINGS_YAML)
    (tmp_path / "a.yaml").write_text(bank_text(SINGLE))
    (tmp_path / "topic").mkdir()
    (tmp_path / "topic" / "b.yml").write_text(bank_text(SINGLE))
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "c.yaml").write_text("broken: [")
    results = load_banks(tmp_path, READINGS)
    assert [Path(r.path).name for r in results] == ["a.yaml", "b.yml"]
    assert results[0].ok
    assert found(results[1].errors) == [
        (1, None, f"bank id 'demo' is already used by {tmp_path / 'a.yaml'}")
    ]
    assert results[1].bank is None


def test_bank_files_takes_paths_as_given(tmp_path):
    (tmp_path / "a.yaml").write_text("")
    (tmp_path / "readings.yaml").write_text("")
    assert bank_files([tmp_path / "a.yaml", tmp_path / "readings.yaml", tmp_path]) == [
        tmp_path / "a.yaml"
    ]


# ---- the real questions/ directory and the README ---------------------------------------------


def test_real_readings_load():
    readings, issues = load_readings(QUESTIONS / "readings.yaml")
    assert [str(i) for i in issues] == []
    assert {"aras", "alliance"} <= set(readings)


def test_real_banks_load_without_errors_or_warnings():
    readings, _ = load_readings(QUESTIONS / "readings.yaml")
    results = load_banks(QUESTIONS, readings)
    assert len(results) >= 6
    assert [str(i) for r in results for i in r.errors] == []
    # The checker's warnings (answer by position or length, a sibling's key, ...) included.
    assert [str(i) for r in results for i in r.warnings] == []


def readme_blocks() -> list[str]:
    return re.findall(r"^```yaml\n(.*?)^```", (QUESTIONS / "README.md").read_text(), re.M | re.S)


def test_readme_has_an_example_of_every_type():
    types = {q["type"] for b in readme_blocks() for q in yaml.safe_load(b).get("questions", [])}
    assert types == {
        "single",
        "multiple",
        "truefalse",
        "short",
        "numeric",
        "ordering",
        "matching",
        "blanks",
        "essay",
    }


@pytest.mark.parametrize("index", range(len(readme_blocks())))
def test_readme_example_loads(index):
    block = readme_blocks()[index]
    if block.startswith("readings:"):
        _, issues = load_readings_text(block, "README.md")
        assert issues == []
        return
    readings, _ = load_readings(QUESTIONS / "readings.yaml")
    result = load_bank_text(block, "README.md", readings)
    assert [str(i) for i in result.errors + result.warnings] == []


# ---- writing banks back -----------------------------------------------------------------------

EVERY_TYPE = HEAD.replace(
    "questions:",
    """description: |
  Two lines
  of Markdown.
source: aras
questions:""",
) + textwrap.indent(
    textwrap.dedent("""\
    - id: single
      type: single
      prompt: "Pick: one"
      points: 1.5
      tags: [a, b]
      difficulty: easy
      source: ¶6-7
      explanation: |
        Several
          indented
        lines.
      choices: {A: 'No', B: 'yes', C: '1945', D: "#hash", 10: 'Ten'}
      answer: A
      feedback: {B: "Not 'yes'."}
    - id: multiple
      type: multiple
      prompt: p
      explanation: e
      choices: {A: a, B: b, C: c}
      answer: [A, C]
    - id: truefalse
      type: truefalse
      prompt: p
      source: alliance ¶1, ¶3
      explanation: e
      answer: true
      feedback: {true: Yes., false: No.}
    - id: short
      type: short
      prompt: p
      explanation: e
      answers: [Astana, "the Astana process"]
      pattern: '(the )?astana( process)?'
    - id: numeric
      type: numeric
      prompt: p
      explanation: e
      answer: 1.5e9
      tolerance: 0.25
      unit: US dollars
    - id: numeric-int
      type: numeric
      prompt: p
      explanation: e
      answer: 12000000000
    - id: ordering
      type: ordering
      prompt: p
      explanation: e
      items: [first, second, third]
      scoring: positions
    - id: matching
      type: matching
      prompt: p
      explanation: e
      pairs: {Russia: "Prevent attacks", 'true': 'false'}
      distractors: [other]
    - id: blanks
      type: blanks
      prompt: In [[year]] the [[who]].
      explanation: e
      blanks: {year: ['2019'], who: [Aras, "B. Aras"]}
    - id: essay
      type: essay
      prompt: p
      points: 2
      explanation: e
      model_answer: |
        A model
        answer with trailing spacesSPACES
        inside.
      rubric:
        - {criterion: one, points: 1}
        - {criterion: two, points: 1}
      min_words: 0
      max_words: 10
    """),
    "  ",
).replace("SPACES", "   ")


def test_every_type_bank_loads():
    result = load_bank_text(EVERY_TYPE, "every.yaml", READINGS)
    assert [str(i) for i in result.errors + result.warnings] == []
    assert len(result.bank.questions) == 10


def test_round_trip_every_type():
    original = load_bank_text(EVERY_TYPE, "every.yaml", READINGS).bank
    dumped = dump_bank(original)
    again = load_bank_text(dumped, "dumped.yaml", READINGS)
    assert again.errors == () and again.warnings == ()
    assert again.bank == original
    assert dump_bank(again.bank) == dumped


def test_dump_is_readable():
    dumped = dump_bank(load_bank_text(EVERY_TYPE, "every.yaml", READINGS).bank)
    assert dumped.startswith("id: demo\ntitle: Demo bank\ndescription: |\n  Two lines\n")
    assert "questions:\n  - id: single\n    type: single\n    prompt: 'Pick: one'\n" in dumped
    assert "    tags: [a, b]\n" in dumped
    assert "\n\n  - id: multiple\n" in dumped
    assert "    source: aras ¶6-7\n" in dumped
    assert "    answer: [A, C]\n" in dumped


def test_round_trip_real_banks_and_readme_examples():
    readings, _ = load_readings(QUESTIONS / "readings.yaml")
    texts = [p.read_text() for p in bank_files(QUESTIONS)]
    texts += [b for b in readme_blocks() if not b.startswith("readings:")]
    for text in texts:
        bank = load_bank_text(text, "x.yaml", readings).bank
        assert load_bank_text(dump_bank(bank), "y.yaml", readings).bank == bank


# ---- the loader never raises ------------------------------------------------------------------

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20))
structures = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "type",
                    "prompt",
                    "answer",
                    "choices",
                    "items",
                    "pairs",
                    "blanks",
                    "questions",
                    "title",
                    "source",
                    "points",
                    "rubric",
                    "A",
                    "x",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_gives_issues_or_a_bank(text):
    result = load_bank_text(text, "fuzz.yaml", READINGS)
    assert (result.bank is None) == bool(result.errors)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(structures)
def test_any_yaml_structure_gives_issues_or_a_bank(data):
    result = load_bank_text(yaml.safe_dump(data), "fuzz.yaml", READINGS)
    assert (result.bank is None) == bool(result.errors)


small_structures = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["A", "B", "x", "criterion", "points"]), inner, max_size=3
        )
    ),
    max_leaves=6,
)
question_values = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["q", "Q", ""]),
        "type": st.sampled_from(
            [
                "single",
                "multiple",
                "truefalse",
                "short",
                "numeric",
                "ordering",
                "matching",
                "blanks",
                "essay",
                "nope",
            ]
        ),
    },
    optional={
        k: small_structures
        for k in [
            "prompt",
            "explanation",
            "answer",
            "answers",
            "choices",
            "items",
            "pairs",
            "blanks",
            "rubric",
            "points",
            "source",
            "feedback",
            "tolerance",
            "min_words",
            "pattern",
        ]
    },
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(question_values, max_size=2))
def test_any_question_values_give_issues_or_a_bank(questions):
    text = yaml.safe_dump({"id": "fuzz", "title": "t", "questions": questions})
    result = load_bank_text(text, "fuzz.yaml", READINGS)
    assert (result.bank is None) == bool(result.errors)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_real_bank_gives_issues_or_a_bank(data):
    lines = EVERY_TYPE.splitlines()
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["delete", "duplicate", "dedent", "garble"]))
        if action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "dedent":
            lines[i] = lines[i][2:]
        else:
            lines[i] = lines[i] + data.draw(st.sampled_from([":", " [", "'", " ¶", "\t", "]]"]))
        lines = lines or [""]
    result = load_bank_text("\n".join(lines), "damaged.yaml", READINGS)
    assert (result.bank is None) == bool(result.errors)
    assert all(i.line >= 1 for i in result.errors + result.warnings)


def test_numeric_range_needs_both_ends_and_no_answer(tmp_path):
    base = "- id: r\n  type: numeric\n  prompt: p\n  explanation: e\n"
    assert load(tmp_path, bank_text(base + "  min: 1\n  max: 2\n")).errors == ()
    messages = [i.message for i in load(tmp_path, bank_text(base + "  min: 1\n")).errors]
    assert messages == ["missing required key 'max' in question 'r'"] or any(
        "'max'" in m for m in messages
    )
    both = load(tmp_path, bank_text(base + "  answer: 1\n  min: 1\n  max: 2\n"))
    assert [i.message for i in both.errors] == ["give either 'answer' or 'min' and 'max', not both"]
    reversed_range = load(tmp_path, bank_text(base + "  min: 3\n  max: 2\n"))
    assert [i.message for i in reversed_range.errors] == ["min 3 is greater than max 2"]


@pytest.mark.parametrize(
    ("texts", "same"),
    [
        (["Salt", "salt."], True),
        (["Yes", "yes!"], True),
        (["U.S.", "US"], True),
        (["C", "C#"], False),
        (["~", "=", "#", "{", "}", "\\"], False),
        (["#", "#."], True),
        (["C\\#", "C#"], True),
    ],
    ids=[
        "full-stop",
        "exclamation",
        "abbreviation",
        "symbol-added",
        "only-symbols",
        "symbol-kept",
        "markdown-escape",
    ],
)
def test_choices_repeat_when_they_read_the_same(tmp_path, texts, same):
    choices = "".join(f"    {chr(65 + i)}: {json.dumps(t)}\n" for i, t in enumerate(texts))
    body = "- id: q1\n  type: single\n  prompt: p\n  explanation: e\n  choices:\n"
    messages = [
        i.message for i in load(tmp_path, bank_text(body + choices + "  answer: A\n")).errors
    ]
    assert any("has the same text as choice A" in m for m in messages) is same, messages
