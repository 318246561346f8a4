"""Explanations faithful to the model: exact TreeSHAP contributions, shown on the probability scale.

LightGBM's ``pred_contrib`` gives, for each client, one contribution per feature plus a base value, in log-odds, that
add up exactly to the model's raw output. People see a calibrated probability, so each contribution is also expressed
in probability points by one documented rule:

    share_i = contribution_i * (p - p0) / (raw - base)

where ``raw`` is the model's log-odds, ``base`` the base value, ``p`` the calibrated probability shown and ``p0`` the
calibrated probability of the base value. The shares keep the sign and the proportions of the log-odds
contributions and add up exactly to ``p - p0``: the reasons a person reads sum to the probability they see. (The
map from log-odds to calibrated probability is non-decreasing, so the ratio is never negative.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from credit_scoring.scoring import Scorer

__all__ = ["Contributions", "contributions", "contributions_matrix", "global_importance"]


@dataclass(frozen=True)
class Contributions:
    """Per-client contributions, log-odds and probability scale; rows follow the input rows."""

    features: list[str]
    logit: NDArray[np.float64]  # n x features
    base_logit: NDArray[np.float64]  # n
    raw: NDArray[np.float64]  # n, = base_logit + logit.sum(axis=1)
    probability: NDArray[np.float64]  # n, calibrated
    base_probability: NDArray[np.float64]  # n, calibrated probability of the base value
    proba_points: NDArray[np.float64]  # n x features, sums to probability - base_probability

    def frame(self, row: int) -> pd.DataFrame:
        """One client's contributions, largest absolute effect first."""
        out = pd.DataFrame(
            {"feature": self.features, "logit": self.logit[row], "probability_points": self.proba_points[row]}
        )
        return out.reindex(out["logit"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def contributions(scorer: Scorer, frame: pd.DataFrame) -> Contributions:
    """Exact TreeSHAP contributions of every feature for every row of ``frame``."""
    return contributions_matrix(scorer, scorer._matrix(frame))


def contributions_matrix(
    scorer: Scorer, matrix: NDArray[np.floating[Any]], *, num_threads: int | None = None
) -> Contributions:
    """As ``contributions``, for rows already in the bundle's feature order (float32 or float64, C-contiguous).

    The service explains one client at a time from its float32 store matrix: no DataFrame, no copy, and
    ``num_threads=1`` because starting OpenMP threads costs more than the work for a single row.
    """
    params: dict[str, Any] = {} if num_threads is None else {"num_threads": num_threads}
    contrib = np.asarray(scorer.bundle.booster.predict(matrix, pred_contrib=True, **params), dtype=np.float64)
    logit, base = contrib[:, :-1], contrib[:, -1]
    raw = logit.sum(axis=1) + base
    calibrate = scorer.bundle.calibrator.transform
    p = calibrate(1.0 / (1.0 + np.exp(-raw)))
    p0 = calibrate(1.0 / (1.0 + np.exp(-base)))
    delta_raw = raw - base
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(np.abs(delta_raw) > 1e-12, (p - p0) / delta_raw, 0.0)
    points = logit * scale[:, None]
    # When the raw output equals the base value exactly, the probability did not move: every share is zero.
    return Contributions(scorer.features, logit, base, raw, p, p0, points)


def global_importance(scorer: Scorer, frame: pd.DataFrame) -> pd.DataFrame:
    """Mean absolute SHAP value (log-odds) per feature over ``frame``, most important first."""
    c = contributions(scorer, frame)
    return (
        pd.DataFrame({"feature": c.features, "mean_abs_shap": np.abs(c.logit).mean(axis=0)})
        .sort_values("mean_abs_shap", ascending=False)
        .reset_index(drop=True)
    )
