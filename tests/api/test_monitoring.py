"""The monitoring routes serve the latest summaries the monitor commands wrote: as written, 404 before any run (saying
which command to run), 503 when a file is unreadable. Roles are in test_roles.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from credit_scoring.schemas import DriftSummary, FairnessSummary, ModelCardText
from tests.api.conftest import Api
from tests.monitoring_fakes import sample_card, sample_drift, sample_fairness, write_summaries

ROUTES = {"drift": "drift.json", "fairness": "fairness.json", "card": "model_card.json"}


@pytest.fixture
def folder(api: Api, tmp_path: Path) -> Iterator[Path]:
    original = api.app.state.settings
    api.app.state.settings = original.model_copy(update={"monitoring_dir": tmp_path / "monitoring"})
    yield tmp_path / "monitoring"
    api.app.state.settings = original


@pytest.mark.parametrize("name", list(ROUTES))
def test_404_until_the_command_has_run(api: Api, folder: Path, name: str) -> None:
    response = api.http.get(f"/api/v1/monitoring/{name}", headers=api.advisor)
    assert response.status_code == 404
    assert f"credit-scoring monitor {name}" in response.json()["detail"]


def test_summaries_are_served_as_written(api: Api, folder: Path) -> None:
    write_summaries(folder)
    drift = DriftSummary.model_validate(api.http.get("/api/v1/monitoring/drift", headers=api.api_key).json())
    assert drift == sample_drift()
    fairness = api.http.get("/api/v1/monitoring/fairness", headers=api.advisor).json()
    assert FairnessSummary.model_validate(fairness) == sample_fairness()
    card = api.http.get("/api/v1/monitoring/card", headers=api.advisor).json()
    assert ModelCardText.model_validate(card) == sample_card()


def test_an_unreadable_summary_is_503_with_the_reason(api: Api, folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "drift.json").write_text("{not json")
    response = api.http.get("/api/v1/monitoring/drift", headers=api.advisor)
    assert response.status_code == 503
    assert "drift.json is not a valid DriftSummary" in response.json()["detail"]
