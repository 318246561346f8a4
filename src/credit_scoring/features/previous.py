"""Previous Home Credit applications, summarised per client: all, approved and refused, plus the last 12 months.

The DAYS_* columns of previous_application use 365243 for "not applicable" (e.g. no first drawing); they become NULL
before any aggregate, otherwise one sentinel would dominate every mean.
"""

from __future__ import annotations

from functools import cache

from credit_scoring.data.schema import LEVELS, SENTINEL_DAYS, TABLES
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

__all__ = ["SENTINEL_COLUMNS", "previous_pass"]

#: previous_application columns where 365243 means "not applicable".
SENTINEL_COLUMNS = (
    "DAYS_FIRST_DRAWING",
    "DAYS_FIRST_DUE",
    "DAYS_LAST_DUE_1ST_VERSION",
    "DAYS_LAST_DUE",
    "DAYS_TERMINATION",
)

_L = Label
_CORE: dict[str, tuple[tuple[AggFunc, ...], Label]] = {
    "AMT_ANNUITY": (("min", "max", "mean"), _L("annuity", "l'annuité")),
    "AMT_APPLICATION": (("min", "max", "mean"), _L("amount asked for", "le montant demandé")),
    "AMT_CREDIT": (("min", "max", "mean"), _L("credit amount granted", "le montant du crédit accordé")),
    "APP_CREDIT_PERC": (
        ("min", "max", "mean"),
        _L("ratio of amount asked for to amount granted", "le ratio du montant demandé au montant accordé"),
    ),
    "AMT_DOWN_PAYMENT": (("max", "mean"), _L("down payment", "l'apport initial")),
    "AMT_GOODS_PRICE": (("max", "mean"), _L("price of the goods", "le prix du bien")),
    "HOUR_APPR_PROCESS_START": (("mean",), _L("hour of the application", "l'heure de la demande")),
    "RATE_DOWN_PAYMENT": (("max", "mean"), _L("down-payment rate", "le taux d'apport")),
    "DAYS_DECISION": (
        ("min", "max", "mean"),
        _L(
            "number of days between the decision and the current application",
            "le nombre de jours entre la décision et la demande actuelle",
        ),
    ),
    "CNT_PAYMENT": (("mean", "sum"), _L("term in months", "la durée en mois")),
    "ANNUITY_CREDIT_RATIO": (("mean",), _L("annuity-to-credit ratio", "le ratio annuité sur crédit")),
    "APP_CREDIT_DIFF": (
        ("mean",),
        _L("amount asked for minus amount granted", "l'écart entre montant demandé et montant accordé"),
    ),
}
_DETAIL: dict[str, tuple[tuple[AggFunc, ...], Label]] = {
    "DAYS_FIRST_DRAWING": (
        ("mean",),
        _L("number of days since the first drawing", "le nombre de jours depuis le premier tirage"),
    ),
    "DAYS_FIRST_DUE": (
        ("mean",),
        _L("number of days since the first due date", "le nombre de jours depuis la première échéance"),
    ),
    "DAYS_LAST_DUE_1ST_VERSION": (
        ("mean", "max"),
        _L(
            "number of days to the first planned last due date",
            "le nombre de jours jusqu'à la dernière échéance initialement prévue",
        ),
    ),
    "DAYS_LAST_DUE": (
        ("mean",),
        _L("number of days since the last due date", "le nombre de jours depuis la dernière échéance"),
    ),
    "DAYS_TERMINATION": (
        ("mean", "max"),
        _L("number of days since the expected termination", "le nombre de jours depuis la fin prévue"),
    ),
    "RATE_INTEREST_PRIMARY": (("mean",), _L("interest rate", "le taux d'intérêt")),
    "RATE_INTEREST_PRIVILEGED": (("mean",), _L("privileged interest rate", "le taux d'intérêt préférentiel")),
    "NFLAG_INSURED_ON_APPROVAL": (("mean",), _L("insurance requested flag", "l'indicateur d'assurance demandée")),
    "SELLERPLACE_AREA": (("mean",), _L("seller's area", "la zone du vendeur")),
}
_EXPRS = {
    "APP_CREDIT_PERC": ('"AMT_APPLICATION" / NULLIF("AMT_CREDIT", 0)', ("AMT_APPLICATION", "AMT_CREDIT")),
    "ANNUITY_CREDIT_RATIO": ('"AMT_ANNUITY" / NULLIF("AMT_CREDIT", 0)', ("AMT_ANNUITY", "AMT_CREDIT")),
    "APP_CREDIT_DIFF": ('"AMT_APPLICATION" - "AMT_CREDIT"', ("AMT_APPLICATION", "AMT_CREDIT")),
}
_ALL = Scope("previous applications", "demandes précédentes")
_APPROVED = Scope("approved previous applications", "demandes précédentes acceptées")
_REFUSED = Scope("refused previous applications", "demandes précédentes refusées")
_RECENT = Scope(
    "previous applications decided in the last 12 months", "demandes précédentes décidées au cours des 12 derniers mois"
)
_IS_APPROVED = "\"NAME_CONTRACT_STATUS\" = 'Approved'"
_IS_REFUSED = "\"NAME_CONTRACT_STATUS\" = 'Refused'"
_IS_RECENT = '"DAYS_DECISION" >= -365'

