"""95% confidence intervals: Wilson for proportions, t for means, Fisher's z for correlations.

Pure functions over plain numbers. Student's t critical values are computed here (an exact
series for small samples, Cornish-Fisher beyond 30 degrees of freedom) rather than taken
from a statistics package, which would be a large dependency for one quantile.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist, fmean, stdev

CONFIDENCE = 0.95
Z95 = NormalDist().inv_cdf(0.5 + CONFIDENCE / 2)  # 1.959963...
#: Fisher's interval uses 1 / sqrt(n - 3), so it needs at least 4.
MIN_FISHER_N = 4


@dataclass(frozen=True)
class Interval:
    """A 95% confidence interval."""

    low: float
    high: float


def wilson(successes: int, n: int) -> Interval | None:
    """Wilson score interval (95%) for a proportion; None when n is 0."""
    if n <= 0:
        return None
    p = successes / n
    z2 = Z95 * Z95
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    # Rounding can put an edge a hair inside p at 0 or 1.
    return Interval(max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half)))


def mean_interval(values: Sequence[float]) -> Interval | None:
    """t-based 95% interval for a mean; None for fewer than 2 values."""
    n = len(values)
    if n < 2:
        return None
    mean = fmean(values)
    half = t_critical(n - 1) * stdev(values) / math.sqrt(n)
    return Interval(mean - half, mean + half)


def discrimination_ci(r: float | None, n: int) -> Interval | None:
    """Fisher z-transform 95% interval for a correlation; None when r is None or n < 4."""
    if r is None or n < MIN_FISHER_N:
        return None
    if abs(r) >= 1:
        return Interval(r, r)  # atanh(±1) is infinite; a perfect r has no spread to show
    z = math.atanh(r)
    half = Z95 / math.sqrt(n - 3)
    return Interval(math.tanh(z - half), math.tanh(z + half))


@lru_cache(maxsize=128)
def t_critical(df: int) -> float:
    """Two-sided 95% critical value of Student's t (12.706 for df=1, 2.228 for df=10)."""
    if df < 1:
        raise ValueError("degrees of freedom must be at least 1")
    if df > 30:
        return _cornish_fisher(df)
    low, high = 0.0, 20.0  # t for df=1 is 12.7
    for _ in range(80):
        mid = (low + high) / 2
        if _t_central(mid, df) < CONFIDENCE:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def _t_central(t: float, df: int) -> float:
    """P(|T| < t) for integer df, by the finite series of Abramowitz & Stegun 26.7.3."""
    theta = math.atan(t / math.sqrt(df))
    c2 = math.cos(theta) ** 2
    if df % 2:
        term = total = math.cos(theta) if df > 1 else 0.0
        for k in range(1, (df - 1) // 2):
            term *= c2 * (2 * k) / (2 * k + 1)
            total += term
        return 2 / math.pi * (theta + math.sin(theta) * total)
    term = total = 1.0
    for k in range(1, df // 2):
        term *= c2 * (2 * k - 1) / (2 * k)
        total += term
    return math.sin(theta) * total


def _cornish_fisher(df: int) -> float:
    """t quantile from the normal one; within 1e-7 of the exact value for df > 30."""
    z = Z95
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4
