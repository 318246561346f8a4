"""Chart builders: pure functions returning a figure and a sentence about this client; meaning never by colour alone."""

from __future__ import annotations

import pytest

from credit_scoring.dashboard.charts import (
    OKABE_ITO,
    bivariate_chart,
    contributions_chart,
    distribution_chart,
    gauge_chart,
    importance_chart,
    similar_chart,
    what_if_chart,
)
from credit_scoring.dashboard.client import FeatureImportance, PopulationPoint
from tests.api.fakes import FakeService

SK = 100002


@pytest.fixture(scope="module")
def service() -> FakeService:
    return FakeService()


def test_gauge_states_probability_threshold_and_side(service: FakeService) -> None:
    score = service.score_client(SK)
    chart = gauge_chart(score, "fr")
    assert "78,7\u00a0%" in chart.text and "au-dessus du seuil de 30,0\u00a0%" in chart.text
    assert chart.figure.data[0].gauge.threshold.value == pytest.approx(30.0)
    assert "Zone refusé" in chart.figure.layout.annotations[0].text
    english = gauge_chart(score, "en")
    assert "78.7%" in english.text and "above the threshold of 30.0%" in english.text


def test_contributions_use_words_and_patterns_not_only_colour(service: FakeService) -> None:
    explanation = service.explain_client(100001, lang="fr")
    chart = contributions_chart(explanation.contributions, "fr")
    refusal, acceptance = chart.figure.data
    assert "Vers le refus" in refusal.name and "Vers l'acceptation" in acceptance.name
    assert refusal.marker.pattern.shape == "/" and acceptance.marker.pattern.shape == ""
    assert refusal.marker.pattern.fillmode == "overlay"  # hatching over the colour, not instead of it
    assert refusal.marker.color == OKABE_ITO["vermillion"] and acceptance.marker.color == OKABE_ITO["blue"]
    assert chart.text.startswith("Vers le refus : Crédit / revenu (+")
    assert "Vers l'acceptation : Score externe 2 (−" in chart.text


def test_distribution_marks_the_client_and_says_where_they_stand(service: FakeService) -> None:
    distribution = service.distribution("AMT_INCOME_TOTAL")
    income = service.client(SK).fields["AMT_INCOME_TOTAL"]
    chart = distribution_chart(distribution, income, "fr")
    assert "Revenu annuel : ce client (256\u202f000) a une valeur plus élevée que" in chart.text
    assert chart.figure.layout.shapes, "the client's value is drawn as a line"
    assert chart.figure.data[1].marker.pattern.shape == "/"
    missing = distribution_chart(distribution, None, "en")
    assert "this client's value is unknown" in missing.text


def test_categorical_distribution(service: FakeService) -> None:
    chart = distribution_chart(service.distribution("NAME_CONTRACT_TYPE"), "Cash loans", "en")
    assert "is in the category “Cash loans”" in chart.text


def test_similar_and_bivariate(service: FakeService) -> None:
    score = service.score_client(SK)
    similar = service.similar_clients(SK, k=10)
    chart = similar_chart(similar, client_id=SK, client_probability=score.probability, threshold=0.3, lang="fr")
    assert chart.text.startswith("Parmi les 10 clients les plus proches")
    symbols = {trace.marker.symbol for trace in chart.figure.data}
    assert "star" in symbols and len(symbols) >= 3  # outcome by shape as well as colour
    points = [PopulationPoint(values=service.client(s.sk_id).fields, probability=s.probability) for s in similar]
    me = PopulationPoint(values=service.client(SK).fields, probability=score.probability)
    scatter = bivariate_chart(points, x="AMT_INCOME_TOTAL", y="DAYS_BIRTH", client=me, lang="fr")
    assert scatter.figure.data[0].marker.colorscale  # Cividis: readable with colour-vision deficiencies
    assert "Nuage de 10 clients selon Revenu annuel et Âge (années)" in scatter.text
    assert max(scatter.figure.data[0].y) < 120, "days are shown as years"


def test_what_if_and_importance(service: FakeService) -> None:
    result = service.what_if(SK, {"EXT_SOURCE_2": 0.9})
    chart = what_if_chart(result, "fr")
    assert "avant (78,7\u00a0%)" in chart.text and "seuil de 30,0\u00a0%" in chart.text
    assert list(chart.figure.data[0].marker.pattern.shape) == ["/", ""]
    assert "Crédit refusé" in chart.figure.data[0].text[0] and "Crédit accordé" in chart.figure.data[0].text[1]
    items = [FeatureImportance(feature=f"F{i}", label=f"Feature {i}", importance=float(i)) for i in range(1, 8)]
    importance = importance_chart(items, "en")
    assert importance.text == (
        "The most important elements for the model are: Feature 7, Feature 6, Feature 5, Feature 4 and Feature 3."
    )
