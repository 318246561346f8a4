"""The decision log: list and filter (advisors), read one (advisors, or the client it concerns), override or refer.

An override never edits the logged decision: it is a new record pointing to it, with the advisor and the reason.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request, status

from credit_scoring.api.deps import Advisor, CurrentUser, DbSession
from credit_scoring.api.responses import errors
from credit_scoring.schemas import MAX_ID, DecisionPage, DecisionQuery, DecisionRecord, OverrideIn, OverrideRecord
from credit_scoring.storage.decisions import add_override, get_decision, list_decisions

__all__ = ["router"]

router = APIRouter(prefix="/decisions", tags=["decisions"])

DecisionId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _found(record: DecisionRecord | None, decision_id: int) -> DecisionRecord:
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"unknown decision {decision_id}")
    return record


@router.get("", summary="List and filter logged decisions, newest first", responses=errors(401, 403, 422))
def decisions(_: Advisor, session: DbSession, query: Annotated[DecisionQuery, Query()]) -> DecisionPage:
    total, items = list_decisions(session, query)
    return DecisionPage(total=total, items=list(items))


@router.get("/{decision_id}", summary="One logged decision with its overrides", responses=errors(401, 403, 404, 422))
def decision(decision_id: DecisionId, user: CurrentUser, session: DbSession) -> DecisionRecord:
    record = _found(get_decision(session, decision_id), decision_id)
    if user.role == "client" and record.client_id != user.client_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="a client may only see its own decisions")
    return record


@router.post(
    "/{decision_id}/overrides",
    summary="Override or refer a decision, with a reason (advisors)",
    status_code=status.HTTP_201_CREATED,
    responses=errors(401, 403, 404, 409, 422),
)
def override(
    decision_id: DecisionId, body: OverrideIn, user: Advisor, session: DbSession, request: Request
) -> OverrideRecord:
    record = _found(get_decision(session, decision_id), decision_id)
    if record.kind == "simulation":
        raise HTTPException(status.HTTP_409_CONFLICT, detail="a simulation is not a decision: it cannot be overridden")
    created = add_override(session, decision_id, actor=user, action=body.action, reason=body.reason)
    if created is None:  # deleted meanwhile
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"unknown decision {decision_id}")
    request.app.state.metrics.overrides.labels(body.action).inc()
    return created
