"""``create_app()``: the FastAPI application factory, and its lifespan (database, migrations, domain service).

Nothing happens at import. ``uvicorn credit_scoring.api.app:create_app --factory`` (or ``serve()``) builds the app; the
lifespan opens the decision log, runs the migrations and loads the domain service through ``build_service``. When the
service cannot be built (no model yet), the API still starts: /ready answers 503 with the reason, as do model routes.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Response
from starlette.concurrency import run_in_threadpool

from credit_scoring import __version__
from credit_scoring.api.errors import install_error_handlers
from credit_scoring.api.fastpath import ScoreFastPath
from credit_scoring.api.main import API_PREFIX, api_router
from credit_scoring.api.observability import Metrics, RequestContextMiddleware
from credit_scoring.api.security import PrincipalCache
from credit_scoring.config import Settings, get_settings
from credit_scoring.errors import CreditScoringError
from credit_scoring.service import ScoringService, load_service
from credit_scoring.storage.db import make_engine, make_session_factory, upgrade_database
from credit_scoring.storage.writer import DecisionWriter

__all__ = ["build_service", "create_app"]

logger = logging.getLogger(__name__)

_DESCRIPTION = """
Credit decisions for Prêt à dépenser: scores, explanations and the decision log.

Log in at `POST /api/v1/auth/token` (advisor or client) and send `Authorization: Bearer <token>`; service callers
send `X-API-Key`. Advisors may use every endpoint; a client only its own file, score, explanation, what-if and
decision history, and population distributions. Errors are `{detail, errors: [{field, value, expected}], request_id}`.
"""

_TAGS = [
    {"name": "health", "description": "Liveness and readiness"},
    {"name": "auth", "description": "Login and identity"},
    {"name": "model", "description": "Model information and population distributions"},
    {"name": "clients", "description": "Known clients: file, score, explanation, similar clients, what-if"},
    {"name": "applications", "description": "New applications, one or in batch"},
    {"name": "decisions", "description": "Decision log and human overrides"},
]


def build_service(settings: Settings) -> ScoringService:
    """HOOK for the domain: the real service comes from ``credit_scoring.service.load_service(settings)``."""
    return load_service(settings)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    engine = make_engine(settings.database_url)
    if settings.database_auto_migrate:
        await run_in_threadpool(upgrade_database, engine=engine)
    app.state.engine = engine
    app.state.sessions = make_session_factory(engine)
    app.state.writer = DecisionWriter(engine)
    owned = app.state.service is None
    if owned:
        try:
            app.state.service = await run_in_threadpool(build_service, settings)
            app.state.service_error = None
        except CreditScoringError as exc:
            logger.error("the API starts without a model: %s", exc)
            app.state.service_error = str(exc)
    try:
        yield
    finally:
        writer, app.state.writer = app.state.writer, None
        if writer is not None:
            await run_in_threadpool(writer.close)  # what is queued is committed before the engine goes
        if owned:
            close = getattr(app.state.service, "close", None)
            if callable(close):
                close()
            app.state.service = None
        engine.dispose()
        app.state.engine = None


def create_app(settings: Settings | None = None, service: ScoringService | None = None) -> FastAPI:
    """The API. ``service`` is the domain (tests pass a fake); when None it is built from ``settings`` at startup."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Credit scoring API",
        version=__version__,
        description=_DESCRIPTION,
        openapi_tags=_TAGS,
        lifespan=_lifespan,
    )
    metrics = Metrics()
    app.state.settings = settings
    app.state.service = service
    app.state.service_error = None
    app.state.metrics = metrics
    app.state.engine = None
    app.state.sessions = None
    app.state.writer = None
    app.state.principals = PrincipalCache(settings.auth_cache_seconds)
    install_error_handlers(app)
    app.include_router(api_router, prefix=API_PREFIX)

    @app.get("/metrics", include_in_schema=False)
    def prometheus_metrics() -> Response:
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    app.add_middleware(ScoreFastPath, api=app)  # inside the request context: same request id, access log, metrics
    app.add_middleware(RequestContextMiddleware, metrics=metrics)
    return app
