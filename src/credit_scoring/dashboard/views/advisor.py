"""Relationship-manager pages: client file, comparison, what-if, new application, the model.

Every page reads the selected client from the session, fetches through the session's ``ApiClient`` (memoised per
session so that a rerun neither calls the API again nor logs another score) and shows API failures in words.
"""

from __future__ import annotations

import logging

import streamlit as st
from pydantic import ValidationError

from credit_scoring.dashboard import session
from credit_scoring.dashboard.charts import (
    bivariate_chart,
    distribution_chart,
    importance_chart,
    similar_chart,
    what_if_chart,
)
from credit_scoring.dashboard.client import ApiError, PopulationPoint
from credit_scoring.dashboard.forms import COLUMNS, MAIN_FIELDS, application_widgets, changed_fields
from credit_scoring.dashboard.i18n import STRINGS, decision_words, field_label, field_value, fmt_number, fmt_percent, t
from credit_scoring.dashboard.views.common import (
    show_chart,
    show_contributions,
    show_history,
    show_info,
    show_reasons,
    show_score,
)
from credit_scoring.schemas import (
    REQUIRED_APPLICATION_FIELDS,
    ApplicationIn,
    ClientQuery,
    FieldValue,
    Lang,
    OverrideIn,
    WhatIfResult,
)

__all__ = ["client_file_page", "compare_page", "model_page", "new_application_page", "what_if_page"]

logger = logging.getLogger(__name__)


# --- finding a client -------------------------------------------------------------------------------------------------


def _id_form(lang: Lang) -> None:
    """Type an id and press Enter (or the button): the fastest way for someone who has the file number."""
    current = session.selected_client()
    if st.session_state.get("find_id_for") != current or "find_id" not in st.session_state:
        # Show the selected id (chosen by search or deep link) without tying the widget's identity to it: a widget
        # whose default changes is a new widget, and the id being typed would be lost on submit. Streamlit also drops
        # the box's state on pages that do not show it, hence the second condition.
        st.session_state["find_id"] = str(current or "")
        st.session_state["find_id_for"] = current
    with st.form("find_by_id", border=False):
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        with left:
            raw = st.text_input(t("client_id", lang), key="find_id", max_chars=10)
        with right:
            submitted = st.form_submit_button(t("show_client", lang), type="primary")
    if submitted:
        if raw.strip().isdigit():
            session.select_client(int(raw.strip()))
            st.session_state["find_id_for"] = int(raw.strip())  # the box already shows it
        else:
            st.error(t("invalid_id", lang), icon="⚠️")


def _search(lang: Lang) -> None:
    with st.expander(t("search_filters", lang)):
        with st.form("search_clients", border=False):
            c1, c2, c3 = st.columns(3)
            prefix = c1.text_input(t("filter_id_prefix", lang), max_chars=9)
            decision = c2.selectbox(
                t("filter_decision", lang),
                [None, "granted", "refused"],
                format_func=lambda d: t("filter_any", lang) if d is None else decision_words(d, lang),
            )
            contract = c3.selectbox(
                t("filter_contract", lang),
                [None, "Cash loans", "Revolving loans"],
                format_func=lambda c: t("filter_any", lang) if c is None else c,
            )
            c4, c5 = st.columns(2)
            income_min = c4.number_input(t("filter_income_min", lang), min_value=0.0, value=None, step=10_000.0)
            income_max = c5.number_input(t("filter_income_max", lang), min_value=0.0, value=None, step=10_000.0)
            submitted = st.form_submit_button(t("search_button", lang))
        if submitted:
            try:
                query = ClientQuery(
                    id_prefix=prefix.strip() or None,
                    decision=decision,
                    contract_type=contract,
                    income_min=income_min,
                    income_max=income_max,
                    limit=50,
                )
            except ValidationError as exc:
                st.error(str(exc.errors()[0]["msg"]), icon="⚠️")
                return
            try:
                st.session_state["search_results"] = session.api().search_clients(query)
            except ApiError as exc:
                session.report(exc)
                return
        results = st.session_state.get("search_results")
        if results is None:
            return
        if not results:
            st.info(t("search_none", lang))
            return
        st.markdown(t("search_results", lang, n=len(results)))
        by_id = {r.sk_id: r for r in results}
        picked = st.selectbox(
            t("search_pick", lang),
            list(by_id),
            format_func=lambda sk: t(
                "search_option",
                lang,
                sk_id=sk,
                contract=by_id[sk].contract_type or "—",
                income=fmt_number(by_id[sk].income or 0, lang),
                decision=decision_words(by_id[sk].decision, lang) if by_id[sk].decision else "—",
            ),
        )
        if st.button(t("show_client", lang), key="show_found"):
            session.select_client(int(picked))
            st.rerun()


