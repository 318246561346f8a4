"""Credit-bureau features: bureau_balance summarised per bureau credit, then bureau summarised per client.

Two passes because bureau_balance (27M rows at full scale) only knows SK_ID_BUREAU: it is reduced first to one narrow
row per credit (months reported, status counts, worst status), which the bureau pass joins to its credits before
grouping by client. Active and closed credits are summarised separately because an open debt and a repaid one say
different things about risk.
"""

from __future__ import annotations

from dataclasses import replace
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

__all__ = ["BB_STATUSES", "bureau_balance_pass", "bureau_pass"]

#: bureau_balance STATUS: C closed, X unknown, 0 no delay, 1..5 delay buckets (1 = 1-30 days ... 5 = 120+ or sold).
BB_STATUSES = LEVELS[("bureau_balance", "STATUS")]
_LATE = "('1', '2', '3', '4', '5')"

_BB_STATUS_TEXT = {
    "0": ("no days past due", "sans retard"),
    "1": ("1 to 30 days past due", "1 à 30 jours de retard"),
    "2": ("31 to 60 days past due", "31 à 60 jours de retard"),
    "3": ("61 to 90 days past due", "61 à 90 jours de retard"),
    "4": ("91 to 120 days past due", "91 à 120 jours de retard"),
    "5": ("more than 120 days past due, sold or written off", "plus de 120 jours de retard, cédé ou passé en perte"),
    "C": ("closed", "clôturé"),
    "X": ("status unknown", "statut inconnu"),
}


@cache
def bureau_balance_pass() -> HistoryPass:
    """Per bureau credit (SK_ID_BUREAU): months reported, months per status, late share, worst status, last year."""
    prepare = f"""SELECT "SK_ID_BUREAU", "MONTHS_BALANCE", "STATUS",
  CASE WHEN "STATUS" IN ('0', '1', '2', '3', '4', '5') THEN CAST("STATUS" AS DOUBLE) END AS "STATUS_NUM",
  CASE WHEN "STATUS" IN {_LATE} THEN 1 ELSE 0 END AS "IS_LATE"
FROM bureau_balance"""
    scope = Scope("months", "mois")
    aggs = [
        Agg("BB_MONTHS_COUNT", "count", "1", ("MONTHS_BALANCE",), "", ""),
        Agg("BB_MONTHS_MIN", "min", quote("MONTHS_BALANCE"), ("MONTHS_BALANCE",), "", ""),
        *[
            Agg(f"BB_STATUS_{s}_COUNT", "count", "1", ("STATUS",), "", "", where=f"\"STATUS\" = '{s}'")
            for s in BB_STATUSES
        ],
        Agg("BB_LATE_SHARE", "share", quote("IS_LATE"), ("STATUS",), "", ""),
        Agg("BB_WORST_STATUS", "max", quote("STATUS_NUM"), ("STATUS",), "", ""),
        Agg("BB_LATE_12M_COUNT", "count", "1", ("STATUS",), "", "", where='"MONTHS_BALANCE" >= -12 AND "IS_LATE" = 1'),
    ]
    del scope
    return HistoryPass("agg_bureau_balance", "bureau_balance", "SK_ID_BUREAU", prepare, tuple(aggs), features=False)


def _l(en: str, fr: str) -> Label:
    return Label(en, fr)


