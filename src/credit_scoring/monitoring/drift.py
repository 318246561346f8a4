"""Data drift: does the population being scored still look like the one the model learned from?

The reference is the training applicants (the labelled rows of the feature store). Two current populations are
compared with it, each in its own Evidently report:

- ``new_clients``: application_test, the data set's clients without a known outcome (unlabelled rows of the store);
- ``scored``: the applications the API actually scored, read from the decision log (kinds ``score``, ``application``
  and ``batch``; simulations are not applications; the latest record per known client; the most recent first).

What is compared: the **raw application fields** behind the model's most important features. The decision log keeps
the application fields as scored, not the model features (history aggregates are recomputed from the store), so raw
fields are the only basis on which both comparisons can be made the same way. Each application feature's gain
(LightGBM's total gain, from the bundle) is shared equally among the raw fields it is computed from; the ``top``
fields by that share are monitored. Features computed from history tables are not monitored here, and the summary
says how much of the model's gain the monitored fields carry.

Each side is sampled at random (seeded) down to ``sample_rows`` rows when larger, which bounds time and memory on the
full data; the summary and the report say when that happened. Evidently chooses the test per column from the sample
size and type (Wasserstein distance or K-S for numbers, Jensen-Shannon distance or chi-square for categories).
The share of drifted columns of a comparison reaching ``alert_share`` is an alert: ``credit-scoring monitor drift``
then exits with code 3 (``DRIFT_ALERT_EXIT_CODE``).
"""

from __future__ import annotations

import json
import logging
import time
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from credit_scoring.bundle import ModelBundle
from credit_scoring.errors import DataError
from credit_scoring.features.build import APPLICATIONS_FILE, FEATURES_FILE, MANIFEST_FILE
from credit_scoring.features.pipeline import KEY, LABELLED
from credit_scoring.monitoring._evidently import import_evidently
from credit_scoring.monitoring.files import DRIFT_FILE, write_text
from credit_scoring.progress import ProgressHook, no_progress
from credit_scoring.schemas import APPLICATION_COLUMNS, DriftColumn, DriftComparison, DriftSummary

__all__ = [
    "DRIFT_ALERT_EXIT_CODE",
    "SCORED_KINDS",
    "DriftOptions",
    "MonitoredField",
    "monitored_fields",
    "run_drift",
    "scored_applications",
]

logger = logging.getLogger(__name__)

#: Exit code of `credit-scoring monitor drift` when a comparison's share of drifted columns reaches the alert level.
DRIFT_ALERT_EXIT_CODE = 3
#: Decision-log kinds that are applications really scored (a what-if simulation is not).
SCORED_KINDS = ("score", "application", "batch")
_KINDS: dict[str, Literal["numerical", "categorical"]] = {
    c.name: "categorical" if c.dtype == "category" else "numerical" for c in APPLICATION_COLUMNS if c.name != KEY
}
_REPORTS = {"new_clients": "drift_new_clients.html", "scored": "drift_scored.html"}
_DESCRIPTIONS = {
    "new_clients": "application_test: the data set's new clients, whose outcome is unknown (unlabelled store rows)",
    "scored": (
        "applications scored by the API, from the decision log (scores, new applications and batch rows; the latest "
        "record per known client; what-if simulations excluded)"
    ),
}


@dataclass(frozen=True)
class DriftOptions:
    """How much to compare and when to alert; defaults come from the settings in the CLI."""

    top: int = 20
    sample_rows: int = 50_000
    min_scored: int = 200
    alert_share: float = 0.3
    seed: int = 0


@dataclass(frozen=True)
class MonitoredField:
    column: str
    kind: Literal["numerical", "categorical"]
    importance: float


