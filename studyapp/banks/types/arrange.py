"""Types answered by arranging: ordering items and matching pairs."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from studyapp.banks.schema import Question, list_of, map_of, text
from studyapp.banks.text import normalize_answer
from studyapp.banks.types.base import (
    Malformed,
    Part,
    Problem,
    QuestionType,
    Score,
    Spec,
    read_entries,
    repeats,
    scored,
    token,
)


class Ordering(QuestionType):
    """Put items in order; scored by adjacent pairs (default) or by positions."""

    name = "ordering"
    fields = {"items": list_of(text()), "scoring": text(one_of=("pairs", "positions"))}
    required = ("items",)

    def validate(self, spec: Spec, *, prompt: str, points: float | None) -> list[Problem]:
        items = spec.get("items")
        if items is None:
            return []
        problems = []
        if len(items) < 2:
            problems.append(Problem(("items",), f"needs at least 2 items, found {len(items)}"))
        for later, earlier in repeats(items):
            message = f"item {later + 1} repeats item {earlier + 1} ('{items[earlier]}')"
            problems.append(Problem(("items", later), message))
        return problems

    def _grade(self, question: Question, response: Any) -> Score:
        items = list(question.spec["items"])
        by_token = {token(item): item for item in items}
        order = read_entries(response, list)
        if not all(isinstance(t, str) for t in order) or sorted(order) != sorted(by_token):
            raise Malformed("expected every item's token exactly once")
        given = [by_token[t] for t in order]
        if question.spec.get("scoring", "pairs") == "positions":
            return scored(question, _position_parts(question.points, items, given))
        return scored(question, _pair_parts(question.points, items, given))

    def _view(self, question: Question, rng: random.Random, shuffle: bool) -> dict[str, Any]:
        items = [{"token": token(item), "text": item} for item in question.spec["items"]]
        rng.shuffle(items)
        return {"items": items}

    def key_view(self, question: Question) -> dict[str, Any]:
        return {
            "items": list(question.spec["items"]),
            "scoring": question.spec.get("scoring", "pairs"),
        }


def _position_parts(points: float, items: list[str], given: list[str]) -> list[Part]:
    """One part per item: right when it sits in its correct position."""
    share = points / max(1, len(items))
    return [
        Part(f"{i + 1}. {item}", share if given[i] == item else 0.0, share, given[i] == item)
        for i, item in enumerate(items)
    ]


def _pair_parts(points: float, items: list[str], given: list[str]) -> list[Part]:
    """One part per adjacent pair of the key: right when the student has it adjacent, in order."""
    share = points / max(1, len(items) - 1)
    next_of = dict(zip(given, given[1:], strict=False))
    parts = []
    for first, second in zip(items, items[1:], strict=False):
        right = next_of.get(first) == second
        parts.append(Part(f"{first} → {second}", share if right else 0.0, share, right))
    return parts


class Matching(QuestionType):
    """Match each left item to a right option; the fraction matched correctly."""

    name = "matching"
    fields = {"pairs": map_of(text()), "distractors": list_of(text())}
    required = ("pairs",)

    def validate(self, spec: Spec, *, prompt: str, points: float | None) -> list[Problem]:
        pairs = spec.get("pairs")
        if pairs is None:
            return []
        lefts, rights = list(pairs), list(pairs.values())
        problems = []
        if len(pairs) < 2:
            problems.append(Problem(("pairs",), f"needs at least 2 pairs, found {len(pairs)}"))
        for later, earlier in repeats(lefts):
            problems.append(
                Problem(
                    ("pairs", lefts[later]),
                    f"left side '{lefts[later]}' repeats '{lefts[earlier]}'",
                )
            )
        for later, earlier in repeats(rights):
            problems.append(
                Problem(
                    ("pairs", lefts[later]),
                    f"right side '{rights[later]}' is also the match for '{lefts[earlier]}'",
                )
            )
        return problems + _distractor_problems(spec.get("distractors", ()), pairs)

    def _grade(self, question: Question, response: Any) -> Score:
        pairs = question.spec["pairs"]
        answers = read_entries(response, dict)
        lefts = {token(left): left for left in pairs}
        options = {token(o) for o in _options(question)}
        if not all(o is None or isinstance(o, str) for o in answers.values()):
            raise Malformed("expected option tokens as text")
        for left, option in answers.items():
            if left not in lefts or not (option is None or option in options):
                raise Malformed("a left item or option token is not part of this question")
        share = question.points / max(1, len(pairs))
        parts = []
        for left, right in pairs.items():
            ok = answers.get(token(left)) == token(right)
            parts.append(Part(f"{left} → {right}", share if ok else 0.0, share, ok))
        return scored(question, parts)

    def _view(self, question: Question, rng: random.Random, shuffle: bool) -> dict[str, Any]:
        options = [{"token": token(o), "text": o} for o in _options(question)]
        rng.shuffle(options)
        lefts = [{"token": token(left), "text": left} for left in question.spec["pairs"]]
        return {"lefts": lefts, "options": options}

    def key_view(self, question: Question) -> dict[str, Any]:
        return {
            "pairs": [{"left": k, "right": v} for k, v in question.spec["pairs"].items()],
            "distractors": list(question.spec.get("distractors", ())),
        }


def _options(question: Question) -> list[str]:
    """Right-hand options: the rights in file order, then the distractors."""
    return list(question.spec["pairs"].values()) + list(question.spec.get("distractors", ()))


def _distractor_problems(distractors: Sequence[str], pairs: Mapping[str, str]) -> list[Problem]:
    """Distractors must differ from every right side and from each other."""
    rights = {normalize_answer(v): k for k, v in pairs.items()}
    problems = []
    for i, item in enumerate(distractors):
        left = rights.get(normalize_answer(item))
        if left is not None:
            problems.append(
                Problem(
                    ("distractors", i), f"distractor '{item}' is also the right side for '{left}'"
                )
            )
    for later, earlier in repeats(distractors):
        problems.append(
            Problem(
                ("distractors", later), f"distractor {later + 1} repeats distractor {earlier + 1}"
            )
        )
    return problems
