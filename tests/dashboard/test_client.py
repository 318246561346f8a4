"""``ApiClient`` over ``httpx.MockTransport``: typed answers, the token sent, errors carrying the API's message."""

from __future__ import annotations

import json

import httpx
import pytest

from credit_scoring.dashboard.client import ApiClient, ApiError, AuthenticationError
from credit_scoring.schemas import ClientQuery, OverrideIn
from tests.api.fakes import FakeService

SK = 100001


def _client(handler: httpx.MockTransport) -> ApiClient:
    return ApiClient("http://api.test/", transport=handler)


def _token() -> dict[str, object]:
    return {"access_token": "tok", "token_type": "bearer", "expires_in": 3600, "role": "advisor", "client_id": None}


def test_login_then_calls_carry_the_bearer_token_and_parse_schemas() -> None:
    seen: list[httpx.Request] = []
    score = FakeService().score_client(SK)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/api/v1/auth/token":
            assert b"username=conseiller" in request.content
            return httpx.Response(200, json=_token())
        return httpx.Response(200, content=score.model_dump_json())

    api = _client(httpx.MockTransport(handler))
    token = api.login("conseiller", "pw")
    result = api.score(SK)
    assert token.role == "advisor" and api.logged_in
    assert result == score
    assert seen[1].url.path == f"/api/v1/clients/{SK}/score"
    assert seen[1].headers["Authorization"] == "Bearer tok"


def test_query_parameters_and_bodies() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/overrides"):
            return httpx.Response(
                201,
                json={
                    "id": 1,
                    "decision_id": 7,
                    "created_at": "2026-01-01T00:00:00Z",
                    "actor": "a",
                    "action": "referred",
                    "reason": "needs a committee",
                },
            )
        return httpx.Response(200, json=[])

    api = _client(httpx.MockTransport(handler))
    api.search_clients(ClientQuery(decision="refused", income_min=1000, limit=5))
    record = api.override(7, OverrideIn(action="referred", reason="needs a committee"))
    assert seen[0].url.params["decision"] == "refused"
    assert seen[0].url.params["limit"] == "5"
    assert "id_prefix" not in seen[0].url.params
    assert json.loads(seen[1].content) == {"action": "referred", "reason": "needs a committee"}
    assert record.action == "referred"


def test_error_body_becomes_api_error_with_the_api_message_and_fields() -> None:
    body = {
        "detail": "invalid input",
        "errors": [{"field": "body.changes.AMT_CREDIT", "value": -1, "expected": "greater than 0"}],
        "request_id": "req-1",
    }
    api = _client(httpx.MockTransport(lambda r: httpx.Response(422, json=body)))
    with pytest.raises(ApiError) as caught:
        api.what_if(SK, {"AMT_CREDIT": -1})
    error = caught.value
    assert error.status == 422 and error.detail == "invalid input" and error.request_id == "req-1"
    assert "body.changes.AMT_CREDIT: greater than 0" in str(error)
    assert not isinstance(error, AuthenticationError)


def test_401_is_an_authentication_error_and_forgets_the_token() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/auth/token":
            return httpx.Response(200, json=_token())
        return httpx.Response(401, json={"detail": "token expired", "errors": [], "request_id": "r"})

    api = _client(httpx.MockTransport(handler))
    api.login("conseiller", "pw")
    with pytest.raises(AuthenticationError, match="token expired"):
        api.client(SK)
    assert not api.logged_in  # the dashboard then shows the login page again


def test_wrong_password_is_an_authentication_error() -> None:
    body = {"detail": "wrong username or password", "errors": []}
    api = _client(httpx.MockTransport(lambda r: httpx.Response(401, json=body)))
    with pytest.raises(AuthenticationError, match="wrong username or password"):
        api.login("x", "y")


def test_403_keeps_the_api_message() -> None:
    body = {"detail": "a client may only see its own file", "errors": []}
    api = _client(httpx.MockTransport(lambda r: httpx.Response(403, json=body)))
    with pytest.raises(ApiError, match="its own file") as caught:
        api.client(SK + 1)
    assert caught.value.status == 403


def test_network_failure_and_non_json_errors_are_api_errors() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(ApiError, match=r"cannot be reached at http://api\.test"):
        _client(httpx.MockTransport(refuse)).model_info()
    with pytest.raises(ApiError, match="HTTP 502"):
        _client(httpx.MockTransport(lambda r: httpx.Response(502, text="<html>bad gateway</html>"))).model_info()


def test_unexpected_answer_is_an_api_error() -> None:
    api = _client(httpx.MockTransport(lambda r: httpx.Response(200, json={"nope": 1})))
    with pytest.raises(ApiError, match="unexpected answer"):
        api.model_info()


def test_missing_optional_endpoints_degrade_to_none() -> None:
    api = _client(httpx.MockTransport(lambda r: httpx.Response(404, json={"detail": "Not Found"})))
    assert api.population_sample(["AMT_CREDIT", "AMT_INCOME_TOTAL"]) is None
    assert api.feature_importance() is None
    unknown = _client(httpx.MockTransport(lambda r: httpx.Response(404, json={"detail": "unknown feature X"})))
    with pytest.raises(ApiError, match="unknown feature"):
        unknown.population_sample(["X", "Y"])
