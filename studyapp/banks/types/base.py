"""What every question type shares: scores, problems, response readers and the base handler."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from studyapp.banks.schema import Question, Shape
from studyapp.banks.text import duplicate_key, normalize_answer
from studyapp.banks.types.patterns import pattern_matches

MAX_TEXT = 500  # characters in a short, numeric or blank answer
MAX_ESSAY = 50_000
MAX_ENTRIES = 100  # items in a list or mapping response
NO_ANSWER = "No answer."
AWAITING = "Awaiting grading."

Spec = Mapping[str, Any]  # a question's type-specific keys, as loaded


@dataclass(frozen=True)
class Part:
    """One scored part of an answer (a choice, a pair, a blank...)."""

    label: str
    earned: float
    possible: float
    correct: bool


@dataclass(frozen=True)
class Score:
    """A graded response; `correct` is True only for full marks and None when a human grades."""

    points: float
    max_points: float
    parts: tuple[Part, ...] = ()
    feedback: tuple[str, ...] = ()
    correct: bool | None = False


@dataclass(frozen=True)
class Problem:
    """A meaning problem in a type's keys; `path` leads from the question to the culprit."""

    path: tuple[str | int | bool, ...]
    message: str
    warning: bool = False


class Malformed(Exception):
    """A response that does not have the shape its question type expects."""


def token(value: str) -> str:
    """The opaque id of an ordering item or matching option: a short hash of its text."""
    return "t" + hashlib.sha256(value.encode()).hexdigest()[:10]


def round_points(value: float) -> float:
    """Points are reported to 4 decimals."""
    return round(float(value), 4)


def zero_score(question: Question, message: str) -> Score:
    """No points, with one line of feedback."""
    return Score(0.0, round_points(question.points), (), (message,), False)


def scored(question: Question, parts: Sequence[Part], feedback: Iterable[str] = ()) -> Score:
    """Sum the parts, clamp to [0, points]; full marks exactly when every part is correct."""
    full = all(p.correct for p in parts)
    earned = question.points if full else min(question.points, sum(p.earned for p in parts))
    rounded = tuple(
        Part(p.label, round_points(p.earned), round_points(p.possible), p.correct) for p in parts
    )
    return Score(
        round_points(max(0.0, earned)),
        round_points(question.points),
        rounded,
        tuple(feedback),
        full,
    )


def show(value: Any) -> str:
    """A short printable form of a response value for feedback messages."""
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def listing(keys: Iterable[Any]) -> str:
    """'A, B, C' for messages."""
    return ", ".join(str(k) for k in keys)


def is_empty(response: Any) -> bool:
    """None, blank text, and empty lists or mappings count as no answer."""
    if response is None:
        return True
    if isinstance(response, str):
        return not response.strip()
    return isinstance(response, list | tuple | dict) and not response


def read_text(response: Any, limit: int = MAX_TEXT) -> str:
    """The response as text, or Malformed."""
    if not isinstance(response, str):
        raise Malformed(f"expected text, got {show(response)}")
    if len(response) > limit:
        raise Malformed(f"the answer is longer than {limit} characters")
    return response


def read_entries(response: Any, kind: type) -> Any:
    """The response as a list or mapping of bounded size, or Malformed."""
    wanted = (list, tuple) if kind is list else (Mapping,)
    if not isinstance(response, wanted):
        wanted_name = "list" if kind is list else "mapping"
        raise Malformed(f"expected a {wanted_name}, got {show(response)}")
    if len(response) > MAX_ENTRIES:
        raise Malformed(f"more than {MAX_ENTRIES} entries")
    return response


def accepts(accepted: Iterable[str], answer: str, pattern: str | None = None) -> bool:
    """Compare like a short answer: normalized equality, or the pattern matching in full."""
    folded = normalize_answer(answer)
    if not folded:
        return False
    if any(folded == normalize_answer(a) for a in accepted):
        return True
    return bool(pattern) and pattern_matches(pattern, folded)


def repeats(values: Sequence[str]) -> list[tuple[int, int]]:
    """(later, earlier) index pairs of values a student would read as the same option."""
    seen: dict[tuple[str, str], int] = {}
    found = []
    for i, value in enumerate(values):
        key = duplicate_key(value)
        if key in seen:
            found.append((i, seen[key]))
        else:
            seen[key] = i
    return found


class QuestionType:
    """Base handler: subclasses declare their keys and implement the type's rules."""

    name: ClassVar[str] = ""
    fields: ClassVar[Mapping[str, Shape]] = {}
    required: ClassVar[tuple[str, ...]] = ()

    def required_keys(self, keys: set[str]) -> tuple[str, ...]:
        """The keys an entry with these keys must have (a type with two forms overrides)."""
        return self.required

    def validate(self, spec: Spec, *, prompt: str, points: float | None) -> list[Problem]:
        """Check what the keys mean; their shapes are already checked by the loader."""
        return []

    def grade(self, question: Question, response: Any) -> Score:
        """Grade a stored response; malformed or missing responses score 0, never raise."""
        if is_empty(response):
            return zero_score(question, NO_ANSWER)
        try:
            return self._grade(question, response)
        except Malformed as exc:
            return zero_score(question, f"Answer not understood: {exc}.")

    def _grade(self, question: Question, response: Any) -> Score:
        """Grade a non-empty response; raise Malformed when its shape is wrong."""
        raise NotImplementedError

    def student_view(
        self, question: Question, rng: random.Random, shuffle: bool = True
    ) -> dict[str, Any]:
        """What a student may see before review: never the answer, the explanation or the id.

        The id stays out because ids are written for authors and often name the answer.
        """
        view: dict[str, Any] = {
            "type": question.type,
            "prompt": question.prompt,
            "points": question.points,
        }
        view.update(self._view(question, rng, shuffle))
        return view

    def _view(self, question: Question, rng: random.Random, shuffle: bool) -> dict[str, Any]:
        """The type's additions to the student view."""
        return {}

    def choice_order(self, question: Question, rng: random.Random, shuffle: bool) -> list[str]:
        """The choice keys in the order a student sees them (none for types without choices)."""
        return []

    def key_view(self, question: Question) -> dict[str, Any]:
        """The correct answer in displayable form, for review pages."""
        raise NotImplementedError