def _need_client(lang: Lang) -> int | None:
    sk_id = session.selected_client()
    if sk_id is None:
        st.info(t("no_client_selected", lang), icon="🔎")
    return sk_id


# --- pages ----------------------------------------------------------------------------------------------------------


def client_file_page() -> None:
    """Find a client; their decision, score, reasons, information and history; override or refer."""
    lang = session.current_lang()
    st.title(t("page_client_file", lang))
    st.header(t("find_client", lang))
    _id_form(lang)
    _search(lang)
    sk_id = _need_client(lang)
    if sk_id is None:
        return
    api = session.api()
    st.header(t("client_heading", lang, sk_id=sk_id), divider="gray")
    try:
        found = session.memo_many(
            {
                ("score", sk_id): lambda: api.score(sk_id),
                ("explanation", sk_id, lang): lambda: api.explanation(sk_id, lang=lang),
                ("client", sk_id): lambda: api.client(sk_id),
            }
        )
    except ApiError as exc:
        session.report(exc)
        return
    score = found[("score", sk_id)]
    explanation = found[("explanation", sk_id, lang)]
    st.subheader(t("score_heading", lang))
    show_score(score, lang, key=f"file_{sk_id}")
    st.subheader(t("reasons_heading", lang))
    show_reasons(explanation, lang)
    show_contributions(explanation, lang, key=f"file_{sk_id}")
    try:
        info = session.memo(("client", sk_id), lambda: api.client(sk_id))
    except ApiError as exc:
        session.report(exc)
        return
    st.subheader(t("info_heading", lang))
    if info.target is not None:
        outcome = t("outcome_defaulted" if info.target else "outcome_repaid", lang)
        st.markdown(t("outcome_known", lang, outcome=outcome))
    show_info(info, lang)
    _history_and_override(sk_id, lang)


def _history_and_override(sk_id: int, lang: Lang) -> None:
    api = session.api()
    st.subheader(t("history_heading", lang))
    try:
        history = session.memo(("history", sk_id), lambda: api.decisions(sk_id))
    except ApiError as exc:
        session.report(exc)
        return
    show_history(history.items, lang)
    done = st.session_state.pop("override_done", None)
    if done:
        st.success(done, icon="✅")
    reviewable = [r for r in history.items if r.kind != "simulation"]
    st.subheader(t("override_heading", lang))
    if not reviewable:
        st.markdown(t("override_none", lang))
        return
    by_id = {r.id: r for r in reviewable}
    with st.form("override", border=True):
        decision_id = st.selectbox(
            t("override_decision", lang),
            list(by_id),
            format_func=lambda i: t(
                "override_option",
                lang,
                id=i,
                date=by_id[i].created_at.strftime("%Y-%m-%d %H:%M"),
                decision=decision_words(by_id[i].final_decision, lang),
            ),
        )
        action = st.radio(
            t("override_action", lang),
            ["granted", "refused", "referred"],
            format_func=lambda a: decision_words(a, lang),
            horizontal=True,
            index=None,
        )
        reason = st.text_area(t("override_reason", lang), max_chars=2000)
        submitted = st.form_submit_button(t("override_submit", lang))
    if submitted:
        if action is None or len(reason.strip()) < 5:
            st.error(t("override_short", lang), icon="⚠️")
            return
        try:
            api.override(int(decision_id), OverrideIn(action=action, reason=reason.strip()))
        except ApiError as exc:
            session.report(exc)
            return
        session.forget(("history", sk_id))
        st.session_state["override_done"] = t("override_done", lang, action=decision_words(action, lang))
        st.rerun()


