"""The training report: plots (PNG) and a JSON/Markdown summary, written into the bundle folder."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import precision_recall_curve, roc_curve

from credit_scoring.modeling.cost import cost_curve
from credit_scoring.modeling.train import TrainingResult

__all__ = ["write_plots", "write_report"]

# Okabe-Ito: distinguishable with every common form of colour blindness.
_BLUE, _ORANGE, _GREEN, _GREY = "#0072B2", "#E69F00", "#009E73", "#555555"


def write_plots(result: TrainingResult, folder: Path, *, fn_cost: float, fp_cost: float) -> list[Path]:
    """ROC, precision-recall, cost versus threshold, calibration, confusion matrix and global importance."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    y, p = result.holdout["TARGET"].to_numpy(), result.holdout["proba"].to_numpy()
    y_oof, p_oof = result.oof["TARGET"].to_numpy(), result.oof["proba"].to_numpy()
    paths: list[Path] = []

    def save(fig: Any, name: str) -> None:
        fig.tight_layout()
        path = folder / name
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)

    fig, ax = plt.subplots(figsize=(5, 5))
    fpr, tpr, _ = roc_curve(y, p)
    ax.plot(fpr, tpr, color=_BLUE, label=f"holdout (AUC {result.metrics['holdout_auc']:.3f})")
    ax.plot([0, 1], [0, 1], color=_GREY, linestyle="--", label="chance")
    ax.set(xlabel="False positive rate", ylabel="True positive rate (recall)", title="ROC curve")
    ax.legend(loc="lower right")
    save(fig, "roc.png")

    fig, ax = plt.subplots(figsize=(5, 5))
    prec, rec, _ = precision_recall_curve(y, p)
    ax.plot(rec, prec, color=_BLUE, label="holdout")
    ax.axhline(y.mean(), color=_GREY, linestyle="--", label=f"default rate {y.mean():.1%}")
    ax.set(xlabel="Recall", ylabel="Precision", title="Precision-recall curve")
    ax.legend()
    save(fig, "precision_recall.png")

    fig, ax = plt.subplots(figsize=(6, 4))
    curve = cost_curve(y_oof, p_oof, fn_cost=fn_cost, fp_cost=fp_cost)
    finite = np.isfinite(curve.thresholds)
    ax.plot(curve.thresholds[finite], curve.costs[finite] / len(y_oof), color=_BLUE, label="out-of-fold cost")
    ax.axvline(result.threshold, color=_ORANGE, linestyle="--", label=f"chosen threshold {result.threshold:.3f}")
    ax.set(
        xlabel="Threshold on the calibrated probability",
        ylabel="Cost per client",
        title=f"Business cost (missed default {fn_cost:g}, refused good client {fp_cost:g})",
    )
    ax.legend()
    save(fig, "cost_vs_threshold.png")

    fig, ax = plt.subplots(figsize=(5, 5))
    order = np.argsort(p)
    for probs, label, colour, marker in (
        (result.holdout["proba_uncalibrated"].to_numpy(), "before calibration", _ORANGE, "s"),
        (p, "after calibration", _BLUE, "o"),
    ):
        order = np.argsort(probs)
        bins = np.array_split(order, 10)
        ax.plot([probs[b].mean() for b in bins], [y[b].mean() for b in bins], marker=marker, color=colour, label=label)
    top = float(max(p.max(), 0.05))
    ax.plot([0, top], [0, top], color=_GREY, linestyle="--", label="perfect calibration")
    ax.set(xlabel="Predicted probability (bin mean)", ylabel="Observed default rate", title="Calibration (holdout)")
    ax.legend()
    save(fig, "calibration.png")

    fig, ax = plt.subplots(figsize=(4.5, 4))
    s = result.cost_at_threshold
    matrix = np.array([[s.true_negatives, s.false_positives], [s.false_negatives, s.true_positives]])
    ax.imshow(matrix, cmap="Blues")
    for (i, j), v in np.ndenumerate(matrix):
        ax.text(j, i, f"{v:,}", ha="center", va="center", color="black", fontsize=12,
                bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"})  # fmt: skip
    ax.set(xticks=[0, 1], yticks=[0, 1], xticklabels=["granted", "refused"], yticklabels=["repaid", "defaulted"])
    ax.set(xlabel="Decision", ylabel="Outcome", title="Confusion matrix at the threshold (holdout)")
    save(fig, "confusion_matrix.png")

    fig, ax = plt.subplots(figsize=(7, 6))
    top20 = result.importance.head(20).iloc[::-1]
    ax.barh(top20["feature"], top20["gain"] / top20["gain"].sum(), color=_BLUE)
    ax.set(xlabel="Share of gain among the top 20", title="Global importance (LightGBM gain)")
    ax.tick_params(axis="y", labelsize=7)
    save(fig, "importance.png")
    return paths


def _clean(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        return _clean(value.item())
    return value


def write_report(result: TrainingResult, folder: Path, *, extra: dict[str, Any]) -> list[Path]:
    """``report.json`` (every figure) and ``report.md`` (the same, for people)."""
    report = _clean(
        {
            **extra,
            "metrics": result.metrics,
            "comparison": result.comparison,
            "params": result.params,
            "timings_seconds": result.timings,
            "top_features": result.importance.head(30).to_dict(orient="records"),
        }
    )
    json_path = folder / "report.json"
    json_path.write_text(json.dumps(report, indent=2), encoding="utf-8")
    m = result.metrics
    lines = [
        "# Training report",
        "",
        f"Threshold (calibrated probability): **{m['threshold']:.4f}**; imbalance strategy: **{result.strategy}**.",
        "",
        "## Holdout (measured once, never used for a choice)",
        "",
        "| measure | value |",
        "|---|---|",
        f"| AUC | {m['holdout_auc']:.4f} |",
        f"| business cost per client | {m['holdout_cost_per_client']:.4f} |",
        f"| cost / best trivial policy | {m['holdout_cost_normalized']:.3f} |",
        f"| cost if everyone is granted / refused | {m['holdout_cost_grant_everyone']:.0f} / "
        f"{m['holdout_cost_refuse_everyone']:.0f} (model: {m['holdout_cost_total']:.0f}) |",
        f"| recall / precision / accuracy | {m['holdout_recall']:.3f} / {m['holdout_precision']:.3f} / "
        f"{m['holdout_accuracy']:.3f} |",
        f"| refusal rate | {m['holdout_refusal_rate']:.3f} |",
        f"| Brier before / after calibration | {m['holdout_brier_uncalibrated']:.4f} / {m['holdout_brier']:.4f} |",
        f"| ECE before / after calibration | {m['holdout_ece_uncalibrated']:.4f} / {m['holdout_ece']:.4f} |",
        "",
        "## Cross-validation on the development clients (out of fold)",
        "",
        "| model | AUC | cost per client | cost / best trivial |",
        "|---|---|---|---|",
    ]
    for row in result.comparison:
        if "oof_auc" in row:
            lines.append(
                f"| {row['model']} | {row['oof_auc']:.4f} | {row['oof_cost_per_client']:.4f} | "
                f"{row['oof_cost_normalized']:.3f} |"
            )
    lines += ["", "## Time (seconds)", "", *[f"- {k}: {v}" for k, v in result.timings.items()], ""]
    md_path = folder / "report.md"
    md_path.write_text("\n".join(lines), encoding="utf-8")
    return [json_path, md_path]
