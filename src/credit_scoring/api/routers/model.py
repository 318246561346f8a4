"""The model's card in brief (advisors) and population distributions (everyone: aggregated, never rows)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from credit_scoring.api.deps import Advisor, CurrentUser, Service
from credit_scoring.api.responses import errors
from credit_scoring.schemas import Distribution, FeatureDescription, FeatureImportance, Lang, ModelInfo, PopulationPoint

__all__ = ["router"]

router = APIRouter(tags=["model"])


@router.get("/model", summary="Model version, threshold, costs and metrics", responses=errors(401, 403, 503))
def model_info(_: Advisor, service: Service) -> ModelInfo:
    return service.model_info()


@router.get(
    "/distributions",
    summary="Features whose population distribution can be shown",
    responses=errors(401, 503),
)
def distribution_features(_: CurrentUser, service: Service) -> list[FeatureDescription]:
    return service.distribution_features()


@router.get(
    "/distributions/{feature}",
    summary="Histogram of a feature by outcome (repaid, defaulted, unknown)",
    responses=errors(401, 404, 422, 503),
)
def distribution(
    _: CurrentUser,
    service: Service,
    feature: Annotated[str, Path(min_length=1, max_length=100)],
    bins: Annotated[int, Query(ge=2, le=100)] = 20,
) -> Distribution:
    return service.distribution(feature, bins=bins)


@router.get(
    "/model/importance",
    summary="Global importance of the model's features (mean absolute contribution), most important first",
    responses=errors(401, 403, 503),
)
def feature_importance(
    _: Advisor,
    service: Service,
    lang: Annotated[Lang, Query()] = "fr",
    top: Annotated[int, Query(ge=1, le=200)] = 30,
) -> list[FeatureImportance]:
    return service.feature_importance(lang=lang, top=top)


@router.get(
    "/population/sample",
    summary="A fixed anonymised sample of clients (no ids): chosen feature values and score, for scatter plots",
    responses=errors(401, 403, 404, 422, 503),
)
def population_sample(
    _: Advisor,
    service: Service,
    features: Annotated[str, Query(min_length=1, max_length=500, description="Comma-separated feature names")],
    n: Annotated[int, Query(ge=1, le=2000)] = 500,
) -> list[PopulationPoint]:
    names = [f.strip() for f in features.split(",") if f.strip()]
    return service.population_sample(names, n=n)
