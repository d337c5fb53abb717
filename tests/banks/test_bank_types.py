"""Grading, student and key views of every question type: hand-computed cases and properties."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studyapp.banks.schema import Question, freeze
from studyapp.banks.text import normalize_answer
from studyapp.banks.types import (
    TYPES,
    Part,
    Score,
    deliver,
    grade,
    key_view,
    keys_from_positions,
    positions_from_keys,
    student_view,
    token,
)

EXPLANATION = "SECRET-EXPLANATION"


def make(
    type_: str, spec: dict[str, Any], points: float = 1.0, prompt: str = "Prompt?"
) -> Question:
    """A question built directly, as the loader would after checking it."""
    return Question(
        "q", type_, prompt, float(points), (), "medium", None, EXPLANATION, freeze(spec)
    )


CHOICES = {"A": "a", "B": "b", "C": "c", "D": "d", "E": "e"}
SINGLE = make("single", {"choices": CHOICES, "answer": "A", "feedback": {"B": "Not b."}})
MULTIPLE = make(
    "multiple",
    {"choices": CHOICES, "answer": ["A", "B"], "feedback": {"C": "C is wrong."}},
    points=2,
)
TRUEFALSE = make("truefalse", {"answer": False, "feedback": {True: "It is false."}})
SHORT = make("short", {"answers": ["Astana", "Erdoğan"], "pattern": "(the )?astana( process)?"})
NUMERIC = make("numeric", {"answer": 1.5e9, "tolerance": 0, "unit": "US dollars"})
ITEMS = ["first", "second", "third", "fourth"]
ORDERING = make("ordering", {"items": ITEMS}, points=3)
POSITIONS = make("ordering", {"items": ITEMS, "scoring": "positions"}, points=4)
PAIRS = {"Russia": "restrain Damascus", "Turkey": "clear out radicals", "Iran": "join Astana"}
MATCHING = make("matching", {"pairs": PAIRS, "distractors": ["set up a safe haven"]}, points=3)
BLANKS = make(
    "blanks",
    {"blanks": {"leader": ["Assad", "al-Assad"], "role": ["client"]}},
    points=2,
    prompt="Secure the [[leader]] regime as Moscow's [[role]].",
)
ESSAY = make("essay", {"model_answer": "Model.", "min_words": 3, "max_words": 5}, points=4)
ALL = [SINGLE, MULTIPLE, TRUEFALSE, SHORT, NUMERIC, ORDERING, POSITIONS, MATCHING, BLANKS, ESSAY]


def tokens(texts: list[str]) -> list[str]:
    return [token(t) for t in texts]


# ---- single / multiple / truefalse ------------------------------------------------------------


def test_single_right():
    assert grade(SINGLE, "A") == Score(1.0, 1.0, (Part("Choice A", 1.0, 1.0, True),), (), True)


def test_single_wrong_shows_that_choices_feedback():
    assert grade(SINGLE, "B") == Score(
        1.0 * 0, 1.0, (Part("Choice B", 0.0, 1.0, False),), ("Not b.",), False
    )


@pytest.mark.parametrize("response", ["E ", "F", 1, ["A"], {"A": 1}, True])
def test_single_malformed(response):
    score = grade(SINGLE, response)
    assert (score.points, score.correct, score.parts) == (0.0, False, ())
    assert score.feedback[0].startswith("Answer not understood: ")


@pytest.mark.parametrize(
    ("picked", "points", "correct"),
    [
        (["A", "B"], 2.0, True),
        (["B", "A", "A"], 2.0, True),  # order and repeats do not matter
        (["A"], 1.0, False),
        (["A", "B", "C"], 1.3333, False),  # 1 + 1 - 2/3
        (["A", "C"], 0.3333, False),
        (["C", "D"], 0.0, False),  # -4/3 clamped to 0
        (["A", "B", "C", "D", "E"], 0.0, False),  # picking everything scores 0
    ],
)
def test_multiple_partial_credit(picked, points, correct):
    score = grade(MULTIPLE, picked)
    assert (score.points, score.max_points, score.correct) == (points, 2.0, correct)


def test_multiple_parts_and_feedback():
    score = grade(MULTIPLE, ["A", "C"])
    assert score.parts == (
        Part("Choice A", 1.0, 1.0, True),
        Part("Choice B", 0.0, 1.0, False),
        Part("Choice C", -0.6667, 0.0, False),
        Part("Choice D", 0.0, 0.0, True),
        Part("Choice E", 0.0, 0.0, True),
    )
    assert score.feedback == ("C is wrong.",)


@pytest.mark.parametrize("response", ["A", ["A", "Z"], [["A"]], [None], ["A"] * 101])
def test_multiple_malformed(response):
    score = grade(MULTIPLE, response)
    assert score.points == 0.0 and score.feedback[0].startswith("Answer not understood")


@pytest.mark.parametrize(
    ("response", "points", "feedback"),
    [
        (False, 1.0, ()),
        ("false", 1.0, ()),
        (" FALSE ", 1.0, ()),
        (True, 0.0, ("It is false.",)),
        ("true", 0.0, ("It is false.",)),
    ],
)
def test_truefalse(response, points, feedback):
    score = grade(TRUEFALSE, response)
    assert (score.points, score.feedback, score.correct) == (points, feedback, points == 1.0)


def test_truefalse_feedback_keys_that_went_through_json():
    question = make("truefalse", {"answer": False, "feedback": {"true": "It is false."}})
    assert grade(question, True).feedback == ("It is false.",)


@pytest.mark.parametrize("response", ["yes", 1, 0, [True]])
def test_truefalse_malformed(response):
    assert grade(TRUEFALSE, response).feedback[0].startswith("Answer not understood")


# ---- short / numeric ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("  The  Astana\tProcess. ", "the astana process"),
        ("Erdoğan", "erdogan"),
        ("İDLİB", "idlib"),
        ("Kırıkkale", "kirikkale"),
        ("U.S.", "us"),
        ("Russo-Turkish", "russo turkish"),
        ("Russo–Turkish/alliance", "russo turkish alliance"),
        ("Assad's", "assads"),
        ("1.5", "1.5"),
        ("1,500", "1,500"),
        ("end. 5", "end 5"),
        ("Straße", "strasse"),
        ("?!", ""),
    ],
)
def test_normalize_answer(text, normalized):
    assert normalize_answer(text) == normalized


@pytest.mark.parametrize(
    ("response", "right"),
    [
        ("Astana", True),
        ("  ASTANA ", True),
        ("The Astana process.", True),  # pattern
        ("the astana talks", False),
        ("Erdogan", True),
        ("ERDOĞAN!", True),
        ("Ankara", False),
        ("?!", False),
    ],
)
def test_short(response, right):
    score = grade(SHORT, response)
    assert (score.points, score.correct) == (1.0 if right else 0.0, right)


def test_short_malformed():
    assert grade(SHORT, "x" * 501).feedback == (
        "Answer not understood: the answer is longer than 500 characters.",
    )
    assert grade(SHORT, ["Astana"]).feedback == (
        "Answer not understood: expected text, got ['Astana'].",
    )


@pytest.mark.parametrize(
    "response",
    [
        "1.5bn",
        "1.5 billion",
        "$1,500,000,000",
        "1500000000",
        "1.5B",
        "US$1.5 bn",
        1500000000,
        1.5e9,
        "1.5e9",
        "about $1.5 billion.",
    ],
)
def test_numeric_right(response):
    assert grade(NUMERIC, response).correct is True


@pytest.mark.parametrize("response", ["1.4bn", "15 billion", "1,5 billion", "0.15bn"])
def test_numeric_wrong(response):
    score = grade(NUMERIC, response)
    assert (score.points, score.correct) == (0.0, False)


def test_numeric_unreadable():
    score = grade(NUMERIC, "lots")
    assert score.feedback == ("Could not read 'lots' as a number.",)
    assert score.parts == (Part("Answer", 0.0, 1.0, False),)


def test_numeric_tolerance_is_absolute_and_inclusive():
    question = make("numeric", {"answer": 3.6e6, "tolerance": 50000})
    assert grade(question, "3.65m").correct is True
    assert grade(question, "3.55 million").correct is True
    assert grade(question, "3.66m").correct is False


def test_numeric_decimals_compare_exactly():
    question = make("numeric", {"answer": 0.3})
    assert grade(question, "0.3").correct is True
    assert grade(question, 0.1 + 0.2).correct is False  # 0.30000000000000004


def test_numeric_range_is_graded_by_its_exact_ends_inclusively():
    question = make("numeric", {"min": 3.141, "max": 3.142})
    assert grade(question, "3.141").correct is True
    assert grade(question, "3.142").correct is True
    assert grade(question, "3.1415").correct is True
    assert grade(question, "3.1409").correct is False
    assert grade(question, "3.1421").correct is False
    assert key_view(question)["display"] == "3.141 to 3.142"


@pytest.mark.parametrize("response", [True, [1], {"n": 1}])
def test_numeric_malformed(response):
    assert grade(NUMERIC, response).feedback[0].startswith("Answer not understood")


def test_numeric_non_finite_number_is_unreadable():
    assert grade(NUMERIC, float("nan")).points == 0.0


# ---- ordering / matching / blanks / essay ------------------------------------------------------


def test_ordering_pairs_partial():
    score = grade(ORDERING, tokens(["second", "third", "first", "fourth"]))
    assert (score.points, score.max_points, score.correct) == (1.0, 3.0, False)
    assert score.parts == (
        Part("first → second", 0.0, 1.0, False),
        Part("second → third", 1.0, 1.0, True),
        Part("third → fourth", 0.0, 1.0, False),
    )


def test_ordering_pairs_full_and_reversed():
    assert grade(ORDERING, tokens(ITEMS)).correct is True
    assert grade(ORDERING, tokens(ITEMS[::-1])).points == 0.0


def test_ordering_positions():
    score = grade(POSITIONS, tokens(["second", "third", "first", "fourth"]))
    assert (score.points, [p.correct for p in score.parts]) == (1.0, [False, False, False, True])
    assert grade(POSITIONS, tokens(["second", "first", "third", "fourth"])).points == 2.0


@pytest.mark.parametrize(
    "response",
    [
        tokens(ITEMS[:3]),
        tokens(ITEMS[:3] + ITEMS[:1]),
        [0, 1, 2, 3],
        tokens(ITEMS) + ["t0"],
        tokens(ITEMS[:3]) + ["tbogus"],
        {"a": 1},
    ],
)
def test_ordering_malformed(response):
    score = grade(ORDERING, response)
    assert score.points == 0.0 and score.feedback[0].startswith("Answer not understood")


def test_matching_partial_with_unanswered():
    response = {
        token("Russia"): token("restrain Damascus"),
        token("Turkey"): token("set up a safe haven"),
        token("Iran"): None,
    }
    score = grade(MATCHING, response)
    assert (score.points, score.correct) == (1.0, False)
    assert [p.correct for p in score.parts] == [True, False, False]


def test_matching_full():
    response = {token(k): token(v) for k, v in PAIRS.items()}
    assert grade(MATCHING, response).correct is True


@pytest.mark.parametrize(
    "response",
    [
        {token("Egypt"): token("join Astana")},
        {token("Iran"): token("nothing")},
        {token("Iran"): ["x"]},
        ["x"],
        {"0": 1},
    ],
)
def test_matching_malformed(response):
    assert grade(MATCHING, response).feedback[0].startswith("Answer not understood")


def test_blanks_partial_and_full():
    assert grade(BLANKS, {"leader": "Bashar", "role": "Client."}).points == 1.0
    assert grade(BLANKS, {"leader": "al Assad", "role": "client"}).correct is True
    assert grade(BLANKS, {"role": "client", "leader": None}).points == 1.0


@pytest.mark.parametrize(
    "response", [{"boss": "Assad"}, {"leader": 3}, "Assad", {"leader": "x" * 501}]
)
def test_blanks_malformed(response):
    assert grade(BLANKS, response).feedback[0].startswith("Answer not understood")


def test_essay_awaits_a_human():
    assert grade(ESSAY, "one two three four") == Score(0.0, 4.0, (), ("Awaiting grading.",), None)


def test_essay_word_limits_are_reported_not_enforced():
    assert grade(ESSAY, "one two").feedback == (
        "Awaiting grading.",
        "2 words; at least 3 were asked for.",
    )
    assert grade(ESSAY, "a b c d e f").feedback == (
        "Awaiting grading.",
        "6 words; at most 5 were asked for.",
    )
    assert grade(ESSAY, "a b c d e f").correct is None


def test_essay_malformed_and_empty():
    assert grade(ESSAY, 42).correct is False
    assert grade(ESSAY, "x" * 50_001).feedback[0].startswith("Answer not understood")


@pytest.mark.parametrize("question", ALL, ids=lambda q: q.type)
@pytest.mark.parametrize("response", [None, "", "   ", [], {}])
def test_empty_response_scores_zero(question, response):
    assert grade(question, response) == Score(0.0, question.points, (), ("No answer.",), False)


def test_unknown_type_grades_zero():
    assert grade(make("mystery", {}), "x").feedback == ("Unknown question type 'mystery'.",)


def test_registry_has_every_type():
    assert sorted(TYPES) == [
        "blanks",
        "essay",
        "matching",
        "multiple",
        "numeric",
        "ordering",
        "short",
        "single",
        "truefalse",
    ]


# ---- student and key views ------------------------------------------------------------------

# No "id" (ids are for authors and often name the answer) and no "key" (a choice's letter
# tells how the bank is keyed): choices are named by display position ("value").
VIEW_KEYS = {
    "type",
    "prompt",
    "points",
    "choices",
    "value",
    "text",
    "unit",
    "items",
    "token",
    "lefts",
    "options",
    "blanks",
    "min_words",
    "max_words",
}
SECRET_QUESTIONS = [
    make(
        "single",
        {"choices": {"A": "x", "B": "y"}, "answer": "B", "feedback": {"A": "SECRET-FEEDBACK"}},
    ),
    make(
        "multiple",
        {
            "choices": {"A": "x", "B": "y", "C": "z"},
            "answer": ["B", "C"],
            "feedback": {"B": "SECRET-FEEDBACK"},
        },
    ),
    make(
        "truefalse",
        {"answer": True, "feedback": {True: "SECRET-FEEDBACK", False: "SECRET-FEEDBACK-2"}},
    ),
    make("short", {"answers": ["SECRET-ANSWER"], "pattern": "SECRET-PATTERN"}),
    make("numeric", {"answer": 123456.789, "tolerance": 0.375, "unit": "km"}),
    make("ordering", {"items": ["w", "x", "y", "z"]}),
    make("matching", {"pairs": {"l1": "r1", "l2": "r2", "l3": "r3"}, "distractors": ["d"]}),
    make("blanks", {"blanks": {"b1": ["SECRET-BLANK"]}}, prompt="Fill [[b1]]."),
    make(
        "essay",
        {
            "model_answer": "SECRET-MODEL",
            "min_words": 10,
            "rubric": [{"criterion": "SECRET-RUBRIC", "points": 1}],
        },
    ),
]
SECRETS = [
    "SECRET",
    EXPLANATION,
    "123456.789",
    "0.375",
    "answer",
    "feedback",
    "explanation",
    "pattern",
    "tolerance",
    "rubric",
    "model",
    "correct",
    "index",
    "position",
]


def keys_of(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_of(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_of(v)}
    return set()


@pytest.mark.parametrize("question", SECRET_QUESTIONS, ids=lambda q: q.type)
def test_student_view_never_shows_key_material(question):
    view = student_view(question, random.Random(7))
    dumped = json.dumps(view)
    assert [s for s in SECRETS if s in dumped] == []
    assert keys_of(view) <= VIEW_KEYS


def test_student_view_contents():
    rng = random.Random(1)
    choices = student_view(SINGLE, rng)["choices"]
    assert [c["value"] for c in choices] == [str(i) for i in range(1, len(CHOICES) + 1)]
    assert sorted(c["text"] for c in choices) == sorted(CHOICES.values())
    assert student_view(NUMERIC, rng)["unit"] == "US dollars"
    assert student_view(BLANKS, rng)["blanks"] == ["leader", "role"]
    assert student_view(ESSAY, rng) == {
        "type": "essay",
        "prompt": "Prompt?",
        "points": 4.0,
        "min_words": 3,
        "max_words": 5,
    }
    view = student_view(MATCHING, rng)
    assert view["lefts"] == [{"token": token(k), "text": k} for k in PAIRS]
    assert sorted(o["text"] for o in view["options"]) == sorted(
        [*PAIRS.values(), "set up a safe haven"]
    )


def test_ordering_and_matching_views_are_shuffled_by_the_given_rng():
    orders = {
        tuple(i["text"] for i in student_view(ORDERING, random.Random(s))["items"])
        for s in range(40)
    }
    assert len(orders) > 5
    options = {
        tuple(o["text"] for o in student_view(MATCHING, random.Random(s))["options"])
        for s in range(40)
    }
    assert len(options) > 5
    same = [student_view(ORDERING, random.Random(3)) for _ in range(2)]
    assert same[0] == same[1]


def test_choices_are_shuffled_by_default_and_named_only_by_position():
    orders = {
        tuple(c["text"] for c in student_view(MULTIPLE, random.Random(s))["choices"])
        for s in range(40)
    }
    assert len(orders) > 5
    written = tuple(CHOICES.values())
    # The quiz's setting off, or the question's `shuffle: false`, keeps the file order.
    assert {
        tuple(c["text"] for c in student_view(SINGLE, random.Random(s), False)["choices"])
        for s in range(10)
    } == {written}
    fixed = make("single", {**SINGLE.spec, "shuffle": False})
    assert {
        tuple(c["text"] for c in student_view(fixed, random.Random(s))["choices"])
        for s in range(10)
    } == {written}


def test_posted_positions_map_back_to_the_keys_the_student_saw():
    for seed in range(20):
        delivered = deliver(MULTIPLE, seed, position=3)
        texts = {c["value"]: c["text"] for c in delivered.view["choices"]}
        keys = {v: k for k, v in CHOICES.items()}
        assert [keys[texts[str(i)]] for i in range(1, len(CHOICES) + 1)] == delivered.order
        assert keys_from_positions("2", delivered.order) == keys[texts["2"]]
        assert keys_from_positions(["1", "3", "1"], delivered.order) == sorted(
            {keys[texts["1"]], keys[texts["3"]]}
        )
        assert positions_from_keys(delivered.order[1], delivered.order) == "2"
    order = deliver(SINGLE, 5).order
    # Letters, positions out of range and junk are never read as a choice.
    assert [keys_from_positions(v, order) for v in ("A", "0", "99", "", None)] == [None] * 5
    assert keys_from_positions(["A", "x"], order) is None


def test_view_tokens_are_hashes_of_the_visible_text():
    view = student_view(ORDERING, random.Random(0))
    assert all(item["token"] == token(item["text"]) for item in view["items"])
    assert token("first") == token("first") != token("second")


def test_key_views():
    assert key_view(SINGLE) == {"answer": "A", "text": "a"}
    assert key_view(MULTIPLE) == {"answer": ["A", "B"], "texts": ["a", "b"]}
    assert key_view(TRUEFALSE) == {"answer": False}
    assert key_view(SHORT) == {"answers": ["Astana", "Erdoğan"]}
    assert key_view(NUMERIC) == {
        "answer": 1.5e9,
        "display": "1,500,000,000",
        "tolerance": 0,
        "unit": "US dollars",
    }
    assert key_view(ORDERING) == {"items": ITEMS, "scoring": "pairs"}
    assert key_view(MATCHING)["pairs"][0] == {"left": "Russia", "right": "restrain Damascus"}
    assert key_view(BLANKS) == {"blanks": {"leader": ["Assad", "al-Assad"], "role": ["client"]}}
    assert key_view(ESSAY) == {"model_answer": "Model.", "rubric": []}
    assert all(json.dumps(key_view(q)) for q in ALL)


# ---- properties -------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=12,
)
points = st.sampled_from([0.5, 1, 1.5, 2, 3, 4, 7, 10])
words = st.text("abcdefgh", min_size=1, max_size=6)
KEYS = ["A", "B", "C", "D", "E", "F"]


def assert_bounded(score: Score, question: Question) -> None:
    assert isinstance(score, Score)
    assert 0.0 <= score.points <= score.max_points == round(question.points, 4)
    assert (score.points == score.max_points) == (score.correct is True)


@st.composite
def choice_questions(draw, type_: str) -> Question:
    keys = KEYS[: draw(st.integers(2, 6))]
    choices = {k: f"choice {k}" for k in keys}
    if type_ == "single":
        answer: Any = draw(st.sampled_from(keys))
    else:
        answer = draw(st.lists(st.sampled_from(keys), min_size=1, unique=True))
    return make(type_, {"choices": choices, "answer": answer}, draw(points))


@given(choice_questions("single"), st.sampled_from(KEYS))
def test_single_property(question, response):
    score = grade(question, response)
    assert_bounded(score, question)
    assert score.correct is (response == question.spec["answer"])


@given(choice_questions("multiple"), st.lists(st.sampled_from(KEYS), max_size=6))
def test_multiple_property(question, picked):
    picked = [k for k in picked if k in question.spec["choices"]]
    score = grade(question, picked)
    assert 0.0 <= score.points <= score.max_points
    assert score.correct is (set(picked) == set(question.spec["answer"]))
    assert (score.points == score.max_points) == score.correct


@given(st.booleans(), st.booleans(), points)
def test_truefalse_property(answer, response, p):
    question = make("truefalse", {"answer": answer})
    score = grade(question, response)
    assert_bounded(score, question)
    assert score.correct is (answer == response)


@given(st.lists(st.text(min_size=1, max_size=15), min_size=1, max_size=4), st.text(max_size=40))
def test_short_property(answers, response):
    question = make("short", {"answers": answers})
    assert_bounded(grade(question, response), question)
    if normalize_answer(answers[0]):
        assert grade(question, answers[0]).correct is True


@given(
    st.one_of(
        st.integers(-(10**15), 10**15), st.floats(allow_nan=False, allow_infinity=False, width=64)
    ),
    st.sampled_from([0, 0.5, 10]),
    st.text(max_size=30),
)
def test_numeric_property(answer, tolerance, response):
    question = make("numeric", {"answer": answer, "tolerance": tolerance})
    assert_bounded(grade(question, response), question)
    assert grade(question, repr(answer)).correct is True
    assert grade(question, answer).correct is True


@given(
    st.lists(words, min_size=2, max_size=6, unique=True),
    st.randoms(use_true_random=False),
    st.sampled_from(["pairs", "positions"]),
    points,
)
def test_ordering_property(items, rng, scoring, p):
    question = make("ordering", {"items": items, "scoring": scoring}, p)
    order = items[:]
    rng.shuffle(order)
    score = grade(question, tokens(order))
    assert_bounded(score, question)
    assert score.correct is (order == items)


@given(st.lists(words, min_size=2, max_size=5, unique=True), st.data(), points)
def test_matching_property(lefts, data, p):
    rights = [f"r-{w}" for w in lefts]
    question = make(
        "matching",
        {"pairs": dict(zip(lefts, rights, strict=True)), "distractors": ["distractor"]},
        p,
    )
    options = [token(o) for o in [*rights, "distractor"]] + [None]
    response = {token(left): data.draw(st.sampled_from(options)) for left in lefts}
    score = grade(question, response)
    assert_bounded(score, question)
    expected = all(response[token(lt)] == token(rt) for lt, rt in zip(lefts, rights, strict=True))
    assert score.correct is expected


@given(
    st.dictionaries(
        st.sampled_from(["a", "b", "c"]),
        st.lists(st.text(min_size=1, max_size=10), min_size=1, max_size=3),
        min_size=1,
    ),
    st.dictionaries(st.sampled_from(["a", "b", "c"]), st.text(max_size=12)),
    points,
)
def test_blanks_property(blanks, response, p):
    question = make("blanks", {"blanks": blanks}, p)
    response = {k: v for k, v in response.items() if k in blanks}
    assert_bounded(grade(question, response), question)
    key = {name: accepted[0] for name, accepted in blanks.items()}
    if all(normalize_answer(a) for a in key.values()):
        assert grade(question, key).correct is True


@given(st.text(max_size=200))
def test_essay_property(response):
    score = grade(ESSAY, response)
    assert score.points == 0.0
    assert score.correct is (None if response.strip() else False)


@settings(max_examples=300)
@given(st.sampled_from(ALL + SECRET_QUESTIONS), json_values)
def test_any_response_never_raises(question, response):
    score = grade(question, response)
    assert isinstance(score, Score)
    assert 0.0 <= score.points <= score.max_points
    assert all(isinstance(f, str) for f in score.feedback)
