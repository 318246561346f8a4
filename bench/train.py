"""Training time and quality on a (full-scale) synthetic feature store, with the default configuration.

    uv run python bench/train.py --features DIR [--tables DIR] [--config configs/train.yaml] [--sample N]
        [--set lightgbm.learning_rate=0.1 ...]

Prints wall time per step, peak memory, holdout AUC and the generator's ceiling AUC (from generator.json in --tables).
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from credit_scoring.config import TrainConfig
from credit_scoring.modeling.run import load_training_data
from credit_scoring.modeling.train import TrainingData, fit_model


def _override(raw: dict[str, Any], assignment: str) -> None:
    key, value = assignment.split("=", 1)
    *parents, leaf = key.split(".")
    node = raw
    for p in parents:
        node = node.setdefault(p, {})
    node[leaf] = yaml.safe_load(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--features", type=Path, required=True)
    parser.add_argument("--tables", type=Path, default=None, help="raw tables folder holding generator.json")
    parser.add_argument("--config", type=Path, default=Path("configs/train.yaml"))
    parser.add_argument("--sample", type=int, default=None, help="labelled rows to keep (default: all)")
    parser.add_argument("--set", action="append", default=[], help="override a config field, e.g. n_folds=3")
    args = parser.parse_args()
    raw = yaml.safe_load(args.config.read_text()) or {}
    for assignment in args.set:
        _override(raw, assignment)
    cfg = TrainConfig.model_validate(raw)
    start = time.perf_counter()
    data = load_training_data(args.features)
    if args.sample and args.sample < len(data.y):
        idx = np.sort(np.random.default_rng(0).choice(len(data.y), args.sample, replace=False))
        data = TrainingData(data.ids[idx], data.x.iloc[idx], data.y[idx], data.data_hash)
    load_s = time.perf_counter() - start
    result = fit_model(data, cfg)
    total = time.perf_counter() - start
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"rows {len(data.y):,}  features {data.x.shape[1]}  overrides {args.set or 'none'}")
    print(f"load {load_s:.1f}s  " + "  ".join(f"{k} {v:.1f}s" for k, v in result.timings.items()))
    print(f"total {total:.1f}s ({total / 60:.1f} min)  peak memory {peak_gb:.2f} GB")
    for row in result.comparison:
        if "oof_auc" in row:
            print(f"  {row['model']:42} OOF AUC {row['oof_auc']:.4f}  cost/client {row['oof_cost_per_client']:.4f}")
    m = result.metrics
    print(f"holdout AUC {m['holdout_auc']:.4f}  cost/client {m['holdout_cost_per_client']:.4f}  "
          f"normalized {m['holdout_cost_normalized']:.3f}  threshold {m['threshold']:.4f}  "
          f"rounds {m['boosting_rounds']:.0f}")  # fmt: skip
    if args.tables and (args.tables / "generator.json").is_file():
        ceiling = json.loads((args.tables / "generator.json").read_text())["ceiling_auc"]
        print(f"generator ceiling AUC {ceiling:.4f}; gap {ceiling - m['holdout_auc']:.4f}")


if __name__ == "__main__":
    main()
