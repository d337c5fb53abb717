"""Reliability of a quiz: Cronbach's alpha, or KR-20 when every question is scored
all-or-nothing (Moodle's coefficient of internal consistency), over the students who got
every question, with plain-language warnings when it should not be trusted."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from studyapp.gradebook.stats import Scores, covariance_sum, is_dichotomous

#: Alpha from two students is arithmetic, not information.
MIN_RELIABILITY_STUDENTS = 3
FEW_STUDENTS = 20
FEW_QUESTIONS = 5


@dataclass(frozen=True)
class Reliability:
    """Cronbach's alpha or KR-20, with a warning when it should not be trusted."""

    value: float | None
    #: "KR-20" when every question is scored all-or-nothing, else "Cronbach's alpha".
    kind: str
    #: Students who got every question, the only ones counted.
    n_students: int
    n_questions: int
    #: Why a value should be read with caution.
    warning: str | None = None
    #: Why there is no value.
    reason: str | None = None


def reliability(matrix: Sequence[Scores], maxes: Sequence[float]) -> Reliability:
    """Cronbach's alpha (KR-20 for right-or-wrong items) over students who got every question."""
    k = len(maxes)
    check_shape(matrix, k)
    complete = [[float(s) for s in row if s is not None] for row in matrix if None not in row]
    n = len(complete)
    dichotomous = all(is_dichotomous([row[i] for row in complete], maxes[i]) for i in range(k))
    kind = "KR-20" if dichotomous else "Cronbach's alpha"

    def nothing(reason: str) -> Reliability:
        return Reliability(None, kind, n, k, reason=reason)

    if k < 2:
        return nothing("Reliability needs at least 2 questions.")
    if n < MIN_RELIABILITY_STUDENTS:
        if n < len(matrix):
            return nothing(
                f"Only {n} of {len(matrix)} students got every question (questions are drawn "
                "at random), too few to tell how consistent the quiz is."
            )
        return nothing(f"Reliability needs at least {MIN_RELIABILITY_STUDENTS} students.")
    total_var = _variance([math.fsum(row) for row in complete])
    if total_var <= 0:
        return nothing("Every student got the same total, so there is no spread to explain.")
    # Alpha with sample variances equals KR-20 (sum of p*q over the population variance):
    # the n / (n - 1) factors cancel in the ratio.
    item_var = math.fsum(_variance([row[i] for row in complete]) for i in range(k))
    value = k / (k - 1) * (1 - item_var / total_var)
    return Reliability(value, kind, n, k, warning=_reliability_warning(value, n, k))


def check_shape(matrix: Sequence[Scores], k: int) -> None:
    if any(len(row) != k for row in matrix):
        raise ValueError(f"every row needs {k} scores, one per question")


def _variance(values: Sequence[float]) -> float:
    return covariance_sum(values, values) / (len(values) - 1)


def _reliability_warning(value: float, n: int, k: int) -> str | None:
    """Why the figure should not be trusted, in plain words; None when it can be."""
    parts = []
    if n < FEW_STUDENTS:
        parts.append(
            f"With only {n} students and {k} questions this figure swings widely; "
            "read it as a rough hint."
        )
    elif k < FEW_QUESTIONS:
        parts.append(
            f"With only {k} questions this figure swings widely however many students take "
            "the quiz; read it as a rough hint."
        )
    if value < 0:
        parts.append(
            "A negative value means the questions disagree about who knows the material: "
            "look for a wrong key or questions on unrelated topics."
        )
    return " ".join(parts) or None
