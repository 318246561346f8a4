"""Benchmark the synthetic generator: wall time, peak memory and rows per table against Kaggle's counts.

    .uv/bin/uv run --frozen python bench/synth.py [--clients 307511] [--out DIR] [--format parquet|csv] [--seed 0]

Without --out the tables go to a temporary folder that is removed afterwards. Peak memory is ru_maxrss of this process
and, separately, of the largest worker process (the pool's children).
"""

from __future__ import annotations

import argparse
import logging
import resource
import sys
import tempfile
import time
from pathlib import Path

from credit_scoring.data.schema import KAGGLE_ROWS
from credit_scoring.data.synthetic import generate


def _folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.iterdir() if p.is_file())


def run(out: Path, clients: int, fmt: str, seed: int, workers: int | None) -> None:
    t0 = time.perf_counter()
    info = generate(out, n_clients=clients, seed=seed, fmt=fmt, workers=workers)  # type: ignore[arg-type]
    wall = time.perf_counter() - t0
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    scale = clients / KAGGLE_ROWS["application_train"]
    print(f"clients {clients:,} ({fmt}, seed {seed}) into {out}")
    print(f"wall time {wall:.1f} s; peak RSS main {self_mb:,.0f} MiB, largest worker {child_mb:,.0f} MiB")
    print(f"files {_folder_bytes(out) / 2**20:,.0f} MiB")
    print(f"{'table':<24}{'rows':>14}{'Kaggle x scale':>16}{'diff':>9}")
    total = 0
    for name, n in info.rows.items():
        expected = KAGGLE_ROWS[name] * scale
        total += n
        print(f"{name:<24}{n:>14,}{expected:>16,.0f}{100 * (n / expected - 1):>8.1f}%")
    print(f"{'total':<24}{total:>14,}{sum(KAGGLE_ROWS.values()) * scale:>16,.0f}")
    print(
        f"TARGET rate {info.target_rate:.4f}; ceiling AUC {info.ceiling_auc:.3f}; app-only AUC {info.app_only_auc:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=KAGGLE_ROWS["application_train"])
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: 2 when useful)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    if args.out is None:
        with tempfile.TemporaryDirectory() as tmp:
            run(Path(tmp), args.clients, args.format, args.seed, args.workers)
    else:
        run(args.out, args.clients, args.format, args.seed, args.workers)


if __name__ == "__main__":
    main()
