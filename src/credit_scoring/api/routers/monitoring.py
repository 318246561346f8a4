"""The latest monitoring summaries (advisors): drift, fairness and the model card, as the monitor commands wrote them.

Nothing is computed here: ``credit-scoring monitor drift|fairness|card`` write JSON into the monitoring folder
(``CREDIT_SCORING_MONITORING_DIR``) and these routes read the latest file. 404 until a command has run.
"""

from __future__ import annotations

from typing import TypeVar

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel

from credit_scoring.api.deps import Advisor, SettingsDep
from credit_scoring.api.responses import errors
from credit_scoring.config import Settings
from credit_scoring.errors import CreditScoringError
from credit_scoring.monitoring.files import CARD_FILE, DRIFT_FILE, FAIRNESS_FILE, read_summary
from credit_scoring.schemas import DriftSummary, FairnessSummary, ModelCardText

__all__ = ["router"]

router = APIRouter(prefix="/monitoring", tags=["monitoring"])

_M = TypeVar("_M", bound=BaseModel)
_RESPONSES = errors(401, 403, 404, 503)


def _latest(settings: Settings, name: str, model: type[_M], what: str, command: str) -> _M:
    path = settings.monitoring_dir / name
    try:
        summary = read_summary(path, model)
    except CreditScoringError as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=str(exc)) from None
    if summary is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail=f"no {what} has been written yet: run `credit-scoring monitor {command}` (it writes {name} into "
            "the monitoring folder, CREDIT_SCORING_MONITORING_DIR)",
        )
    return summary


@router.get("/drift", summary="Latest data-drift summary (training applicants vs new and scored)", responses=_RESPONSES)
def drift(_: Advisor, settings: SettingsDep) -> DriftSummary:
    return _latest(settings, DRIFT_FILE, DriftSummary, "drift summary", "drift")


@router.get("/fairness", summary="Latest fairness summary by gender and age band (out of fold)", responses=_RESPONSES)
def fairness(_: Advisor, settings: SettingsDep) -> FairnessSummary:
    return _latest(settings, FAIRNESS_FILE, FairnessSummary, "fairness summary", "fairness")


@router.get("/card", summary="Latest model card (Markdown)", responses=_RESPONSES)
def card(_: Advisor, settings: SettingsDep) -> ModelCardText:
    return _latest(settings, CARD_FILE, ModelCardText, "model card", "card")
