"""Fairness by group on the out-of-fold predictions: approval rate, false-negative and false-positive rates, by
CODE_GENDER and by age band, with their differences and ratios between groups (fairlearn's ``MetricFrame``).

Classes, stated once because every rate depends on them: the **positive class is default** (TARGET = 1), and the
model **predicts positive when it refuses** (calibrated probability at or above the threshold). So:

- approval rate = share of the group granted = 1 - fairlearn's selection rate of "refuse";
- false-negative rate = defaulters who were granted / all defaulters of the group (a missed default, cost 10);
- false-positive rate = good payers who were refused / all good payers of the group (a wrongly refused client).

Out-of-fold predictions come from the bundle (each development client scored by a model that did not see it, then
calibrated); the holdout is kept untouched for the headline metrics. Groups smaller than ``min_group_size`` are shown
but left out of the differences and ratios, where a handful of clients would dominate.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from numpy.typing import NDArray

from credit_scoring.bundle import ModelBundle
from credit_scoring.errors import DataError
from credit_scoring.features.build import APPLICATIONS_FILE, MANIFEST_FILE
from credit_scoring.features.pipeline import KEY
from credit_scoring.monitoring._document import Document
from credit_scoring.monitoring.files import FAIRNESS_FILE, FAIRNESS_HTML_FILE, FAIRNESS_MD_FILE, write_text
from credit_scoring.schemas import FairnessAttribute, FairnessGroup, FairnessSummary

__all__ = ["AGE_BANDS", "METRICS", "SOURCES", "age_band", "fairness_document", "features_from", "run_fairness"]

logger = logging.getLogger(__name__)

#: Age bands in years (lower bound included), from DAYS_BIRTH.
AGE_BANDS: tuple[tuple[str, float], ...] = (("<30", 0), ("30-39", 30), ("40-49", 40), ("50-59", 50), ("60+", 60))
#: The raw field each attribute is read from.
SOURCES = {"CODE_GENDER": "CODE_GENDER", "age_band": "DAYS_BIRTH"}
#: The rates reported, in table order.
METRICS = ("approval_rate", "false_negative_rate", "false_positive_rate")
_OOF_FILE = "oof_predictions.parquet"
_LABELS = {
    "approval_rate": "approval rate",
    "false_negative_rate": "false-negative rate (defaulters granted)",
    "false_positive_rate": "false-positive rate (good payers refused)",
}


def age_band(days_birth: pd.Series) -> pd.Series:
    """DAYS_BIRTH (negative days) to the bands of ``AGE_BANDS``; missing stays missing."""
    years = -pd.to_numeric(days_birth, errors="coerce") / 365.25
    labels = [label for label, _ in AGE_BANDS]
    edges = [lower for _, lower in AGE_BANDS][1:]
    index = np.searchsorted(np.asarray(edges, dtype=np.float64), years.to_numpy(dtype=np.float64), side="right")
    out = pd.Series([labels[i] for i in index], index=days_birth.index, dtype=object)
    return out.where(years.notna(), None)


def features_from(bundle: ModelBundle, store_dir: Path | None, field: str) -> list[str]:
    """The bundle's features computed from the raw ``field`` (manifest sources): how an attribute reaches the model."""
    path = None if store_dir is None else store_dir / MANIFEST_FILE
    if path is None or not path.is_file():
        return []
    import json

    sources = {e["name"]: e.get("sources", []) for e in json.loads(path.read_text(encoding="utf-8"))["features"]}
    return [f for f in bundle.features if field in sources.get(f, [])]


def _load(bundle: ModelBundle, store_dir: Path) -> pd.DataFrame:
    if bundle.path is None or not (bundle.path / _OOF_FILE).is_file():
        raise DataError(f"model {bundle.version} has no {_OOF_FILE}: retrain it with `credit-scoring train`")
    oof = pd.read_parquet(bundle.path / _OOF_FILE, columns=[KEY, "TARGET", "proba"])
    apps_path = store_dir / APPLICATIONS_FILE
    for path in (apps_path, store_dir / MANIFEST_FILE):
        if not path.is_file():
            raise DataError(f"{path} is missing: build the feature store with `credit-scoring features build`")
    apps = pq.read_table(apps_path, columns=[KEY, "CODE_GENDER", "DAYS_BIRTH"]).to_pandas()
    frame = oof.merge(apps, on=KEY, how="left", validate="one_to_one")
    missing = int(frame["DAYS_BIRTH"].isna().sum())
    if missing == len(frame):
        raise DataError(
            f"none of the {len(frame)} out-of-fold clients of model {bundle.version} is in the feature store at "
            f"{store_dir}: the model was trained on another store"
        )
    if missing:
        logger.warning("%d out-of-fold clients have no application row in %s", missing, store_dir)
    return frame


