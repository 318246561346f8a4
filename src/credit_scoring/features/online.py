"""Features for one client at request time, from the same definitions as the batch build.

Three uses, one definition each:

- ``application_features(row)``: the application-level features of one (possibly edited) application, compiled from
  the ``Expr`` specs to numpy: no database, well under a millisecond.
- ``for_client(sk_id_curr, app_overrides)``: a known client's full vector: application part recomputed from the raw
  application fields kept in the store (with the what-if edits applied), history part read from ``features.parquet``.
- ``new_client(tables)``: a client unknown to the store, from raw rows of the eight tables: the batch SQL of every
  history pass and of the final join, transpiled by sqlglot to SQLite, runs on the rows in an in-memory SQLite
  (DuckDB needs ~200 ms to set up ~600 aggregates even on ten rows; SQLite ~10 ms); the application part comes from
  the numpy compilation of the same specs.

The inferred loan term and rate (``term.py``) come from the store's own term model, checked against the SHA-256 its
manifest records, by the same function as the batch build.

The store is loaded lazily on first use (about 1.7 GB at full scale: the history columns as a float64 matrix), never
at import or construction time.
"""

from __future__ import annotations

import json
import logging
import math
import sqlite3
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow.parquet as pq

from credit_scoring.data.schema import HISTORY_TABLES, TABLES
from credit_scoring.errors import DataError
from credit_scoring.features.application import APPLICATION_COLUMNS, application_features, evaluate_application
from credit_scoring.features.build import APPLICATIONS_FILE, FEATURES_FILE, MANIFEST_FILE
from credit_scoring.features.pipeline import KEY, ONLINE_APPLICATION, feature_names, online_queries
from credit_scoring.features.term import TERM_FEATURES, TERM_MODEL_FILE, TermModel

__all__ = ["OnlineFeatures", "raw_rows"]

logger = logging.getLogger(__name__)


def _kinds(table: str) -> tuple[tuple[str, str], ...]:
    """(column, kind) with kind "key" (integer id), "cat" (text) or "num" (float: SQLite divides integers exactly)."""
    return tuple(
        (c.name, "cat" if c.dtype == "category" else "key" if c.name.startswith("SK_ID_") else "num")
        for c in TABLES[table].columns
    )


def _value(v: Any, kind: str) -> Any:
    """One raw value as SQLite wants it: NULL for None/NaN/pd.NA, float for numbers, str for categories."""
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    if kind == "cat":
        return v if isinstance(v, str) else None
    return int(v) if kind == "key" else float(v)


def raw_rows(table: str, frame: pd.DataFrame | None) -> list[tuple[Any, ...]]:
    """Rows of raw table ``table`` in schema column order (absent columns NULL), values normalised by ``_value``.

    Tolerant of what a caller holds: pandas categoricals, nullable integers, integers stored as floats.
    """
    if frame is None or len(frame) == 0:
        return []
    kinds = _kinds(table)
    values = frame.reindex(columns=[c for c, _ in kinds]).to_numpy(dtype=object)
    return [tuple(_value(v, k) for v, (_, k) in zip(row, kinds, strict=True)) for row in values]


@dataclass
class _Store:
    """The loaded store: history matrix and raw application fields, each with its SK_ID_CURR -> row index."""

    history_names: tuple[str, ...]
    history: npt.NDArray[np.float64]
    history_row: dict[int, int]
    apps: dict[str, npt.NDArray[Any]]
    app_row: dict[int, int]


