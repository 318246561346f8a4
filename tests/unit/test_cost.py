"""Business cost and threshold on hand-made cases."""

from __future__ import annotations

import numpy as np
import pytest

from credit_scoring.modeling.cost import business_cost, cost_curve, optimal_threshold, summarize_cost


def test_cost_counts_false_negatives_ten_times_false_positives() -> None:
    y = [1, 1, 0, 0, 0]
    p = [0.9, 0.2, 0.6, 0.1, 0.05]
    # threshold 0.5: refuse 0.9 (TP) and 0.6 (FP); grant 0.2 (FN), 0.1, 0.05 (TN) -> 1 FN * 10 + 1 FP * 1
    assert business_cost(y, p, 0.5) == 11.0
    assert business_cost(y, p, 0.5, fn_cost=5, fp_cost=2) == 7.0
    # threshold 0.15: refuse 0.9, 0.6, 0.2 -> 0 FN, 1 FP
    assert business_cost(y, p, 0.15) == 1.0


def test_curve_matches_brute_force_at_every_threshold() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    p = np.round(rng.random(300), 2)  # many ties
    curve = cost_curve(y, p)
    for t, c in zip(curve.thresholds, curve.costs, strict=True):
        assert c == business_cost(y, p, t)


def test_optimal_threshold_minimises_cost_and_sits_between_scores() -> None:
    y = [1, 0, 0, 1, 0, 0, 0]
    p = [0.8, 0.7, 0.5, 0.4, 0.3, 0.2, 0.1]
    # Refusing down to 0.4 costs 2 FP; refusing only 0.8 costs 1 FN (10): best cut is at 0.4, returned as 0.35.
    t = optimal_threshold(y, p)
    assert t == pytest.approx(0.35)
    assert business_cost(y, p, t) == 2.0
    assert business_cost(y, p, t) == min(business_cost(y, p, s) for s in [*p, 1.01])


def test_with_equal_costs_nobody_defaulting_means_refuse_nobody() -> None:
    assert optimal_threshold([0, 0, 0], [0.9, 0.5, 0.1], fn_cost=1, fp_cost=1) == 1.0


def test_summary_reports_trivial_policies_and_rates() -> None:
    y = [1, 1, 0, 0, 0]
    p = [0.9, 0.2, 0.6, 0.1, 0.05]
    s = summarize_cost(y, p, 0.5)
    assert (s.true_positives, s.false_positives, s.false_negatives, s.true_negatives) == (1, 1, 1, 2)
    assert s.grant_everyone == 20.0  # two defaulters missed
    assert s.refuse_everyone == 3.0  # three good clients refused
    assert s.normalized == pytest.approx(11 / 3)
    assert s.per_client == pytest.approx(11 / 5)
    assert s.recall == 0.5 and s.precision == 0.5 and s.accuracy == pytest.approx(3 / 5)


@pytest.mark.parametrize(
    ("y", "p", "message"),
    [([0, 1], [0.1], "equal length"), ([0, 2], [0.1, 0.2], "only 0"), ([0, 1], [0.1, float("nan")], "NaN")],
)
def test_bad_inputs_are_refused_with_a_reason(y: list[int], p: list[float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        business_cost(y, p, 0.5)
