"""Writing and reading the decision log. Each function commits before it returns, so that the API answers only once
the record is durable: a score that was shown was logged."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from credit_scoring.schemas import (
    DecisionQuery,
    DecisionRecord,
    Kind,
    OverrideAction,
    OverrideRecord,
    Principal,
    ScoreResult,
)
from credit_scoring.storage.models import Decision, Override

__all__ = [
    "add_override",
    "decision_row",
    "get_decision",
    "list_decisions",
    "new_batch_id",
    "record_decisions",
    "to_record",
]

logger = logging.getLogger(__name__)


def new_batch_id() -> str:
    return uuid.uuid4().hex


def decision_row(
    score: ScoreResult, *, actor: Principal, kind: Kind, batch_id: str | None, request_id: str | None
) -> dict[str, Any]:
    """The decision-log columns of one served score (what ``DecisionWriter`` inserts)."""
    return {
        "actor": actor.username,
        "actor_role": actor.role,
        "client_id": score.sk_id,
        "model_version": score.model_version,
        "kind": kind,
        "inputs": dict(score.inputs),
        "probability": score.probability,
        "threshold": score.threshold,
        "decision": score.decision,
        "top_reasons": [reason.model_dump(mode="json") for reason in score.top_reasons],
        "batch_id": batch_id,
        "request_id": request_id,
    }


def record_decisions(
    session: Session,
    scores: Iterable[ScoreResult],
    *,
    actor: Principal,
    kind: Kind,
    batch_id: str | None = None,
    request_id: str | None = None,
) -> list[ScoreResult]:
    """Log the scores in one transaction of ``session`` and return them with their ``decision_id`` set.

    The API goes through ``DecisionWriter`` (group commit); this is the same record for scripts and tests.
    """
    pairs = [
        (score, Decision(**decision_row(score, actor=actor, kind=kind, batch_id=batch_id, request_id=request_id)))
        for score in scores
    ]
    session.add_all(row for _, row in pairs)
    session.commit()
    return [score.model_copy(update={"decision_id": row.id}) for score, row in pairs]


def to_record(row: Decision) -> DecisionRecord:
    overrides = [OverrideRecord.model_validate(o, from_attributes=True) for o in row.overrides]
    final: Any = overrides[-1].action if overrides else row.decision
    return DecisionRecord.model_validate(
        {
            "id": row.id,
            "created_at": row.created_at,
            "actor": row.actor,
            "actor_role": row.actor_role,
            "client_id": row.client_id,
            "model_version": row.model_version,
            "kind": row.kind,
            "inputs": row.inputs,
            "probability": row.probability,
            "threshold": row.threshold,
            "decision": row.decision,
            "top_reasons": row.top_reasons,
            "batch_id": row.batch_id,
            "request_id": row.request_id,
            "overrides": overrides,
            "final_decision": final,
        }
    )


def _filtered(query: DecisionQuery) -> Select[Decision]:
    statement = select(Decision)
    if query.client_id is not None:
        statement = statement.where(Decision.client_id == query.client_id)
    if query.kind is not None:
        statement = statement.where(Decision.kind == query.kind)
    if query.decision is not None:
        statement = statement.where(Decision.decision == query.decision)
    if query.actor is not None:
        statement = statement.where(Decision.actor == query.actor)
    if query.batch_id is not None:
        statement = statement.where(Decision.batch_id == query.batch_id)
    if query.since is not None:
        statement = statement.where(Decision.created_at >= query.since)
    if query.until is not None:
        statement = statement.where(Decision.created_at < query.until)
    if query.overridden is not None:
        has_override = select(Override.id).where(Override.decision_id == Decision.id).exists()
        statement = statement.where(has_override if query.overridden else ~has_override)
    return statement


def list_decisions(session: Session, query: DecisionQuery) -> tuple[int, Sequence[DecisionRecord]]:
    """The total matching ``query`` and one page of it, newest first."""
    statement = _filtered(query)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = session.scalars(
        statement.order_by(Decision.created_at.desc(), Decision.id.desc()).limit(query.limit).offset(query.offset)
    ).all()
    return total, [to_record(row) for row in rows]


def get_decision(session: Session, decision_id: int) -> DecisionRecord | None:
    row = session.get(Decision, decision_id)
    return None if row is None else to_record(row)


def add_override(
    session: Session, decision_id: int, *, actor: Principal, action: OverrideAction, reason: str
) -> OverrideRecord | None:
    """Record a human decision on ``decision_id`` (None when it does not exist). Commits."""
    if session.get(Decision, decision_id) is None:
        return None
    row = Override(decision_id=decision_id, actor=actor.username, action=action, reason=reason)
    session.add(row)
    session.commit()
    logger.info("decision %s overridden by %s: %s", decision_id, actor.username, action)
    return OverrideRecord.model_validate(row, from_attributes=True)
