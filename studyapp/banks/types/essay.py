"""Essays: graded by hand against a rubric, with optional word limits."""

from __future__ import annotations

import random
from typing import Any

from studyapp.banks.schema import Question, integer, list_of, number, record, text
from studyapp.banks.types.base import (
    AWAITING,
    MAX_ESSAY,
    Problem,
    QuestionType,
    Score,
    Spec,
    read_text,
    round_points,
)

RUBRIC_ITEM = record({"criterion": text(), "points": number()}, required=("criterion", "points"))


class Essay(QuestionType):
    """A written answer graded by hand; grading only records that it awaits a human."""

    name = "essay"
    fields = {
        "model_answer": text(),
        "rubric": list_of(RUBRIC_ITEM),
        "min_words": integer(),
        "max_words": integer(),
    }
    required = ("model_answer",)

    def validate(self, spec: Spec, *, prompt: str, points: float | None) -> list[Problem]:
        problems = _word_limit_problems(spec.get("min_words"), spec.get("max_words"))
        rubric = spec.get("rubric")
        if rubric is None:
            return problems
        for i, item in enumerate(rubric):
            if item.get("points", 1) <= 0:
                problems.append(Problem(("rubric", i, "points"), "rubric points must be > 0"))
        total = sum(item.get("points", 0) for item in rubric)
        if points is not None and rubric and abs(total - points) > 1e-9:
            problems.append(
                Problem(
                    ("rubric",),
                    f"rubric points add up to {total:g}, but the question is worth {points:g}",
                    warning=True,
                )
            )
        return problems

    def _grade(self, question: Question, response: Any) -> Score:
        words = len(read_text(response, MAX_ESSAY).split())
        notes = [AWAITING]
        low, high = question.spec.get("min_words"), question.spec.get("max_words")
        if low is not None and words < low:
            notes.append(f"{words} words; at least {low} were asked for.")
        if high is not None and words > high:
            notes.append(f"{words} words; at most {high} were asked for.")
        return Score(0.0, round_points(question.points), (), tuple(notes), None)

    def _view(self, question: Question, rng: random.Random, shuffle: bool) -> dict[str, Any]:
        spec = question.spec
        return {k: spec[k] for k in ("min_words", "max_words") if k in spec}

    def key_view(self, question: Question) -> dict[str, Any]:
        rubric = [dict(item) for item in question.spec.get("rubric", ())]
        return {"model_answer": question.spec["model_answer"], "rubric": rubric}


def _word_limit_problems(low: int | None, high: int | None) -> list[Problem]:
    """Word limits must be sensible."""
    problems = []
    if low is not None and low < 0:
        problems.append(Problem(("min_words",), "min_words must be 0 or more"))
    if high is not None and high < 1:
        problems.append(Problem(("max_words",), "max_words must be at least 1"))
    if low is not None and high is not None and low > high:
        problems.append(
            Problem(("min_words",), f"min_words ({low}) is more than max_words ({high})")
        )
    return problems
