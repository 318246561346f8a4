"""Screening: does the loan's inferred term and interest rate add to the application features? (real sample, (a))

    uv run python bench/model_quality.py --only a          # once: ingests the sample and builds its feature store
    uv run python bench/term_rate.py [--work data/bench/model-quality] [--seeds 0 1 2]

The application gives the credit and the annuity but not the number of instalments; previous applications give all
three (CNT_PAYMENT). This fits one regression LightGBM on the previous applications (no TARGET anywhere: credit,
annuity, goods price, their ratios and the contract type -> CNT_PAYMENT), applies it to every application, and solves
for the monthly rate that makes the annuity repay the credit over the predicted term. The three columns (term, rate,
credit/annuity minus term) are added to the application features of protocol (a), and the same 5-fold CV as
``bench/model_quality.py`` (the shipped profile, one model per fit) is run with and without them, seed by seed.

Not in the product yet (docs/model.md): the term model would have to live in the feature store and be applied
identically by the DuckDB build, the online (numpy) features and the Spark engine.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from credit_scoring.config import TrainConfig
from credit_scoring.modeling.run import load_training_data
from credit_scoring.modeling.train import _lgb_params, cross_validate


def _loan_fields(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "credit": frame["AMT_CREDIT"],
            "annuity": frame["AMT_ANNUITY"],
            "goods": frame["AMT_GOODS_PRICE"],
            "credit_per_annuity": frame["AMT_CREDIT"] / frame["AMT_ANNUITY"],
            "goods_per_credit": frame["AMT_GOODS_PRICE"] / frame["AMT_CREDIT"],
            "cash": (frame["NAME_CONTRACT_TYPE"] == "Cash loans").astype(float),
        }
    )


def monthly_rate(credit_per_annuity: NDArray[np.float64], term: NDArray[np.float64]) -> NDArray[np.float64]:
    """The rate r with annuity = credit * r / (1 - (1 + r)^-term), by bisection; 0 when the term repays at no rate."""
    target = 1.0 / credit_per_annuity
    lo, hi = np.full_like(target, 1e-9), np.full_like(target, 1.0)
    for _ in range(60):
        mid = (lo + hi) / 2
        payment = mid / (1 - (1 + mid) ** -term)
        lo, hi = np.where(payment < target, mid, lo), np.where(payment >= target, mid, hi)
    return np.where(target * term > 1, (lo + hi) / 2, 0.0)


def term_features(tables: Path, ids: NDArray[np.int64]) -> pd.DataFrame:
    prev = pd.read_parquet(tables / "previous_application.parquet")
    prev = prev[(prev["CNT_PAYMENT"] > 0) & (prev["AMT_ANNUITY"] > 0) & (prev["AMT_CREDIT"] > 0)]
    params = {"objective": "regression", "verbosity": -1, "num_leaves": 63, "learning_rate": 0.05, "seed": 0}
    model = lgb.train(params, lgb.Dataset(_loan_fields(prev), prev["CNT_PAYMENT"]), num_boost_round=500)
    apps = pd.concat([pd.read_parquet(tables / f"application_{part}.parquet") for part in ("train", "test")]).set_index(
        "SK_ID_CURR"
    )
    fields = _loan_fields(apps.reindex(ids))
    term = np.asarray(model.predict(fields), dtype=np.float64)
    ratio = fields["credit_per_annuity"].to_numpy(dtype=np.float64)
    print(f"term model: {len(prev):,} previous applications with CNT_PAYMENT")
    return pd.DataFrame(
        {
            "APP_TERM_INFERRED": term,
            "APP_RATE_INFERRED": monthly_rate(ratio, np.maximum(term, 1.0)),
            "APP_TERM_GAP": ratio - term,
        }
    ).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", type=Path, default=Path("data/bench/model-quality"))
    parser.add_argument("--config", type=Path, default=Path("configs/train.yaml"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    store, tables = args.work / "features", args.work / "tables"
    if not (store / "manifest.json").is_file():
        raise SystemExit(f"no feature store in {store}: run bench/model_quality.py --work {args.work} first")
    cfg = TrainConfig.from_yaml(args.config)
    data = load_training_data(store)
    manifest = json.loads((store / "manifest.json").read_text())
    excluded = set(cfg.exclude_features)
    app = [
        f["name"]
        for f in manifest["features"]
        if f["table"].startswith("application") and f["name"] in data.x and f["name"] not in excluded
    ]
    base = data.x[app]
    extra = term_features(tables, np.asarray(data.ids))
    with_term = pd.concat([base.reset_index(drop=True), extra], axis=1)
    print(f"(a) {len(data.y):,} labelled clients; {base.shape[1]} application features (+{extra.shape[1]})")
    rows = []
    for seed in args.seeds:
        aucs = []
        for x in (base, with_term):
            params = _lgb_params(cfg.lightgbm, seed=seed)
            params["monotone_constraints"] = [cfg.monotone.get(c, 0) for c in x.columns]
            params["monotone_constraints_method"] = "intermediate"
            cv = cross_validate(x, data.y, params, cfg.model_copy(update={"seed": seed}), n_folds=5)
            aucs.append(float(np.mean(cv.fold_auc)))
        rows.append(aucs)
        print(f"seed {seed}: application features {aucs[0]:.4f}   + inferred term and rate {aucs[1]:.4f}", flush=True)
    means = np.mean(rows, axis=0)
    print(f"mean over seeds: {means[0]:.4f} -> {means[1]:.4f} ({means[1] - means[0]:+.4f})")


if __name__ == "__main__":
    main()
