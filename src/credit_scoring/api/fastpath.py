"""The busiest request, ``GET /api/v1/clients/{sk_id}/score``, answered without the router when nothing is unusual.

Why: on two cores the score route's own work (a precomputed score, its reasons, the decision-log row) is about half of
what a request costs; FastAPI's routing, dependency solving and exception layers are most of the other half. This pure
ASGI layer sits inside ``RequestContextMiddleware`` (so the request id, access log and latency metric are the same) and
serves the request itself only when every condition of the ordinary success is already known:

- the credential was verified by the full path within ``auth_cache_seconds`` (the same ``PrincipalCache``);
- the caller may see the client (an advisor, or the client itself: the rule of ``require_own_client``);
- the model is loaded, its reasons are precomputed and the client is in the store (``stored_score``);
- the decision log is open.

Anything else (no or new credential, another client's id, an unknown client, a malformed id, a failed commit) goes to
the FastAPI route, which gives the documented answer: 401, 403, 404, 422 or 503. The route stays in the OpenAPI page
and is the reference; the tests check that both give the same response. A failed commit logged nothing, so handing the
request to the route (which commits again, or answers the error) acknowledges nothing twice.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from fastapi.security.utils import get_authorization_scheme_param
from starlette.types import ASGIApp, Receive, Scope, Send

from credit_scoring.api.deps import credential_key
from credit_scoring.api.recording import record_async
from credit_scoring.api.routers import clients
from credit_scoring.errors import CreditScoringError
from credit_scoring.schemas import MAX_ID

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["ScoreFastPath"]

_SCORE_PATH = re.compile(r"/api/v1/clients/([0-9]{1,10})/score")
_HEADERS = [(b"content-type", b"application/json")]


class ScoreFastPath:
    """ASGI middleware: serve an ordinary, already-authorised score request directly; pass everything else on."""

    def __init__(self, app: ASGIApp, api: FastAPI) -> None:
        self.app = app
        self.api = api
        #: The route this stands in for: what the router would put in ``scope["route"]`` (the metrics' label).
        self.route = next(r for r in clients.router.routes if getattr(r, "endpoint", None) is clients.score_client)
        #: Requests answered here (the tests read it, as ``app.state.score_fast_path.served``).
        self.served = 0
        api.state.score_fast_path = self

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            path = scope["path"]
            root = scope.get("root_path", "")
            if root and path.startswith(root):
                path = path[len(root) :]
            match = _SCORE_PATH.fullmatch(path)
            if match is not None and await self._serve(scope, int(match.group(1)), send):
                return
        await self.app(scope, receive, send)

    def _credential(self, scope: Scope) -> str | None:
        token = api_key = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                scheme, param = get_authorization_scheme_param(value.decode("latin-1"))
                token = param if scheme.lower() == "bearer" and param else None
            elif name == b"x-api-key":
                api_key = value.decode("latin-1") or None
        return credential_key(token, api_key)

    async def _serve(self, scope: Scope, sk_id: int, send: Send) -> bool:
        """Answer the request and return True, or return False (having sent nothing) to leave it to the route."""
        state = self.api.state
        credential = self._credential(scope)
        if sk_id > MAX_ID or credential is None:
            return False
        user = state.principals.get(credential)
        if user is None or user.role not in ("advisor", "client"):
            return False
        if user.role == "client" and user.client_id != sk_id:  # the route answers 403
            return False
        service = state.service
        if service is None or getattr(state, "writer", None) is None:
            return False
        try:
            score = service.stored_score(sk_id)
        except CreditScoringError:  # unknown client: the route answers 404
            return False
        if score is None:
            return False
        request_id = scope.get("state", {}).get("request_id")
        try:
            (logged,) = await record_async(self.api, [score], actor=user, kind="score", request_id=request_id)
        except Exception:  # nothing was committed: the route commits again or answers the error (503)
            return False
        body = logged.model_dump_json().encode()
        scope["route"] = self.route
        scope["path_params"] = {"sk_id": str(sk_id)}
        self.served += 1
        headers = [(b"content-length", str(len(body)).encode()), *_HEADERS]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return True
