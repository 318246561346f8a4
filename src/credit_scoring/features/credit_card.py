"""Monthly credit-card balances of previous cards, summarised per client directly.

Utilisation (balance over limit), drawings, payments against the required minimum and days past due, over all months
and over the last 12 months.
"""

from __future__ import annotations

from functools import cache

from credit_scoring.data.schema import LEVELS
from credit_scoring.features.spec import AggFunc, HistoryPass, Label, Scope, count_agg, level_shares, numeric_aggs

__all__ = ["credit_card_pass"]

_L = Label
_AMOUNTS: dict[str, Label] = {
    "AMT_BALANCE": _L("balance", "le solde"),
    "AMT_CREDIT_LIMIT_ACTUAL": _L("credit limit", "le plafond de crédit"),
    "AMT_DRAWINGS_ATM_CURRENT": _L("cash withdrawals in the month", "les retraits au distributeur du mois"),
    "AMT_DRAWINGS_CURRENT": _L("drawings in the month", "les tirages du mois"),
    "AMT_DRAWINGS_OTHER_CURRENT": _L("other drawings in the month", "les autres tirages du mois"),
    "AMT_DRAWINGS_POS_CURRENT": _L("purchases in the month", "les achats du mois"),
    "AMT_INST_MIN_REGULARITY": _L("minimum instalment due", "l'échéance minimale due"),
    "AMT_PAYMENT_CURRENT": _L("payment in the month", "le paiement du mois"),
    "AMT_PAYMENT_TOTAL_CURRENT": _L("total payment in the month", "le paiement total du mois"),
    "AMT_RECEIVABLE_PRINCIPAL": _L("principal receivable", "le capital restant dû"),
    "AMT_RECIVABLE": _L("amount receivable", "le montant à recevoir"),
    "AMT_TOTAL_RECEIVABLE": _L("total amount receivable", "le montant total à recevoir"),
    "CNT_DRAWINGS_ATM_CURRENT": _L(
        "number of cash withdrawals in the month", "le nombre de retraits au distributeur du mois"
    ),
    "CNT_DRAWINGS_CURRENT": _L("number of drawings in the month", "le nombre de tirages du mois"),
    "CNT_DRAWINGS_OTHER_CURRENT": _L("number of other drawings in the month", "le nombre d'autres tirages du mois"),
    "CNT_DRAWINGS_POS_CURRENT": _L("number of purchases in the month", "le nombre d'achats du mois"),
    "CNT_INSTALMENT_MATURE_CUM": _L("number of instalments paid", "le nombre d'échéances payées"),
    "SK_DPD": _L("number of days past due", "le nombre de jours de retard"),
    "SK_DPD_DEF": _L(
        "number of days past due beyond tolerance", "le nombre de jours de retard au-delà de la tolérance"
    ),
}
_NUMERIC: dict[str, tuple[tuple[AggFunc, ...], Label]] = {
    "MONTHS_BALANCE": (
        ("min",),
        _L("month of the balance relative to the application", "le mois du solde par rapport à la demande"),
    ),
    **{c: (("max", "mean", "sum"), lab) for c, lab in _AMOUNTS.items()},
    "UTILISATION": (
        ("max", "mean"),
        _L("utilisation (balance divided by limit)", "le taux d'utilisation (solde rapporté au plafond)"),
    ),
    "PAYMENT_MIN_RATIO": (
        ("min", "mean"),
        _L("payment divided by the minimum due", "le paiement rapporté au minimum dû"),
    ),
    "BELOW_MIN": (("mean",), _L("share of months paid below the minimum", "la part des mois payés sous le minimum")),
    "IS_LATE": (("mean",), _L("share of months past due", "la part des mois en retard")),
}
_EXPRS = {
    "UTILISATION": ('"AMT_BALANCE" / NULLIF("AMT_CREDIT_LIMIT_ACTUAL", 0)', ("AMT_BALANCE", "AMT_CREDIT_LIMIT_ACTUAL")),
    "PAYMENT_MIN_RATIO": (
        '"AMT_PAYMENT_CURRENT" / NULLIF("AMT_INST_MIN_REGULARITY", 0)',
        ("AMT_PAYMENT_CURRENT", "AMT_INST_MIN_REGULARITY"),
    ),
    "BELOW_MIN": (
        'CASE WHEN "AMT_PAYMENT_TOTAL_CURRENT" IS NULL OR "AMT_INST_MIN_REGULARITY" IS NULL THEN NULL '
        'WHEN "AMT_PAYMENT_TOTAL_CURRENT" < "AMT_INST_MIN_REGULARITY" THEN 1 ELSE 0 END',
        ("AMT_PAYMENT_TOTAL_CURRENT", "AMT_INST_MIN_REGULARITY"),
    ),
    "IS_LATE": ('CASE WHEN "SK_DPD" > 0 THEN 1 ELSE 0 END', ("SK_DPD",)),
}
_ALL = Scope("monthly balances of previous credit cards", "soldes mensuels des cartes de crédit précédentes")
_RECENT = Scope("monthly credit-card balances of the last 12 months", "soldes mensuels de carte des 12 derniers mois")
_IS_RECENT = '"MONTHS_BALANCE" >= -12'


@cache
def credit_card_pass() -> HistoryPass:
    """Per client: utilisation, drawings, payments vs minimum, DPD, status shares, last-12-months window."""
    p = "CC"
    recent: dict[str, tuple[tuple[AggFunc, ...], Label]] = {
        "UTILISATION": (("mean", "max"), _NUMERIC["UTILISATION"][1]),
        "AMT_BALANCE": (("mean",), _AMOUNTS["AMT_BALANCE"]),
        "AMT_DRAWINGS_CURRENT": (("sum",), _AMOUNTS["AMT_DRAWINGS_CURRENT"]),
        "SK_DPD": (("max",), _AMOUNTS["SK_DPD"]),
        "IS_LATE": (("mean",), _NUMERIC["IS_LATE"][1]),
        "BELOW_MIN": (("mean",), _NUMERIC["BELOW_MIN"][1]),
    }
    aggs = [
        count_agg(f"{p}_COUNT", _ALL, sources=("MONTHS_BALANCE",)),
        *numeric_aggs(
            p, {"SK_ID_PREV": (("nunique",), _L("previous credit card", "la carte de crédit précédente"))}, _ALL
        ),
        *numeric_aggs(p, _NUMERIC, _ALL, exprs=_EXPRS),
        count_agg(f"{p}_RECENT_12M_COUNT", _RECENT, where=_IS_RECENT, sources=("MONTHS_BALANCE",)),
        *numeric_aggs(f"{p}_RECENT_12M", recent, _RECENT, where=_IS_RECENT, exprs=_EXPRS),
        *level_shares(
            p,
            "NAME_CONTRACT_STATUS",
            LEVELS[("credit_card_balance", "NAME_CONTRACT_STATUS")],
            _L("contract status", "le statut du contrat"),
            _ALL,
        ),
    ]
    return HistoryPass(
        "agg_credit_card", "credit_card_balance", "SK_ID_CURR", "SELECT * FROM credit_card_balance", tuple(aggs)
    )
