"""OpenAPI error responses shared by the routers, so every operation documents what it may answer besides 200."""

from __future__ import annotations

from typing import Any

from credit_scoring.schemas import ErrorResponse

__all__ = ["AUTH", "CLIENT", "UNAVAILABLE", "VALIDATION", "errors"]

_DESCRIPTIONS = {
    401: "Missing or invalid credentials",
    403: "Authenticated, but this role may not do this",
    404: "Unknown client, feature or decision",
    409: "The request conflicts with the resource's state",
    413: "Upload too large",
    422: "Invalid input: each error names the field, the value and what was expected",
    503: "No model is loaded",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorResponse, "description": _DESCRIPTIONS[code]} for code in codes}


AUTH = errors(401, 403, 422)
VALIDATION = errors(422)
UNAVAILABLE = errors(503)
CLIENT = errors(401, 403, 404, 422, 503)
