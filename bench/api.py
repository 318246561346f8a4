"""Latency, throughput and memory of a running API: GET /clients/{id}/score (logged) and /explanation.

    credit-scoring models prepare && credit-scoring serve --workers 2 --port 8765     # in another shell
    uv run python bench/api.py --url http://127.0.0.1:8765 --store data/features --server-pid <pid of serve>

Each request asks for a client drawn at random from the whole store (``--store``: its features.parquet; without it,
the first pages of the client search), so neither the explanation cache nor the database sees the same client twice
in a row. The load comes from ``wrk`` (C, Debian package ``wrk``) when it is installed, so that the load generator
takes little of the same two cores; otherwise from httpx in this process (which then measures less than the API can
do). Every score request is a real scored and logged decision: this measures the model, the store and the
decision-log commit together. ``--server-pid`` adds each worker's memory: RSS, and PSS, which splits the pages that
workers share (the memory-mapped feature matrix) between them.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

_WRK_LUA = """
local ids = {}
for line in io.lines("%(ids)s") do ids[#ids + 1] = line end
math.randomseed(%(seed)d)
wrk.headers["Authorization"] = "Bearer %(token)s"
request = function()
  return wrk.format("GET", "/api/v1/clients/" .. ids[math.random(#ids)] .. "%(suffix)s")
end
"""


def _ids(args: argparse.Namespace, headers: dict[str, str]) -> list[int]:
    if args.store:
        import pyarrow.parquet as pq

        ids = pq.read_table(Path(args.store) / "features.parquet", columns=["SK_ID_CURR"]).column(0).to_pylist()
    else:
        ids = []
        for page in range(20):
            r = httpx.get(
                f"{args.url}/api/v1/clients",
                params={"limit": 100, "offset": 100 * page},
                headers=headers,
                timeout=60,
            )
            r.raise_for_status()
            ids += [c["sk_id"] for c in r.json()]
    if not ids:
        raise SystemExit("the API knows no clients: build the feature store first")
    rng = random.Random(0)
    return rng.sample(ids, min(len(ids), 50_000))


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if match is None:
        raise SystemExit(f"unexpected wrk latency {text!r}")
    value, unit = match.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}[unit]


def _wrk(url: str, token: str, ids: list[int], suffix: str, concurrency: int, seconds: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        ids_file = Path(tmp) / "ids.txt"
        ids_file.write_text("\n".join(map(str, ids)))
        script = Path(tmp) / "bench.lua"
        script.write_text(_WRK_LUA % {"ids": ids_file, "seed": concurrency, "token": token, "suffix": suffix})
        out = subprocess.run(
            ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "--latency", "-s", str(script), url],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    bad = f", {errors.group(1)} non-2xx" if errors else ""
    return f"{total} requests, p50 {p50:.1f} ms, p99 {p99:.1f} ms, {rps:.1f} req/s{bad}"


async def _httpx(url: str, token: str, ids: list[int], suffix: str, concurrency: int, seconds: int) -> str:
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    rng = random.Random(concurrency)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=60) as client:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await client.get(f"/api/v1/clients/{rng.choice(ids)}{suffix}")
                response.raise_for_status()
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return (
        f"{len(ordered)} requests, p50 {statistics.median(ordered) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
        f"{len(ordered) / elapsed:.1f} req/s (httpx load generator)"
    )


def _memory(server_pid: int) -> list[str]:
    """RSS and PSS (MB) of the server's worker processes (children of ``server_pid``, or itself without any)."""
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children")
    pids = [int(p) for p in children.read_text().split()] if children.exists() else []
    lines = []
    for pid in pids or [server_pid]:
        fields = {}
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            name, value = line.split(":", 1)
            fields[name] = int(value.split()[0])
        lines.append(f"pid {pid}: RSS {fields['Rss'] / 1024:.0f} MB, PSS {fields['Pss'] / 1024:.0f} MB")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--username", default="conseiller")
    parser.add_argument("--password", default="conseiller-demo")
    parser.add_argument("--store", help="feature store folder: clients are drawn from all of it")
    parser.add_argument("--seconds", type=int, default=20, help="duration of each run")
    parser.add_argument("--concurrency", default="1,32", help="comma-separated levels for the score endpoint")
    parser.add_argument("--tool", choices=["auto", "wrk", "httpx"], default="auto")
    parser.add_argument("--server-pid", type=int, help="pid of `credit-scoring serve`, to report worker memory")
    args = parser.parse_args()
    token_response = httpx.post(
        f"{args.url}/api/v1/auth/token", data={"username": args.username, "password": args.password}, timeout=30
    )
    token_response.raise_for_status()
    token = token_response.json()["access_token"]
    ids = _ids(args, {"Authorization": f"Bearer {token}"})
    use_wrk = args.tool == "wrk" or (args.tool == "auto" and shutil.which("wrk") is not None)
    print(f"load generator: {'wrk' if use_wrk else 'httpx'}; {len(ids)} distinct clients drawn at random")

    def run(suffix: str, level: int) -> str:
        if use_wrk:
            return _wrk(args.url, token, ids, suffix, level, args.seconds)
        return asyncio.run(_httpx(args.url, token, ids, suffix, level, args.seconds))

    run("/score", 4)  # warm-up: connections, first pages of the memory map
    for level in (int(x) for x in args.concurrency.split(",")):
        print(f"score        concurrency {level:>3}: {run('/score', level)}")
    print(f"explanation  concurrency   1: {run('/explanation', 1)}")
    if args.server_pid:
        for line in _memory(args.server_pid):
            print(f"worker memory {line}")


if __name__ == "__main__":
    main()
