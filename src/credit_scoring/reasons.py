"""Reason codes: the few sentences a relationship manager can say out loud, in French and English.

A TreeSHAP explanation has one number per feature (850 of them), and many features measure the same thing: the levels
of one category (one-hot), the minimum, maximum and mean of one column, the same aggregate over the last 12 months and
over all time. Reading them one by one would repeat a fact and split its weight, so features of one *quantity* are
merged first (``quantity_key``): their contributions are summed and the group is described by one member, with the
client's value and where it stands among all known clients (a percentile from a compact sketch of the store, see
``PercentileSketch``).

Sentences are generated from the feature manifest (``description_en`` / ``description_fr``), so every feature has
one without a hand-written template; values are formatted by kind (amounts, durations, shares, flags, categories).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

from credit_scoring.schemas import Lang, Reason

__all__ = [
    "FeatureText",
    "PercentileSketch",
    "QuantityGroups",
    "ReasonGroup",
    "describe",
    "format_value",
    "group_contributions",
    "quantity_key",
    "reason_for",
    "reasons",
    "refusal_features",
]

_WINDOW = re.compile(r"_RECENT_\d+M")
_SUFFIXES = ("_MEAN", "_MIN", "_MAX", "_SUM", "_VAR", "_NUNIQUE", "_MEDIAN", "_STD", "_AVG", "_MODE", "_MEDI")
_ONE_FIELD = frozenset({"value", "value (365243 → missing)", "transform", "flag"})
_NBSP = "\u202f"  # narrow no-break space: the French thousands separator and the space before %


@dataclass(frozen=True)
class FeatureText:
    """What the reason codes need to know about one feature, read from its manifest entry."""

    name: str
    table: str
    aggregation: str
    sources: tuple[str, ...]
    en: str
    fr: str
    count: bool = False

    @classmethod
    def from_manifest(cls, entry: Mapping[str, Any]) -> FeatureText:
        return cls(
            name=str(entry["name"]),
            table=str(entry.get("table", "")),
            aggregation=str(entry.get("aggregation", "")),
            sources=tuple(str(s) for s in entry.get("sources", ())),
            en=str(entry.get("description_en") or entry["name"]),
            fr=str(entry.get("description_fr") or entry.get("description_en") or entry["name"]),
            count=bool(entry.get("count", False)),
        )

    def label(self, lang: Lang) -> str:
        return self.fr if lang == "fr" else self.en

    @cached_property
    def kind(self) -> str:
        """How a value of this feature reads: onehot, flag, share, amount, days, months, count or number."""
        agg, name, sources = self.aggregation, self.name, self.sources
        if agg == "one-hot":
            return "onehot"
        if agg == "flag" or (agg == "value" and sources and sources[0].startswith(("FLAG_", "REG_", "LIVE_"))):
            return "flag"
        if self.count or agg in {"count", "nunique", "row count", "row sum"}:
            return "count"
        if agg == "share" or "share" in self.en.lower() or "_PERC_" in name or name.endswith("_PERC"):
            return "share"
        if agg == "model estimate":
            return "number"
        if agg in {"var", "ratio"} and not (
            len(sources) == 2 and sources[0].startswith("AMT_") and not sources[1].startswith("AMT_")
        ):
            return "number"
        if sources and all(s.startswith("AMT_") for s in sources[:1]) and agg != "var":
            return "amount"
        if "_DPD" in name or "_DBD" in name or "DAYS_PAST_DUE" in name or "SK_DPD" in name:
            return "count_days"
        if (
            sources
            and sources[0].startswith("DAYS_")
            and agg in {"value", "value (365243 → missing)", "mean", "min", "max", "row mean", "row min", "row max"}
        ):
            return "days"
        if sources and sources[0] == "MONTHS_BALANCE" and agg in {"mean", "min", "max"}:
            return "months"
        return "number"


def quantity_key(feature: FeatureText) -> str:
    """Features with the same key measure one quantity and give one reason.

    One-hot levels of one column, and shares of the levels of one column, share a key; otherwise the name without its
    time window (``_RECENT_12M``) and without its aggregation suffix (``_MIN``, ``_MAX``, ``_MEAN``, ...), within its
    table: ``INSTAL_DPD_MAX``, ``INSTAL_DPD_MEAN`` and ``INSTAL_RECENT_12M_DPD_MAX`` are one reason.
    """
    if feature.aggregation == "one-hot" and feature.sources:
        return f"{feature.table}:{feature.sources[0]}=*"
    if feature.aggregation == "share" and len(feature.sources) == 1:
        return f"{feature.table}:{feature.sources[0]}%*"
    if feature.table == "application" and len(feature.sources) == 1 and feature.aggregation in _ONE_FIELD:
        # a raw field and what is derived from it alone (age in years from DAYS_BIRTH, the "not employed" flag of
        # DAYS_EMPLOYED), and the average / mode / median of one building statistic
        return f"application:{_strip_suffix(feature.sources[0])}"
    return f"{feature.table}:{_strip_suffix(_WINDOW.sub('', feature.name))}"


def _strip_suffix(stem: str) -> str:
    for suffix in _SUFFIXES:
        if stem.endswith(suffix) and len(stem) > len(suffix):
            return stem[: -len(suffix)]
    return stem


class PercentileSketch:
    """Per-feature quantiles (``n_points`` of them) of the non-missing values of every known client.

    Built once when the service loads, from the store matrix (or a large sample of its rows): a few MB for 850
    features, and a percentile is two binary searches. Ties (flags, counts) get the mid-rank, so a value held by most
    clients reads as "about as many above as below", not as "higher than 90%".
    """

    def __init__(self, quantiles: NDArray[np.float32]) -> None:
        self.quantiles = quantiles  # features x n_points, NaN rows for features never observed

    @classmethod
    def fit(
        cls,
        matrix: NDArray[np.floating[Any]],
        *,
        rows: NDArray[np.int64] | None = None,
        n_points: int = 1001,
        block: int = 64,
    ) -> PercentileSketch:
        """Quantiles of each column of ``matrix`` (of its ``rows`` only, when given), ignoring NaN.

        Computed a block of columns at a time, so the extra memory is one block of the sample, not a copy of it.
        """
        n_features = matrix.shape[1]
        out = np.full((n_features, n_points), np.nan, dtype=np.float32)
        probs = np.linspace(0.0, 1.0, n_points)
        for start in range(0, n_features, block):
            part = matrix[:, start : start + block] if rows is None else matrix[rows, start : start + block]
            cols = np.sort(np.asarray(part, dtype=np.float32), axis=0)  # NaN sort last
            counts = (~np.isnan(cols)).sum(axis=0)
            for j in range(cols.shape[1]):
                n = int(counts[j])
                if n:
                    idx = np.minimum((probs * (n - 1)).round().astype(np.int64), n - 1)
                    out[start + j] = cols[idx, j]
        return cls(out)

    def percentile(self, j: int, value: float) -> float | None:
        """Share of clients (in %, 0-100) with a lower value of feature ``j``, ties counted half; None when unknown."""
        q = self.quantiles[j]
        if math.isnan(value) or math.isnan(float(q[0])):
            return None
        v = np.float32(value)
        lo = int(np.searchsorted(q, v, side="left"))
        hi = int(np.searchsorted(q, v, side="right"))
        return float(min(100.0, max(0.0, 100.0 * ((lo + hi) / 2) / len(q))))

    def position(self, j: int, value: float) -> tuple[float, float] | None:
        """(% of clients with a lower value, % with a higher value) of feature ``j``; None when unknown."""
        q = self.quantiles[j]
        if math.isnan(value) or math.isnan(float(q[0])):
            return None
        v = np.float32(value)
        lo = int(np.searchsorted(q, v, side="left"))
        hi = int(np.searchsorted(q, v, side="right"))
        return 100.0 * lo / len(q), 100.0 * (len(q) - hi) / len(q)

    def share_equal(self, j: int, value: float) -> float | None:
        """Share of clients (in %) with exactly this value of feature ``j`` (for flags and categories)."""
        position = self.position(j, value)
        return None if position is None else 100.0 - position[0] - position[1]


# ---------------------------------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------------------------------


def _number(x: float, decimals: int, lang: Lang) -> str:
    text = f"{x:,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", _NBSP).replace(".", ",")
    return text


def _smart(x: float, lang: Lang) -> str:
    a = abs(x)
    decimals = 0 if a >= 1000 or float(x).is_integer() else 1 if a >= 10 else 2 if a >= 0.1 else 3
    return _number(x, decimals, lang)


def _duration(days: float, lang: Lang) -> str:
    """A number of days as years and months (or days when under a month), the way people say ages and tenures."""
    d = abs(days)
    if d < 31:
        n = round(d)
        return f"{n} {'jour' if lang == 'fr' else 'day'}{'s' if n > 1 else ''}"
    months_total = round(d / 30.4375)
    years, months = divmod(months_total, 12)
    parts = []
    if years:
        parts.append(f"{years} {'an' if lang == 'fr' else 'year'}{'s' if years > 1 else ''}")
    if months:
        parts.append(f"{months} {'mois' if lang == 'fr' else 'month' + ('s' if months > 1 else '')}")
    return (" et " if lang == "fr" else " and ").join(parts) if parts else ("0 mois" if lang == "fr" else "0 months")


def format_value(feature: FeatureText, value: float, lang: Lang) -> str:
    """The client's value of ``feature`` as a person reads it (no currency: amounts are in the loan's currency)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "non renseigné" if lang == "fr" else "not available"
    kind = feature.kind
    if kind in {"onehot", "flag"}:
        yes = value >= 0.5
        return ("oui" if yes else "non") if lang == "fr" else ("yes" if yes else "no")
    if kind == "share":
        pct = _smart(100.0 * value, lang) if abs(value) < 0.1 else _number(100.0 * value, 0, lang)
        return f"{pct}{_NBSP}%" if lang == "fr" else f"{pct}%"
    if kind == "amount":
        return _number(value, 0, lang)
    if kind == "days":
        return _duration(value, lang)
    if kind == "count_days":
        n = round(value, 1)
        unit = ("jour" if lang == "fr" else "day") + ("s" if abs(n) >= 2 else "")
        return f"{_smart(n, lang)} {unit}"
    if kind == "months":
        return f"{_smart(abs(value), lang)} {'mois' if lang == 'fr' else 'months'}"
    if kind == "count":
        return _number(value, 0 if float(value).is_integer() else 1, lang)
    return _smart(value, lang)


