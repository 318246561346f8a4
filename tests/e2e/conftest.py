"""Browser tests: the real API (uvicorn subprocess) and the real dashboard (``streamlit run`` subprocess) on free
ports, driven by Debian's Chromium through Playwright.

The API is the real one, serving the model trained once per test session (``trained_bundle``) on the session's
synthetic feature store (``tests/e2e/real_api.py``); ``tests/e2e/fake_api.py`` serves the fake service for the
dashboard benchmark's harness.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from credit_scoring.dashboard.launch import dashboard_command
from tests.conftest import require
from tests.e2e.browser import CHROMIUM, launch

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", Path(__file__).with_name("artifacts")))
STARTUP_SECONDS = 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serving(argv: list[str], ready_url: str, *, cwd: Path, env: dict[str, str], log: Path) -> Iterator[None]:
    """Start a server process, wait until ``ready_url`` answers 200, stop it (and only it) at the end."""
    with log.open("wb") as out:
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while True:
                if process.poll() is not None:
                    pytest.fail(f"{argv[2:4]} exited with {process.returncode}: {log.read_text()[-2000:]}")
                try:
                    if httpx.get(ready_url, timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"{ready_url} not ready after {STARTUP_SECONDS} s: {log.read_text()[-2000:]}")
                time.sleep(0.3)
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    print(f"\nbrowser test screenshots and axe reports: {ARTIFACTS}")  # noqa: T201
    return ARTIFACTS


@pytest.fixture(scope="session")
def chromium() -> Path:
    require(
        CHROMIUM.exists(),
        f"{CHROMIUM} is missing: install Debian's Chromium with `apt-get install chromium` "
        "(Playwright's own download is not used)",
    )
    return CHROMIUM


@pytest.fixture(scope="session")
def api_url(
    chromium: Path, tmp_path_factory: pytest.TempPathFactory, trained_bundle: Path, feature_store: Path
) -> Iterator[str]:
    """The real API on the session's trained model and feature store."""
    port = free_port()
    folder = tmp_path_factory.mktemp("e2e_api")
    API_LAUNCHER = [
        sys.executable, "-m", "tests.e2e.real_api", "--database-url", f"sqlite:///{folder}/decisions.db",
        "--bundle", str(trained_bundle), "--store", str(feature_store),
    ]  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    with serving(
        [*API_LAUNCHER, "--port", str(port)],
        f"{url}/api/v1/ready",
        cwd=ROOT,
        env=dict(os.environ),
        log=folder / "api.log",
    ):
        yield url


@pytest.fixture(scope="session")
def dashboard_url(api_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    command = dashboard_command("127.0.0.1", port, api_url)
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("e2e_dashboard") / "dashboard.log"
    with serving(command.argv, f"{url}/_stcore/health", cwd=command.cwd, env=command.env, log=log):
        yield url


@pytest.fixture(scope="session")
def browser(chromium: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 2400}, locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()
