"""French (default) and English wording of the dashboard, and number formatting for each language.

The people reading the dashboard are advisors and clients, not data scientists: the texts talk about "risk of payment
difficulties", "granted" and "refused", never about logits. Every key exists in both languages (a test checks it).
"""

from __future__ import annotations

from typing import Final

from credit_scoring.schemas import FieldValue, Lang

__all__ = [
    "FIELD_LABELS",
    "LANGS",
    "STRINGS",
    "decision_words",
    "field_label",
    "field_value",
    "fmt_number",
    "fmt_percent",
    "fmt_points",
    "t",
]

LANGS: Final[tuple[Lang, ...]] = ("fr", "en")

STRINGS: Final[dict[Lang, dict[str, str]]] = {
    "fr": {
        "app_name": "Prêt à dépenser — scoring crédit",
        "lang_label": "Langue / Language",
        "page_login": "Connexion",
        "page_client_file": "Dossier client",
        "page_compare": "Comparer",
        "page_what_if": "Simulation",
        "page_new_application": "Nouvelle demande",
        "page_model": "Le modèle",
        "page_my_file": "Mon dossier",
        "page_monitoring": "Surveillance",
        "monitoring_heading": "Surveillance du modèle",
        "monitoring_intro": (
            "Dérive des données, équité entre groupes et fiche du modèle, telles que les commandes "
            "`credit-scoring monitor` les ont calculées (modèle {version}, le {date})."
        ),
        "monitoring_missing": "Pas encore calculé. {detail}",
        "drift_heading": "Dérive des données",
        "drift_basis": "Ce qui est comparé aux demandeurs de l'apprentissage : {basis}.",
        "drift_population_new_clients": "Nouveaux clients (application_test)",
        "drift_population_scored": "Demandes réellement scorées (journal des décisions)",
        "drift_share_label": "Part des champs qui dérivent",
        "drift_alert_label": "Seuil d'alerte",
        "drift_rows_label": "Dossiers comparés",
        "drift_rows_value": "{rows} sur {total}",
        "drift_status_ok": "✅ Pas d'alerte",
        "drift_status_alert": "🚨 Alerte : la population s'éloigne de celle de l'apprentissage",
        "drift_status_insufficient_data": "ℹ️ Données insuffisantes",
        "drift_chart_title": "Part des champs qui dérivent, face au seuil d'alerte",
        "drift_axis": "Champs qui dérivent (%)",
        "drift_chart_sentence": "Part des champs qui dérivent : {items}. Le seuil d'alerte est {alert}.",
        "drift_chart_item": "{population} {share} ({status})",
        "drift_not_measured": "non mesurée",
        "drift_table_caption": "Champs surveillés, ceux qui dérivent en premier",
        "drift_field": "Champ",
        "drift_importance": "Poids dans le modèle",
        "drift_method": "Test",
        "drift_score": "Score",
        "drift_threshold": "Seuil du test",
        "drift_drifted": "Dérive",
        "drift_yes": "⚠️ oui",
        "drift_no": "non",
        "drift_untested": "non testé",
        "drift_report": "Rapport détaillé (Evidently) : `{file}` dans le dossier de surveillance du serveur.",
        "drift_note": "Remarque : {note}.",
        "fairness_heading": "Équité entre groupes",
        "fairness_intro": (
            "Taux mesurés hors échantillon d'apprentissage (prédictions out-of-fold, {n} clients) au seuil de "
            "{threshold}. Un faux négatif est un client en défaut à qui le crédit a été accordé ; un faux positif, "
            "un bon payeur refusé. Différence = plus grand moins plus petit taux ; rapport = plus petit sur plus "
            "grand (1 = égalité ; sous 0,8 pour l'acceptation, l'écart mérite examen)."
        ),
        "fairness_attribute_CODE_GENDER": "Par sexe (CODE_GENDER)",
        "fairness_attribute_age_band": "Par tranche d'âge",
        "fairness_group": "Groupe",
        "fairness_count": "Clients",
        "fairness_default_rate": "Taux de défaut",
        "fairness_approval_rate": "Taux d'acceptation",
        "fairness_false_negative_rate": "Taux de faux négatifs",
        "fairness_false_positive_rate": "Taux de faux positifs",
        "fairness_small": "trop petit, non comparé",
        "fairness_gap_rate": "Taux",
        "fairness_difference": "Différence",
        "fairness_ratio": "Rapport",
        "fairness_gaps_caption": "Écarts entre groupes",
        "card_heading": "Fiche du modèle (model card)",
        "card_show": "Lire la fiche du modèle (en anglais)",
        "login_intro": "Connectez-vous avec votre identifiant de conseiller ou de client.",
        "username": "Identifiant",
        "password": "Mot de passe",
        "login_button": "Se connecter",
        "logout_button": "Se déconnecter",
        "logged_in_as": "Connecté : {user} ({role})",
        "role_advisor": "conseiller",
        "role_client": "client",
        "session_expired": "Votre session a expiré ou n'est plus valide : reconnectez-vous.",
        "api_error": "Le service de scoring a répondu : {message}",
        "login_failed": "Connexion impossible : {message}",
        "find_client": "Trouver un client",
        "client_id": "Identifiant client (SK_ID_CURR)",
        "show_client": "Afficher le client",
        "invalid_id": "Un identifiant client est un nombre entier, par exemple 100001.",
        "search_filters": "Rechercher avec des critères",
        "filter_decision": "Décision du modèle",
        "filter_any": "Toutes",
        "filter_contract": "Type de contrat",
        "filter_income_min": "Revenu minimum",
        "filter_income_max": "Revenu maximum",
        "filter_id_prefix": "L'identifiant commence par",
        "search_button": "Rechercher",
        "search_results": "{n} client(s) trouvé(s). Choisissez-en un :",
        "search_none": "Aucun client ne correspond à ces critères.",
        "search_pick": "Client trouvé",
        "search_option": "{sk_id} — {contract}, revenu {income}, {decision}",
        "no_client_selected": "Choisissez un client pour voir son dossier.",
        "client_heading": "Client {sk_id}",
        "score_heading": "Décision et score",
        "decision_granted": "Crédit accordé",
        "decision_refused": "Crédit refusé",
        "decision_referred": "Transmis au comité",
        "probability_label": "Probabilité de difficultés de paiement",
        "threshold_label": "Seuil de refus",
        "distance_label": "Écart au seuil",
        "distance_below": "{points} sous le seuil : la demande est accordée.",
        "distance_above": "{points} au-dessus du seuil : la demande est refusée.",
        "score_sentence": (
            "Le modèle estime à {probability} le risque que ce client ait des difficultés de paiement. "
            "Le seuil de refus est {threshold}. {distance}"
        ),
        "reasons_heading": "Pourquoi cette décision",
        "reasons_refusal": "Ce qui pèse vers le refus",
        "reasons_acceptance": "Ce qui pèse vers l'acceptation",
        "reasons_none": "Aucun élément notable.",
        "contributions_heading": "Poids de chaque élément dans le score",
        "toward_refusal": "Vers le refus",
        "toward_acceptance": "Vers l'acceptation",
        "points_axis": "Effet sur la probabilité (points de pourcentage)",
        "info_heading": "Informations principales",
        "info_field": "Information",
        "info_value": "Valeur",
        "outcome_known": "Issue connue : {outcome}",
        "outcome_repaid": "a remboursé",
        "outcome_defaulted": "a eu des difficultés de paiement",
        "outcome_unknown": "inconnue",
        "history_heading": "Historique des décisions",
        "history_none": "Aucune décision enregistrée pour ce client.",
        "history_date": "Date",
        "history_kind": "Type",
        "history_probability": "Probabilité",
        "history_model_decision": "Décision du modèle",
        "history_final_decision": "Décision finale",
        "history_actor": "Par",
        "history_reason": "Motif de la dernière révision",
        "kind_score": "score",
        "kind_simulation": "simulation",
        "kind_application": "demande",
        "kind_batch": "lot",
        "override_heading": "Réviser ou transmettre la décision",
        "override_decision": "Décision à réviser",
        "override_action": "Nouvelle décision",
        "override_reason": "Motif (obligatoire, au moins 5 caractères)",
        "override_submit": "Enregistrer la révision",
        "override_done": "Révision enregistrée : {action}.",
        "override_short": "Choisissez la nouvelle décision ; le motif doit faire au moins 5 caractères.",
        "override_none": "Aucune décision révisable (les simulations ne sont pas des décisions).",
        "override_option": "n° {id} du {date} — {decision}",
        "compare_heading": "Comparer le client {sk_id}",
        "compare_features": "Caractéristiques à comparer",
        "compare_distributions": "Ce client face à l'ensemble des clients",
        "compare_explain": (
            "Chaque graphique montre comment une caractéristique se répartit chez les clients qui ont remboursé "
            "et chez ceux qui ont eu des difficultés ; le trait vertical marque ce client."
        ),
        "repaid": "Ont remboursé",
        "defaulted": "Difficultés de paiement",
        "legend_unknown": "Issue inconnue",
        "choose": "Choisir…",
        "share_axis": "Part du groupe (%)",
        "this_client": "Ce client",
        "dist_sentence": (
            "{label} : ce client ({value}) a une valeur plus élevée que {all} de l'ensemble des clients, "
            "que {repaid} des clients qui ont remboursé et que {defaulted} des clients en difficulté."
        ),
        "dist_sentence_category": (
            "{label} : ce client est dans la catégorie « {value} », comme {all} de l'ensemble des clients, "
            "{repaid} des clients qui ont remboursé et {defaulted} des clients en difficulté."
        ),
        "dist_sentence_no_value": (
            "{label} : répartition chez les clients qui ont remboursé et ceux en difficulté ; "
            "la valeur de ce client n'est pas connue."
        ),
        "similar_heading": "Clients les plus proches",
        "similar_sentence": (
            "Parmi les {n} clients les plus proches, {defaulted} ont eu des difficultés de paiement, {repaid} ont "
            "remboursé et {unknown} n'ont pas encore d'issue connue. Leur probabilité moyenne est {mean} ; celle de "
            "ce client est {mine}."
        ),
        "similar_axis": "Probabilité de difficultés (%)",
        "similar_client": "Client {sk_id}",
        "bivariate_heading": "Deux caractéristiques ensemble",
        "bivariate_x": "Axe horizontal",
        "bivariate_y": "Axe vertical",
        "bivariate_sentence": (
            "Nuage de {n} clients selon {x} et {y}, la couleur indiquant la probabilité de difficultés. "
            "Ce client ({xv} ; {yv}) est marqué d'une étoile ; {share} des clients montrés ont un risque plus élevé."
        ),
        "bivariate_fallback": (
            "L'échantillon anonymisé de la population n'est pas encore servi par l'API : le nuage montre ce client "
            "et ses clients les plus proches."
        ),
        "bivariate_need_two": "Choisissez deux caractéristiques numériques différentes.",
        "probability_colour": "Probabilité (%)",
        "what_if_heading": "Simulation pour le client {sk_id}",
        "what_if_intro": (
            "Modifiez une ou plusieurs informations puis relancez le score. Une simulation n'est pas une décision : "
            "elle est enregistrée comme simulation."
        ),
        "what_if_more": "Autres informations à modifier",
        "what_if_submit": "Relancer le score",
        "what_if_no_change": "Aucune information n'a été modifiée.",
        "what_if_before": "Avant",
        "what_if_after": "Après",
        "what_if_changed": "Informations modifiées",
        "what_if_sentence": (
            "La probabilité passe de {before} à {after} ({delta}). Décision avant : {dbefore} ; après : {dafter}."
        ),
        "what_if_chart_sentence": (
            "Barres : probabilité avant ({before}) et après ({after}) la simulation ; le trait horizontal marque le "
            "seuil de {threshold}."
        ),
        "age_years": "Âge (années)",
        "years_employed": "Ancienneté dans l'emploi (années)",
        "not_employed": "Sans emploi",
        "unknown_value": "non renseigné",
        "new_heading": "Nouvelle demande de crédit",
        "new_intro": "Saisissez la demande : les champs marqués d'une étoile sont obligatoires.",
        "new_submit": "Calculer le score",
        "new_result": "Résultat de la demande",
        "model_heading": "Le modèle",
        "model_version": "Version",
        "model_threshold": "Seuil de refus",
        "model_costs": "Coût d'un mauvais payeur accepté : {fn} ; coût d'un bon client refusé : {fp}.",
        "model_metrics": "Mesures de qualité",
        "metric_auc": "AUC (0,5 = au hasard, 1 = parfait)",
        "metric_cost": "Coût métier moyen par dossier",
        "importance_heading": "Ce qui compte le plus pour le modèle, tous clients confondus",
        "importance_axis": "Importance relative",
        "importance_sentence": "Les éléments les plus importants pour le modèle sont : {top}.",
        "importance_missing": (
            "L'importance globale n'est pas encore servie par l'API. En attendant, voici les éléments qui pèsent le "
            "plus pour le client sélectionné."
        ),
        "gauge_sentence": (
            "Jauge de 0 à 100 % : la probabilité de ce client, {probability}, est {side} du seuil de {threshold}."
        ),
        "gauge_sentence_you": (
            "Jauge de 0 à 100 % : votre probabilité, {probability}, est {side} du seuil de {threshold}."
        ),
        "gauge_below": "en dessous",
        "gauge_above": "au-dessus",
        "gauge_zone_granted": "Zone accordé",
        "gauge_zone_refused": "Zone refusé",
        "contrib_sentence": "Vers le refus : {refusal}. Vers l'acceptation : {acceptance}.",
        "none": "aucun",
        "my_file_heading": "Votre dossier",
        "my_decision_heading": "Votre demande",
        "my_granted": "Bonne nouvelle : votre demande de crédit est acceptée.",
        "my_refused": "Votre demande de crédit ne peut pas être acceptée en l'état.",
        "my_referred": "Votre demande a été transmise à un comité qui l'étudiera.",
        "my_score_sentence": (
            "Notre modèle estime à {probability} le risque de difficultés de paiement ; nous acceptons en dessous de "
            "{threshold}."
        ),
        "my_reasons_heading": "Ce qui a compté dans la décision",
        "my_reasons_against": "Ce qui a joué en votre défaveur",
        "my_reasons_for": "Ce qui a joué en votre faveur",
        "my_info_heading": "Les informations que nous avons utilisées",
        "my_contact": "Une question ? Votre conseiller peut vous expliquer chaque point et réexaminer votre dossier.",
        "other_client_refused": "Accès refusé au dossier {sk_id} : {message}",
        "not_linked": "Ce compte client n'est relié à aucun dossier.",
        "loading": "Chargement…",
    },
    "en": {
        "app_name": "Prêt à dépenser — credit scoring",
        "lang_label": "Langue / Language",
        "page_login": "Log in",
        "page_client_file": "Client file",
        "page_compare": "Compare",
        "page_what_if": "What-if",
        "page_new_application": "New application",
        "page_model": "The model",
        "page_my_file": "My file",
        "page_monitoring": "Monitoring",
        "monitoring_heading": "Model monitoring",
        "monitoring_intro": (
            "Data drift, fairness between groups and the model card, as the `credit-scoring monitor` commands "
            "computed them (model {version}, on {date})."
        ),
        "monitoring_missing": "Not computed yet. {detail}",
        "drift_heading": "Data drift",
        "drift_basis": "What is compared with the training applicants: {basis}.",
        "drift_population_new_clients": "New clients (application_test)",
        "drift_population_scored": "Applications actually scored (decision log)",
        "drift_share_label": "Share of drifting fields",
        "drift_alert_label": "Alert level",
        "drift_rows_label": "Files compared",
        "drift_rows_value": "{rows} of {total}",
        "drift_status_ok": "✅ No alert",
        "drift_status_alert": "🚨 Alert: the population is moving away from the training one",
        "drift_status_insufficient_data": "ℹ️ Not enough data",
        "drift_chart_title": "Share of drifting fields against the alert level",
        "drift_axis": "Drifting fields (%)",
        "drift_chart_sentence": "Share of drifting fields: {items}. The alert level is {alert}.",
        "drift_chart_item": "{population} {share} ({status})",
        "drift_not_measured": "not measured",
        "drift_table_caption": "Monitored fields, drifting ones first",
        "drift_field": "Field",
        "drift_importance": "Weight in the model",
        "drift_method": "Test",
        "drift_score": "Score",
        "drift_threshold": "Test threshold",
        "drift_drifted": "Drift",
        "drift_yes": "⚠️ yes",
        "drift_no": "no",
        "drift_untested": "not tested",
        "drift_report": "Detailed report (Evidently): `{file}` in the server's monitoring folder.",
        "drift_note": "Note: {note}.",
        "fairness_heading": "Fairness between groups",
        "fairness_intro": (
            "Rates measured out of fold ({n} clients) at the threshold of {threshold}. A false negative is a "
            "defaulter who was granted credit; a false positive, a good payer who was refused. Difference = largest "
            "minus smallest rate; ratio = smallest over largest (1 = equal; below 0.8 for approvals, the gap "
            "deserves a look)."
        ),
        "fairness_attribute_CODE_GENDER": "By gender (CODE_GENDER)",
        "fairness_attribute_age_band": "By age band",
        "fairness_group": "Group",
        "fairness_count": "Clients",
        "fairness_default_rate": "Default rate",
        "fairness_approval_rate": "Approval rate",
        "fairness_false_negative_rate": "False-negative rate",
        "fairness_false_positive_rate": "False-positive rate",
        "fairness_small": "too small, not compared",
        "fairness_gap_rate": "Rate",
        "fairness_difference": "Difference",
        "fairness_ratio": "Ratio",
        "fairness_gaps_caption": "Gaps between groups",
        "card_heading": "Model card",
        "card_show": "Read the model card",
        "login_intro": "Log in with your advisor or client username.",
        "username": "Username",
        "password": "Password",
        "login_button": "Log in",
        "logout_button": "Log out",
        "logged_in_as": "Logged in: {user} ({role})",
        "role_advisor": "advisor",
        "role_client": "client",
        "session_expired": "Your session expired or is no longer valid: please log in again.",
        "api_error": "The scoring service answered: {message}",
        "login_failed": "Cannot log in: {message}",
        "find_client": "Find a client",
        "client_id": "Client id (SK_ID_CURR)",
        "show_client": "Show client",
        "invalid_id": "A client id is a whole number, for example 100001.",
        "search_filters": "Search with filters",
        "filter_decision": "Model decision",
        "filter_any": "Any",
        "filter_contract": "Contract type",
        "filter_income_min": "Minimum income",
        "filter_income_max": "Maximum income",
        "filter_id_prefix": "Id starts with",
        "search_button": "Search",
        "search_results": "{n} client(s) found. Pick one:",
        "search_none": "No client matches these filters.",
        "search_pick": "Client found",
        "search_option": "{sk_id} — {contract}, income {income}, {decision}",
        "no_client_selected": "Pick a client to see their file.",
        "client_heading": "Client {sk_id}",
        "score_heading": "Decision and score",
        "decision_granted": "Credit granted",
        "decision_refused": "Credit refused",
        "decision_referred": "Referred to the committee",
        "probability_label": "Probability of payment difficulties",
        "threshold_label": "Refusal threshold",
        "distance_label": "Distance to the threshold",
        "distance_below": "{points} below the threshold: the application is granted.",
        "distance_above": "{points} above the threshold: the application is refused.",
        "score_sentence": (
            "The model puts the risk that this client has payment difficulties at {probability}. "
            "The refusal threshold is {threshold}. {distance}"
        ),
        "reasons_heading": "Why this decision",
        "reasons_refusal": "What weighs toward refusal",
        "reasons_acceptance": "What weighs toward acceptance",
        "reasons_none": "Nothing notable.",
        "contributions_heading": "Weight of each element in the score",
        "toward_refusal": "Toward refusal",
        "toward_acceptance": "Toward acceptance",
        "points_axis": "Effect on the probability (percentage points)",
        "info_heading": "Main information",
        "info_field": "Information",
        "info_value": "Value",
        "outcome_known": "Known outcome: {outcome}",
        "outcome_repaid": "repaid",
        "outcome_defaulted": "had payment difficulties",
        "outcome_unknown": "unknown",
        "history_heading": "Decision history",
        "history_none": "No decision recorded for this client.",
        "history_date": "Date",
        "history_kind": "Kind",
        "history_probability": "Probability",
        "history_model_decision": "Model decision",
        "history_final_decision": "Final decision",
        "history_actor": "By",
        "history_reason": "Reason of the last review",
        "kind_score": "score",
        "kind_simulation": "what-if",
        "kind_application": "application",
        "kind_batch": "batch",
        "override_heading": "Review or refer the decision",
        "override_decision": "Decision to review",
        "override_action": "New decision",
        "override_reason": "Reason (required, at least 5 characters)",
        "override_submit": "Save the review",
        "override_done": "Review saved: {action}.",
        "override_short": "Pick the new decision; the reason must have at least 5 characters.",
        "override_none": "No decision to review (what-ifs are not decisions).",
        "override_option": "no. {id} of {date} — {decision}",
        "compare_heading": "Compare client {sk_id}",
        "compare_features": "Characteristics to compare",
        "compare_distributions": "This client against all clients",
        "compare_explain": (
            "Each chart shows how a characteristic is spread among clients who repaid and clients who had "
            "difficulties; the vertical line marks this client."
        ),
        "repaid": "Repaid",
        "defaulted": "Payment difficulties",
        "legend_unknown": "Outcome unknown",
        "choose": "Choose…",
        "share_axis": "Share of the group (%)",
        "this_client": "This client",
        "dist_sentence": (
            "{label}: this client ({value}) has a higher value than {all} of all clients, than {repaid} of the "
            "clients who repaid and than {defaulted} of the clients with difficulties."
        ),
        "dist_sentence_category": (
            "{label}: this client is in the category “{value}”, like {all} of all clients, {repaid} of the clients "
            "who repaid and {defaulted} of the clients with difficulties."
        ),
        "dist_sentence_no_value": (
            "{label}: spread among clients who repaid and clients with difficulties; this client's value is unknown."
        ),
        "similar_heading": "Most similar clients",
        "similar_sentence": (
            "Among the {n} most similar clients, {defaulted} had payment difficulties, {repaid} repaid and {unknown} "
            "have no known outcome yet. Their average probability is {mean}; this client's is {mine}."
        ),
        "similar_axis": "Probability of difficulties (%)",
        "similar_client": "Client {sk_id}",
        "bivariate_heading": "Two characteristics together",
        "bivariate_x": "Horizontal axis",
        "bivariate_y": "Vertical axis",
        "bivariate_sentence": (
            "Scatter of {n} clients by {x} and {y}, colour showing the probability of difficulties. This client "
            "({xv}; {yv}) is marked with a star; {share} of the clients shown have a higher risk."
        ),
        "bivariate_fallback": (
            "The API does not serve the anonymised population sample yet: the scatter shows this client and the most "
            "similar clients."
        ),
        "bivariate_need_two": "Pick two different numeric characteristics.",
        "probability_colour": "Probability (%)",
        "what_if_heading": "What-if for client {sk_id}",
        "what_if_intro": (
            "Change one or more pieces of information, then score again. A what-if is not a decision: it is logged as "
            "a simulation."
        ),
        "what_if_more": "Other information to change",
        "what_if_submit": "Score again",
        "what_if_no_change": "No information was changed.",
        "what_if_before": "Before",
        "what_if_after": "After",
        "what_if_changed": "Changed information",
        "what_if_sentence": (
            "The probability goes from {before} to {after} ({delta}). Decision before: {dbefore}; after: {dafter}."
        ),
        "what_if_chart_sentence": (
            "Bars: probability before ({before}) and after ({after}) the what-if; the horizontal line marks the "
            "threshold of {threshold}."
        ),
        "age_years": "Age (years)",
        "years_employed": "Years in current job",
        "not_employed": "Not employed",
        "unknown_value": "not given",
        "new_heading": "New credit application",
        "new_intro": "Enter the application: fields marked with a star are required.",
        "new_submit": "Compute the score",
        "new_result": "Result of the application",
        "model_heading": "The model",
        "model_version": "Version",
        "model_threshold": "Refusal threshold",
        "model_costs": "Cost of a defaulter accepted: {fn}; cost of a good client refused: {fp}.",
        "model_metrics": "Quality measures",
        "metric_auc": "AUC (0.5 = chance, 1 = perfect)",
        "metric_cost": "Average business cost per file",
        "importance_heading": "What matters most to the model, over all clients",
        "importance_axis": "Relative importance",
        "importance_sentence": "The most important elements for the model are: {top}.",
        "importance_missing": (
            "The API does not serve the global importance yet. Meanwhile, here is what weighs most for the selected "
            "client."
        ),
        "gauge_sentence": (
            "Gauge from 0 to 100%: this client's probability, {probability}, is {side} the threshold of {threshold}."
        ),
        "gauge_sentence_you": (
            "Gauge from 0 to 100%: your probability, {probability}, is {side} the threshold of {threshold}."
        ),
        "gauge_below": "below",
        "gauge_above": "above",
        "gauge_zone_granted": "Granted zone",
        "gauge_zone_refused": "Refused zone",
        "contrib_sentence": "Toward refusal: {refusal}. Toward acceptance: {acceptance}.",
        "none": "none",
        "my_file_heading": "Your file",
        "my_decision_heading": "Your application",
        "my_granted": "Good news: your credit application is accepted.",
        "my_refused": "Your credit application cannot be accepted as it stands.",
        "my_referred": "Your application was referred to a committee that will study it.",
        "my_score_sentence": (
            "Our model puts the risk of payment difficulties at {probability}; we accept below {threshold}."
        ),
        "my_reasons_heading": "What counted in the decision",
        "my_reasons_against": "What counted against you",
        "my_reasons_for": "What counted in your favour",
        "my_info_heading": "The information we used",
        "my_contact": "A question? Your advisor can explain each point and review your file.",
        "other_client_refused": "Access to file {sk_id} refused: {message}",
        "not_linked": "This client account is not linked to any file.",
        "loading": "Loading…",
    },
}

