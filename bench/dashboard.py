"""Dashboard speed: time from typing a new client id (Enter) to the score and reasons visible in the browser.

Goal: p95 <= 1 s per switch. Starts what it needs unless given URLs:

    uv run python -m bench.dashboard                       # fake API + dashboard on free ports (harness check)
    uv run python -m bench.dashboard --api-url http://127.0.0.1:8000 --username conseiller --password ...
    uv run python -m bench.dashboard --dashboard-url http://127.0.0.1:8501 --ids 100002,100003,...

Needs Debian's Chromium (`apt-get install chromium`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright
from tests.e2e.browser import launch, login, show_client, wait_client_shown, wait_idle
from tests.e2e.conftest import free_port, serving

from credit_scoring.dashboard.launch import dashboard_command

GOAL_SECONDS = 1.0


def _ids(api_url: str, username: str, password: str, n: int) -> list[int]:
    """Client ids from the search endpoint, so the bench works on any store."""
    with httpx.Client(base_url=api_url + "/api/v1", timeout=60) as http:
        token = http.post("/auth/token", data={"username": username, "password": password}).json()["access_token"]
        found = http.get("/clients", params={"limit": min(n, 100)}, headers={"Authorization": f"Bearer {token}"})
        found.raise_for_status()
        return [c["sk_id"] for c in found.json()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api-url", help="a running API (default: start the fake-service API)")
    parser.add_argument("--dashboard-url", help="a running dashboard (default: start one on --api-url)")
    parser.add_argument("--username", default="conseiller")
    parser.add_argument("--password", default="conseiller-demo")
    parser.add_argument("--switches", type=int, default=20)
    parser.add_argument("--ids", help="comma-separated client ids (default: from GET /clients)")
    args = parser.parse_args()
    root = Path(__file__).resolve().parents[1]
    with ExitStack() as stack:
        api_url = args.api_url
        if api_url is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            port = free_port()
            api_url = f"http://127.0.0.1:{port}"
            argv = [sys.executable, "-m", "tests.e2e.fake_api", "--port", str(port)]
            argv += ["--database-url", f"sqlite:///{folder}/decisions.db"]
            stack.enter_context(
                serving(argv, f"{api_url}/api/v1/ready", cwd=root, env=dict(os.environ), log=folder / "api.log")
            )
        dashboard_url = args.dashboard_url
        if dashboard_url is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            port = free_port()
            dashboard_url = f"http://127.0.0.1:{port}"
            command = dashboard_command("127.0.0.1", port, api_url)
            stack.enter_context(
                serving(
                    command.argv,
                    f"{dashboard_url}/_stcore/health",
                    cwd=command.cwd,
                    env=command.env,
                    log=folder / "dashboard.log",
                )
            )
        ids = [int(i) for i in args.ids.split(",")] if args.ids else _ids(api_url, args.username, args.password, 40)
        ids = (ids * (args.switches // max(len(ids), 1) + 2))[: args.switches + 1]
        with sync_playwright() as playwright:
            browser = launch(playwright)
            page = browser.new_page(viewport={"width": 1280, "height": 1600})
            login(page, dashboard_url, args.username, args.password)
            show_client(page, ids[0])  # warm-up: loads Plotly and the page's components once
            wait_client_shown(page, ids[0])
            wait_idle(page)
            timings = []
            for sk_id in ids[1:]:
                start = time.perf_counter()
                show_client(page, sk_id)
                wait_client_shown(page, sk_id)
                wait_idle(page)  # "fully": nothing left from the previous client (no stale element)
                timings.append(time.perf_counter() - start)
            browser.close()
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    print(f"client switches: {len(timings)}  p50 {p50:.3f} s  p95 {p95:.3f} s  max {timings[-1]:.3f} s")
    print(f"goal p95 <= {GOAL_SECONDS:.1f} s: {'met' if p95 <= GOAL_SECONDS else 'NOT met'}")
    return 0 if p95 <= GOAL_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
