"""The API's only way to the model: the ``ScoringService`` protocol, its errors, and ``load_service(settings)``.

The HTTP layer (``credit_scoring.api``) never touches the bundle, the feature store or the Scorer: it calls one object
that satisfies ``ScoringService``. This keeps the routes thin, lets the API be tested with a fake domain, and gives the
real implementation (built on ``Scorer``, ``explain`` and the feature store) a single, typed contract to meet.

Errors the service raises are translated by the API: ``UnknownClientError`` and ``UnknownFeatureError`` become 404,
``InvalidInputError`` becomes 422 naming the field, the value and what was expected, ``ServiceUnavailableError`` 503.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Protocol, runtime_checkable

from credit_scoring.config import Settings
from credit_scoring.errors import CreditScoringError
from credit_scoring.schemas import (
    ApplicationIn,
    ApplicationScore,
    ClientInfo,
    ClientQuery,
    ClientSummary,
    Distribution,
    Explanation,
    FeatureDescription,
    FeatureImportance,
    FieldValue,
    Lang,
    ModelInfo,
    PopulationPoint,
    ScoreResult,
    SimilarClient,
    WhatIfResult,
)

__all__ = [
    "BatchItem",
    "InvalidInputError",
    "ScoringService",
    "ServiceUnavailableError",
    "UnknownClientError",
    "UnknownFeatureError",
    "load_service",
]

#: A batch row: a new application, or the id of a known client.
BatchItem = ApplicationIn | int


class UnknownClientError(CreditScoringError):
    """No client has this SK_ID_CURR in the feature store."""

    def __init__(self, sk_id: int) -> None:
        super().__init__(f"unknown client {sk_id}")
        self.sk_id = sk_id


class UnknownFeatureError(CreditScoringError):
    """The feature is not one whose distribution can be shown."""

    def __init__(self, feature: str) -> None:
        super().__init__(f"unknown feature {feature!r}")
        self.feature = feature


class InvalidInputError(CreditScoringError):
    """A field the domain refuses (a value the schema allowed but the model cannot use, an unknown what-if field)."""

    def __init__(self, field: str, value: object, expected: str) -> None:
        super().__init__(f"{field}: got {value!r}, expected {expected}")
        self.field = field
        self.value = value
        self.expected = expected


class ServiceUnavailableError(CreditScoringError):
    """No model is loaded (or the store is missing): the API answers 503 with this message."""


@runtime_checkable
class ScoringService(Protocol):
    """Everything the API asks of the domain. Every method is synchronous and may be CPU-bound.

    Implementations must be safe to call from several threads at once (FastAPI runs plain ``def`` routes in a thread
    pool). Scores carry ``model_version`` and ``inputs`` (the application fields as scored) because the API writes
    them to the decision log.
    """

    def model_info(self) -> ModelInfo: ...

    def distribution_features(self) -> list[FeatureDescription]:
        """Features ``distribution`` accepts (the dashboard lists them)."""
        ...

    def search_clients(self, query: ClientQuery) -> list[ClientSummary]:
        """At most ``query.limit`` clients from ``query.offset``, ordered by id."""
        ...

    def unknown_clients(self, sk_ids: Collection[int]) -> set[int]:
        """The ids among ``sk_ids`` that are not known clients (a batch is checked before it is scored)."""
        ...

    def client(self, sk_id: int) -> ClientInfo:
        """Raises ``UnknownClientError``."""
        ...

    def score_client(self, sk_id: int) -> ScoreResult:
        """Raises ``UnknownClientError``. ``top_reasons`` should hold the 3 strongest reasons (they are logged)."""
        ...

    def stored_score(self, sk_id: int) -> ScoreResult | None:
        """``score_client`` when it is a lookup (cheap enough to run on the event loop), else None: the API then runs
        ``score_client`` in a worker thread. Raises ``UnknownClientError`` as ``score_client`` does."""
        ...

    def explain_client(self, sk_id: int, *, lang: Lang = "fr", top: int = 10) -> Explanation:
        """Raises ``UnknownClientError``. ``top`` bounds the contributions and each list of reasons."""
        ...

    def similar_clients(self, sk_id: int, *, k: int = 10) -> list[SimilarClient]:
        """The ``k`` nearest known clients (excluding ``sk_id``). Raises ``UnknownClientError``."""
        ...

    def distribution(self, feature: str, *, bins: int = 20) -> Distribution:
        """Raises ``UnknownFeatureError``."""
        ...

    def feature_importance(self, *, lang: Lang = "fr", top: int = 30) -> list[FeatureImportance]:
        """The model's global importance, most important first."""
        ...

    def population_sample(self, features: Sequence[str], *, n: int = 500) -> list[PopulationPoint]:
        """``n`` anonymised clients of a fixed sample with the values of ``features`` (distribution features) and
        their probability. Raises ``UnknownFeatureError``."""
        ...

    def what_if(self, sk_id: int, changes: Mapping[str, FieldValue], *, lang: Lang = "fr") -> WhatIfResult:
        """The client's score before and after replacing some application fields (history unchanged).

        Raises ``UnknownClientError``, or ``InvalidInputError`` for a field that cannot be changed.
        """
        ...

    def score_application(self, application: ApplicationIn, *, lang: Lang = "fr", top: int = 10) -> ApplicationScore:
        """A new application: app-level features from its fields, history from the store when SK_ID_CURR is known.

        Raises ``InvalidInputError``.
        """
        ...

    def score_batch(self, items: Iterable[BatchItem]) -> Iterator[ScoreResult]:
        """One result per item, in order (ids were checked with ``unknown_clients``). Raises ``InvalidInputError``."""
        ...


def load_service(settings: Settings) -> ScoringService:
    """Build the real service from settings (bundle from ``settings.model``, store from ``settings.feature_store_dir``).

    Called once, in the API's lifespan. ``settings.model`` is a bundle folder, or ``"champion"`` (any other word is
    taken as a registry alias): the registered version is downloaded under ``settings.models_dir/.registry``. Every
    failure is a ``ServiceUnavailableError`` whose message says what to do, so the API can answer 503 with it.
    """
    from pathlib import Path

    from credit_scoring.serving import open_service

    candidate = Path(settings.model).expanduser()
    if candidate.is_dir() or "/" in settings.model or settings.model.startswith("."):
        if not candidate.is_dir():
            raise ServiceUnavailableError(
                f"the model bundle folder {candidate} does not exist: set CREDIT_SCORING_MODEL to a bundle folder "
                "(from `credit-scoring train`) or to 'champion'"
            )
        bundle_dir = candidate
    else:
        from credit_scoring.modeling.tracking import resolve_registered_bundle

        dst = settings.models_dir / ".registry" / settings.model
        dst.mkdir(parents=True, exist_ok=True)
        try:
            bundle_dir = resolve_registered_bundle(
                tracking_uri=settings.mlflow_tracking_uri,
                name=settings.registered_model_name,
                alias=settings.model,
                dst=dst,
            )
        except CreditScoringError as exc:
            raise ServiceUnavailableError(
                f"no model is available ({exc}): train one with `credit-scoring train` (or `make demo`), "
                "then start the API again"
            ) from None
    return open_service(bundle_dir, settings.feature_store_dir)
