"""``run_dashboard``'s command, the dashboard settings, and import hygiene (no Streamlit at package import)."""

from __future__ import annotations

import subprocess
import sys

from credit_scoring.config import Settings
from credit_scoring.dashboard.launch import APP_PATH, dashboard_command


def test_command_runs_app_with_address_and_api_url() -> None:
    command = dashboard_command("0.0.0.0", 8600, "http://api:8000")
    assert command.argv[1:5] == ["-m", "streamlit", "run", str(APP_PATH)]
    assert command.argv[command.argv.index("--server.port") + 1] == "8600"
    assert command.argv[command.argv.index("--server.address") + 1] == "0.0.0.0"
    assert command.env["CREDIT_SCORING_DASHBOARD_API_URL"] == "http://api:8000"
    assert (command.cwd / ".streamlit" / "config.toml").is_file()


def test_dashboard_settings_from_environment(monkeypatch: object) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.dashboard_api_url == "http://127.0.0.1:8000"
    assert (settings.dashboard_host, settings.dashboard_port) == ("127.0.0.1", 8501)
    other = Settings(_env_file=None, dashboard_api_url="http://api:9000")  # type: ignore[call-arg]
    assert other.dashboard_api_url == "http://api:9000"


def test_package_import_is_clean() -> None:
    code = (
        "import sys, credit_scoring.dashboard, credit_scoring.dashboard.client, credit_scoring.dashboard.charts;"
        "heavy = ('streamlit', 'lightgbm', 'credit_scoring.scoring', 'credit_scoring.api');"
        "bad = [m for m in heavy if m in sys.modules];"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"  # the dashboard never imports the model, and its package import starts nothing
