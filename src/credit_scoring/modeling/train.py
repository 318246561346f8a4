"""Training: holdout first, then cross-validation with out-of-fold predictions, baselines, class-imbalance strategies,
an Optuna search under a budget, calibration and the cost-minimising threshold; the holdout is scored once at the end.

Every choice (imbalance strategy, hyperparameters, calibrator, threshold) is made on the non-holdout ("dev") clients
only. LightGBM stops early on an inner split of each fold's training part, never on the fold it is scored on.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.dummy import DummyClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from credit_scoring.config import LightGBMParams, TrainConfig
from credit_scoring.modeling.bagging import average_boosters
from credit_scoring.modeling.calibration import Calibrator, brier_score, expected_calibration_error
from credit_scoring.modeling.cost import CostSummary, optimal_threshold, summarize_cost
from credit_scoring.progress import ProgressHook, no_progress

__all__ = ["CVResult", "TrainingData", "TrainingResult", "fit_model"]

logger = logging.getLogger(__name__)

Strategy = str  # "none" | "class_weight" | "undersample"


@dataclass
class TrainingData:
    """Labelled feature rows: ``ids`` (SK_ID_CURR), the feature matrix and the 0/1 target."""

    ids: NDArray[np.int64]
    x: pd.DataFrame
    y: NDArray[np.int64]
    data_hash: str = "unknown"


@dataclass
class CVResult:
    """Out-of-fold log-odds for the dev clients, with per-fold AUCs and best iterations."""

    oof_raw: NDArray[np.float64]
    fold: NDArray[np.int64]
    fold_auc: list[float]
    best_iterations: list[int]

    @property
    def oof_proba(self) -> NDArray[np.float64]:
        return _sigmoid(self.oof_raw)


@dataclass
class TrainingResult:
    """Everything the bundle, the report and MLflow need."""

    booster: lgb.Booster
    calibrator: Calibrator
    threshold: float
    features: list[str]
    params: dict[str, Any]
    strategy: Strategy
    metrics: dict[str, float]
    comparison: list[dict[str, Any]]
    oof: pd.DataFrame
    holdout: pd.DataFrame
    cost_at_threshold: CostSummary
    importance: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)


def _sigmoid(raw: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(1.0 / (1.0 + np.exp(-raw)), dtype=np.float64)


def _lgb_params(params: LightGBMParams, *, seed: int, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    p = params.model_dump(exclude={"n_estimators", "early_stopping_rounds"})
    p |= {
        "objective": "binary",
        "metric": "auc",
        "verbosity": -1,
        "seed": seed,
        "num_threads": 2,
        "deterministic": True,
        "force_col_wise": True,
    }
    return p | (overrides or {})


def _fit_one(
    dataset: lgb.Dataset,
    y: NDArray[np.int64],
    train_idx: NDArray[np.int64],
    params: dict[str, Any],
    cfg: TrainConfig,
    strategy: Strategy,
    seed: int,
) -> tuple[lgb.Booster, int]:
    """Fit on ``train_idx`` with early stopping on an inner stratified split of it."""
    fit_idx, stop_idx = train_test_split(
        train_idx, test_size=cfg.inner_validation_fraction, stratify=y[train_idx], random_state=seed
    )
    params = dict(params)
    if strategy == "class_weight":
        pos = max(int(y[fit_idx].sum()), 1)
        params["scale_pos_weight"] = (len(fit_idx) - pos) / pos
    elif strategy == "undersample":
        rng = np.random.default_rng(seed)
        positives = fit_idx[y[fit_idx] == 1]
        negatives = fit_idx[y[fit_idx] == 0]
        keep = rng.choice(negatives, size=min(len(negatives), len(positives)), replace=False)
        fit_idx = np.sort(np.concatenate([positives, keep]))
    train_set = dataset.subset(np.sort(fit_idx).tolist())
    valid_set = dataset.subset(np.sort(stop_idx).tolist())
    booster = lgb.train(
        params,
        train_set,
        num_boost_round=cfg.lightgbm.n_estimators,
        valid_sets=[valid_set],
        callbacks=[lgb.early_stopping(cfg.lightgbm.early_stopping_rounds, verbose=False)],
    )
    return booster, max(int(booster.best_iteration), 1)


def _member(params: dict[str, Any], b: int) -> dict[str, Any]:
    """The LightGBM parameters of the ``b``-th model of a seed bag (``b`` = 0: ``params`` unchanged)."""
    return params | {"seed": params.get("seed", 0) + 1000 * b}


def _dataset(x: pd.DataFrame, y: NDArray[np.int64], params: dict[str, Any]) -> lgb.Dataset:
    """One binned dataset for the whole run; folds are subsets of it, so binning is done once."""
    return lgb.Dataset(
        x.to_numpy(dtype=np.float32, na_value=np.nan),
        label=y,
        feature_name=list(x.columns),
        params={"max_bin": params["max_bin"], "verbosity": -1, "feature_pre_filter": False},
        free_raw_data=False,
    ).construct()


def cross_validate(
    x: pd.DataFrame,
    y: NDArray[np.int64],
    params: dict[str, Any],
    cfg: TrainConfig,
    *,
    strategy: Strategy = "none",
    n_folds: int | None = None,
    dataset: lgb.Dataset | None = None,
    progress: ProgressHook = no_progress,
    step: str = "Cross-validation",
    bag: int = 1,
) -> CVResult:
    """Stratified K-fold with out-of-fold log-odds (each fold's model an average of ``bag`` fits)."""
    k = n_folds or cfg.n_folds
    dataset = dataset if dataset is not None else _dataset(x, y, params)
    matrix = x.to_numpy(dtype=np.float32, na_value=np.nan)
    oof = np.zeros(len(y), dtype=np.float64)
    fold_of = np.zeros(len(y), dtype=np.int64)
    aucs: list[float] = []
    iters: list[int] = []
    folds = StratifiedKFold(n_splits=k, shuffle=True, random_state=cfg.seed)
    progress(step, 0, k)
    for i, (tr, te) in enumerate(folds.split(matrix, y)):
        fits = [
            _fit_one(dataset, y, tr.astype(np.int64), _member(params, b), cfg, strategy, cfg.seed + i + 1000 * b)
            for b in range(bag)
        ]
        booster = average_boosters([member for member, _ in fits])  # one fit: that fit itself
        best = max(round(float(np.mean([rounds for _, rounds in fits]))), 1)
        oof[te] = booster.predict(matrix[te], raw_score=True)  # at its best iteration (early stopping) or all trees
        fold_of[te] = i
        aucs.append(float(roc_auc_score(y[te], oof[te])))
        iters.append(best)
        progress(step, i + 1, k)
    return CVResult(oof, fold_of, aucs, iters)


def _cost_of(y: NDArray[np.int64], proba: NDArray[np.float64], cfg: TrainConfig) -> CostSummary:
    t = optimal_threshold(y, proba, fn_cost=cfg.fn_cost, fp_cost=cfg.fp_cost)
    return summarize_cost(y, proba, t, fn_cost=cfg.fn_cost, fp_cost=cfg.fp_cost)


def _baselines(x: pd.DataFrame, y: NDArray[np.int64], cfg: TrainConfig) -> list[dict[str, Any]]:
    """A dummy classifier and an imputed, scaled logistic regression, on the same folds as LightGBM."""
    rows: list[dict[str, Any]] = []
    folds = list(StratifiedKFold(n_splits=cfg.n_folds, shuffle=True, random_state=cfg.seed).split(x, y))
    matrix = x.to_numpy(dtype=np.float64, na_value=np.nan)
    # Columns that are entirely missing carry nothing and would make the imputer drop them silently.
    matrix = matrix[:, ~np.isnan(matrix).all(axis=0)]
    candidates: dict[str, Callable[[], Any]] = {
        "dummy (prior)": lambda: DummyClassifier(strategy="prior"),
        "logistic regression": lambda: make_pipeline(
            SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression(C=0.05, max_iter=300)
        ),
    }
    for name, make in candidates.items():
        start = time.perf_counter()
        oof = np.zeros(len(y))
        for tr, te in folds:
            oof[te] = make().fit(matrix[tr], y[tr]).predict_proba(matrix[te])[:, 1]
        cost = _cost_of(y, oof, cfg)
        rows.append(
            {
                "model": name,
                "oof_auc": float(roc_auc_score(y, oof)),
                "oof_cost_per_client": cost.per_client,
                "oof_cost_normalized": cost.normalized,
                "seconds": round(time.perf_counter() - start, 1),
            }
        )
    return rows


def _select_features(x: pd.DataFrame, y: NDArray[np.int64], params: dict[str, Any], cfg: TrainConfig) -> list[str]:
    """Drop constant columns; keep the ``max_features`` most important (gain) of one quick fit when set."""
    informative = [c for c in x.columns if x[c].nunique(dropna=False) > 1]
    if cfg.max_features is None or len(informative) <= cfg.max_features:
        return informative
    idx = np.arange(len(y), dtype=np.int64)
    dataset = _dataset(x[informative], y, params)
    booster, _ = _fit_one(dataset, y, idx, params, cfg, "none", cfg.seed)
    gain = pd.Series(booster.feature_importance("gain"), index=informative).sort_values(ascending=False)
    return list(gain.index[: cfg.max_features])


def _search(
    x: pd.DataFrame, y: NDArray[np.int64], base: dict[str, Any], cfg: TrainConfig, strategy: Strategy
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Optuna TPE over the tunable LightGBM parameters on a stratified sample of the dev clients, 3-fold CV."""
    import optuna

    if cfg.optuna.trials == 0:
        return {}, []
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if len(y) > cfg.optuna.sample_rows:
        idx, _ = train_test_split(
            np.arange(len(y)), train_size=cfg.optuna.sample_rows, stratify=y, random_state=cfg.seed
        )
        x, y = x.iloc[np.sort(idx)], y[np.sort(idx)]
    dataset = _dataset(x, y, base)

    def objective(trial: optuna.Trial) -> float:
        overrides = {
            "num_leaves": trial.suggest_int("num_leaves", 8, 96, log=True),
            "min_child_samples": trial.suggest_int("min_child_samples", 20, 400, log=True),
            "feature_fraction": trial.suggest_float("feature_fraction", 0.1, 0.6),
            "lambda_l2": trial.suggest_float("lambda_l2", 0.1, 100.0, log=True),
        }
        cv = cross_validate(x, y, base | overrides, cfg, strategy=strategy, n_folds=3, dataset=dataset)
        if cfg.optuna.objective == "auc":
            return float(roc_auc_score(y, cv.oof_raw))
        return -_cost_of(y, cv.oof_proba, cfg).per_client

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=cfg.seed))
    study.optimize(objective, n_trials=cfg.optuna.trials, timeout=cfg.optuna.timeout)
    trials = [{"number": t.number, "value": t.value, **t.params} for t in study.trials if t.value is not None]
    return dict(study.best_params), trials


def fit_model(data: TrainingData, cfg: TrainConfig, *, progress: ProgressHook = no_progress) -> TrainingResult:
    """The whole protocol; see the module docstring. Returns the refit model and every figure measured."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 2)
        clock = now

    all_idx = np.arange(len(data.y))
    dev_idx, hold_idx = train_test_split(
        all_idx, test_size=cfg.holdout_fraction, stratify=data.y, random_state=cfg.seed
    )
    dev_idx, hold_idx = np.sort(dev_idx), np.sort(hold_idx)
    x_dev, y_dev = data.x.iloc[dev_idx], data.y[dev_idx]
    x_hold, y_hold = data.x.iloc[hold_idx], data.y[hold_idx]
    base = _lgb_params(cfg.lightgbm, seed=cfg.seed)
    logger.info("%d labelled clients: %d for development, %d held out", len(data.y), len(dev_idx), len(hold_idx))

    # Selection, baselines and the imbalance comparison may run on a stratified sample of the dev clients (a budget
    # choice for slow machines); the chosen strategy is always cross-validated on every dev client below.
    sample = np.arange(len(y_dev))
    if cfg.comparison_sample_rows is not None and cfg.comparison_sample_rows < len(y_dev):
        sample, _ = train_test_split(sample, train_size=cfg.comparison_sample_rows, stratify=y_dev,
                                     random_state=cfg.seed)  # fmt: skip
        sample = np.sort(sample)
    if cfg.exclude_features:
        keep = [c for c in x_dev.columns if c not in set(cfg.exclude_features)]
        x_dev, x_hold = x_dev[keep], x_hold[keep]
    x_cmp, y_cmp = x_dev.iloc[sample], y_dev[sample]
    features = _select_features(x_cmp, y_cmp, base, cfg)
    x_dev, x_hold, x_cmp = x_dev[features], x_hold[features], x_cmp[features]
    if cfg.monotone:
        # What-if answers must never be absurd: a known direction of effect is enforced, not just hoped for.
        base["monotone_constraints"] = [cfg.monotone.get(f, 0) for f in features]
        base["monotone_constraints_method"] = "intermediate"
    lap("feature_selection")

    comparison = _baselines(x_cmp, y_cmp, cfg) if cfg.baselines else []
    lap("baselines")

    dataset = _dataset(x_dev, y_dev, base)
    cmp_dataset = dataset if len(sample) == len(y_dev) else _dataset(x_cmp, y_cmp, base)
    cv_by_strategy: dict[str, CVResult] = {}
    for strategy in cfg.imbalance:
        start = time.perf_counter()
        cv = cross_validate(
            x_cmp, y_cmp, base, cfg, strategy=strategy, dataset=cmp_dataset, progress=progress,
            step=f"Cross-validation, imbalance: {strategy}",
        )  # fmt: skip
        cv_by_strategy[strategy] = cv
        cost = _cost_of(y_cmp, cv.oof_proba, cfg)
        comparison.append(
            {
                "model": f"LightGBM, imbalance: {strategy}",
                "oof_auc": float(roc_auc_score(y_cmp, cv.oof_raw)),
                "oof_auc_fold_std": float(np.std(cv.fold_auc)),
                "oof_cost_per_client": cost.per_client,
                "oof_cost_normalized": cost.normalized,
                "rows": len(y_cmp),
                "seconds": round(time.perf_counter() - start, 1),
            }
        )
    lgb_rows = [r for r in comparison if r["model"].startswith("LightGBM")]
    strategy = min(
        cfg.imbalance, key=lambda s: next(r for r in lgb_rows if r["model"].endswith(s))["oof_cost_per_client"]
    )
    logger.info("imbalance strategy with the lowest out-of-fold cost: %s", strategy)
    lap("imbalance_comparison")

    best_params, trials = _search(x_dev, y_dev, base, cfg, strategy)
    lap("hyperparameter_search")
    params = base | best_params
    cv = cv_by_strategy[strategy]
    if best_params or len(sample) < len(y_dev) or cfg.seed_bag > 1:
        cv = cross_validate(
            x_dev, y_dev, params, cfg, strategy=strategy, dataset=dataset, progress=progress,
            step="Cross-validation, all development clients", bag=cfg.seed_bag,
        )  # fmt: skip
        comparison.append(
            {
                "model": f"LightGBM {'tuned' if best_params else 'final'}, imbalance: {strategy}, all dev clients"
                + (f", {cfg.seed_bag} seeds averaged" if cfg.seed_bag > 1 else ""),
                "oof_auc": float(roc_auc_score(y_dev, cv.oof_raw)),
                "oof_auc_fold_std": float(np.std(cv.fold_auc)),
                "oof_cost_per_client": _cost_of(y_dev, cv.oof_proba, cfg).per_client,
                "oof_cost_normalized": _cost_of(y_dev, cv.oof_proba, cfg).normalized,
            }
        )
    lap("cross_validation_all_dev")

    calibrator = Calibrator(cfg.calibration).fit(cv.oof_proba, y_dev)
    oof_cal = calibrator.transform(cv.oof_proba)
    threshold = optimal_threshold(y_dev, oof_cal, fn_cost=cfg.fn_cost, fp_cost=cfg.fp_cost)

    # Refit on all dev clients with the folds' mean best iteration. Not scaled up for the larger training set: the
    # calibrator was fitted on the fold models' outputs, and more rounds would stretch the scores it maps.
    rounds = max(int(np.mean(cv.best_iterations)), 1)
    progress("Final model on all development clients", 0, 1)
    refit_params = dict(params)
    refit_idx = np.arange(len(y_dev))
    if strategy == "class_weight":
        refit_params["scale_pos_weight"] = (len(y_dev) - y_dev.sum()) / max(int(y_dev.sum()), 1)
    elif strategy == "undersample":
        rng = np.random.default_rng(cfg.seed)
        pos, neg = refit_idx[y_dev == 1], refit_idx[y_dev == 0]
        refit_idx = np.sort(np.concatenate([pos, rng.choice(neg, size=min(len(neg), len(pos)), replace=False)]))
    refit_set = dataset.subset(refit_idx.tolist())
    booster = average_boosters(
        [lgb.train(_member(refit_params, b), refit_set, num_boost_round=rounds) for b in range(cfg.seed_bag)]
    )
    progress("Final model on all development clients", 1, 1)
    lap("refit")

    hold_raw = np.asarray(booster.predict(x_hold.to_numpy(dtype=np.float32, na_value=np.nan), raw_score=True))
    hold_uncal = _sigmoid(hold_raw)
    hold_cal = calibrator.transform(hold_uncal)
    at_threshold = summarize_cost(y_hold, hold_cal, threshold, fn_cost=cfg.fn_cost, fp_cost=cfg.fp_cost)
    metrics = {
        "holdout_auc": float(roc_auc_score(y_hold, hold_cal)),
        "holdout_cost_total": at_threshold.total,
        "holdout_cost_per_client": at_threshold.per_client,
        "holdout_cost_normalized": at_threshold.normalized,
        "holdout_cost_grant_everyone": at_threshold.grant_everyone,
        "holdout_cost_refuse_everyone": at_threshold.refuse_everyone,
        "holdout_recall": at_threshold.recall,
        "holdout_precision": at_threshold.precision,
        "holdout_accuracy": at_threshold.accuracy,
        "holdout_refusal_rate": float((hold_cal >= threshold).mean()),
        "holdout_brier_uncalibrated": brier_score(y_hold, hold_uncal),
        "holdout_brier": brier_score(y_hold, hold_cal),
        "holdout_ece_uncalibrated": expected_calibration_error(y_hold, hold_uncal),
        "holdout_ece": expected_calibration_error(y_hold, hold_cal),
        "oof_auc": float(roc_auc_score(y_dev, cv.oof_raw)),
        "oof_auc_fold_std": float(np.std(cv.fold_auc)),
        "oof_cost_per_client": summarize_cost(
            y_dev, oof_cal, threshold, fn_cost=cfg.fn_cost, fp_cost=cfg.fp_cost
        ).per_client,
        "threshold": threshold,
        "n_features": float(len(features)),
        "n_dev": float(len(y_dev)),
        "n_holdout": float(len(y_hold)),
        "boosting_rounds": float(rounds),
    }
    oof = pd.DataFrame(
        {
            "SK_ID_CURR": data.ids[dev_idx],
            "TARGET": y_dev,
            "fold": cv.fold,
            "proba_uncalibrated": cv.oof_proba,
            "proba": oof_cal,
        }
    )
    holdout = pd.DataFrame(
        {"SK_ID_CURR": data.ids[hold_idx], "TARGET": y_hold, "proba_uncalibrated": hold_uncal, "proba": hold_cal}
    )
    importance = (
        pd.DataFrame(
            {
                "feature": features,
                "gain": booster.feature_importance("gain"),
                "splits": booster.feature_importance("split"),
            }
        )
        .sort_values("gain", ascending=False)
        .reset_index(drop=True)
    )
    lap("evaluation")
    if trials:
        comparison.append({"model": "optuna", "trials": json.dumps(trials)})
    return TrainingResult(
        booster=booster,
        calibrator=calibrator,
        threshold=threshold,
        features=features,
        params=params | {"num_boost_round": rounds, "imbalance": strategy},
        strategy=strategy,
        metrics=metrics,
        comparison=comparison,
        oof=oof,
        holdout=holdout,
        cost_at_threshold=at_threshold,
        importance=importance,
        timings=timings,
    )


def save_predictions(result: TrainingResult, folder: Path) -> dict[str, Path]:
    """OOF and holdout predictions as Parquet inside the bundle folder (the fairness report reads them)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"oof_predictions.parquet": folder / "oof_predictions.parquet"}
    result.oof.to_parquet(paths["oof_predictions.parquet"], index=False)
    paths["holdout_predictions.parquet"] = folder / "holdout_predictions.parquet"
    result.holdout.to_parquet(paths["holdout_predictions.parquet"], index=False)
    return paths
