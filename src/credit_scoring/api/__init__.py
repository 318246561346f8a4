"""The HTTP layer: ``create_app()`` (FastAPI factory), ``serve()`` (uvicorn). It translates; the domain decides."""

from credit_scoring.api.app import build_service, create_app
from credit_scoring.api.serve import serve

__all__ = ["build_service", "create_app", "serve"]
