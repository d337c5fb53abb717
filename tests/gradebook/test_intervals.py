"""Confidence intervals checked against values worked out by hand and against tables."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studyapp.gradebook import intervals
from studyapp.gradebook.intervals import Interval


def test_wilson_interval_at_the_edges():
    everyone = intervals.wilson(5, 5)
    assert everyone is not None and everyone.high == 1
    # z^2 / (n + z^2) = 3.841459 / 8.841459 = .4345 -> [.5655, 1]
    assert everyone.low == pytest.approx(0.5655, abs=1e-4)
    nobody = intervals.wilson(0, 5)
    assert nobody is not None and nobody.low == 0
    assert nobody.high == pytest.approx(0.4345, abs=1e-4)
    assert intervals.wilson(0, 0) is None


def test_t_critical_values_match_the_tables():
    table = {1: 12.7062, 2: 4.3027, 3: 3.1824, 5: 2.5706, 10: 2.2281, 30: 2.0423, 120: 1.9799}
    for df, value in table.items():
        assert intervals.t_critical(df) == pytest.approx(value, abs=1e-4)
    with pytest.raises(ValueError):
        intervals.t_critical(0)


def test_fisher_interval_by_hand():
    # r = .686406, n = 5: z = atanh(r) = .5 * ln(1.686406 / .313594) = .841128
    # se = 1 / sqrt(5 - 3) = .707107; half = 1.959964 * .707107 = 1.385904
    # [tanh(-.544776), tanh(2.227032)] = [-.49659, .97700]
    ci = intervals.discrimination_ci(0.686406, 5)
    assert ci is not None
    assert (ci.low, ci.high) == pytest.approx((-0.4966, 0.9770), abs=1e-4)


def test_fisher_interval_edge_cases():
    assert intervals.discrimination_ci(0.5, 3) is None
    assert intervals.discrimination_ci(None, 50) is None
    assert intervals.discrimination_ci(1.0, 10) == Interval(1.0, 1.0)
    assert intervals.discrimination_ci(0.0, 4) is not None


@given(st.integers(min_value=1, max_value=500), st.data())
def test_wilson_interval_contains_the_proportion(n, data):
    successes = data.draw(st.integers(min_value=0, max_value=n))
    ci = intervals.wilson(successes, n)
    assert ci is not None
    assert 0 <= ci.low <= successes / n <= ci.high <= 1


@given(
    st.floats(min_value=-1, max_value=1, allow_nan=False), st.integers(min_value=4, max_value=10**6)
)
def test_fisher_interval_contains_r(r, n):
    ci = intervals.discrimination_ci(r, n)
    assert ci is not None
    assert -1 <= ci.low <= r <= ci.high <= 1
