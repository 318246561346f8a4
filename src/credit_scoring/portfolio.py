"""Scoring a whole portfolio from its raw tables: features computed by an engine, every row scored by ``Scorer``.

Two engines, one output. ``duckdb`` (default, one machine) runs ``build_features`` and streams the store through the
scorer; ``spark`` (``credit_scoring.spark``, for portfolios that outgrow one machine) runs the same generated
SQL, transpiled to Spark SQL, and scores each partition with the same ``PortfolioScorer`` inside ``mapInPandas``.

Output: a folder of Parquet files, one row per client of application_train and application_test, columns
``OUTPUT_COLUMNS``: SK_ID_CURR, the calibrated probability of default, the decision at the bundle's threshold, the
top reasons toward refusal (feature names, strongest first: the features the API's reasons show, grouped by quantity
with the same ``QuantityGroups``) and the model version. Row order is not guaranteed.
"""

from __future__ import annotations

import logging
import math
import shutil
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

from credit_scoring.data.schema import TABLE_NAMES, TABLES
from credit_scoring.errors import DataError
from credit_scoring.explain import contributions_matrix
from credit_scoring.features.pipeline import KEY
from credit_scoring.progress import ProgressHook, no_progress
from credit_scoring.reasons import FeatureText, QuantityGroups
from credit_scoring.scoring import Scorer

__all__ = [
    "OUTPUT_COLUMNS",
    "OUTPUT_SCHEMA",
    "Engine",
    "PortfolioInfo",
    "PortfolioScorer",
    "check_output",
    "check_tables",
    "is_remote",
    "read_output",
    "score_portfolio",
]

logger = logging.getLogger(__name__)

Engine = Literal["duckdb", "spark"]

#: The output schema, the same for every engine.
OUTPUT_SCHEMA = pa.schema(
    [
        pa.field(KEY, pa.int64(), nullable=False),
        pa.field("probability", pa.float64()),
        pa.field("decision", pa.string()),
        pa.field("top_reasons", pa.list_(pa.string())),
        pa.field("model_version", pa.string()),
    ]
)
OUTPUT_COLUMNS: tuple[str, ...] = tuple(OUTPUT_SCHEMA.names)
_BATCH = 65_536