def compare_page() -> None:
    """The client against everyone (histograms by outcome), against similar clients, and on two features at once."""
    lang = session.current_lang()
    st.title(t("page_compare", lang))
    _id_form(lang)
    sk_id = _need_client(lang)
    if sk_id is None:
        return
    api = session.api()
    try:
        info = session.memo(("client", sk_id), lambda: api.client(sk_id))
        score = session.memo(("score", sk_id), lambda: api.score(sk_id))
        explanation = session.memo(("explanation", sk_id, lang), lambda: api.explanation(sk_id, lang=lang))
        features = session.memo(("features",), api.distribution_features)
    except ApiError as exc:
        session.report(exc)
        return
    st.header(t("compare_heading", lang, sk_id=sk_id), divider="gray")
    values: dict[str, FieldValue] = {c.feature: c.value for c in explanation.contributions}
    values.update(info.fields)
    labels = {
        f.name: (
            field_label(f.name, lang)
            if field_label(f.name, lang) != f.name
            else (f.label_fr if lang == "fr" and f.label_fr else f.label)
        )
        for f in features
    }

    st.subheader(t("compare_distributions", lang))
    st.markdown(t("compare_explain", lang))
    chosen = st.multiselect(
        t("compare_features", lang),
        list(labels),
        default=list(labels)[:2],
        format_func=lambda n: labels[n],
        placeholder=t("choose", lang),
    )
    for feature in chosen:
        try:
            distribution = session.memo(("distribution", feature), lambda f=feature: api.distribution(f))  # type: ignore[misc]
        except ApiError as exc:
            session.report(exc)
            continue
        show_chart(
            distribution_chart(distribution, values.get(feature), lang, label=labels.get(feature)),
            key=f"dist_{sk_id}_{feature}",
        )

    st.subheader(t("similar_heading", lang))
    try:
        similar = session.memo(("similar", sk_id), lambda: api.similar(sk_id))
    except ApiError as exc:
        session.report(exc)
        return
    show_chart(
        similar_chart(
            similar, client_id=sk_id, client_probability=score.probability, threshold=score.threshold, lang=lang
        ),
        key=f"similar_{sk_id}",
    )

    st.subheader(t("bivariate_heading", lang))
    numeric = [n for n, v in values.items() if isinstance(v, int | float) and not isinstance(v, bool)]
    if len(numeric) < 2:
        st.info(t("bivariate_need_two", lang))
        return

    def name_of(n: str) -> str:
        return labels.get(n) or field_label(n, lang)

    c1, c2 = st.columns(2)
    default_x = numeric.index("AMT_INCOME_TOTAL") if "AMT_INCOME_TOTAL" in numeric else 0
    default_y = numeric.index("AMT_CREDIT") if "AMT_CREDIT" in numeric else 1
    x = c1.selectbox(t("bivariate_x", lang), numeric, index=default_x, format_func=name_of)
    y = c2.selectbox(t("bivariate_y", lang), numeric, index=default_y, format_func=name_of)
    if x == y:
        st.info(t("bivariate_need_two", lang))
        return
    me = PopulationPoint(values={x: values.get(x), y: values.get(y)}, probability=score.probability)
    try:
        points = session.memo(("sample", x, y), lambda: api.population_sample([x, y], n=500))
        if points is None:
            st.info(t("bivariate_fallback", lang), icon="ℹ️")
            points = []
            for s in similar:
                other = session.memo(("client", s.sk_id), lambda s=s: api.client(s.sk_id))  # type: ignore[misc]
                points.append(PopulationPoint(values=other.fields, probability=s.probability, target=s.target))
    except ApiError as exc:
        session.report(exc)
        return
    show_chart(bivariate_chart(points, x=x, y=y, client=me, lang=lang), key=f"bivariate_{sk_id}_{x}_{y}")


def _show_what_if(result: WhatIfResult, lang: Lang, key: str) -> None:
    before, after = result.before, result.after
    delta = 100 * (after.probability - before.probability)
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    st.markdown(
        t(
            "what_if_sentence",
            lang,
            before=fmt_percent(before.probability, lang),
            after=fmt_percent(after.probability, lang),
            delta=f"{sign}{fmt_number(abs(delta), lang, digits=1)} points",
            dbefore=decision_words(before.decision, lang),
            dafter=decision_words(after.decision, lang),
        )
    )
    left, right = st.columns(2)
    for column, title, score in ((left, "what_if_before", before), (right, "what_if_after", after)):
        with column:
            st.markdown(f"### {t(title, lang)}")
            st.markdown(f"**{decision_words(score.decision, lang)}**")
            st.metric(t("probability_label", lang), fmt_percent(score.probability, lang))
    show_chart(what_if_chart(result, lang), key=f"{key}_bars")
    if result.changed:
        st.markdown(f"**{t('what_if_changed', lang)}**")
        st.markdown(
            "\n".join(
                f"- {field_label(n, lang)} : {field_value(n, before.inputs.get(n), lang)} → "
                f"{field_value(n, after.inputs.get(n), lang)}"
                for n in result.changed
            )
        )


