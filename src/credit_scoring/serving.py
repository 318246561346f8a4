"""The real ``ScoringService``: a model bundle and the feature store of all known clients, loaded once per API worker.

What is slow is done once, at load, and what is per client is done on one row:

- the store's model features are read once into one float32 matrix (row-major: a client's row is contiguous), cached
  as a ``.npy`` file beside the store and memory-mapped, so several API workers on one machine share its pages;
- every known client's probability and decision are computed at load, vectorised (a score by id is a lookup);
- the features behind every known client's three logged reasons are precomputed once per bundle and store
  (``prepare_reasons``, run by ``credit-scoring models prepare``); without them a score runs TreeSHAP on its row;
- global importance (mean |SHAP| on a sample), percentile sketches of every feature, and the standardised matrix of
  the most important features (for similar clients) are computed at load;
- an explanation is exact TreeSHAP on one row (a few milliseconds), cached per client in a small LRU;
- a what-if or a new application recomputes the application features from raw fields with the same definitions as
  the batch build (``OnlineFeatures.application_features``); history comes from the store row, or, for an applicant
  without history, from the vector the batch build gives a client with no rows in any history table.

Every value the model sees passes through float32, the dtype of the matrix, so a what-if without changes reproduces the
stored score exactly. Reads are thread-safe: arrays are never written after load, and the caches take a lock.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import logging
import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray
from pydantic import ValidationError

from credit_scoring.errors import CreditScoringError
from credit_scoring.explain import Contributions, contributions_matrix
from credit_scoring.features.build import APPLICATIONS_FILE, FEATURES_FILE, MANIFEST_FILE, STORE_FILES
from credit_scoring.features.online import OnlineFeatures
from credit_scoring.features.pipeline import KEY, LABEL
from credit_scoring.features.term import TERM_FEATURES, TERM_MODEL_FILE
from credit_scoring.progress import ProgressHook
from credit_scoring.reasons import (
    FeatureText,
    PercentileSketch,
    QuantityGroups,
    quantity_key,
    reason_for,
    reasons,
    refusal_features,
)
from credit_scoring.schemas import (
    APPLICATION_COLUMNS,
    ApplicationChanges,
    ApplicationIn,
    ApplicationScore,
    ClientInfo,
    ClientQuery,
    ClientSummary,
    Contribution,
    DecisionOutcome,
    Distribution,
    Explanation,
    FeatureDescription,
    FeatureImportance,
    FieldValue,
    Lang,
    ModelInfo,
    PopulationPoint,
    Reason,
    ScoreResult,
    SimilarClient,
    WhatIfResult,
)
from credit_scoring.scoring import DECISION_REFUSED, Scorer
from credit_scoring.service import (
    BatchItem,
    InvalidInputError,
    ServiceUnavailableError,
    UnknownClientError,
    UnknownFeatureError,
)

__all__ = ["ServiceOptions", "StoreService", "open_service"]

logger = logging.getLogger(__name__)

_CHUNK = 20_000  # rows scored at once at load: ~70 MB of float32 per chunk
_BATCH = 500  # rows explained at once in score_batch
_LOGGED_REASONS = 3  # reasons toward refusal logged with each score
_REASONS_VERSION = 1  # bump when the choice of logged reasons changes: old caches are then ignored
_FIELD_TYPES = {c.name: c.dtype for c in APPLICATION_COLUMNS}
_FIELD_LEVELS = {c.name: c.levels for c in APPLICATION_COLUMNS if c.dtype == "category"}
#: Raw application fields whose distribution is offered besides the model's most important features.
_DISTRIBUTION_FIELDS = (
    "AMT_INCOME_TOTAL",
    "AMT_CREDIT",
    "AMT_ANNUITY",
    "NAME_CONTRACT_TYPE",
    "NAME_INCOME_TYPE",
    "NAME_EDUCATION_TYPE",
    "NAME_FAMILY_STATUS",
    "NAME_HOUSING_TYPE",
)


@dataclass(frozen=True)
class ServiceOptions:
    """Sizes of what is precomputed at load (defaults suit the full Kaggle store on a small machine)."""

    importance_rows: int = 3_000  # clients whose |SHAP| averages into the global importance
    sketch_rows: int = 100_000  # clients sampled for the percentile sketches (all when fewer)
    sketch_points: int = 1_001
    similar_features: int = 20  # most important features compared for similar clients
    distribution_features: int = 30  # most important features offered as distributions
    explanation_cache: int = 2_048  # clients whose contributions stay in memory
    seed: int = 0
    cache_matrix: bool = True  # write/read a memory-mapped .npy of the store matrix beside the store


class _LRU:
    """A small thread-safe LRU (functools.lru_cache would keep the service alive through ``self``)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        value = compute()
        with self._lock:
            self._data[key] = value
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return value


# ---------------------------------------------------------------------------------------------------------------------
# Loading the store
# ---------------------------------------------------------------------------------------------------------------------


#: (field name, its array, its levels for a category else None, whether it is an integer field)
_FieldPlan = tuple[str, NDArray[Any], list[str] | None, bool]


