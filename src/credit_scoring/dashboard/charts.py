"""Plotly figure builders: pure functions of ``schemas`` objects, each returning the figure and its text alternative.

Accessibility is built in rather than added later: the Okabe-Ito palette (safe for the common colour-vision
deficiencies), a pattern on every "refusal" mark so that no meaning rests on colour alone, large dark text, and a
sentence per chart saying what it shows *for this client*; the page prints that sentence right under the chart.
"""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Callable, Sequence
from typing import NamedTuple

import plotly.graph_objects as go  # type: ignore[import-untyped]  # plotly ships no type hints

from credit_scoring.dashboard.client import FeatureImportance, PopulationPoint
from credit_scoring.dashboard.i18n import (
    decision_words,
    field_label,
    field_value,
    fmt_percent,
    fmt_points,
    t,
)
from credit_scoring.schemas import (
    Contribution,
    Distribution,
    DriftSummary,
    FieldValue,
    Lang,
    ScoreResult,
    SimilarClient,
    WhatIfResult,
)

__all__ = [
    "OKABE_ITO",
    "Chart",
    "bivariate_chart",
    "contributions_chart",
    "distribution_chart",
    "drift_chart",
    "gauge_chart",
    "importance_chart",
    "similar_chart",
    "what_if_chart",
]

#: Okabe & Ito (2008), "Color Universal Design": distinguishable with protanopia, deuteranopia and tritanopia.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
#: Text colour: 17.4:1 on white.
_TEXT = "#1A1A1A"
_ACCEPT = OKABE_ITO["blue"]
_REFUSE = OKABE_ITO["vermillion"]
#: Refusal marks are hatched, acceptance marks plain: the difference survives greyscale printing and colour blindness.
_REFUSE_PATTERN = "/"
_STAR = {"symbol": "star", "color": OKABE_ITO["orange"], "line": {"width": 2, "color": _TEXT}}
_FONT = {"family": "Source Sans Pro, Arial, sans-serif", "size": 15, "color": _TEXT}


def _pattern(shape: str | list[str]) -> dict[str, object]:
    """White hatching drawn over the bar's colour ("overlay": without it the hatching replaces the colour)."""
    return {"shape": shape, "fgcolor": "#FFFFFF", "fillmode": "overlay", "solidity": 0.3, "size": 10}


class Chart(NamedTuple):
    """A figure and the sentence that says what it shows (its text alternative)."""

    figure: go.Figure
    text: str


def _layout(fig: go.Figure, *, height: int, lang: Lang, title: str | None = None) -> go.Figure:
    fig.update_layout(
        separators=", " if lang == "fr" else ".,",  # decimal comma and space thousands in French
        # Not "simple_white": a named template is deep-copied on every figure (~25 ms each, a third of a client
        # switch); the few things it gave us are set below.
        template="none",
        font=_FONT,
        height=height,
        margin={"l": 10, "r": 20, "t": 50 if title else 20, "b": 10},
        title={"text": title, "font": {"size": 17, "color": _TEXT}} if title else None,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0, "font": _FONT},
        paper_bgcolor="#FFFFFF",
        plot_bgcolor="#FFFFFF",
    )
    axis = {
        "tickfont": {"color": _TEXT},
        "title_font": {"color": _TEXT},
        "linecolor": _TEXT,
        "tickcolor": _TEXT,
        "showline": True,
        "ticks": "outside",
        "showgrid": False,
        "zeroline": False,
        "automargin": True,
    }
    fig.update_xaxes(**axis)
    fig.update_yaxes(**axis)
    return fig


def _join(items: Sequence[str], lang: Lang) -> str:
    if not items:
        return t("none", lang)
    if len(items) == 1:
        return items[0]
    last = " et " if lang == "fr" else " and "
    return ", ".join(items[:-1]) + last + items[-1]


# --- score ----------------------------------------------------------------------------------------------------------


