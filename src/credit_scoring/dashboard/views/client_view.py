"""The client's own page: their decision and its reasons in plain language, their information, their history.

It only ever asks the API about the logged-in client's id. A ``?client=<other id>`` in the address is passed to the API
as asked, and the API's refusal is shown: the server, not the page, is what keeps other files private.
"""

from __future__ import annotations

import streamlit as st

from credit_scoring.dashboard import session
from credit_scoring.dashboard.charts import gauge_chart
from credit_scoring.dashboard.client import ApiError
from credit_scoring.dashboard.i18n import fmt_percent, t
from credit_scoring.dashboard.views.common import show_chart, show_history, show_info, show_reasons

__all__ = ["my_file_page"]


def my_file_page() -> None:
    lang = session.current_lang()
    st.title(t("my_file_heading", lang))
    who = session.principal()
    if who is None or who.client_id is None:
        st.error(t("not_linked", lang), icon="⚠️")
        return
    sk_id = who.client_id
    api = session.api()
    asked = st.query_params.get("client")
    if asked is not None and asked.isdigit() and int(asked) != sk_id:
        try:
            api.client(int(asked))
        except ApiError as exc:
            st.error(t("other_client_refused", lang, sk_id=asked, message=exc.detail), icon="🔒")
        else:  # the API let it through: never display it anyway
            st.error(t("other_client_refused", lang, sk_id=asked, message="—"), icon="🔒")
    try:
        score = session.memo(("score", sk_id), lambda: api.score(sk_id))
        explanation = session.memo(("explanation", sk_id, lang), lambda: api.explanation(sk_id, lang=lang))
        info = session.memo(("client", sk_id), lambda: api.client(sk_id))
        history = session.memo(("history", sk_id), lambda: api.decisions(sk_id))
    except ApiError as exc:
        session.report(exc)
        return
    st.header(t("my_decision_heading", lang))
    icon = "✅" if score.decision == "granted" else "⛔"
    st.markdown(f"### {icon} {t('my_granted' if score.decision == 'granted' else 'my_refused', lang)}")
    st.markdown(
        t(
            "my_score_sentence",
            lang,
            probability=fmt_percent(score.probability, lang),
            threshold=fmt_percent(score.threshold, lang),
        )
    )
    show_chart(gauge_chart(score, lang, addressee=True), key="my_gauge")
    st.header(t("my_reasons_heading", lang))
    show_reasons(explanation, lang, titles=("my_reasons_against", "my_reasons_for"))
    st.info(t("my_contact", lang), icon="💬")
    st.header(t("my_info_heading", lang))
    show_info(info, lang)
    st.header(t("history_heading", lang))
    show_history([r for r in history.items if r.client_id == sk_id], lang, compact=True)
