"""The role table of docs/api.md, checked for every endpoint: advisor, client on its own id, client on another id,
API key, and no credentials. A route missing from the table fails the coverage test."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import OTHER_ID, OWN_ID, Api
from tests.monitoring_fakes import write_summaries

GOOD_APPLICATION = {
    "NAME_CONTRACT_TYPE": "Cash loans",
    "AMT_INCOME_TOTAL": 100000,
    "AMT_CREDIT": 200000,
    "DAYS_BIRTH": -12000,
}
CSV = f"SK_ID_CURR\n{OWN_ID}\n{OTHER_ID}\n".encode()

# method, path, request kwargs, advisor, client (own id / non-id route), client on another id, anonymous
ROLE_TABLE: list[tuple[str, str, dict[str, Any], int, int, int, int]] = [
    ("GET", "/api/v1/health", {}, 200, 200, 200, 200),
    ("GET", "/api/v1/ready", {}, 200, 200, 200, 200),
    ("POST", "/api/v1/auth/token", {"data": {"username": "nobody", "password": "wrong-password"}}, 401, 401, 401, 401),
    ("GET", "/api/v1/auth/me", {}, 200, 200, 200, 401),
    ("GET", "/api/v1/model", {}, 200, 403, 403, 401),
    ("GET", "/api/v1/model/importance", {}, 200, 403, 403, 401),
    ("GET", "/api/v1/population/sample", {"params": {"features": "AMT_CREDIT,EXT_SOURCE_2"}}, 200, 403, 403, 401),
    ("GET", "/api/v1/distributions", {}, 200, 200, 200, 401),
    ("GET", "/api/v1/distributions/{feature}", {}, 200, 200, 200, 401),
    ("GET", "/api/v1/clients", {}, 200, 403, 403, 401),
    ("GET", "/api/v1/clients/{sk_id}", {}, 200, 200, 403, 401),
    ("GET", "/api/v1/clients/{sk_id}/score", {}, 200, 200, 403, 401),
    ("GET", "/api/v1/clients/{sk_id}/explanation", {}, 200, 200, 403, 401),
    ("GET", "/api/v1/clients/{sk_id}/similar", {}, 200, 403, 403, 401),
    ("GET", "/api/v1/clients/{sk_id}/decisions", {}, 200, 200, 403, 401),
    ("POST", "/api/v1/clients/{sk_id}/what-if", {"json": {"changes": {"AMT_CREDIT": 100000}}}, 200, 200, 403, 401),
    ("POST", "/api/v1/applications", {"json": GOOD_APPLICATION}, 200, 403, 403, 401),
    ("POST", "/api/v1/batch", {"files": {"file": ("ids.csv", CSV, "text/csv")}}, 200, 403, 403, 401),
    ("GET", "/api/v1/decisions", {}, 200, 403, 403, 401),
    ("GET", "/api/v1/decisions/{decision_id}", {}, 200, 200, 403, 401),
    (
        "POST",
        "/api/v1/decisions/{decision_id}/overrides",
        {"json": {"action": "referred", "reason": "income to be verified"}},
        201,
        403,
        403,
        401,
    ),
    ("GET", "/api/v1/monitoring/drift", {}, 200, 403, 403, 401),
    ("GET", "/api/v1/monitoring/fairness", {}, 200, 403, 403, 401),
    ("GET", "/api/v1/monitoring/card", {}, 200, 403, 403, 401),
]


@pytest.fixture(scope="module", autouse=True)
def monitoring_summaries(api: Api, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Summaries as the monitor commands write them, in a folder of this module's settings (200 for advisors)."""
    folder = write_summaries(tmp_path_factory.mktemp("monitoring"))
    api.app.state.settings = api.app.state.settings.model_copy(update={"monitoring_dir": folder})


@pytest.fixture(scope="module")
def decisions(api: Api) -> dict[int, int]:
    """A logged decision for each of the two clients (scored by the advisor)."""
    out = {}
    for sk_id in (OWN_ID, OTHER_ID):
        response = api.http.get(f"/api/v1/clients/{sk_id}/score", headers=api.advisor)
        out[sk_id] = response.json()["decision_id"]
    return out


def _url(path: str, sk_id: int, decisions: dict[int, int]) -> str:
    return path.format(sk_id=sk_id, feature="AMT_CREDIT", decision_id=decisions[sk_id])


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "advisor", "own", "other", "anonymous"),
    ROLE_TABLE,
    ids=[f"{m} {p}" for m, p, *_ in ROLE_TABLE],
)
def test_role_table(
    api: Api,
    decisions: dict[int, int],
    method: str,
    path: str,
    kwargs: dict[str, Any],
    advisor: int,
    own: int,
    other: int,
    anonymous: int,
) -> None:
    def call(headers: dict[str, str], sk_id: int) -> int:
        return api.http.request(method, _url(path, sk_id, decisions), headers=headers, **kwargs).status_code

    assert call(api.advisor, OWN_ID) == advisor
    assert call(api.api_key, OWN_ID) == advisor, "an API key acts as an advisor"
    assert call(api.client, OWN_ID) == own
    assert call(api.client, OTHER_ID) == other
    assert call({}, OWN_ID) == anonymous
    if anonymous == 401:
        assert call({"Authorization": "Bearer not-a-token"}, OWN_ID) == 401
        assert call({"X-API-Key": "cs_wrong"}, OWN_ID) == 401


def test_role_table_covers_every_route(api: Api) -> None:
    """Every operation of the OpenAPI document has a row (a new endpoint must say who may call it)."""
    documented = {(method.upper(), path) for path, item in api.app.openapi()["paths"].items() for method in item}
    assert documented == {(m, p) for m, p, *_ in ROLE_TABLE}


def test_token_login_for_each_role(api: Api) -> None:
    me = api.http.get("/api/v1/auth/me", headers=api.client).json()
    assert me == {"username": f"client-{OWN_ID}", "role": "client", "client_id": OWN_ID}
    assert api.http.get("/api/v1/auth/me", headers=api.advisor).json()["role"] == "advisor"


def test_metrics_are_public(api: Api) -> None:
    response = api.http.get("/metrics")
    assert response.status_code == 200
    assert "credit_scoring_http_request_duration_seconds" in response.text
