"""Question types: a registry of handlers that check a type's keys and grade plain data.

Each handler declares the shapes of its keys (the loader checks those), `validate`s their
meaning, `grade`s a stored response into a `Score` (pure; never raises), and builds the
`student_view` (what a student may see before review) and the `key_view` (the answer, for
review pages).

Responses are plain JSON, as stored by the app:

- single: "A"; multiple: ["A", "C"]; truefalse: true / false (or "true" / "false");
- short: "text"; numeric: "1.5bn" (the raw text, or a JSON number); essay: "text";
- ordering: the item tokens from `student_view` in the student's order, every item once;
- matching: {"<left token>": "<option token>" or null} using tokens from `student_view`;
- blanks: {"<name>": "text"}.

Ordering items and matching options are identified by `token(text)`, a short hash of the
text, never by their index: indices would give away the correct order or pairing, while a
hash of text the student can already see reveals nothing. `student_view` shuffles them
with the caller's `random.Random` (seed it per attempt so a reload shows the same order).

`Score.parts` and `Score.feedback` describe the key (e.g. which pair was right), so the
app shows them only when the review policy allows, like `key_view`.
"""

from __future__ import annotations

import random
from typing import Any

from studyapp.banks.schema import Question
from studyapp.banks.types.answers import Blanks, Numeric, Short
from studyapp.banks.types.arrange import Matching, Ordering
from studyapp.banks.types.base import Part, Problem, QuestionType, Score, token, zero_score
from studyapp.banks.types.choice import Multiple, Single, TrueFalse
from studyapp.banks.types.essay import Essay

__all__ = [
    "TYPES",
    "Part",
    "Problem",
    "QuestionType",
    "Score",
    "get_type",
    "grade",
    "key_view",
    "register",
    "student_view",
    "token",
]

TYPES: dict[str, QuestionType] = {}


def register(handler: QuestionType) -> QuestionType:
    """Add a question type to the registry (a later one with the same name replaces it)."""
    TYPES[handler.name] = handler
    return handler


for _handler in (
    Single(),
    Multiple(),
    TrueFalse(),
    Short(),
    Numeric(),
    Ordering(),
    Matching(),
    Blanks(),
    Essay(),
):
    register(_handler)


def get_type(name: str) -> QuestionType | None:
    """The handler for a type name, or None."""
    return TYPES.get(name)


def grade(question: Question, response: Any) -> Score:
    """Grade a stored response to a question (pure; never raises on bad responses)."""
    handler = TYPES.get(question.type)
    if handler is None:
        return zero_score(question, f"Unknown question type '{question.type}'.")
    return handler.grade(question, response)


def student_view(question: Question, rng: random.Random) -> dict[str, Any]:
    """What a student may see before review; shuffles ordering items and matching options."""
    return TYPES[question.type].student_view(question, rng)


def key_view(question: Question) -> dict[str, Any]:
    """The correct answer of a question in displayable form."""
    return TYPES[question.type].key_view(question)