#: Readable names of the main application fields; other fields keep their Kaggle column name.
FIELD_LABELS: Final[dict[Lang, dict[str, str]]] = {
    "fr": {
        "NAME_CONTRACT_TYPE": "Type de contrat",
        "CODE_GENDER": "Genre",
        "FLAG_OWN_CAR": "Possède une voiture",
        "FLAG_OWN_REALTY": "Possède un logement",
        "CNT_CHILDREN": "Nombre d'enfants",
        "AMT_INCOME_TOTAL": "Revenu annuel",
        "AMT_CREDIT": "Montant du crédit",
        "AMT_ANNUITY": "Annuité",
        "AMT_GOODS_PRICE": "Prix du bien financé",
        "NAME_INCOME_TYPE": "Type de revenu",
        "NAME_EDUCATION_TYPE": "Niveau d'études",
        "NAME_FAMILY_STATUS": "Situation familiale",
        "NAME_HOUSING_TYPE": "Logement",
        "OCCUPATION_TYPE": "Profession",
        "DAYS_BIRTH": "Âge (années)",
        "DAYS_EMPLOYED": "Ancienneté dans l'emploi (années)",
        "EXT_SOURCE_1": "Score externe 1",
        "EXT_SOURCE_2": "Score externe 2",
        "EXT_SOURCE_3": "Score externe 3",
        "CNT_FAM_MEMBERS": "Personnes au foyer",
        "OWN_CAR_AGE": "Âge de la voiture (années)",
    },
    "en": {
        "NAME_CONTRACT_TYPE": "Contract type",
        "CODE_GENDER": "Gender",
        "FLAG_OWN_CAR": "Owns a car",
        "FLAG_OWN_REALTY": "Owns a home",
        "CNT_CHILDREN": "Number of children",
        "AMT_INCOME_TOTAL": "Annual income",
        "AMT_CREDIT": "Credit amount",
        "AMT_ANNUITY": "Annuity",
        "AMT_GOODS_PRICE": "Price of the goods",
        "NAME_INCOME_TYPE": "Income type",
        "NAME_EDUCATION_TYPE": "Education",
        "NAME_FAMILY_STATUS": "Family status",
        "NAME_HOUSING_TYPE": "Housing",
        "OCCUPATION_TYPE": "Occupation",
        "DAYS_BIRTH": "Age (years)",
        "DAYS_EMPLOYED": "Years in current job",
        "EXT_SOURCE_1": "External score 1",
        "EXT_SOURCE_2": "External score 2",
        "EXT_SOURCE_3": "External score 3",
        "CNT_FAM_MEMBERS": "People in the household",
        "OWN_CAR_AGE": "Age of the car (years)",
    },
}

