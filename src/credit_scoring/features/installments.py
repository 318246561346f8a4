"""Instalment payments of previous loans, summarised per client directly.

Per instalment: paid/due ratio and difference, days past due DPD = max(DAYS_ENTRY_PAYMENT - DAYS_INSTALMENT, 0) and
days before due DBD = max(DAYS_INSTALMENT - DAYS_ENTRY_PAYMENT, 0); an unpaid instalment (no entry date) has unknown
DPD, not 0. Then per client, over all instalments and over the last 12 months (due date within 365 days).
"""

from __future__ import annotations

from functools import cache

from credit_scoring.features.expr import quote
from credit_scoring.features.spec import AggFunc, Derived, HistoryPass, Label, Scope, count_agg, numeric_aggs

__all__ = ["installments_pass"]

_L = Label
_PREPARE = """SELECT "SK_ID_PREV", "SK_ID_CURR", "NUM_INSTALMENT_VERSION", "DAYS_INSTALMENT", "DAYS_ENTRY_PAYMENT",
  "AMT_INSTALMENT", "AMT_PAYMENT",
  "AMT_PAYMENT" / NULLIF("AMT_INSTALMENT", 0) AS "PAYMENT_PERC",
  "AMT_INSTALMENT" - "AMT_PAYMENT" AS "PAYMENT_DIFF",
  CASE WHEN "DAYS_ENTRY_PAYMENT" IS NULL OR "DAYS_INSTALMENT" IS NULL THEN NULL
       WHEN "DAYS_ENTRY_PAYMENT" > "DAYS_INSTALMENT" THEN "DAYS_ENTRY_PAYMENT" - "DAYS_INSTALMENT"
       ELSE 0.0 END AS "DPD",
  CASE WHEN "DAYS_ENTRY_PAYMENT" IS NULL OR "DAYS_INSTALMENT" IS NULL THEN NULL
       WHEN "DAYS_INSTALMENT" > "DAYS_ENTRY_PAYMENT" THEN "DAYS_INSTALMENT" - "DAYS_ENTRY_PAYMENT" ELSE 0.0 END AS "DBD"
FROM installments_payments"""

_NUMERIC: dict[str, tuple[tuple[AggFunc, ...], Label]] = {
    "NUM_INSTALMENT_VERSION": (("nunique",), _L("instalment calendar version", "la version du calendrier d'échéances")),
    "DPD": (
        ("max", "mean", "sum"),
        _L("number of days past due per instalment", "le nombre de jours de retard par échéance"),
    ),
    "DBD": (
        ("max", "mean", "sum"),
        _L("number of days paid before the due date", "le nombre de jours payés avant l'échéance"),
    ),
    "PAYMENT_PERC": (
        ("max", "mean", "sum", "var"),
        _L("ratio of amount paid to amount due", "le ratio du montant payé au montant dû"),
    ),
    "PAYMENT_DIFF": (
        ("max", "mean", "sum", "var"),
        _L("amount due minus amount paid", "l'écart entre montant dû et montant payé"),
    ),
    "AMT_INSTALMENT": (("max", "mean", "sum"), _L("instalment amount due", "le montant dû par échéance")),
    "AMT_PAYMENT": (("min", "max", "mean", "sum"), _L("amount paid per instalment", "le montant payé par échéance")),
    "DAYS_ENTRY_PAYMENT": (
        ("max", "mean", "sum"),
        _L("number of days between payment and application", "le nombre de jours entre le paiement et la demande"),
    ),
    "IS_LATE": (("mean",), _L("share of instalments paid late", "la part des échéances payées en retard")),
    "IS_UNDERPAID": (("mean",), _L("share of instalments underpaid", "la part des échéances payées partiellement")),
}
_EXPRS = {
    "IS_LATE": (
        'CASE WHEN "DPD" IS NULL THEN NULL WHEN "DPD" > 0 THEN 1 ELSE 0 END',
        ("DAYS_ENTRY_PAYMENT", "DAYS_INSTALMENT"),
    ),
    "IS_UNDERPAID": (
        'CASE WHEN "PAYMENT_DIFF" IS NULL THEN NULL WHEN "PAYMENT_DIFF" > 0 THEN 1 ELSE 0 END',
        ("AMT_INSTALMENT", "AMT_PAYMENT"),
    ),
    "DPD": ('"DPD"', ("DAYS_ENTRY_PAYMENT", "DAYS_INSTALMENT")),
    "DBD": ('"DBD"', ("DAYS_ENTRY_PAYMENT", "DAYS_INSTALMENT")),
    "PAYMENT_PERC": ('"PAYMENT_PERC"', ("AMT_PAYMENT", "AMT_INSTALMENT")),
    "PAYMENT_DIFF": ('"PAYMENT_DIFF"', ("AMT_INSTALMENT", "AMT_PAYMENT")),
}
_ALL = Scope("instalments of previous loans", "échéances des crédits précédents")
_RECENT = Scope("instalments due in the last 12 months", "échéances dues au cours des 12 derniers mois")
_IS_RECENT = '"DAYS_INSTALMENT" >= -365'


@cache
def installments_pass() -> HistoryPass:
    """Per client: paid/due ratio and difference, DPD, DBD, share paid late or underpaid, last-12-months window."""
    p = "INSTAL"
    recent = {k: _NUMERIC[k] for k in ("DPD", "DBD", "PAYMENT_PERC", "PAYMENT_DIFF", "IS_LATE", "IS_UNDERPAID")}
    recent = {
        **recent,
        "DPD": (("max", "mean"), _NUMERIC["DPD"][1]),
        "PAYMENT_PERC": (("mean",), _NUMERIC["PAYMENT_PERC"][1]),
    }
    recent["PAYMENT_DIFF"] = (("mean", "sum"), _NUMERIC["PAYMENT_DIFF"][1])
    recent["DBD"] = (("mean",), _NUMERIC["DBD"][1])
    aggs = [
        count_agg(f"{p}_COUNT", _ALL, sources=("NUM_INSTALMENT_NUMBER",)),
        count_agg(
            f"{p}_LATE_COUNT",
            Scope("instalments paid late", "échéances payées en retard"),
            where='"DPD" > 0',
            sources=("DAYS_ENTRY_PAYMENT", "DAYS_INSTALMENT"),
        ),
        *numeric_aggs(p, _NUMERIC, _ALL, exprs=_EXPRS),
        count_agg(f"{p}_RECENT_12M_COUNT", _RECENT, where=_IS_RECENT, sources=("DAYS_INSTALMENT",)),
        *numeric_aggs(f"{p}_RECENT_12M", recent, _RECENT, where=_IS_RECENT, exprs=_EXPRS),
        *numeric_aggs(
            f"{p}_RECENT_12M", {"AMT_PAYMENT": (("sum",), _NUMERIC["AMT_PAYMENT"][1])}, _RECENT, where=_IS_RECENT
        ),
    ]
    derived = [
        Derived(
            f"{p}_PAID_DUE_RATIO",
            f"{quote(f'{p}_AMT_PAYMENT_SUM')} / NULLIF({quote(f'{p}_AMT_INSTALMENT_SUM')}, 0)",
            ("AMT_PAYMENT", "AMT_INSTALMENT"),
            "Total amount paid divided by total amount due, instalments of previous loans",
            "Montant total payé rapporté au montant total dû, échéances des crédits précédents",
        )
    ]
    return HistoryPass("agg_installments", "installments_payments", "SK_ID_CURR", _PREPARE, tuple(aggs), tuple(derived))
