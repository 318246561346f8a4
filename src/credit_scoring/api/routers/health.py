"""Liveness (the process answers) and readiness (a model is loaded and the decision log is reachable)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from credit_scoring import __version__
from credit_scoring.schemas import HealthStatus, ReadyStatus
from credit_scoring.storage.db import ping

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get("/health", summary="Liveness: the process answers", response_model=HealthStatus)
def health() -> HealthStatus:
    return HealthStatus(version=__version__)


@router.get(
    "/ready",
    summary="Readiness: model loaded and database reachable (503 otherwise)",
    response_model=ReadyStatus,
    responses={503: {"model": ReadyStatus, "description": "Not ready: see detail"}},
)
def ready(request: Request, response: Response) -> ReadyStatus:
    service = request.app.state.service
    engine = request.app.state.engine
    database = engine is not None and ping(engine)
    version = None
    detail = request.app.state.service_error
    if service is not None:
        try:
            version = service.model_info().version
        except Exception as exc:  # readiness must answer, whatever the domain does
            detail = f"model info failed: {exc}"
            service = None
    if not database:
        detail = "; ".join(d for d in (detail, "database not reachable") if d)
    result = ReadyStatus(
        ready=service is not None and database,
        model_loaded=service is not None,
        database=database,
        model_version=version,
        detail=detail,
    )
    if not result.ready:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return result