#: Category levels worth translating (the others are shown as Kaggle wrote them).
_LEVELS: Final[dict[Lang, dict[str, str]]] = {
    "fr": {"Cash loans": "Prêt personnel", "Revolving loans": "Crédit renouvelable", "F": "Femme", "M": "Homme"},
    "en": {"Cash loans": "Cash loan", "Revolving loans": "Revolving credit", "F": "Woman", "M": "Man"},
}

#: Kaggle's sentinel for "not employed" in DAYS_EMPLOYED.
_NOT_EMPLOYED = 365243
_DECISION_ICONS: Final[dict[str, str]] = {"granted": "✅", "refused": "⛔", "referred": "📨"}


def t(key: str, lang: Lang, /, **values: object) -> str:
    """The text for ``key`` in ``lang``, with ``{placeholders}`` filled."""
    text = STRINGS[lang][key]
    return text.format(**values) if values else text


def fmt_number(value: float, lang: Lang, *, digits: int = 0) -> str:
    """1 234 567,8 in French, 1,234,567.8 in English (non-breaking spaces: a number never wraps)."""
    text = f"{value:,.{digits}f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def fmt_percent(probability: float, lang: Lang, *, digits: int = 1) -> str:
    """A probability in [0, 1] as a percentage: 12,3 % (French spacing) or 12.3%."""
    number = fmt_number(100 * probability, lang, digits=digits)
    return f"{number}\u00a0%" if lang == "fr" else f"{number}%"


