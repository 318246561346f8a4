"""Probability calibration on out-of-fold predictions, and the measures that judge it.

The fitted calibrator is a handful of numbers (isotonic steps or Platt coefficients) saved as JSON in the model
bundle: no pickle, and identical results wherever it is loaded.
"""

from __future__ import annotations

from typing import Any, Literal, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

__all__ = ["CalibrationMethod", "Calibrator", "brier_score", "expected_calibration_error"]

CalibrationMethod = Literal["isotonic", "platt", "none"]
_EPS = 1e-6


def _logit(p: NDArray[np.float64]) -> NDArray[np.float64]:
    q = np.clip(p, _EPS, 1 - _EPS)
    return np.asarray(np.log(q / (1 - q)), dtype=np.float64)


class Calibrator:
    """Maps raw model probabilities to calibrated ones.

    ``fit`` learns ``x_``/``y_`` (isotonic) or ``coef_``/``intercept_`` (Platt); ``method="none"`` is the identity,
    kept so that every bundle has a calibrator.
    """

    def __init__(self, method: CalibrationMethod = "isotonic") -> None:
        self.method = method

    def fit(self, proba: ArrayLike, y_true: ArrayLike) -> Self:
        p = np.asarray(proba, dtype=np.float64)
        y = np.asarray(y_true, dtype=np.int64)
        if self.method == "isotonic":
            iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(p, y)
            self.x_ = np.asarray(iso.X_thresholds_, dtype=np.float64)
            self.y_ = np.asarray(iso.y_thresholds_, dtype=np.float64)
        elif self.method == "platt":
            lr = LogisticRegression(C=1e6).fit(_logit(p).reshape(-1, 1), y)
            self.coef_ = float(lr.coef_[0, 0])
            self.intercept_ = float(lr.intercept_[0])
        elif self.method != "none":
            raise ValueError(f"unknown calibration method {self.method!r}; expected isotonic, platt or none")
        return self

    def transform(self, proba: ArrayLike) -> NDArray[np.float64]:
        p = np.asarray(proba, dtype=np.float64)
        if self.method == "isotonic":
            return np.asarray(np.interp(p, self.x_, self.y_), dtype=np.float64)
        if self.method == "platt":
            return np.asarray(1 / (1 + np.exp(-(self.coef_ * _logit(p) + self.intercept_))), dtype=np.float64)
        return p

    def to_dict(self) -> dict[str, Any]:
        state: dict[str, Any] = {"method": self.method}
        if self.method == "isotonic":
            state |= {"x": self.x_.tolist(), "y": self.y_.tolist()}
        elif self.method == "platt":
            state |= {"coef": self.coef_, "intercept": self.intercept_}
        return state

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> Calibrator:
        cal = cls(state["method"])
        if cal.method == "isotonic":
            cal.x_ = np.asarray(state["x"], dtype=np.float64)
            cal.y_ = np.asarray(state["y"], dtype=np.float64)
        elif cal.method == "platt":
            cal.coef_ = float(state["coef"])
            cal.intercept_ = float(state["intercept"])
        return cal


def brier_score(y_true: ArrayLike, proba: ArrayLike) -> float:
    """Mean squared error of the probability: lower is better, 0 is perfect."""
    y = np.asarray(y_true, dtype=np.float64)
    p = np.asarray(proba, dtype=np.float64)
    return float(np.mean((p - y) ** 2))


def expected_calibration_error(y_true: ArrayLike, proba: ArrayLike, *, n_bins: int = 10) -> float:
    """Weighted mean gap between predicted and observed default rates over ``n_bins`` equal-count bins.

    Equal-count bins suit a rare event: with equal-width bins almost every client lands in the first bin.
    """
    y = np.asarray(y_true, dtype=np.float64)
    p = np.asarray(proba, dtype=np.float64)
    if len(p) == 0:
        return float("nan")
    order = np.argsort(p, kind="mergesort")
    gaps = [
        len(idx) * abs(p[idx].mean() - y[idx].mean()) for idx in np.array_split(order, min(n_bins, len(p))) if len(idx)
    ]
    return float(np.sum(gaps) / len(p))
