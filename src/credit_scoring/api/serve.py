"""``serve()``: run the API under uvicorn with JSON logs (the function behind ``credit-scoring serve``).

With several workers, each worker process listens on its own socket bound with ``SO_REUSEPORT`` (Linux, BSD), so the
kernel spreads new connections evenly over the workers. uvicorn's own supervisor shares one listening socket, and a
worker's event loop then accepts every connection pending at that moment: a burst of keep-alive connections (a load
balancer, a benchmark's 32 clients) lands mostly on one worker while the other idles. Where ``SO_REUSEPORT`` is
missing, uvicorn's supervisor is used as before.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import tempfile
import time
from types import FrameType

import uvicorn

from credit_scoring.api.observability import logging_config
from credit_scoring.config import Settings, get_settings
from credit_scoring.storage.db import upgrade_database

__all__ = ["serve"]

logger = logging.getLogger(__name__)

_APP = "credit_scoring.api.app:create_app"


def _config(host: str, port: int, log_level: str) -> uvicorn.Config:
    return uvicorn.Config(
        _APP,
        factory=True,
        host=host,
        port=port,
        log_config=logging_config(log_level),
        access_log=False,  # RequestContextMiddleware writes one JSON line per request, with its id
        proxy_headers=True,
    )


def _reuseport_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _worker(host: str, port: int, log_level: str) -> None:  # pragma: no cover - runs in a child process
    """One worker: its own SO_REUSEPORT socket, one uvicorn server (SIGTERM / SIGINT: graceful shutdown)."""
    sock = _reuseport_socket(host, port)
    uvicorn.Server(_config(host, port, log_level)).run(sockets=[sock])


def _supervise(host: str, port: int, workers: int, log_level: str) -> None:
    """Start ``workers`` processes, restart any that dies, stop them all on SIGINT / SIGTERM."""
    context = multiprocessing.get_context("spawn")
    probe = _reuseport_socket(host, port)  # fails here, once, with a clear error when the port is taken
    probe.close()
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}

    def start() -> multiprocessing.process.BaseProcess:
        process = context.Process(target=_worker, args=(host, port, log_level), name="credit-scoring-api")
        process.start()
        return process

    processes = [start() for _ in range(workers)]
    logger.info("API on http://%s:%d with %d workers (SO_REUSEPORT)", host, port, workers)
    try:
        while not stopping:
            time.sleep(0.5)
            for i, process in enumerate(processes):
                if not process.is_alive() and not stopping:
                    logger.warning("API worker %s exited with code %s: starting another", process.pid, process.exitcode)
                    processes[i] = start()
    finally:
        for process in processes:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)
        for process in processes:
            process.join(30)
            if process.is_alive():
                process.kill()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        logger.info("API stopped")


def serve(
    host: str | None = None, port: int | None = None, workers: int | None = None, *, settings: Settings | None = None
) -> None:
    """Migrate the decision log once, then start ``workers`` uvicorn processes on the app factory.

    Each worker loads the model in its own lifespan. With several workers, Prometheus needs a shared folder for its
    per-process files: ``PROMETHEUS_MULTIPROC_DIR`` is created when unset, and /metrics then sums all workers.
    """
    settings = settings or get_settings()
    host = host or settings.api_host
    port = port or settings.api_port
    workers = workers or settings.api_workers
    upgrade_database(settings.database_url)  # before forking, so workers never race to create the schema
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="credit-scoring-metrics-")
    if workers > 1 and hasattr(socket, "SO_REUSEPORT"):
        _supervise(host, port, workers, settings.log_level)
        return
    uvicorn.run(
        _APP,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=logging_config(settings.log_level),
        access_log=False,
        proxy_headers=True,
    )