def gauge_chart(score: ScoreResult, lang: Lang, *, addressee: bool = False) -> Chart:
    """The probability on a 0-100 % gauge, the threshold as a thick black line, each zone named in words.

    ``addressee``: the sentence speaks to the client ("your probability") rather than about them.
    """
    probability = 100 * score.probability
    threshold = 100 * score.threshold
    fig = go.Figure(
        go.Indicator(
            mode="gauge+number",
            value=probability,
            number={"suffix": " %" if lang == "fr" else "%", "valueformat": ".1f", "font": {"size": 40}},
            gauge={
                "axis": {"range": [0, 100], "ticksuffix": "%", "tickcolor": _TEXT, "tickfont": {"color": _TEXT}},
                "bar": {"color": _TEXT, "thickness": 0.25},
                "steps": [
                    {"range": [0, threshold], "color": "#CCE3F0"},
                    {"range": [threshold, 100], "color": "#F7D9C4"},
                ],
                "threshold": {"line": {"color": OKABE_ITO["black"], "width": 5}, "thickness": 1, "value": threshold},
            },
        )
    )
    colon = "\u00a0: " if lang == "fr" else ": "
    zones = (
        f"{t('gauge_zone_granted', lang)}{colon}0–{fmt_percent(score.threshold, lang)}<br>"
        f"{t('gauge_zone_refused', lang)}{colon}{fmt_percent(score.threshold, lang)}–{fmt_percent(1.0, lang, digits=0)}"
    )
    fig.add_annotation(text=zones, x=0.5, y=-0.3, xref="paper", yref="paper", showarrow=False, font=_FONT)
    _layout(fig, height=310, lang=lang)
    fig.update_layout(margin={"l": 45, "r": 45, "t": 30, "b": 80})
    side = t("gauge_below", lang) if score.probability < score.threshold else t("gauge_above", lang)
    text = t(
        "gauge_sentence_you" if addressee else "gauge_sentence",
        lang,
        probability=fmt_percent(score.probability, lang),
        side=side,
        threshold=fmt_percent(score.threshold, lang),
    )
    return Chart(fig, text)


def contributions_chart(contributions: Sequence[Contribution], lang: Lang, *, top: int = 10) -> Chart:
    """Horizontal bars: right (hatched, vermillion) pushes toward refusal, left (plain, blue) toward acceptance."""
    shown = sorted(contributions, key=lambda c: abs(c.probability_points), reverse=True)[:top]
    shown.reverse()  # plotly draws the first category at the bottom: strongest on top
    # Long feature descriptions would squeeze the bars: wrap them on several lines (plotly reads <br>).
    names = ["<br>".join(textwrap.wrap(f"{c.label} = {field_value(c.feature, c.value, lang)}", 42)) for c in shown]
    fig = go.Figure()
    for side, refusal_side, colour, pattern in (
        ("toward_refusal", True, _REFUSE, _REFUSE_PATTERN),
        ("toward_acceptance", False, _ACCEPT, ""),
    ):
        x = [c.probability_points if (c.probability_points > 0) == refusal_side else None for c in shown]
        fig.add_trace(
            go.Bar(
                x=x,
                y=names,
                orientation="h",
                name=("▶ " if side == "toward_refusal" else "◀ ") + t(side, lang),
                marker={"color": colour, "pattern": _pattern(pattern)},
                text=[fmt_points(v, lang) if v is not None else "" for v in x],
                textposition="outside",
                textfont={"color": _TEXT},
                cliponaxis=False,
                hovertemplate="%{y}: %{x:.1f}<extra></extra>",
            )
        )
    fig.add_vline(x=0, line={"color": _TEXT, "width": 1})
    fig.update_layout(barmode="overlay")
    points = [c.probability_points for c in shown] or [0.0]
    pad = 0.6 * max(max(abs(p) for p in points), 1.0)  # room for the labels outside the bars
    fig.update_xaxes(
        title=t("points_axis", lang), zeroline=False, range=[min(min(points), 0) - pad, max(max(points), 0) + pad]
    )
    fig.update_yaxes(automargin=True)
    _layout(fig, height=max(260, sum(22 + 16 * n.count("<br>") for n in names) + 24 * len(shown) + 120), lang=lang)
    refusal = [
        f"{c.label} ({fmt_points(c.probability_points, lang)})" for c in reversed(shown) if c.probability_points > 0
    ]
    acceptance = [
        f"{c.label} ({fmt_points(c.probability_points, lang)})" for c in reversed(shown) if c.probability_points <= 0
    ]
    text = t("contrib_sentence", lang, refusal=_join(refusal, lang), acceptance=_join(acceptance, lang))
    return Chart(fig, text)


# --- population ---------------------------------------------------------------------------------------------------


def _to_display(feature: str) -> Callable[[float], float]:
    """Days as stored by Kaggle (negative, before the application) are read in years."""
    if feature.startswith("DAYS_"):
        return lambda days: -days / 365.25
    return lambda value: value


def _share_below(edges: Sequence[float], counts: Sequence[int], value: float) -> float | None:
    """Share of a histogram below ``value``, linear within the bin that holds it."""
    total = sum(counts)
    if total == 0:
        return None
    below = 0.0
    for low, high, count in zip(edges[:-1], edges[1:], counts, strict=False):
        if value >= high:
            below += count
        elif value > low:
            below += count * (value - low) / (high - low)
    return below / total


