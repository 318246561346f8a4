"""MLflow tracking and registry: one run per training, the bundle logged as a pyfunc model and registered.

MLflow is imported inside the functions: importing it costs seconds and nothing else needs it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd

from credit_scoring.errors import CreditScoringError

__all__ = ["log_training_run", "promote", "resolve_registered_bundle"]

logger = logging.getLogger(__name__)

CHAMPION = "champion"


def _mlflow(tracking_uri: str) -> Any:
    import mlflow

    mlflow.set_tracking_uri(tracking_uri)
    return mlflow


def log_training_run(
    *,
    tracking_uri: str,
    experiment: str,
    bundle_dir: Path,
    params: dict[str, Any],
    metrics: dict[str, float],
    plots: list[Path],
    input_example: pd.DataFrame,
    output_example: pd.DataFrame,
    registered_model_name: str | None,
) -> tuple[str, str | None]:
    """Log one training run; return (run id, registered model version or None)."""
    mlflow = _mlflow(tracking_uri)
    from mlflow.models import infer_signature

    from credit_scoring.modeling.pyfunc_model import BundlePyfunc

    mlflow.set_experiment(experiment)
    with mlflow.start_run(run_name=bundle_dir.name) as run:
        mlflow.log_params({k: v for k, v in params.items() if not isinstance(v, dict | list)})
        mlflow.log_metrics({k: float(v) for k, v in metrics.items()})
        mlflow.set_tags({"bundle_version": bundle_dir.name})
        for plot in plots:
            mlflow.log_artifact(str(plot), artifact_path="plots")
        for report in ("report.json", "report.md"):
            if (bundle_dir / report).is_file():
                mlflow.log_artifact(str(bundle_dir / report))
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=BundlePyfunc(),
            artifacts={"bundle": str(bundle_dir)},
            signature=infer_signature(input_example, output_example),
            input_example=input_example.head(2),
            registered_model_name=registered_model_name,
        )
        version = str(info.registered_model_version) if info.registered_model_version is not None else None
        logger.info("MLflow run %s logged%s", run.info.run_id, f", model version {version}" if version else "")
        return str(run.info.run_id), version


def promote(*, tracking_uri: str, name: str, version: str | None = None, alias: str = CHAMPION) -> str:
    """Point ``alias`` (default ``champion``) at a registered version (default: the newest); return the version."""
    mlflow = _mlflow(tracking_uri)
    client = mlflow.MlflowClient()
    from mlflow.exceptions import MlflowException

    try:
        versions = client.search_model_versions(f"name = '{name}'")
    except MlflowException as exc:
        raise CreditScoringError(f"cannot read the model registry at {tracking_uri}: {exc.message}") from None
    known = sorted((int(v.version) for v in versions), reverse=True)
    if not known:
        raise CreditScoringError(f"no registered version of model {name!r} at {tracking_uri}: train one first")
    chosen = version or str(known[0])
    if int(chosen) not in known:
        raise CreditScoringError(
            f"model {name!r} has no version {chosen}; registered versions: {', '.join(map(str, known))}"
        )
    client.set_registered_model_alias(name, alias, chosen)
    return chosen


def resolve_registered_bundle(*, tracking_uri: str, name: str, alias: str = CHAMPION, dst: Path) -> Path:
    """Download the bundle folder of the version that ``alias`` points to; return its local path."""
    mlflow = _mlflow(tracking_uri)
    from mlflow.exceptions import MlflowException

    try:
        mv = mlflow.MlflowClient().get_model_version_by_alias(name, alias)
    except MlflowException:
        raise CreditScoringError(
            f"no model {name!r} with alias {alias!r} at {tracking_uri}: run `credit-scoring models promote`, "
            "or set CREDIT_SCORING_MODEL to a bundle folder"
        ) from None
    local = mlflow.artifacts.download_artifacts(artifact_uri=f"models:/{name}@{alias}", dst_path=str(dst))
    bundle = next(Path(local).glob("artifacts/*/metadata.json"), None)
    if bundle is None:
        raise CreditScoringError(f"registered model {name} version {mv.version} holds no bundle folder")
    return bundle.parent
