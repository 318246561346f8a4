"""Logging scores to the decision log and counting them, in one call the routes share."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from credit_scoring.api.observability import Metrics
from credit_scoring.schemas import Kind, Principal, ScoreResult
from credit_scoring.storage.decisions import record_decisions

__all__ = ["record"]


def record(
    session: Session,
    scores: Iterable[ScoreResult],
    *,
    actor: Principal,
    kind: Kind,
    metrics: Metrics,
    request_id: str | None,
    batch_id: str | None = None,
) -> list[ScoreResult]:
    """Commit the scores to the log, then count them: the caller returns them only after this."""
    logged = record_decisions(session, scores, actor=actor, kind=kind, batch_id=batch_id, request_id=request_id)
    for score in logged:
        metrics.decisions.labels(kind, score.decision).inc()
    return logged
