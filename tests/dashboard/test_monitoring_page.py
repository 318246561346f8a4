"""The advisors' monitoring page with ``AppTest`` and the fake API: drift against the alert level in words and figures,
the fields that drift first, fairness tables by group, the card, both languages, and what is said when a summary
has not been computed yet."""

from __future__ import annotations

from credit_scoring.dashboard.charts import drift_chart
from credit_scoring.dashboard.client import ApiError
from tests.dashboard.conftest import PageRunner, all_text
from tests.dashboard.fakes import FORBIDDEN, FakeApi
from tests.monitoring_fakes import sample_drift


def test_monitoring_page_shows_drift_fairness_and_card(run_page: PageRunner, advisor_api: FakeApi) -> None:
    at = run_page("monitoring_page", advisor_api)
    assert not at.exception
    text = all_text(at)
    assert "Surveillance du modèle" in text and "modèle fake-1" in text
    # drift: status in words (not colour alone), share against the alert level, chart sentence, detailed report
    assert "🚨 Alerte" in text and "ℹ️ Données insuffisantes" in text
    assert "Part des champs qui dérivent 33\u00a0%" in text and "Seuil d'alerte 30\u00a0%" in text
    assert "📊 Part des champs qui dérivent : Nouveaux clients (application_test) 33\u00a0%" in text
    assert "non mesurée" in text and "drift_new_clients.html" in text
    assert "only 12 distinct application(s)" in text
    drift_table = at.table[0].value
    assert drift_table.index[0].endswith("(EXT_SOURCE_3)")  # the drifting field comes first
    assert drift_table.iloc[0]["Dérive"] == "⚠️ oui"
    # fairness: one rates table and one gaps table per attribute
    assert "Par sexe (CODE_GENDER)" in text and "Par tranche d'âge" in text
    assert "XNA (trop petit, non comparé)" in text
    assert "Taux de faux positifs" in text and "0,88" in text  # approval ratio, French decimals
    assert len(at.table) == 1 + 2 * 2
    # the card is one click away
    assert at.expander[0].label == "Lire la fiche du modèle (en anglais)"
    assert "Intended use" in text


def test_monitoring_page_in_english(run_page: PageRunner, advisor_api: FakeApi) -> None:
    text = all_text(run_page("monitoring_page", advisor_api, lang="en"))
    assert "Model monitoring" in text and "🚨 Alert" in text and "By gender (CODE_GENDER)" in text
    assert "Surveillance" not in text


def test_summaries_not_computed_yet_say_which_command_to_run(run_page: PageRunner, advisor_api: FakeApi) -> None:
    for name, command in (("drift_summary", "drift"), ("fairness_summary", "fairness"), ("model_card", "card")):
        advisor_api.fail[name] = ApiError(f"no summary yet: run `credit-scoring monitor {command}`", status=404)
    at = run_page("monitoring_page", advisor_api)
    assert not at.exception
    text = all_text(at)
    assert text.count("Pas encore calculé") == 3 and "credit-scoring monitor fairness" in text
    assert not at.table


def test_api_failure_is_shown_in_words(run_page: PageRunner, advisor_api: FakeApi) -> None:
    advisor_api.fail["drift_summary"] = ApiError("drift.json is not a valid DriftSummary", status=503)
    at = run_page("monitoring_page", advisor_api)
    assert "Le service de scoring a répondu : drift.json is not a valid DriftSummary" in all_text(at)


def test_client_is_refused(run_page: PageRunner, client_api: FakeApi) -> None:
    at = run_page("monitoring_page", client_api)
    assert FORBIDDEN in all_text(at)


def test_drift_chart_marks_alerts_with_a_pattern_and_a_sentence() -> None:
    chart = drift_chart(sample_drift(), "en")
    bar = chart.figure.data[0]
    assert list(bar.marker.pattern.shape) == ["/"]  # the alert bar is hatched, not only coloured
    assert "alert" in bar.text[0].lower()
    assert "Alert level is 30%" in chart.text.replace("The alert level", "Alert level")
    assert "not measured" in chart.text
    calm = drift_chart(sample_drift(alert=False), "en")
    assert list(calm.figure.data[0].marker.pattern.shape) == [""]
