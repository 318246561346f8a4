"""``Scorer``: the only inference path. The CLI, the API and batch scoring all call it.

It takes feature rows (as built by ``credit_scoring.features``), aligns them to the bundle's feature list, and returns
the calibrated probability of default and the decision at the bundle's cost-minimising threshold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from credit_scoring.bundle import BundleError, ModelBundle
from credit_scoring.errors import DataError
from credit_scoring.features.term import TERM_FEATURES, TERM_MODEL_FILE, TermModel

__all__ = ["DECISION_GRANTED", "DECISION_REFUSED", "Scorer"]

DECISION_GRANTED = "granted"
DECISION_REFUSED = "refused"


class Scorer:
    """Wraps a verified ``ModelBundle``: feature rows in, probabilities and decisions out."""

    def __init__(self, bundle: ModelBundle) -> None:
        self.bundle = bundle
        self._features = bundle.features

    @classmethod
    def from_path(cls, folder: Path) -> Scorer:
        return cls(ModelBundle.load(folder))

    @property
    def threshold(self) -> float:
        return self.bundle.threshold

    @property
    def features(self) -> list[str]:
        return list(self._features)

    @property
    def term_model(self) -> TermModel | None:
        """The loan-term model the bundle was trained with (its hashed copy), to build features of new tables with;
        None for a bundle that uses none of its features."""
        files = self.bundle.metadata.get("files", {})
        if TERM_MODEL_FILE in files and self.bundle.path is not None:
            return TermModel.load(self.bundle.path / TERM_MODEL_FILE, sha256=None)  # the bundle checked its hash
        if set(TERM_FEATURES) & set(self._features):
            raise BundleError(
                f"{self.bundle.path}: the model uses the inferred loan term but the bundle holds no {TERM_MODEL_FILE}; "
                "retrain it with `credit-scoring train`"
            )
        return None

    def _matrix(self, frame: pd.DataFrame) -> NDArray[np.float64]:
        missing = [c for c in self._features if c not in frame.columns]
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            raise DataError(f"feature rows lack {len(missing)} column(s) the model needs: {shown}")
        try:
            return frame[self._features].to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError) as exc:
            raise DataError(f"feature rows must be numeric: {exc}") from None

    def predict_raw(self, frame: pd.DataFrame) -> NDArray[np.float64]:
        """The model's raw output (log-odds of default before calibration)."""
        return np.asarray(self.bundle.booster.predict(self._matrix(frame), raw_score=True), dtype=np.float64)

    def predict_proba(self, frame: pd.DataFrame) -> NDArray[np.float64]:
        """Calibrated probability of default, the number the threshold applies to."""
        return self.calibrate(self.predict_raw(frame))

    def predict_raw_matrix(
        self, matrix: NDArray[np.floating[Any]], *, num_threads: int | None = None
    ) -> NDArray[np.float64]:
        """Raw output for rows already in ``features`` order (float32 or float64): the service's path, no DataFrame.

        ``num_threads=1`` suits a single row (starting OpenMP threads costs more than scoring it).
        """
        if matrix.ndim != 2 or matrix.shape[1] != len(self._features):
            raise DataError(f"feature matrix has shape {matrix.shape}, expected (n, {len(self._features)})")
        params: dict[str, Any] = {} if num_threads is None else {"num_threads": num_threads}
        return np.asarray(self.bundle.booster.predict(matrix, raw_score=True, **params), dtype=np.float64)

    def calibrate(self, raw: NDArray[np.float64]) -> NDArray[np.float64]:
        """Calibrated probability of default from the raw log-odds."""
        return self.bundle.calibrator.transform(1.0 / (1.0 + np.exp(-raw)))

    def decide(self, proba: NDArray[np.float64]) -> NDArray[np.str_]:
        return np.where(proba >= self.threshold, DECISION_REFUSED, DECISION_GRANTED)

    def score(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Probability, decision, threshold and distance to the threshold, one row per input row (same index)."""
        proba = self.predict_proba(frame)
        return pd.DataFrame(
            {
                "probability": proba,
                "decision": self.decide(proba),
                "threshold": self.threshold,
                "distance_to_threshold": proba - self.threshold,
            },
            index=frame.index,
        )
