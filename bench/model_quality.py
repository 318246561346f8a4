"""Model quality on the shared REAL sample: 5-fold CV repeated over 3 seeds.

    uv run python bench/model_quality.py [--sample ../shared/data/home-credit] [--work /tmp/mq]

(a) all 50,517 labelled clients, application-level features only (the history tables are fragments for most of them);
(b) the 5,000 clients with complete history (SK_ID_CURR <= 105849): all features vs application-only features.
Prints AUC (mean and std over the 15 folds) and the business cost per client at the out-of-fold optimal threshold.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import yaml
from sklearn.metrics import roc_auc_score

from credit_scoring.config import TrainConfig
from credit_scoring.data.ingest import ingest
from credit_scoring.features import build_features
from credit_scoring.features.pipeline import feature_names
from credit_scoring.modeling.cost import optimal_threshold, summarize_cost
from credit_scoring.modeling.run import load_training_data
from credit_scoring.modeling.train import _lgb_params, cross_validate

COMPLETE_HISTORY_MAX_ID = 105849


def _evaluate(x, y, cfg: TrainConfig, seeds: list[int]) -> dict[str, float]:  # type: ignore[no-untyped-def]
    aucs, costs = [], []
    start = time.perf_counter()
    for seed in seeds:
        run_cfg = cfg.model_copy(update={"seed": seed})
        params = _lgb_params(cfg.lightgbm, seed=seed)
        if cfg.monotone:
            params["monotone_constraints"] = [cfg.monotone.get(c, 0) for c in x.columns]
            params["monotone_constraints_method"] = "intermediate"
        cv = cross_validate(x, y, params, run_cfg, n_folds=5, bag=cfg.seed_bag)
        aucs += cv.fold_auc
        p = cv.oof_proba
        t = optimal_threshold(y, p, fn_cost=cfg.fn_cost, fp_cost=cfg.fp_cost)
        costs.append(summarize_cost(y, p, t, fn_cost=cfg.fn_cost, fp_cost=cfg.fp_cost).per_client)
        _ = roc_auc_score(y, cv.oof_raw)
    return {
        "auc_mean": float(np.mean(aucs)),
        "auc_std": float(np.std(aucs)),
        "cost_per_client": float(np.mean(costs)),
        "seconds": round(time.perf_counter() - start, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sample", type=Path, default=Path("../shared/data/home-credit"))
    parser.add_argument("--work", type=Path, default=Path("data/bench/model-quality"))
    parser.add_argument("--config", type=Path, default=Path("configs/train.yaml"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument(
        "--set", action="append", default=[], help="override a LightGBM parameter, e.g. learning_rate=0.03"
    )
    parser.add_argument("--only", choices=["a", "b"], default=None, help="run one protocol only")
    parser.add_argument(
        "--no-monotone", action="store_true", help="drop the monotone constraints (to measure their cost)"
    )
    parser.add_argument("--seed-bag", type=int, default=None, help="models averaged per fit (default: the config's)")
    args = parser.parse_args()
    cfg = TrainConfig.from_yaml(args.config)
    if args.seed_bag is not None:
        cfg = cfg.model_copy(update={"seed_bag": args.seed_bag})
    if args.no_monotone:
        cfg = cfg.model_copy(update={"monotone": {}})
    if args.set:
        updates = {k: yaml.safe_load(v) for k, v in (a.split("=", 1) for a in args.set)}
        cfg = cfg.model_copy(update={"lightgbm": cfg.lightgbm.model_copy(update=updates)})
        print(f"LightGBM overrides: {updates}")
    tables, store = args.work / "tables", args.work / "features"
    if not (tables / "ingest_report.json").is_file():
        ingest(args.sample, tables)
    built = json.loads((store / "manifest.json").read_text()) if (store / "manifest.json").is_file() else {}
    if [f["name"] for f in built.get("features", [])] != list(feature_names()) or "term_model" not in built:
        build_features(tables, store)  # absent, or built by an older feature set
    manifest = json.loads((store / "manifest.json").read_text())
    data = load_training_data(store)
    excluded = set(cfg.exclude_features)  # as training does: gender, and what would break monotone what-ifs
    data.x = data.x.drop(columns=[c for c in data.x.columns if c in excluded])
    app_only = [f["name"] for f in manifest["features"] if f["table"].startswith("application") and f["name"] in data.x]
    results = {}
    print(f"monotone constraints: {sorted(cfg.monotone) or 'none'}; excluded: {sorted(excluded) or 'none'}; "
          f"models averaged per fit: {cfg.seed_bag}")  # fmt: skip
    print(f"labelled clients: {len(data.y)}, default rate {data.y.mean():.4f}; features: {data.x.shape[1]} "
          f"({len(app_only)} application-level)")  # fmt: skip
    if args.only in (None, "a"):
        results["(a) all labelled, application features"] = _evaluate(data.x[app_only], data.y, cfg, args.seeds)
    if args.only in (None, "b"):
        group = data.ids <= COMPLETE_HISTORY_MAX_ID
        xg, yg = data.x[group], data.y[group]
        print(f"complete-history group: {group.sum()} clients, {yg.sum()} defaults")
        results["(b) complete history, all features"] = _evaluate(xg, yg, cfg, args.seeds)
        results["(b) complete history, application features"] = _evaluate(xg[app_only], yg, cfg, args.seeds)
    print(f"\n{'protocol':48} {'AUC mean':>9} {'AUC std':>8} {'cost/client':>12} {'seconds':>8}")
    for name, r in results.items():
        print(f"{name:48} {r['auc_mean']:9.4f} {r['auc_std']:8.4f} {r['cost_per_client']:12.4f} {r['seconds']:8.1f}")


if __name__ == "__main__":
    main()
