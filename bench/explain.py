"""Load time, memory and per-call latency of the real scoring service on a (full-scale) store and bundle.

    uv run python bench/explain.py BUNDLE_DIR [--store /work/bench-data/store-featbench] [--n 500] [--no-cache]

Prints the load time (first load builds the memory-mapped matrix cache beside the store; the second reads it), the
resident memory (total, anonymous, and file-backed: the shared, memory-mapped matrix), and p50/p99 in milliseconds of
score_client, explain_client, similar_clients, what_if, score_application and distribution over random known clients.
"""

from __future__ import annotations

import argparse
import logging
import random
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from credit_scoring.schemas import ApplicationIn
from credit_scoring.serving import ServiceOptions, open_service


def _memory() -> dict[str, float]:
    """Resident memory in MiB from /proc (RssAnon is private to this worker; RssFile includes the shared mmap)."""
    out: dict[str, float] = {}
    with Path("/proc/self/status").open(encoding="ascii") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in {"VmRSS", "RssAnon", "RssFile", "VmHWM"}:
                out[key] = int(value.split()[0]) / 1024
    return out


def _time(name: str, calls: list[Callable[[], Any]]) -> None:
    durations = []
    for call in calls:
        start = time.perf_counter()
        call()
        durations.append((time.perf_counter() - start) * 1000)
    d = np.array(durations)
    print(
        f"{name:<22} n={len(d):<4} p50 {np.percentile(d, 50):7.2f} ms   p99 {np.percentile(d, 99):7.2f} ms   "
        f"max {d.max():7.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--store", type=Path, default=Path("/work/bench-data/store-featbench"))
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--no-cache", action="store_true", help="read the store into memory instead of a mmap cache")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)

    start = time.perf_counter()
    service = open_service(args.bundle, args.store, options=ServiceOptions(cache_matrix=not args.no_cache))
    load = time.perf_counter() - start
    mem = _memory()
    print(f"clients {len(service.ids):,}  features {len(service.features)}  model {service.version}")
    print(f"load {load:.1f} s")
    print(
        f"memory after load: RSS {mem['VmRSS']:.0f} MiB (anonymous {mem.get('RssAnon', 0):.0f}, file-backed/shared "
        f"{mem.get('RssFile', 0):.0f}), peak {mem['VmHWM']:.0f} MiB, maxrss "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )

    rng = random.Random(0)
    ids = [int(i) for i in rng.sample(list(service.ids), args.n)]
    ids2 = [int(i) for i in rng.sample(list(service.ids), args.n)]  # not yet in the explanation cache
    _time("explain_client", [lambda i=i: service.explain_client(i, lang="fr") for i in ids])
    _time("explain_client cached", [lambda i=i: service.explain_client(i, lang="en") for i in ids])
    _time("score_client", [lambda i=i: service.score_client(i) for i in ids2])
    _time("score_client cached", [lambda i=i: service.score_client(i) for i in ids2])
    _time("similar_clients", [lambda i=i: service.similar_clients(i, k=10) for i in ids])
    _time("what_if", [lambda i=i: service.what_if(i, {"AMT_CREDIT": 500_000.0, "EXT_SOURCE_2": 0.6}) for i in ids])
    app = ApplicationIn.model_validate(
        {"NAME_CONTRACT_TYPE": "Cash loans", "AMT_INCOME_TOTAL": 1.5e5, "AMT_CREDIT": 5e5, "DAYS_BIRTH": -12_000}
    )
    _time("score_application", [lambda: service.score_application(app) for _ in range(min(args.n, 200))])
    features = [f.name for f in service.distribution_features()]
    _time("distribution (cold)", [lambda f=f: service.distribution(f) for f in features])
    _time("distribution (cached)", [lambda f=f: service.distribution(f) for f in features])
    start = time.perf_counter()
    n_batch = sum(1 for _ in service.score_batch(ids + ids2))
    print(f"score_batch            {n_batch / (time.perf_counter() - start):,.0f} rows/s")
    mem = _memory()
    print(f"memory at the end: RSS {mem['VmRSS']:.0f} MiB (anonymous {mem.get('RssAnon', 0):.0f})")


if __name__ == "__main__":
    main()