@dataclass
class _Apps:
    """Raw application fields in matrix row order: numbers as float arrays, categories as codes + levels."""

    numeric: dict[str, NDArray[np.floating[Any]]]
    codes: dict[str, NDArray[np.int16]]
    levels: dict[str, list[str]]
    _plan_cache: list[_FieldPlan] | None = dataclasses.field(default=None, repr=False)

    def field(self, name: str, row: int) -> FieldValue:
        if name in self.codes:
            code = int(self.codes[name][row])
            return None if code < 0 else self.levels[name][code]
        value = float(self.numeric[name][row])
        if math.isnan(value):
            return None
        return int(value) if _FIELD_TYPES.get(name) == "int64" else value

    def fields(self, row: int) -> dict[str, FieldValue]:
        """The client's non-missing application fields (what was scored, as the decision log records it).

        On the score path of every request: one pass over prepared (name, array, levels, is_int) tuples.
        """
        out: dict[str, FieldValue] = {}
        for name, array, levels, is_int in self._plan():
            if levels is not None:
                code = int(array[row])
                if code >= 0:
                    out[name] = levels[code]
                continue
            value = float(array[row])
            if value == value:  # not NaN
                out[name] = int(value) if is_int else value
        return out

    def _plan(self) -> list[_FieldPlan]:
        plan = self._plan_cache
        if plan is None:
            plan = []
            for column in APPLICATION_COLUMNS:
                name = column.name
                if name == KEY:
                    continue
                if name in self.codes:
                    plan.append((name, self.codes[name], self.levels[name], False))
                elif name in self.numeric:
                    plan.append((name, self.numeric[name], None, _FIELD_TYPES.get(name) == "int64"))
            self._plan_cache = plan
        return plan


def _read_apps(path: Path, keys: NDArray[np.int64]) -> _Apps:
    """applications.parquet aligned to ``keys``; a float column is kept as float32 only when that is exact."""
    pf = pq.ParquetFile(path)
    present = set(pf.schema_arrow.names)
    app_keys = pf.read(columns=[KEY]).column(KEY).to_numpy()
    order = np.argsort(app_keys, kind="stable")
    pos = np.searchsorted(app_keys, keys, sorter=order)
    pos = np.minimum(pos, len(app_keys) - 1)
    take = order[pos]
    found = app_keys[take] == keys
    if not found.all():
        logger.warning("%d clients of the store have no raw application row", int((~found).sum()))
    take_arr = pa.array(np.where(found, take, 0))
    numeric: dict[str, NDArray[np.floating[Any]]] = {}
    codes: dict[str, NDArray[np.int16]] = {}
    levels: dict[str, list[str]] = {}
    for column in APPLICATION_COLUMNS:
        if column.name == KEY or column.name not in present:
            continue
        # one column at a time: the peak is one column, not the whole raw table (~500 MB at full scale)
        col = pf.read(columns=[column.name]).column(column.name).take(take_arr)
        if column.dtype == "category" or pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            encoded = col.combine_chunks().dictionary_encode()
            idx = encoded.indices.to_numpy(zero_copy_only=False)
            idx = np.where(np.isnan(idx.astype(np.float64)), -1, idx).astype(np.int16)
            idx[~found] = -1
            codes[column.name] = idx
            levels[column.name] = [str(v) for v in encoded.dictionary.to_pylist()]
        else:
            values = col.to_numpy(zero_copy_only=False).astype(np.float64)
            values[~found] = np.nan
            small = values.astype(np.float32)
            exact = np.array_equal(small.astype(np.float64), values, equal_nan=True)
            numeric[column.name] = small if exact else values
    return _Apps(numeric, codes, levels)


def _matrix_cache_dir(store_dir: Path, features: Sequence[str]) -> Path:
    stat = (store_dir / FEATURES_FILE).stat()
    identity = json.dumps([stat.st_size, stat.st_mtime_ns, list(features)]).encode("utf-8")
    digest = hashlib.sha256(identity).hexdigest()[:16]
    return store_dir / ".serving-cache" / digest


def _read_matrix(path: Path, features: Sequence[str], out: NDArray[np.float32]) -> tuple[NDArray[np.int64], Any]:
    """Fill ``out`` (rows x features, float32) from features.parquet batch by batch; return keys and targets."""
    pf = pq.ParquetFile(path)
    n = pf.metadata.num_rows
    keys = np.empty(n, dtype=np.int64)
    target = np.full(n, -1, dtype=np.int8)
    start = 0
    for batch in pf.iter_batches(batch_size=32_768, columns=[KEY, LABEL, *features]):
        stop = start + batch.num_rows
        keys[start:stop] = batch.column(0).to_numpy()
        t = batch.column(1).to_numpy(zero_copy_only=False).astype(np.float64)
        target[start:stop] = np.where(np.isnan(t), -1, t).astype(np.int8)
        block = np.empty((batch.num_rows, len(features)), dtype=np.float32)
        for j in range(len(features)):
            block[:, j] = batch.column(j + 2).to_numpy(zero_copy_only=False)
        out[start:stop] = block
        start = stop
    return keys, target


