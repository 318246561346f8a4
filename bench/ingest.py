"""Time ``ingest`` on a folder of Kaggle-shaped CSVs and print wall time, peak memory, input size and rows per table.

Usage: ``uv run python bench/ingest.py [SOURCE] [--out DIR] [--baseline]``. SOURCE defaults to
/work/bench-data/synth-full-csv (the synthetic full-scale data written as CSV). ``--baseline`` also times a plain
DuckDB CSV-to-Parquet copy of the same files (auto-detected types, no checks), run after ingest in the same process,
for comparison. Peak memory is the process's maximum resident set size: DuckDB runs in-process, so it is included.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from credit_scoring.data.ingest import ingest
from credit_scoring.data.schema import TABLE_NAMES

DEFAULT_SOURCE = Path("/work/bench-data/synth-full-csv")


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _baseline(source: Path, out: Path) -> float:
    import duckdb

    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"threads": 2, "memory_limit": "3GB", "temp_directory": str(out / "tmp")})
    t0 = time.perf_counter()
    for table in TABLE_NAMES:
        path = next(p for p in (source / f"{table}.csv", source / f"{table}.csv.gz") if p.exists())
        con.execute(f"COPY (SELECT * FROM read_csv('{path}')) TO '{out / table}.parquet' (FORMAT parquet)")
    con.close()
    return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, nargs="?", default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: a temporary folder)")
    parser.add_argument("--baseline", action="store_true", help="also time a plain DuckDB COPY of the same CSVs")
    args = parser.parse_args()
    source: Path = args.source
    if not source.is_dir():
        print(
            f"{source} does not exist. Create it with:\n"
            f"  credit-scoring data synth --clients 307511 --format csv --out {source}",
            file=sys.stderr,
        )
        return 2
    size = sum(p.stat().st_size for p in source.iterdir() if p.is_file() and ".csv" in p.name)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.out) as tmp:
        out = Path(tmp) / "tables"
        t0 = time.perf_counter()
        report = ingest(source, out)
        wall = time.perf_counter() - t0
        peak = _peak_mib()
        parquet = sum(p.stat().st_size for p in out.glob("*.parquet"))
        print(f"source            {source} ({size / 1e9:.2f} GB of CSV)")
        for table, rows in report.rows.items():
            print(f"  {table:<24}{rows:>14,} rows")
        print(f"  {'total':<24}{sum(report.rows.values()):>14,} rows")
        print(f"ingest wall time  {wall:.1f} s")
        print(f"peak memory       {peak:,.0f} MiB (max RSS of this process, DuckDB included)")
        print(f"parquet written   {parquet / 1e9:.2f} GB")
        print(
            f"unknown levels    {len(report.unknown_levels)}; orphan FK rows {sum(o.count for o in report.orphans):,}"
        )
        if args.baseline:
            base = _baseline(source, Path(tmp) / "baseline")
            print(f"baseline COPY     {base:.1f} s (plain DuckDB read_csv -> Parquet, auto-detected types, no checks)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
