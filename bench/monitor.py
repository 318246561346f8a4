"""Time ``credit-scoring monitor drift`` on a full-scale store (307,511 training applicants, 48,744 new clients).

    uv run python bench/monitor.py --store /work/bench-data/store-bench --model /work/bench-data/models-full2/<version>

The command runs in a child process, as a user runs it (imports included), so that its wall time and peak memory
(``ru_maxrss`` of the child) are measured alone. Before that, ``--log-rows`` applications drawn from the store's
training applicants are written to a fresh SQLite decision log (not timed), so the "scored" comparison runs too; half
of them get a shifted income and credit so that the log is not a copy of the reference. Prints the figures and each
comparison's share of drifted fields.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq


def _fill_log(url: str, store: Path, rows: int, seed: int) -> None:
    """``rows`` labelled applications as the API logs them (non-missing fields, kind ``score``), one transaction."""
    from sqlalchemy import insert

    from credit_scoring.storage.db import make_engine, upgrade_database
    from credit_scoring.storage.models import Decision

    upgrade_database(url)
    labelled = pq.read_table(store / "features.parquet", columns=["SK_ID_CURR", "LABELLED"]).to_pandas()
    ids = labelled.loc[labelled["LABELLED"].astype(bool), "SK_ID_CURR"].to_numpy()
    chosen = set(np.random.default_rng(seed).choice(ids, size=min(rows, len(ids)), replace=False).tolist())
    apps = pq.read_table(store / "applications.parquet").to_pandas()
    apps = apps[apps["SK_ID_CURR"].isin(chosen)].reset_index(drop=True)
    half = len(apps) // 2
    apps.loc[: half - 1, "AMT_INCOME_TOTAL"] *= 1.5
    apps.loc[: half - 1, "AMT_CREDIT"] *= 1.4
    records = json.loads(apps.to_json(orient="records"))
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            insert(Decision),
            [
                {
                    "actor": "bench",
                    "actor_role": "advisor",
                    "client_id": r.pop("SK_ID_CURR"),
                    "model_version": "bench",
                    "kind": "score",
                    "inputs": {k: v for k, v in r.items() if v is not None},
                    "probability": 0.1,
                    "threshold": 0.5,
                    "decision": "granted",
                    "top_reasons": [],
                }
                for r in records
            ],
        )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="feature store folder (full scale)")
    parser.add_argument("--model", type=Path, required=True, help="model bundle folder trained on that store")
    parser.add_argument("--log-rows", type=int, default=20_000, help="applications written to the decision log")
    parser.add_argument("--sample-rows", type=int, default=None, help="override CREDIT_SCORING_DRIFT_SAMPLE_ROWS")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-monitor-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'decisions.db'}"
        started = time.perf_counter()
        if args.log_rows:
            _fill_log(url, args.store, args.log_rows, args.seed)
        print(f"decision log: {args.log_rows:,} applications written in {time.perf_counter() - started:.1f} s")
        out = Path(tmp) / "monitoring"
        command = [sys.executable, "-m", "credit_scoring", "monitor", "drift", "--model", str(args.model)]
        command += ["--features", str(args.store), "--out", str(out), "--alert-share", "1"]
        if args.sample_rows:
            command += ["--sample-rows", str(args.sample_rows)]
        env = os.environ | {"CREDIT_SCORING_DATABASE_URL": url, "DO_NOT_TRACK": "1"}
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
        if done.returncode not in (0, 3):
            print(done.stdout, done.stderr, sep="\n")
            raise SystemExit(f"monitor drift failed with exit code {done.returncode}")
        summary = json.loads((out / "drift.json").read_text())
        print(f"monitor drift: wall {wall:.1f} s (library {summary['seconds']:.1f} s), peak RSS {peak:.0f} MiB, "
              f"exit code {done.returncode}")  # fmt: skip
        print(f"fields monitored: {len(summary['monitored_columns'])} (carrying {summary['importance_covered']:.0%} of "
              f"the model's gain); sample {summary['sample_rows']:,} rows per side")  # fmt: skip
        for c in summary["comparisons"]:
            share = "—" if c["drift_share"] is None else f"{c['drift_share']:.0%}"
            size = (out / c["report"]).stat().st_size / 1e6 if c["report"] else 0.0
            print(
                f"  {c['name']}: {c['status']}, drifted {c['drifted_columns']} ({share}); reference "
                f"{c['reference_rows']:,} of {c['reference_total']:,}, current {c['current_rows']:,} of "
                f"{c['current_total']:,}; HTML report {size:.1f} MB"
            )


if __name__ == "__main__":
    main()