class PortfolioScorer:
    """``Scorer`` plus the reason grouping: a frame of feature rows in, one output row per client out.

    Built once per process (Spark: once per executor Python worker, see ``credit_scoring.spark.score``). Reasons are
    the API's top reasons toward refusal without their sentences: the sentences compare a value with every known
    client, which needs the store's percentile sketch; a feature name is the stable code a batch consumer joins on.
    """

    def __init__(self, scorer: Scorer, *, top: int = 3, threads: int | None = None) -> None:
        from credit_scoring.features.manifest import manifest

        self.scorer = scorer
        self.top = top
        #: LightGBM threads per call (None: all cores). A Spark task owns spark.task.cpus cores, not the machine.
        self.threads = threads
        by_name = {e["name"]: e for e in manifest()["features"]}
        missing = [f for f in scorer.features if f not in by_name]
        if missing:
            raise DataError(
                f"the model needs {len(missing)} feature(s) this version of the feature definitions lacks "
                f"({', '.join(missing[:5])}): retrain the model on features built by this version"
            )
        self.groups = QuantityGroups([FeatureText.from_manifest(by_name[f]) for f in scorer.features])
        self.version = scorer.bundle.version

    def top_reasons(self, logit: NDArray[np.float64], values: NDArray[np.floating[Any]]) -> list[str]:
        """The features shown by the ``top`` strongest quantity groups pushing toward refusal (as the API's
        ``reasons(..., refusal_only=True)`` picks them)."""
        out: list[str] = []
        if self.top <= 0:
            return out
        for group in self.groups.groups(logit, values):
            if group.logit < 0:
                continue
            out.append(self.groups.texts[group.shown].name)
            if len(out) >= self.top:
                break
        return out

    def score(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Output rows (``OUTPUT_COLUMNS``) for feature rows holding SK_ID_CURR and the model's features."""
        if KEY not in frame.columns:
            raise DataError(f"feature rows lack the key column {KEY}")
        keys = frame[KEY].to_numpy(dtype=np.int64)
        if len(frame) == 0:
            return pd.DataFrame({c: pd.Series([], dtype=object) for c in OUTPUT_COLUMNS}).astype({KEY: np.int64})
        # Scorer.predict_proba, with the thread count: the same matrix, raw output and calibration
        matrix = np.ascontiguousarray(self.scorer._matrix(frame))
        proba = self.scorer.calibrate(self.scorer.predict_raw_matrix(matrix, num_threads=self.threads))
        decision = self.scorer.decide(proba)
        if self.top > 0:
            c = contributions_matrix(self.scorer, matrix, num_threads=self.threads)
            reasons = [self.top_reasons(c.logit[i], matrix[i]) for i in range(len(frame))]
        else:
            reasons = [[] for _ in range(len(frame))]
        return pd.DataFrame(
            {
                KEY: keys,
                "probability": proba,
                "decision": decision.astype(object),
                "top_reasons": reasons,
                "model_version": self.version,
            }
        )

    def score_arrow(self, frame: pd.DataFrame) -> pa.Table:
        return pa.Table.from_pandas(self.score(frame), schema=OUTPUT_SCHEMA, preserve_index=False)


@dataclass(frozen=True)
class PortfolioInfo:
    """What a scoring run produced, with wall time per stage (seconds)."""

    engine: str
    out: str
    n_clients: int
    n_refused: int
    model_version: str
    seconds: float
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        share = self.n_refused / self.n_clients if self.n_clients else math.nan
        stages = ", ".join(f"{k} {v:.1f}s" for k, v in self.stage_seconds.items())
        return (
            f"{self.n_clients:,} clients scored with model {self.model_version} ({self.engine}): "
            f"{self.n_refused:,} refused ({share:.1%}) in {self.seconds:.1f}s ({stages}) -> {self.out}"
        )


def check_tables(tables_dir: Path) -> None:
    """``tables_dir`` must be a folder holding the eight Parquet tables that `data ingest` / `data synth` write."""
    if not tables_dir.is_dir():
        raise DataError(
            f"{tables_dir} is not a folder of raw tables: write one with `credit-scoring data synth` or "
            "`credit-scoring data ingest`"
        )
    missing = [TABLES[t].parquet_name for t in TABLE_NAMES if not (tables_dir / TABLES[t].parquet_name).exists()]
    if missing:
        raise DataError(
            f"{tables_dir} lacks {', '.join(missing)}: run `credit-scoring data ingest` (or `data synth`) into it first"
        )


def check_output(out: Path, *, overwrite: bool) -> None:
    """Refuse to mix a new result with an old one: ``out`` must not exist unless ``overwrite``."""
    if out.exists() and not overwrite:
        raise DataError(f"{out} already exists: choose another --out, or pass --overwrite to replace it")
    if out.exists() and not out.is_dir():
        raise DataError(f"{out} is a file, not a folder: choose another --out")


def is_remote(path: Path | str) -> bool:
    """A URI that Spark reads (``s3a://``, ``abfss://``, ``gs://``, ``hdfs://``, ``dbfs:/``), not a local path."""
    text = str(path)
    return "://" in text or text.startswith("dbfs:")


def score_portfolio(
    tables_dir: Path | str,
    model_dir: Path,
    out: Path | str,
    *,
    engine: Engine = "duckdb",
    top: int = 3,
    overwrite: bool = False,
    master: str | None = None,
    spark_conf: Mapping[str, str] | None = None,
    progress: ProgressHook = no_progress,
) -> PortfolioInfo:
    """Features of every client of ``tables_dir`` computed by ``engine``, scored by the bundle in ``model_dir``,
    written as Parquet into the folder ``out``.

    ``master`` and ``spark_conf`` only apply to the Spark engine, which also reads and writes remote URIs; the bundle
    is always a local folder (on the driver: Spark ships it to the executors).
    """
    if engine not in ("duckdb", "spark"):
        raise DataError(f"unknown engine {engine!r}: duckdb or spark")
    if top < 0:
        raise DataError(f"top must be 0 or more, got {top}")
    remote = [str(p) for p in (tables_dir, out) if is_remote(p)]
    if remote and engine != "spark":
        raise DataError(f"the duckdb engine reads and writes local folders only ({remote[0]}): use --engine spark")
    if not is_remote(tables_dir):
        check_tables(Path(tables_dir))
    if not is_remote(out):
        check_output(Path(out), overwrite=overwrite)
    scorer = Scorer.from_path(Path(model_dir))  # BundleError names the folder and what is wrong
    if engine == "spark":
        from credit_scoring.spark.score import score_portfolio_spark

        return score_portfolio_spark(
            tables_dir, scorer, out, top=top, overwrite=overwrite, master=master, conf=spark_conf, progress=progress
        )
    return _score_duckdb(Path(tables_dir), scorer, Path(out), top=top, progress=progress)


def _score_duckdb(tables_dir: Path, scorer: Scorer, out: Path, *, top: int, progress: ProgressHook) -> PortfolioInfo:
    from credit_scoring.features import build_features
    from credit_scoring.features.build import FEATURES_FILE

    started = time.perf_counter()
    portfolio = PortfolioScorer(scorer, top=top)
    stages: dict[str, float] = {}
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".score-", dir=out.parent) as tmp_name:
        tmp = Path(tmp_name)
        t0 = time.perf_counter()
        build_features(tables_dir, tmp / "features", progress=progress, term_model=scorer.term_model)
        stages["features"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        source = pq.ParquetFile(tmp / "features" / FEATURES_FILE)
        total = source.metadata.num_rows
        staged = tmp / "out"
        staged.mkdir()
        n = n_refused = 0
        with pq.ParquetWriter(staged / "part-00000.parquet", OUTPUT_SCHEMA, compression="snappy") as writer:
            progress("scoring", 0, total)
            for batch in source.iter_batches(batch_size=_BATCH, columns=[KEY, *scorer.features]):
                table = portfolio.score_arrow(batch.to_pandas())
                writer.write_table(table)
                n += table.num_rows
                n_refused += int(np.count_nonzero(table.column("decision").to_numpy(zero_copy_only=False) == "refused"))
                progress("scoring", n, total)
        stages["scoring"] = time.perf_counter() - t0
        _replace(staged, out)
    return PortfolioInfo("duckdb", str(out), n, n_refused, portfolio.version, time.perf_counter() - started, stages)


def _replace(staged: Path, out: Path) -> None:
    """Move the finished result into place (only after it is complete: a failed run leaves no half output)."""
    if out.exists():
        shutil.rmtree(out)
    staged.rename(out)


def read_output(out: Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """A scoring output folder as one frame sorted by SK_ID_CURR (for tests and notebooks)."""
    frame: pd.DataFrame = pq.read_table(out, columns=list(columns) if columns else None).to_pandas()
    return frame.sort_values(KEY).reset_index(drop=True)
