"""POS and cash-loan monthly balances (POS_CASH_balance), summarised per client directly.

Months, instalment counts, days past due (with and without tolerance), completed contracts and the last 12 months;
DPD above 0 in a recent month is a stronger signal than one several years ago, hence the window variants.
"""

from __future__ import annotations

from functools import cache

from credit_scoring.data.schema import LEVELS
from credit_scoring.features.expr import quote
from credit_scoring.features.spec import (
    Agg,
    AggFunc,
    Derived,
    HistoryPass,
    Label,
    Scope,
    count_agg,
    level_shares,
    numeric_aggs,
)

__all__ = ["pos_cash_pass"]

_L = Label
_NUMERIC: dict[str, tuple[tuple[AggFunc, ...], Label]] = {
    "MONTHS_BALANCE": (
        ("min", "max", "mean"),
        _L("month of the balance relative to the application", "le mois du solde par rapport à la demande"),
    ),
    "CNT_INSTALMENT": (("max", "mean"), _L("term in number of instalments", "la durée en échéances")),
    "CNT_INSTALMENT_FUTURE": (
        ("min", "max", "mean"),
        _L("number of instalments left to pay", "le nombre d'échéances restant à payer"),
    ),
    "SK_DPD": (("max", "mean"), _L("number of days past due", "le nombre de jours de retard")),
    "SK_DPD_DEF": (
        ("max", "mean"),
        _L("number of days past due beyond tolerance", "le nombre de jours de retard au-delà de la tolérance"),
    ),
    "IS_LATE": (("mean",), _L("share of months past due", "la part des mois en retard")),
    "IS_LATE_DEF": (
        ("mean",),
        _L("share of months past due beyond tolerance", "la part des mois en retard au-delà de la tolérance"),
    ),
}
_EXPRS = {
    "IS_LATE": ('CASE WHEN "SK_DPD" > 0 THEN 1 ELSE 0 END', ("SK_DPD",)),
    "IS_LATE_DEF": ('CASE WHEN "SK_DPD_DEF" > 0 THEN 1 ELSE 0 END', ("SK_DPD_DEF",)),
}
_ALL = Scope(
    "monthly balances of previous POS and cash loans",
    "soldes mensuels des crédits précédents (point de vente et espèces)",
)
_RECENT = Scope(
    "monthly balances of the last 12 months, POS and cash loans",
    "soldes mensuels des 12 derniers mois, crédits point de vente et espèces",
)
_IS_RECENT = '"MONTHS_BALANCE" >= -12'


@cache
def pos_cash_pass() -> HistoryPass:
    """Per client: months, DPD and DPD_DEF, completed share, instalments left, last-12-months window, status shares."""
    p = "POS"
    aggs: list[Agg] = [
        count_agg(f"{p}_COUNT", _ALL, sources=("MONTHS_BALANCE",)),
        Agg(
            f"{p}_LOANS_COUNT",
            "nunique",
            quote("SK_ID_PREV"),
            ("SK_ID_PREV",),
            "Number of previous POS and cash loans with monthly balances",
            "Nombre de crédits précédents (point de vente et espèces) ayant des soldes mensuels",
        ),
        Agg(
            f"{p}_COMPLETED_LOANS_COUNT",
            "nunique",
            quote("SK_ID_PREV"),
            ("SK_ID_PREV", "NAME_CONTRACT_STATUS"),
            "Number of previous POS and cash loans that reached the status “Completed”",
            "Nombre de crédits précédents (point de vente et espèces) arrivés au statut « Completed »",
            where="\"NAME_CONTRACT_STATUS\" = 'Completed'",
        ),
        *numeric_aggs(p, _NUMERIC, _ALL, exprs=_EXPRS),
        count_agg(f"{p}_RECENT_12M_COUNT", _RECENT, where=_IS_RECENT, sources=("MONTHS_BALANCE",)),
        *numeric_aggs(
            f"{p}_RECENT_12M",
            {k: _NUMERIC[k] for k in ("SK_DPD", "SK_DPD_DEF", "IS_LATE", "CNT_INSTALMENT_FUTURE")},
            _RECENT,
            where=_IS_RECENT,
            exprs=_EXPRS,
        ),
        *level_shares(
            p,
            "NAME_CONTRACT_STATUS",
            LEVELS[("POS_CASH_balance", "NAME_CONTRACT_STATUS")],
            _L("contract status", "le statut du contrat"),
            _ALL,
        ),
    ]
    derived = [
        Derived(
            f"{p}_COMPLETED_LOANS_SHARE",
            f"{quote(f'{p}_COMPLETED_LOANS_COUNT')} / NULLIF({quote(f'{p}_LOANS_COUNT')}, 0)",
            ("SK_ID_PREV", "NAME_CONTRACT_STATUS"),
            "Share of previous POS and cash loans that reached the status “Completed”",
            "Part des crédits précédents (point de vente et espèces) arrivés au statut « Completed »",
            "share",
        )
    ]
    return HistoryPass(
        "agg_pos_cash", "POS_CASH_balance", "SK_ID_CURR", "SELECT * FROM POS_CASH_balance", tuple(aggs), tuple(derived)
    )
