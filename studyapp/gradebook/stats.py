"""Quiz statistics as pure functions, Moodle-style: the item analysis of each question.

Input is a score matrix: one row per attempt that counts, one column per question, each cell
the points earned on that question, or None when the attempt did not get the question (a
random draw gave it another one). ``maxes`` holds each question's maximum points. A drawn
but unanswered question scores 0, not None. To feed fractions instead of points, pass maxes
of 1.0.

The definitions follow Moodle's quiz statistics report where they overlap:

- facility index: the mean score on the question as a fraction of its maximum, over the
  attempts that got the question;
- discrimination index: the Pearson correlation between the score on the question and the
  score on the rest of the test (total minus this question). For a question drawn at random
  (a different one per student), Moodle correlates with the whole attempt total instead,
  this question included, and so does this module (``drawn``). Moodle shows it times 100;
  here it stays in [-1, 1];
- discriminative efficiency: that covariance divided by the largest covariance the two score
  lists could reach (both sorted), so easy or hard questions are not penalised for having
  little room to discriminate;
- coefficient of internal consistency: Cronbach's alpha (KR-20 when every question is
  scored all-or-nothing);
- standard deviation: the sample formula (divide by n - 1); a question's SD is of its score
  as a fraction of its maximum, as Moodle shows it;
- error ratio: sqrt(1 - reliability), the share of the spread of totals that is noise, and
  standard error: error ratio x SD of the totals, in points (Moodle's definitions).

Small classes are the norm here, so the figures come with 95% confidence intervals and with
plain-language warnings; `definitions.DEFINITIONS` explains each figure for instructors.
Reliability is in `reliability`, the whole quiz (totals, histogram, every question) in
`quizstats`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from statistics import fmean, stdev

from studyapp.core.numbers import format_number
from studyapp.gradebook.intervals import Interval, discrimination_ci, mean_interval, wilson

TOO_HARD = 0.2
TOO_EASY = 0.95
#: A correlation from fewer students is not worth printing.
MIN_CORRELATION_N = 3
#: Below this many answers a question gets no flags: one student picking B over the key A
#: says nothing about the key.
MIN_FLAG_N = 10
#: Scores within this of 0 or of the maximum count as all-or-nothing.
EPSILON = 1e-9

Scores = Sequence[float | None]


@dataclass(frozen=True)
class Option:
    """How often one choice of a question was picked."""

    label: str
    count: int
    share: float | None
    is_key: bool


@dataclass(frozen=True)
class QuestionStats:
    """Item analysis of one question; None wherever the data cannot support a figure."""

    n: int
    max_points: float
    #: Mean points earned.
    mean: float | None
    facility: float | None
    #: Sample SD of the score as a fraction of max_points, as Moodle reports it.
    sd: float | None
    facility_ci: Interval | None
    discrimination: float | None
    discrimination_ci: Interval | None
    discriminative_efficiency: float | None
    options: tuple[Option, ...] = ()
    flags: tuple[str, ...] = ()


def _present(scores: Scores) -> list[float]:
    return [s for s in scores if s is not None]


def _fractions(scores: Scores, max_q: float) -> list[float]:
    return [s / max_q for s in _present(scores)]


def facility(scores_q: Scores, max_q: float) -> float | None:
    """Moodle's facility index: mean score fraction over the students who got the question."""
    present = _present(scores_q)
    if not present or max_q <= 0:
        return None
    return fmean(present) / max_q


def is_dichotomous(scores_q: Scores, max_q: float) -> bool:
    """True when every score is 0 or full marks (right-or-wrong scoring)."""
    return all(abs(s) <= EPSILON or abs(s - max_q) <= EPSILON for s in _present(scores_q))


def _item_and_rest(
    scores_q: Scores, totals: Sequence[float], drawn: bool = False
) -> tuple[list[float], list[float]]:
    """Pairs of (question score, score it is compared with) for the students who got it.

    The rest of the test (total minus this question), or for a question drawn at random the
    whole total, as Moodle compares its random questions' sub-questions.
    """
    pairs = [
        (s, t if drawn else t - s) for s, t in zip(scores_q, totals, strict=True) if s is not None
    ]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def covariance_sum(xs: Sequence[float], ys: Sequence[float]) -> float:
    mx, my = fmean(xs), fmean(ys)
    return math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r; None for fewer than 3 pairs or when either side does not vary."""
    if len(xs) < MIN_CORRELATION_N or len(set(xs)) == 1 or len(set(ys)) == 1:
        return None
    sxx, syy = covariance_sum(xs, xs), covariance_sum(ys, ys)
    if sxx <= 0 or syy <= 0:
        return None
    r = covariance_sum(xs, ys) / math.sqrt(sxx * syy)
    # Rounding can push a perfect correlation a hair past 1.
    return max(-1.0, min(1.0, r))


def discrimination(scores_q: Scores, totals: Sequence[float], drawn: bool = False) -> float | None:
    """Moodle's discrimination index: r between question score and rest-of-test score
    (the whole total for a question drawn at random)."""
    item, rest = _item_and_rest(scores_q, totals, drawn)
    return pearson(item, rest)


def discriminative_efficiency(
    scores_q: Scores, totals: Sequence[float], drawn: bool = False
) -> float | None:
    """Moodle's discriminative efficiency, as a fraction: cov(item, rest) / its maximum."""
    item, rest = _item_and_rest(scores_q, totals, drawn)
    if len(item) < MIN_CORRELATION_N:
        return None
    # The largest covariance two lists with these values can have pairs them both sorted.
    most = covariance_sum(sorted(item), sorted(rest))
    if most <= 0:
        return None
    return covariance_sum(item, rest) / most


