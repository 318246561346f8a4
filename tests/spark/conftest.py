"""One local Spark session for the whole test session (starting the JVM takes seconds), kept small for 2 cores."""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import require


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    require(
        importlib.util.find_spec("pyspark") is not None,
        "pyspark is not installed: `uv sync --extra spark` (or `pip install 'credit-scoring[spark]'`)",
    )
    require(
        bool(os.environ.get("JAVA_HOME")) or shutil.which("java") is not None,
        "Spark needs Java 17 or later (Debian: apt-get install openjdk-17-jre-headless)",
    )
    from credit_scoring.spark.score import spark_session

    session = spark_session(
        master="local[2]",
        conf={
            "spark.sql.shuffle.partitions": "2",
            "spark.default.parallelism": "2",
            "spark.ui.enabled": "false",
            "spark.driver.memory": "1g",
            # several Arrow batches per partition, so the per-worker Scorer cache is exercised
            "spark.sql.execution.arrow.maxRecordsPerBatch": "1000",
        },
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