def distribution_chart(
    distribution: Distribution, client_value: FieldValue, lang: Lang, *, label: str | None = None
) -> Chart:
    """Histogram of repaid vs defaulted clients (each as a share of its group), this client's value marked.

    ``label`` names the feature in the page's language (the API's ``Distribution.label`` is English)."""
    if label is None:
        label = field_label(distribution.feature, lang)
        if label == distribution.feature:
            label = distribution.label
    repaid_total = sum(distribution.repaid) or 1
    defaulted_total = sum(distribution.defaulted) or 1
    everyone = [
        r + d + u for r, d, u in zip(distribution.repaid, distribution.defaulted, distribution.unknown, strict=True)
    ]
    fig = go.Figure()
    categorical = distribution.categories is not None
    if categorical:
        x: list[str] | list[float] = list(distribution.categories or [])
        widths = None
    else:
        scale = _to_display(distribution.feature)
        edges = [scale(e) for e in distribution.bin_edges]
        x = [(a + b) / 2 for a, b in itertools.pairwise(edges)]
        widths = [abs(b - a) * 0.45 for a, b in itertools.pairwise(edges)]
    for key, counts, total, colour, pattern in (
        ("repaid", distribution.repaid, repaid_total, _ACCEPT, ""),
        ("defaulted", distribution.defaulted, defaulted_total, _REFUSE, _REFUSE_PATTERN),
    ):
        fig.add_trace(
            go.Bar(
                x=x,
                y=[100 * c / total for c in counts],
                width=widths,
                name=t(key, lang),
                marker={"color": colour, "pattern": _pattern(pattern)},
                hovertemplate="%{x}: %{y:.1f} %<extra>" + t(key, lang) + "</extra>",
            )
        )
    fig.update_layout(barmode="group", bargap=0.1)
    fig.update_yaxes(title=t("share_axis", lang))
    fig.update_xaxes(title=label)
    _layout(fig, height=320, lang=lang)
    shown = field_value(distribution.feature, client_value, lang)
    if client_value is None or (not categorical and not isinstance(client_value, int | float)):
        return Chart(fig, t("dist_sentence_no_value", lang, label=label))
    if categorical:
        cats = list(distribution.categories or [])
        if str(client_value) not in cats:
            return Chart(fig, t("dist_sentence_no_value", lang, label=label))
        i = cats.index(str(client_value))
        fig.add_annotation(
            x=str(client_value), y=1.0, yref="paper", text=f"▼ {t('this_client', lang)}", showarrow=False
        )
        text = t(
            "dist_sentence_category",
            lang,
            label=label,
            value=client_value,
            all=fmt_percent(everyone[i] / (sum(everyone) or 1), lang, digits=0),
            repaid=fmt_percent(distribution.repaid[i] / repaid_total, lang, digits=0),
            defaulted=fmt_percent(distribution.defaulted[i] / defaulted_total, lang, digits=0),
        )
        return Chart(fig, text)
    assert isinstance(client_value, int | float)
    position = _to_display(distribution.feature)(float(client_value))
    fig.add_vline(
        x=position,
        line={"color": OKABE_ITO["black"], "width": 3, "dash": "dash"},
        annotation={"text": f"{t('this_client', lang)} : {shown}", "font": _FONT, "bgcolor": "#FFFFFF"},
        annotation_position="top",
    )
    raw_edges = distribution.bin_edges

    def share(counts: Sequence[int]) -> str:
        value = _share_below(raw_edges, counts, float(client_value))
        if value is not None and raw_edges and raw_edges[0] > raw_edges[-1]:
            value = 1 - value
        return "—" if value is None else fmt_percent(value, lang, digits=0)

    text = t(
        "dist_sentence",
        lang,
        label=label,
        value=shown,
        all=share(everyone),
        repaid=share(distribution.repaid),
        defaulted=share(distribution.defaulted),
    )
    return Chart(fig, text)


def _outcome(target: int | None, lang: Lang) -> str:
    if target is None:
        return t("outcome_unknown", lang)
    return t("outcome_defaulted" if target else "outcome_repaid", lang)


