"""The whole feature set as pure SQL: the passes in order and the final join (the only place tables meet).

Batch runs each pass in DuckDB and then the final join; the online path runs the same pass queries and the same final
join, transpiled to SQLite, on one client's rows. No I/O here: relations are referred to by name only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from credit_scoring.data.schema import TABLES
from credit_scoring.features.application import application_features, application_sql
from credit_scoring.features.bureau import bureau_balance_pass, bureau_pass
from credit_scoring.features.credit_card import credit_card_pass
from credit_scoring.features.expr import quote
from credit_scoring.features.installments import installments_pass
from credit_scoring.features.pos_cash import pos_cash_pass
from credit_scoring.features.previous import previous_pass
from credit_scoring.features.spec import FeatureInfo, HistoryPass
from credit_scoring.features.term import term_infos

__all__ = [
    "HAS_HISTORY",
    "KEY",
    "LABEL",
    "LABELLED",
    "ONLINE_APPLICATION",
    "Pass",
    "all_queries",
    "application_union_sql",
    "feature_infos",
    "feature_names",
    "final_sql",
    "history_passes",
    "online_queries",
    "passes",
]

KEY = "SK_ID_CURR"
#: Label column carried beside the features (NULL for unlabelled clients); never a feature.
LABEL = "TARGET"
#: TRUE for clients of application_train (their TARGET is known).
LABELLED = "LABELLED"

#: Has-history flag per pass: 1 if the client has at least one row in the table, 0 otherwise.
HAS_HISTORY: dict[str, tuple[str, str, str]] = {
    "agg_bureau": (
        "BURO_HAS_HISTORY",
        "Client has at least one credit reported by the credit bureau",
        "Le client a au moins un crédit déclaré au bureau de crédit",
    ),
    "agg_previous": (
        "PREV_HAS_HISTORY",
        "Client has at least one previous application",
        "Le client a au moins une demande précédente",
    ),
    "agg_pos_cash": (
        "POS_HAS_HISTORY",
        "Client has at least one monthly balance of a previous POS or cash loan",
        "Le client a au moins un solde mensuel de crédit précédent (point de vente ou espèces)",
    ),
    "agg_installments": (
        "INSTAL_HAS_HISTORY",
        "Client has at least one instalment of a previous loan",
        "Le client a au moins une échéance de crédit précédent",
    ),
    "agg_credit_card": (
        "CC_HAS_HISTORY",
        "Client has at least one monthly balance of a previous credit card",
        "Le client a au moins un solde mensuel de carte de crédit précédente",
    ),
}


@dataclass(frozen=True)
class Pass:
    """One materialised step: a name for progress, the relation it creates, and its query."""

    step: str
    output: str
    sql: str


@cache
def history_passes() -> tuple[HistoryPass, ...]:
    """History passes in dependency order (bureau_balance before bureau)."""
    return (
        bureau_balance_pass(),
        bureau_pass(),
        previous_pass(),
        pos_cash_pass(),
        installments_pass(),
        credit_card_pass(),
    )


def application_union_sql() -> str:
    """The relation ``application``: train and test rows with the test columns only, so TARGET cannot leak in."""
    cols = ", ".join(quote(c) for c in TABLES["application_test"].column_names)
    return f"SELECT {cols} FROM application_train\nUNION ALL\nSELECT {cols} FROM application_test"


def passes() -> tuple[Pass, ...]:
    """The history passes of the batch build, one per history table (one progress step each).

    The application features are not a separate pass: they are computed inside the final join, row by row, which
    avoids materialising ~280 wide columns twice.
    """
    return tuple(Pass(p.table, p.output, p.sql()) for p in history_passes())


def _history_select() -> list[str]:
    cols: list[str] = []
    for i, hp in enumerate(p for p in history_passes() if p.features):
        alias = f"h{i}"
        counts = set(hp.count_columns)
        flag = HAS_HISTORY[hp.output][0]
        cols.append(f"CAST(CASE WHEN {alias}.{quote(KEY)} IS NULL THEN 0 ELSE 1 END AS DOUBLE) AS {quote(flag)}")
        for info in hp.feature_infos():
            ref = f"{alias}.{quote(info.name)}"
            cols.append(f"COALESCE({ref}, CAST(0 AS DOUBLE)) AS {quote(info.name)}" if info.name in counts else ref)
    return cols


def final_sql(*, labels: bool = True, application: str | None = None, history: bool = True) -> str:
    """The only join: application features LEFT JOIN each client-level history aggregate (and the labels).

    Rows come out in the order of the relation ``application`` when the engine preserves order (one thread).
    ``application`` names a relation already holding the application features (online: computed by the numpy
    compilation of the same specs); by default they are computed here from the raw relation ``application``.

    Counts of a client without history are 0 (with its has-history flag at 0); every other aggregate stays NULL,
    because "no history" is not "zero". ``history=False`` leaves the history columns out: the batch runner then
    aligns them by key in Arrow (same rule, see ``build._align_history``), which avoids a hash join gathering ~570
    wide columns.
    """
    cols = [f"a.{quote(KEY)}"]
    if labels:
        cols += [f"CAST(l.{quote(LABEL)} AS BIGINT) AS {quote(LABEL)}"]
        cols += [f"l.{quote(KEY)} IS NOT NULL AS {quote(LABELLED)}"]
    cols += [f"a.{quote(f.name)}" for f in application_features()]
    cols += _history_select() if history else []
    joins = []
    if labels:
        joins.append(
            f"LEFT JOIN (SELECT {quote(KEY)}, {quote(LABEL)} FROM application_train) AS l "
            f"ON a.{quote(KEY)} = l.{quote(KEY)}"
        )
    for i, hp in enumerate(p for p in history_passes() if p.features and history):
        joins.append(f"LEFT JOIN {hp.output} AS h{i} ON a.{quote(KEY)} = h{i}.{quote(KEY)}")
    source = f"(\n{application_sql()}\n)" if application is None else application
    return "SELECT " + ",\n  ".join(cols) + f"\nFROM {source} AS a\n" + "\n".join(joins)


#: Name of the relation holding precomputed application features in the online path.
ONLINE_APPLICATION = "agg_application"


@cache
def online_queries(dialect: str = "sqlite") -> tuple[tuple[str, str], ...]:
    """(output, query) of every history pass, then ("final", join), transpiled from DuckDB SQL to ``dialect``.

    Why SQLite online: on one client's few rows, DuckDB spends ~200 ms setting up ~600 aggregates, SQLite ~10 ms.
    The text is the batch SQL, only transpiled by sqlglot; the application features come precomputed (numpy
    compilation of the same specs) in the relation ``agg_application``.
    """
    import sqlglot  # costly import, only needed online

    out = [(p.output, sqlglot.transpile(p.sql, read="duckdb", write=dialect)[0]) for p in passes()]
    final = final_sql(labels=False, application=ONLINE_APPLICATION)
    out.append(("final", sqlglot.transpile(final, read="duckdb", write=dialect)[0]))
    return tuple(out)


def all_queries() -> dict[str, str]:
    """Every query by name (for the Spark-dialect check)."""
    out = {"application_union": application_union_sql()}
    out.update({p.output: p.sql for p in passes()})
    out["final"] = final_sql()
    out["final_online"] = final_sql(labels=False, application=ONLINE_APPLICATION)
    return out


@cache
def feature_infos() -> tuple[FeatureInfo, ...]:
    """Manifest entries of every feature column, in column order (application descriptions still unresolved): the
    application features, each history pass, then the inferred loan term and rate (``term.py``)."""
    out = [
        FeatureInfo(f.name, "application", f.aggregation, f.expr.columns(), f.en, f.fr) for f in application_features()
    ]
    for hp in history_passes():
        if not hp.features:
            continue
        flag, en, fr = HAS_HISTORY[hp.output]
        out.append(FeatureInfo(flag, hp.table, "flag", (KEY,), en, fr))
        out += hp.feature_infos()
    # The fitted loan-term features come last: they are computed from application features after the SQL (term.py).
    out += term_infos()
    return tuple(out)


def feature_names() -> tuple[str, ...]:
    """Feature columns in store order (key, label and labelled flag excluded)."""
    return tuple(f.name for f in feature_infos())
