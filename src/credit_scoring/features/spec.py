"""Feature specifications: what a feature is (name, source, aggregation, words) and how a history pass becomes SQL.

Why specs instead of hand-written SQL: the same spec yields the SQL of the batch pass, the manifest entry (with its
English and French description) and the list of count columns that the final join fills with 0. A history pass is
pure: ``HistoryPass.sql()`` reads a relation by name and returns one row per key; the runner decides whether that
relation is a Parquet view (batch) or a registered in-memory frame (online).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from credit_scoring.features.expr import quote

__all__ = [
    "Agg",
    "AggFunc",
    "Derived",
    "FeatureInfo",
    "HistoryPass",
    "Label",
    "Scope",
    "count_agg",
    "describe",
    "level_shares",
    "numeric_aggs",
    "sanitize_level",
]

AggFunc = Literal["count", "nunique", "sum", "mean", "min", "max", "var", "share"]


@dataclass(frozen=True)
class Label:
    """How a source quantity is named in a sentence: English noun phrase, French noun phrase with its article."""

    en: str
    fr: str


@dataclass(frozen=True)
class Scope:
    """The rows a feature summarises ("previous applications that were refused"), English and French."""

    en: str
    fr: str


@dataclass(frozen=True)
class FeatureInfo:
    """One manifest entry."""

    name: str
    table: str
    aggregation: str
    sources: tuple[str, ...]
    en: str
    fr: str
    is_count: bool = False


def _de(fr: str) -> str:
    """French "de" + article, contracted ("de le" -> "du", "de les" -> "des")."""
    if fr.startswith("le "):
        return "du " + fr[3:]
    if fr.startswith("les "):
        return "des " + fr[4:]
    if fr.startswith(("la ", "l'")):
        return "de " + fr
    return "de " + fr


_EN = {
    "mean": "Average {l}",
    "min": "Smallest {l}",
    "max": "Largest {l}",
    "sum": "Total {l}",
    "var": "Variance of the {l}",
    "nunique": "Number of distinct values of the {l}",
}
_FR = {
    "mean": "Moyenne {l}",
    "min": "Minimum {l}",
    "max": "Maximum {l}",
    "sum": "Somme {l}",
    "var": "Variance {l}",
    "nunique": "Nombre de valeurs distinctes {l}",
}


def describe(func: str, label: Label, scope: Scope) -> tuple[str, str]:
    """English and French sentence for an aggregate of ``label`` over ``scope``: "Average credit amount, bureau
    credits" / "Moyenne du montant du crédit, crédits déclarés au bureau"."""
    en = _EN[func].format(l=label.en) + ", " + scope.en
    fr = _FR[func].format(l=_de(label.fr)) + ", " + scope.fr
    return en, fr


def sanitize_level(level: str) -> str:
    """A category level as a stable column-name suffix ("Spouse, partner" -> "SPOUSE_PARTNER")."""
    out = "".join(ch.upper() if ch.isalnum() else "_" for ch in level)
    while "__" in out:
        out = out.replace("__", "_")
    return out.strip("_") or "BLANK"


@dataclass(frozen=True)
class Agg:
    """One aggregate of a history pass.

    ``expr`` is a SQL expression over the prepared rows; ``where`` restricts the rows (written as ``CASE WHEN`` so the
    SQL runs unchanged on Spark). ``count`` counts rows matching ``where``; ``share`` averages a 0/1 expression.
    """

    name: str
    func: AggFunc
    expr: str
    sources: tuple[str, ...]
    en: str
    fr: str
    where: str | None = None
    table: str = ""  # source table for the manifest when it is not the pass's own (bureau_balance via bureau)

    def sql(self) -> str:
        if self.func == "count":
            inner = "1" if self.where is None else f"CASE WHEN {self.where} THEN 1 END"
            return f"CAST(COUNT({inner}) AS DOUBLE) AS {quote(self.name)}"
        e = self.expr if self.where is None else f"CASE WHEN {self.where} THEN {self.expr} END"
        body = {
            "nunique": f"COUNT(DISTINCT {e})",
            "sum": f"SUM({e})",
            "mean": f"AVG({e})",
            "min": f"MIN({e})",
            "max": f"MAX({e})",
            "var": f"VAR_SAMP({e})",
            "share": f"AVG({e})",
        }[self.func]
        return f"CAST({body} AS DOUBLE) AS {quote(self.name)}"

    @property
    def is_count(self) -> bool:
        return self.func in ("count", "nunique")


