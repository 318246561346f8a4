"""The decision log on SQLite and PostgreSQL: every score recorded with the right fields before the response,
simulations and batch rows marked, overrides linked to the decision they change."""

from __future__ import annotations

import json

from credit_scoring.storage.models import Decision
from tests.api.conftest import ADVISOR, OTHER_ID, OWN_ID, Api
from tests.api.fakes import THRESHOLD, VERSION


def _row(api: Api, decision_id: int) -> Decision:
    with api.session() as session:
        row = session.get(Decision, decision_id)
        assert row is not None
        return row


def test_score_is_logged_with_its_inputs(log_api: Api) -> None:
    score = log_api.http.get(
        f"/api/v1/clients/{OWN_ID}/score", headers={**log_api.client, "X-Request-ID": "req-42"}
    ).json()
    row = _row(log_api, score["decision_id"])
    assert (row.actor, row.actor_role, row.client_id, row.kind) == (f"client-{OWN_ID}", "client", OWN_ID, "score")
    assert row.model_version == VERSION and row.threshold == THRESHOLD
    assert row.probability == score["probability"] and row.decision == score["decision"]
    assert row.inputs == log_api.service.clients[OWN_ID]
    assert row.top_reasons == score["top_reasons"]
    assert row.request_id == "req-42" and row.batch_id is None
    assert row.created_at.tzinfo is not None


def test_what_if_is_a_simulation(log_api: Api) -> None:
    result = log_api.http.post(
        f"/api/v1/clients/{OWN_ID}/what-if", json={"changes": {"AMT_CREDIT": 123000}}, headers=log_api.advisor
    ).json()
    row = _row(log_api, result["after"]["decision_id"])
    assert row.kind == "simulation" and row.inputs["AMT_CREDIT"] == 123000 and row.actor == ADVISOR[0]
    override = log_api.http.post(
        f"/api/v1/decisions/{row.id}/overrides",
        json={"action": "granted", "reason": "a simulation cannot be granted"},
        headers=log_api.advisor,
    )
    assert override.status_code == 409


def test_application_is_logged_without_client(log_api: Api) -> None:
    body = {
        "NAME_CONTRACT_TYPE": "Revolving loans",
        "AMT_INCOME_TOTAL": 50000,
        "AMT_CREDIT": 90000,
        "DAYS_BIRTH": -9000,
    }
    score = log_api.http.post("/api/v1/applications", json=body, headers=log_api.api_key).json()["score"]
    row = _row(log_api, score["decision_id"])
    assert row.kind == "application" and row.client_id is None and row.actor == "api-key:batch-robot"
    assert row.inputs == body


def test_batch_rows_share_a_batch_id(log_api: Api) -> None:
    upload = f"SK_ID_CURR\n{OWN_ID}\n{OTHER_ID}\n{OWN_ID}\n"
    response = log_api.http.post(
        "/api/v1/batch", files={"file": ("ids.csv", upload, "text/csv")}, headers=log_api.advisor
    )
    assert response.status_code == 200, response.text
    batch_id = response.headers["X-Batch-ID"]
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert [r["line"] for r in lines] == [2, 3, 4] and [r["sk_id"] for r in lines] == [OWN_ID, OTHER_ID, OWN_ID]
    page = log_api.http.get("/api/v1/decisions", params={"batch_id": batch_id}, headers=log_api.advisor).json()
    assert page["total"] == 3
    assert {d["kind"] for d in page["items"]} == {"batch"}
    assert sorted(d["id"] for d in page["items"]) == sorted(r["decision_id"] for r in lines)


def test_override_is_linked_and_changes_the_final_decision(log_api: Api) -> None:
    score = log_api.http.get(f"/api/v1/clients/{OTHER_ID}/score", headers=log_api.advisor).json()
    decision_id = score["decision_id"]
    created = log_api.http.post(
        f"/api/v1/decisions/{decision_id}/overrides",
        json={"action": "referred", "reason": "recent job change, needs a committee"},
        headers=log_api.advisor,
    )
    assert created.status_code == 201
    assert created.json()["decision_id"] == decision_id and created.json()["actor"] == ADVISOR[0]
    record = log_api.http.get(f"/api/v1/decisions/{decision_id}", headers=log_api.advisor).json()
    assert record["decision"] == score["decision"], "the model's decision is never rewritten"
    assert record["final_decision"] == "referred" and len(record["overrides"]) == 1
    overridden = log_api.http.get(
        "/api/v1/decisions", params={"overridden": True, "client_id": OTHER_ID}, headers=log_api.advisor
    ).json()
    assert decision_id in {d["id"] for d in overridden["items"]}
    assert (
        log_api.http.post(
            "/api/v1/decisions/999999/overrides",
            json={"action": "granted", "reason": "no such one"},
            headers=log_api.advisor,
        ).status_code
        == 404
    )
    short = log_api.http.post(
        f"/api/v1/decisions/{decision_id}/overrides",
        json={"action": "granted", "reason": "ok"},
        headers=log_api.advisor,
    )
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "body.reason"


def test_filters_and_client_history(log_api: Api) -> None:
    log_api.http.get(f"/api/v1/clients/{OWN_ID}/score", headers=log_api.client)
    mine = log_api.http.get(f"/api/v1/clients/{OWN_ID}/decisions", headers=log_api.client).json()
    assert mine["total"] >= 1 and {d["client_id"] for d in mine["items"]} == {OWN_ID}
    times = [d["created_at"] for d in mine["items"]]
    assert times == sorted(times, reverse=True), "newest first"
    scores = log_api.http.get(
        "/api/v1/decisions", params={"kind": "score", "client_id": OWN_ID, "limit": 1}, headers=log_api.advisor
    ).json()
    assert len(scores["items"]) == 1 and scores["total"] >= 1
    assert log_api.http.get(
        "/api/v1/decisions", params={"since": "2999-01-01T00:00:00Z"}, headers=log_api.advisor
    ).json() == {"total": 0, "items": []}