def similar_chart(
    similar: Sequence[SimilarClient], *, client_id: int, client_probability: float, threshold: float, lang: Lang
) -> Chart:
    """The similar clients' probabilities as dots (shape = outcome), this client as a star, the threshold as a line."""
    fig = go.Figure()
    styles = {
        1: ("defaulted", "x-thin-open", _REFUSE),
        0: ("repaid", "circle", _ACCEPT),
        None: ("legend_unknown", "circle-open", "#595959"),
    }
    for target, (key, symbol, colour) in styles.items():
        group = [s for s in similar if s.target == target]
        if not group:
            continue
        fig.add_trace(
            go.Scatter(
                x=[100 * s.probability for s in group],
                y=[t("similar_client", lang, sk_id=s.sk_id) for s in group],
                mode="markers",
                name=t(key, lang),
                marker={"symbol": symbol, "size": 13, "color": colour, "line": {"width": 2, "color": colour}},
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[100 * client_probability],
            y=[t("similar_client", lang, sk_id=client_id)],
            mode="markers+text",
            name=t("this_client", lang),
            text=[t("this_client", lang)],
            textposition="middle left",
            marker=_STAR | {"size": 20},
        )
    )
    fig.add_vline(
        x=100 * threshold,
        line={"color": _TEXT, "width": 2, "dash": "dot"},
        annotation={"text": t("threshold_label", lang), "font": _FONT},
    )
    fig.update_xaxes(title=t("similar_axis", lang), range=[0, 100])
    fig.update_yaxes(automargin=True)
    _layout(fig, height=max(280, 30 * (len(similar) + 1) + 120), lang=lang)
    known = [s for s in similar if s.target is not None]
    mean = sum(s.probability for s in similar) / len(similar) if similar else 0.0
    text = t(
        "similar_sentence",
        lang,
        n=len(similar),
        defaulted=sum(1 for s in known if s.target == 1),
        repaid=sum(1 for s in known if s.target == 0),
        unknown=len(similar) - len(known),
        mean=fmt_percent(mean, lang),
        mine=fmt_percent(client_probability, lang),
    )
    return Chart(fig, text)


def bivariate_chart(
    points: Sequence[PopulationPoint],
    *,
    x: str,
    y: str,
    client: PopulationPoint,
    lang: Lang,
) -> Chart:
    """Scatter of two features, colour = probability (Cividis, readable by colour-blind people), this client a star."""
    usable = [
        p for p in points if isinstance(p.values.get(x), int | float) and isinstance(p.values.get(y), int | float)
    ]
    sx, sy = _to_display(x), _to_display(y)

    def coords(p: PopulationPoint) -> tuple[float, float]:
        vx, vy = p.values[x], p.values[y]
        assert isinstance(vx, int | float) and isinstance(vy, int | float)
        return sx(float(vx)), sy(float(vy))

    xs, ys = zip(*(coords(p) for p in usable), strict=True) if usable else ((), ())
    fig = go.Figure(
        go.Scatter(
            x=list(xs),
            y=list(ys),
            mode="markers",
            name=t("probability_colour", lang),
            marker={
                "size": 9,
                "color": [100 * p.probability for p in usable],
                "colorscale": "Cividis",
                "cmin": 0,
                "cmax": 100,
                "colorbar": {"title": {"text": t("probability_colour", lang)}},
                "line": {"width": 0.5, "color": "#FFFFFF"},
            },
            showlegend=False,
            hovertemplate="%{x}, %{y}: %{marker.color:.1f} %<extra></extra>",
        )
    )
    xl, yl = field_label(x, lang), field_label(y, lang)
    mine = client.values.get(x), client.values.get(y)
    has_client = all(isinstance(v, int | float) for v in mine)
    if has_client:
        cx, cy = coords(client)
        fig.add_trace(
            go.Scatter(
                x=[cx],
                y=[cy],
                mode="markers+text",
                text=[f"★ {t('this_client', lang)}"],
                textposition="top center",
                textfont={"size": 16, "color": _TEXT},
                name=t("this_client", lang),
                marker={
                    "symbol": "star",
                    "size": 24,
                    "color": OKABE_ITO["orange"],
                    "line": {"width": 2, "color": _TEXT},
                },
                showlegend=False,
            )
        )
    fig.update_xaxes(title=xl)
    fig.update_yaxes(title=yl)
    _layout(fig, height=420, lang=lang)
    higher = sum(1 for p in usable if p.probability > client.probability)
    text = t(
        "bivariate_sentence",
        lang,
        n=len(usable),
        x=xl,
        y=yl,
        xv=field_value(x, mine[0], lang),
        yv=field_value(y, mine[1], lang),
        share=fmt_percent(higher / len(usable), lang, digits=0) if usable else "—",
    )
    return Chart(fig, text)


# --- what-if and model ------------------------------------------------------------------------------------------------


