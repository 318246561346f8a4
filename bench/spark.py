"""Benchmark of the Spark engine in local mode against the DuckDB engine; prints wall time per stage and peak memory.

    .uv/bin/uv run --frozen --no-sync python bench/spark.py [TABLES_DIR] [--model BUNDLE] [--master local[2]]
        [--driver-memory 8g] [--top 3] [--engines spark,duckdb]

TABLES_DIR defaults to /work/bench-data/synth-full (307,511 + 48,744 synthetic clients), the bundle to the newest
folder under /work/bench-data/models-full2. Each engine runs in a child process; this process samples the memory of
the child's whole process tree (driver Python, the Spark JVM, the Python workers Spark starts) from /proc every
0.2 s and reports the peak of the sum, with the driver's and the JVM's own peaks.

Spark stages: session start (JVM), the feature build alone (all 850 columns written as Parquet), then
`credit-scoring score --engine spark` (features again, only the model's columns, and scoring with reasons in
mapInPandas). DuckDB: `credit-scoring score` (feature build, then scoring with the same PortfolioScorer).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

_CHILD = r"""
import json, sys, time, tempfile
from pathlib import Path
args = json.loads(sys.argv[1])
tables, model, work = Path(args["tables"]), Path(args["model"]), Path(args["work"])
stages = {}
if args["engine"] == "spark":
    from credit_scoring.scoring import Scorer
    from credit_scoring.spark.features import build_features_spark
    from credit_scoring.spark.score import score_portfolio_spark, spark_session
    t0 = time.perf_counter()
    spark = spark_session(master=args["master"], conf={
        "spark.driver.memory": args["driver_memory"], "spark.sql.shuffle.partitions": args["partitions"],
        "spark.ui.enabled": "false", "spark.local.dir": str(work / "spark-tmp")})
    spark.sparkContext.setLogLevel("ERROR")
    stages["session start"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    build_features_spark(spark, tables).write.mode("overwrite").parquet(str(work / "spark-features"))
    stages["features (850 columns, written)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    info = score_portfolio_spark(tables, Scorer.from_path(model), work / "spark-scores", top=args["top"])
    stages["score: features + scoring"] = time.perf_counter() - t0
    spark.stop()
else:
    from credit_scoring.portfolio import score_portfolio
    info = score_portfolio(tables, model, work / "duckdb-scores", top=args["top"])
    stages.update({f"score: {k}": v for k, v in info.stage_seconds.items()})
print("RESULT " + json.dumps({"stages": stages, "clients": info.n_clients, "refused": info.n_refused}))
"""


def _tree(root: int) -> dict[int, tuple[str, int]]:
    """pid -> (command name, RSS bytes) of ``root`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    info: dict[int, tuple[str, int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            status = (entry / "status").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        rss = next((int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS:")), 0)
        children.setdefault(ppid, []).append(int(entry.name))
        info[int(entry.name)] = (name, rss)
    out: dict[int, tuple[str, int]] = {}
    stack = [root]
    while stack:
        pid = stack.pop()
        if pid in info:
            out[pid] = info[pid]
        stack.extend(children.get(pid, []))
    return out


def _run_child(payload: dict[str, object]) -> tuple[dict[str, object], dict[str, float]]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, json.dumps(payload)], stdout=subprocess.PIPE, text=True, env=env
    )
    peaks = {"tree": 0.0, "driver": 0.0, "jvm": 0.0}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            tree = _tree(proc.pid)
            peaks["tree"] = max(peaks["tree"], sum(rss for _, rss in tree.values()))
            if proc.pid in tree:
                peaks["driver"] = max(peaks["driver"], tree[proc.pid][1])
            peaks["jvm"] = max([peaks["jvm"], *(rss for name, rss in tree.values() if name == "java")])
            done.wait(0.2)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    stdout, _ = proc.communicate()
    done.set()
    thread.join()
    if proc.returncode != 0:
        raise SystemExit(f"{payload['engine']} run failed (exit {proc.returncode})")
    line = next(line for line in stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :]), peaks


def _gib(n: float) -> str:
    return f"{n / 1024**3:.2f} GiB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("tables", nargs="?", default="/work/bench-data/synth-full")
    parser.add_argument("--model", default=None, help="bundle (default: newest of models-full2)")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--driver-memory", default="8g")
    parser.add_argument("--partitions", default="8", help="spark.sql.shuffle.partitions")
    parser.add_argument("--top", type=int, default=3)
    parser.add_argument("--engines", default="spark,duckdb")
    parser.add_argument("--work", default=None, help="scratch folder (default: a temporary folder, removed)")
    args = parser.parse_args()
    model = args.model or str(sorted(Path("/work/bench-data/models-full2").iterdir())[-1])
    tables = Path(args.tables)
    gen = tables / "generator.json"
    size = json.loads(gen.read_text())["sizes"] if gen.is_file() else {}
    print(f"tables {tables} ({size.get('application_train', '?')} + {size.get('application_test', '?')} clients)")
    print(f"model {model}; Spark master {args.master}, driver memory {args.driver_memory}; load {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="bench-spark-", dir=args.work) as work:
        for engine in args.engines.split(","):
            payload = {
                "engine": engine,
                "tables": str(tables),
                "model": model,
                "work": work,
                "master": args.master,
                "driver_memory": args.driver_memory,
                "partitions": args.partitions,
                "top": args.top,
            }
            t0 = time.perf_counter()
            result, peaks = _run_child(payload)
            wall = time.perf_counter() - t0
            print(f"\n{engine}: {result['clients']:,} clients, {result['refused']:,} refused; wall {wall:.1f} s")
            for stage, seconds in dict(result["stages"]).items():  # type: ignore[call-overload]
                print(f"  {stage:<36} {seconds:8.1f} s")
            jvm = f", JVM {_gib(peaks['jvm'])}" if engine == "spark" else ""
            print(f"  peak RSS: process tree {_gib(peaks['tree'])} (driver Python {_gib(peaks['driver'])}{jvm})")
            print(f"  load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
