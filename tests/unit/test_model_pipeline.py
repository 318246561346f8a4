"""The model trained once per session on synthetic data: bundle contents, MLflow registry and pyfunc, CLI errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from credit_scoring.bundle import ModelBundle
from credit_scoring.cli import app
from credit_scoring.config import Settings
from credit_scoring.modeling.run import NON_FEATURES, load_training_data
from credit_scoring.scoring import Scorer


def test_bundle_holds_model_predictions_plots_and_report(trained_bundle: Path) -> None:
    meta = json.loads((trained_bundle / "metadata.json").read_text())
    expected = {
        "model.txt",
        "calibrator.json",
        "oof_predictions.parquet",
        "holdout_predictions.parquet",
        "report.json",
        "report.md",
        *(f"plots/{p}.png" for p in ("roc", "precision_recall", "cost_vs_threshold", "calibration",
                                     "confusion_matrix", "importance")),
    }  # fmt: skip
    assert expected <= set(meta["files"])
    assert meta["costs"] == {"fn_cost": 10.0, "fp_cost": 1.0}
    assert 0 < meta["threshold"] < 0.5
    oof = pd.read_parquet(trained_bundle / "oof_predictions.parquet")
    holdout = pd.read_parquet(trained_bundle / "holdout_predictions.parquet")
    assert set(oof.columns) >= {"SK_ID_CURR", "TARGET", "fold", "proba"}
    assert set(oof["SK_ID_CURR"]).isdisjoint(holdout["SK_ID_CURR"])


def test_identifiers_and_target_are_never_features(trained_bundle: Path) -> None:
    features = ModelBundle.load(trained_bundle).features
    assert not set(features) & NON_FEATURES
    assert not [f for f in features if "TARGET" in f or f.startswith("SK_ID")]


def test_model_on_synthetic_data_finds_the_planted_signal(trained_bundle: Path, synthetic_tables: Path) -> None:
    meta = json.loads((trained_bundle / "metadata.json").read_text())
    ceiling = json.loads((synthetic_tables / "generator.json").read_text())["ceiling_auc"]
    # 4,000 clients and a 20% holdout: about 65 defaults, so the tolerance is wide; bench/train.py measures full scale.
    assert meta["metrics"]["holdout_auc"] > ceiling - 0.12
    assert meta["metrics"]["holdout_cost_normalized"] < 1.0


def test_registered_model_scores_through_mlflow_pyfunc_like_the_scorer(
    trained_bundle: Path, feature_store: Path, test_settings: Settings
) -> None:
    import mlflow

    mlflow.set_tracking_uri(test_settings.mlflow_tracking_uri)
    model = mlflow.pyfunc.load_model(f"models:/{test_settings.registered_model_name}/1")
    rows = load_training_data(feature_store).x.head(20)
    scorer = Scorer.from_path(trained_bundle)
    out = model.predict(rows[scorer.features])
    np.testing.assert_allclose(out["probability"].to_numpy(), scorer.predict_proba(rows), rtol=1e-9)
    assert list(out["decision"]) == list(scorer.score(rows)["decision"])


def test_promote_sets_champion_and_the_champion_bundle_loads(
    trained_bundle: Path, test_settings: Settings, tmp_path: Path
) -> None:
    from credit_scoring.modeling.tracking import promote, resolve_registered_bundle

    uri, name = test_settings.mlflow_tracking_uri, test_settings.registered_model_name
    assert promote(tracking_uri=uri, name=name) == "1"
    folder = resolve_registered_bundle(tracking_uri=uri, name=name, dst=tmp_path)
    assert ModelBundle.load(folder).version == ModelBundle.load(trained_bundle).version


def test_promote_of_an_unknown_version_lists_the_known_ones(trained_bundle: Path, test_settings: Settings) -> None:
    from credit_scoring.errors import CreditScoringError
    from credit_scoring.modeling.tracking import promote

    with pytest.raises(CreditScoringError, match="registered versions: 1"):
        promote(tracking_uri=test_settings.mlflow_tracking_uri, name=test_settings.registered_model_name, version="9")


def test_train_cli_rejects_a_bad_config_in_one_line(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("calibration: magic\n")
    result = CliRunner().invoke(app, ["train", "--data", str(tmp_path), "--config", str(config), "--no-track"])
    assert result.exit_code == 1
    assert "calibration" in result.output and "Traceback" not in result.output


def test_train_cli_without_features_names_what_is_missing(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["train", "--features", str(tmp_path), "--no-track"])
    assert result.exit_code == 1
    assert "features.parquet is missing" in result.output