def what_if_chart(result: WhatIfResult, lang: Lang) -> Chart:
    """Before and after side by side, each bar labelled with its probability and decision in words."""
    scores = [("what_if_before", result.before), ("what_if_after", result.after)]
    fig = go.Figure(
        go.Bar(
            x=[t(key, lang) for key, _ in scores],
            y=[100 * s.probability for _, s in scores],
            text=[f"{fmt_percent(s.probability, lang)}<br>{decision_words(s.decision, lang)}" for _, s in scores],
            textposition="outside",
            cliponaxis=False,
            marker={
                "color": [_REFUSE if s.decision == "refused" else _ACCEPT for _, s in scores],
                "pattern": _pattern([_REFUSE_PATTERN if s.decision == "refused" else "" for _, s in scores]),
            },
            width=0.5,
            showlegend=False,
        )
    )
    threshold = result.after.threshold
    fig.add_hline(
        y=100 * threshold,
        line={"color": _TEXT, "width": 2, "dash": "dash"},
        annotation={"text": f"{t('threshold_label', lang)} {fmt_percent(threshold, lang)}", "font": _FONT},
        annotation_position="top right",
    )
    top = max(100 * max(result.before.probability, result.after.probability, threshold) * 1.35, 10)
    fig.update_yaxes(title=t("probability_label", lang) + " (%)", range=[0, min(top, 110)])
    _layout(fig, height=340, lang=lang)
    text = t(
        "what_if_chart_sentence",
        lang,
        before=fmt_percent(result.before.probability, lang),
        after=fmt_percent(result.after.probability, lang),
        threshold=fmt_percent(threshold, lang),
    )
    return Chart(fig, text)


def importance_chart(items: Sequence[FeatureImportance], lang: Lang, *, top: int = 15) -> Chart:
    """Global importance as plain horizontal bars (one colour: there is no direction to encode)."""
    shown = sorted(items, key=lambda i: i.importance, reverse=True)[:top]
    total = sum(i.importance for i in shown) or 1.0
    fig = go.Figure(
        go.Bar(
            x=[100 * i.importance / total for i in reversed(shown)],
            y=[i.label for i in reversed(shown)],
            orientation="h",
            marker={"color": _ACCEPT},
            showlegend=False,
        )
    )
    fig.update_xaxes(title=t("importance_axis", lang) + " (%)")
    fig.update_yaxes(automargin=True)
    _layout(fig, height=max(260, 30 * len(shown) + 100), lang=lang)
    text = t("importance_sentence", lang, top=_join([i.label for i in shown[:5]], lang))
    return Chart(fig, text)


# --- monitoring -------------------------------------------------------------------------------------------------------


def drift_chart(summary: DriftSummary, lang: Lang) -> Chart:
    """Share of drifting fields per population against the alert level (a thick black line). An alert bar is hatched
    and says "alert" in its label: the status never rests on colour alone."""
    measured = [c for c in summary.comparisons if c.drift_share is not None]
    names = [t(f"drift_population_{c.name}", lang) for c in measured]
    shares = [100 * float(c.drift_share or 0.0) for c in measured]
    alert = [c.status == "alert" for c in measured]
    status = [t(f"drift_status_{c.status}", lang) for c in measured]
    fig = go.Figure(
        go.Bar(
            x=shares,
            y=names,
            orientation="h",
            marker={
                "color": [_REFUSE if a else _ACCEPT for a in alert],
                "pattern": _pattern([_REFUSE_PATTERN if a else "" for a in alert]),
                "line": {"color": _TEXT, "width": 1},
            },
            text=[f"{fmt_percent(x / 100, lang, digits=0)} — {s}" for x, s in zip(shares, status, strict=True)],
            textposition="outside",
            cliponaxis=False,
            showlegend=False,
        )
    )
    level = 100 * summary.alert_share
    fig.add_vline(x=level, line={"color": _TEXT, "width": 3, "dash": "dash"})
    fig.add_annotation(
        x=level, y=1.02, yref="paper", showarrow=False, yanchor="bottom",
        text=f"{t('drift_alert_label', lang)} {fmt_percent(summary.alert_share, lang, digits=0)}",
    )  # fmt: skip
    fig.update_xaxes(title=t("drift_axis", lang), range=[0, 110])
    _layout(fig, height=120 + 60 * max(len(measured), 1), lang=lang, title=t("drift_chart_title", lang))
    items = [
        t(
            "drift_chart_item",
            lang,
            population=t(f"drift_population_{c.name}", lang),
            share=t("drift_not_measured", lang)
            if c.drift_share is None
            else fmt_percent(c.drift_share, lang, digits=0),
            status=t(f"drift_status_{c.status}", lang),
        )
        for c in summary.comparisons
    ]
    text = t(
        "drift_chart_sentence", lang, items=_join(items, lang), alert=fmt_percent(summary.alert_share, lang, digits=0)
    )
    return Chart(fig, text)