def monitored_fields(bundle: ModelBundle, manifest: dict[str, Any], top: int) -> list[MonitoredField]:
    """The ``top`` raw application fields by the share of the model's gain attributed to them (see module doc)."""
    gain = np.asarray(bundle.booster.feature_importance("gain"), dtype=np.float64)
    total = float(gain.sum())
    if total <= 0:
        raise DataError(f"model {bundle.version} has no gain on any feature: nothing tells which fields matter")
    entries = {e["name"]: e for e in manifest.get("features", [])}
    share: dict[str, float] = {}
    for name, g in zip(bundle.features, gain, strict=True):
        entry = entries.get(name)
        if entry is None or entry.get("table") != "application" or g <= 0:
            continue
        sources = [s for s in entry.get("sources", []) if s in _KINDS]
        for source in sources:
            share[source] = share.get(source, 0.0) + float(g) / total / len(sources)
    if not share:
        raise DataError(f"no feature of model {bundle.version} is computed from application fields")
    ranked = sorted(share.items(), key=lambda item: (-item[1], item[0]))[:top]
    return [MonitoredField(column, _KINDS[column], importance) for column, importance in ranked]


# --- the populations --------------------------------------------------------------------------------------------------


def _typed(frame: pd.DataFrame, fields: list[MonitoredField]) -> pd.DataFrame:
    """Numbers as float64 (missing = NaN), categories as Python strings (missing = None), as Evidently expects."""
    out: dict[str, Any] = {}
    for f in fields:
        column = frame[f.column] if f.column in frame else pd.Series([None] * len(frame), index=frame.index)
        if f.kind == "numerical":
            out[f.column] = pd.to_numeric(column, errors="coerce").astype("float64")
        else:
            values = column.astype(object)
            out[f.column] = values.where(values.notna(), None)
    return pd.DataFrame(out, index=frame.index)


def _store_populations(store_dir: Path, fields: list[MonitoredField]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training applicants (labelled) and new clients (unlabelled): raw application fields from the store."""
    for name in (FEATURES_FILE, APPLICATIONS_FILE, MANIFEST_FILE):
        if not (store_dir / name).is_file():
            raise DataError(
                f"{store_dir / name} is missing: build the feature store with `credit-scoring features build`"
            )
    flags = pq.read_table(store_dir / FEATURES_FILE, columns=[KEY, LABELLED]).to_pandas()
    present = set(pq.read_schema(store_dir / APPLICATIONS_FILE).names)
    columns = [f.column for f in fields if f.column in present]
    apps = pq.read_table(store_dir / APPLICATIONS_FILE, columns=[KEY, *columns]).to_pandas()
    labelled = apps[KEY].map(flags.set_index(KEY)[LABELLED]).fillna(False).astype(bool).to_numpy()
    typed = _typed(apps, fields)
    return typed[labelled].reset_index(drop=True), typed[~labelled].reset_index(drop=True)


def scored_applications(database_url: str, columns: list[str], *, limit: int) -> tuple[pd.DataFrame, int, str | None]:
    """The most recent ``limit`` distinct applications scored (see module doc), their total, and a note when the log
    cannot be read. Reads in chunks and keeps only ``columns`` of each record's inputs."""
    from sqlalchemy import func, inspect, select
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.orm import Session

    from credit_scoring.storage.db import make_engine
    from credit_scoring.storage.models import Decision

    empty = pd.DataFrame(columns=columns)
    url = make_url(database_url)
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and database not in ("", ":memory:") and not Path(database).is_file():
        return empty, 0, f"no decision log at {url.database}: the API has not scored anything there yet"
    engine = make_engine(database_url)
    try:
        if not inspect(engine).has_table(Decision.__tablename__):
            return empty, 0, "the decision log has no decisions table yet: start the API once (it migrates)"
        scored = Decision.kind.in_(SCORED_KINDS)
        with Session(engine) as session:
            known = session.scalar(select(func.count(func.distinct(Decision.client_id))).where(scored)) or 0
            unknown = session.scalar(select(func.count()).where(scored, Decision.client_id.is_(None))) or 0
            statement = (
                select(Decision.client_id, Decision.inputs)
                .where(scored)
                .order_by(Decision.created_at.desc(), Decision.id.desc())
                .execution_options(yield_per=2_000)
            )
            rows: list[dict[str, Any]] = []
            seen: set[int] = set()
            for client_id, inputs in session.execute(statement):
                if client_id is not None:
                    if client_id in seen:
                        continue
                    seen.add(client_id)
                rows.append({c: inputs.get(c) for c in columns} if isinstance(inputs, dict) else {})
                if len(rows) >= limit:
                    break
    except SQLAlchemyError as exc:
        raise DataError(f"cannot read the decision log ({url.render_as_string(hide_password=True)}): {exc}") from None
    finally:
        engine.dispose()
    return pd.DataFrame(rows, columns=columns), int(known) + int(unknown), None


def _sample(frame: pd.DataFrame, n: int, rng: np.random.Generator) -> pd.DataFrame:
    if len(frame) <= n:
        return frame
    return frame.iloc[np.sort(rng.choice(len(frame), size=n, replace=False))].reset_index(drop=True)


# --- Evidently --------------------------------------------------------------------------------------------------------


def _evidently(
    reference: pd.DataFrame, current: pd.DataFrame, fields: list[MonitoredField], alert_share: float, html: Path
) -> tuple[int, float, dict[str, DriftColumn]]:
    """Run Evidently's drift preset on ``fields``; save its HTML report; return count, share and per-column results."""
    import_evidently()
    from evidently import DataDefinition, Dataset, Report  # type: ignore[import-untyped]
    from evidently.presets import DataDriftPreset  # type: ignore[import-untyped]

    names = [f.column for f in fields]
    definition = DataDefinition(
        numerical_columns=[f.column for f in fields if f.kind == "numerical"],
        categorical_columns=[f.column for f in fields if f.kind == "categorical"],
    )
    report = Report([DataDriftPreset(columns=names, drift_share=alert_share)], include_tests=True)
    with warnings.catch_warnings():
        # Evidently 0.7 calls pandas APIs deprecated in pandas 3 (hundreds of warnings per run): not ours to fix.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        snapshot = report.run(
            Dataset.from_pandas(current[names], data_definition=definition),
            Dataset.from_pandas(reference[names], data_definition=definition),
        )
        part = html.with_name(f".{html.name}.part")
        snapshot.save_html(str(part))
        part.replace(html)
        result: dict[str, Any] = snapshot.dict()
    failed = {
        t["metric_config"]["metric_id"]: t["status"] == "FAIL"
        for t in result.get("tests", [])
        if "ValueDrift" in str(t.get("metric_config", {}).get("params", {}).get("type", ""))
    }
    count, share = 0, 0.0
    importance = {f.column: f for f in fields}
    columns: dict[str, DriftColumn] = {}
    for metric in result["metrics"]:
        config = metric.get("config", {})
        kind = str(config.get("type", ""))
        if kind.endswith("DriftedColumnsCount"):
            count, share = int(metric["value"]["count"]), float(metric["value"]["share"])
        elif kind.endswith("ValueDrift") and config.get("column") in importance:
            f = importance[config["column"]]
            columns[f.column] = DriftColumn(
                column=f.column,
                kind=f.kind,
                importance=f.importance,
                method=config.get("method"),
                threshold=config.get("threshold"),
                score=float(metric["value"]),
                drifted=failed.get(metric["id"]),
            )
    return count, share, columns


