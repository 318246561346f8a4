"""Application-level features: one row per application, written once as ``Expr`` trees (batch SQL and online numpy).

These are the features that a what-if edit or a new application changes, so they must be cheap for one row and
identical to the batch values. Raw numeric fields pass through (DAYS_EMPLOYED with its 365243 sentinel turned into
missing), categories become one-hot columns over the schema's full level sets (stable columns, never learned from
data), and ratios and EXT_SOURCE summaries follow the public "LightGBM with simple features" kernel family.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from credit_scoring.data.schema import LEVELS, SENTINEL_DAYS, TABLES
from credit_scoring.features.expr import (
    Add,
    Col,
    Div,
    Expr,
    IsLevel,
    Lit,
    Mul,
    NullIf,
    RowMax,
    RowMean,
    RowMin,
    RowNotNull,
    RowStd,
    Sub,
    Sum,
    quote,
)
from credit_scoring.features.spec import Label, sanitize_level

__all__ = [
    "APPLICATION_COLUMNS",
    "AppFeature",
    "application_features",
    "application_sql",
    "evaluate_application",
]

#: Raw application fields (application_test layout: no TARGET), in file order.
APPLICATION_COLUMNS: tuple[str, ...] = TABLES["application_test"].column_names


@dataclass(frozen=True)
class AppFeature:
    """One application feature. Empty ``en``/``fr`` means "the source column's own description" (raw pass-through)."""

    name: str
    expr: Expr
    aggregation: str
    en: str = ""
    fr: str = ""


_CAT_LABELS: dict[str, Label] = {
    "NAME_CONTRACT_TYPE": Label("contract type", "le type de contrat"),
    "CODE_GENDER": Label("gender", "le genre"),
    "FLAG_OWN_CAR": Label("car ownership", "la possession d'une voiture"),
    "FLAG_OWN_REALTY": Label("home ownership", "la possession d'un logement"),
    "NAME_TYPE_SUITE": Label("accompanying person", "l'accompagnant"),
    "NAME_INCOME_TYPE": Label("income type", "le type de revenu"),
    "NAME_EDUCATION_TYPE": Label("education", "le niveau d'études"),
    "NAME_FAMILY_STATUS": Label("family status", "la situation familiale"),
    "NAME_HOUSING_TYPE": Label("housing", "le logement"),
    "OCCUPATION_TYPE": Label("occupation", "la profession"),
    "WEEKDAY_APPR_PROCESS_START": Label("weekday of application", "le jour de la demande"),
    "ORGANIZATION_TYPE": Label("employer's organisation type", "le type d'organisation de l'employeur"),
    "FONDKAPREMONT_MODE": Label("building fund type", "le type de fonds de l'immeuble"),
    "HOUSETYPE_MODE": Label("building type", "le type d'immeuble"),
    "WALLSMATERIAL_MODE": Label("wall material", "le matériau des murs"),
    "EMERGENCYSTATE_MODE": Label("building emergency state", "l'état d'urgence de l'immeuble"),
}

_EXT = (Col("EXT_SOURCE_1"), Col("EXT_SOURCE_2"), Col("EXT_SOURCE_3"))
_DOCS = tuple(Col(f"FLAG_DOCUMENT_{i}") for i in range(2, 22))
_CONTACTS = tuple(
    Col(c) for c in ("FLAG_MOBIL", "FLAG_EMP_PHONE", "FLAG_WORK_PHONE", "FLAG_CONT_MOBILE", "FLAG_PHONE", "FLAG_EMAIL")
)
_REGION_FLAGS = tuple(
    Col(c)
    for c in (
        "REG_REGION_NOT_LIVE_REGION",
        "REG_REGION_NOT_WORK_REGION",
        "LIVE_REGION_NOT_WORK_REGION",
        "REG_CITY_NOT_LIVE_CITY",
        "REG_CITY_NOT_WORK_CITY",
        "LIVE_CITY_NOT_WORK_CITY",
    )
)
_REQS = tuple(Col(f"AMT_REQ_CREDIT_BUREAU_{p}") for p in ("HOUR", "DAY", "WEEK", "MON", "QRT", "YEAR"))


def _engineered() -> list[AppFeature]:
    days_employed = NullIf(Col("DAYS_EMPLOYED"), SENTINEL_DAYS)
    income, credit, annuity, goods = (
        Col("AMT_INCOME_TOTAL"),
        Col("AMT_CREDIT"),
        Col("AMT_ANNUITY"),
        Col("AMT_GOODS_PRICE"),
    )
    birth = Col("DAYS_BIRTH")

    def f(name: str, expr: Expr, en: str, fr: str, agg: str = "ratio") -> AppFeature:
        return AppFeature(name, expr, agg, en, fr)

    return [
        f(
            "APP_CREDIT_INCOME_RATIO",
            Div(credit, income),
            "Credit amount divided by income",
            "Montant du crédit rapporté au revenu",
        ),
        f("APP_ANNUITY_INCOME_RATIO", Div(annuity, income), "Annuity divided by income", "Annuité rapportée au revenu"),
        f(
            "APP_ANNUITY_CREDIT_RATIO",
            Div(annuity, credit),
            "Annuity divided by credit amount (repayment rate)",
            "Annuité rapportée au montant du crédit (taux de remboursement)",
        ),
        f(
            "APP_CREDIT_TERM",
            Div(credit, annuity),
            "Credit amount divided by annuity (approximate term)",
            "Montant du crédit rapporté à l'annuité (durée approximative)",
        ),
        f(
            "APP_GOODS_CREDIT_RATIO",
            Div(goods, credit),
            "Price of the goods divided by credit amount",
            "Prix du bien rapporté au montant du crédit",
        ),
        f(
            "APP_CREDIT_GOODS_DIFF",
            Sub(credit, goods),
            "Credit amount minus price of the goods",
            "Montant du crédit moins prix du bien",
            "difference",
        ),
        f(
            "APP_EMPLOYED_AGE_RATIO",
            Div(days_employed, birth),
            "Length of employment divided by age",
            "Ancienneté dans l'emploi rapportée à l'âge",
        ),
        f(
            "APP_INCOME_PER_PERSON",
            Div(income, Col("CNT_FAM_MEMBERS")),
            "Income per family member",
            "Revenu par membre de la famille",
        ),
        f(
            "APP_INCOME_PER_CHILD",
            Div(income, Add(Lit(1.0), Col("CNT_CHILDREN"))),
            "Income divided by one plus the number of children",
            "Revenu divisé par un plus le nombre d'enfants",
        ),
        f(
            "APP_ANNUITY_PER_PERSON",
            Div(annuity, Col("CNT_FAM_MEMBERS")),
            "Annuity per family member",
            "Annuité par membre de la famille",
        ),
        f(
            "APP_INCOME_AFTER_ANNUITY",
            Sub(income, annuity),
            "Income left after the annuity",
            "Revenu restant après l'annuité",
            "difference",
        ),
        f(
            "APP_AGE_YEARS",
            Div(birth, Lit(-365.25)),
            "Age in years at application",
            "Âge en années à la date de la demande",
            "transform",
        ),
        f(
            "APP_REGISTRATION_AGE_RATIO",
            Div(Col("DAYS_REGISTRATION"), birth),
            "Time since registration change divided by age",
            "Ancienneté de l'enregistrement rapportée à l'âge",
        ),
        f(
            "APP_ID_PUBLISH_AGE_RATIO",
            Div(Col("DAYS_ID_PUBLISH"), birth),
            "Time since identity document change divided by age",
            "Ancienneté de la pièce d'identité rapportée à l'âge",
        ),
        f(
            "APP_PHONE_CHANGE_AGE_RATIO",
            Div(Col("DAYS_LAST_PHONE_CHANGE"), birth),
            "Time since phone change divided by age",
            "Ancienneté du téléphone rapportée à l'âge",
        ),
        f(
            "APP_CAR_AGE_RATIO",
            Div(Col("OWN_CAR_AGE"), Div(birth, Lit(-365.25))),
            "Age of the car divided by the client's age",
            "Âge de la voiture rapporté à l'âge du client",
        ),
        f(
            "APP_DAYS_EMPLOYED_SENTINEL",
            Sub(Lit(1.0), RowNotNull((days_employed,))),
            "Employment length given as “not applicable” (365243 days)",
            "Ancienneté dans l'emploi déclarée « sans objet » (365243 jours)",
            "flag",
        ),
        f(
            "APP_EXT_SOURCE_MEAN",
            RowMean(_EXT),
            "Average of the external scores",
            "Moyenne des scores externes",
            "row mean",
        ),
        f(
            "APP_EXT_SOURCE_STD",
            RowStd(_EXT),
            "Spread (standard deviation) of the external scores",
            "Dispersion (écart type) des scores externes",
            "row std",
        ),
        f(
            "APP_EXT_SOURCE_PROD",
            Mul(Mul(_EXT[0], _EXT[1]), _EXT[2]),
            "Product of the three external scores",
            "Produit des trois scores externes",
            "row product",
        ),
        f("APP_EXT_SOURCE_MIN", RowMin(_EXT), "Lowest external score", "Score externe le plus bas", "row min"),
        f("APP_EXT_SOURCE_MAX", RowMax(_EXT), "Highest external score", "Score externe le plus haut", "row max"),
        f(
            "APP_EXT_SOURCE_WEIGHTED",
            Div(Add(Add(Mul(_EXT[0], Lit(2.0)), _EXT[1]), Mul(_EXT[2], Lit(3.0))), Lit(6.0)),
            "Weighted average of the external scores (weights 2, 1, 3)",
            "Moyenne pondérée des scores externes (poids 2, 1, 3)",
            "row weighted mean",
        ),
        f(
            "APP_EXT_SOURCE_COUNT",
            RowNotNull(_EXT),
            "Number of external scores available",
            "Nombre de scores externes disponibles",
            "row count",
        ),
        f("APP_DOCUMENT_COUNT", Sum(_DOCS), "Number of documents provided", "Nombre de documents fournis", "row sum"),
        f(
            "APP_CONTACT_COUNT",
            Sum(_CONTACTS),
            "Number of contact channels provided (phones, e-mail)",
            "Nombre de moyens de contact fournis (téléphones, e-mail)",
            "row sum",
        ),
        f(
            "APP_REGION_MISMATCH_COUNT",
            Sum(_REGION_FLAGS),
            "Number of mismatches between home, registration and work addresses",
            "Nombre de différences entre adresses du domicile, d'enregistrement et du travail",
            "row sum",
        ),
        f(
            "APP_BUREAU_REQUESTS_TOTAL",
            Sum(_REQS),
            "Number of enquiries to the credit bureau in the year before application",
            "Nombre de consultations du bureau de crédit dans l'année précédant la demande",
            "row sum",
        ),
        f(
            "APP_SOCIAL_DEF_30_RATIO",
            Div(Col("DEF_30_CNT_SOCIAL_CIRCLE"), Col("OBS_30_CNT_SOCIAL_CIRCLE")),
            "Share of the social circle that defaulted (30 days past due)",
            "Part de l'entourage en défaut (30 jours de retard)",
            "ratio",
        ),
        f(
            "APP_SOCIAL_DEF_60_RATIO",
            Div(Col("DEF_60_CNT_SOCIAL_CIRCLE"), Col("OBS_60_CNT_SOCIAL_CIRCLE")),
            "Share of the social circle that defaulted (60 days past due)",
            "Part de l'entourage en défaut (60 jours de retard)",
            "ratio",
        ),
    ]


@cache
def application_features() -> tuple[AppFeature, ...]:
    """Every application feature in output order: raw fields, one-hot categories, engineered ratios."""
    schema = TABLES["application_test"]
    out: list[AppFeature] = []
    for col in schema.columns:
        if col.name == "SK_ID_CURR" or col.dtype == "category":
            continue
        if col.name == "DAYS_EMPLOYED":
            out.append(AppFeature(col.name, NullIf(Col(col.name), SENTINEL_DAYS), "value (365243 → missing)"))
        else:
            out.append(AppFeature(col.name, Col(col.name), "value"))
    for col in schema.categorical:
        label = _CAT_LABELS[col.name]
        for lvl in LEVELS[("application", col.name)]:
            out.append(
                AppFeature(
                    f"{col.name}_{sanitize_level(lvl)}",
                    IsLevel(col.name, lvl),
                    "one-hot",
                    f"Application: {label.en} is “{lvl}”",
                    f"Demande : {label.fr} est « {lvl} »",
                )
            )
    out += _engineered()
    return tuple(out)


@cache
def application_sql() -> str:
    """SELECT of every application feature over the relation ``application`` (train and test, without TARGET)."""
    cols = [quote("SK_ID_CURR")] + [
        f"CAST({f.expr.sql()} AS DOUBLE) AS {quote(f.name)}" for f in application_features()
    ]
    return "SELECT " + ",\n  ".join(cols) + "\nFROM application"


_CATEGORICAL = frozenset(c.name for c in TABLES["application_test"].categorical)


def _num(x: Any) -> float:
    try:
        return float(x)
    except TypeError:  # None, pandas NA
        return float("nan")


def _env(rows: Mapping[str, Any]) -> dict[str, npt.NDArray[Any]]:
    """Arrays of one row (scalars) or many rows (sequences); NULL as NaN (numbers) or None (categories)."""
    env: dict[str, npt.NDArray[Any]] = {}
    for name in APPLICATION_COLUMNS:
        if name == "SK_ID_CURR":
            continue
        v = rows.get(name)
        if name in _CATEGORICAL:
            if isinstance(v, (list, tuple, np.ndarray, pd.Series)):
                env[name] = np.array([x if isinstance(x, str) else None for x in v], dtype=object)
            else:
                env[name] = np.array([v if isinstance(v, str) else None], dtype=object)
        elif isinstance(v, (list, tuple, np.ndarray, pd.Series)):
            env[name] = np.array([_num(x) for x in v], dtype=np.float64)
        else:
            env[name] = np.array([_num(v)], dtype=np.float64)
    return env


def evaluate_application(rows: Mapping[str, Any]) -> dict[str, npt.NDArray[np.float64]]:
    """Every application feature for one application (mapping of scalars) or several (mapping of sequences).

    Missing keys are NULL. Same definitions as ``application_sql()``, compiled to numpy: the online path.
    """
    env = _env(rows)
    return {f.name: f.expr.np(env) for f in application_features()}
