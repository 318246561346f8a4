"""The batch runner: DuckDB over the raw Parquet tables, one pass per history table, one final join, one store.

Only this module does I/O for the batch. DuckDB (2 threads, bounded memory, spilling to a temporary folder) streams
each raw table once and reduces it to one narrow row per client (bureau_balance first per bureau credit, read back by
the bureau pass). Those client-level results are held as float64 matrices; the final join then streams the
application features (computed in SQL from the same specs as the online path) in chunks and aligns every history
result by SK_ID_CURR, the same LEFT JOIN rule as ``pipeline.final_sql`` (which the online path and a Spark port run
as SQL), while a second thread writes Parquet.

``features.parquet`` holds every client of application_train and application_test (row order not guaranteed; the key
SK_ID_CURR is unique), with ``TARGET`` and ``LABELLED`` beside the features; ``applications.parquet`` keeps the raw
application fields so that a what-if edit can recompute the application features of a known client online.
"""

from __future__ import annotations

import json
import logging
import queue
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from credit_scoring.data.schema import TABLE_NAMES, TABLES
from credit_scoring.errors import DataError
from credit_scoring.features.manifest import manifest
from credit_scoring.features.pipeline import HAS_HISTORY, KEY, application_union_sql, final_sql, history_passes
from credit_scoring.features.term import PREVIOUS_COLUMNS, TERM_MODEL_FILE, TermModel, fit_term_model
from credit_scoring.progress import ProgressHook, no_progress

__all__ = [
    "APPLICATIONS_FILE",
    "FEATURES_FILE",
    "MANIFEST_FILE",
    "STORE_FILES",
    "FeatureStoreInfo",
    "build_features",
    "connect",
]

logger = logging.getLogger(__name__)

FEATURES_FILE = "features.parquet"
MANIFEST_FILE = "manifest.json"
APPLICATIONS_FILE = "applications.parquet"
#: Every file of a feature store (what a copy of the store must carry).
STORE_FILES = (FEATURES_FILE, APPLICATIONS_FILE, MANIFEST_FILE, TERM_MODEL_FILE)
_ROW_GROUP = 65536


@dataclass(frozen=True)
class FeatureStoreInfo:
    """What a build produced, with timings per pass (seconds) for the benchmark and the CLI summary."""

    features_path: Path
    manifest_path: Path
    applications_path: Path
    n_clients: int
    n_labelled: int
    n_features: int
    seconds: float
    pass_seconds: dict[str, float] = field(default_factory=dict)
    #: CPU seconds (all threads of this process) per pass: robust to other jobs sharing the cores.
    pass_cpu_seconds: dict[str, float] = field(default_factory=dict)


