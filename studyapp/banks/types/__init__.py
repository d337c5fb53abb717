"""Question types: a registry of handlers that check a type's keys and grade plain data.

Each handler declares the shapes of its keys (the loader checks those), `validate`s their
meaning, `grade`s a stored response into a `Score` (pure; never raises), and builds the
`student_view` (what a student may see before review) and the `key_view` (the answer, for
review pages).

Responses are plain JSON, as stored by the app:

- single: "A"; multiple: ["A", "C"] (stored by key; the page posts display positions,
  which `keys_from_positions` maps back with the delivery's `choice_order`);
- truefalse: true / false (or "true" / "false");
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
from dataclasses import dataclass
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
    "Delivered",
    "Score",
    "choice_order",
    "deliver",
    "delivery_rng",
    "get_type",
    "grade",
    "key_view",
    "keys_from_positions",
    "positions_from_keys",
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


def student_view(question: Question, rng: random.Random, shuffle: bool = True) -> dict[str, Any]:
    """What a student may see before review; shuffles choices (unless `shuffle` is off or the
    question opts out), ordering items and matching options (always)."""
    return TYPES[question.type].student_view(question, rng, shuffle)


def delivery_rng(seed: int, position: int) -> random.Random:
    """The random source of one delivered question: a seed per attempt (or study card) and
    the question's position, so a reload shows the same order."""
    return random.Random(seed * 1_000 + position)


def choice_order(question: Question, rng: random.Random, shuffle: bool = True) -> list[str]:
    """The choice keys as `student_view` with the same `rng` state shows them (display
    position 1 is the first key); empty for types without choices."""
    return TYPES[question.type].choice_order(question, rng, shuffle)


@dataclass(frozen=True)
class Delivered:
    """A question as delivered once: the student view and its choice keys by position."""

    view: dict[str, Any]
    order: list[str]


def deliver(question: Question, seed: int, position: int = 0, shuffle: bool = True) -> Delivered:
    """The student view of a question in an attempt (or study card) with seed `seed`."""
    view = student_view(question, delivery_rng(seed, position), shuffle)
    return Delivered(view, choice_order(question, delivery_rng(seed, position), shuffle))


def keys_from_positions(response: Any, order: list[str]) -> Any:
    """A posted choice response in display positions ("2", or ["1", "3"]) as choice keys.

    Anything that is not a position of this delivery is dropped, so a forged value can
    neither pick a choice by its letter nor break grading.
    """

    def key(value: Any) -> str | None:
        text = str(value)
        return order[int(text) - 1] if text.isdigit() and 1 <= int(text) <= len(order) else None

    if isinstance(response, list):
        # A set of choices, stored in key order whatever order the page listed them in, so
        # the same picks save the same response on every path and device.
        return sorted({k for k in (key(v) for v in response) if k is not None}) or None
    return key(response) if response is not None else None


def positions_from_keys(response: Any, order: list[str]) -> Any:
    """A stored choice response (keys) in display positions, to show it on the page again."""
    where = {k: str(i) for i, k in enumerate(order, start=1)}
    if isinstance(response, list):
        return [where[k] for k in response if k in where]
    return where.get(response) if isinstance(response, str) else None


def key_view(question: Question) -> dict[str, Any]:
    """The correct answer of a question in displayable form."""
    return TYPES[question.type].key_view(question)
