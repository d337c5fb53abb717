"""A whole quiz's statistics: the totals' summary and histogram, reliability with the
error ratio and standard error, and the item analysis of every question (see `stats`
for the input matrix and the definitions)."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean, median, stdev

from studyapp.core.numbers import format_number
from studyapp.gradebook.reliability import Reliability, check_shape, reliability
from studyapp.gradebook.stats import QuestionStats, Scores, question_stats


@dataclass(frozen=True)
class Summary:
    """Totals of a quiz: count, centre, spread and range, in points and in percent."""

    n: int
    max_total: float
    mean: float | None
    median: float | None
    sd: float | None
    min: float | None
    max: float | None
    mean_percent: float | None
    median_percent: float | None
    sd_percent: float | None
    min_percent: float | None
    max_percent: float | None


@dataclass(frozen=True)
class Bin:
    """One histogram bar: scores from low up to high (high included only in the top bin)."""

    label: str
    low: float
    high: float
    count: int


@dataclass(frozen=True)
class QuizStats:
    """Everything the quiz statistics page shows."""

    summary: Summary
    histogram: tuple[Bin, ...]
    reliability: Reliability
    questions: tuple[QuestionStats, ...]
    #: sqrt(1 - reliability), None without a reliability.
    error_ratio: float | None = None
    #: error_ratio x SD of the totals, in points.
    standard_error: float | None = None


def summary(totals: Sequence[float], max_total: float) -> Summary:
    """Count, mean, median, sample SD, min and max of the totals, also as percentages."""
    n = len(totals)
    mean = fmean(totals) if n else None
    mid = float(median(totals)) if n else None
    sd = stdev(totals) if n >= 2 else None
    low = float(min(totals)) if n else None
    high = float(max(totals)) if n else None
    return Summary(
        n=n,
        max_total=max_total,
        mean=mean,
        median=mid,
        sd=sd,
        min=low,
        max=high,
        mean_percent=_percent(mean, max_total),
        median_percent=_percent(mid, max_total),
        sd_percent=_percent(sd, max_total),
        min_percent=_percent(low, max_total),
        max_percent=_percent(high, max_total),
    )


def _percent(value: float | None, of: float) -> float | None:
    if value is None or of <= 0:
        return None
    return 100 * value / of


def histogram(values: Sequence[float], max_value: float, bins: int = 10) -> list[Bin]:
    """Equal-width bins over 0..max_value labelled in percent; the top bin includes the max."""
    if bins < 1:
        raise ValueError("bins must be at least 1")
    if max_value <= 0:
        return []
    counts = [0] * bins
    for value in values:
        # Multiply before dividing so integer points land exactly on bin edges; a penalty
        # below 0 or a bonus above the max is counted in the nearest end bin.
        index = math.floor(value * bins / max_value)
        counts[min(bins - 1, max(0, index))] += 1
    return [
        Bin(
            label=f"{_pct_text(100 * i / bins)}–{_pct_text(100 * (i + 1) / bins)}%",
            low=max_value * i / bins,
            high=max_value * (i + 1) / bins,
            count=count,
        )
        for i, count in enumerate(counts)
    ]


def _pct_text(value: float) -> str:
    return format_number(value, 1)


def quiz_stats(
    matrix: Sequence[Scores],
    maxes: Sequence[float],
    *,
    max_total: float | None = None,
    choice_counts: Sequence[Mapping[str, int] | None] | None = None,
    keys: Sequence[Collection[str] | None] | None = None,
    drawn: Sequence[bool] | None = None,
    bins: int = 10,
) -> QuizStats:
    """Statistics for a whole quiz; ``max_total`` defaults to the largest attempt's maximum.

    :param choice_counts: per question, how often each choice was picked (None: no choices).
    :param keys: per question, the correct choice labels (None: no choices).
    :param drawn: per question, whether it was drawn at random.
    """
    k = len(maxes)
    check_shape(matrix, k)
    totals = [math.fsum(s for s in row if s is not None) for row in matrix]
    if max_total is None:
        # With random draws attempts can differ; the largest is the quiz's stated maximum.
        row_maxes = [
            math.fsum(m for s, m in zip(row, maxes, strict=True) if s is not None) for row in matrix
        ]
        max_total = max(row_maxes, default=math.fsum(maxes))
    counts = choice_counts or [None] * k
    answer_keys = keys or [None] * k
    random = drawn or [False] * k
    questions = tuple(
        question_stats(
            [row[i] for row in matrix],
            maxes[i],
            totals,
            choice_counts=counts[i],
            key=answer_keys[i],
            drawn=random[i],
        )
        for i in range(k)
    )
    totals_summary = summary(totals, max_total)
    rel = reliability(matrix, maxes)
    error_ratio = standard_error = None
    if rel.value is not None:
        error_ratio = math.sqrt(1 - rel.value)
        if totals_summary.sd is not None:
            standard_error = error_ratio * totals_summary.sd
    return QuizStats(
        summary=totals_summary,
        histogram=tuple(histogram(totals, max_total, bins)),
        reliability=rel,
        questions=questions,
        error_ratio=error_ratio,
        standard_error=standard_error,
    )
