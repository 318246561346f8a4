"""`credit-scoring up` (``run_stack``): both services start, their addresses are announced, and Ctrl-C or SIGTERM stops
both. The two services are replaced by small fake processes; everything else (signals, waiting for readiness,
stopping) is the real launcher, run in its own process so that it can be sent real signals."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from credit_scoring.config import Settings
from credit_scoring.errors import CreditScoringError

# Answers 200 on /api/v1/ready like the real API once its model is loaded; Ctrl-C (SIGINT) stops it, as uvicorn.
_FAKE_API = """
import http.server, sys
from pathlib import Path
port, piddir = int(sys.argv[1]), Path(sys.argv[2])
class Ready(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/api/v1/ready" else 404)
        self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", port), Ready)
(piddir / "api.pid").write_text(str(__import__("os").getpid()))
try:
    server.serve_forever()
except KeyboardInterrupt:
    pass
"""

# Ignores SIGINT on purpose: only the launcher's own stop (SIGTERM) can end it, which is what the tests check.
_FAKE_DASHBOARD = """
import os, signal, sys, time
from pathlib import Path
signal.signal(signal.SIGINT, signal.SIG_IGN)
(Path(sys.argv[2]) / "dashboard.pid").write_text(str(os.getpid()))
while True:
    time.sleep(0.1)
"""

# run_stack with the two commands swapped for the fakes; argv: fake api, fake dashboard, api port, dashboard port, dir.
_DRIVER = """
import subprocess, sys
from credit_scoring import launcher
from credit_scoring.config import Settings
fake_api, fake_dashboard, api_port, dashboard_port, piddir = sys.argv[1:]
real_popen = subprocess.Popen
def popen(argv, **kwargs):
    script = fake_api if argv[-1] == "serve" else fake_dashboard
    return real_popen([sys.executable, script, api_port, piddir], **kwargs)
launcher.subprocess.Popen = popen
settings = Settings(_env_file=None, api_port=int(api_port), dashboard_port=int(dashboard_port))
sys.exit(launcher.run_stack(settings, announce=lambda line: print(line, flush=True), ready_timeout=60))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


class _Stack:
    """The driver process, its announced lines, and the pids of the two fake services."""

    def __init__(self, tmp_path: Path) -> None:
        for name, code in (("api.py", _FAKE_API), ("dashboard.py", _FAKE_DASHBOARD), ("driver.py", _DRIVER)):
            (tmp_path / name).write_text(code)
        self.api_port, self.dashboard_port = _free_port(), _free_port()
        self.dir = tmp_path
        self.proc = subprocess.Popen(
            [sys.executable, str(tmp_path / "driver.py"), str(tmp_path / "api.py"), str(tmp_path / "dashboard.py"),
             str(self.api_port), str(self.dashboard_port), str(tmp_path)],
            stdout=subprocess.PIPE, text=True, start_new_session=True,  # its own process group, as a terminal gives
        )  # fmt: skip
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_started(self, timeout: float = 60.0) -> list[str]:
        announced: list[str] = []
        deadline = time.monotonic() + timeout
        while not any(line.startswith("Dashboard:") for line in announced):
            assert self.proc.poll() is None, f"the launcher stopped: {announced}"
            try:
                announced.append(self.lines.get(timeout=max(0.1, deadline - time.monotonic())))
            except queue.Empty:
                pytest.fail(f"no dashboard address announced within {timeout:.0f}s: {announced}")
        while not all((self.dir / f"{name}.pid").is_file() for name in ("api", "dashboard")):
            assert time.monotonic() < deadline, "the fake services did not start"
            time.sleep(0.05)
        return announced

    def pid(self, name: str) -> int:
        return int((self.dir / f"{name}.pid").read_text())

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


@pytest.fixture
def stack(tmp_path: Path) -> object:
    s = _Stack(tmp_path)
    yield s
    s.close()


def test_announces_both_addresses_and_ctrl_c_stops_both_services(stack: _Stack) -> None:
    announced = stack.wait_started()
    assert f"API:       http://127.0.0.1:{stack.api_port}/docs" in announced
    assert f"Dashboard: http://127.0.0.1:{stack.dashboard_port}" in announced
    api, dashboard = stack.pid("api"), stack.pid("dashboard")

    os.killpg(stack.proc.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the whole foreground process group

    assert stack.proc.wait(timeout=30) == 0
    assert _gone(api), "the API is still running"
    assert _gone(dashboard), "the dashboard is still running (it ignores SIGINT: the launcher must stop it)"


def test_sigterm_to_the_launcher_alone_stops_both_services(stack: _Stack) -> None:
    stack.wait_started()
    api, dashboard = stack.pid("api"), stack.pid("dashboard")

    stack.proc.send_signal(signal.SIGTERM)  # as `kill`, systemd or a container runtime would

    assert stack.proc.wait(timeout=30) == 0
    assert _gone(api) and _gone(dashboard)


def test_an_api_that_dies_during_start_up_is_reported_and_nothing_is_left_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from credit_scoring import launcher

    started: list[subprocess.Popen[bytes]] = []
    real_popen = subprocess.Popen

    def popen(argv: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
        proc = real_popen([sys.executable, "-c", "raise SystemExit(3)"])
        started.append(proc)
        return proc

    monkeypatch.setattr(launcher.subprocess, "Popen", popen)
    settings = Settings(_env_file=None, api_port=_free_port())  # type: ignore[call-arg]
    with pytest.raises(CreditScoringError, match="exit code 3"):
        launcher.run_stack(settings, announce=lambda line: None, ready_timeout=30)
    assert len(started) == 1  # the dashboard is never started without a ready API
    assert started[0].poll() == 3