def what_if_page() -> None:
    """Change application fields and score again; before and after side by side (logged as a simulation)."""
    lang = session.current_lang()
    st.title(t("page_what_if", lang))
    _id_form(lang)
    sk_id = _need_client(lang)
    if sk_id is None:
        return
    api = session.api()
    try:
        info = session.memo(("client", sk_id), lambda: api.client(sk_id))
    except ApiError as exc:
        session.report(exc)
        return
    st.header(t("what_if_heading", lang, sk_id=sk_id), divider="gray")
    st.markdown(t("what_if_intro", lang))
    others = [n for n in COLUMNS if n not in MAIN_FIELDS]
    extra = st.multiselect(
        t("what_if_more", lang),
        others,
        format_func=lambda n: field_label(n, lang),
        key=f"wi_extra_{sk_id}",
        placeholder=t("choose", lang),
    )
    with st.form(f"what_if_{sk_id}"):
        values = application_widgets([*MAIN_FIELDS, *extra], info.fields, lang, key_prefix=f"wi_{sk_id}")
        submitted = st.form_submit_button(t("what_if_submit", lang), type="primary")
    result_key = f"what_if_result_{sk_id}"
    if submitted:
        changes = changed_fields(values, info.fields)
        if not changes:
            st.info(t("what_if_no_change", lang))
            st.session_state.pop(result_key, None)
        else:
            try:
                st.session_state[result_key] = api.what_if(sk_id, changes, lang=lang)
            except ApiError as exc:
                session.report(exc)
                return
    result: WhatIfResult | None = st.session_state.get(result_key)
    if result is not None:
        _show_what_if(result, lang, key=f"wi_{sk_id}")


def new_application_page() -> None:
    """Enter a new application (no client id) and score it; the result is logged as kind=application."""
    lang = session.current_lang()
    st.title(t("new_heading", lang))
    st.markdown(t("new_intro", lang))
    required = sorted(REQUIRED_APPLICATION_FIELDS, key=list(COLUMNS).index)
    main = [n for n in MAIN_FIELDS if n not in REQUIRED_APPLICATION_FIELDS]
    others = [n for n in COLUMNS if n not in MAIN_FIELDS and n not in REQUIRED_APPLICATION_FIELDS]
    extra = st.multiselect(
        t("what_if_more", lang),
        others,
        format_func=lambda n: field_label(n, lang),
        key="na_extra",
        placeholder=t("choose", lang),
    )
    with st.form("new_application"):
        values = application_widgets(
            [*required, *main, *extra], {}, lang, key_prefix="na", required=frozenset(required)
        )
        submitted = st.form_submit_button(t("new_submit", lang), type="primary")
    if submitted:
        fields = changed_fields(values, {})
        try:
            application = ApplicationIn.model_validate(fields)
        except ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(p) for p in error["loc"])
                st.error(f"{field_label(where, lang)} : {error['msg']}", icon="⚠️")
            return
        try:
            st.session_state["new_application_result"] = session.api().score_application(application, lang=lang)
        except ApiError as exc:
            session.report(exc)
            return
    result = st.session_state.get("new_application_result")
    if result is None:
        return
    st.header(t("new_result", lang), divider="gray")
    show_score(result.score, lang, key="new_app")
    st.subheader(t("reasons_heading", lang))
    show_reasons(result.explanation, lang)
    show_contributions(result.explanation, lang, key="new_app")


def model_page() -> None:
    """What the model is (version, threshold, costs, quality) and what matters most to it."""
    lang = session.current_lang()
    st.title(t("model_heading", lang))
    api = session.api()
    try:
        info = session.memo(("model",), api.model_info)
        importance = session.memo(("importance", lang), lambda: api.feature_importance(lang=lang))
    except ApiError as exc:
        session.report(exc)
        return
    c1, c2 = st.columns(2)
    c1.metric(t("model_version", lang), info.version)
    c2.metric(t("model_threshold", lang), fmt_percent(info.threshold, lang))
    st.markdown(t("model_costs", lang, fn=fmt_number(info.fn_cost, lang), fp=fmt_number(info.fp_cost, lang)))
    if info.metrics:
        st.markdown(f"**{t('model_metrics', lang)}**")
        st.markdown(
            "\n".join(
                f"- {t('metric_' + k, lang) if 'metric_' + k in STRINGS[lang] else k} : {fmt_number(v, lang, digits=3)}"
                for k, v in sorted(info.metrics.items())
            )
        )
    st.header(t("importance_heading", lang))
    if importance:
        show_chart(importance_chart(importance, lang), key="importance")
        return
    st.info(t("importance_missing", lang), icon="ℹ️")
    sk_id = session.selected_client()
    if sk_id is None:
        st.markdown(t("no_client_selected", lang))
        return
    st.markdown(f"**{t('client_heading', lang, sk_id=sk_id)}**")
    try:
        explanation = session.memo(("explanation", sk_id, lang), lambda: api.explanation(sk_id, lang=lang))
    except ApiError as exc:
        session.report(exc)
        return
    show_contributions(explanation, lang, key=f"model_{sk_id}")
