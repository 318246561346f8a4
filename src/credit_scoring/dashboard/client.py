"""``ApiClient``: the dashboard's only way to reach the model, over HTTP, returning the shared ``schemas`` models.

One instance per browser session (it holds that user's token), kept in ``st.session_state``: never in a cache shared
by all users. Every failure becomes an ``ApiError`` carrying the API's own message, so a page can show the user what
went wrong in words; a 401 is an ``AuthenticationError`` so that the page asks the user to log in again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import httpx
from pydantic import TypeAdapter, ValidationError

from credit_scoring.schemas import (
    ApplicationIn,
    ApplicationScore,
    ClientInfo,
    ClientQuery,
    ClientSummary,
    DecisionPage,
    Distribution,
    DriftSummary,
    Explanation,
    FairnessSummary,
    FeatureDescription,
    FeatureImportance,
    FieldError,
    FieldValue,
    Lang,
    ModelCardText,
    ModelInfo,
    OverrideIn,
    OverrideRecord,
    PopulationPoint,
    Principal,
    ScoreResult,
    SimilarClient,
    Token,
    WhatIfResult,
)

__all__ = [
    "ApiClient",
    "ApiError",
    "AuthenticationError",
    "FeatureImportance",
    "PopulationPoint",
]

logger = logging.getLogger(__name__)

_M = TypeVar("_M")
_PREFIX = "/api/v1"


class ApiError(Exception):
    """The API refused or failed a call. ``detail`` is the API's message, meant to be shown to the user as is."""

    def __init__(
        self,
        detail: str,
        *,
        status: int | None = None,
        errors: Sequence[FieldError] = (),
        request_id: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status
        self.errors = list(errors)
        self.request_id = request_id

    def __str__(self) -> str:
        parts = [self.detail]
        parts += [f"{e.field}: {e.expected}" for e in self.errors]
        return " — ".join(parts)


class AuthenticationError(ApiError):
    """401: no token, a wrong password, or the session expired. The page must ask the user to log in again."""


def _error_from(response: httpx.Response) -> ApiError:
    detail = f"HTTP {response.status_code}"
    errors: list[FieldError] = []
    request_id = response.headers.get("X-Request-ID")
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        if isinstance(body.get("detail"), str):
            detail = body["detail"]
        request_id = body.get("request_id") or request_id
        for item in body.get("errors") or []:
            try:
                errors.append(FieldError.model_validate(item))
            except ValidationError:
                continue
    cls = AuthenticationError if response.status_code == 401 else ApiError
    return cls(detail, status=response.status_code, errors=errors, request_id=request_id)


class ApiClient:
    """Typed calls to the scoring API for one user. Create one per browser session; ``login`` stores the token.

    ``transport`` lets tests plug an ``httpx.MockTransport`` (or an ASGI app) in instead of the network.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 15.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url + _PREFIX, timeout=timeout, transport=transport)
        self.token: Token | None = None

    # --- plumbing ----------------------------------------------------------------------------------------------------
    def close(self) -> None:
        self._http.close()

    @property
    def logged_in(self) -> bool:
        return self.token is not None

    def logout(self) -> None:
        self.token = None

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token.access_token}"
        try:
            response = self._http.request(method, path, headers=headers, **kwargs)
        except httpx.TimeoutException as exc:
            logger.warning("API call %s %s timed out: %s", method, path, exc)
            raise ApiError(f"the scoring service did not answer in time ({self.base_url})") from None
        except httpx.HTTPError as exc:
            logger.warning("API call %s %s failed: %s", method, path, exc)
            raise ApiError(f"the scoring service cannot be reached at {self.base_url}: {exc}") from None
        if response.status_code >= 400:
            error = _error_from(response)
            if isinstance(error, AuthenticationError) and path != "/auth/token":
                self.token = None  # expired or revoked: the next page run shows the login form
            raise error
        return response

    def _get(self, path: str, model: type[_M] | Any, **params: Any) -> Any:
        query = {k: v for k, v in params.items() if v is not None}
        return self._parse(self._request("GET", path, params=query), model)

    @staticmethod
    def _parse(response: httpx.Response, model: Any) -> Any:
        try:
            return TypeAdapter(model).validate_json(response.content)
        except ValidationError as exc:
            raise ApiError(f"unexpected answer from the scoring service: {exc.errors()[0]['msg']}") from None

    # --- auth --------------------------------------------------------------------------------------------------------
    def login(self, username: str, password: str) -> Token:
        """Log in and keep the token for the next calls of this client (this browser session only)."""
        response = self._request("POST", "/auth/token", data={"username": username, "password": password})
        token: Token = self._parse(response, Token)
        self.token = token
        return token

    def me(self) -> Principal:
        principal: Principal = self._get("/auth/me", Principal)
        return principal

    # --- model and population ----------------------------------------------------------------------------------------
    def model_info(self) -> ModelInfo:
        info: ModelInfo = self._get("/model", ModelInfo)
        return info

    def feature_importance(self, *, lang: Lang = "fr") -> list[FeatureImportance] | None:
        """Global importance, or None while the API does not serve it (the page then says so)."""
        try:
            items: list[FeatureImportance] = self._get("/model/importance", list[FeatureImportance], lang=lang)
        except ApiError as exc:
            if exc.status in {404, 405}:
                return None
            raise
        return items

    def distribution_features(self) -> list[FeatureDescription]:
        items: list[FeatureDescription] = self._get("/distributions", list[FeatureDescription])
        return items

    def distribution(self, feature: str, *, bins: int = 20) -> Distribution:
        result: Distribution = self._get(f"/distributions/{feature}", Distribution, bins=bins)
        return result

    def population_sample(self, features: Sequence[str], *, n: int = 500) -> list[PopulationPoint] | None:
        """Anonymised points for a scatter plot, or None while the API lacks the endpoint (the page falls back)."""
        try:
            points: list[PopulationPoint] = self._get(
                "/population/sample", list[PopulationPoint], features=",".join(features), n=n
            )
        except ApiError as exc:
            if exc.status in {404, 405} and exc.detail == "Not Found":
                return None
            raise
        return points

    # --- monitoring (advisors): the latest summaries written by `credit-scoring monitor ...`; 404 until then -------
    def drift_summary(self) -> DriftSummary:
        summary: DriftSummary = self._get("/monitoring/drift", DriftSummary)
        return summary

    def fairness_summary(self) -> FairnessSummary:
        summary: FairnessSummary = self._get("/monitoring/fairness", FairnessSummary)
        return summary

    def model_card(self) -> ModelCardText:
        card: ModelCardText = self._get("/monitoring/card", ModelCardText)
        return card

    # --- clients -----------------------------------------------------------------------------------------------------
    def search_clients(self, query: ClientQuery) -> list[ClientSummary]:
        params = query.model_dump(exclude_none=True)
        found: list[ClientSummary] = self._get("/clients", list[ClientSummary], **params)
        return found

    def client(self, sk_id: int) -> ClientInfo:
        info: ClientInfo = self._get(f"/clients/{sk_id}", ClientInfo)
        return info

    def score(self, sk_id: int) -> ScoreResult:
        """Score a known client. The API logs each call (kind ``score``): callers memoise it per session."""
        result: ScoreResult = self._get(f"/clients/{sk_id}/score", ScoreResult)
        return result

    def explanation(self, sk_id: int, *, lang: Lang = "fr", top: int = 10) -> Explanation:
        result: Explanation = self._get(f"/clients/{sk_id}/explanation", Explanation, lang=lang, top=top)
        return result

    def similar(self, sk_id: int, *, k: int = 10) -> list[SimilarClient]:
        items: list[SimilarClient] = self._get(f"/clients/{sk_id}/similar", list[SimilarClient], k=k)
        return items

    def decisions(self, sk_id: int, *, limit: int = 50) -> DecisionPage:
        page: DecisionPage = self._get(f"/clients/{sk_id}/decisions", DecisionPage, limit=limit)
        return page

    def what_if(self, sk_id: int, changes: Mapping[str, FieldValue], *, lang: Lang = "fr") -> WhatIfResult:
        response = self._request("POST", f"/clients/{sk_id}/what-if", json={"changes": dict(changes), "lang": lang})
        result: WhatIfResult = self._parse(response, WhatIfResult)
        return result

    def score_application(self, application: ApplicationIn, *, lang: Lang = "fr", top: int = 10) -> ApplicationScore:
        body = application.model_dump(exclude_none=True)
        response = self._request("POST", "/applications", json=body, params={"lang": lang, "top": top})
        result: ApplicationScore = self._parse(response, ApplicationScore)
        return result

    def override(self, decision_id: int, override: OverrideIn) -> OverrideRecord:
        response = self._request("POST", f"/decisions/{decision_id}/overrides", json=override.model_dump())
        record: OverrideRecord = self._parse(response, OverrideRecord)
        return record