def _rate(numerator: NDArray[np.bool_], denominator: NDArray[np.bool_]) -> float:
    n = int(denominator.sum())
    return float((numerator & denominator).sum() / n) if n else math.nan


def _metrics() -> dict[str, Callable[..., float]]:
    from fairlearn.metrics import (  # type: ignore[import-untyped]  # fairlearn ships no type hints
        false_negative_rate,
        false_positive_rate,
        selection_rate,
    )

    def approval_rate(y_true: Any, y_pred: Any) -> float:
        return 1.0 - float(selection_rate(y_true, y_pred, pos_label=1))

    def fnr(y_true: Any, y_pred: Any) -> float:
        # fairlearn returns 0 for a group without defaulters; "undefined" is the honest answer there.
        return float(false_negative_rate(y_true, y_pred, pos_label=1)) if np.any(np.asarray(y_true) == 1) else math.nan

    def fpr(y_true: Any, y_pred: Any) -> float:
        return float(false_positive_rate(y_true, y_pred, pos_label=1)) if np.any(np.asarray(y_true) == 0) else math.nan

    return {"approval_rate": approval_rate, "false_negative_rate": fnr, "false_positive_rate": fpr}


def _optional(value: Any) -> float | None:
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else number


def _attribute(
    name: str,
    groups: pd.Series,
    y_true: NDArray[np.int64],
    y_pred: NDArray[np.int64],
    min_group_size: int,
    model_features: list[str],
) -> FairnessAttribute:
    from fairlearn.metrics import MetricFrame

    known = groups.notna().to_numpy()
    labels = groups[known].astype(str).to_numpy()
    truth, decided = y_true[known], y_pred[known]
    counts = pd.Series(labels).value_counts()
    defaults = pd.Series(truth).groupby(labels).mean()
    compared = sorted(str(g) for g in counts.index if counts[g] >= min_group_size)
    keep = np.isin(labels, compared)
    metrics = _metrics()
    # One MetricFrame on the compared groups gives their rates, differences and ratios (fairlearn calls each metric
    # row by row in Python: a second frame over all rows would double the run). Small groups get the same functions.
    rates: dict[str, dict[str, float]] = {}
    difference: dict[str, float | None] = dict.fromkeys(METRICS)
    ratio: dict[str, float | None] = dict.fromkeys(METRICS)
    if compared:
        frame = MetricFrame(
            metrics={m: metrics[m] for m in METRICS},
            y_true=truth[keep],
            y_pred=decided[keep],
            sensitive_features=labels[keep],
        )
        rates = {str(g): {m: float(row[m]) for m in METRICS} for g, row in frame.by_group.iterrows()}
        if len(compared) >= 2:
            diff, rat = frame.difference(method="between_groups"), frame.ratio(method="between_groups")
            difference = {m: _optional(diff[m]) for m in METRICS}
            ratio = {m: _optional(rat[m]) for m in METRICS}
    for group in (str(g) for g in counts.index if str(g) not in rates):
        rows_of = labels == group
        rates[group] = {m: metrics[m](truth[rows_of], decided[rows_of]) for m in METRICS}
    order = [label for label, _ in AGE_BANDS] if name == "age_band" else sorted(rates)
    rows = [
        FairnessGroup(
            group=group,
            count=int(counts[group]),
            default_rate=float(defaults[group]),
            approval_rate=rates[group]["approval_rate"],
            false_negative_rate=_optional(rates[group]["false_negative_rate"]),
            false_positive_rate=_optional(rates[group]["false_positive_rate"]),
            compared=group in compared,
        )
        for group in order
        if group in rates
    ]
    return FairnessAttribute(
        attribute=name, groups=rows, model_features=model_features, difference=difference, ratio=ratio
    )