def _compare(
    name: Literal["new_clients", "scored"],
    reference_all: pd.DataFrame,
    current_all: pd.DataFrame,
    current_total: int,
    fields: list[MonitoredField],
    options: DriftOptions,
    out_dir: Path,
    rng: np.random.Generator,
    *,
    minimum: int,
    note: str | None = None,
) -> DriftComparison:
    html = out_dir / _REPORTS[name]
    reference = _sample(reference_all, options.sample_rows, rng)
    current = _sample(current_all, options.sample_rows, rng)
    sampled = len(reference) < len(reference_all) or current_total > len(current)
    base = {
        "name": name,
        "description": _DESCRIPTIONS[name],
        "reference_rows": len(reference),
        "current_rows": len(current),
        "reference_total": len(reference_all),
        "current_total": current_total,
        "sampled": sampled,
    }
    if len(current) < minimum or len(reference) < minimum:
        html.unlink(missing_ok=True)  # an older report would be read as the current one
        why = note or (
            f"only {len(current)} row(s) to compare (at least {minimum} are needed for a meaningful drift measure)"
            if len(current) < minimum
            else f"only {len(reference)} training applicant(s) (at least {minimum} are needed)"
        )
        return DriftComparison(**base, status="insufficient_data", note=why)
    usable = [f for f in fields if reference[f.column].notna().any() and current[f.column].notna().any()]
    skipped = {
        f.column: DriftColumn(
            column=f.column,
            kind=f.kind,
            importance=f.importance,
            note="no value in the " + ("reference" if reference[f.column].isna().all() else "current") + " data",
        )
        for f in fields
        if f not in usable
    }
    if not usable:
        html.unlink(missing_ok=True)
        return DriftComparison(
            **base, status="insufficient_data", columns=list(skipped.values()), note="no monitored field has values"
        )
    count, share, results = _evidently(reference, current, usable, options.alert_share, html)
    columns = [results.get(f.column) or skipped[f.column] for f in fields if f.column in results or f.column in skipped]
    notes = []
    if sampled:
        notes.append(
            f"sampled at random (seed {options.seed}) to at most {options.sample_rows:,} rows per side "
            f"({len(reference_all):,} reference and {current_total:,} current rows available)"
            + ("; the most recent scored applications are kept" if name == "scored" else "")
        )
    if skipped:
        notes.append(f"{len(skipped)} field(s) without values on one side are not tested")
    return DriftComparison(
        **base,
        status="alert" if share >= options.alert_share else "ok",
        drifted_columns=count,
        drift_share=share,
        columns=columns,
        report=html.name,
        note="; ".join(notes) or None,
    )


