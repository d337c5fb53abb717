"""Quiz statistics as pure functions: totals, item analysis and reliability, Moodle-style.

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
plain-language warnings; `DEFINITIONS` explains each figure for instructors.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from statistics import fmean, median, stdev

from studyapp.core.numbers import format_number
from studyapp.gradebook.intervals import Interval, discrimination_ci, mean_interval, wilson

TOO_HARD = 0.2
TOO_EASY = 0.95
#: A correlation from fewer students is not worth printing.
MIN_CORRELATION_N = 3
#: Alpha from two students is arithmetic, not information.
MIN_RELIABILITY_STUDENTS = 3
FEW_STUDENTS = 20
FEW_QUESTIONS = 5
#: Below this many answers a question gets no flags: one student picking B over the key A
#: says nothing about the key.
MIN_FLAG_N = 10
#: Scores within this of 0 or of the maximum count as all-or-nothing.
EPSILON = 1e-9

DEFINITIONS: dict[str, str] = {
    "facility": (
        "Facility index: the share of the available marks that students earned on this "
        "question, from 0 (nobody earned anything) to 1 (everyone earned full marks). 0.8 "
        "means the class earned 80% of the marks. Higher means easier. Moodle uses the same "
        "definition and shows it as a percentage."
    ),
    "discrimination": (
        "Discrimination index: how well this question separates students who did well on "
        "the rest of the quiz from those who did not. It is the correlation between the "
        "score on this question and the score on all the other questions (Moodle shows it "
        "times 100). Near +1: strong students get it right and weaker students miss it. "
        "Near 0: it says little about overall performance. Negative: stronger students "
        "tended to get it wrong, which often means a wrong key or misleading wording. As a "
        "rough guide, 0.3 or more is good and below 0.2 deserves a look."
    ),
    "discriminative_efficiency": (
        "Discriminative efficiency: the discrimination index as a share of the most this "
        "question could reach given how easy or hard it is. A very easy or very hard "
        "question cannot separate students much; this figure allows for that."
    ),
    "reliability": (
        "Reliability (Cronbach's alpha, called KR-20 when every question is simply right or "
        "wrong; Moodle calls it the coefficient of internal consistency): how far the "
        "questions agree about who knows the material, usually between 0 and 1. High means "
        "a student's total would come out much the same on a similar set of questions. "
        "About 0.7 or more is usual for a class test. It needs many students and questions "
        "to be trusted, and counts only students who saw every question."
    ),
    "standard_deviation": (
        "Standard deviation: how spread out the scores are around the average, in the same "
        "units as the scores. In a typical class about two thirds of the students are "
        "within one standard deviation of the average. It uses the sample formula (divide "
        "by n - 1), as Moodle does."
    ),
    "item_sd": (
        "Question SD: how much students' scores on this question differ, as a share of its "
        "marks (0 when everyone scored the same; at most about 0.5 for right-or-wrong). "
        "Sample formula, as Moodle shows it."
    ),
    "error_ratio": (
        "Error ratio: the share of the spread in totals that is measurement noise rather "
        "than real differences between students, the square root of (1 - reliability). "
        "Moodle shows it as a percentage; below 0.5 is good for a class test."
    ),
    "standard_error": (
        "Standard error of the test: error ratio times the standard deviation of the "
        "totals, in points. A student's total could easily have been this much higher or "
        "lower on another day; differences smaller than this mean little."
    ),
    "flags": (
        f"Flags: warnings on questions that look broken or unusually easy or hard. They are "
        f"shown only for questions answered by at least {MIN_FLAG_N} students; with fewer, "
        "one student's choice would be enough to raise them."
    ),
    "confidence_interval": (
        "95% confidence interval: the range the figure would probably fall in if a similar "
        "class took the same quiz. With few students it is wide: a facility of 0.6 from 10 "
        "students could well be anything from 0.3 to 0.83. Right-or-wrong questions use the "
        "Wilson interval, partial credit a t interval, discrimination Fisher's z interval."
    ),
}

Scores = Sequence[float | None]


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


def _covariance_sum(xs: Sequence[float], ys: Sequence[float]) -> float:
    mx, my = fmean(xs), fmean(ys)
    return math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r; None for fewer than 3 pairs or when either side does not vary."""
    if len(xs) < MIN_CORRELATION_N or len(set(xs)) == 1 or len(set(ys)) == 1:
        return None
    sxx, syy = _covariance_sum(xs, xs), _covariance_sum(ys, ys)
    if sxx <= 0 or syy <= 0:
        return None
    r = _covariance_sum(xs, ys) / math.sqrt(sxx * syy)
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
    most = _covariance_sum(sorted(item), sorted(rest))
    if most <= 0:
        return None
    return _covariance_sum(item, rest) / most


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


def reliability(matrix: Sequence[Scores], maxes: Sequence[float]) -> Reliability:
    """Cronbach's alpha (KR-20 for right-or-wrong items) over students who got every question."""
    k = len(maxes)
    _check_shape(matrix, k)
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


def _check_shape(matrix: Sequence[Scores], k: int) -> None:
    if any(len(row) != k for row in matrix):
        raise ValueError(f"every row needs {k} scores, one per question")


def _variance(values: Sequence[float]) -> float:
    return _covariance_sum(values, values) / (len(values) - 1)


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
    _check_shape(matrix, k)
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
