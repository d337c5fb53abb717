"""Types answered by picking: single, multiple and true/false."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from typing import Any

from studyapp.banks.schema import Question, boolean, list_of, map_of, text
from studyapp.banks.types.base import (
    Malformed,
    Part,
    Problem,
    QuestionType,
    Score,
    Spec,
    listing,
    read_entries,
    repeats,
    scored,
    show,
)

CHOICE_KEY = text(
    pattern=r"[A-Z0-9]{1,4}", hint="choice keys are 1-4 capital letters or digits, like A, B, C"
)


def _choice_problems(spec: Mapping[str, Any]) -> list[Problem]:
    """Checks shared by single and multiple: enough distinct choices, feedback keys exist."""
    choices = spec.get("choices")
    if choices is None:
        return []
    problems = []
    if len(choices) < 2:
        problems.append(Problem(("choices",), f"needs at least 2 choices, found {len(choices)}"))
    keys = list(choices)
    for later, earlier in repeats(list(choices.values())):
        problems.append(
            Problem(
                ("choices", keys[later]),
                f"choice {keys[later]} has the same text as choice {keys[earlier]}",
            )
        )
    for key in spec.get("feedback", {}):
        if key not in choices:
            problems.append(
                Problem(
                    ("feedback", key),
                    f"feedback for '{key}', which is not one of the choices {listing(keys)}",
                )
            )
    return problems


def _choice_feedback(question: Question, picked: Iterable[str]) -> list[str]:
    """The per-choice feedback of every picked choice."""
    feedback = question.spec.get("feedback", {})
    return [feedback[key] for key in picked if key in feedback]


def _choice_order(question: Question, rng: random.Random, shuffle: bool) -> list[str]:
    """The choice keys in display order: shuffled by `rng` unless the quiz or the question
    (`shuffle: false`, for options like "Both of the above") keeps them as written."""
    keys = list(question.spec["choices"])
    if shuffle and question.spec.get("shuffle", True):
        rng.shuffle(keys)
    return keys


def _choices_view(question: Question, rng: random.Random, shuffle: bool) -> dict[str, Any]:
    """Choices by display position only: the page must not tell which letter a choice has,
    or a bank whose keys are mostly A would still give its answers away."""
    choices = question.spec["choices"]
    order = _choice_order(question, rng, shuffle)
    return {
        "choices": [{"value": str(i), "text": choices[k]} for i, k in enumerate(order, start=1)]
    }


CHOICES = map_of(text(), keys=CHOICE_KEY)
CHOICE_FEEDBACK = map_of(text(), keys=CHOICE_KEY)


class Single(QuestionType):
    """One correct choice; all or nothing."""

    name = "single"
    fields = {
        "choices": CHOICES,
        "answer": text(),
        "feedback": CHOICE_FEEDBACK,
        "shuffle": boolean(),
    }
    required = ("choices", "answer")

    def validate(self, spec: Spec, *, prompt: str, points: float | None) -> list[Problem]:
        problems = _choice_problems(spec)
        choices, answer = spec.get("choices"), spec.get("answer")
        if choices is not None and answer is not None and answer not in choices:
            problems.append(
                Problem(
                    ("answer",), f"answer '{answer}' is not one of the choices {listing(choices)}"
                )
            )
        return problems

    def _grade(self, question: Question, response: Any) -> Score:
        choices = question.spec["choices"]
        if not isinstance(response, str) or response not in choices:
            raise Malformed(f"{show(response)} is not one of the choices {listing(choices)}")
        correct = response == question.spec["answer"]
        part = Part(
            f"Choice {response}", question.points if correct else 0.0, question.points, correct
        )
        return scored(question, [part], _choice_feedback(question, [response]))

    def _view(self, question: Question, rng: random.Random, shuffle: bool) -> dict[str, Any]:
        return _choices_view(question, rng, shuffle)

    def choice_order(self, question: Question, rng: random.Random, shuffle: bool) -> list[str]:
        return _choice_order(question, rng, shuffle)

    def key_view(self, question: Question) -> dict[str, Any]:
        answer = question.spec["answer"]
        return {"answer": answer, "text": question.spec["choices"][answer]}


class Multiple(QuestionType):
    """Several correct choices; right picks earn, wrong picks cost, clamped to [0, points]."""

    name = "multiple"
    fields = {
        "choices": CHOICES,
        "answer": list_of(text()),
        "feedback": CHOICE_FEEDBACK,
        "shuffle": boolean(),
    }
    required = ("choices", "answer")

    def validate(self, spec: Spec, *, prompt: str, points: float | None) -> list[Problem]:
        problems = _choice_problems(spec)
        choices, answer = spec.get("choices"), spec.get("answer")
        if choices is None or answer is None:
            return problems
        if not answer:
            problems.append(Problem(("answer",), "answer must list at least one choice key"))
        for i, key in enumerate(answer):
            if key not in choices:
                problems.append(
                    Problem(
                        ("answer", i),
                        f"answer '{key}' is not one of the choices {listing(choices)}",
                    )
                )
            elif key in answer[:i]:
                problems.append(Problem(("answer", i), f"answer lists '{key}' twice"))
        if answer and len(choices) >= 2 and set(choices) <= set(answer):
            problems.append(
                Problem(
                    ("answer",),
                    "every choice is correct, so picking them all gets full marks",
                    warning=True,
                )
            )
        return problems

    def _grade(self, question: Question, response: Any) -> Score:
        choices, answer = question.spec["choices"], set(question.spec["answer"])
        entries = read_entries(response, list)
        unknown = [k for k in entries if not isinstance(k, str) or k not in choices]
        if unknown:
            raise Malformed(f"{show(unknown[0])} is not one of the choices {listing(choices)}")
        picked = set(entries)  # a repeated pick counts once
        wrong_count = len(choices) - len(answer)
        parts = [
            self._part(question, key, key in picked, key in answer, len(answer), wrong_count)
            for key in choices
        ]
        ordered = [k for k in choices if k in picked]
        return scored(question, parts, _choice_feedback(question, ordered))

    @staticmethod
    def _part(question: Question, key: str, picked: bool, right: bool, k: int, w: int) -> Part:
        """A right choice is worth points/k if picked; a wrong pick costs points/w."""
        if right:
            share = question.points / k
            return Part(f"Choice {key}", share if picked else 0.0, share, picked)
        return Part(f"Choice {key}", -question.points / w if picked else 0.0, 0.0, not picked)

    def _view(self, question: Question, rng: random.Random, shuffle: bool) -> dict[str, Any]:
        return _choices_view(question, rng, shuffle)

    def choice_order(self, question: Question, rng: random.Random, shuffle: bool) -> list[str]:
        return _choice_order(question, rng, shuffle)

    def key_view(self, question: Question) -> dict[str, Any]:
        answer = list(question.spec["answer"])
        return {"answer": answer, "texts": [question.spec["choices"][k] for k in answer]}


class TrueFalse(QuestionType):
    """A statement to judge true or false; all or nothing."""

    name = "truefalse"
    fields = {"answer": boolean(), "feedback": map_of(text(), keys=boolean())}
    required = ("answer",)

    def _grade(self, question: Question, response: Any) -> Score:
        if isinstance(response, str) and response.strip().lower() in ("true", "false"):
            response = response.strip().lower() == "true"
        if not isinstance(response, bool):
            raise Malformed(f"expected true or false, got {show(response)}")
        correct = response == question.spec["answer"]
        feedback = question.spec.get("feedback", {})
        # Keys are booleans from YAML, but "true"/"false" once the spec has been through JSON.
        note = feedback.get(response, feedback.get(str(response).lower()))
        part = Part("Answer", question.points if correct else 0.0, question.points, correct)
        return scored(question, [part], [note] if note else [])

    def key_view(self, question: Question) -> dict[str, Any]:
        return {"answer": question.spec["answer"]}
