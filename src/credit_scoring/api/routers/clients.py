"""Known clients: search (advisors), file, score, explanation, similar clients, decision history, what-if.

A client user reaches only the routes guarded by ``OwnClient`` and only for its own id. Every score served here is in
the decision log before the response leaves (kind ``score``; what-if results as ``simulation``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from credit_scoring.api.deps import Advisor, DbSession, OwnClient, RequestId, Service, get_request_id, get_service
from credit_scoring.api.recording import record, record_async
from credit_scoring.api.responses import CLIENT, errors
from credit_scoring.schemas import (
    MAX_ID,
    ClientInfo,
    ClientQuery,
    ClientSummary,
    DecisionPage,
    DecisionQuery,
    Explanation,
    Lang,
    ScoreResult,
    SimilarClient,
    WhatIfRequest,
    WhatIfResult,
)
from credit_scoring.storage.decisions import list_decisions

__all__ = ["router"]

router = APIRouter(prefix="/clients", tags=["clients"])

SkId = Annotated[int, Path(ge=0, le=MAX_ID, description="SK_ID_CURR")]


@router.get("", summary="Search known clients (paginated, at most 100)", responses=errors(401, 403, 422, 503))
def search_clients(_: Advisor, service: Service, query: Annotated[ClientQuery, Query()]) -> list[ClientSummary]:
    return service.search_clients(query)


@router.get("/{sk_id}", summary="A client's main application fields", responses=CLIENT)
def client_info(sk_id: SkId, _: OwnClient, service: Service) -> ClientInfo:
    return service.client(sk_id)


@router.get(
    "/{sk_id}/score",
    summary="Score a known client (logged as kind=score)",
    responses=CLIENT,
    response_model=ScoreResult,
)
async def score_client(sk_id: SkId, user: OwnClient, request: Request) -> Response:
    """The hot path: a precomputed score stays on the event loop, the log row joins the writer's next group commit,
    and the response is serialised once (returning a ``Response`` skips FastAPI's second validation of the model).
    The service and the request id are read here rather than as dependencies: each dependency FastAPI resolves costs
    more than the lookup itself."""
    service = await get_service(request)
    request_id = await get_request_id(request)
    score = service.stored_score(sk_id)
    if score is None:
        score = await run_in_threadpool(service.score_client, sk_id)
    (logged,) = await record_async(request.app, [score], actor=user, kind="score", request_id=request_id)
    return Response(logged.model_dump_json(), media_type="application/json")


@router.get("/{sk_id}/explanation", summary="Why this score: contributions and reason codes", responses=CLIENT)
def explain_client(
    sk_id: SkId,
    _: OwnClient,
    service: Service,
    lang: Annotated[Lang, Query()] = "fr",
    top: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Explanation:
    return service.explain_client(sk_id, lang=lang, top=top)


@router.get("/{sk_id}/similar", summary="Nearest known clients and their outcomes (advisors)", responses=CLIENT)
def similar_clients(
    sk_id: SkId, _: Advisor, service: Service, k: Annotated[int, Query(ge=1, le=50)] = 10
) -> list[SimilarClient]:
    return service.similar_clients(sk_id, k=k)


@router.get(
    "/{sk_id}/decisions", summary="The client's decision history, newest first", responses=errors(401, 403, 422)
)
def client_decisions(
    sk_id: SkId,
    _: OwnClient,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> DecisionPage:
    total, items = list_decisions(session, DecisionQuery(client_id=sk_id, limit=limit, offset=offset))
    return DecisionPage(total=total, items=list(items))


@router.post(
    "/{sk_id}/what-if",
    summary="Score the client with some application fields changed (logged as kind=simulation)",
    responses=CLIENT,
)
def what_if(
    sk_id: SkId,
    body: WhatIfRequest,
    user: OwnClient,
    service: Service,
    request: Request,
    request_id: RequestId,
) -> WhatIfResult:
    result = service.what_if(sk_id, body.changes.fields(), lang=body.lang)
    (after,) = record(request.app, [result.after], actor=user, kind="simulation", request_id=request_id)
    return result.model_copy(update={"after": after})
