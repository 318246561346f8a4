"""Ablation: what the inferred loan term and rate (``features/term.py``) add to protocol (a) of the real sample.

    uv run python bench/model_quality.py --only a          # once: ingests the sample and builds its feature store
    uv run python bench/term_rate.py [--work data/bench/model-quality] [--seeds 0 1 2]

The same 5-fold CV as ``bench/model_quality.py`` (the shipped profile, one model per fit to keep it short), on the
application-level features of the store, with and without APP_TERM_INFERRED, APP_RATE_INFERRED and APP_TERM_GAP,
seed by seed.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from credit_scoring.config import TrainConfig
from credit_scoring.features.term import TERM_FEATURES
from credit_scoring.modeling.run import load_training_data
from credit_scoring.modeling.train import _lgb_params, cross_validate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", type=Path, default=Path("data/bench/model-quality"))
    parser.add_argument("--config", type=Path, default=Path("configs/train.yaml"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    store = args.work / "features"
    manifest = json.loads((store / "manifest.json").read_text()) if (store / "manifest.json").is_file() else {}
    if "term_model" not in manifest:
        raise SystemExit(f"no current feature store in {store}: run bench/model_quality.py --work {args.work} first")
    cfg = TrainConfig.from_yaml(args.config)
    data = load_training_data(store)
    excluded = set(cfg.exclude_features)
    app = [
        f["name"]
        for f in manifest["features"]
        if f["table"].startswith("application") and f["name"] in data.x and f["name"] not in excluded
    ]
    with_term = data.x[app]
    base = with_term.drop(columns=list(TERM_FEATURES))
    print(f"(a) {len(data.y):,} labelled clients; {base.shape[1]} application features (+{len(TERM_FEATURES)}); "
          f"term model fitted on {manifest['term_model']['rows']:,} previous applications")  # fmt: skip
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
        print(f"seed {seed}: without {aucs[0]:.4f}   with the inferred term and rate {aucs[1]:.4f}", flush=True)
    means = np.mean(rows, axis=0)
    print(f"mean over seeds: {means[0]:.4f} -> {means[1]:.4f} ({means[1] - means[0]:+.4f})")


if __name__ == "__main__":
    main()
