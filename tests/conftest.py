"""Session-wide fixtures: the shared real sample (skips with a reason when absent, fails under CI) and small synthetic
data generated once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from credit_scoring.config import Settings
from credit_scoring.data.schema import TABLE_NAMES


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip when something a user may lack is missing; under CI=true that absence is a failure, never a skip."""
    if condition:
        return
    if _in_ci():
        pytest.fail(f"CI must provide this: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def real_sample_dir(pytestconfig: pytest.Config) -> Path:
    """The shared real Home Credit sample (gzip CSVs), by default ../shared/data/home-credit beside the checkout."""
    default = pytestconfig.rootpath.parent / "shared" / "data" / "home-credit"
    path = Path(os.environ.get("HOME_CREDIT_SAMPLE", str(default)))
    require(
        all((path / f"{t}.csv.gz").is_file() for t in TABLE_NAMES),
        f"the real Home Credit sample is not at {path}: put the project's shared/data/home-credit folder beside the "
        "checkout, or set HOME_CREDIT_SAMPLE to a folder holding its eight .csv.gz files",
    )
    return path


@pytest.fixture(scope="session")
def real_tables(real_sample_dir: Path) -> dict[str, pd.DataFrame]:
    """The real sample read once per session with pandas' default parser (as a user's notebook would)."""
    return {t: pd.read_csv(real_sample_dir / f"{t}.csv.gz") for t in TABLE_NAMES}


#: Small enough for CI, large enough for a model to find the planted signal (about 8% of 4,000 defaults).
PIPELINE_CLIENTS = 4_000


@pytest.fixture(scope="session")
def synthetic_tables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic raw tables (Parquet, ingest layout), generated once per session."""
    from credit_scoring.data.synthetic import generate

    out = tmp_path_factory.mktemp("pipeline") / "tables"
    generate(out, n_clients=PIPELINE_CLIENTS, seed=7)
    return out


@pytest.fixture(scope="session")
def feature_store(synthetic_tables: Path) -> Path:
    """The feature store of the synthetic tables, built once per session."""
    from credit_scoring.features import build_features

    out = synthetic_tables.parent / "features"
    build_features(synthetic_tables, out)
    return out


@pytest.fixture(scope="session")
def test_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("settings")
    return Settings(
        data_dir=root / "data",
        models_dir=root / "models",
        mlflow_tracking_uri=f"sqlite:///{root / 'mlflow.db'}",
    )


@pytest.fixture(scope="session")
def trained_bundle(feature_store: Path, test_settings: Settings) -> Path:
    """One model trained, tracked in MLflow and registered, shared by every test that needs a model."""
    from credit_scoring.config import TrainConfig
    from credit_scoring.modeling.run import train

    config = TrainConfig.model_validate(
        {
            "n_folds": 3,
            "lightgbm": {"n_estimators": 300, "early_stopping_rounds": 30, "learning_rate": 0.1},
            "optuna": {"trials": 1, "sample_rows": 2000},
            "monotone": {
                f: -1
                for f in (
                    "EXT_SOURCE_1",
                    "EXT_SOURCE_2",
                    "EXT_SOURCE_3",
                    "APP_EXT_SOURCE_MEAN",
                    "APP_EXT_SOURCE_MIN",
                    "APP_EXT_SOURCE_MAX",
                    "APP_EXT_SOURCE_WEIGHTED",
                    "APP_EXT_SOURCE_PROD",
                )
            },
            "exclude_features": ["APP_EXT_SOURCE_STD"],
        }
    )
    outcome = train(features_dir=feature_store, out_dir=test_settings.models_dir, config=config, settings=test_settings)
    return outcome.bundle_dir
