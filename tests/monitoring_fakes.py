"""Small, valid monitoring summaries for API and dashboard tests (the real commands are tested in tests/unit)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from credit_scoring.schemas import (
    DriftColumn,
    DriftComparison,
    DriftSummary,
    FairnessAttribute,
    FairnessGroup,
    FairnessSummary,
    ModelCardText,
)

VERSION = "fake-1"
WHEN = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def sample_drift(*, alert: bool = True) -> DriftSummary:
    columns = [
        DriftColumn(column="EXT_SOURCE_3", kind="numerical", importance=0.2, method="Wasserstein distance (normed)",
                    threshold=0.1, score=0.35, drifted=True),
        DriftColumn(column="AMT_CREDIT", kind="numerical", importance=0.1, method="Wasserstein distance (normed)",
                    threshold=0.1, score=0.02, drifted=False),
        DriftColumn(column="NAME_CONTRACT_TYPE", kind="categorical", importance=0.05,
                    method="Jensen-Shannon distance", threshold=0.1, score=0.01, drifted=False),
    ]  # fmt: skip
    return DriftSummary(
        created_at=WHEN,
        model_version=VERSION,
        alert_share=0.3,
        alert=alert,
        basis="the 3 raw application fields carrying the largest share of the model's gain",
        monitored_columns=[c.column for c in columns],
        importance_covered=0.35,
        sample_rows=50_000,
        seed=0,
        seconds=12.5,
        comparisons=[
            DriftComparison(
                name="new_clients", description="application_test", status="alert" if alert else "ok",
                reference_rows=1000, current_rows=300, reference_total=1000, current_total=300, sampled=False,
                drifted_columns=1 if alert else 0, drift_share=1 / 3 if alert else 0.0,
                columns=columns if alert else [c.model_copy(update={"drifted": False}) for c in columns],
                report="drift_new_clients.html",
            ),
            DriftComparison(
                name="scored", description="decision log", status="insufficient_data", reference_rows=1000,
                current_rows=12, reference_total=1000, current_total=12, sampled=False,
                note="only 12 distinct application(s) scored in the decision log; at least 200 are needed",
            ),
        ],
    )  # fmt: skip


def sample_fairness() -> FairnessSummary:
    def group(name: str, count: int, approval: float, fnr: float, fpr: float) -> FairnessGroup:
        return FairnessGroup(group=name, count=count, default_rate=0.08, approval_rate=approval,
                             false_negative_rate=fnr, false_positive_rate=fpr, compared=count >= 50)  # fmt: skip

    return FairnessSummary(
        created_at=WHEN,
        model_version=VERSION,
        threshold=0.3,
        n_clients=1000,
        predictions="out-of-fold",
        positive_class="default (TARGET = 1)",
        min_group_size=50,
        attributes=[
            FairnessAttribute(
                attribute="CODE_GENDER",
                groups=[group("F", 600, 0.8, 0.3, 0.15), group("M", 395, 0.7, 0.25, 0.25), group("XNA", 5, 1, 0, 0)],
                difference={"approval_rate": 0.1, "false_negative_rate": 0.05, "false_positive_rate": 0.1},
                ratio={"approval_rate": 0.875, "false_negative_rate": 0.833, "false_positive_rate": 0.6},
            ),
            FairnessAttribute(
                attribute="age_band",
                groups=[group("<30", 200, 0.6, 0.2, 0.3), group("30-39", 800, 0.8, 0.3, 0.15)],
                difference={"approval_rate": 0.2, "false_negative_rate": 0.1, "false_positive_rate": 0.15},
                ratio={"approval_rate": 0.75, "false_negative_rate": None, "false_positive_rate": 0.5},
            ),
        ],
    )


def sample_card() -> ModelCardText:
    return ModelCardText(
        created_at=WHEN, model_version=VERSION, markdown="# Model card\n\n## Intended use\n\nAdvisors.\n"
    )


def write_summaries(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "drift.json").write_text(sample_drift().model_dump_json())
    (folder / "fairness.json").write_text(sample_fairness().model_dump_json())
    (folder / "model_card.json").write_text(sample_card().model_dump_json())
    return folder
