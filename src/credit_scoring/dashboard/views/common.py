"""Blocks shared by advisor and client pages: a chart with its sentence, score, reasons, information, history."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from credit_scoring.dashboard.charts import Chart, contributions_chart, gauge_chart
from credit_scoring.dashboard.i18n import decision_words, field_label, field_value, fmt_percent, fmt_points, t
from credit_scoring.schemas import ClientInfo, DecisionRecord, Explanation, Lang, Reason, ScoreResult

__all__ = [
    "INFO_FIELDS",
    "show_chart",
    "show_contributions",
    "show_history",
    "show_info",
    "show_reasons",
    "show_score",
]

#: The client's main information, in reading order (other fields are still sent to the model, just not listed).
INFO_FIELDS: tuple[str, ...] = (
    "NAME_CONTRACT_TYPE",
    "AMT_CREDIT",
    "AMT_ANNUITY",
    "AMT_GOODS_PRICE",
    "AMT_INCOME_TOTAL",
    "DAYS_BIRTH",
    "DAYS_EMPLOYED",
    "CODE_GENDER",
    "NAME_FAMILY_STATUS",
    "CNT_CHILDREN",
    "NAME_INCOME_TYPE",
    "OCCUPATION_TYPE",
    "NAME_EDUCATION_TYPE",
    "NAME_HOUSING_TYPE",
    "FLAG_OWN_REALTY",
    "FLAG_OWN_CAR",
    "EXT_SOURCE_1",
    "EXT_SOURCE_2",
    "EXT_SOURCE_3",
)


def show_chart(chart: Chart, *, key: str) -> None:
    """The figure, then its text alternative as ordinary text right under it (read by screen readers, zoomable)."""
    st.plotly_chart(
        chart.figure,
        key=key,
        config={"displayModeBar": False, "responsive": True},
        width="stretch",
    )
    st.markdown(f"📊 {chart.text}")


def show_score(score: ScoreResult, lang: Lang, *, key: str) -> None:
    """Decision in words with an icon, the gauge, and the probability, threshold and distance as figures."""
    distance_points = 100 * abs(score.distance_to_threshold)
    distance = t(
        "distance_below" if score.decision == "granted" else "distance_above",
        lang,
        points=fmt_points(distance_points, lang).lstrip("+"),
    )
    st.markdown(f"#### {decision_words(score.decision, lang)}")
    left, right = st.columns([3, 2])
    with left:
        show_chart(gauge_chart(score, lang), key=f"{key}_gauge")
    with right:
        st.metric(t("probability_label", lang), fmt_percent(score.probability, lang))
        st.metric(t("threshold_label", lang), fmt_percent(score.threshold, lang))
        sign = "+" if score.distance_to_threshold > 0 else "−"
        st.metric(t("distance_label", lang), f"{sign}{fmt_points(distance_points, lang).lstrip('+')}")
    st.markdown(
        t(
            "score_sentence",
            lang,
            probability=fmt_percent(score.probability, lang),
            threshold=fmt_percent(score.threshold, lang),
            distance=distance,
        )
    )


def _reason_list(reasons: Sequence[Reason], icon: str, lang: Lang) -> None:
    if not reasons:
        st.markdown(t("reasons_none", lang))
        return
    st.markdown("\n".join(f"- {icon} {r.text}" for r in reasons))


def show_reasons(
    explanation: Explanation,
    lang: Lang,
    *,
    top: int = 5,
    titles: tuple[str, str] = ("reasons_refusal", "reasons_acceptance"),
) -> None:
    """Two lists in words, each with its own icon: what pushes toward refusal, and toward acceptance."""
    left, right = st.columns(2)
    with left:
        st.markdown(f"**▶ {t(titles[0], lang)}**")
        _reason_list(explanation.reasons_refusal[:top], "⚠️", lang)
    with right:
        st.markdown(f"**◀ {t(titles[1], lang)}**")
        _reason_list(explanation.reasons_acceptance[:top], "👍", lang)


def show_contributions(explanation: Explanation, lang: Lang, *, key: str) -> None:
    st.subheader(t("contributions_heading", lang))
    show_chart(contributions_chart(explanation.contributions, lang), key=f"{key}_contrib")


def show_info(info: ClientInfo, lang: Lang) -> None:
    """The main fields as an HTML table (read cell by cell by screen readers, unlike a canvas grid)."""
    names = [n for n in INFO_FIELDS if n in info.fields] + [
        n for n in info.fields if n not in INFO_FIELDS and field_label(n, lang) != n
    ]
    rows = [(field_label(n, lang), field_value(n, info.fields[n], lang)) for n in names]
    frame = pd.DataFrame(rows, columns=[t("info_field", lang), t("info_value", lang)])
    st.table(frame.set_index(t("info_field", lang)))


def show_history(items: Sequence[DecisionRecord], lang: Lang, *, compact: bool = False) -> None:
    """The decision log of one client. ``compact`` (the client's view, often on a phone) keeps three columns: a table
    wider than the screen scrolls inside a box that Streamlit does not make keyboard-focusable."""
    if not items:
        st.markdown(t("history_none", lang))
        return
    if compact:
        rows = [
            {
                t("history_date", lang): r.created_at.strftime("%Y-%m-%d"),
                t("history_probability", lang): fmt_percent(r.probability, lang),
                t("history_final_decision", lang): decision_words(r.final_decision, lang),
            }
            for r in items
            if r.kind != "simulation"
        ]
        st.table(pd.DataFrame(rows))
        return
    rows = [
        {
            t("history_date", lang): r.created_at.strftime("%Y-%m-%d %H:%M"),
            t("history_kind", lang): t("kind_" + r.kind, lang),
            t("history_probability", lang): fmt_percent(r.probability, lang),
            t("history_model_decision", lang): decision_words(r.decision, lang),
            t("history_final_decision", lang): decision_words(r.final_decision, lang),
            t("history_actor", lang): r.overrides[-1].actor if r.overrides else r.actor,
            t("history_reason", lang): r.overrides[-1].reason if r.overrides else "",
        }
        for r in items
    ]
    st.table(pd.DataFrame(rows))