# ---------------------------------------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------------------------------------


def _negate_level(text: str, lang: Lang) -> str:
    """ "... is “X”" -> "... is not “X”" (the client is not in this level of the category)."""
    if lang == "fr":
        for old, new in ((" est « ", " n'est pas « "), (" a « ", " n'a pas « ")):
            if old in text:
                return text.replace(old, new, 1)
        return f"{text} : non"
    for old, new in ((" is “", " is not “"), (" has “", " does not have “")):
        if old in text:
            return text.replace(old, new, 1)
    return f"{text}: no"


def _pct(x: float, lang: Lang) -> str:
    return f"{_number(x, 0, 'fr')}{_NBSP}%" if lang == "fr" else f"{x:.0f}%"


def _compare(position: tuple[float, float] | None, lang: Lang) -> str:
    """Where the value stands: "higher than 90% of clients", or "like 70% of clients" when most share it."""
    if position is None:
        return ""
    below, above = position
    equal = 100.0 - below - above
    if equal >= 50.0:
        return (
            f" (comme {_pct(equal, lang)} des clients)" if lang == "fr" else f" (like {_pct(equal, lang)} of clients)"
        )
    if below >= above:
        return (
            f", au-dessus de {_pct(below, lang)} des clients"
            if lang == "fr"
            else f", higher than {_pct(below, lang)} of clients"
        )
    return (
        f", en dessous de {_pct(above, lang)} des clients"
        if lang == "fr"
        else f", lower than {_pct(above, lang)} of clients"
    )


