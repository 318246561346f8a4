"""The model card (Markdown and HTML), written from the bundle and the latest monitoring summaries.

It follows the headings of "Model Cards for Model Reporting" (Mitchell et al., 2019) and answers the duties of a
high-risk credit-scoring system under the EU AI Act (Annex III 5(b)): record-keeping (art. 12), transparency to the
deployer (art. 13) and human oversight (art. 14). Every figure comes from the bundle's metadata or from a summary the
monitor commands wrote; a section whose summary is missing, or was made for another model version, says so.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from credit_scoring.bundle import ModelBundle
from credit_scoring.features.build import MANIFEST_FILE
from credit_scoring.monitoring._document import Document
from credit_scoring.monitoring.fairness import METRICS, SOURCES, features_from
from credit_scoring.monitoring.files import (
    CARD_FILE,
    CARD_HTML_FILE,
    CARD_MD_FILE,
    DRIFT_FILE,
    FAIRNESS_FILE,
    read_summary,
    write_text,
)
from credit_scoring.schemas import DriftSummary, FairnessSummary, ModelCardText

__all__ = ["model_card", "write_model_card"]

logger = logging.getLogger(__name__)

_TOP_FEATURES = 15


def _metric(metrics: dict[str, Any], name: str, digits: int = 4) -> str:
    value = metrics.get(name)
    return f"{value:.{digits}f}" if isinstance(value, int | float) else "—"


def _count(metrics: dict[str, Any], name: str) -> str:
    value = metrics.get(name)
    return f"{value:,.0f}" if isinstance(value, int | float) else "—"


def _descriptions(store_dir: Path | None) -> dict[str, str]:
    path = None if store_dir is None else store_dir / MANIFEST_FILE
    if path is None or not path.is_file():
        return {}
    manifest = json.loads(path.read_text(encoding="utf-8"))
    return {e["name"]: str(e.get("description_en", "")) for e in manifest.get("features", [])}


def _report(bundle: ModelBundle) -> dict[str, Any]:
    path = None if bundle.path is None else bundle.path / "report.json"
    if path is None or not path.is_file():
        return {}
    report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return report


def _share(value: float) -> str:
    return f"{value:.0%}"


def _sensitive(bundle: ModelBundle, store_dir: Path | None, fairness: FairnessSummary | None) -> dict[str, list[str]]:
    """Sensitive raw field -> the model features computed from it (from the manifest, else the fairness summary)."""
    found = {field: features_from(bundle, store_dir, field) for field in SOURCES.values()}
    if fairness is not None and fairness.model_version == bundle.version:
        for attribute in fairness.attributes:
            field = SOURCES.get(attribute.attribute, attribute.attribute)
            found[field] = found.get(field) or attribute.model_features
    return found


def _stale(version: str, bundle: ModelBundle) -> str:
    return f" (computed for model {version}, not this one: run it again)" if version != bundle.version else ""


def model_card(
    bundle: ModelBundle,
    *,
    store_dir: Path | None = None,
    drift: DriftSummary | None = None,
    fairness: FairnessSummary | None = None,
) -> Document:
    """The card as a document; pure apart from reading the bundle's report and the store's manifest."""
    meta, metrics = bundle.metadata, dict(bundle.metadata.get("metrics", {}))
    costs = dict(meta.get("costs", {}))
    config = dict(meta.get("config", {}))
    report = _report(bundle)
    fn_cost, fp_cost = float(costs.get("fn_cost", 10.0)), float(costs.get("fp_cost", 1.0))
    doc = Document(title=f"Model card — credit-scoring {bundle.version}", lang="en")
    doc.paragraph(
        f"Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC from the bundle `{bundle.path}` and the latest monitoring "
        "summaries. Regenerate it with `credit-scoring monitor card` after each training or monitoring run."
    )

    doc.heading("Model details")
    libraries = dict(meta.get("libraries", {}))
    doc.table(
        "Identity of the model",
        ["item", "value"],
        [
            ["version", bundle.version],
            ["trained at", meta.get("created_at", "—")],
            ["algorithm", "LightGBM gradient-boosted trees, then a calibrator on the probability"],
            ["calibration", config.get("calibration", "—")],
            ["imbalance strategy", dict(meta.get("params", {})).get("imbalance", "—")],
            ["features", f"{len(bundle.features)}"],
            ["git commit", meta.get("git_sha") or "—"],
            ["data hash (features.parquet, SHA-256)", str(meta.get("data_hash", "—"))[:16] + "…"],
            ["libraries", ", ".join(f"{k} {v}" for k, v in sorted(libraries.items()))],
        ],
    )

    doc.heading("Intended use")
    doc.bullets(
        [
            "Support for relationship managers of Prêt à dépenser deciding on consumer credit for people with little "
            "or no credit history: a calibrated probability of payment difficulties, a proposed decision and its "
            "reasons.",
            "Every proposal can be overridden by a person (see human oversight); the model does not decide alone.",
            "Not intended for: other products or countries than those of the training data, automated refusal "
            "without human review, pricing, marketing, or any use on people who did not apply.",
        ]
    )

    doc.heading("Data")
    n_labelled = report.get("n_labelled")
    doc.bullets(
        [
            "Home Credit Default Risk tables (Kaggle schema): the application plus six history tables (bureau, "
            "bureau balance, previous applications, POS and cash, credit card, instalments), or synthetic tables with "
            "the same schema (`credit-scoring data synth`).",
            f"Training applicants (labelled): {n_labelled:,}."
            if isinstance(n_labelled, int)
            else "Training applicants: see the bundle's report.json.",
            f"Holdout: {_count(metrics, 'n_holdout')} clients set aside before anything else and scored once; "
            f"development: {_count(metrics, 'n_dev')} clients for cross-validation, threshold and calibration.",
            f"Feature store: `{meta.get('features_dir', '—')}`.",
        ]
    )

    doc.heading("Features")
    descriptions = _descriptions(store_dir)
    gain = bundle.booster.feature_importance("gain")
    total = float(sum(gain)) or 1.0
    ranked = sorted(zip(bundle.features, gain, strict=True), key=lambda item: -float(item[1]))[:_TOP_FEATURES]
    sensitive = _sensitive(bundle, store_dir, fairness)
    used = [f"{field} (through {', '.join(f'`{f}`' for f in feats)})" for field, feats in sensitive.items() if feats]
    doc.paragraph(
        f"{len(bundle.features)} features per client: application fields and ratios, and aggregates of each history "
        "table. `SK_ID_CURR`, `TARGET` and `LABELLED` are never features. Known directions of effect are enforced "
        "(monotone constraints: a better external score never raises the risk). "
        + (f"Sensitive attributes used by the model: {'; '.join(used)}." if used else "")
    )
    doc.table(
        f"The {len(ranked)} most important features (share of LightGBM total gain)",
        ["feature", "share of gain", "description"],
        [[name, f"{float(g) / total:.3f}", descriptions.get(name, "")] for name, g in ranked],
    )

    doc.heading("Metrics")
    doc.table(
        "Quality on the untouched holdout and out of fold",
        ["measure", "value"],
        [
            ["holdout AUC", _metric(metrics, "holdout_auc")],
            ["out-of-fold AUC (development clients)", _metric(metrics, "oof_auc")],
            ["holdout business cost per client", _metric(metrics, "holdout_cost_per_client")],
            ["holdout cost / cost of the best trivial policy", _metric(metrics, "holdout_cost_normalized", 3)],
            ["holdout recall (defaulters refused)", _metric(metrics, "holdout_recall", 3)],
            ["holdout precision (refused who default)", _metric(metrics, "holdout_precision", 3)],
            ["holdout refusal rate", _metric(metrics, "holdout_refusal_rate", 3)],
        ],
    )

    doc.heading("Threshold and business cost")
    doc.paragraph(
        f"An application is refused when its calibrated probability of default is at or above "
        f"**{bundle.threshold:.4f}**. The threshold minimises the out-of-fold business cost, where granting a "
        f"defaulter costs {fn_cost:g} and refusing a good payer costs {fp_cost:g}. On the holdout the model costs "
        f"{_count(metrics, 'holdout_cost_total')}, against {_count(metrics, 'holdout_cost_grant_everyone')} "
        f"if everyone were granted and {_count(metrics, 'holdout_cost_refuse_everyone')} if everyone were refused."
    )

    doc.heading("Calibration")
    doc.paragraph(
        f"Calibrator: {config.get('calibration', '—')}, fitted on the out-of-fold probabilities. Holdout Brier score "
        f"{_metric(metrics, 'holdout_brier_uncalibrated')} before and {_metric(metrics, 'holdout_brier')} after; "
        f"expected calibration error (10 equal-count bins) {_metric(metrics, 'holdout_ece_uncalibrated')} before and "
        f"{_metric(metrics, 'holdout_ece')} after. A probability shown to an advisor can be read as a frequency."
    )

    doc.heading("Fairness")
    if fairness is None:
        doc.paragraph("Not computed yet: run `credit-scoring monitor fairness`.")
    else:
        doc.paragraph(
            f"Out-of-fold rates at the threshold, {fairness.n_clients:,} clients, computed "
            f"{fairness.created_at:%Y-%m-%d}{_stale(fairness.model_version, bundle)}. Positive class: "
            f"{fairness.positive_class}. Details and how to read them: fairness.html."
        )
        for attribute in fairness.attributes:
            doc.table(
                f"Gaps between groups by {attribute.attribute} (difference max - min; ratio min / max)",
                ["rate", "difference", "ratio"],
                [[m.replace("_", " "), attribute.difference.get(m), attribute.ratio.get(m)] for m in METRICS],
            )

    doc.heading("Drift")
    if drift is None:
        doc.paragraph("Not measured yet: run `credit-scoring monitor drift`.")
    else:
        doc.paragraph(
            f"Measured {drift.created_at:%Y-%m-%d}{_stale(drift.model_version, bundle)} on {drift.basis}. The "
            f"monitored fields carry {drift.importance_covered:.0%} of the model's gain. Alert level: "
            f"{drift.alert_share:.0%} of drifted fields."
        )
        doc.table(
            "Share of drifted fields against the training applicants",
            ["population", "status", "drifted fields", "rows compared"],
            [
                [
                    c.name.replace("_", " "),
                    c.status.replace("_", " "),
                    "—" if c.drift_share is None else f"{c.drifted_columns} ({c.drift_share:.0%})",
                    f"{c.current_rows:,} of {c.current_total:,}",
                ]
                for c in drift.comparisons
            ],
        )

    doc.heading("Limitations")
    doc.bullets(
        [
            "Outcomes are known only for granted applicants of the past (selection bias): the model has not seen how "
            "refused applicants would have repaid.",
            "Trained on one lender's historical population; a drift alert means its figures may no longer hold.",
            "When trained on synthetic data, the figures describe the synthetic generator, not real clients.",
            "A probability is not a certainty: of the holdout applications refused, "
            f"{_share(1 - float(metrics['holdout_precision'])) if 'holdout_precision' in metrics else '—'} came "
            "from clients who repaid.",
            *(
                [
                    f"The model uses {' and '.join(f for f, feats in sensitive.items() if feats)} as inputs: whether "
                    "that is lawful and acceptable for credit decisions must be reviewed (EU non-discrimination law, "
                    "e.g. Directive 2004/113/EC on access to goods and services). Retraining without them is one "
                    "`exclude_features` entry of the training configuration; the fairness section measures the gaps "
                    "either way."
                ]
                if used
                else []
            ),
            "Explanations describe the model, not causes in the world: changing a field in a what-if shows how the "
            "model reacts, not what the client should do.",
        ]
    )

    doc.heading("Transparency and human oversight (EU AI Act, high-risk system)")
    doc.bullets(
        [
            "**Logging (art. 12)**: every score the API serves is written to the decision log before the answer is "
            "sent: time (UTC), actor and role, client, model version, the application fields as scored, probability, "
            "threshold, decision, the three main reasons and the request id. Records are never rewritten.",
            "**Human override (art. 14)**: an advisor can grant, refuse or refer any logged decision with a mandatory "
            "reason (`POST /api/v1/decisions/{id}/overrides`, and the dashboard's client file); the override is a new "
            "record pointing to the decision, with its author, so the model's proposal and the human decision both "
            "remain. Simulations are marked as such and cannot be overridden.",
            "**Explanations (art. 13)**: each score comes with exact TreeSHAP contributions turned into reason codes "
            "in plain French or English, toward refusal and toward acceptance, in probability points that add up to "
            "the probability shown. Clients see their own file, score and reasons; advisors also see global "
            "importance, comparisons with similar clients and what-if simulations.",
            "**Access control**: clients see only their own file (403 otherwise); advisors and service keys see all; "
            "every call is authenticated.",
            "**Monitoring**: drift (`monitor drift`, exit code 3 on alert), fairness (`monitor fairness`) and this "
            "card are regenerated by commands and served to advisors (`/api/v1/monitoring/...`) and on the "
            "dashboard's monitoring page.",
        ]
    )
    return doc


def write_model_card(*, bundle_dir: Path, out_dir: Path, store_dir: Path | None = None) -> ModelCardText:
    """Write model_card.md, .html and .json into ``out_dir`` (reading drift.json and fairness.json there)."""
    bundle = ModelBundle.load(bundle_dir)
    drift = read_summary(out_dir / DRIFT_FILE, DriftSummary)
    fairness = read_summary(out_dir / FAIRNESS_FILE, FairnessSummary)
    doc = model_card(bundle, store_dir=store_dir, drift=drift, fairness=fairness)
    card = ModelCardText(created_at=datetime.now(UTC), model_version=bundle.version, markdown=doc.markdown())
    write_text(out_dir / CARD_MD_FILE, card.markdown)
    write_text(out_dir / CARD_HTML_FILE, doc.html())
    write_text(out_dir / CARD_FILE, card.model_dump_json(indent=2))
    logger.info("model card written to %s", out_dir / CARD_MD_FILE)
    return card
