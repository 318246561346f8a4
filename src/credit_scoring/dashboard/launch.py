"""Start the dashboard: ``streamlit run`` on ``app.py`` in a subprocess, with the API URL and the accessible theme.

A subprocess rather than Streamlit's internal bootstrap API: ``streamlit run`` is the supported interface, and the
dashboard then runs exactly as it does under Docker or ``make``.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["APP_PATH", "DashboardCommand", "dashboard_command", "run_dashboard"]

logger = logging.getLogger(__name__)

#: The entry script; its folder holds ``.streamlit/config.toml`` (theme, headless, no telemetry).
APP_PATH = Path(__file__).with_name("app.py")


@dataclass(frozen=True)
class DashboardCommand:
    """What to execute, in which folder, with which environment (for ``subprocess`` or a test harness)."""

    argv: list[str]
    cwd: Path
    env: dict[str, str]


def dashboard_command(host: str, port: int, api_url: str) -> DashboardCommand:
    """The ``streamlit run`` command for the given address and API. Streamlit reads ``.streamlit/config.toml``
    from its working directory, hence ``cwd`` is the package folder; the API URL goes through the environment as
    the ``CREDIT_SCORING_DASHBOARD_API_URL`` setting."""
    argv = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_PATH),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    env = {**os.environ, "CREDIT_SCORING_DASHBOARD_API_URL": api_url}
    return DashboardCommand(argv=argv, cwd=APP_PATH.parent, env=env)


def run_dashboard(host: str, port: int, api_url: str) -> int:
    """Run the dashboard in the foreground until it stops (Ctrl-C); returns Streamlit's exit code."""
    command = dashboard_command(host, port, api_url)
    logger.info("dashboard on http://%s:%d, talking to the API at %s", host, port, api_url)
    try:
        return subprocess.run(command.argv, cwd=command.cwd, env=command.env, check=False).returncode
    except KeyboardInterrupt:
        return 0
