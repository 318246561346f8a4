"""The advisors' monitoring page: data drift against the alert level, the fields that drift, fairness by group, and
the model card, as the `credit-scoring monitor` commands last wrote them (the API serves them; nothing is computed
here). A summary not written yet is said in words, with the API's hint of which command to run."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pandas as pd
import streamlit as st

from credit_scoring.dashboard import session
from credit_scoring.dashboard.charts import drift_chart
from credit_scoring.dashboard.client import ApiError
from credit_scoring.dashboard.i18n import field_label, fmt_number, fmt_percent, t
from credit_scoring.dashboard.views.common import show_chart
from credit_scoring.schemas import DriftComparison, DriftSummary, FairnessAttribute, FairnessSummary, Lang

__all__ = ["monitoring_page"]

_T = TypeVar("_T")
_RATES = ("default_rate", "approval_rate", "false_negative_rate", "false_positive_rate")
_GAPS = ("approval_rate", "false_negative_rate", "false_positive_rate")
_MONITORED_ROWS = 20


def _fetch(key: str, call: Callable[[], _T], lang: Lang) -> _T | None:
    """The summary, or None after saying why (not computed yet, or the API's error)."""
    try:
        return session.memo(("monitoring", key), call)
    except ApiError as exc:
        if exc.status == 404:
            st.info(t("monitoring_missing", lang, detail=exc.detail), icon="ℹ️")
            return None
        session.report(exc)
        return None


def _rate(value: float | None, lang: Lang) -> str:
    return "—" if value is None else fmt_percent(value, lang)


def _ratio(value: float | None, lang: Lang) -> str:
    return "—" if value is None else fmt_number(value, lang, digits=2)


def _drift_table(comparison: DriftComparison, lang: Lang) -> None:
    def verdict(drifted: bool | None) -> str:
        if drifted is None:
            return t("drift_untested", lang)
        return t("drift_yes", lang) if drifted else t("drift_no", lang)

    ordered = sorted(comparison.columns, key=lambda c: (not c.drifted, -c.importance))[:_MONITORED_ROWS]
    rows = [
        {
            t("drift_field", lang): f"{field_label(c.column, lang)} ({c.column})"
            if field_label(c.column, lang) != c.column
            else c.column,
            t("drift_drifted", lang): verdict(c.drifted),
            t("drift_importance", lang): fmt_percent(c.importance, lang),
            t("drift_method", lang): c.method or "—",
            t("drift_score", lang): "—" if c.score is None else fmt_number(c.score, lang, digits=3),
            t("drift_threshold", lang): "—" if c.threshold is None else fmt_number(c.threshold, lang, digits=3),
        }
        for c in ordered
    ]
    st.markdown(f"**{t('drift_table_caption', lang)}**")
    st.table(pd.DataFrame(rows).set_index(t("drift_field", lang)))


def _drift(summary: DriftSummary, lang: Lang) -> None:
    show_chart(drift_chart(summary, lang), key="drift_chart")
    st.markdown(t("drift_basis", lang, basis=summary.basis))
    for comparison in summary.comparisons:
        st.subheader(t(f"drift_population_{comparison.name}", lang))
        st.markdown(f"**{t(f'drift_status_{comparison.status}', lang)}**")
        c1, c2, c3 = st.columns(3)
        c1.metric(
            t("drift_share_label", lang),
            "—" if comparison.drift_share is None else fmt_percent(comparison.drift_share, lang, digits=0),
        )
        c2.metric(t("drift_alert_label", lang), fmt_percent(summary.alert_share, lang, digits=0))
        c3.metric(
            t("drift_rows_label", lang),
            t(
                "drift_rows_value",
                lang,
                rows=fmt_number(comparison.current_rows, lang),
                total=fmt_number(comparison.current_total, lang),
            ),
        )
        if comparison.note:
            st.markdown(t("drift_note", lang, note=comparison.note))
        if comparison.columns and comparison.drift_share is not None:
            _drift_table(comparison, lang)
        if comparison.report:
            st.caption(t("drift_report", lang, file=comparison.report))


def _fairness_attribute(attribute: FairnessAttribute, lang: Lang) -> None:
    st.subheader(t(f"fairness_attribute_{attribute.attribute}", lang))
    rows = []
    for g in attribute.groups:
        row = {t("fairness_group", lang): g.group if g.compared else f"{g.group} ({t('fairness_small', lang)})"}
        row[t("fairness_count", lang)] = fmt_number(g.count, lang)
        for rate in _RATES:
            row[t(f"fairness_{rate}", lang)] = _rate(getattr(g, rate), lang)
        rows.append(row)
    st.table(pd.DataFrame(rows).set_index(t("fairness_group", lang)))
    gaps = [
        {
            t("fairness_gap_rate", lang): t(f"fairness_{rate}", lang),
            t("fairness_difference", lang): _rate(attribute.difference.get(rate), lang),
            t("fairness_ratio", lang): _ratio(attribute.ratio.get(rate), lang),
        }
        for rate in _GAPS
    ]
    st.markdown(f"**{t('fairness_gaps_caption', lang)}**")
    st.table(pd.DataFrame(gaps).set_index(t("fairness_gap_rate", lang)))


def _fairness(summary: FairnessSummary, lang: Lang) -> None:
    st.markdown(
        t(
            "fairness_intro",
            lang,
            n=fmt_number(summary.n_clients, lang),
            threshold=fmt_percent(summary.threshold, lang),
        )
    )
    for attribute in summary.attributes:
        _fairness_attribute(attribute, lang)


def monitoring_page() -> None:
    """Drift, fairness and the model card for advisors."""
    lang = session.current_lang()
    st.title(t("monitoring_heading", lang))
    api = session.api()
    st.header(t("drift_heading", lang))
    drift = _fetch("drift", api.drift_summary, lang)
    if drift is not None:
        st.markdown(
            t("monitoring_intro", lang, version=drift.model_version, date=drift.created_at.strftime("%Y-%m-%d %H:%M"))
        )
        _drift(drift, lang)
    st.header(t("fairness_heading", lang))
    fairness = _fetch("fairness", api.fairness_summary, lang)
    if fairness is not None:
        _fairness(fairness, lang)
    st.header(t("card_heading", lang))
    card = _fetch("card", api.model_card, lang)
    if card is not None:
        with st.expander(t("card_show", lang)):
            st.markdown(card.markdown)