def _alike(position: tuple[float, float] | None, lang: Lang) -> str:
    """For a yes/no feature: the share of clients in the same case ("like 12% of clients"), or nothing."""
    if position is None:
        return ""
    share = _pct(100 - sum(position), lang)
    return f" (comme {share} des clients)" if lang == "fr" else f" (like {share} of clients)"


def describe(feature: FeatureText, value: float, position: tuple[float, float] | None, lang: Lang) -> str:
    """One sentence: the feature, the client's value, and how it compares with all known clients.

    ``position`` is (% of clients below, % above), from ``PercentileSketch.position``.
    """
    label = feature.label(lang).rstrip(". ")
    missing = value is None or math.isnan(value)
    if feature.kind == "onehot" and not missing:
        sentence = label if value >= 0.5 else _negate_level(label, lang)
        return sentence + _alike(position, lang) + "."
    if feature.kind == "days":
        label = label.replace(" in days", "").replace(" en jours", "")
    if feature.kind in {"days", "months"} and position is not None and not missing and value <= 0:
        # shown as a duration (|value|): a higher stored value (-400 > -4000) is a *shorter* time
        position = (position[1], position[0])
    sep = " : " if lang == "fr" else ": "
    sentence = f"{label}{sep}{format_value(feature, value, lang)}"
    if missing:
        return sentence + "."
    if feature.kind == "flag":
        return sentence + _alike(position, lang) + "."
    return sentence + _compare(position, lang) + "."


