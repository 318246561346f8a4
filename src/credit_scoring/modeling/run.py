"""``credit-scoring train``: features (built or reused) -> protocol -> bundle folder -> MLflow run and registry."""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from credit_scoring.bundle import ModelBundle, file_sha256
from credit_scoring.config import Settings, TrainConfig
from credit_scoring.errors import DataError
from credit_scoring.features.term import TERM_MODEL_FILE
from credit_scoring.modeling.report import write_plots, write_report
from credit_scoring.modeling.train import TrainingData, fit_model, save_predictions
from credit_scoring.progress import ProgressHook, no_progress

__all__ = ["TrainOutcome", "load_training_data", "train"]

logger = logging.getLogger(__name__)

#: Columns of features.parquet that are never features: identifiers and the label.
NON_FEATURES = frozenset({"SK_ID_CURR", "TARGET", "LABELLED"})


@dataclass(frozen=True)
class TrainOutcome:
    bundle_dir: Path
    metrics: dict[str, float]
    run_id: str | None
    registered_version: str | None

    def summary(self) -> str:
        m = self.metrics
        lines = [
            f"model bundle: {self.bundle_dir}",
            f"holdout AUC {m['holdout_auc']:.4f}; cost per client {m['holdout_cost_per_client']:.4f} "
            f"({m['holdout_cost_normalized']:.2f} x the best trivial policy); threshold {m['threshold']:.4f}",
            f"Brier {m['holdout_brier_uncalibrated']:.4f} -> {m['holdout_brier']:.4f} after calibration",
        ]
        if self.run_id:
            lines.append(f"MLflow run {self.run_id}" + (f", registered version {self.registered_version}"
                                                         if self.registered_version else ""))  # fmt: skip
        return "\n".join(lines)


def load_training_data(features_dir: Path) -> TrainingData:
    """Labelled rows of the feature store, with the feature columns the manifest lists."""
    store, manifest_path = features_dir / "features.parquet", features_dir / "manifest.json"
    for path in (store, manifest_path):
        if not path.is_file():
            raise DataError(f"{path} is missing: build the feature store with `credit-scoring features build`")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    names = [f["name"] for f in manifest["features"] if f["name"] not in NON_FEATURES]
    columns = pq.read_schema(store).names
    absent = [n for n in names if n not in columns]
    if absent:
        raise DataError(f"{store}: {len(absent)} feature(s) listed in manifest.json are not columns, e.g. {absent[0]}")
    if "TARGET" not in columns:
        raise DataError(f"{store}: no TARGET column, so no labelled clients to train on")
    frame = pd.read_parquet(store, columns=["SK_ID_CURR", "TARGET", *names])
    frame = frame[frame["TARGET"].notna()]
    if frame.empty or frame["TARGET"].nunique() < 2:
        raise DataError(f"{store}: training needs labelled clients of both outcomes (TARGET 0 and 1)")
    return TrainingData(
        ids=frame["SK_ID_CURR"].to_numpy(dtype=np.int64),
        x=frame[names].astype(np.float32),
        y=frame["TARGET"].to_numpy(dtype=np.int64),
        data_hash=file_sha256(store),
    )


def train(
    *,
    features_dir: Path,
    out_dir: Path,
    config: TrainConfig,
    settings: Settings,
    track: bool = True,
    progress: ProgressHook = no_progress,
) -> TrainOutcome:
    """Train, write the bundle into ``out_dir/<version>``, and log it to MLflow when ``track``."""
    data = load_training_data(features_dir)
    logger.info("training on %d labelled clients, %d features", len(data.y), data.x.shape[1])
    result = fit_model(data, config, progress=progress)
    bundle = ModelBundle(
        booster=result.booster,
        calibrator=result.calibrator,
        threshold=result.threshold,
        features=result.features,
        metadata={
            "data_hash": data.data_hash,
            "features_dir": str(features_dir),
            "metrics": result.metrics,
            "params": result.params,
            "costs": {"fn_cost": config.fn_cost, "fp_cost": config.fp_cost},
            "config": config.model_dump(mode="json"),
        },
    )
    # The folder name is decided by save(); predictions, plots and report go in first so they are hashed too.
    staging = out_dir / ".staging"
    staging.mkdir(parents=True, exist_ok=True)
    extra = save_predictions(result, staging)
    plots = write_plots(result, staging / "plots", fn_cost=config.fn_cost, fp_cost=config.fp_cost)
    reports = write_report(result, staging, extra={"data_hash": data.data_hash, "n_labelled": len(data.y)})
    files = {p.relative_to(staging).as_posix(): p for p in [*extra.values(), *plots, *reports]}
    if (features_dir / TERM_MODEL_FILE).is_file():  # the bundle scores new tables with the term model it learnt on
        files[TERM_MODEL_FILE] = Path(shutil.copyfile(features_dir / TERM_MODEL_FILE, staging / TERM_MODEL_FILE))
    folder = bundle.save(out_dir, staged=staging, extra_files=files)
    run_id = version = None
    if track:
        from credit_scoring.modeling.tracking import log_training_run

        example = data.x.iloc[:5][result.features]
        from credit_scoring.scoring import Scorer

        run_id, version = log_training_run(
            tracking_uri=settings.mlflow_tracking_uri,
            experiment=settings.mlflow_experiment,
            bundle_dir=folder,
            params=result.params,
            metrics=result.metrics,
            plots=[folder / "plots" / p.name for p in plots],
            input_example=example,
            output_example=Scorer(bundle).score(example)[["probability", "decision"]],
            registered_model_name=settings.registered_model_name if config.register_model else None,
        )
    return TrainOutcome(folder, result.metrics, run_id, version)
