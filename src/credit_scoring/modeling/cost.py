"""The business cost of credit decisions, and the threshold that minimises it.

A missed defaulter (false negative: credit granted, client defaults) costs ``fn_cost``; a wrongly refused good client
(false positive) costs ``fp_cost``. With the default 10:1 the best threshold sits far below 0.5. Costs are computed for
every distinct threshold at once from sorted scores, so the whole curve costs one sort.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "CostCurve",
    "CostSummary",
    "business_cost",
    "cost_curve",
    "optimal_threshold",
    "summarize_cost",
]


@dataclass(frozen=True)
class CostCurve:
    """Cost of refusing every application whose probability is at least ``thresholds[i]``."""

    thresholds: NDArray[np.float64]
    costs: NDArray[np.float64]
    false_negatives: NDArray[np.int64]
    false_positives: NDArray[np.int64]


@dataclass(frozen=True)
class CostSummary:
    """The cost at one threshold, in total, per client, and against the two trivial policies."""

    threshold: float
    total: float
    per_client: float
    grant_everyone: float
    refuse_everyone: float
    #: total / min(grant_everyone, refuse_everyone): below 1 means better than the better trivial policy.
    normalized: float
    false_negatives: int
    false_positives: int
    true_positives: int
    true_negatives: int

    @property
    def recall(self) -> float:
        positives = self.true_positives + self.false_negatives
        return self.true_positives / positives if positives else float("nan")

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else float("nan")

    @property
    def accuracy(self) -> float:
        n = self.true_positives + self.true_negatives + self.false_positives + self.false_negatives
        return (self.true_positives + self.true_negatives) / n if n else float("nan")


def _validate(y_true: ArrayLike, proba: ArrayLike) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    y = np.asarray(y_true)
    p = np.asarray(proba, dtype=np.float64)
    if y.shape != p.shape or y.ndim != 1:
        raise ValueError(f"y_true and proba must be 1-D and of equal length, got {y.shape} and {p.shape}")
    if not np.isin(y, (0, 1)).all():
        raise ValueError("y_true must hold only 0 (repaid) and 1 (defaulted)")
    if np.isnan(p).any():
        raise ValueError("proba holds NaN")
    return y.astype(np.int64), p


def business_cost(
    y_true: ArrayLike, proba: ArrayLike, threshold: float, *, fn_cost: float = 10.0, fp_cost: float = 1.0
) -> float:
    """Total cost when applications with ``proba >= threshold`` are refused."""
    y, p = _validate(y_true, proba)
    refused = p >= threshold
    fn = int(((~refused) & (y == 1)).sum())
    fp = int((refused & (y == 0)).sum())
    return fn * fn_cost + fp * fp_cost


def cost_curve(y_true: ArrayLike, proba: ArrayLike, *, fn_cost: float = 10.0, fp_cost: float = 1.0) -> CostCurve:
    """Cost at every threshold that changes a decision, plus "refuse nobody" (threshold above every score)."""
    y, p = _validate(y_true, proba)
    order = np.argsort(-p, kind="mergesort")
    p_sorted, y_sorted = p[order], y[order]
    # Refusing the top k scores: cumulative true/false positives among them.
    tp = np.cumsum(y_sorted)
    fp = np.cumsum(1 - y_sorted)
    # Only the last index of each run of tied scores is a reachable cut.
    last_of_tie = np.r_[p_sorted[1:] != p_sorted[:-1], True]
    thresholds = np.r_[np.inf, p_sorted[last_of_tie]]
    tp_cut = np.r_[0, tp[last_of_tie]]
    fp_cut = np.r_[0, fp[last_of_tie]]
    fn_cut = int(y.sum()) - tp_cut
    costs = fn_cut * fn_cost + fp_cut * fp_cost
    return CostCurve(thresholds.astype(np.float64), costs.astype(np.float64), fn_cut.astype(np.int64), fp_cut)


def optimal_threshold(y_true: ArrayLike, proba: ArrayLike, *, fn_cost: float = 10.0, fp_cost: float = 1.0) -> float:
    """The threshold with the lowest cost; ties go to the highest threshold (the fewest refusals).

    The returned value lies halfway between the chosen cut's score and the next lower score, so that scores just
    below a seen score are not refused by accident of floating-point equality.
    """
    curve = cost_curve(y_true, proba, fn_cost=fn_cost, fp_cost=fp_cost)
    best = int(np.flatnonzero(curve.costs == curve.costs.min())[0])
    if best == 0:
        return 1.0
    cut = curve.thresholds[best]
    below = curve.thresholds[best + 1] if best + 1 < len(curve.thresholds) else 0.0
    return float((cut + below) / 2)


def summarize_cost(
    y_true: ArrayLike, proba: ArrayLike, threshold: float, *, fn_cost: float = 10.0, fp_cost: float = 1.0
) -> CostSummary:
    """Cost, confusion counts and the two trivial policies at ``threshold``."""
    y, p = _validate(y_true, proba)
    refused = p >= threshold
    tp = int((refused & (y == 1)).sum())
    fp = int((refused & (y == 0)).sum())
    fn = int(((~refused) & (y == 1)).sum())
    tn = int(((~refused) & (y == 0)).sum())
    total = fn * fn_cost + fp * fp_cost
    grant = float((tp + fn) * fn_cost)
    refuse = float((fp + tn) * fp_cost)
    best_trivial = min(grant, refuse)
    return CostSummary(
        threshold=float(threshold),
        total=float(total),
        per_client=float(total / len(y)) if len(y) else float("nan"),
        grant_everyone=grant,
        refuse_everyone=refuse,
        normalized=float(total / best_trivial) if best_trivial else float("nan"),
        false_negatives=fn,
        false_positives=fp,
        true_positives=tp,
        true_negatives=tn,
    )