# ---------------------------------------------------------------------------------------------------------------------
# From contributions to reasons
# ---------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReasonGroup:
    """Features of one quantity: their summed contribution and the member that describes them."""

    key: str
    logit: float
    members: tuple[int, ...]  # feature indices
    shown: int  # the feature index whose value is shown


class QuantityGroups:
    """Feature index -> quantity group, computed once per feature list, so grouping a client's contributions is one
    ``np.bincount`` rather than a Python loop over hundreds of features."""

    def __init__(self, texts: Sequence[FeatureText], keys: Sequence[str] | None = None) -> None:
        self.texts = list(texts)
        self.keys = list(keys) if keys is not None else [quantity_key(t) for t in texts]
        names, inverse = np.unique(np.array(self.keys, dtype=object), return_inverse=True)
        self.names: list[str] = [str(n) for n in names]
        self.ids: NDArray[np.int64] = inverse.astype(np.int64)
        self.members: list[NDArray[np.int64]] = [np.flatnonzero(self.ids == g) for g in range(len(names))]
        self.onehot = np.array([t.kind == "onehot" for t in texts], dtype=bool)

    def groups(self, logit: NDArray[np.float64], values: NDArray[np.floating[Any]]) -> Iterator[ReasonGroup]:
        """Groups by decreasing absolute summed log-odds (zero sums left out), lazily: callers stop after a few.

        The member shown is the one with the largest absolute contribution, except for one-hot groups, which show the
        level the client is in when it contributes (saying "is self-employed" beats "is not a civil servant").
        """
        sums = np.bincount(self.ids, weights=logit, minlength=len(self.names))
        for g in np.argsort(-np.abs(sums), kind="stable").tolist():
            total = float(sums[g])
            if total == 0.0:
                return
            members = self.members[g]
            members = members[logit[members] != 0]
            shown = int(members[np.argmax(np.abs(logit[members]))])
            if self.onehot[shown]:
                on = members[values[members] >= 0.5]
                if len(on):
                    shown = int(on[0])
            yield ReasonGroup(self.names[g], total, tuple(members.tolist()), shown)


def group_contributions(
    logit: NDArray[np.float64],
    values: NDArray[np.floating[Any]],
    texts: Sequence[FeatureText],
    keys: Sequence[str],
) -> list[ReasonGroup]:
    """Sum contributions by quantity key; strongest (absolute summed log-odds) first, zero groups dropped."""
    return list(QuantityGroups(texts, keys).groups(logit, values))


def reason_for(j: int, value: float, texts: Sequence[FeatureText], sketch: PercentileSketch, lang: Lang) -> Reason:
    """The reason sentence for feature ``j`` shown with the client's ``value`` (and its percentile)."""
    text = texts[j]
    percentile = sketch.percentile(j, value)
    return Reason(
        text=describe(text, value, sketch.position(j, value), lang),
        feature=text.name,
        feature_group=text.table,
        value=None if math.isnan(value) else value,
        percentile=None if percentile is None else round(percentile, 1),
    )


def refusal_features(
    logit: NDArray[np.float64], values: NDArray[np.floating[Any]], groups: QuantityGroups, top: int
) -> list[int]:
    """The features shown for the ``top`` strongest reasons toward refusal, strongest first (as ``reasons`` picks)."""
    shown: list[int] = []
    for group in groups.groups(logit, values):
        if group.logit < 0:
            continue
        shown.append(group.shown)
        if len(shown) >= top:
            break
    return shown


def reasons(
    logit: NDArray[np.float64],
    values: NDArray[np.floating[Any]],
    groups: QuantityGroups,
    sketch: PercentileSketch,
    lang: Lang,
    *,
    top: int,
    refusal_only: bool = False,
) -> tuple[list[Reason], list[Reason]]:
    """(toward refusal, toward acceptance): at most ``top`` reasons each, strongest first."""
    if refusal_only:
        shown = refusal_features(logit, values, groups, top)
        return [reason_for(j, float(values[j]), groups.texts, sketch, lang) for j in shown], []
    refusal: list[Reason] = []
    acceptance: list[Reason] = []
    for group in groups.groups(logit, values):
        target = refusal if group.logit > 0 else acceptance
        if len(target) >= top:
            if len(refusal) >= top and len(acceptance) >= top:
                break
            continue
        j = group.shown
        target.append(reason_for(j, float(values[j]), groups.texts, sketch, lang))
    return refusal, acceptance