_CAT_LABELS = {
    "NAME_CONTRACT_TYPE": _L("contract type", "le type de contrat"),
    "WEEKDAY_APPR_PROCESS_START": _L("weekday of application", "le jour de la demande"),
    "FLAG_LAST_APPL_PER_CONTRACT": _L(
        "last-application-per-contract flag", "l'indicateur de dernière demande du contrat"
    ),
    "NAME_CASH_LOAN_PURPOSE": _L("cash-loan purpose", "l'objet du prêt"),
    "NAME_CONTRACT_STATUS": _L("decision", "la décision"),
    "NAME_PAYMENT_TYPE": _L("payment method", "le mode de paiement"),
    "CODE_REJECT_REASON": _L("rejection reason", "le motif de refus"),
    "NAME_TYPE_SUITE": _L("accompanying person", "l'accompagnant"),
    "NAME_CLIENT_TYPE": _L("client type", "le type de client"),
    "NAME_GOODS_CATEGORY": _L("goods category", "la catégorie de bien"),
    "NAME_PORTFOLIO": _L("portfolio", "le portefeuille"),
    "NAME_PRODUCT_TYPE": _L("product type", "le type de produit"),
    "CHANNEL_TYPE": _L("sales channel", "le canal de vente"),
    "NAME_SELLER_INDUSTRY": _L("seller industry", "le secteur du vendeur"),
    "NAME_YIELD_GROUP": _L("interest-rate group", "la catégorie de taux"),
    "PRODUCT_COMBINATION": _L("product combination", "la combinaison de produits"),
}


@cache
def previous_pass() -> HistoryPass:
    """Per client: approved/refused splits, application-to-credit ratio, down payment, recent applications, shares."""
    cols = [
        f"NULLIF({quote(c)}, {SENTINEL_DAYS}) AS {quote(c)}" if c in SENTINEL_COLUMNS else quote(c)
        for c in TABLES["previous_application"].column_names
    ]
    prepare = "SELECT " + ",\n  ".join(cols) + "\nFROM previous_application"
    p = "PREV"
    both = {**_CORE, **_DETAIL}
    aggs: list[Agg] = [
        count_agg(f"{p}_COUNT", _ALL, sources=("SK_ID_PREV",)),
        count_agg(f"{p}_APPROVED_COUNT", _APPROVED, where=_IS_APPROVED, sources=("NAME_CONTRACT_STATUS",)),
        count_agg(f"{p}_REFUSED_COUNT", _REFUSED, where=_IS_REFUSED, sources=("NAME_CONTRACT_STATUS",)),
        count_agg(f"{p}_RECENT_12M_COUNT", _RECENT, where=_IS_RECENT, sources=("DAYS_DECISION",)),
        count_agg(
            f"{p}_RECENT_12M_REFUSED_COUNT",
            Scope(
                "previous applications refused in the last 12 months",
                "demandes précédentes refusées au cours des 12 derniers mois",
            ),
            where=f"{_IS_RECENT} AND {_IS_REFUSED}",
            sources=("DAYS_DECISION", "NAME_CONTRACT_STATUS"),
        ),
        *numeric_aggs(p, both, _ALL, exprs=_EXPRS),
        *numeric_aggs("APPROVED", both, _APPROVED, where=_IS_APPROVED, exprs=_EXPRS),
        *numeric_aggs("REFUSED", _CORE, _REFUSED, where=_IS_REFUSED, exprs=_EXPRS),
        *numeric_aggs(
            f"{p}_RECENT_12M",
            {
                "AMT_CREDIT": (("sum",), _CORE["AMT_CREDIT"][1]),
                "AMT_APPLICATION": (("mean",), _CORE["AMT_APPLICATION"][1]),
                "APP_CREDIT_PERC": (("mean",), _CORE["APP_CREDIT_PERC"][1]),
            },
            _RECENT,
            where=_IS_RECENT,
            exprs=_EXPRS,
        ),
    ]
    for col, label in _CAT_LABELS.items():
        aggs += level_shares(p, col, LEVELS[("previous_application", col)], label, _ALL)
    derived = [
        Derived(
            f"{p}_RECENT_12M_REFUSED_SHARE",
            f"{quote(f'{p}_RECENT_12M_REFUSED_COUNT')} / NULLIF({quote(f'{p}_RECENT_12M_COUNT')}, 0)",
            ("DAYS_DECISION", "NAME_CONTRACT_STATUS"),
            "Share of previous applications refused, among those decided in the last 12 months",
            "Part des demandes précédentes refusées, parmi celles décidées au cours des 12 derniers mois",
            "share",
        ),
    ]
    return HistoryPass("agg_previous", "previous_application", "SK_ID_CURR", prepare, tuple(aggs), tuple(derived))