def fairness_document(summary: FairnessSummary) -> Document:
    """The report a person reads: how to read it, one table of rates per attribute, one of gaps."""
    doc = Document(title=f"Fairness report — model {summary.model_version}", lang="en")
    doc.paragraph(
        f"Out-of-fold predictions of {summary.n_clients:,} development clients at the decision threshold "
        f"{summary.threshold:.4f} (calibrated probability of default). "
        f"Generated {summary.created_at:%Y-%m-%d %H:%M} UTC."
    )
    doc.heading("How to read it")
    doc.bullets(
        [
            f"**Positive class**: {summary.positive_class}.",
            "**Approval rate**: share of the group granted. Equal rates are demographic parity; they are not expected "
            "when default rates differ, so read it beside the default rate.",
            "**False-negative rate**: defaulters who were granted, over the group's defaulters (the lender's costly "
            "error, and over-indebtedness for the client).",
            "**False-positive rate**: good payers who were refused, over the group's good payers: the error that "
            "denies credit to someone who would have repaid. Equal error rates across groups are equalised odds.",
            "**Difference**: largest minus smallest rate between groups (0 = equal). **Ratio**: smallest over largest "
            "(1 = equal); for approval rates, a ratio under 0.8 is the usual warning level (the four-fifths rule).",
            f"Groups with fewer than {summary.min_group_size} clients are shown but not compared (marked *not "
            "compared*).",
        ]
    )
    for attribute in summary.attributes:
        title = "CODE_GENDER" if attribute.attribute == "CODE_GENDER" else "age band (years, from DAYS_BIRTH)"
        doc.heading(f"By {title}")
        source = SOURCES.get(attribute.attribute, attribute.attribute)
        if attribute.model_features:
            doc.paragraph(
                f"**{source} is used by the model**, through {len(attribute.model_features)} feature(s): "
                + ", ".join(f"`{f}`" for f in attribute.model_features)
                + "."
            )
        else:
            doc.paragraph(f"{source} is not used by the model (no feature is computed from it).")
        doc.table(
            f"Out-of-fold rates by {title}",
            ["group", "clients", "default rate", "approval rate", "false-negative rate", "false-positive rate", "note"],
            [
                [
                    g.group,
                    f"{g.count:,}",
                    g.default_rate,
                    g.approval_rate,
                    g.false_negative_rate,
                    g.false_positive_rate,
                    "" if g.compared else "not compared (small group)",
                ]
                for g in attribute.groups
            ],
        )
        doc.table(
            f"Gaps between groups by {title}",
            ["rate", "difference (max - min)", "ratio (min / max)"],
            [[_LABELS[m], attribute.difference.get(m), attribute.ratio.get(m)] for m in METRICS],
        )
    doc.heading("Limits")
    doc.bullets(
        [
            "Rates are measured on past, labelled applicants: clients refused in the past never got an outcome, so "
            "the data cannot show how they would have repaid (selection bias).",
            "Other fields may correlate with an attribute even when it is not a feature. A gap is a prompt to "
            "investigate, not a verdict.",
        ]
    )
    return doc


def run_fairness(*, bundle_dir: Path, store_dir: Path, out_dir: Path, min_group_size: int = 50) -> FairnessSummary:
    """Compute the summary from the bundle's OOF predictions; write fairness.json, .md and .html into ``out_dir``."""
    bundle = ModelBundle.load(bundle_dir)
    frame = _load(bundle, store_dir)
    y_true = frame["TARGET"].to_numpy(dtype=np.int64)
    y_pred = (frame["proba"].to_numpy(dtype=np.float64) >= bundle.threshold).astype(np.int64)  # 1 = refuse
    groups = {"CODE_GENDER": frame["CODE_GENDER"].astype(object), "age_band": age_band(frame["DAYS_BIRTH"])}
    attributes = [
        _attribute(name, values, y_true, y_pred, min_group_size, features_from(bundle, store_dir, SOURCES[name]))
        for name, values in groups.items()
    ]
    summary = FairnessSummary(
        created_at=datetime.now(UTC),
        model_version=bundle.version,
        threshold=bundle.threshold,
        n_clients=len(frame),
        predictions="out-of-fold calibrated probabilities of the development clients (oof_predictions.parquet)",
        positive_class="default (TARGET = 1); a refusal (probability at or above the threshold) is a positive "
        "prediction",
        min_group_size=min_group_size,
        attributes=attributes,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    doc = fairness_document(summary)
    write_text(out_dir / FAIRNESS_MD_FILE, doc.markdown())
    write_text(out_dir / FAIRNESS_HTML_FILE, doc.html())
    write_text(out_dir / FAIRNESS_FILE, summary.model_dump_json(indent=2))
    logger.info("fairness report written to %s", out_dir)
    return summary