def _load_matrix(
    store_dir: Path, features: Sequence[str], *, cache: bool
) -> tuple[NDArray[np.float32], NDArray[np.int64], NDArray[np.int8]]:
    """The model features of every client as one float32 matrix, memory-mapped from a cache file when possible.

    The cache (``<store>/.serving-cache/<hash of the parquet file and feature list>/``) is written once, atomically
    (rename), so concurrent workers either find it complete or build their own; a read-only store falls back to
    an in-memory matrix.
    """
    path = store_dir / FEATURES_FILE
    n = pq.ParquetFile(path).metadata.num_rows
    if cache:
        folder = _matrix_cache_dir(store_dir, features)
        files = folder / "matrix.npy", folder / "keys.npy", folder / "target.npy"
        if all(f.is_file() for f in files):
            matrix = np.load(files[0], mmap_mode="r")
            if matrix.shape == (n, len(features)):
                logger.info("store matrix memory-mapped from %s", folder)
                return matrix, np.load(files[1]), np.load(files[2])
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f"matrix.{os.getpid()}.tmp.npy"
            mm = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float32, shape=(n, len(features)))
            keys, target = _read_matrix(path, features, mm)
            mm.flush()
            del mm
            for array, final in ((keys, files[1]), (target, files[2])):
                part = folder / f"{final.stem}.{os.getpid()}.tmp.npy"
                np.save(part, array)
                part.replace(final)
            tmp.replace(files[0])  # last: its presence means the cache is complete
            logger.info("store matrix cached in %s", folder)
            return np.load(files[0], mmap_mode="r"), keys, target
        except OSError as exc:
            logger.warning("cannot cache the store matrix in %s (%s): keeping it in memory", folder, exc)
    matrix = np.empty((n, len(features)), dtype=np.float32)
    keys, target = _read_matrix(path, features, matrix)
    return matrix, keys, target


# ---------------------------------------------------------------------------------------------------------------------
# The service
# ---------------------------------------------------------------------------------------------------------------------


