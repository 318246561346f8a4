"""The real scoring service on the session's synthetic store and bundle: faithful, fast paths, clear refusals."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from credit_scoring.config import Settings
from credit_scoring.explain import contributions
from credit_scoring.features.build import STORE_FILES
from credit_scoring.features.term import TermModel
from credit_scoring.reasons import quantity_key
from credit_scoring.schemas import ApplicationIn, ClientQuery
from credit_scoring.scoring import Scorer
from credit_scoring.service import (
    InvalidInputError,
    ScoringService,
    ServiceUnavailableError,
    UnknownClientError,
    UnknownFeatureError,
    load_service,
)
from credit_scoring.serving import ServiceOptions, StoreService, open_service


@pytest.fixture(scope="module")
def service(trained_bundle: Path, feature_store: Path) -> StoreService:
    return open_service(trained_bundle, feature_store, options=ServiceOptions(sketch_rows=2_000))


@pytest.fixture(scope="module")
def features(feature_store: Path) -> pd.DataFrame:
    return pd.read_parquet(feature_store / "features.parquet").set_index("SK_ID_CURR")


def _some_ids(service: StoreService, n: int = 5) -> list[int]:
    return [int(i) for i in service.ids[:: max(1, len(service.ids) // n)][:n]]


def test_it_is_a_scoring_service(service: StoreService) -> None:
    assert isinstance(service, ScoringService)
    info = service.model_info()
    assert info.n_features == len(service.features) and 0 < info.threshold < 1


def test_scores_match_the_scorer(service: StoreService, features: pd.DataFrame) -> None:
    ids = _some_ids(service, 20)
    expected = service.scorer.predict_proba(features.loc[ids])
    got = [service.score_client(i).probability for i in ids]
    np.testing.assert_allclose(got, expected, atol=1e-4)  # float32 store matrix vs float64 parquet
    score = service.score_client(ids[0])
    assert score.inputs["AMT_CREDIT"] == service.client(ids[0]).fields["AMT_CREDIT"]
    assert len(score.top_reasons) <= 3


def test_explanation_adds_up(service: StoreService) -> None:
    for sk_id in _some_ids(service):
        row = service._row(sk_id)
        explanation = service.explain_client(sk_id, lang="en", top=len(service.features))
        x = np.asarray(service.matrix[row : row + 1], dtype=np.float64)
        frame = pd.DataFrame(x, columns=service.features)
        raw = service.scorer.predict_raw(frame)[0]
        base = contributions(service.scorer, frame).base_logit[0]
        assert base + sum(c.logit for c in explanation.contributions) == pytest.approx(raw, abs=1e-6)
        points = sum(c.probability_points for c in explanation.contributions) / 100
        assert explanation.base_probability + points == pytest.approx(explanation.probability, abs=1e-9)
        assert explanation.probability == pytest.approx(service.score_client(sk_id).probability, abs=1e-9)


def test_reasons_follow_contributions_and_merge_quantities(service: StoreService) -> None:
    sk_id = _some_ids(service)[1]
    for lang in ("fr", "en"):
        explanation = service.explain_client(sk_id, lang=lang, top=50)  # type: ignore[arg-type]
        full = service.explain_client(sk_id, lang=lang, top=len(service.features))  # type: ignore[arg-type]
        sums: dict[str, float] = {}
        index = {f: j for j, f in enumerate(service.features)}
        for c in full.contributions:
            key = service.keys_by_feature[index[c.feature]]
            sums[key] = sums.get(key, 0.0) + c.logit
        for side, sign in ((explanation.reasons_refusal, 1), (explanation.reasons_acceptance, -1)):
            assert side, "a real client has reasons on both sides"
            got = [sums[service.keys_by_feature[index[r.feature]]] for r in side]
            assert all(sign * g > 0 for g in got)
            assert [abs(g) for g in got] == sorted((abs(g) for g in got), reverse=True)
            keys = [quantity_key(service.texts[index[r.feature]]) for r in side]
            assert len(keys) == len(set(keys)), "one reason per quantity"
            assert all(r.text.strip() for r in side)
        assert len(explanation.reasons_refusal) <= 50


def test_explanation_top_bounds_lists(service: StoreService) -> None:
    e = service.explain_client(_some_ids(service)[0], top=3)
    assert len(e.contributions) == 3 and len(e.reasons_refusal) <= 3 and len(e.reasons_acceptance) <= 3


def test_similar_clients_are_the_nearest_and_exclude_the_client(service: StoreService) -> None:
    sk_id = _some_ids(service)[2]
    row = service._row(sk_id)
    found = service.similar_clients(sk_id, k=10)
    assert len(found) == 10 and sk_id not in {s.sk_id for s in found}
    z = service.similar_matrix.astype(np.float64)
    d = np.sqrt(((z - z[row]) ** 2).sum(axis=1))
    d[row] = np.inf
    brute = np.sort(d)[:10]
    np.testing.assert_allclose([s.distance for s in found], brute, rtol=1e-3, atol=1e-3)
    assert [s.distance for s in found] == sorted(s.distance for s in found)
    first = found[0]
    assert first.probability == pytest.approx(service.score_client(first.sk_id).probability)


def test_unknown_client_and_feature(service: StoreService) -> None:
    for call in (service.score_client, service.explain_client, service.similar_clients, service.client):
        with pytest.raises(UnknownClientError):
            call(1)  # type: ignore[operator]
    with pytest.raises(UnknownFeatureError):
        service.distribution("NOT_A_FEATURE")
    assert service.unknown_clients([1, _some_ids(service)[0]]) == {1}


def test_distributions(service: StoreService) -> None:
    offered = [f.name for f in service.distribution_features()]
    assert "NAME_CONTRACT_TYPE" in offered and len(offered) > 10
    numeric = service.distribution(offered[0], bins=10)
    assert len(numeric.bin_edges) == 11 and len(numeric.repaid) == 10
    total = sum(numeric.repaid) + sum(numeric.defaulted) + sum(numeric.unknown)
    assert 0 < total <= len(service.ids)
    categorical = service.distribution("NAME_CONTRACT_TYPE")
    assert categorical.categories and sum(categorical.repaid) + sum(categorical.defaulted) > 0


def test_search_filters_and_orders(service: StoreService) -> None:
    refused = service.search_clients(ClientQuery(decision="refused", labelled=True, limit=30))
    assert all(c.decision == "refused" and c.target is not None for c in refused)
    assert [c.sk_id for c in refused] == sorted(c.sk_id for c in refused)
    prefix = str(service.ids[0])[:4]
    found = service.search_clients(ClientQuery(id_prefix=prefix, limit=100))
    assert found and all(str(c.sk_id).startswith(prefix) for c in found)
    rich = service.search_clients(ClientQuery(income_min=200_000, contract_type="Cash loans", limit=50))
    assert all(c.income is not None and c.income >= 200_000 and c.contract_type == "Cash loans" for c in rich)
    page = service.search_clients(ClientQuery(limit=5, offset=5))
    assert [c.sk_id for c in page] == [c.sk_id for c in service.search_clients(ClientQuery(limit=10))][5:]


def test_what_if_without_change_reproduces_the_score(service: StoreService) -> None:
    sk_id = _some_ids(service)[0]
    credit = service.client(sk_id).fields["AMT_CREDIT"]
    result = service.what_if(sk_id, {"AMT_CREDIT": credit})
    assert result.changed == []
    assert result.after.probability == pytest.approx(result.before.probability, abs=1e-9)


def test_constrained_features_move_the_risk_one_way_only(service: StoreService) -> None:
    """Every feature the bundle's config constrains: moving it alone along its range (on the service's float32 rows and
    scoring path) never moves the model's output against the constraint. The session bundle constrains the external
    scores and their combinations (-1): a better external score never raises the risk."""
    monotone = service.scorer.bundle.metadata["config"]["monotone"]
    constrained = {f: d for f, d in monotone.items() if f in service.features}
    assert constrained.get("APP_EXT_SOURCE_MEAN") == -1
    for feature, direction in constrained.items():
        j = service.features.index(feature)
        grid = np.unique(service.sketch.quantiles[j][~np.isnan(service.sketch.quantiles[j])])
        for sk_id in _some_ids(service, 8):
            x = np.repeat(np.asarray(service.matrix[service._row(sk_id)])[None, :], len(grid), axis=0)
            x[:, j] = grid
            raw = service.scorer.predict_raw_matrix(x)
            assert np.all(direction * np.diff(raw) >= -1e-12), (feature, sk_id)


@pytest.mark.parametrize("field", ["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"])
def test_a_better_external_score_in_a_what_if_never_raises_the_risk(service: StoreService, field: str) -> None:
    """Through the whole what-if path (application features recomputed, history from the store, calibration): every
    feature derived from the external scores is constrained, and their spread is excluded from the model."""
    assert "APP_EXT_SOURCE_STD" not in service.features
    for sk_id in _some_ids(service, 6):
        probabilities = [
            service.what_if(sk_id, {field: value}).after.probability for value in np.linspace(0.05, 0.95, 10)
        ]
        assert np.all(np.diff(probabilities) <= 1e-12), (sk_id, probabilities)


def test_what_if_refuses_unknown_fields_and_bad_values(service: StoreService) -> None:
    sk_id = _some_ids(service)[0]
    with pytest.raises(InvalidInputError) as unknown:
        service.what_if(sk_id, {"AMT_CREDITT": 1.0})
    assert unknown.value.field == "AMT_CREDITT" and "AMT_CREDIT" in unknown.value.expected
    with pytest.raises(InvalidInputError) as bad_level:
        service.what_if(sk_id, {"NAME_CONTRACT_TYPE": "Mortgage"})
    assert bad_level.value.field == "NAME_CONTRACT_TYPE" and "Cash loans" in bad_level.value.expected
    with pytest.raises(InvalidInputError) as bad_type:
        service.what_if(sk_id, {"AMT_CREDIT": "a lot"})
    assert bad_type.value.field == "AMT_CREDIT"
    with pytest.raises(InvalidInputError) as rule:
        service.what_if(sk_id, {"AMT_ANNUITY": 2e6, "AMT_CREDIT": 1e5})
    assert rule.value.field == "AMT_ANNUITY"


def test_what_if_changes_the_score(service: StoreService) -> None:
    sk_id = _some_ids(service)[3]
    # the small test model (a few trees) may not split on the amounts: raising the external scores (this client's are
    # low, and the model's strongest feature is their mean) moves it for sure
    changes = {"AMT_CREDIT": 4_000_000.0, "AMT_ANNUITY": 200_000.0, "EXT_SOURCE_2": 0.9, "EXT_SOURCE_3": 0.9}
    result = service.what_if(sk_id, changes, lang="en")
    assert result.changed == ["AMT_ANNUITY", "AMT_CREDIT", "EXT_SOURCE_2", "EXT_SOURCE_3"]
    assert result.after.inputs["AMT_CREDIT"] == 4_000_000.0
    row = service._row(sk_id)
    after = service._vector(result.after.inputs, row)[None, :]
    before = np.asarray(service.matrix[row : row + 1])
    # the calibrated probability may sit on an isotonic plateau; the model's raw output must move
    assert service.scorer.predict_raw_matrix(after)[0] != service.scorer.predict_raw_matrix(before)[0]
    assert result.contributions and result.contributions[0].label


def test_new_application_without_history(service: StoreService, feature_store: Path) -> None:
    application = ApplicationIn.model_validate(
        {
            "NAME_CONTRACT_TYPE": "Cash loans",
            "AMT_INCOME_TOTAL": 120_000.0,
            "AMT_CREDIT": 500_000.0,
            "AMT_ANNUITY": 25_000.0,
            "DAYS_BIRTH": -12_000,
            "EXT_SOURCE_2": 0.6,
        }
    )
    result = service.score_application(application, lang="en")
    assert result.score.sk_id is None and 0 <= result.score.probability <= 1
    assert result.explanation.probability == pytest.approx(result.score.probability)
    points = sum(
        c.probability_points for c in service.score_application(application, top=900).explanation.contributions
    )
    assert result.explanation.base_probability + points / 100 == pytest.approx(result.score.probability, abs=1e-9)
    # the history part is what the batch build gives a client with no history rows
    j = service.features.index(next(f for f in service.features if f.endswith("_HAS_HISTORY")))
    assert service._no_history[j] == 0.0


def test_known_client_as_application_matches_its_score(service: StoreService) -> None:
    sk_id = _some_ids(service)[4]
    application = ApplicationIn.model_validate({"SK_ID_CURR": sk_id, **service.client(sk_id).fields})
    result = service.score_application(application)
    assert result.score.probability == pytest.approx(service.score_client(sk_id).probability, abs=1e-9)


def test_score_batch_in_order(service: StoreService) -> None:
    ids = _some_ids(service, 4)
    application = ApplicationIn.model_validate(
        {"NAME_CONTRACT_TYPE": "Cash loans", "AMT_INCOME_TOTAL": 1e5, "AMT_CREDIT": 3e5, "DAYS_BIRTH": -15_000}
    )
    results = list(service.score_batch([ids[0], application, ids[1]]))
    assert [r.sk_id for r in results] == [ids[0], None, ids[1]]
    assert results[0].probability == pytest.approx(service.score_client(ids[0]).probability)
    assert results[1].probability == pytest.approx(service.score_application(application).score.probability)


def test_load_service_errors_are_clear(tmp_path: Path, trained_bundle: Path, feature_store: Path) -> None:
    settings = Settings(_env_file=None, model=str(tmp_path / "nowhere"), feature_store_dir=feature_store)  # type: ignore[call-arg]
    with pytest.raises(ServiceUnavailableError, match="does not exist"):
        load_service(settings)
    settings = Settings(_env_file=None, model=str(trained_bundle), feature_store_dir=tmp_path)  # type: ignore[call-arg]
    with pytest.raises(ServiceUnavailableError, match="no feature store"):
        load_service(settings)
    (tmp_path / "bundle").mkdir()
    settings = Settings(_env_file=None, model=str(tmp_path / "bundle"), feature_store_dir=feature_store)  # type: ignore[call-arg]
    with pytest.raises(ServiceUnavailableError, match="not a model bundle"):
        load_service(settings)
    registry = Settings(  # type: ignore[call-arg]
        _env_file=None,
        model="champion",
        models_dir=tmp_path / "models",
        mlflow_tracking_uri=f"sqlite:///{tmp_path / 'empty.db'}",
        feature_store_dir=feature_store,
    )
    with pytest.raises(ServiceUnavailableError, match="no model"):
        load_service(registry)


def test_load_service_from_a_bundle_folder(test_settings: Settings, trained_bundle: Path, feature_store: Path) -> None:
    """settings.model as a folder path (the registry path, "champion", is covered by the error test above)."""
    settings = test_settings.model_copy(update={"model": str(trained_bundle), "feature_store_dir": feature_store})
    loaded = load_service(settings)
    assert loaded.model_info().version == json.loads((trained_bundle / "metadata.json").read_text())["version"]


def test_api_on_the_real_service(
    tmp_path: Path, trained_bundle: Path, feature_store: Path, service: StoreService
) -> None:
    """The API over the real domain, as an advisor: every read, a what-if, a new application and a batch."""
    from tests.api.conftest import SECRET, running_api

    from credit_scoring.api import create_app

    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=f"sqlite:///{tmp_path / 'decisions.db'}",
        secret_key=SECRET,
        environment="test",
        model=str(trained_bundle),
        feature_store_dir=feature_store,
    )
    app = create_app(settings, service=load_service(settings))
    sk_id = _some_ids(service)[0]
    with running_api(app) as api:
        http, advisor = api.http, api.advisor
        assert http.get("/api/v1/ready").json()["ready"] is True
        assert http.get("/api/v1/model", headers=advisor).json()["n_features"] == len(service.features)
        found = http.get("/api/v1/clients", params={"limit": 3, "labelled": True}, headers=advisor).json()
        assert len(found) == 3 and all(c["target"] is not None for c in found)
        score = http.get(f"/api/v1/clients/{sk_id}/score", headers=advisor).json()
        assert score["probability"] == pytest.approx(service.score_client(sk_id).probability)
        assert score["decision_id"] is not None and len(score["top_reasons"]) <= 3
        explanation = http.get(f"/api/v1/clients/{sk_id}/explanation", params={"lang": "en"}, headers=advisor).json()
        assert explanation["reasons_refusal"] or explanation["reasons_acceptance"]
        assert all(r["text"] for r in explanation["reasons_refusal"] + explanation["reasons_acceptance"])
        similar = http.get(f"/api/v1/clients/{sk_id}/similar", params={"k": 5}, headers=advisor).json()
        assert len(similar) == 5 and sk_id not in {s["sk_id"] for s in similar}
        what_if = http.post(
            f"/api/v1/clients/{sk_id}/what-if", json={"changes": {"AMT_CREDIT": 900_000.0}}, headers=advisor
        )
        assert what_if.status_code == 200, what_if.text
        assert what_if.json()["changed"] == ["AMT_CREDIT"]
        refused = http.post(
            f"/api/v1/clients/{sk_id}/what-if",
            json={"changes": {"AMT_ANNUITY": 5e6, "AMT_CREDIT": 1e5}},
            headers=advisor,
        )
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"].endswith("AMT_ANNUITY")
        features = http.get("/api/v1/distributions", headers=advisor).json()
        histogram = http.get(f"/api/v1/distributions/{features[0]['name']}", params={"bins": 8}, headers=advisor)
        assert histogram.status_code == 200 and len(histogram.json()["repaid"]) == 8
        application = {
            "NAME_CONTRACT_TYPE": "Cash loans",
            "AMT_INCOME_TOTAL": 120000,
            "AMT_CREDIT": 240000,
            "AMT_ANNUITY": 12000,
            "DAYS_BIRTH": -15000,
            "EXT_SOURCE_2": 0.6,
        }
        scored = http.post("/api/v1/applications", params={"lang": "en"}, json=application, headers=advisor)
        assert scored.status_code == 200, scored.text
        assert scored.json()["explanation"]["contributions"]
        batch = http.post(
            "/api/v1/batch",
            files={"file": ("ids.csv", f"SK_ID_CURR\n{sk_id}\n{_some_ids(service)[1]}\n".encode(), "text/csv")},
            headers=advisor,
        )
        assert batch.status_code == 200, batch.text
        assert len(batch.text.strip().splitlines()) == 2
        assert http.get("/api/v1/clients/1/score", headers=advisor).status_code == 404


def test_global_importance_and_population_sample(service: StoreService) -> None:
    importance = service.feature_importance(lang="en", top=5)
    assert len(importance) == 5
    assert [i.importance for i in importance] == sorted((i.importance for i in importance), reverse=True)
    assert importance[0].feature in service.features and importance[0].label
    french = service.feature_importance(lang="fr", top=1)[0]
    assert french.feature == importance[0].feature and french.label != importance[0].label
    names = [f.name for f in service.distribution_features()][:2]
    points = service.population_sample(names, n=50)
    assert len(points) == 50 and set(points[0].values) == set(names)
    assert points == service.population_sample(names, n=50)  # a fixed sample: charts do not jump between calls
    assert all(0 <= p.probability <= 1 for p in points)
    with pytest.raises(UnknownFeatureError):
        service.population_sample(["NOT_A_FEATURE"])


def test_distribution_features_are_labelled_in_both_languages(service: StoreService) -> None:
    described = service.distribution_features()
    assert described and all(d.label and d.label_fr for d in described)
    assert any(d.label_fr != d.label for d in described)


def _store_copy(feature_store: Path, dst: Path) -> Path:
    """A private copy of the store, so that caches written beside it do not reach other tests."""
    import shutil

    dst.mkdir()
    for name in STORE_FILES:
        shutil.copy2(feature_store / name, dst / name)
    return dst


def test_service_refuses_a_store_whose_term_model_is_not_the_bundles(
    tmp_path: Path, trained_bundle: Path, feature_store: Path
) -> None:
    store = _store_copy(feature_store, tmp_path / "store")
    other = TermModel(text="", n_rows=0)
    other.save(store)
    manifest = json.loads((store / "manifest.json").read_text("utf-8"))
    manifest["term_model"]["sha256"] = other.sha256  # a consistent store, built with another term model
    (store / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(ServiceUnavailableError, match=r"term_model\.json differs"):
        StoreService(Scorer.from_path(trained_bundle), store)


def test_precomputed_reasons_equal_live_reasons_and_are_cached(
    tmp_path: Path, trained_bundle: Path, feature_store: Path
) -> None:
    store = _store_copy(feature_store, tmp_path / "store")
    options = ServiceOptions(sketch_rows=2_000)
    live = open_service(trained_bundle, store, options=options)
    assert not live.reasons_precomputed
    ids = _some_ids(live, 40)
    assert live.stored_score(ids[0]) is None  # the API then scores in a worker thread
    before = {i: live.score_client(i) for i in ids}

    calls: list[tuple[str, int, int]] = []
    path = live.prepare_reasons(lambda step, done, total: calls.append((step, done, total)), chunk=1_000)
    assert path is not None and path.is_file()
    assert calls[-1][1] == calls[-1][2] == len(live.ids)  # the progress hook saw every client

    reloaded = open_service(trained_bundle, store, options=options)  # a second worker, or a restart
    assert reloaded.reasons_precomputed
    for sk_id, expected in before.items():
        stored = reloaded.stored_score(sk_id)
        assert stored is not None
        assert stored.top_reasons == expected.top_reasons
        assert stored.probability == expected.probability and stored.decision == expected.decision
        assert stored.inputs == expected.inputs
    assert any(score.top_reasons for score in before.values())
    with pytest.raises(UnknownClientError):
        reloaded.stored_score(1)


def test_a_reasons_cache_from_another_model_is_not_used(
    tmp_path: Path, trained_bundle: Path, feature_store: Path
) -> None:
    """The cache is keyed by the bundle's file hashes: another model on the same store starts without it."""
    from credit_scoring.bundle import ModelBundle
    from credit_scoring.scoring import Scorer

    store = _store_copy(feature_store, tmp_path / "store")
    first = open_service(trained_bundle, store, options=ServiceOptions(sketch_rows=500))
    first.prepare_reasons(chunk=4_000)
    assert open_service(trained_bundle, store, options=ServiceOptions(sketch_rows=500)).reasons_precomputed
    other = ModelBundle.load(trained_bundle)
    other.metadata["files"] = {**other.metadata.get("files", {}), "model.txt": "0" * 64}  # as a retrained model
    second = StoreService(Scorer(other), store, options=ServiceOptions(sketch_rows=500))
    assert not second.reasons_precomputed