_NUMERIC: dict[str, tuple[tuple[AggFunc, ...], Label]] = {
    "DAYS_CREDIT": (
        ("min", "max", "mean"),
        _l(
            "number of days between bureau credit opening and application",
            "le nombre de jours entre l'ouverture du crédit et la demande",
        ),
    ),
    "CREDIT_DAY_OVERDUE": (
        ("max", "mean"),
        _l("number of days past due at application", "le nombre de jours de retard à la date de la demande"),
    ),
    "DAYS_CREDIT_ENDDATE": (("min", "max", "mean"), _l("remaining duration in days", "la durée restante en jours")),
    "DAYS_ENDDATE_FACT": (
        ("min", "max", "mean"),
        _l("number of days since actual closing", "le nombre de jours depuis la clôture effective"),
    ),
    "AMT_CREDIT_MAX_OVERDUE": (("max", "mean"), _l("largest amount ever overdue", "le montant maximal jamais impayé")),
    "CNT_CREDIT_PROLONG": (("sum",), _l("number of prolongations", "le nombre de prolongations")),
    "AMT_CREDIT_SUM": (("max", "mean", "sum"), _l("credit amount", "le montant du crédit")),
    "AMT_CREDIT_SUM_DEBT": (("max", "mean", "sum"), _l("current debt", "la dette en cours")),
    "AMT_CREDIT_SUM_LIMIT": (("mean", "sum"), _l("credit-card limit", "le plafond de carte de crédit")),
    "AMT_CREDIT_SUM_OVERDUE": (("max", "mean", "sum"), _l("amount overdue", "le montant impayé")),
    "DAYS_CREDIT_UPDATE": (
        ("min", "mean"),
        _l("number of days since the last bureau update", "le nombre de jours depuis la dernière mise à jour"),
    ),
    "AMT_ANNUITY": (("max", "mean"), _l("annuity", "l'annuité")),
    "DEBT_CREDIT_RATIO": (
        ("max", "mean"),
        _l("debt-to-credit ratio per credit", "le ratio dette sur crédit par crédit"),
    ),
    "DURATION": (("mean",), _l("planned duration in days", "la durée prévue en jours")),
    "BB_MONTHS_COUNT": (("mean",), _l("number of monthly balances reported", "le nombre de soldes mensuels déclarés")),
    "BB_LATE_SHARE": (("max", "mean"), _l("share of months past due", "la part des mois en retard")),
}
_EXPRS = {
    "DEBT_CREDIT_RATIO": (
        '"AMT_CREDIT_SUM_DEBT" / NULLIF("AMT_CREDIT_SUM", 0)',
        ("AMT_CREDIT_SUM_DEBT", "AMT_CREDIT_SUM"),
    ),
    "DURATION": ('"DAYS_CREDIT_ENDDATE" - "DAYS_CREDIT"', ("DAYS_CREDIT_ENDDATE", "DAYS_CREDIT")),
    "BB_MONTHS_COUNT": ('"BB_MONTHS_COUNT"', ("MONTHS_BALANCE",)),
    "BB_LATE_SHARE": ('"BB_LATE_SHARE"', ("STATUS",)),
}
_ALL = Scope("credits reported by the credit bureau", "crédits déclarés au bureau de crédit")
_ACTIVE = Scope("active credits reported by the credit bureau", "crédits actifs déclarés au bureau de crédit")
_CLOSED = Scope("closed credits reported by the credit bureau", "crédits clôturés déclarés au bureau de crédit")
_RECENT = Scope(
    "bureau credits opened in the last 12 months", "crédits du bureau ouverts au cours des 12 derniers mois"
)
_IS_ACTIVE = "\"CREDIT_ACTIVE\" = 'Active'"
_IS_CLOSED = "\"CREDIT_ACTIVE\" = 'Closed'"
_IS_RECENT = '"DAYS_CREDIT" >= -365'


def _ratio(name: str, num: str, den: str, sources: tuple[str, ...], en: str, fr: str) -> Derived:
    return Derived(name, f"{quote(num)} / NULLIF({quote(den)}, 0)", sources, en, fr)


