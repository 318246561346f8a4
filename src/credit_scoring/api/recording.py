"""Logging scores to the decision log and counting them, in one call the routes share.

Rows go through the app's ``DecisionWriter`` (group commit): a route returns its scores only once they are committed.
``record`` blocks (routes run in worker threads); ``record_async`` awaits (routes on the event loop).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from fastapi import FastAPI

from credit_scoring.api.observability import Metrics
from credit_scoring.schemas import Kind, Principal, ScoreResult
from credit_scoring.service import ServiceUnavailableError
from credit_scoring.storage.decisions import decision_row
from credit_scoring.storage.writer import DecisionWriter

__all__ = ["record", "record_async", "writer_of"]


def writer_of(app: FastAPI) -> DecisionWriter:
    """The app's decision writer, opened by its lifespan (503 when the app runs without it: nothing can be logged)."""
    writer: DecisionWriter | None = getattr(app.state, "writer", None)
    if writer is None:
        raise ServiceUnavailableError("the decision log is not open: scores cannot be logged, so none is served")
    return writer


def _rows(
    scores: Sequence[ScoreResult], actor: Principal, kind: Kind, batch_id: str | None, request_id: str | None
) -> list[dict[str, object]]:
    return [decision_row(s, actor=actor, kind=kind, batch_id=batch_id, request_id=request_id) for s in scores]


def _logged(scores: Sequence[ScoreResult], ids: list[int], metrics: Metrics, kind: Kind) -> list[ScoreResult]:
    for score in scores:
        metrics.decisions.labels(kind, score.decision).inc()
    return [score.model_copy(update={"decision_id": i}) for score, i in zip(scores, ids, strict=True)]


def record(
    app: FastAPI,
    scores: Iterable[ScoreResult],
    *,
    actor: Principal,
    kind: Kind,
    request_id: str | None,
    batch_id: str | None = None,
) -> list[ScoreResult]:
    """Commit the scores to the log (blocking), count them, and return them with their ``decision_id``."""
    listed = list(scores)
    ids = writer_of(app).write(_rows(listed, actor, kind, batch_id, request_id))
    return _logged(listed, ids, app.state.metrics, kind)


async def record_async(
    app: FastAPI,
    scores: Iterable[ScoreResult],
    *,
    actor: Principal,
    kind: Kind,
    request_id: str | None,
    batch_id: str | None = None,
) -> list[ScoreResult]:
    """As ``record``, awaiting the commit on the event loop."""
    listed = list(scores)
    ids = await writer_of(app).write_async(_rows(listed, actor, kind, batch_id, request_id))
    return _logged(listed, ids, app.state.metrics, kind)
