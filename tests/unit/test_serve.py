"""``credit-scoring serve --workers 2``: one SO_REUSEPORT socket per worker, both answering, all stopped by SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _listeners(port: int) -> set[int]:
    """Pids whose open file descriptors include a socket listening on ``port`` (from /proc, no extra tool)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].split(":")[1], 16) == port and fields[3] == "0A":  # 0A: LISTEN
                inodes.add(fields[9])
    pids = set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                target = str(fd.readlink())
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    pids.add(int(proc.name))
        except OSError:
            continue
    return pids


@pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"), reason="SO_REUSEPORT is Linux/BSD only")
def test_two_workers_each_listen_and_stop_on_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "CREDIT_SCORING_DATABASE_URL": f"sqlite:///{tmp_path / 'decisions.db'}",
        "CREDIT_SCORING_MODEL": str(tmp_path / "no-model"),  # the API starts without a model: /health still answers
        "CREDIT_SCORING_FEATURE_STORE_DIR": str(tmp_path / "no-store"),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "credit_scoring", "serve", "--workers", "2", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 90
        workers: list[int] = []
        while time.monotonic() < deadline:  # children: the two workers (and multiprocessing's resource tracker)
            workers = sorted(_listeners(port) & set(_children(server.pid)))
            if len(workers) == 2:
                break
            time.sleep(0.5)
        assert len(workers) == 2, "each of the two workers should hold its own listening socket"
        assert server.pid not in _listeners(port)  # the supervisor itself accepts nothing
        for _ in range(10):  # new connections each time: the kernel spreads them over the two sockets
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
                assert client.get("/api/v1/health").status_code == 200
        server.send_signal(signal.SIGTERM)
        assert server.wait(60) == 0
        for pid in workers:
            assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        assert server.stderr is not None
        server.stderr.close()
