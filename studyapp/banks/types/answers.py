"""Types answered by writing: short text, numbers, and blanks in a prompt."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from studyapp.banks.numbers import format_number, number_problem, parse_number, to_decimal
from studyapp.banks.schema import Question, list_of, map_of, number, text
from studyapp.banks.text import normalize_answer
from studyapp.banks.types.base import (
    Malformed,
    Part,
    Problem,
    QuestionType,
    Score,
    Spec,
    accepts,
    read_entries,
    read_text,
    scored,
    show,
)
from studyapp.banks.types.patterns import pattern_problem

BLANK_NAME_PATTERN = r"[A-Za-z0-9_-]{1,40}"
_MARKER = re.compile(r"\[\[(.*?)\]\]", re.S)


class Short(QuestionType):
    """A few words, compared after normalization with the accepted answers or a pattern."""

    name = "short"
    fields = {"answers": list_of(text()), "pattern": text()}
    required = ("answers",)

    def validate(self, spec: Spec, *, prompt: str, points: float | None) -> list[Problem]:
        problems = _accepted_problems(spec.get("answers"), ("answers",), "'answers'")
        pattern = spec.get("pattern")
        problem = pattern_problem(pattern) if pattern is not None else None
        if problem:
            problems.append(Problem(("pattern",), problem))
        return problems

    def _grade(self, question: Question, response: Any) -> Score:
        answer = read_text(response)
        correct = accepts(question.spec["answers"], answer, question.spec.get("pattern"))
        part = Part("Answer", question.points if correct else 0.0, question.points, correct)
        return scored(question, [part])

    def key_view(self, question: Question) -> dict[str, Any]:
        return {"answers": list(question.spec["answers"])}


def _accepted_problems(answers: Sequence[str] | None, path: tuple, what: str) -> list[Problem]:
    """A list of accepted answers must be non-empty and survive normalization."""
    if answers is None:
        return []
    if not answers:
        return [Problem(path, f"{what} has no accepted answers")]
    return [
        Problem(path + (i,), f"accepted answer '{a}' is empty once punctuation is ignored")
        for i, a in enumerate(answers)
        if not normalize_answer(a)
    ]


class Numeric(QuestionType):
    """A number typed as text ('1.5bn', '$1,500,000,000'); right within the tolerance.

    A range (`min` and `max` instead of `answer`) is right from one end to the other,
    both ends included: it is how Moodle's `{#min..max}` is kept exactly.
    """

    name = "numeric"
    fields = {
        "answer": number(),
        "tolerance": number(),
        "min": number(),
        "max": number(),
        "unit": text(),
    }

    required = ("answer",)

    def required_keys(self, keys: set[str]) -> tuple[str, ...]:
        return ("min", "max") if keys & {"min", "max"} else self.required

    def validate(self, spec: Spec, *, prompt: str, points: float | None) -> list[Problem]:
        has_range = "min" in spec or "max" in spec
        if "answer" in spec and has_range:
            return [Problem(("answer",), "give either 'answer' or 'min' and 'max', not both")]
        if not has_range:
            tolerance = spec.get("tolerance")
            if tolerance is not None and tolerance < 0:
                return [Problem(("tolerance",), f"tolerance must be 0 or more, not {tolerance}")]
            return []
        if "tolerance" in spec:
            return [Problem(("tolerance",), "a range ('min' and 'max') has no tolerance")]
        if "min" not in spec or "max" not in spec:
            return []  # the loader reports the missing end
        if spec["min"] > spec["max"]:
            return [Problem(("min",), f"min {spec['min']} is greater than max {spec['max']}")]
        return []

    def _grade(self, question: Question, response: Any) -> Score:
        if isinstance(response, bool) or not isinstance(response, str | int | float):
            raise Malformed(f"expected text, got {show(response)}")
        value = (
            parse_number(read_text(response))
            if isinstance(response, str)
            else (to_decimal(response) if abs(response) < float("inf") else None)
        )
        if value is None:
            part = Part("Answer", 0.0, question.points, False)
            problem = (
                number_problem(response)
                if isinstance(response, str)
                else f"Could not read {show(response)} as a number."
            )
            return scored(question, [part], [problem])
        low, high = numeric_bounds(question.spec)
        correct = low <= value <= high
        part = Part("Answer", question.points if correct else 0.0, question.points, correct)
        return scored(question, [part])

    def _view(self, question: Question, rng: random.Random, shuffle: bool) -> dict[str, Any]:
        unit = question.spec.get("unit")
        return {"unit": unit} if unit else {}

    def key_view(self, question: Question) -> dict[str, Any]:
        spec = question.spec
        if "answer" in spec:
            view = {
                "answer": spec["answer"],
                "display": format_number(spec["answer"]),
                "tolerance": spec.get("tolerance", 0),
            }
        else:
            view = {
                "min": spec["min"],
                "max": spec["max"],
                "display": f"{format_number(spec['min'])} to {format_number(spec['max'])}",
            }
        if spec.get("unit"):
            view["unit"] = spec["unit"]
        return view


def numeric_bounds(spec: Spec) -> tuple[Decimal, Decimal]:
    """The lowest and highest right answers, exactly as written in the bank."""
    if "answer" in spec:
        answer = to_decimal(spec["answer"])
        margin = to_decimal(spec.get("tolerance", 0))
        return answer - margin, answer + margin
    return to_decimal(spec["min"]), to_decimal(spec["max"])


def blank_names(prompt: str) -> list[str]:
    """The [[name]] markers of a prompt, in order."""
    return [m.strip() for m in _MARKER.findall(prompt)]


class Blanks(QuestionType):
    """Fill-in-the-blanks: [[name]] markers in the prompt; each blank compared like `short`."""

    name = "blanks"
    fields = {
        "blanks": map_of(
            list_of(text()),
            keys=text(
                pattern=BLANK_NAME_PATTERN, hint="blank names use letters, digits, '-' or '_'"
            ),
        )
    }
    required = ("blanks",)

    def validate(self, spec: Spec, *, prompt: str, points: float | None) -> list[Problem]:
        markers = blank_names(prompt)
        problems = _marker_problems(markers)
        blanks = spec.get("blanks")
        if blanks is None:
            return problems
        for name in dict.fromkeys(markers):
            if re.fullmatch(BLANK_NAME_PATTERN, name) and name not in blanks:
                problems.append(Problem(("prompt",), f"marker [[{name}]] has no entry in 'blanks'"))
        for name, answers in blanks.items():
            if name not in markers:
                problems.append(
                    Problem(
                        ("blanks", name), f"blank '{name}' has no [[{name}]] marker in the prompt"
                    )
                )
            problems += _accepted_problems(answers, ("blanks", name), f"blank '{name}'")
            if any(normalize_answer(name) == normalize_answer(a) for a in answers):
                problems.append(
                    Problem(
                        ("blanks", name), f"blank name '{name}' gives the answer away", warning=True
                    )
                )
        return problems

    def _grade(self, question: Question, response: Any) -> Score:
        blanks = question.spec["blanks"]
        answers = read_entries(response, dict)
        for name, value in answers.items():
            if name not in blanks:
                raise Malformed(f"there is no blank named {show(name)}")
            if value is not None:
                read_text(value)
        share = question.points / max(1, len(blanks))
        parts = []
        for name, accepted in blanks.items():
            given = answers.get(name)
            ok = isinstance(given, str) and accepts(accepted, given)
            parts.append(Part(name, share if ok else 0.0, share, ok))
        return scored(question, parts)

    def _view(self, question: Question, rng: random.Random, shuffle: bool) -> dict[str, Any]:
        return {"blanks": list(dict.fromkeys(blank_names(question.prompt)))}

    def key_view(self, question: Question) -> dict[str, Any]:
        return {"blanks": {k: list(v) for k, v in question.spec["blanks"].items()}}


def _marker_problems(markers: list[str]) -> list[Problem]:
    """Markers must exist, have valid names, and appear once each."""
    if not markers:
        return [Problem(("prompt",), "the prompt has no [[name]] blank markers")]
    problems = []
    for i, name in enumerate(markers):
        if not re.fullmatch(BLANK_NAME_PATTERN, name):
            problems.append(
                Problem(
                    ("prompt",),
                    f"marker '[[{name}]]' is not a valid blank name: "
                    "use letters, digits, '-' or '_'",
                )
            )
        elif name in markers[:i]:
            problems.append(Problem(("prompt",), f"marker [[{name}]] appears more than once"))
    return problems