def run_drift(
    *,
    bundle_dir: Path,
    store_dir: Path,
    database_url: str,
    out_dir: Path,
    options: DriftOptions | None = None,
    progress: ProgressHook = no_progress,
) -> DriftSummary:
    """Both comparisons; write their Evidently HTML reports and ``drift.json`` into ``out_dir``; return the summary."""
    options = options or DriftOptions()
    started = time.perf_counter()
    steps = "Drift"
    progress(steps, 0, 4)
    bundle = ModelBundle.load(bundle_dir)
    manifest_path = store_dir / MANIFEST_FILE
    if not manifest_path.is_file():
        raise DataError(f"{manifest_path} is missing: build the feature store with `credit-scoring features build`")
    fields = monitored_fields(bundle, json.loads(manifest_path.read_text(encoding="utf-8")), options.top)
    logger.info("monitoring %d application fields: %s", len(fields), ", ".join(f.column for f in fields))
    reference, new_clients = _store_populations(store_dir, fields)
    progress(steps, 1, 4)
    rng = np.random.default_rng(options.seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    comparisons = [
        _compare(
            "new_clients", reference, new_clients, len(new_clients), fields, options, out_dir, rng, minimum=2,
            note=None if len(new_clients) >= 2 else "the feature store holds no unlabelled (new) clients",
        )
    ]  # fmt: skip
    progress(steps, 2, 4)
    scored, scored_total, log_note = scored_applications(
        database_url, [f.column for f in fields], limit=options.sample_rows
    )
    comparisons.append(
        _compare(
            "scored", reference, _typed(scored, fields), scored_total, fields, options, out_dir, rng,
            minimum=options.min_scored,
            note=log_note or (
                f"only {scored_total} distinct application(s) scored in the decision log; at least "
                f"{options.min_scored} are needed (CREDIT_SCORING_DRIFT_MIN_SCORED) for a meaningful drift measure"
                if scored_total < options.min_scored else None
            ),
        )
    )  # fmt: skip
    progress(steps, 3, 4)
    summary = DriftSummary(
        created_at=datetime.now(UTC),
        model_version=bundle.version,
        alert_share=options.alert_share,
        alert=any(c.status == "alert" for c in comparisons),
        basis=(
            f"the {len(fields)} raw application fields carrying the largest share of the model's gain (LightGBM total "
            "gain from the bundle, each application feature's gain shared equally among the fields it is computed "
            "from); history-table features are not in the decision log and are not monitored here"
        ),
        monitored_columns=[f.column for f in fields],
        importance_covered=float(sum(f.importance for f in fields)),
        sample_rows=options.sample_rows,
        seed=options.seed,
        seconds=round(time.perf_counter() - started, 2),
        comparisons=comparisons,
    )
    write_text(out_dir / DRIFT_FILE, summary.model_dump_json(indent=2))
    progress(steps, 4, 4)
    logger.info("drift summary written to %s", out_dir / DRIFT_FILE)
    return summary
