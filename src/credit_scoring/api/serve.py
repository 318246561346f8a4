"""``serve()``: run the API under uvicorn with JSON logs (the function behind ``credit-scoring serve``)."""

from __future__ import annotations

import logging
import os
import tempfile

import uvicorn

from credit_scoring.api.observability import logging_config
from credit_scoring.config import Settings, get_settings
from credit_scoring.storage.db import upgrade_database

__all__ = ["serve"]

logger = logging.getLogger(__name__)


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
    uvicorn.run(
        "credit_scoring.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=logging_config(settings.log_level),
        access_log=False,  # RequestContextMiddleware writes one JSON line per request, with its id
        proxy_headers=True,
    )
