"""The training protocol, the bundle and the Scorer, on a small feature frame with a known signal."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from credit_scoring.bundle import BundleError, ModelBundle
from credit_scoring.config import TrainConfig
from credit_scoring.errors import CreditScoringError, DataError
from credit_scoring.modeling.train import TrainingData, TrainingResult, fit_model
from credit_scoring.scoring import Scorer

N = 12_000


def _frame(seed: int = 0) -> TrainingData:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.normal(size=(N, 12)).astype(np.float32), columns=[f"F{i}" for i in range(12)])
    x.loc[rng.random(N) < 0.2, "F3"] = np.nan
    x["CONSTANT"] = np.float32(1.0)
    logit = -2.9 + 0.9 * x["F0"] - 0.7 * x["F1"] + 0.4 * x["F2"] * x["F0"]
    y = (rng.random(N) < 1 / (1 + np.exp(-logit.to_numpy()))).astype(np.int64)
    return TrainingData(ids=np.arange(100_000, 100_000 + N), x=x, y=y, data_hash="test")


@pytest.fixture(scope="module")
def config() -> TrainConfig:
    return TrainConfig.model_validate(
        {
            "n_folds": 3,
            "seed_bag": 2,  # every test of this module runs on an averaged model (modeling/bagging.py)
            "lightgbm": {"n_estimators": 200, "early_stopping_rounds": 20},
            "optuna": {"trials": 2},
            "monotone": {"F0": 1, "F1": -1, "NOT_A_FEATURE": 1},
        }
    )


@pytest.fixture(scope="module")
def result(config: TrainConfig) -> TrainingResult:
    return fit_model(_frame(), config)


@pytest.fixture(scope="module")
def bundle_dir(result: TrainingResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    bundle = ModelBundle(result.booster, result.calibrator, result.threshold, result.features, {"data_hash": "abc"})
    return bundle.save(tmp_path_factory.mktemp("models"))


def test_holdout_is_untouched_and_stratified(result: TrainingResult) -> None:
    assert set(result.oof["SK_ID_CURR"]).isdisjoint(result.holdout["SK_ID_CURR"])
    assert len(result.holdout) == pytest.approx(0.2 * N, abs=1)
    assert result.holdout["TARGET"].mean() == pytest.approx(result.oof["TARGET"].mean(), abs=0.01)


def test_model_learns_the_signal_and_beats_the_baselines(result: TrainingResult) -> None:
    by_model = {row["model"]: row for row in result.comparison if "oof_auc" in row}
    assert by_model["dummy (prior)"]["oof_auc"] == pytest.approx(0.5, abs=0.01)
    assert result.metrics["holdout_auc"] > 0.7
    assert result.metrics["holdout_cost_normalized"] < 1.0  # better than granting or refusing everyone
    assert {f"LightGBM, imbalance: {s}" for s in ("none", "class_weight", "undersample")} <= set(by_model)
    costs = {s: by_model[f"LightGBM, imbalance: {s}"]["oof_cost_per_client"] for s in ("none", "class_weight",
                                                                                         "undersample")}  # fmt: skip
    assert costs[result.strategy] == min(costs.values())


def test_the_final_model_averages_the_configured_number_of_fits(result: TrainingResult) -> None:
    final = [row for row in result.comparison if "all dev clients" in row["model"]]
    assert len(final) == 1 and final[0]["model"].endswith("2 seeds averaged")
    assert 0.5 < final[0]["oof_auc"] == pytest.approx(result.metrics["oof_auc"])


def test_threshold_is_far_below_one_half_for_a_ten_to_one_cost(result: TrainingResult) -> None:
    assert 0.02 < result.threshold < 0.3


def test_calibration_lowers_the_holdout_brier_score(result: TrainingResult) -> None:
    assert result.metrics["holdout_brier"] <= result.metrics["holdout_brier_uncalibrated"]
    assert result.metrics["holdout_ece"] < 0.03


def test_constant_columns_are_dropped_and_identifiers_are_never_features(result: TrainingResult) -> None:
    assert "CONSTANT" not in result.features
    assert "SK_ID_CURR" not in result.features and "TARGET" not in result.features


def test_bundle_round_trip_gives_identical_scores(result: TrainingResult, bundle_dir: Path) -> None:
    x = _frame(seed=1).x
    loaded = Scorer.from_path(bundle_dir)
    direct = Scorer(ModelBundle(result.booster, result.calibrator, result.threshold, result.features))
    np.testing.assert_allclose(loaded.predict_proba(x), direct.predict_proba(x), rtol=1e-12)
    meta = json.loads((bundle_dir / "metadata.json").read_text())
    assert meta["threshold"] == result.threshold and meta["features"] == result.features
    assert {"lightgbm", "numpy", "scikit-learn", "python"} <= set(meta["libraries"])


def test_tampered_bundle_is_refused(bundle_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "bundle"
    shutil.copytree(bundle_dir, copy)
    with (copy / "model.txt").open("a") as fh:
        fh.write("\n")
    with pytest.raises(BundleError, match=r"model\.txt does not match the SHA-256"):
        ModelBundle.load(copy)


def test_bundle_for_other_library_versions_is_refused(bundle_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "bundle"
    shutil.copytree(bundle_dir, copy)
    meta = json.loads((copy / "metadata.json").read_text())
    meta["libraries"]["lightgbm"] = "1.0.0"
    (copy / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(BundleError, match=r"trained with lightgbm 1\.0\.0"):
        ModelBundle.load(copy)


def test_missing_bundle_says_how_to_get_one(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="credit-scoring train"):
        ModelBundle.load(tmp_path)


def test_scores_do_not_depend_on_row_order_or_client_id(bundle_dir: Path) -> None:
    scorer = Scorer.from_path(bundle_dir)
    x = _frame(seed=2).x.head(500)
    base = scorer.score(x)
    shuffled = x.sample(frac=1.0, random_state=3)
    again = scorer.score(shuffled.assign(SK_ID_CURR=np.arange(len(x))[::-1]))
    pd.testing.assert_frame_equal(again.loc[base.index], base)
    assert set(base["decision"]) <= {"granted", "refused"}
    assert (base["decision"].eq("refused") == (base["probability"] >= scorer.threshold)).all()


def test_scorer_names_the_missing_feature_columns(bundle_dir: Path) -> None:
    scorer = Scorer.from_path(bundle_dir)
    with pytest.raises(DataError, match="lack 1 column"):
        scorer.score(_frame().x.head(3).drop(columns=["F0"]))


def test_config_errors_name_the_field(tmp_path: Path) -> None:
    path = tmp_path / "train.yaml"
    path.write_text("n_folds: 1\n")
    with pytest.raises(CreditScoringError, match="n_folds"):
        TrainConfig.from_yaml(path)
    path.write_text("lightgbm: {learning_rat: 0.1}\n")
    with pytest.raises(CreditScoringError, match=r"lightgbm\.learning_rat"):
        TrainConfig.from_yaml(path)


def test_contributions_add_up_to_the_raw_output_and_to_the_probability_shown(bundle_dir: Path) -> None:
    from credit_scoring.explain import contributions, global_importance

    scorer = Scorer.from_path(bundle_dir)
    x = _frame(seed=4).x.head(300)
    c = contributions(scorer, x)
    np.testing.assert_allclose(c.base_logit + c.logit.sum(axis=1), scorer.predict_raw(x), atol=1e-9)
    np.testing.assert_allclose(c.base_probability + c.proba_points.sum(axis=1), scorer.predict_proba(x), atol=1e-12)
    # Probability points keep each contribution's sign (or are zero when the probability did not move).
    assert (np.sign(c.proba_points) * np.sign(c.logit) >= 0).all()
    top = global_importance(scorer, x)["feature"].head(2).tolist()
    assert set(top) == {"F0", "F1"}  # the two features that drive the planted signal


@pytest.mark.parametrize(("feature", "direction"), [("F0", 1), ("F1", -1)])
def test_monotone_features_move_the_risk_one_way_only(bundle_dir: Path, feature: str, direction: int) -> None:
    scorer = Scorer.from_path(bundle_dir)
    clients = _frame(seed=5).x.head(50)
    grid = np.linspace(-3, 3, 25)
    for _, row in clients.iterrows():
        what_if = pd.DataFrame([row] * len(grid)).assign(**{feature: grid})
        raw = scorer.predict_raw(what_if)
        assert (np.diff(raw) * direction >= -1e-12).all()


@pytest.mark.parametrize("name", ["train.yaml", "train-quick.yaml"])
def test_shipped_configs_are_valid(name: str, pytestconfig: pytest.Config) -> None:
    cfg = TrainConfig.from_yaml(pytestconfig.rootpath / "configs" / name)
    assert cfg.fn_cost == 10 and cfg.fp_cost == 1
    assert cfg.monotone["EXT_SOURCE_2"] == -1


def test_shipped_profiles_never_use_gender() -> None:
    """Both training profiles (demo and real-data quick) exclude every CODE_GENDER level: a credit decision must not
    rest on a protected characteristic; the fairness report measures the gaps instead."""
    from credit_scoring.config import TrainConfig
    from credit_scoring.data.schema import TABLES

    levels = next(c.levels for c in TABLES["application_train"].columns if c.name == "CODE_GENDER")
    expected = {f"CODE_GENDER_{level}" for level in levels}
    for profile in ("configs/train.yaml", "configs/train-quick.yaml"):
        assert expected <= set(TrainConfig.from_yaml(Path(profile)).exclude_features), profile