@dataclass(frozen=True)
class Derived:
    """A feature computed from aggregates of the same pass (e.g. total debt / total credit)."""

    name: str
    expr: str
    sources: tuple[str, ...]
    en: str
    fr: str
    aggregation: str = "ratio"
    table: str = ""


@dataclass(frozen=True)
class HistoryPass:
    """One aggregation pass over a history table: prepare rows, group by ``key``, add derived ratios.

    ``prepare`` is a SQL ``SELECT`` reading the source relation(s) by name. ``output`` is the name under which the
    result is materialised (batch) or inlined as a CTE (online). ``features`` is False for an intermediate pass
    (bureau_balance per bureau credit) whose columns are not client features.
    """

    output: str
    table: str
    key: str
    prepare: str
    aggs: tuple[Agg, ...]
    derived: tuple[Derived, ...] = field(default=())
    features: bool = True

    def sql(self) -> str:
        aggs = ",\n  ".join(a.sql() for a in self.aggs)
        inner = f"SELECT {quote(self.key)},\n  {aggs}\nFROM (\n{self.prepare}\n) AS p\nGROUP BY {quote(self.key)}"
        cols = [quote(self.key)] + [quote(a.name) for a in self.aggs]
        cols += [f"CAST({d.expr} AS DOUBLE) AS {quote(d.name)}" for d in self.derived]
        return "SELECT " + ",\n  ".join(cols) + f"\nFROM (\n{inner}\n) AS a"

    def feature_infos(self) -> list[FeatureInfo]:
        if not self.features:
            return []
        out = [FeatureInfo(a.name, a.table or self.table, a.func, a.sources, a.en, a.fr, a.is_count) for a in self.aggs]
        out += [FeatureInfo(d.name, d.table or self.table, d.aggregation, d.sources, d.en, d.fr) for d in self.derived]
        return out

    @property
    def count_columns(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.aggs if a.is_count) if self.features else ()


def numeric_aggs(
    prefix: str,
    columns: Mapping[str, tuple[tuple[AggFunc, ...], Label]],
    scope: Scope,
    *,
    where: str | None = None,
    exprs: Mapping[str, tuple[str, tuple[str, ...]]] | None = None,
) -> list[Agg]:
    """``prefix_COLUMN_FUNC`` aggregates for each column and function, described from the column's label.

    ``exprs`` maps a derived column name to (SQL expression, source columns) when it is not a plain source column.
    """
    out = []
    for col, (funcs, label) in columns.items():
        expr, sources = (exprs or {}).get(col, (quote(col), (col,)))
        for func in funcs:
            en, fr = describe(func, label, scope)
            out.append(Agg(f"{prefix}_{col}_{func.upper()}", func, expr, sources, en, fr, where))
    return out


def count_agg(name: str, scope: Scope, *, where: str | None = None, sources: tuple[str, ...] = ()) -> Agg:
    """Number of rows of ``scope``."""
    return Agg(name, "count", "1", sources, f"Number of {scope.en}", f"Nombre de {scope.fr}", where)


def level_shares(
    prefix: str, column: str, levels: tuple[str, ...], label: Label, scope: Scope, *, where: str | None = None
) -> list[Agg]:
    """Share of rows of ``scope`` in each level of a categorical column (full level set from the schema)."""
    out = []
    for lvl in levels:
        lit = "'" + lvl.replace("'", "''") + "'"
        expr = f"CASE WHEN {quote(column)} = {lit} THEN 1 ELSE 0 END"
        out.append(
            Agg(
                f"{prefix}_{column}_{sanitize_level(lvl)}_SHARE",
                "share",
                expr,
                (column,),
                f"Share of {scope.en} with {label.en} “{lvl}”",
                f"Part des {scope.fr} avec {label.fr} « {lvl} »",
                where,
            )
        )
    return out
