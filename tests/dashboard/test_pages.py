"""Each page with ``AppTest`` and a fake API: what a person reads (decision words, probability, reasons), API failures
shown in words, the login flow, and the client view showing nothing about anyone else."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from credit_scoring.dashboard.client import ApiError, AuthenticationError
from credit_scoring.dashboard.i18n import fmt_number, fmt_percent
from credit_scoring.dashboard.launch import APP_PATH
from credit_scoring.schemas import Principal
from tests.api.fakes import FIRST_ID, N_CLIENTS
from tests.dashboard.conftest import OTHER_ID, OWN_ID, TIMEOUT, PageRunner, all_text
from tests.dashboard.fakes import FORBIDDEN, FakeApi

REFUSED_ID = OTHER_ID  # the fake service refuses this one (probability above the 0.3 threshold)


def test_fixture_ids_have_the_decisions_the_tests_assume(advisor_api: FakeApi) -> None:
    assert advisor_api.service.score_client(OWN_ID).decision == "granted"
    assert advisor_api.service.score_client(REFUSED_ID).decision == "refused"


# --- login and navigation ---------------------------------------------------------------------------------------------


def test_login_page_then_advisor_pages(tmp_path: Path) -> None:
    api = FakeApi(logged_in=False)
    at = AppTest.from_file(str(APP_PATH), default_timeout=TIMEOUT)
    at.session_state["api"] = api
    at.run()
    assert not at.exception
    assert "Connexion" in all_text(at)
    at.text_input[0].input("advisor1")
    at.text_input[1].input("wrong")
    at.button[0].click().run()
    assert "wrong username or password" in all_text(at)
    at.text_input[1].input("right")
    at.button[0].click().run()
    assert not at.exception
    text = all_text(at)
    assert "Dossier client" in text and "Connecté : advisor1 (conseiller)" in text


def test_english_switch(run_page: PageRunner, advisor_api: FakeApi) -> None:
    at = run_page("client_file_page", advisor_api, sk_id=REFUSED_ID, lang="en")
    text = all_text(at)
    assert "Credit refused" in text and "What weighs toward refusal" in text
    assert "Crédit refusé" not in text


# --- advisor: client file ---------------------------------------------------------------------------------------------


def test_client_file_shows_decision_probability_distance_and_reasons(
    run_page: PageRunner, advisor_api: FakeApi
) -> None:
    at = run_page("client_file_page", advisor_api, sk_id=REFUSED_ID)
    assert not at.exception
    score = advisor_api.service.score_client(REFUSED_ID)
    explanation = advisor_api.service.explain_client(REFUSED_ID, lang="fr")
    text = all_text(at)
    assert "⛔ Crédit refusé" in text
    assert fmt_percent(score.probability, "fr") in text
    assert "au-dessus du seuil : la demande est refusée" in text
    assert "Seuil de refus 30,0\u00a0%" in text
    for reason in explanation.reasons_refusal[:3]:
        assert reason.text in text
    # every chart has its sentence right under it
    assert "Jauge de 0 à 100" in text and "Vers le refus :" in text
    # main information, in words and years
    assert "Revenu annuel" in text and "Âge (années)" in text
    # the history shows the score just logged
    assert "Historique des décisions" in text
    assert at.table[-1].value.shape[0] == 1


def test_scores_are_fetched_once_per_session(run_page: PageRunner, advisor_api: FakeApi) -> None:
    at = run_page("client_file_page", advisor_api, sk_id=OWN_ID)
    at.run()  # a rerun (any widget change) must not log another score
    assert advisor_api.calls.count(("score", OWN_ID)) == 1
    assert "✅ Crédit accordé" in all_text(at)


def test_find_client_by_id_and_invalid_id(run_page: PageRunner, advisor_api: FakeApi) -> None:
    at = run_page("client_file_page", advisor_api)
    assert "Choisissez un client" in all_text(at)
    at.text_input[0].input("abc")
    at.button[0].click().run()
    assert "Un identifiant client est un nombre entier" in all_text(at)
    at.text_input[0].input(str(REFUSED_ID))
    at.button[0].click().run()
    assert f"Client {REFUSED_ID}" in all_text(at)
    assert at.query_params["client"] == str(REFUSED_ID)  # deep link: the address names the client


def test_switching_clients_twice_by_id(run_page: PageRunner, advisor_api: FakeApi) -> None:
    """Regression: the id box must keep what was typed, not the previously selected id."""
    at = run_page("client_file_page", advisor_api)
    for sk_id in (OWN_ID, REFUSED_ID, OWN_ID + 2):
        at.text_input[0].input(str(sk_id))
        at.button[0].click().run()
        assert f"Client {sk_id}" in all_text(at)
        assert at.text_input[0].value == str(sk_id)


def test_id_box_shows_the_selected_client_after_visiting_another_page(advisor_api: FakeApi) -> None:
    script = (
        "import streamlit as st\n"
        "from credit_scoring.dashboard.views import client_file_page, model_page\n"
        "(model_page if st.session_state.get('which') == 'model' else client_file_page)()\n"
    )
    at = AppTest.from_string(script, default_timeout=TIMEOUT)
    at.session_state["api"] = advisor_api
    at.session_state["principal"] = Principal(username="advisor1", role="advisor")
    at.run()
    at.text_input[0].input(str(REFUSED_ID))
    at.button[0].click().run()
    at.session_state["which"] = "model"  # a page without the id box: Streamlit forgets the box's state
    at.run()
    at.session_state["which"] = "client"
    at.run()
    assert not at.exception
    assert at.text_input[0].value == str(REFUSED_ID)


def test_search_with_filters_then_pick(run_page: PageRunner, advisor_api: FakeApi) -> None:
    at = run_page("client_file_page", advisor_api)
    search = next(b for b in at.button if b.label == "Rechercher")
    at.selectbox[0].select("refused")
    search.click().run()
    text = all_text(at)
    assert "client(s) trouvé(s)" in text
    picker = next(s for s in at.selectbox if s.label == "Client trouvé")
    assert picker.options and all("Crédit refusé" in option for option in picker.options)
    next(b for b in at.button if b.label == "Afficher le client" and b.key == "show_found").click().run()
    assert f"Client {picker.value}" in all_text(at)


def test_unknown_client_shows_the_api_message(run_page: PageRunner, advisor_api: FakeApi) -> None:
    at = run_page("client_file_page", advisor_api, sk_id=FIRST_ID + N_CLIENTS + 5)
    assert not at.exception
    assert f"Le service de scoring a répondu : unknown client {FIRST_ID + N_CLIENTS + 5}" in all_text(at)


def test_api_down_shows_the_reason(run_page: PageRunner, advisor_api: FakeApi) -> None:
    advisor_api.fail["score"] = ApiError("the scoring service cannot be reached at http://api:8000")
    at = run_page("client_file_page", advisor_api, sk_id=OWN_ID)
    assert not at.exception
    assert "cannot be reached at http://api:8000" in at.error[0].value


def test_expired_session_brings_back_the_login_prompt(advisor_api: FakeApi) -> None:
    advisor_api.fail["score"] = AuthenticationError("token expired", status=401)
    at = AppTest.from_file(str(APP_PATH), default_timeout=TIMEOUT)
    at.session_state["api"] = advisor_api
    at.session_state["principal"] = Principal(username="advisor1", role="advisor")
    at.session_state["sk_id"] = OWN_ID
    at.run()
    assert not at.exception
    text = all_text(at)
    assert "Votre session a expiré" in text and "Connexion" in text


def test_override_with_reason(run_page: PageRunner, advisor_api: FakeApi) -> None:
    at = run_page("client_file_page", advisor_api, sk_id=REFUSED_ID)
    at.radio[0].set_value("referred")
    next(b for b in at.button if b.label == "Enregistrer la révision").click().run()
    assert "le motif doit faire au moins 5 caractères" in all_text(at)
    assert not advisor_api.overrides
    at.radio[0].set_value("referred")
    at.text_area[0].input("revenus saisonniers à vérifier")
    next(b for b in at.button if b.label == "Enregistrer la révision").click().run()
    assert not at.exception
    ((_, override),) = advisor_api.overrides
    assert override.action == "referred" and override.reason == "revenus saisonniers à vérifier"
    assert "Révision enregistrée : 📨 Transmis au comité" in all_text(at)


# --- advisor: other pages ---------------------------------------------------------------------------------------------


def test_compare_page(run_page: PageRunner, advisor_api: FakeApi) -> None:
    at = run_page("compare_page", advisor_api, sk_id=OWN_ID)
    assert not at.exception
    text = all_text(at)
    assert "a une valeur plus élevée que" in text  # distribution sentence with the client's position
    assert "Parmi les 10 clients les plus proches" in text
    assert "L'échantillon anonymisé de la population n'est pas encore servi" in text  # graceful fallback
    assert "Nuage de" in text and "marqué d'une étoile" in text


def test_what_if_changes_only_what_was_edited(run_page: PageRunner, advisor_api: FakeApi) -> None:
    at = run_page("what_if_page", advisor_api, sk_id=REFUSED_ID)
    assert not at.exception
    submit = next(b for b in at.button if b.label == "Relancer le score")
    submit.click().run()
    assert "Aucune information n'a été modifiée" in all_text(at)
    ext = next(n for n in at.number_input if n.label == "Score externe 2")
    ext.set_value(0.9)
    next(b for b in at.button if b.label == "Relancer le score").click().run()
    assert not at.exception
    assert advisor_api.last_changes == {"EXT_SOURCE_2": 0.9}
    text = all_text(at)
    assert "La probabilité passe de" in text and "Avant" in text and "Après" in text
    assert "Score externe 2" in text and "→ 0,900" in text


def test_what_if_refused_by_the_api_shows_its_message(run_page: PageRunner, advisor_api: FakeApi) -> None:
    advisor_api.fail["what_if"] = ApiError("invalid input: AMT_ANNUITY at most AMT_CREDIT", status=422)
    at = run_page("what_if_page", advisor_api, sk_id=OWN_ID)
    next(n for n in at.number_input if n.label == "Annuité").set_value(10_000_000.0)
    next(b for b in at.button if b.label == "Relancer le score").click().run()
    assert "AMT_ANNUITY at most AMT_CREDIT" in all_text(at)


def test_new_application(run_page: PageRunner, advisor_api: FakeApi) -> None:
    at = run_page("new_application_page", advisor_api)
    assert not at.exception
    next(b for b in at.button if b.label == "Calculer le score").click().run()
    assert "Field required" in all_text(at)  # required fields named before anything is sent
    next(s for s in at.selectbox if s.label.startswith("Type de contrat")).select("Cash loans")
    next(n for n in at.number_input if n.label.startswith("Revenu annuel")).set_value(150_000.0)
    next(n for n in at.number_input if n.label.startswith("Montant du crédit")).set_value(300_000.0)
    next(n for n in at.number_input if n.label.startswith("Âge")).set_value(40.0)
    next(b for b in at.button if b.label == "Calculer le score").click().run()
    assert not at.exception
    text = all_text(at)
    assert "Résultat de la demande" in text and ("Crédit accordé" in text or "Crédit refusé" in text)


def test_model_page(run_page: PageRunner, advisor_api: FakeApi) -> None:
    at = run_page("model_page", advisor_api, sk_id=OWN_ID)
    assert not at.exception
    text = all_text(at)
    assert "fake-1" in text and "30,0\u00a0%" in text
    assert "L'importance globale n'est pas encore servie" in text and "Vers le refus" in text


# --- client view ------------------------------------------------------------------------------------------------------


def test_client_sees_own_decision_in_plain_language(run_page: PageRunner, client_api: FakeApi) -> None:
    at = run_page("my_file_page", client_api)
    assert not at.exception
    text = all_text(at)
    assert "Bonne nouvelle : votre demande de crédit est acceptée." in text
    assert "Ce qui a joué en votre faveur" in text
    explanation = client_api.service.explain_client(OWN_ID)
    for reason in explanation.reasons_refusal[:3] + explanation.reasons_acceptance[:3]:
        assert reason.text in text


def test_client_view_has_no_other_client_data(run_page: PageRunner, client_api: FakeApi) -> None:
    at = run_page("my_file_page", client_api)
    other = client_api.service.client(OTHER_ID)
    text = all_text(at)
    assert str(OTHER_ID) not in text
    assert {sk for _, sk in client_api.calls if sk is not None} == {OWN_ID}
    income = other.fields["AMT_INCOME_TOTAL"]
    assert isinstance(income, float)
    assert fmt_number(income, "fr") not in text


def test_client_asking_for_another_file_gets_the_api_refusal(run_page: PageRunner, client_api: FakeApi) -> None:
    at = AppTest.from_string(
        f"import streamlit as st\nst.query_params['client'] = '{OTHER_ID}'\n"
        "from credit_scoring.dashboard.views import my_file_page\nmy_file_page()\n",
        default_timeout=TIMEOUT,
    )
    at.session_state["api"] = client_api
    at.session_state["principal"] = Principal(username=f"client-{OWN_ID}", role="client", client_id=OWN_ID)
    at.run()
    assert not at.exception
    assert f"Accès refusé au dossier {OTHER_ID} : {FORBIDDEN}" in all_text(at)
    other_income = client_api.service.client(OTHER_ID).fields["AMT_INCOME_TOTAL"]
    assert isinstance(other_income, float) and fmt_number(other_income, "fr") not in all_text(at)
