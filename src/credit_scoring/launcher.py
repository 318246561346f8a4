"""Run the API and the dashboard together (``credit-scoring up``, what ``make demo`` ends with).

Both run as child processes; Ctrl-C (or SIGTERM) stops both cleanly, the dashboard first, and the exit code says
whether either failed. The dashboard is started only once the API answers its readiness check, so the first page a
person opens never shows a connection error.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from types import FrameType

import httpx

from credit_scoring.config import Settings
from credit_scoring.errors import CreditScoringError

__all__ = ["run_stack"]

logger = logging.getLogger(__name__)


def _wait_ready(url: str, proc: subprocess.Popen[bytes], *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise CreditScoringError(
                f"the API stopped during start-up (exit code {proc.returncode}); see its log above"
            )
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise CreditScoringError(f"the API did not become ready at {url} within {timeout:.0f}s")


def _stop(proc: subprocess.Popen[bytes], name: str) -> None:
    if proc.poll() is None:
        logger.info("stopping the %s", name)
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_stack(settings: Settings, *, announce: Callable[[str], None], ready_timeout: float = 300.0) -> int:
    """Start API and dashboard, announce their addresses, and wait until one stops or Ctrl-C."""
    from credit_scoring.dashboard.launch import dashboard_command

    api_base = f"http://{settings.api_host}:{settings.api_port}"
    api = subprocess.Popen([sys.executable, "-m", "credit_scoring", "serve"])
    dashboard: subprocess.Popen[bytes] | None = None

    def on_term(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        _wait_ready(f"{api_base}/api/v1/ready", api, timeout=ready_timeout)
        cmd = dashboard_command(settings.dashboard_host, settings.dashboard_port, api_base)
        dashboard = subprocess.Popen(cmd.argv, cwd=cmd.cwd, env=cmd.env)
        announce(f"API:       {api_base}/docs")
        announce(f"Dashboard: http://{settings.dashboard_host}:{settings.dashboard_port}")
        while api.poll() is None and dashboard.poll() is None:
            time.sleep(0.5)
        return api.returncode or (dashboard.returncode or 0)
    except KeyboardInterrupt:
        return 0
    finally:
        if dashboard is not None:
            _stop(dashboard, "dashboard")
        _stop(api, "API")
        signal.signal(signal.SIGTERM, previous)