def facility_ci(scores_q: Scores, max_q: float) -> Interval | None:
    """95% interval for the facility: Wilson if right-or-wrong, else t; None below 2 students."""
    present = _present(scores_q)
    if len(present) < 2 or max_q <= 0:
        return None
    if is_dichotomous(present, max_q):
        return wilson(sum(1 for s in present if s > max_q / 2), len(present))
    interval = mean_interval(_fractions(present, max_q))
    if interval is None:
        return None
    # Scores never leave 0..max, so neither should the range of their mean.
    return Interval(max(0.0, interval.low), min(1.0, interval.high))


def distractors(choice_counts: Mapping[str, int], key: Collection[str], n: int) -> list[Option]:
    """Count, share of the n students, and key marker for each choice (key ones never left out)."""
    labels = list(choice_counts) + sorted(k for k in key if k not in choice_counts)
    return [
        Option(
            label=label,
            count=choice_counts.get(label, 0),
            share=choice_counts.get(label, 0) / n if n > 0 else None,
            is_key=label in key,
        )
        for label in labels
    ]


def flags(question_stats: QuestionStats, min_n: int = MIN_FLAG_N) -> list[str]:
    """Plain-language warnings for a question that looks broken, or unusually easy or hard;
    none below ``min_n`` answers."""
    found: list[str] = []
    stats = question_stats
    if stats.n < min_n:
        return found
    r = stats.discrimination
    if r is not None and r < 0:
        message = (
            f"Negative discrimination ({format_number(r, 2, trim=False)}): students who did "
            "well overall tended to get this wrong — check the key."
        )
        if stats.discrimination_ci is None or stats.discrimination_ci.high > 0:
            message += f" With {stats.n} students this may also be chance."
        found.append(message)
    found += _distractor_flags(stats.options)
    f = stats.facility
    if f is not None and f < TOO_HARD:
        found.append(
            f"Very hard: students earned {format_number(100 * f, 0)}% of the marks. "
            "Information, not an error: check that it was meant to be this hard."
        )
    if f is not None and f > TOO_EASY:
        found.append(
            f"Very easy: students earned {format_number(100 * f, 0)}% of the marks. "
            "Information, not an error: it tells you little about who knows the material."
        )
    return found


def _distractor_flags(options: Sequence[Option]) -> list[str]:
    keys = [o for o in options if o.is_key]
    if not keys:
        return []
    top_key = max(o.count for o in keys)
    key_text = "/".join(o.label for o in keys)
    key_counts = "/".join(str(o.count) for o in keys)
    return [
        f"More students chose {o.label} ({o.count}) than the key {key_text} ({key_counts}): "
        f"check the key and whether {o.label} could also be right."
        for o in options
        if not o.is_key and o.count > top_key
    ]


def question_stats(
    scores_q: Scores,
    max_q: float,
    totals: Sequence[float],
    *,
    choice_counts: Mapping[str, int] | None = None,
    key: Collection[str] | None = None,
    drawn: bool = False,
    min_flag_n: int = MIN_FLAG_N,
) -> QuestionStats:
    """Item analysis of one question; ``totals`` are the same students' test totals.

    :param drawn: the question was drawn at random (compared with the whole total).
    :param min_flag_n: the fewest answers for which flags are raised.
    """
    present = _present(scores_q)
    n = len(present)
    fractions = _fractions(present, max_q) if max_q > 0 else []
    r = discrimination(scores_q, totals, drawn)
    options = distractors(choice_counts, key or (), n) if choice_counts is not None else []
    stats = QuestionStats(
        n=n,
        max_points=max_q,
        mean=fmean(present) if present else None,
        facility=facility(present, max_q),
        sd=stdev(fractions) if len(fractions) >= 2 else None,
        facility_ci=facility_ci(present, max_q),
        discrimination=r,
        discrimination_ci=discrimination_ci(r, n),
        discriminative_efficiency=discriminative_efficiency(scores_q, totals, drawn),
        options=tuple(options),
    )
    return replace(stats, flags=tuple(flags(stats, min_flag_n)))
