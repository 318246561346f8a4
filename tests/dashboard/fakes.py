"""A fake ``ApiClient`` for page tests: answers from tests/api/fakes.FakeService, enforces the role table's client rule
(403 on another client's id, as the API does), records calls, and fails on demand with the API's error shape."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from credit_scoring.dashboard.client import ApiClient, ApiError, AuthenticationError, FeatureImportance, PopulationPoint
from credit_scoring.schemas import (
    ApplicationIn,
    ApplicationScore,
    ClientInfo,
    ClientQuery,
    ClientSummary,
    DecisionPage,
    DecisionRecord,
    Distribution,
    DriftSummary,
    Explanation,
    FairnessSummary,
    FeatureDescription,
    FieldValue,
    Lang,
    ModelCardText,
    ModelInfo,
    OverrideIn,
    OverrideRecord,
    ScoreResult,
    SimilarClient,
    Token,
    WhatIfResult,
)
from tests.api.fakes import FakeService
from tests.monitoring_fakes import sample_card, sample_drift, sample_fairness

FORBIDDEN = "a client may only see its own file"


class FakeApi(ApiClient):
    def __init__(self, *, role: str = "advisor", client_id: int | None = None, logged_in: bool = True) -> None:
        super().__init__("http://api.invalid")
        self.service = FakeService()
        self.role = role
        self.client_id = client_id
        self.token = self._token() if logged_in else None
        self.calls: list[tuple[str, int | None]] = []
        self.fail: dict[str, ApiError] = {}
        self.records: dict[int, list[DecisionRecord]] = {}
        self.overrides: list[tuple[int, OverrideIn]] = []
        self.next_id = 1

    def _token(self) -> Token:
        return Token(access_token="fake", expires_in=3600, role=self.role, client_id=self.client_id)  # type: ignore[arg-type]

    def _guard(self, name: str, sk_id: int | None = None, *, advisor_only: bool = False) -> None:
        self.calls.append((name, sk_id))
        if self.token is None:
            raise AuthenticationError("not authenticated", status=401)
        if name in self.fail:
            error = self.fail[name]
            if isinstance(error, AuthenticationError):
                self.token = None
            raise error
        if self.role == "client" and (advisor_only or (sk_id is not None and sk_id != self.client_id)):
            raise ApiError(FORBIDDEN, status=403)
        if sk_id is not None and sk_id not in self.service.clients:
            raise ApiError(f"unknown client {sk_id}", status=404)

    def _log(self, score: ScoreResult, kind: str) -> ScoreResult:
        record = DecisionRecord(
            id=self.next_id,
            created_at=datetime.now(UTC),
            actor="tester",
            actor_role=self.role,
            client_id=score.sk_id,
            model_version=score.model_version,
            kind=kind,  # type: ignore[arg-type]
            inputs=score.inputs,
            probability=score.probability,
            threshold=score.threshold,
            decision=score.decision,
            top_reasons=[r.model_dump() for r in score.top_reasons],
            final_decision=score.decision,
        )
        self.records.setdefault(score.sk_id or 0, []).insert(0, record)
        self.next_id += 1
        return score.model_copy(update={"decision_id": record.id})

    # --- the ApiClient surface ---------------------------------------------------------------------------------------
    def login(self, username: str, password: str) -> Token:
        self.calls.append(("login", None))
        if password != "right":
            raise AuthenticationError("wrong username or password", status=401)
        self.token = self._token()
        return self.token

    def model_info(self) -> ModelInfo:
        self._guard("model_info", advisor_only=True)
        return self.service.model_info()

    def feature_importance(self, *, lang: Lang = "fr") -> list[FeatureImportance] | None:
        self._guard("feature_importance", advisor_only=True)
        return None  # the API does not serve it yet

    def distribution_features(self) -> list[FeatureDescription]:
        self._guard("distribution_features")
        return self.service.distribution_features()

    def distribution(self, feature: str, *, bins: int = 20) -> Distribution:
        self._guard("distribution")
        return self.service.distribution(feature, bins=bins)

    def population_sample(self, features: list[str], *, n: int = 500) -> list[PopulationPoint] | None:  # type: ignore[override]
        self._guard("population_sample", advisor_only=True)
        return None

    def drift_summary(self) -> DriftSummary:
        self._guard("drift_summary", advisor_only=True)
        return sample_drift()

    def fairness_summary(self) -> FairnessSummary:
        self._guard("fairness_summary", advisor_only=True)
        return sample_fairness()

    def model_card(self) -> ModelCardText:
        self._guard("model_card", advisor_only=True)
        return sample_card()

    def search_clients(self, query: ClientQuery) -> list[ClientSummary]:
        self._guard("search_clients", advisor_only=True)
        return self.service.search_clients(query)

    def client(self, sk_id: int) -> ClientInfo:
        self._guard("client", sk_id)
        return self.service.client(sk_id)

    def score(self, sk_id: int) -> ScoreResult:
        self._guard("score", sk_id)
        return self._log(self.service.score_client(sk_id), "score")

    def explanation(self, sk_id: int, *, lang: Lang = "fr", top: int = 10) -> Explanation:
        self._guard("explanation", sk_id)
        return self.service.explain_client(sk_id, lang=lang, top=top)

    def similar(self, sk_id: int, *, k: int = 10) -> list[SimilarClient]:
        self._guard("similar", sk_id, advisor_only=True)
        return self.service.similar_clients(sk_id, k=k)

    def decisions(self, sk_id: int, *, limit: int = 50) -> DecisionPage:
        self._guard("decisions", sk_id)
        items = self.records.get(sk_id, [])[:limit]
        return DecisionPage(total=len(items), items=items)

    def what_if(self, sk_id: int, changes: Mapping[str, FieldValue], *, lang: Lang = "fr") -> WhatIfResult:
        self._guard("what_if", sk_id)
        self.last_changes = dict(changes)
        result = self.service.what_if(sk_id, changes, lang=lang)
        return result.model_copy(update={"after": self._log(result.after, "simulation")})

    def score_application(self, application: ApplicationIn, *, lang: Lang = "fr", top: int = 10) -> ApplicationScore:
        self._guard("score_application", advisor_only=True)
        return self.service.score_application(application, lang=lang, top=top)

    def override(self, decision_id: int, override: OverrideIn) -> OverrideRecord:
        self._guard("override", advisor_only=True)
        self.overrides.append((decision_id, override))
        return OverrideRecord(
            id=len(self.overrides),
            decision_id=decision_id,
            created_at=datetime.now(UTC),
            actor="tester",
            action=override.action,
            reason=override.reason,
        )
