"""The model bundle behind MLflow's pyfunc interface. Imported only when MLflow is used (it imports MLflow)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from mlflow.pyfunc.model import PythonModel

from credit_scoring.scoring import Scorer

__all__ = ["BundlePyfunc"]


class BundlePyfunc(PythonModel):
    """Feature rows in, calibrated probability and decision out; defers to ``Scorer`` so that MLflow serving and the
    API give identical numbers."""

    def load_context(self, context: Any) -> None:
        self.scorer = Scorer.from_path(Path(context.artifacts["bundle"]))

    def predict(self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None) -> pd.DataFrame:
        return self.scorer.score(model_input)[["probability", "decision"]]