def _sql_str(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def connect(
    database: Path | None = None, *, threads: int = 2, memory_limit: str = "3GB", temp_dir: Path | None = None
) -> Any:
    """A DuckDB connection with bounded threads and memory, spilling to ``temp_dir``; in memory without ``database``."""
    config: dict[str, Any] = {"threads": threads, "memory_limit": memory_limit}
    if temp_dir is not None:
        config["temp_directory"] = str(temp_dir)
    con = duckdb.connect(str(database) if database is not None else ":memory:", config=config)
    con.execute("SET enable_progress_bar = false")
    return con


@dataclass(frozen=True)
class _Aggregate:
    """A client-level pass result as a column-major float64 matrix (NULL as NaN), with its key index."""

    flag: str
    values: np.ndarray[Any, np.dtype[np.float64]]
    index: pd.Index
    columns: tuple[str, ...]
    counts: np.ndarray[Any, np.dtype[np.bool_]]

    @classmethod
    def of(cls, flag: str, table: pa.Table, columns: tuple[str, ...], counts: frozenset[str]) -> _Aggregate:
        values = np.empty((len(columns), table.num_rows), dtype=np.float64)
        for j, name in enumerate(columns):
            values[j] = table.column(name).to_numpy()
        index = pd.Index(table.column(KEY).to_numpy())
        return cls(flag, values, index, columns, np.array([c in counts for c in columns]))


def _align_history(keys: np.ndarray[Any, Any], aggregates: list[_Aggregate]) -> dict[str, pa.Array]:
    """The final LEFT JOIN of ``final_sql``, done by key alignment for one chunk of clients.

    Same rule as the SQL: has-history flag 1/0, counts 0 for a client without rows, every other aggregate NULL.
    A gather of contiguous rows is ~10x faster than a hash join carrying ~570 payload columns.
    """
    out: dict[str, pa.Array] = {}
    for agg in aggregates:
        pos = agg.index.get_indexer(pd.Index(keys))
        found = pos >= 0
        out[agg.flag] = pa.array(found.astype(np.float64))
        block = agg.values[:, np.where(found, pos, 0)]
        block[:, ~found] = np.nan
        block[np.ix_(agg.counts, ~found)] = 0.0
        for j, name in enumerate(agg.columns):
            out[name] = _float_array(block[j])
    return out


def _float_array(x: np.ndarray[Any, np.dtype[np.float64]]) -> pa.Array:
    """float64 Arrow array with NaN as NULL, built from buffers (``pa.array(from_pandas=True)`` is ~30x slower)."""
    valid = ~np.isnan(x)
    n_null = int(len(x) - np.count_nonzero(valid))
    if n_null == 0:
        return pa.array(x)
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(pa.float64(), len(x), [bitmap, pa.py_buffer(np.ascontiguousarray(x))], n_null)


def _write_stream(reader: Any, path: Path, transform: Any = None) -> int:
    """Write Arrow record batches to Parquet on a second thread while DuckDB produces the next ones."""
    writer: pq.ParquetWriter | None = None
    rows = 0
    batches: queue.Queue[Any] = queue.Queue(maxsize=2)
    errors: list[BaseException] = []

    def consume() -> None:
        nonlocal writer
        try:
            while (batch := batches.get()) is not None:
                if writer is None:
                    # Statistics only for the key (row-group pruning on SK_ID_CURR): ~25% faster on 850 columns.
                    stats = [n for n in batch.schema.names if n in (KEY, "TARGET")]
                    writer = pq.ParquetWriter(
                        str(path), batch.schema, use_dictionary=False, compression="lz4", write_statistics=stats
                    )
                writer.write_batch(batch, row_group_size=_ROW_GROUP)
        except BaseException as exc:  # re-raised in the calling thread
            errors.append(exc)
            while batches.get() is not None:
                pass

    thread = threading.Thread(target=consume, name="features-writer")
    thread.start()
    try:
        for batch in reader:
            rows += batch.num_rows
            batches.put(batch if transform is None else transform(batch))
    finally:
        batches.put(None)
        thread.join()
        if writer is not None:
            writer.close()
    if errors:
        raise errors[0]
    return rows


def _check_tables(tables_dir: Path) -> None:
    missing = [TABLES[t].parquet_name for t in TABLE_NAMES if not (tables_dir / TABLES[t].parquet_name).is_file()]
    if missing:
        raise DataError(
            f"{tables_dir} lacks {', '.join(missing)}: run `credit-scoring data ingest` (or `data synth`) into it first"
        )


def _term_model(tables_dir: Path, given: TermModel | None) -> TermModel:
    """The loan-term model: ``given`` (a bundle's copy), or fitted on the tables' previous applications."""
    if given is not None:
        return given
    usable = [("CNT_PAYMENT", ">", 0), ("AMT_CREDIT", ">", 0), ("AMT_ANNUITY", ">", 0)]  # the fit's own filter, early
    path = tables_dir / TABLES["previous_application"].parquet_name
    return fit_term_model(pq.read_table(path, columns=list(PREVIOUS_COLUMNS), filters=usable).to_pandas())


def build_features(
    tables_dir: Path,
    out_dir: Path,
    *,
    progress: ProgressHook = no_progress,
    threads: int = 2,
    memory_limit: str = "3GB",
    term_model: TermModel | None = None,
) -> FeatureStoreInfo:
    """Build ``out_dir/features.parquet`` (+ ``manifest.json``, ``applications.parquet``, ``term_model.json``) from a
    raw-table folder.

    One progress step per pass: bureau_balance, bureau, previous_application, POS_CASH_balance, installments_payments,
    credit_card_balance, the loan-term model, then the application features and the final join. ``term_model``
    (a bundle's copy, when scoring new tables) is used as given instead of being fitted on these tables.
    """
    tables_dir, out_dir = Path(tables_dir), Path(out_dir)
    _check_tables(tables_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    all_passes = history_passes()
    total = len(all_passes) + 2
    timings: dict[str, float] = {}
    cpu: dict[str, float] = {}
    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="features-", dir=out_dir) as tmp_name:
        tmp = Path(tmp_name)
        con = connect(threads=threads, memory_limit=memory_limit, temp_dir=tmp / "spill")
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="term-model")
        try:
            for t in TABLE_NAMES:
                src = _sql_str(tables_dir / TABLES[t].parquet_name)
                con.execute(f"CREATE VIEW {t} AS SELECT * FROM read_parquet({src})")
            con.execute(f"CREATE VIEW application AS {application_union_sql()}")
            aggregates: list[_Aggregate] = []
            # The term model is fitted on a second thread while DuckDB runs the passes: LightGBM's single-threaded fit
            # releases the GIL and fills part of what the passes leave idle of the two cores.
            term_job = pool.submit(_term_model, tables_dir, term_model)
            for i, hp in enumerate(all_passes):
                progress(hp.table, i, total)
                t0, c0 = time.perf_counter(), time.process_time()
                result = con.sql(hp.sql()).to_arrow_table()
                con.register(hp.output, result)  # the bureau pass reads the bureau_balance result
                if hp.features:
                    names = tuple(f.name for f in hp.feature_infos())
                    flag = HAS_HISTORY[hp.output][0]
                    aggregates.append(_Aggregate.of(flag, result, names, frozenset(hp.count_columns)))
                    con.unregister(hp.output)  # held as a matrix from now on
                timings[hp.table], cpu[hp.table] = time.perf_counter() - t0, time.process_time() - c0
                logger.info("pass %s: %.2f s, %d rows", hp.table, timings[hp.table], result.num_rows)
                del result
            progress("loan term model", len(all_passes), total)
            t0, c0 = time.perf_counter(), time.process_time()
            model = term_job.result()  # re-raises what the fit raised
            timings["loan term model"], cpu["loan term model"] = time.perf_counter() - t0, time.process_time() - c0
            progress("application features and final join", len(all_passes) + 1, total)
            t0, c0 = time.perf_counter(), time.process_time()

            def join(batch: pa.RecordBatch) -> pa.RecordBatch:
                cols = dict(zip(batch.schema.names, batch.columns, strict=True))
                cols.update(_align_history(batch.column(KEY).to_numpy(), aggregates))
                # The term features from this batch's application features, single-threaded beside the Parquet
                # writer thread (measured: about 1 s more for this step at full scale, docs/benchmarks.md).
                inputs = {name: batch.column(name).to_numpy(zero_copy_only=False) for name in model.inputs}
                cols.update({n: _float_array(v) for n, v in model.features(inputs, num_threads=1).items()})
                return pa.RecordBatch.from_arrays(list(cols.values()), names=list(cols))

            features_path = out_dir / FEATURES_FILE
            base = con.sql(final_sql(history=False)).to_arrow_reader(_ROW_GROUP)
            n_clients = _write_stream(base, features_path, join)
            step = "application features and final join"
            timings[step], cpu[step] = time.perf_counter() - t0, time.process_time() - c0
            t0, c0 = time.perf_counter(), time.process_time()
            apps_path = out_dir / APPLICATIONS_FILE
            _write_stream(con.sql("SELECT * FROM application").to_arrow_reader(_ROW_GROUP), apps_path)
            n_labelled, n_dupes = con.execute(
                f"SELECT (SELECT COUNT(*) FROM application_train), COUNT(*) - COUNT(DISTINCT {KEY}) FROM application"
            ).fetchone()
            timings["raw applications copy"] = time.perf_counter() - t0
            cpu["raw applications copy"] = time.process_time() - c0
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            con.close()
    if n_dupes:
        raise DataError(f"{n_dupes} SK_ID_CURR appear more than once across application_train and application_test")
    model.save(out_dir)
    man = manifest()
    man["term_model"] = {"file": TERM_MODEL_FILE, "sha256": model.sha256, "rows": model.n_rows}
    manifest_path = out_dir / MANIFEST_FILE
    manifest_path.write_text(json.dumps(man, ensure_ascii=False, indent=1) + "\n", "utf-8")
    progress("done", total, total)
    seconds = time.perf_counter() - t_start
    logger.info("features of %d clients (%d labelled) built in %.1f s", n_clients, n_labelled, seconds)
    return FeatureStoreInfo(
        features_path=features_path,
        manifest_path=manifest_path,
        applications_path=apps_path,
        n_clients=int(n_clients),
        n_labelled=int(n_labelled),
        n_features=int(man["n_features"]),
        seconds=seconds,
        pass_seconds=timings,
        pass_cpu_seconds=cpu,
    )