def fmt_points(points: float, lang: Lang) -> str:
    """Percentage points with an explicit sign: +5,2 points / -3.1 points."""
    sign = "+" if points > 0 else ("−" if points < 0 else "")
    return f"{sign}{fmt_number(abs(points), lang, digits=1)}\u00a0points"


def decision_words(decision: str, lang: Lang) -> str:
    """Icon and words: the decision is never carried by colour alone."""
    return f"{_DECISION_ICONS.get(decision, '')} {t('decision_' + decision, lang)}".strip()


def field_label(name: str, lang: Lang) -> str:
    return FIELD_LABELS[lang].get(name, name)


def field_value(name: str, value: FieldValue, lang: Lang) -> str:
    """A field as a person reads it: ages and seniority in years, flags as yes/no, amounts with separators."""
    if value is None:
        return t("unknown_value", lang)
    if name == "DAYS_EMPLOYED" and isinstance(value, int | float):
        if value >= _NOT_EMPLOYED:
            return t("not_employed", lang)
        return fmt_number(-value / 365.25, lang, digits=1)
    if name == "DAYS_BIRTH" and isinstance(value, int | float):
        return fmt_number(-value / 365.25, lang, digits=0)
    if name.startswith("FLAG_") and value in {0, 1, "Y", "N"}:
        yes = value in {1, "Y"}
        return ("oui" if yes else "non") if lang == "fr" else ("yes" if yes else "no")
    if isinstance(value, str):
        return _LEVELS[lang].get(value, value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return fmt_number(value, lang)
    if isinstance(value, float):
        if name.startswith("AMT_") or abs(value) >= 100:
            return fmt_number(value, lang)
        return fmt_number(value, lang, digits=2 if abs(value) >= 1 else 3)
    return str(value)
