"""Every endpoint through TestClient: happy paths, the error format, 404s, domain errors."""

from __future__ import annotations

import pytest

from tests.api.conftest import OWN_ID, Api, login
from tests.api.fakes import N_CLIENTS, THRESHOLD, VERSION

APPLICATION = {
    "NAME_CONTRACT_TYPE": "Cash loans",
    "AMT_INCOME_TOTAL": 120000,
    "AMT_CREDIT": 240000,
    "AMT_ANNUITY": 12000,
    "DAYS_BIRTH": -15000,
    "EXT_SOURCE_2": 0.6,
    "CODE_GENDER": "F",
}


def test_health_and_ready(api: Api) -> None:
    assert api.http.get("/api/v1/health").json()["status"] == "ok"
    ready = api.http.get("/api/v1/ready").json()
    assert ready == {"ready": True, "model_loaded": True, "database": True, "model_version": VERSION, "detail": None}


def test_request_id_is_echoed_or_made(api: Api) -> None:
    response = api.http.get("/api/v1/health", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
    generated = api.http.get("/api/v1/health", headers={"X-Request-ID": "bad id with spaces"}).headers["X-Request-ID"]
    assert generated != "bad id with spaces" and len(generated) == 32


def test_login_wrong_password_is_401(api: Api) -> None:
    response = api.http.post("/api/v1/auth/token", data={"username": "advisor1", "password": "nope-nope"})
    assert response.status_code == 401
    assert response.json()["detail"] == "wrong username or password"


def test_model_info(api: Api) -> None:
    info = api.http.get("/api/v1/model", headers=api.advisor).json()
    assert info["version"] == VERSION and info["threshold"] == THRESHOLD and info["fn_cost"] == 10.0


def test_search_clients_filters_and_paginates(api: Api) -> None:
    everyone = api.http.get("/api/v1/clients", params={"limit": 100}, headers=api.advisor).json()
    assert len(everyone) == N_CLIENTS
    refused = api.http.get("/api/v1/clients", params={"decision": "refused", "limit": 100}, headers=api.advisor).json()
    assert refused and all(c["decision"] == "refused" for c in refused)
    page = api.http.get("/api/v1/clients", params={"limit": 5, "offset": 5}, headers=api.advisor).json()
    assert [c["sk_id"] for c in page] == [c["sk_id"] for c in everyone[5:10]]
    too_many = api.http.get("/api/v1/clients", params={"limit": 101}, headers=api.advisor)
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "query.limit"


def test_client_info_score_explanation(api: Api) -> None:
    info = api.http.get(f"/api/v1/clients/{OWN_ID}", headers=api.client).json()
    assert info["sk_id"] == OWN_ID and "AMT_CREDIT" in info["fields"]
    score = api.http.get(f"/api/v1/clients/{OWN_ID}/score", headers=api.client).json()
    assert score["decision"] in ("granted", "refused") and score["decision_id"] > 0
    assert score["distance_to_threshold"] == pytest.approx(score["probability"] - THRESHOLD)
    for lang in ("fr", "en"):
        explanation = api.http.get(
            f"/api/v1/clients/{OWN_ID}/explanation", params={"lang": lang, "top": 2}, headers=api.client
        ).json()
        assert explanation["lang"] == lang and len(explanation["contributions"]) == 2
    bad_lang = api.http.get(f"/api/v1/clients/{OWN_ID}/explanation", params={"lang": "de"}, headers=api.client)
    assert bad_lang.status_code == 422
    assert bad_lang.json()["errors"][0] == {"field": "query.lang", "value": "de", "expected": "one of 'fr' or 'en'"}


def test_unknown_client_is_404(api: Api) -> None:
    for suffix in ("", "/score", "/explanation", "/similar"):
        response = api.http.get(f"/api/v1/clients/999999{suffix}", headers=api.advisor)
        assert response.status_code == 404, suffix
        assert response.json()["detail"] == "unknown client 999999"


def test_similar_clients(api: Api) -> None:
    similar = api.http.get(f"/api/v1/clients/{OWN_ID}/similar", params={"k": 3}, headers=api.advisor).json()
    assert len(similar) == 3 and OWN_ID not in {s["sk_id"] for s in similar}
    assert [s["distance"] for s in similar] == sorted(s["distance"] for s in similar)


def test_distributions(api: Api) -> None:
    features = api.http.get("/api/v1/distributions", headers=api.client).json()
    assert "AMT_CREDIT" in {f["name"] for f in features}
    histogram = api.http.get("/api/v1/distributions/AMT_CREDIT", params={"bins": 5}, headers=api.client).json()
    assert len(histogram["bin_edges"]) == 6
    assert sum(histogram["repaid"]) + sum(histogram["defaulted"]) + sum(histogram["unknown"]) == N_CLIENTS
    categorical = api.http.get("/api/v1/distributions/NAME_CONTRACT_TYPE", headers=api.client).json()
    assert categorical["categories"] == ["Cash loans", "Revolving loans"]
    assert api.http.get("/api/v1/distributions/NOPE", headers=api.client).status_code == 404


def test_what_if_changes_the_score(api: Api) -> None:
    response = api.http.post(
        f"/api/v1/clients/{OWN_ID}/what-if",
        json={"changes": {"EXT_SOURCE_2": 0.05, "AMT_CREDIT": 900000}, "lang": "en"},
        headers=api.client,
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["after"]["probability"] > result["before"]["probability"]
    assert result["changed"] == ["AMT_CREDIT", "EXT_SOURCE_2"]
    assert result["after"]["decision_id"] > 0 and result["before"]["decision_id"] is None


def test_what_if_validation_names_field_value_expected(api: Api) -> None:
    response = api.http.post(
        f"/api/v1/clients/{OWN_ID}/what-if",
        json={"changes": {"NAME_CONTRACT_TYPE": "Mortgage", "EXT_SOURCE_2": 1.5, "NOT_A_FIELD": 1}},
        headers=api.client,
    )
    assert response.status_code == 422
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert errors["body.changes.NAME_CONTRACT_TYPE"]["value"] == "Mortgage"
    assert "'Cash loans' or 'Revolving loans'" in errors["body.changes.NAME_CONTRACT_TYPE"]["expected"]
    assert errors["body.changes.EXT_SOURCE_2"] == {
        "field": "body.changes.EXT_SOURCE_2",
        "value": 1.5,
        "expected": "Input should be less than or equal to 1",
    }
    assert errors["body.changes.NOT_A_FIELD"]["expected"].startswith("no such field")
    sk_id = api.http.post(f"/api/v1/clients/{OWN_ID}/what-if", json={"changes": {"SK_ID_CURR": 5}}, headers=api.client)
    assert sk_id.status_code == 422, "a what-if cannot change which client it is"


def test_domain_invalid_input_is_422(api: Api) -> None:
    response = api.http.post(
        f"/api/v1/clients/{OWN_ID}/what-if", json={"changes": {"AMT_ANNUITY": 10_000_000}}, headers=api.client
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "AMT_ANNUITY", "value": 10_000_000, "expected": "at most AMT_CREDIT (335000.0)"}
    ]


def test_score_application(api: Api) -> None:
    response = api.http.post("/api/v1/applications", params={"lang": "en"}, json=APPLICATION, headers=api.advisor)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["score"]["sk_id"] is None and body["score"]["decision_id"] > 0
    assert body["score"]["inputs"]["AMT_CREDIT"] == 240000
    assert body["explanation"]["lang"] == "en"


def test_score_application_requires_core_fields(api: Api) -> None:
    response = api.http.post("/api/v1/applications", json={"AMT_CREDIT": -5, "CODE_GENDER": "X"}, headers=api.advisor)
    assert response.status_code == 422
    fields = {e["field"]: e for e in response.json()["errors"]}
    assert fields["body.AMT_INCOME_TOTAL"]["expected"] == "a value (this field is required)"
    assert fields["body.AMT_CREDIT"]["value"] == -5
    assert fields["body.CODE_GENDER"]["expected"] == "one of 'F', 'M' or 'XNA'"


def test_malformed_json_body_is_422(api: Api) -> None:
    response = api.http.post(
        "/api/v1/applications", content=b"{not json", headers={**api.advisor, "Content-Type": "application/json"}
    )
    assert response.status_code == 422


def test_no_model_means_503_not_500(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from credit_scoring.api import create_app
    from credit_scoring.storage.users import add_user
    from tests.api.conftest import api_settings

    app = create_app(api_settings(f"sqlite:///{tmp_path / 'd.db'}"))  # no service: load_service() says why
    with TestClient(app) as http:
        with app.state.sessions() as session:
            add_user(session, "adv", "password-1", "advisor")
        ready = http.get("/api/v1/ready")
        assert ready.status_code == 503 and "train one" in ready.json()["detail"]
        response = http.get("/api/v1/model", headers=login(http, "adv", "password-1"))
        assert response.status_code == 503 and "train one" in response.json()["detail"]


def test_metrics_label_routes_by_template(api: Api) -> None:
    api.http.get(f"/api/v1/clients/{OWN_ID}/score", headers=api.client)
    text = api.http.get("/metrics").text
    assert 'route="/api/v1/clients/{sk_id}/score"' in text and f"/clients/{OWN_ID}" not in text
    assert "credit_scoring_decisions_total{decision=" in text


def test_global_importance_is_ordered_and_translated(api: Api) -> None:
    fr = api.http.get("/api/v1/model/importance", headers=api.advisor).json()
    en = api.http.get("/api/v1/model/importance", params={"lang": "en", "top": 2}, headers=api.advisor).json()
    assert [i["importance"] for i in fr] == sorted((i["importance"] for i in fr), reverse=True)
    assert len(en) == 2 and en[0]["feature"] == fr[0]["feature"] and en[0]["label"] != fr[0]["label"]


def test_population_sample_has_values_and_scores_but_no_ids(api: Api) -> None:
    response = api.http.get(
        "/api/v1/population/sample", params={"features": "AMT_CREDIT,EXT_SOURCE_2", "n": 5}, headers=api.advisor
    )
    assert response.status_code == 200
    points = response.json()
    assert len(points) == 5
    assert set(points[0]) == {"values", "probability", "target"}
    assert set(points[0]["values"]) == {"AMT_CREDIT", "EXT_SOURCE_2"}
    unknown = api.http.get("/api/v1/population/sample", params={"features": "NOPE"}, headers=api.advisor)
    assert unknown.status_code == 404