@cache
def bureau_pass() -> HistoryPass:
    """Per client: counts, active/closed splits, debt and overdue ratios, credit-type shares, monthly statuses."""
    bb = bureau_balance_pass()
    bb_cols = ", ".join(f"bb.{quote(a.name)}" for a in bb.aggs)
    prepare = f"""SELECT b.*, {bb_cols},
  CASE WHEN bb."SK_ID_BUREAU" IS NULL THEN 0 ELSE 1 END AS "HAS_BB"
FROM bureau AS b
LEFT JOIN {bb.output} AS bb ON b."SK_ID_BUREAU" = bb."SK_ID_BUREAU\""""
    p = "BURO"
    aggs: list[Agg] = [
        count_agg(f"{p}_COUNT", _ALL, sources=("SK_ID_BUREAU",)),
        count_agg(f"{p}_ACTIVE_COUNT", _ACTIVE, where=_IS_ACTIVE, sources=("CREDIT_ACTIVE",)),
        count_agg(f"{p}_CLOSED_COUNT", _CLOSED, where=_IS_CLOSED, sources=("CREDIT_ACTIVE",)),
        count_agg(
            f"{p}_OVERDUE_COUNT",
            Scope("bureau credits overdue at application", "crédits du bureau en retard à la date de la demande"),
            where='"CREDIT_DAY_OVERDUE" > 0',
            sources=("CREDIT_DAY_OVERDUE",),
        ),
        count_agg(f"{p}_RECENT_12M_COUNT", _RECENT, where=_IS_RECENT, sources=("DAYS_CREDIT",)),
        *numeric_aggs(p, _NUMERIC, _ALL, exprs=_EXPRS),
        *numeric_aggs(f"{p}_ACTIVE", _NUMERIC, _ACTIVE, where=_IS_ACTIVE, exprs=_EXPRS),
        *numeric_aggs(f"{p}_CLOSED", _NUMERIC, _CLOSED, where=_IS_CLOSED, exprs=_EXPRS),
        *numeric_aggs(
            f"{p}_RECENT_12M",
            {
                "AMT_CREDIT_SUM": (("sum",), _NUMERIC["AMT_CREDIT_SUM"][1]),
                "AMT_CREDIT_SUM_DEBT": (("sum",), _NUMERIC["AMT_CREDIT_SUM_DEBT"][1]),
                "AMT_CREDIT_MAX_OVERDUE": (("max",), _NUMERIC["AMT_CREDIT_MAX_OVERDUE"][1]),
            },
            _RECENT,
            where=_IS_RECENT,
        ),
        *level_shares(p, "CREDIT_ACTIVE", LEVELS[("bureau", "CREDIT_ACTIVE")], _l("status", "le statut"), _ALL),
        *level_shares(p, "CREDIT_CURRENCY", LEVELS[("bureau", "CREDIT_CURRENCY")], _l("currency", "la devise"), _ALL),
        *level_shares(
            p, "CREDIT_TYPE", LEVELS[("bureau", "CREDIT_TYPE")], _l("credit type", "le type de crédit"), _ALL
        ),
        count_agg(
            f"{p}_BB_CREDITS_COUNT",
            Scope("bureau credits with a monthly balance history", "crédits du bureau ayant un historique mensuel"),
            where='"HAS_BB" = 1',
            sources=("SK_ID_BUREAU",),
        ),
        Agg(
            f"{p}_BB_MONTHS_SUM",
            "sum",
            quote("BB_MONTHS_COUNT"),
            ("MONTHS_BALANCE",),
            "Total number of monthly balances reported, all bureau credits",
            "Nombre total de soldes mensuels déclarés, tous crédits du bureau",
        ),
        *[
            Agg(
                f"{p}_BB_STATUS_{s}_COUNT",
                "sum",
                quote(f"BB_STATUS_{s}_COUNT"),
                ("STATUS",),
                f"Number of months with status “{s}” ({_BB_STATUS_TEXT[s][0]}), all bureau credits",
                f"Nombre de mois au statut « {s} » ({_BB_STATUS_TEXT[s][1]}), tous crédits du bureau",
            )
            for s in BB_STATUSES
        ],
        Agg(
            f"{p}_BB_WORST_STATUS_MAX",
            "max",
            quote("BB_WORST_STATUS"),
            ("STATUS",),
            "Worst monthly delay bucket ever reported (0 = none, 5 = over 120 days), bureau credits",
            "Pire tranche de retard mensuel jamais déclarée (0 = aucun, 5 = plus de 120 jours), crédits du bureau",
        ),
        Agg(
            f"{p}_BB_LATE_12M_SUM",
            "sum",
            quote("BB_LATE_12M_COUNT"),
            ("STATUS", "MONTHS_BALANCE"),
            "Number of months past due in the last 12 months, all bureau credits",
            "Nombre de mois en retard au cours des 12 derniers mois, tous crédits du bureau",
        ),
    ]
    derived = [
        Derived(
            f"{p}_BB_STATUS_{s}_SHARE",
            f"{quote(f'{p}_BB_STATUS_{s}_COUNT')} / NULLIF({quote(f'{p}_BB_MONTHS_SUM')}, 0)",
            ("STATUS",),
            f"Share of reported months with status “{s}” ({_BB_STATUS_TEXT[s][0]}), bureau credits",
            f"Part des mois déclarés au statut « {s} » ({_BB_STATUS_TEXT[s][1]}), crédits du bureau",
            "share",
        )
        for s in BB_STATUSES
    ]
    derived += [
        _ratio(
            f"{p}_DEBT_CREDIT_RATIO",
            f"{p}_AMT_CREDIT_SUM_DEBT_SUM",
            f"{p}_AMT_CREDIT_SUM_SUM",
            ("AMT_CREDIT_SUM_DEBT", "AMT_CREDIT_SUM"),
            "Total debt divided by total credit amount, bureau credits",
            "Dette totale rapportée au montant total des crédits, crédits du bureau",
        ),
        _ratio(
            f"{p}_ACTIVE_DEBT_CREDIT_RATIO",
            f"{p}_ACTIVE_AMT_CREDIT_SUM_DEBT_SUM",
            f"{p}_ACTIVE_AMT_CREDIT_SUM_SUM",
            ("AMT_CREDIT_SUM_DEBT", "AMT_CREDIT_SUM"),
            "Total debt divided by total credit amount, active bureau credits",
            "Dette totale rapportée au montant total des crédits, crédits actifs du bureau",
        ),
        _ratio(
            f"{p}_OVERDUE_DEBT_RATIO",
            f"{p}_AMT_CREDIT_SUM_OVERDUE_SUM",
            f"{p}_AMT_CREDIT_SUM_DEBT_SUM",
            ("AMT_CREDIT_SUM_OVERDUE", "AMT_CREDIT_SUM_DEBT"),
            "Total amount overdue divided by total debt, bureau credits",
            "Montant impayé total rapporté à la dette totale, crédits du bureau",
        ),
        _ratio(
            f"{p}_ACTIVE_OVERDUE_DEBT_RATIO",
            f"{p}_ACTIVE_AMT_CREDIT_SUM_OVERDUE_SUM",
            f"{p}_ACTIVE_AMT_CREDIT_SUM_DEBT_SUM",
            ("AMT_CREDIT_SUM_OVERDUE", "AMT_CREDIT_SUM_DEBT"),
            "Total amount overdue divided by total debt, active bureau credits",
            "Montant impayé total rapporté à la dette totale, crédits actifs du bureau",
        ),
        _ratio(
            f"{p}_ACTIVE_LIMIT_CREDIT_RATIO",
            f"{p}_ACTIVE_AMT_CREDIT_SUM_LIMIT_SUM",
            f"{p}_ACTIVE_AMT_CREDIT_SUM_SUM",
            ("AMT_CREDIT_SUM_LIMIT", "AMT_CREDIT_SUM"),
            "Total credit-card limit divided by total credit amount, active bureau credits",
            "Plafond total de carte rapporté au montant total des crédits, crédits actifs du bureau",
        ),
        _ratio(
            f"{p}_RECENT_12M_SHARE",
            f"{p}_RECENT_12M_COUNT",
            f"{p}_COUNT",
            ("DAYS_CREDIT",),
            "Share of bureau credits opened in the last 12 months",
            "Part des crédits du bureau ouverts au cours des 12 derniers mois",
        ),
    ]
    aggs = [replace(a, table="bureau_balance") if "_BB_" in a.name else a for a in aggs]
    derived = [replace(d, table="bureau_balance") if "_BB_" in d.name else d for d in derived]
    return HistoryPass("agg_bureau", "bureau", "SK_ID_CURR", prepare, tuple(aggs), tuple(derived))
