"""Benchmark of the feature build and of the two online paths; prints figures.

Usage: python bench/features.py [TABLES_DIR] [--store DIR] [--calls N]

TABLES_DIR defaults to /work/bench-data/synth-full (full-scale synthetic, 307,511 + 48,744 clients). The batch build
runs in a child process so that its peak memory (ru_maxrss) is measured alone; the online paths then run in this
process on the built store: ``application_features`` / ``for_client`` (what-if of a known client) and
``new_client`` (raw rows of the eight tables), each over N calls on random clients.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from credit_scoring.data.schema import HISTORY_TABLES, TABLES

_CHILD = """
import json, resource, sys, time
from pathlib import Path
from credit_scoring.features import build_features
t0 = time.perf_counter()
info = build_features(Path(sys.argv[1]), Path(sys.argv[2]))
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall": time.perf_counter() - t0, "passes": info.pass_seconds, "clients": info.n_clients,
                  "passes_cpu": info.pass_cpu_seconds,
                  "labelled": info.n_labelled, "features": info.n_features, "cpu": ru.ru_utime + ru.ru_stime,
                  "peak_gb": ru.ru_maxrss / 1024**2}))
"""


def _pct(times: list[float]) -> str:
    a = np.array(times) * 1000
    return f"p50 {np.percentile(a, 50):7.2f} ms   p99 {np.percentile(a, 99):7.2f} ms   max {a.max():7.2f} ms"


def _client_rows(con: duckdb.DuckDBPyConnection, tables: Path, ids: list[int]) -> dict[int, dict[str, pd.DataFrame]]:
    """Raw rows of each client, read once up front so that the timing covers only the feature computation."""
    id_list = ", ".join(str(i) for i in ids)
    out: dict[int, dict[str, pd.DataFrame]] = {i: {} for i in ids}
    app_cols = ", ".join(f'"{c}"' for c in TABLES["application_test"].column_names)
    frames = {
        "application": con.sql(
            f"SELECT {app_cols} FROM read_parquet('{tables}/application_train.parquet') WHERE SK_ID_CURR IN ({id_list})"
            f" UNION ALL SELECT {app_cols} FROM read_parquet('{tables}/application_test.parquet')"
            f" WHERE SK_ID_CURR IN ({id_list})"
        ).df()
    }
    for name in HISTORY_TABLES:
        if name == "bureau_balance":
            frames[name] = con.sql(
                f"SELECT bb.*, b.SK_ID_CURR AS _CURR FROM read_parquet('{tables}/bureau_balance.parquet') bb "
                f"JOIN read_parquet('{tables}/bureau.parquet') b USING (SK_ID_BUREAU) WHERE b.SK_ID_CURR IN ({id_list})"
            ).df()
        else:
            frames[name] = con.sql(
                f"SELECT * FROM read_parquet('{tables}/{name}.parquet') WHERE SK_ID_CURR IN ({id_list})"
            ).df()
    for name, frame in frames.items():
        key = "_CURR" if name == "bureau_balance" else "SK_ID_CURR"
        for i, part in frame.groupby(key):
            out[int(i)][name] = part.drop(columns=["_CURR"], errors="ignore")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("tables", nargs="?", default="/work/bench-data/synth-full")
    parser.add_argument("--store", default=None)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args()
    tables = Path(args.tables)
    store = Path(args.store) if args.store else tables.parent / f"store-{tables.name}"

    if not args.skip_build:
        load0 = f"{os.getloadavg()[0]:.2f}"
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD, str(tables), str(store)], capture_output=True, text=True, check=True
        )
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        print(
            f"batch build on {tables}: {res['clients']:,} clients ({res['labelled']:,} labelled), "
            f"{res['features']} features"
        )
        print(f"  wall {res['wall']:.1f} s, CPU user+sys {res['cpu']:.1f} s, peak RSS {res['peak_gb']:.2f} GiB")
        print(f"  load average before/after: {load0} / {os.getloadavg()[0]:.2f} (other jobs share the 2 cores)")
        print(f"  {'step':<40} {'wall':>8} {'CPU':>8}")
        for step, sec in res["passes"].items():
            print(f"  {step:<40} {sec:6.2f} s {res['passes_cpu'][step]:6.2f} s")

    from credit_scoring.features.online import OnlineFeatures

    online = OnlineFeatures(store)
    t0 = time.perf_counter()
    keys = pd.read_parquet(store / "features.parquet", columns=["SK_ID_CURR"])["SK_ID_CURR"].tolist()
    online.for_client(keys[0])
    print(
        f"online store load (first call): {time.perf_counter() - t0:.2f} s, "
        f"RSS now {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2:.2f} GiB"
    )
    rng = random.Random(0)
    ids = rng.sample(keys, min(args.calls, len(keys)))

    apps = pd.read_parquet(store / "applications.parquet").set_index("SK_ID_CURR")
    rows = [apps.loc[i].to_dict() for i in ids]
    times = []
    for row in rows:
        row = {**row, "AMT_CREDIT": row["AMT_CREDIT"] * 1.1}
        t = time.perf_counter()
        online.application_features(row)
        times.append(time.perf_counter() - t)
    print(f"application_features (one edited application), {len(times)} calls: {_pct(times)}")

    times = []
    for i in ids:
        t = time.perf_counter()
        online.for_client(i, {"AMT_CREDIT": 500000.0})
        times.append(time.perf_counter() - t)
    print(f"for_client (what-if, history from store),     {len(times)} calls: {_pct(times)}")

    con = duckdb.connect()
    raw = _client_rows(con, tables, ids)
    online.new_client(raw[ids[0]])  # first call transpiles the SQL once
    times = []
    for i in ids:
        t = time.perf_counter()
        online.new_client(raw[i])
        times.append(time.perf_counter() - t)
    n_rows = np.mean([sum(len(f) for f in raw[i].values()) for i in ids])
    print(f"new_client (raw rows, {n_rows:.0f} rows/client avg),   {len(times)} calls: {_pct(times)}")


if __name__ == "__main__":
    main()