class StoreService:
    """Satisfies ``credit_scoring.service.ScoringService`` on a bundle and a feature store; see the module docstring."""

    def __init__(self, scorer: Scorer, store_dir: Path, *, options: ServiceOptions | None = None) -> None:
        started = time.perf_counter()
        self.scorer = scorer
        self.store_dir = Path(store_dir)
        self.options = opts = options or ServiceOptions()
        for name in STORE_FILES:
            if not (self.store_dir / name).is_file():
                raise ServiceUnavailableError(
                    f"{self.store_dir} holds no feature store ({name} is missing): build it with "
                    "`credit-scoring features build` or set CREDIT_SCORING_FEATURE_STORE_DIR"
                )
        manifest = json.loads((self.store_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
        by_name = {e["name"]: e for e in manifest["features"]}
        self.features = scorer.features
        missing = [f for f in self.features if f not in by_name]
        if missing:
            raise ServiceUnavailableError(
                f"the model needs {len(missing)} feature(s) the store at {self.store_dir} lacks "
                f"({', '.join(missing[:5])}): the model and the store come from different feature definitions; "
                "rebuild one of them"
            )
        bundle_term = scorer.bundle.metadata.get("files", {}).get(TERM_MODEL_FILE)
        uses_term = bundle_term is not None or bool(set(TERM_FEATURES) & set(self.features))
        if uses_term and (manifest.get("term_model") or {}).get("sha256") != bundle_term:
            raise ServiceUnavailableError(
                f"the store at {self.store_dir} infers the loan term with another model than the one the bundle "
                f"was trained with ({TERM_MODEL_FILE} differs): serve the store the bundle was trained on, or "
                "retrain on this store"
            )
        self.texts = [FeatureText.from_manifest(by_name[f]) for f in self.features]
        self.keys_by_feature = [quantity_key(t) for t in self.texts]
        self.groups = QuantityGroups(self.texts, self.keys_by_feature)
        self._index = {f: j for j, f in enumerate(self.features)}

        self.matrix, self.ids, self.target = _load_matrix(self.store_dir, self.features, cache=opts.cache_matrix)
        self._order = np.argsort(self.ids, kind="stable")
        self._sorted_ids = self.ids[self._order]
        self.apps = _read_apps(self.store_dir / APPLICATIONS_FILE, self.ids)
        t_read = time.perf_counter()

        self.probability = self._score_all()
        self.refused = self.probability >= scorer.threshold
        t_score = time.perf_counter()

        rng = np.random.default_rng(opts.seed)
        n = len(self.ids)
        sample = np.sort(rng.choice(n, size=min(n, opts.importance_rows), replace=False))
        sketch_rows = np.sort(rng.choice(n, size=min(n, opts.sketch_rows), replace=False))

        def importance() -> NDArray[np.float64]:
            c = contributions_matrix(scorer, np.ascontiguousarray(self.matrix[sample]))
            return np.concatenate([np.abs(c.logit).mean(axis=0), c.base_logit[:1], c.base_probability[:1]])

        bundle_key = json.dumps(scorer.bundle.metadata.get("files", {}), sort_keys=True)
        summary = self._cached("importance", [bundle_key, opts.importance_rows, opts.seed], importance)
        self.importance = summary[:-2]
        self.base_logit, self.base_probability = float(summary[-2]), float(summary[-1])
        ranked = np.argsort(-self.importance, kind="stable")
        t_importance = time.perf_counter()

        quantiles = self._cached(
            "sketch",
            [opts.sketch_rows, opts.sketch_points, opts.seed],
            lambda: PercentileSketch.fit(self.matrix, rows=sketch_rows, n_points=opts.sketch_points).quantiles,
        )
        self.sketch = PercentileSketch(quantiles.astype(np.float32, copy=False))
        self._reasons_file = self._cache_file("reasons", [bundle_key, _REASONS_VERSION, _LOGGED_REASONS])
        self._reason_rows = self._load_reason_rows()
        if self._reason_rows is None:
            logger.warning(
                "the reasons of known clients are not precomputed for this model: each score runs TreeSHAP on its "
                "row; run `credit-scoring models prepare` once to serve them from a cache"
            )
        t_sketch = time.perf_counter()

        self.similar_columns = np.sort(ranked[: opts.similar_features])
        sub = np.asarray(self.matrix[:, self.similar_columns], dtype=np.float32)
        sample_sub = sub[sketch_rows]
        median = np.nanmedian(sample_sub, axis=0)
        q1, q3 = np.nanpercentile(sample_sub, [25, 75], axis=0)
        scale = q3 - q1
        std = np.nanstd(sample_sub, axis=0)
        scale = np.where(scale > 0, scale, np.where(std > 0, std, 1.0))
        self._similar_center = np.nan_to_num(median).astype(np.float32)
        self._similar_scale = scale.astype(np.float32)
        sub -= self._similar_center
        sub /= self._similar_scale
        np.nan_to_num(sub, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
        self.similar_matrix = sub
        self._similar_sq = np.einsum("ij,ij->i", sub, sub)
        t_similar = time.perf_counter()

        online = OnlineFeatures(self.store_dir)
        self._online = online
        app_names = set(online.application_features({}))
        self._app_cols = np.array([j for j, f in enumerate(self.features) if f in app_names], dtype=np.int64)
        self._app_names = [self.features[j] for j in self._app_cols]
        history = online.new_client({"application": pd.DataFrame({KEY: [0]})})
        self._no_history = np.array([history[f] for f in self.features], dtype=np.float32)

        self._distribution_names = [self.features[j] for j in ranked[: opts.distribution_features]]
        for name in _DISTRIBUTION_FIELDS:
            if name not in self._distribution_names and (name in self.apps.numeric or name in self.apps.codes):
                self._distribution_names.append(name)
        self._explained = _LRU(opts.explanation_cache)
        self._distributions = _LRU(256)
        # Arrow's allocator keeps freed pages (the raw applications table, ~500 MB at full scale) unless asked.
        pa.default_memory_pool().release_unused()
        meta = scorer.bundle.metadata
        self.version = scorer.bundle.version
        self.metadata = meta
        logger.info(
            "service loaded: %d clients, %d features, model %s in %.1fs (read %.1fs, score %.1fs, importance %.1fs, "
            "sketch %.1fs, similar %.1fs)",
            n,
            len(self.features),
            self.version,
            time.perf_counter() - started,
            t_read - started,
            t_score - t_read,
            t_importance - t_score,
            t_sketch - t_importance,
            t_similar - t_sketch,
        )

    def _cache_file(self, name: str, key: list[Any]) -> Path | None:
        """Where the array ``name`` for ``key`` is cached beside the matrix cache (None when caching is off)."""
        if not self.options.cache_matrix:
            return None
        digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode("utf-8")).hexdigest()[:16]
        return _matrix_cache_dir(self.store_dir, self.features) / f"{name}-{digest}.npy"

    @staticmethod
    def _load_cached(path: Path | None) -> NDArray[Any] | None:
        if path is None or not path.is_file():
            return None
        try:
            cached: NDArray[Any] = np.load(path)
        except (OSError, ValueError) as exc:
            logger.warning("ignoring the unreadable cache %s (%s)", path, exc)
            return None
        return cached

    @staticmethod
    def _save_cached(path: Path | None, name: str, value: NDArray[Any]) -> None:
        if path is None:
            return
        try:
            part = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npy")
            np.save(part, value)
            part.replace(path)
        except OSError as exc:
            logger.warning("cannot cache %s in %s (%s)", name, path.parent, exc)

    def _cached(self, name: str, key: list[Any], compute: Callable[[], NDArray[Any]]) -> NDArray[Any]:
        """An array derived from the store (and the bundle, when ``key`` says so), cached beside the matrix cache.

        A large model takes minutes to score 356k clients on two cores; a restart, or a second worker, should not.
        The key holds everything the array depends on besides the store itself (whose identity names the folder).
        """
        path = self._cache_file(name, key)
        cached = self._load_cached(path)
        if cached is not None:
            return cached
        value = compute()
        self._save_cached(path, name, value)
        return value

    def _score_all(self) -> NDArray[np.float64]:
        """Every known client's calibrated probability, vectorised by chunks (cached, keyed by the bundle's files)."""

        def score() -> NDArray[np.float64]:
            raw = np.empty(len(self.ids), dtype=np.float64)
            for a in range(0, len(self.ids), _CHUNK):
                chunk = np.ascontiguousarray(self.matrix[a : a + _CHUNK])
                raw[a : a + _CHUNK] = self.scorer.predict_raw_matrix(chunk)
            return self.scorer.calibrate(raw)

        bundle_key = json.dumps(self.scorer.bundle.metadata.get("files", {}), sort_keys=True)
        probability: NDArray[np.float64] = self._cached("probability", [bundle_key], score)
        if probability.shape != (len(self.ids),):
            probability = score()
        return probability

    # --- precomputed reasons ---------------------------------------------------------------------------------------
    def _load_reason_rows(self) -> NDArray[np.int16] | None:
        rows = self._load_cached(self._reasons_file)
        if rows is None:
            return None
        if rows.shape != (len(self.ids), _LOGGED_REASONS):
            logger.warning("ignoring %s: it was made for another store", self._reasons_file)
            return None
        return rows.astype(np.int16, copy=False)

    @property
    def reasons_precomputed(self) -> bool:
        """Whether every known client's logged reasons are precomputed (``prepare_reasons``)."""
        return self._reason_rows is not None

    def prepare_reasons(self, progress: ProgressHook | None = None, *, chunk: int = 2_000) -> Path | None:
        """Precompute the features behind every known client's logged reasons (top 3 toward refusal), and cache them.

        Exact TreeSHAP costs milliseconds a client: computed per request it would bound the API's throughput. A known
        client's features are fixed by the store, so its reasons are too, for a given bundle: they are worked out once
        (minutes at full scale, ``credit-scoring models prepare``) and the API turns them into sentences per request.
        """
        n = len(self.ids)
        out = np.full((n, _LOGGED_REASONS), -1, dtype=np.int16)
        for start in range(0, n, chunk):
            x = np.ascontiguousarray(self.matrix[start : start + chunk])
            logit = contributions_matrix(self.scorer, x).logit
            for i in range(len(x)):
                shown = refusal_features(logit[i], x[i], self.groups, _LOGGED_REASONS)
                out[start + i, : len(shown)] = shown
            if progress is not None:
                progress("reasons of known clients", min(start + chunk, n), n)
        self._save_cached(self._reasons_file, "reasons", out)
        self._reason_rows = out
        return self._reasons_file

    def _logged_reasons(self, row: int) -> list[Reason]:
        """The logged reasons of a known client: precomputed features when available, else exact TreeSHAP now."""
        values = self.matrix[row]
        if self._reason_rows is None:
            c = self._contributions_of_row(row)
            return self._top_reasons(c.logit[0], values)
        texts = self.groups.texts
        return [
            reason_for(j, float(values[j]), texts, self.sketch, "fr") for j in self._reason_rows[row].tolist() if j >= 0
        ]

    # --- lookups -----------------------------------------------------------------------------------------------------
    def _row(self, sk_id: int) -> int:
        i = int(np.searchsorted(self._sorted_ids, sk_id))
        if i >= len(self._sorted_ids) or int(self._sorted_ids[i]) != sk_id:
            raise UnknownClientError(sk_id)
        return int(self._order[i])

    def _target(self, row: int) -> int | None:
        t = int(self.target[row])
        return None if t < 0 else t

    def _decision(self, probability: float) -> DecisionOutcome:
        return "refused" if probability >= self.scorer.threshold else "granted"

    # --- feature vectors ---------------------------------------------------------------------------------------------
    def _vector(self, fields: Mapping[str, FieldValue], history_row: int | None) -> NDArray[np.float32]:
        """A client's feature vector: application features from ``fields``, history from the store (or none)."""
        vec = (self._no_history if history_row is None else np.asarray(self.matrix[history_row])).copy()
        app = self._online.application_features(fields)
        vec[self._app_cols] = np.array([app[name] for name in self._app_names], dtype=np.float32)
        return vec

    def _validate(self, changes: Mapping[str, Any]) -> dict[str, FieldValue]:
        """The changes checked against the application schema; every refusal names the field and what is expected."""
        for name, value in changes.items():
            if name not in _FIELD_TYPES or name == KEY:
                close = difflib.get_close_matches(name, list(_FIELD_TYPES), n=3)
                hint = f" (did you mean {', '.join(close)}?)" if close else ""
                fields = ", ".join(c for c in _FIELD_TYPES if c != KEY)
                raise InvalidInputError(name, value, f"an application field{hint}: one of {fields}")
        try:
            checked = ApplicationChanges.model_validate(dict(changes))
        except ValidationError as exc:
            first = exc.errors()[0]
            name = str(first["loc"][0]) if first["loc"] else "changes"
            expected = str(first["msg"])
            if name in _FIELD_LEVELS:
                expected = "one of " + ", ".join(repr(v) for v in _FIELD_LEVELS[name])
            raise InvalidInputError(name, changes.get(name), expected) from None
        dumped = checked.model_dump(exclude_unset=True)
        return {k: dumped[k] for k in changes}

    @staticmethod
    def _check_rules(fields: Mapping[str, FieldValue]) -> None:
        """Refusals the schema cannot express (it checks one field at a time)."""
        annuity, credit = fields.get("AMT_ANNUITY"), fields.get("AMT_CREDIT")
        if isinstance(annuity, int | float) and isinstance(credit, int | float) and annuity > credit:
            raise InvalidInputError("AMT_ANNUITY", annuity, f"at most AMT_CREDIT ({credit})")

    # --- explanations ------------------------------------------------------------------------------------------------
    def _contributions_of_row(self, row: int) -> Contributions:
        def compute() -> Contributions:
            x = np.ascontiguousarray(self.matrix[row : row + 1])
            return contributions_matrix(self.scorer, x, num_threads=1)

        result: Contributions = self._explained.get(row, compute)
        return result

    def _contribution_list(
        self, logit: NDArray[np.float64], points: NDArray[np.float64], values: NDArray[Any], lang: Lang, top: int
    ) -> list[Contribution]:
        order = np.argsort(-np.abs(logit), kind="stable")[:top]
        out = []
        for j in order.tolist():
            v = float(values[j])
            out.append(
                Contribution(
                    feature=self.features[j],
                    label=self.texts[j].label(lang),
                    value=None if math.isnan(v) else v,
                    probability_points=100.0 * float(points[j]),
                    logit=float(logit[j]),
                )
            )
        return out

    def _reasons(
        self, logit: NDArray[np.float64], values: NDArray[Any], lang: Lang, top: int
    ) -> tuple[list[Reason], list[Reason]]:
        return reasons(logit, values, self.groups, self.sketch, lang, top=top)

    def _top_reasons(self, logit: NDArray[np.float64], values: NDArray[Any]) -> list[Reason]:
        """The 3 strongest reasons toward refusal, in French: what a score logs."""
        return reasons(logit, values, self.groups, self.sketch, "fr", top=_LOGGED_REASONS, refusal_only=True)[0]

    def _explanation(
        self, sk_id: int | None, c: Contributions, values: NDArray[Any], lang: Lang, top: int
    ) -> Explanation:
        refusal, acceptance = self._reasons(c.logit[0], values, lang, top)
        return Explanation(
            sk_id=sk_id,
            lang=lang,
            probability=float(c.probability[0]),
            base_probability=float(c.base_probability[0]),
            contributions=self._contribution_list(c.logit[0], c.proba_points[0], values, lang, top),
            reasons_refusal=refusal,
            reasons_acceptance=acceptance,
        )

    def _result(
        self, sk_id: int | None, probability: float, inputs: dict[str, FieldValue], top_reasons: list[Reason]
    ) -> ScoreResult:
        threshold = self.scorer.threshold
        return ScoreResult(
            sk_id=sk_id,
            probability=probability,
            decision=self._decision(probability),
            threshold=threshold,
            distance_to_threshold=probability - threshold,
            model_version=self.version,
            inputs=inputs,
            top_reasons=top_reasons,
        )

    # --- protocol ----------------------------------------------------------------------------------------------------
    def model_info(self) -> ModelInfo:
        metrics = {
            k: float(v)
            for k, v in dict(self.metadata.get("metrics", {})).items()
            if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(float(v))
        }
        costs = dict(self.metadata.get("costs", {}))
        created = self.metadata.get("created_at")
        return ModelInfo(
            version=self.version,
            threshold=self.scorer.threshold,
            metrics=metrics,
            fn_cost=float(costs.get("fn_cost", 10.0)),
            fp_cost=float(costs.get("fp_cost", 1.0)),
            n_features=len(self.features),
            trained_at=datetime.fromisoformat(created) if isinstance(created, str) else None,
        )

    def distribution_features(self) -> list[FeatureDescription]:
        return [self._describe_feature(name) for name in self._distribution_names]

    def _describe_feature(self, name: str) -> FeatureDescription:
        if name in self._index:
            text = self.texts[self._index[name]]
            return FeatureDescription(name=name, label=text.en, label_fr=text.fr, group=text.table)
        return FeatureDescription(
            name=name, label=self._field_label(name), label_fr=self._field_label(name, "fr"), group="application"
        )

    def _field_label(self, name: str, lang: Lang = "en") -> str:
        from credit_scoring.features.manifest import column_descriptions

        entry = column_descriptions().get(("application", name))
        return str(entry[lang]) if entry else name

    def search_clients(self, query: ClientQuery) -> list[ClientSummary]:
        mask = np.ones(len(self._sorted_ids), dtype=bool)  # in id order
        order = self._order
        if query.id_prefix:
            p, width = int(query.id_prefix), len(query.id_prefix)
            prefix = np.zeros(len(mask), dtype=bool)
            ids = self._sorted_ids
            for digits in range(width, 20):
                scale = 10 ** (digits - width)
                lo, hi = p * scale, (p + 1) * scale
                if digits > width and lo < 10 ** (digits - 1):
                    lo = 10 ** (digits - 1)  # leading zeros are not digits of an id
                if lo > int(ids[-1]) if len(ids) else True:
                    break
                a, b = np.searchsorted(ids, [lo, hi])
                prefix[a:b] = True
            mask &= prefix
        if query.decision is not None:
            mask &= self.refused[order] == (query.decision == DECISION_REFUSED)
        income = self.apps.numeric.get("AMT_INCOME_TOTAL")
        if income is not None and (query.income_min is not None or query.income_max is not None):
            inc = income[order]
            if query.income_min is not None:
                mask &= inc >= query.income_min
            if query.income_max is not None:
                mask &= inc <= query.income_max
        if query.contract_type is not None:
            levels = self.apps.levels.get("NAME_CONTRACT_TYPE", [])
            code = levels.index(query.contract_type) if query.contract_type in levels else -2
            mask &= self.apps.codes["NAME_CONTRACT_TYPE"][order] == code
        if query.labelled is not None:
            mask &= (self.target[order] >= 0) == query.labelled
        positions = np.flatnonzero(mask)[query.offset : query.offset + query.limit]
        out = []
        for pos in positions.tolist():
            row = int(order[pos])
            credit = self.apps.field("AMT_CREDIT", row)
            income_v = self.apps.field("AMT_INCOME_TOTAL", row)
            contract = self.apps.field("NAME_CONTRACT_TYPE", row)
            probability = float(self.probability[row])
            out.append(
                ClientSummary(
                    sk_id=int(self.ids[row]),
                    contract_type=None if contract is None else str(contract),
                    income=None if income_v is None else float(income_v),
                    credit=None if credit is None else float(credit),
                    probability=probability,
                    decision=self._decision(probability),
                    target=self._target(row),
                )
            )
        return out

    def unknown_clients(self, sk_ids: Collection[int]) -> set[int]:
        if not sk_ids:
            return set()
        ids = np.fromiter((int(s) for s in sk_ids), dtype=np.int64, count=len(sk_ids))
        known = np.isin(ids, self._sorted_ids, assume_unique=False)
        return {int(s) for s in ids[~known]}

    def client(self, sk_id: int) -> ClientInfo:
        row = self._row(sk_id)
        return ClientInfo(sk_id=sk_id, fields=self.apps.fields(row), target=self._target(row))

    def score_client(self, sk_id: int) -> ScoreResult:
        row = self._row(sk_id)
        return self._result(sk_id, float(self.probability[row]), self.apps.fields(row), self._logged_reasons(row))

    def stored_score(self, sk_id: int) -> ScoreResult | None:
        """``score_client`` when its reasons are precomputed (a few lookups: fine on the event loop), else None."""
        if self._reason_rows is None:
            return None
        return self.score_client(sk_id)

    def explain_client(self, sk_id: int, *, lang: Lang = "fr", top: int = 10) -> Explanation:
        row = self._row(sk_id)
        return self._explanation(sk_id, self._contributions_of_row(row), np.asarray(self.matrix[row]), lang, top)

    def similar_clients(self, sk_id: int, *, k: int = 10) -> list[SimilarClient]:
        """Nearest clients by Euclidean distance on the robust-scaled most important features; ``sk_id`` excluded."""
        row = self._row(sk_id)
        q = self.similar_matrix[row]
        # |a - q|^2 = |a|^2 - 2 a.q + |q|^2, in float32 and in place; einsum stays on one thread (a BLAS product
        # spawns threads that, on a busy 2-core machine, cost more than the 7M multiply-adds)
        d2 = np.einsum("ij,j->i", self.similar_matrix, q)
        d2 *= -2.0
        d2 += self._similar_sq
        d2 += np.float32(q @ q)
        d2[row] = np.inf
        k = max(0, min(k, len(d2) - 1))
        if k == 0:
            return []
        nearest = np.argpartition(d2, k - 1)[:k]
        nearest = nearest[np.lexsort((self.ids[nearest], d2[nearest]))]
        return [
            SimilarClient(
                sk_id=int(self.ids[i]),
                distance=math.sqrt(max(0.0, float(d2[i]))),
                probability=float(self.probability[i]),
                target=self._target(int(i)),
            )
            for i in nearest.tolist()
        ]

    def distribution(self, feature: str, *, bins: int = 20) -> Distribution:
        if feature not in self._distribution_names:
            raise UnknownFeatureError(feature)
        result: Distribution = self._distributions.get((feature, bins), lambda: self._histogram(feature, bins))
        return result

    def feature_importance(self, *, lang: Lang = "fr", top: int = 30) -> list[FeatureImportance]:
        order = np.argsort(-self.importance, kind="stable")[:top]
        return [
            FeatureImportance(
                feature=self.features[j], label=self.texts[j].label(lang), importance=float(self.importance[j])
            )
            for j in order
        ]

    def population_sample(self, features: Sequence[str], *, n: int = 500) -> list[PopulationPoint]:
        """A fixed, seeded sample (the same clients on every call, so a chart does not jump), without ids."""
        for feature in features:
            if feature not in self._distribution_names:
                raise UnknownFeatureError(feature)
        rows = np.sort(np.random.default_rng(0).choice(len(self.ids), size=min(n, len(self.ids)), replace=False))
        columns = {f: self._sample_values(f, rows) for f in features}
        return [
            PopulationPoint(
                values={f: columns[f][i] for f in features},
                probability=float(self.probability[r]),
                target=int(self.target[r]) if self.target[r] >= 0 else None,
            )
            for i, r in enumerate(rows)
        ]

    def _sample_values(self, feature: str, rows: NDArray[np.int64]) -> list[FieldValue]:
        if feature in self.apps.codes:
            levels = self.apps.levels[feature]
            return [levels[c] if c >= 0 else None for c in self.apps.codes[feature][rows]]
        if feature in self._index:
            values = np.asarray(self.matrix[rows, self._index[feature]], dtype=np.float64)
        else:
            values = np.asarray(self.apps.numeric[feature], dtype=np.float64)[rows]
        return [None if np.isnan(v) else float(v) for v in values]

    def _histogram(self, feature: str, bins: int) -> Distribution:
        """Counts by outcome; numeric bins span the 0.5-99.5% quantiles so a few extreme values do not flatten it."""
        label = self._describe_feature(feature).label
        outcome = self.target
        if feature in self.apps.codes:
            codes = self.apps.codes[feature]
            cats = self.apps.levels[feature]
            counts = {}
            for name, sel in (("repaid", outcome == 0), ("defaulted", outcome == 1), ("unknown", outcome < 0)):
                c = codes[sel & (codes >= 0)]
                counts[name] = np.bincount(c, minlength=len(cats)).tolist()
            return Distribution(feature=feature, label=label, bin_edges=[], categories=cats, **counts)
        if feature in self._index:
            values = np.asarray(self.matrix[:, self._index[feature]], dtype=np.float64)
        else:
            values = np.asarray(self.apps.numeric[feature], dtype=np.float64)
        ok = ~np.isnan(values)
        finite = values[ok]
        if len(finite) == 0:
            lo, hi = 0.0, 1.0
        else:
            lo, hi = (float(x) for x in np.quantile(finite, [0.005, 0.995]))
            if hi <= lo:
                lo, hi = float(finite.min()), float(finite.max())
            if hi <= lo:
                hi = lo + 1.0
        edges = np.linspace(lo, hi, bins + 1)
        clipped = np.clip(values, lo, hi)
        counts = {}
        for name, sel in (("repaid", outcome == 0), ("defaulted", outcome == 1), ("unknown", outcome < 0)):
            counts[name] = np.histogram(clipped[ok & sel], bins=edges)[0].tolist()
        return Distribution(feature=feature, label=label, bin_edges=edges.tolist(), **counts)

    def what_if(self, sk_id: int, changes: Mapping[str, FieldValue], *, lang: Lang = "fr") -> WhatIfResult:
        row = self._row(sk_id)
        checked = self._validate(changes)
        before_fields = self.apps.fields(row)
        after_fields = {**before_fields, **checked}
        after_fields = {k: v for k, v in after_fields.items() if v is not None}
        self._check_rules(after_fields)
        before = self.score_client(sk_id)
        vec = self._vector(after_fields, row)
        c = contributions_matrix(self.scorer, vec[None, :], num_threads=1)
        refusal = self._top_reasons(c.logit[0], vec)
        after = self._result(sk_id, float(c.probability[0]), after_fields, refusal)
        return WhatIfResult(
            before=before,
            after=after,
            changed=sorted(k for k, v in checked.items() if before_fields.get(k) != v),
            contributions=self._contribution_list(c.logit[0], c.proba_points[0], vec, lang, 10),
        )

    def _application_vector(self, application: ApplicationIn) -> tuple[int | None, dict[str, FieldValue], Any]:
        fields = application.fields()
        self._check_rules(fields)
        sk_id = application.SK_ID_CURR  # type: ignore[attr-defined]
        history_row: int | None = None
        if sk_id is not None:
            try:
                history_row = self._row(int(sk_id))
            except UnknownClientError:
                history_row = None  # a new applicant who already has an id: no history in the store
        return sk_id, fields, self._vector(fields, history_row)

    def score_application(self, application: ApplicationIn, *, lang: Lang = "fr", top: int = 10) -> ApplicationScore:
        sk_id, fields, vec = self._application_vector(application)
        c = contributions_matrix(self.scorer, vec[None, :], num_threads=1)
        refusal = self._top_reasons(c.logit[0], vec)
        score = self._result(sk_id, float(c.probability[0]), fields, refusal)
        return ApplicationScore(score=score, explanation=self._explanation(sk_id, c, vec, lang, top))

    def score_batch(self, items: Iterable[BatchItem]) -> Iterator[ScoreResult]:
        """Chunks of rows explained together (one multi-threaded TreeSHAP call per chunk), results in input order."""
        chunk: list[BatchItem] = []
        for item in items:
            chunk.append(item)
            if len(chunk) >= _BATCH:
                yield from self._score_chunk(chunk)
                chunk = []
        if chunk:
            yield from self._score_chunk(chunk)

    def _score_chunk(self, chunk: list[BatchItem]) -> Iterator[ScoreResult]:
        rows: list[tuple[int | None, int | None, dict[str, FieldValue]]] = []
        vectors = np.empty((len(chunk), len(self.features)), dtype=np.float32)
        for i, item in enumerate(chunk):
            if isinstance(item, int):
                row = self._row(item)
                vectors[i] = self.matrix[row]
                rows.append((item, row, self.apps.fields(row)))
            else:
                sk_id, fields, vec = self._application_vector(item)
                vectors[i] = vec
                rows.append((sk_id, None, fields))
        c = contributions_matrix(self.scorer, vectors)
        for i, (item_id, item_row, fields) in enumerate(rows):
            refusal = self._top_reasons(c.logit[i], vectors[i])
            probability = float(self.probability[item_row]) if item_row is not None else float(c.probability[i])
            yield self._result(item_id, probability, fields, refusal)

    def close(self) -> None:
        """Nothing to release but memory; kept so the API's lifespan can call it."""
        logger.info("scoring service for model %s closed", self.version)


def open_service(bundle_dir: Path, store_dir: Path, *, options: ServiceOptions | None = None) -> StoreService:
    """Load a bundle folder and a feature store into a service; errors say which of the two is missing and why."""
    from credit_scoring.bundle import ModelBundle

    try:
        bundle = ModelBundle.load(Path(bundle_dir))
    except CreditScoringError as exc:
        raise ServiceUnavailableError(f"cannot load the model bundle: {exc}") from None
    return StoreService(Scorer(bundle), Path(store_dir), options=options)