class OnlineFeatures:
    """The feature vector of one client, identical to the batch store's row (checked by tests)."""

    def __init__(self, store_dir: Path) -> None:
        self.store_dir = Path(store_dir)
        self._store: _Store | None = None
        self._term: TermModel | None = None
        self._lock = threading.Lock()

    @property
    def feature_names(self) -> tuple[str, ...]:
        """Feature columns in store order."""
        return feature_names()

    @property
    def term_model(self) -> TermModel:
        """The store's loan-term model (``term_model.json``, checked against the SHA-256 in the manifest)."""
        if self._term is None:
            with self._lock:
                if self._term is None:
                    self._term = self._read_term_model()
        return self._term

    def _read_term_model(self) -> TermModel:
        path = self.store_dir / MANIFEST_FILE
        if not path.is_file():
            raise DataError(f"{self.store_dir} holds no feature store: run `credit-scoring features build` first")
        entry = json.loads(path.read_text("utf-8")).get("term_model")
        if not isinstance(entry, dict) or "sha256" not in entry:
            raise DataError(
                f"{path} records no loan-term model (a store built by an older version): rebuild it with "
                "`credit-scoring features build`"
            )
        return TermModel.load(self.store_dir / TERM_MODEL_FILE, sha256=str(entry["sha256"]))

    def application_features(self, app_row: Mapping[str, Any]) -> dict[str, float]:
        """Application-level features of one application (raw field name -> value; absent fields are missing),
        the inferred loan term and rate included."""
        values = evaluate_application(app_row)
        values.update(self.term_model.features(values))
        return {name: float(v[0]) for name, v in values.items()}

    def _load(self) -> _Store:
        with self._lock:
            if self._store is None:
                self._store = self._read_store()
            return self._store

    def _read_store(self) -> _Store:
        feats, apps = self.store_dir / FEATURES_FILE, self.store_dir / APPLICATIONS_FILE
        if not feats.is_file() or not apps.is_file():
            raise DataError(f"{self.store_dir} holds no feature store: run `credit-scoring features build` first")
        app_names = {f.name for f in application_features()} | set(TERM_FEATURES)
        history_names = tuple(n for n in feature_names() if n not in app_names)
        # Batch by batch into one row-major matrix: peak memory ~ the matrix, and a client's row is contiguous.
        pf = pq.ParquetFile(feats)
        n = pf.metadata.num_rows
        history = np.empty((n, len(history_names)), dtype=np.float64)
        keys = np.empty(n, dtype=np.int64)
        start = 0
        for batch in pf.iter_batches(batch_size=65536, columns=[KEY, *history_names]):
            stop = start + batch.num_rows
            keys[start:stop] = batch.column(0).to_numpy()
            for j in range(len(history_names)):
                history[start:stop, j] = batch.column(j + 1).to_numpy(zero_copy_only=False)
            start = stop
        raw = pq.read_table(apps, columns=list(APPLICATION_COLUMNS))
        app_cols: dict[str, npt.NDArray[Any]] = {}
        for name in APPLICATION_COLUMNS:
            col = raw.column(name)
            app_cols[name] = col.to_numpy(zero_copy_only=False)
        logger.info("feature store loaded: %d clients, %d history features", len(keys), len(history_names))
        return _Store(
            history_names=history_names,
            history=history,
            history_row={int(k): i for i, k in enumerate(keys)},
            apps=app_cols,
            app_row={int(k): i for i, k in enumerate(app_cols[KEY])},
        )

    def for_client(self, sk_id_curr: int, app_overrides: Mapping[str, Any] | None = None) -> dict[str, float]:
        """Full feature vector of a known client; ``app_overrides`` edits raw application fields (what-if)."""
        store = self._load()
        key = int(sk_id_curr)
        if key not in store.history_row or key not in store.app_row:
            raise DataError(f"client {key} is not in the feature store {self.store_dir}")
        i = store.app_row[key]
        app = {name: col[i] for name, col in store.apps.items()}
        if app_overrides:
            unknown = set(app_overrides) - set(APPLICATION_COLUMNS)
            if unknown:
                raise DataError(f"unknown application field(s): {', '.join(sorted(unknown))}")
            app.update(app_overrides)
        out = self.application_features(app)
        out.update(zip(store.history_names, store.history[store.history_row[key]].tolist(), strict=True))
        return {name: out[name] for name in feature_names()}

    def new_client(self, tables: Mapping[str, pd.DataFrame | None]) -> dict[str, float]:
        """Full feature vector of a client from raw rows: ``tables["application"]`` (one row, with SK_ID_CURR) and
        any of the six history tables (absent means no rows)."""
        app = tables.get("application")
        if app is None or len(app) != 1 or KEY not in app.columns:
            raise DataError("new_client needs tables['application']: exactly one row with SK_ID_CURR")
        app_row = dict(zip(APPLICATION_COLUMNS, raw_rows("application_test", app)[0], strict=True))
        app_feats = self.application_features(app_row)
        con = sqlite3.connect(":memory:")
        try:
            con.create_aggregate("VAR_SAMP", 1, _VarSamp)  # type: ignore[arg-type]
            con.create_aggregate("VARIANCE", 1, _VarSamp)  # type: ignore[arg-type]
            for name in HISTORY_TABLES:
                _sqlite_load(con, name, raw_rows(name, tables.get(name)))
            app_cols = [KEY, *app_feats]
            con.execute(f"CREATE TABLE {ONLINE_APPLICATION} ({', '.join(_q(c) for c in app_cols)})")
            values = [app_row[KEY], *(None if math.isnan(v) else v for v in app_feats.values())]
            con.execute(f"INSERT INTO {ONLINE_APPLICATION} VALUES ({', '.join('?' * len(app_cols))})", values)
            queries = online_queries()
            for output, sql in queries[:-1]:
                con.execute(f"CREATE TABLE {output} AS {sql}")
            cur = con.execute(queries[-1][1])
            names = [d[0] for d in cur.description]
            rows = cur.fetchall()
        finally:
            con.close()
        if len(rows) != 1:
            raise DataError(f"new_client produced {len(rows)} rows instead of 1")
        out = dict(zip(names, rows[0], strict=True))
        out.update({name: app_feats[name] for name in TERM_FEATURES})  # computed after the SQL, as in the batch
        return {name: float("nan") if out[name] is None else float(out[name]) for name in feature_names()}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_load(con: sqlite3.Connection, name: str, rows: list[tuple[Any, ...]]) -> None:
    cols = TABLES[name].column_names
    con.execute(f"CREATE TABLE {name} ({', '.join(_q(c) for c in cols)})")
    if rows:
        con.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' * len(cols))})", rows)


class _VarSamp:
    """Sample variance for SQLite (Welford), matching DuckDB's and Spark's VAR_SAMP (NULL below two values)."""

    def __init__(self) -> None:
        self.n = 0
        self.mean = 0.0
        self.m2 = 0.0

    def step(self, x: float | None) -> None:
        if x is None:
            return
        self.n += 1
        d = x - self.mean
        self.mean += d / self.n
        self.m2 += d * (x - self.mean)

    def finalize(self) -> float | None:
        return self.m2 / (self.n - 1) if self.n > 1 else None
