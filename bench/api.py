"""Latency and throughput of a running API: GET /clients/{id}/score at several concurrency levels.

    uv run python bench/api.py --url http://127.0.0.1:8000 --username conseiller --password conseiller-demo

Prints p50 / p99 latency (ms) and requests per second for each concurrency (default 1 and 32). Every request is a real
scored and logged decision, so this measures the model, the store and the decision-log commit together.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx


async def _worker(client: httpx.AsyncClient, ids: list[int], queue: asyncio.Queue[int], out: list[float]) -> None:
    while True:
        try:
            index = queue.get_nowait()
        except asyncio.QueueEmpty:
            return
        started = time.perf_counter()
        response = await client.get(f"/api/v1/clients/{ids[index % len(ids)]}/score")
        response.raise_for_status()
        out.append(time.perf_counter() - started)


async def _run(url: str, headers: dict[str, str], ids: list[int], requests: int, concurrency: int) -> None:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=60) as client:
        for warm in ids[:concurrency]:  # connections and caches warm before timing
            (await client.get(f"/api/v1/clients/{warm}/score")).raise_for_status()
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(requests):
            queue.put_nowait(i)
        latencies: list[float] = []
        started = time.perf_counter()
        await asyncio.gather(*(_worker(client, ids, queue, latencies) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    print(
        f"concurrency {concurrency:>3}: {len(ordered)} requests, p50 {statistics.median(ordered) * 1000:.1f} ms, "
        f"p99 {p99 * 1000:.1f} ms, {len(ordered) / elapsed:.1f} req/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--username", default="conseiller")
    parser.add_argument("--password", default="conseiller-demo")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", default="1,32", help="comma-separated levels")
    args = parser.parse_args()
    token = httpx.post(
        f"{args.url}/api/v1/auth/token", data={"username": args.username, "password": args.password}, timeout=30
    )
    token.raise_for_status()
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    clients = httpx.get(f"{args.url}/api/v1/clients", params={"limit": 100}, headers=headers, timeout=60)
    clients.raise_for_status()
    ids = [c["sk_id"] for c in clients.json()]
    if not ids:
        raise SystemExit("the API knows no clients: build the feature store first")
    for level in (int(x) for x in args.concurrency.split(",")):
        asyncio.run(_run(args.url, headers, ids, args.requests, level))


if __name__ == "__main__":
    main()
