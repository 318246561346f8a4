"""All routers, gathered in one place and mounted under /api/v1 by ``create_app``."""

from __future__ import annotations

from fastapi import APIRouter

from credit_scoring.api.routers import applications, auth, clients, decisions, health, model, monitoring

__all__ = ["API_PREFIX", "api_router"]

API_PREFIX = "/api/v1"

api_router = APIRouter()
# Routes are matched in order: the busiest (a known client's score) first. No two routers share a path.
api_router.include_router(clients.router)
api_router.include_router(health.router)
api_router.include_router(auth.router)
api_router.include_router(model.router)
api_router.include_router(applications.router)
api_router.include_router(decisions.router)
api_router.include_router(monitoring.router)
