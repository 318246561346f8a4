"""Exception handlers: every error is JSON ``ErrorResponse`` (detail, errors [{field, value, expected}], request_id).

Validation errors name the field, the value received and what was expected, so that a caller (or the dashboard) can
point at the wrong input. Unexpected exceptions are logged with their traceback and answered 500 without details.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from credit_scoring.errors import CreditScoringError
from credit_scoring.schemas import ErrorResponse, FieldError
from credit_scoring.service import InvalidInputError, ServiceUnavailableError, UnknownClientError, UnknownFeatureError

__all__ = ["BatchInputError", "error_response", "field_errors", "install_error_handlers"]

logger = logging.getLogger(__name__)

_MAX_VALUE_CHARS = 200


class BatchInputError(CreditScoringError):
    """A malformed batch upload: each error names the line and the column."""

    def __init__(self, errors: list[FieldError], detail: str) -> None:
        super().__init__(detail)
        self.errors = errors


def _safe_value(value: Any) -> Any:
    """Echo the input back only when it is small, JSON-safe and not a whole body."""
    if value is None or isinstance(value, bool | int | str):
        if isinstance(value, str) and len(value) > _MAX_VALUE_CHARS:
            return value[:_MAX_VALUE_CHARS] + "..."
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, bytes):
        return _safe_value(value.decode("utf-8", errors="replace"))
    if isinstance(value, dict | list | tuple):
        return None  # a whole object: the field path already says where
    return _safe_value(str(value))


def _expected(error: dict[str, Any]) -> str:
    message = str(error.get("msg", "invalid value"))
    context = error.get("ctx") or {}
    if error.get("type") == "literal_error" and "expected" in context:
        return f"one of {context['expected']}"
    if error.get("type") == "extra_forbidden":
        return "no such field (see the ApplicationIn schema for the accepted fields)"
    if error.get("type") == "missing":
        return "a value (this field is required)"
    return message


def field_errors(errors: Sequence[Any], *, prefix: str = "") -> list[FieldError]:
    """Pydantic's error list as {field, value, expected}; ``prefix`` places them (``line 3``)."""
    result = []
    for error in errors:
        location = ".".join(str(part) for part in error.get("loc", ()))
        field = f"{prefix}{location}" if prefix else location
        result.append(
            FieldError(field=field or "body", value=_safe_value(error.get("input")), expected=_expected(error))
        )
    return result


def error_response(
    request: Request, status_code: int, detail: str, errors: list[FieldError] | None = None, headers: Any = None
) -> JSONResponse:
    body = ErrorResponse(detail=detail, errors=errors or [], request_id=getattr(request.state, "request_id", None))
    return JSONResponse(body.model_dump(mode="json"), status_code=status_code, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = field_errors(exc.errors())
        return error_response(request, 422, f"invalid request: {len(errors)} error(s)", errors)

    @app.exception_handler(ValidationError)
    async def _pydantic(request: Request, exc: ValidationError) -> JSONResponse:
        # A model built inside a route (a what-if change set, a batch row) failed: still the caller's input.
        errors = field_errors(exc.errors())
        return error_response(request, 422, f"invalid input: {len(errors)} error(s)", errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(request, exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(UnknownClientError)
    async def _unknown_client(request: Request, exc: UnknownClientError) -> JSONResponse:
        return error_response(request, status.HTTP_404_NOT_FOUND, str(exc))

    @app.exception_handler(UnknownFeatureError)
    async def _unknown_feature(request: Request, exc: UnknownFeatureError) -> JSONResponse:
        return error_response(request, status.HTTP_404_NOT_FOUND, str(exc))

    @app.exception_handler(InvalidInputError)
    async def _invalid(request: Request, exc: InvalidInputError) -> JSONResponse:
        error = FieldError(field=exc.field, value=_safe_value(exc.value), expected=exc.expected)
        return error_response(request, 422, str(exc), [error])

    @app.exception_handler(BatchInputError)
    async def _batch(request: Request, exc: BatchInputError) -> JSONResponse:
        return error_response(request, 422, str(exc), exc.errors)

    @app.exception_handler(ServiceUnavailableError)
    async def _unavailable(request: Request, exc: ServiceUnavailableError) -> JSONResponse:
        return error_response(request, status.HTTP_503_SERVICE_UNAVAILABLE, str(exc))

    @app.exception_handler(CreditScoringError)
    async def _domain(request: Request, exc: CreditScoringError) -> JSONResponse:
        # Messages of CreditScoringError are written for users: the input could not be used as given.
        return error_response(request, 422, str(exc))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(request, 500, "internal error: it has been logged with the request id")
