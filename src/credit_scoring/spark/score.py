"""Portfolio scoring on Spark: features from the transpiled SQL, then ``PortfolioScorer`` in ``mapInPandas``.

The driver loads and verifies the bundle (``ModelBundle.load``), then ships its files to the executors as one
broadcast variable (a few MB): executors need no shared storage for the model and verify the same SHA-256 hashes
when they load it. Each executor Python worker builds its ``Scorer`` once and keeps it for every partition it scores
(``_SCORERS``); each partition arrives as pandas frames of ``spark.sql.execution.arrow.maxRecordsPerBatch`` rows.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from credit_scoring.errors import CreditScoringError
from credit_scoring.features.pipeline import KEY
from credit_scoring.portfolio import OUTPUT_COLUMNS, PortfolioInfo, PortfolioScorer
from credit_scoring.progress import ProgressHook, no_progress
from credit_scoring.scoring import Scorer

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["OUTPUT_DDL", "SparkUnavailableError", "bundle_payload", "score_portfolio_spark", "spark_session"]

logger = logging.getLogger(__name__)

#: ``portfolio.OUTPUT_SCHEMA`` in Spark's DDL.
OUTPUT_DDL = f"{KEY} long, probability double, decision string, top_reasons array<string>, model_version string"
_INSTALL = "install it with `uv sync --extra spark` (or `pip install 'credit-scoring[spark]'`)"
#: Defaults for a session this module creates (a session made by spark-submit or a notebook keeps its own).
_DEFAULTS = {
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.ui.showConsoleProgress": "false",
}


class SparkUnavailableError(CreditScoringError):
    """pyspark or Java is missing, or Spark could not start."""


def _quiet_pandas_warning() -> None:
    # pyspark 4.x warns on every pandas conversion that pandas >= 3 is "not yet fully supported"; the conversions
    # this engine uses (mapInPandas of float64/int64 columns, list-of-string output) are tested with pandas 3.
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    warnings.filterwarnings("ignore", message="The copy keyword is deprecated", module="pyspark")


def _session_class() -> type[SparkSession]:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailableError(f"the Spark engine needs pyspark: {_INSTALL}") from None
    return SparkSession


def spark_session(*, master: str | None = None, conf: Mapping[str, str] | None = None) -> SparkSession:
    """The active Spark session, or a new one (``master`` default: what spark-submit set, else ``local[*]``)."""
    SparkSession = _session_class()  # noqa: N806
    _quiet_pandas_warning()
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        raise SparkUnavailableError(
            "the Spark engine needs Java 17 or later: none on PATH and JAVA_HOME is not set "
            "(Debian/Ubuntu: apt-get install openjdk-17-jre-headless)"
        )
    local = (master or "local").startswith("local") and "PYSPARK_GATEWAY_PORT" not in os.environ  # not spark-submit
    if local and not os.environ.get("PYSPARK_PYTHON"):
        # Local workers run this interpreter (the one with credit_scoring installed), not whatever `python3` is on PATH.
        os.environ["PYSPARK_PYTHON"] = sys.executable
    builder = SparkSession.builder.appName("credit-scoring")
    if master:
        builder = builder.master(master)
    for key, value in {**_DEFAULTS, **(conf or {})}.items():
        builder = builder.config(key, value)
    try:
        return builder.getOrCreate()
    except Exception as exc:  # pyspark raises PySparkRuntimeError (JAVA_GATEWAY_EXITED) and others
        raise SparkUnavailableError(f"Spark could not start (Java 17 or later is needed): {exc}") from None


def bundle_payload(scorer: Scorer) -> dict[str, bytes]:
    """Every file ``ModelBundle.load`` reads and verifies (metadata.json and the files it hashes), as bytes."""
    folder = scorer.bundle.path
    if folder is None:
        raise CreditScoringError("the Spark engine scores a saved bundle; this one has no folder")
    names = ["metadata.json", *scorer.bundle.metadata.get("files", {})]
    return {name: (folder / name).read_bytes() for name in names}


#: Per Python worker: bundle key -> PortfolioScorer, so a worker loads the model once for all its partitions.
_SCORERS: dict[str, PortfolioScorer] = {}


def _task_cpus() -> int:
    """Cores Spark gives each task (``spark.task.cpus``, 1 by default): LightGBM must not use more."""
    try:
        from pyspark import TaskContext

        context = TaskContext.get()
        value = context.cpus() if context is not None else 1
    except Exception:  # pragma: no cover - older pyspark or outside a task
        value = 1
    return max(1, int(value))


def _executor_scorer(key: str, payload: Mapping[str, bytes], top: int) -> PortfolioScorer:
    cached = _SCORERS.get(key)
    if cached is None:
        folder = Path(tempfile.mkdtemp(prefix="credit-scoring-bundle-"))
        try:
            for name, data in payload.items():
                path = folder / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            # verifies the hashes again
            cached = PortfolioScorer(Scorer.from_path(folder), top=top, threads=_task_cpus())
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        _SCORERS[key] = cached
    return cached


def _partition_function(
    key: str, get_payload: Callable[[], Mapping[str, bytes]], top: int
) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    """The function ``mapInPandas`` runs on each partition (pickled with its arguments by cloudpickle)."""

    def score_partition(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        portfolio = _executor_scorer(key, get_payload(), top)
        for frame in frames:
            yield portfolio.score(frame)[list(OUTPUT_COLUMNS)]

    return score_partition


def _payload_getter(spark: SparkSession, payload: dict[str, bytes]) -> Callable[[], Mapping[str, bytes]]:
    """A broadcast variable where the session has a SparkContext; Spark Connect has none: the bytes then travel
    inside the pickled function (a few MB, once per task)."""
    try:
        broadcast = spark.sparkContext.broadcast(payload)
    except Exception:  # Spark Connect: no SparkContext
        return lambda: payload

    def get() -> Mapping[str, bytes]:
        value: Mapping[str, bytes] = broadcast.value
        return value

    return get


def score_portfolio_spark(
    tables_dir: Path | str,
    scorer: Scorer,
    out: Path | str,
    *,
    top: int = 3,
    overwrite: bool = False,
    master: str | None = None,
    conf: Mapping[str, str] | None = None,
    progress: ProgressHook = no_progress,
) -> PortfolioInfo:
    """Build the features of ``tables_dir`` on Spark, score them with ``scorer``'s bundle, write Parquet to ``out``.

    Uses the active session when there is one (spark-submit, a notebook, tests), otherwise creates one and stops it
    at the end.
    """
    from credit_scoring.spark.features import build_features_spark

    started = time.perf_counter()
    created = _session_class().getActiveSession() is None
    spark = spark_session(master=master, conf=conf)
    stages: dict[str, float] = {}
    try:
        PortfolioScorer(scorer, top=top)  # the driver refuses a model the feature definitions cannot feed
        payload = bundle_payload(scorer)
        digest = hashlib.sha256(b"".join(payload[n] for n in sorted(payload))).hexdigest()
        key = f"{digest}:{top}"
        progress("Spark: features and scoring", 0, 2)
        features = build_features_spark(spark, tables_dir, term_model=scorer.term_model).select(KEY, *scorer.features)
        scored = features.mapInPandas(_partition_function(key, _payload_getter(spark, payload), top), OUTPUT_DDL)
        t0 = time.perf_counter()
        scored.write.mode("overwrite" if overwrite else "errorifexists").parquet(str(out))
        stages["features and scoring"] = time.perf_counter() - t0
        progress("Spark: features and scoring", 1, 2)
        counts = {
            row["decision"]: int(row["count"])
            for row in spark.read.parquet(str(out)).groupBy("decision").count().collect()
        }
        progress("Spark: features and scoring", 2, 2)
    finally:
        if created:
            spark.stop()
    n = sum(counts.values())
    info = PortfolioInfo(
        "spark", str(out), n, counts.get("refused", 0), scorer.bundle.version, time.perf_counter() - started, stages
    )
    logger.info("%s", info.summary())
    return info
