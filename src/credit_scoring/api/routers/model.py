"""The model's card in brief (advisors) and population distributions (everyone: aggregated, never rows)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from credit_scoring.api.deps import Advisor, CurrentUser, Service
from credit_scoring.api.responses import errors
from credit_scoring.schemas import Distribution, FeatureDescription, ModelInfo

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
