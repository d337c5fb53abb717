"""Quiz statistics against figures worked out by hand, edge cases and properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studyapp.gradebook import definitions, quizstats, reliability, stats
from studyapp.gradebook.stats import Option

# Data set A: 5 students x 4 right-or-wrong questions (1 point each).
#
#        Q1 Q2 Q3 Q4 | total
#   S1    1  1  1  1 |   4
#   S2    1  1  1  0 |   3
#   S3    1  1  0  0 |   2
#   S4    1  0  0  1 |   2
#   S5    0  0  0  0 |   0
A = [[1, 1, 1, 1], [1, 1, 1, 0], [1, 1, 0, 0], [1, 0, 0, 1], [0, 0, 0, 0]]
A_MAXES = [1.0, 1.0, 1.0, 1.0]
A_TOTALS = [4.0, 3.0, 2.0, 2.0, 0.0]

# Data set B: 4 students x 3 questions with partial credit, maxes 2, 1 and 4 points.
#
#        Q1 Q2 Q3 | total
#   S1    2  1  4 |   7
#   S2    1  1  3 |   5
#   S3    1  0  2 |   3
#   S4    0  0  1 |   1
B = [[2, 1, 4], [1, 1, 3], [1, 0, 2], [0, 0, 1]]
B_MAXES = [2.0, 1.0, 4.0]
B_TOTALS = [7.0, 5.0, 3.0, 1.0]


def column(matrix: list[list], i: int) -> list:
    return [row[i] for row in matrix]


# --- summary ---------------------------------------------------------------------------


def test_summary_by_hand():
    # mean = 11 / 5 = 2.2; sorted 0 2 2 3 4 -> median 2
    # deviations 1.8 0.8 -0.2 -0.2 -2.2, squares 3.24 0.64 0.04 0.04 4.84, sum 8.8
    # sample variance 8.8 / 4 = 2.2, sd = sqrt(2.2) = 1.48324
    s = quizstats.summary(A_TOTALS, 4)
    assert s.n == 5
    assert s.mean == pytest.approx(2.2)
    assert s.median == 2
    assert s.sd == pytest.approx(1.48324, abs=1e-5)
    assert (s.min, s.max) == (0, 4)
    # percentages of the 4-point maximum
    assert s.mean_percent == pytest.approx(55.0)
    assert s.sd_percent == pytest.approx(37.081, abs=1e-3)
    assert s.max_percent == 100


def test_summary_partial_credit_by_hand():
    # mean = 16 / 4 = 4, median (3 + 5) / 2 = 4
    # deviations 3 1 -1 -3, squares sum 20, variance 20 / 3, sd = 2.58199
    s = quizstats.summary(B_TOTALS, 7)
    assert (s.mean, s.median) == (4, 4)
    assert s.sd == pytest.approx(2.58199, abs=1e-5)


def test_summary_of_nobody_and_of_one_student():
    empty = quizstats.summary([], 10)
    assert empty.n == 0
    assert empty.mean is None and empty.median is None and empty.sd is None
    assert empty.mean_percent is None
    one = quizstats.summary([7.5], 10)
    assert (one.n, one.mean, one.median, one.min, one.max) == (1, 7.5, 7.5, 7.5, 7.5)
    assert one.sd is None  # a sample SD needs two values
    assert one.mean_percent == 75


def test_summary_without_a_maximum_has_no_percentages():
    assert quizstats.summary([1, 2], 0).mean_percent is None


# --- histogram -------------------------------------------------------------------------


def test_histogram_labels_and_inclusive_top_bin():
    bins = quizstats.histogram([0, 1, 5, 9.99, 10, 10], 10)
    assert [b.label for b in bins][:2] == ["0–10%", "10–20%"]
    assert bins[-1].label == "90–100%"
    counts = [b.count for b in bins]
    # 0 -> first bin; 1 sits on the edge -> second; 5 -> sixth; 9.99 and both 10s -> top
    assert counts == [1, 1, 0, 0, 0, 1, 0, 0, 0, 3]
    assert (bins[0].low, bins[0].high) == (0, 1)


def test_histogram_puts_out_of_range_scores_in_the_end_bins():
    bins = quizstats.histogram([-1, 11], 10, bins=4)
    assert [b.count for b in bins] == [1, 0, 0, 1]
    assert [b.label for b in bins] == ["0–25%", "25–50%", "50–75%", "75–100%"]


def test_histogram_odd_bins_and_edge_cases():
    assert quizstats.histogram([1], 3, bins=3)[0].label == "0–33.3%"
    # 6.25 % and 31.25 % sit half-way: they round up, like every other figure (not to even).
    sixteenths = [b.label for b in quizstats.histogram([1], 16, bins=16)]
    assert sixteenths[0] == "0–6.3%" and sixteenths[4] == "25–31.3%"
    assert quizstats.histogram([], 10)[0].count == 0
    assert quizstats.histogram([1, 2], 0) == []
    with pytest.raises(ValueError):
        quizstats.histogram([1], 10, bins=0)


# --- facility --------------------------------------------------------------------------


def test_facility_by_hand():
    # right-or-wrong: 4 of 5, 3 of 5, 2 of 5, 2 of 5
    assert [stats.facility(column(A, i), 1) for i in range(4)] == pytest.approx(
        [0.8, 0.6, 0.4, 0.4]
    )
    # partial credit: Q1 mean 4 / 4 = 1 point of 2 -> 0.5; Q3 mean 10 / 4 = 2.5 of 4 -> 0.625
    assert stats.facility(column(B, 0), 2) == pytest.approx(0.5)
    assert stats.facility(column(B, 2), 4) == pytest.approx(0.625)


def test_facility_ignores_students_who_did_not_get_the_question():
    assert stats.facility([1, None, 0, None, 1, 1], 1) == pytest.approx(0.75)


def test_facility_edge_cases():
    assert stats.facility([], 1) is None
    assert stats.facility([None, None], 1) is None
    assert stats.facility([0, 0], 0) is None  # a 0-point question has no fraction


# --- discrimination --------------------------------------------------------------------


def test_discrimination_by_hand_uses_the_rest_of_the_test():
    # Q1 scores x = 1 1 1 1 0; rest = total - Q1 = 3 2 1 1 0
    # means 0.8 and 1.4; dx = .2 .2 .2 .2 -.8; dy = 1.6 .6 -.4 -.4 -1.4
    # Sxy = .2 * (1.6 + .6 - .4 - .4) + (-.8)(-1.4) = .28 + 1.12 = 1.4
    # Sxx = 4 * .04 + .64 = .8; Syy = 2.56 + .36 + .16 + .16 + 1.96 = 5.2
    # r = 1.4 / sqrt(.8 * 5.2) = 1.4 / 2.039608 = 0.686406
    assert stats.discrimination(column(A, 0), A_TOTALS) == pytest.approx(0.686406, abs=1e-6)
    # Q4 x = 1 0 0 1 0; rest = 3 3 2 1 0; means .4 and 1.8
    # dx = .6 -.4 -.4 .6 -.4; dy = 1.2 1.2 .2 -.8 -1.8
    # Sxy = .72 - .48 - .08 - .48 + .72 = .4; Sxx = 1.2; Syy = 6.8
    # r = .4 / sqrt(8.16) = 0.140028
    assert stats.discrimination(column(A, 3), A_TOTALS) == pytest.approx(0.140028, abs=1e-6)


def test_discrimination_partial_credit_by_hand():
    # B Q1 x = 2 1 1 0; rest = 5 4 2 1; means 1 and 3
    # dx = 1 0 0 -1; dy = 2 1 -1 -2; Sxy = 2 + 2 = 4; Sxx = 2; Syy = 10
    # r = 4 / sqrt(20) = 0.894427
    assert stats.discrimination(column(B, 0), B_TOTALS) == pytest.approx(0.894427, abs=1e-6)


def test_a_miskeyed_question_discriminates_negatively():
    # Only the two weakest students "get it right": x = 0 0 0 1 1, totals 4 3 3 1 1
    # rest = 4 3 3 0 0 -> r < 0
    r = stats.discrimination([0, 0, 0, 1, 1], [4, 3, 3, 1, 1])
    assert r is not None and r < -0.9


def test_discrimination_is_undefined_for_tiny_or_flat_data():
    assert stats.discrimination([1, 0], [3, 1]) is None  # fewer than 3 students
    assert stats.discrimination([1, 1, 1, 1], [4, 3, 2, 1]) is None  # everyone right
    assert stats.discrimination([1, 0, 1], [2, 1, 2]) is None  # rest is 1 1 1 for all
    assert stats.discrimination([None, None, None], [1, 2, 3]) is None
    assert stats.discrimination([], []) is None


def test_discrimination_skips_students_without_the_question():
    with_none = stats.discrimination([1, None, 1, 1, 0, None, 0], [4, 9, 3, 2, 2, 9, 0])
    without = stats.discrimination([1, 1, 1, 0, 0], [4, 3, 2, 2, 0])
    assert with_none == pytest.approx(without)


def test_discriminative_efficiency_by_hand():
    # A Q1: x sorted 0 1 1 1 1, rest sorted 0 1 1 2 3 -> dy = -1.4 -.4 -.4 .6 1.6
    # max Sxy = -.8 * -1.4 + .2 * (-.4 - .4 + .6 + 1.6) = 1.12 + .28 = 1.4 = actual Sxy -> 1.0
    assert stats.discriminative_efficiency(column(A, 0), A_TOTALS) == pytest.approx(1.0)
    # A Q4: actual Sxy = .4 (above); sorted x 0 0 0 1 1, rest 0 1 2 3 3, dy -1.8 -.8 .2 1.2 1.2
    # max Sxy = -.4 * (-1.8 - .8 + .2) + .6 * 2.4 = .96 + 1.44 = 2.4 -> .4 / 2.4 = 0.1667
    assert stats.discriminative_efficiency(column(A, 3), A_TOTALS) == pytest.approx(1 / 6)
    assert stats.discriminative_efficiency([1, 1, 1], [3, 2, 1]) is None


# --- reliability -----------------------------------------------------------------------


def test_kr20_by_hand():
    # item variances (n - 1): p = .8 -> .8 / 4 = .2; p = .6 and .4 -> 1.2 / 4 = .3 each
    # sum = .2 + .3 + .3 + .3 = 1.1; total variance 2.2 (summary above)
    # alpha = 4 / 3 * (1 - 1.1 / 2.2) = 0.666667
    # KR-20 with p*q and population variance: sum pq = .16 + .24 * 3 = .88,
    # var = 8.8 / 5 = 1.76, 4 / 3 * (1 - .88 / 1.76) = 0.666667, the same
    rel = reliability.reliability(A, A_MAXES)
    assert rel.kind == "KR-20"
    assert rel.value == pytest.approx(2 / 3)
    assert (rel.n_students, rel.n_questions) == (5, 4)
    assert rel.warning == (
        "With only 5 students and 4 questions this figure swings widely; read it as a rough hint."
    )


def test_cronbach_alpha_partial_credit_by_hand():
    # Q1 2 1 1 0: mean 1, SS 2, var 2/3; Q2 1 1 0 0: var 1/3; Q3 4 3 2 1: SS 5, var 5/3
    # sum 8/3; total variance 20/3; alpha = 3/2 * (1 - (8/3) / (20/3)) = 1.5 * .6 = 0.9
    rel = reliability.reliability(B, B_MAXES)
    assert rel.kind == "Cronbach's alpha"
    assert rel.value == pytest.approx(0.9)


def test_reliability_uses_only_students_who_got_every_question():
    # S6 missed Q2 in the draw; the alpha is that of data set A alone
    rel = reliability.reliability([*A, [1, None, 1, 1]], A_MAXES)
    assert rel.value == pytest.approx(2 / 3)
    assert rel.n_students == 5


def test_reliability_with_too_few_complete_attempts_says_why():
    draws = [[1, None, 1], [None, 1, 0], [1, 0, None], [0, 1, 1], [1, 1, 1]]
    rel = reliability.reliability(draws, [1, 1, 1])
    assert rel.value is None
    assert rel.reason is not None and "Only 2 of 5 students got every question" in rel.reason


def test_reliability_edge_cases():
    assert reliability.reliability([], [1, 1]).value is None
    assert reliability.reliability([[1], [0], [1]], [1]).reason == (
        "Reliability needs at least 2 questions."
    )
    assert "at least 3 students" in (reliability.reliability([[1, 0], [0, 1]], [1, 1]).reason or "")
    flat = reliability.reliability([[1, 0], [1, 0], [1, 0]], [1, 1])
    assert flat.value is None and "same total" in (flat.reason or "")
    every_none = reliability.reliability([[None, None]] * 4, [1, 1])
    assert every_none.value is None


def test_reliability_warnings():
    big_short = [[1, 0, 1], [1, 1, 1], [0, 0, 1], [0, 0, 0]] * 10  # 40 students, 3 questions
    rel = reliability.reliability(big_short, [1, 1, 1])
    assert rel.warning is not None and rel.warning.startswith("With only 3 questions")
    trusted = [[1] * 6, [0] * 6] * 10 + [[1, 1, 1, 0, 0, 0]] * 2  # 22 students, 6 questions
    assert reliability.reliability(trusted, [1] * 6).warning is None
    # two questions that disagree completely give a negative alpha
    negative = reliability.reliability([[1, 0], [0, 1], [1, 0], [0, 1], [1, 1]], [1, 1])
    assert negative.value is not None and negative.value < 0
    assert "negative value" in (negative.warning or "")


# --- confidence intervals --------------------------------------------------------------


def test_wilson_interval_by_hand():
    # Q1 of A: p = .8, n = 5, z = 1.959964, z^2 = 3.841459
    # denominator 1 + 3.841459 / 5 = 1.768292
    # centre (.8 + 3.841459 / 10) / 1.768292 = 1.184146 / 1.768292 = .669656
    # half 1.959964 * sqrt(.8 * .2 / 5 + 3.841459 / 100) / 1.768292
    #    = 1.959964 * sqrt(.0704146) / 1.768292 = .294121
    ci = stats.facility_ci(column(A, 0), 1)
    assert ci is not None
    assert (ci.low, ci.high) == pytest.approx((0.3755, 0.9638), abs=1e-4)


def test_t_interval_for_partial_credit_by_hand():
    # Q3 of B: fractions 1 .75 .5 .25, mean .625
    # SS = .140625 + .015625 + .015625 + .140625 = .3125, var .104167, sd .322749
    # t(0.975, 3) = 3.182446; half = 3.182446 * .322749 / 2 = .513573
    # [.111427, 1.138573] -> capped at 1
    ci = stats.facility_ci(column(B, 2), 4)
    assert ci is not None
    assert ci.low == pytest.approx(0.1114, abs=1e-4)
    assert ci.high == 1


def test_facility_ci_needs_two_students():
    assert stats.facility_ci([1], 1) is None
    assert stats.facility_ci([None, 1, None], 1) is None
    assert stats.facility_ci([], 1) is None


# --- distractors and flags -------------------------------------------------------------


def test_distractors_count_share_and_key():
    options = stats.distractors({"A": 2, "B": 6, "C": 2}, {"A"}, 10)
    assert options == [
        Option("A", 2, 0.2, True),
        Option("B", 6, 0.6, False),
        Option("C", 2, 0.2, False),
    ]
    # a key nobody picked still appears; nobody answered -> no share
    assert stats.distractors({}, {"D"}, 0) == [Option("D", 0, None, True)]


def test_flags_a_distractor_chosen_more_than_the_key():
    scores = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    totals = [5, 4, 3, 3, 2, 2, 2, 1, 1, 0]
    q = stats.question_stats(scores, 1, totals, choice_counts={"A": 2, "B": 6, "C": 2}, key={"A"})
    assert any(f.startswith("More students chose B (6) than the key A (2)") for f in q.flags)
    assert not any("chose C" in f for f in q.flags)


def test_flags_negative_discrimination_too_hard_and_too_easy():
    hard = stats.question_stats([0, 0, 0, 1, 1], 1, [4, 3, 3, 1, 1], min_flag_n=1)
    assert hard.discrimination is not None and hard.discrimination < 0
    texts = " ".join(hard.flags)
    assert "students who did well overall tended to get this wrong — check the key" in texts
    # r = -0.98: even the 95% interval stays below 0, so no "chance" caveat
    assert "chance" not in texts
    weak = stats.question_stats([1, 0, 0, 1, 1, 0], 1, [3, 4, 3, 2, 3, 1], min_flag_n=1)
    assert weak.discrimination is not None and weak.discrimination < 0
    assert weak.flags[0].endswith("With 6 students this may also be chance.")
    very_hard = stats.question_stats([0] * 9 + [1], 1, list(range(10)))
    assert any(f.startswith("Very hard: students earned 10% of the marks") for f in very_hard.flags)
    easy = stats.question_stats([1] * 20, 1, list(range(20)))
    assert any(f.startswith("Very easy") for f in easy.flags)
    fine = stats.question_stats(column(A, 0), 1, A_TOTALS)
    assert fine.flags == ()


def test_flags_take_a_question_stats():
    q = stats.question_stats([0, 0, 0, 1, 1], 1, [4, 3, 3, 1, 1], min_flag_n=1)
    assert stats.flags(q, min_n=1) == list(q.flags)


def test_no_flags_below_the_minimum_number_of_answers():
    # One student picking B over the key A is not evidence about the key.
    one = stats.question_stats([0], 1, [0], choice_counts={"B": 1}, key={"A"})
    assert one.flags == ()
    n = stats.MIN_FLAG_N
    below = stats.question_stats(
        [0] * (n - 1), 1, list(range(n - 1)), choice_counts={"B": n - 1}, key={"A"}
    )
    assert below.flags == ()
    at = stats.question_stats([0] * n, 1, list(range(n)), choice_counts={"B": n}, key={"A"})
    assert any(f.startswith(f"More students chose B ({n})") for f in at.flags)
    assert str(n) in definitions.DEFINITIONS["flags"]


# --- whole quiz ------------------------------------------------------------------------


def test_quiz_stats_combines_everything():
    q = quizstats.quiz_stats(
        A,
        A_MAXES,
        choice_counts=[{"A": 4, "B": 1}, None, None, None],
        keys=[{"A"}, None, None, None],
    )
    assert q.summary.mean == pytest.approx(2.2)
    assert q.summary.max_total == 4
    assert sum(b.count for b in q.histogram) == 5
    assert q.reliability.value == pytest.approx(2 / 3)
    first = q.questions[0]
    assert first.n == 5
    assert first.facility == pytest.approx(0.8)
    assert first.discrimination == pytest.approx(0.686406, abs=1e-6)
    assert first.discrimination_ci is not None
    assert first.options[0] == Option("A", 4, 0.8, True)
    assert q.questions[1].options == ()


def test_quiz_stats_with_random_draws():
    # Q1 and Q2 are alternatives of one slot; each student got one of them.
    matrix = [[1, None, 1], [None, 0, 1], [1, None, 0], [None, 1, 1], [0, None, 0]]
    q = quizstats.quiz_stats(matrix, [1, 1, 1])
    assert q.summary.max_total == 2  # two questions per attempt, not three
    assert q.questions[0].n == 3 and q.questions[1].n == 2
    assert q.reliability.value is None and q.reliability.reason


def test_quiz_stats_edge_cases():
    empty = quizstats.quiz_stats([], [1, 1])
    assert empty.summary.n == 0 and empty.summary.max_total == 2
    assert all(qs.facility is None for qs in empty.questions)
    one = quizstats.quiz_stats([[1, 0]], [1, 1])
    assert one.summary.sd is None
    assert one.questions[0].discrimination is None and one.questions[0].facility_ci is None
    with pytest.raises(ValueError):
        quizstats.quiz_stats([[1]], [1, 1])


def test_every_definition_is_there():
    for name in (
        "facility",
        "discrimination",
        "reliability",
        "standard_deviation",
        "confidence_interval",
    ):
        assert len(definitions.DEFINITIONS[name]) > 80


# --- properties ------------------------------------------------------------------------

fraction = st.floats(min_value=0, max_value=1, allow_nan=False)
maybe_fraction = st.one_of(st.none(), fraction)
points = st.floats(min_value=0, max_value=100, allow_nan=False)


@given(st.lists(maybe_fraction, max_size=40), st.floats(min_value=0.5, max_value=20))
def test_facility_is_a_fraction(fractions, max_q):
    value = stats.facility([None if f is None else f * max_q for f in fractions], max_q)
    assert value is None or 0 <= value <= 1 + 1e-12


@given(st.lists(st.tuples(points, points), max_size=30))
def test_correlation_is_between_minus_one_and_one(pairs):
    r = stats.pearson([p[0] for p in pairs], [p[1] for p in pairs])
    assert r is None or -1 <= r <= 1


@given(st.lists(st.tuples(maybe_fraction, points), max_size=30))
def test_discrimination_is_between_minus_one_and_one(pairs):
    r = stats.discrimination([p[0] for p in pairs], [p[1] + (p[0] or 0) for p in pairs])
    assert r is None or -1 <= r <= 1


@given(st.lists(st.sampled_from([0.0, 0.25, 0.5, 1.0]), min_size=2, max_size=60))
def test_facility_interval_contains_the_facility(fractions):
    ci = stats.facility_ci([f * 4 for f in fractions], 4)
    f = stats.facility([f * 4 for f in fractions], 4)
    assert ci is not None and f is not None
    assert ci.low - 1e-12 <= f <= ci.high + 1e-12


@given(st.lists(points, max_size=50), st.integers(min_value=1, max_value=20))
def test_histogram_counts_every_score(values, bins):
    assert sum(b.count for b in quizstats.histogram(values, 100, bins)) == len(values)


@given(st.lists(st.lists(st.sampled_from([0.0, 1.0]), min_size=3, max_size=3), max_size=30))
def test_reliability_never_exceeds_one(matrix):
    rel = reliability.reliability(matrix, [1, 1, 1])
    assert rel.value is None or (rel.value <= 1 + 1e-9 and not math.isnan(rel.value))
