"""Coherence rules of the Home Credit tables: regularities of the real data that synthetic data must keep too.

Each rule is a named function of the tables (``dict[str, DataFrame]`` as read from the raw files) returning the
fraction of the rows (or histories) it applies to that satisfy it, with a threshold that the real sample passes. The
same rules run on the real sample and on generated data (tests, ``scripts/compare_synthetic.py``), so "coherent"
means "as coherent as reality", not an idea of it. A rule that does not apply (a table missing or no row in scope)
returns NaN and is reported as not applicable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from credit_scoring.data.schema import SENTINEL_DAYS

__all__ = ["RULES", "Rule", "evaluate"]

Tables = Mapping[str, pd.DataFrame]
_BUILDING_SUFFIXES = ("_AVG", "_MODE", "_MEDI")


@dataclass(frozen=True)
class Rule:
    """A named regularity: ``check(tables)`` is the share satisfying it, which must be >= ``threshold``."""

    name: str
    description: str
    tables: tuple[str, ...]
    threshold: float
    check: Callable[[Tables], float]

    def passes(self, value: float) -> bool:
        return bool(np.isnan(value) or value >= self.threshold)


def _share(ok: pd.Series | np.ndarray) -> float:
    arr = np.asarray(ok, dtype=bool)
    return float(arr.mean()) if arr.size else float("nan")


def _apps(t: Tables) -> pd.DataFrame:
    frames = [t[n] for n in ("application_train", "application_test") if n in t]
    return pd.concat([f.drop(columns="TARGET", errors="ignore") for f in frames], ignore_index=True)


def _goods_le_credit(t: Tables) -> float:
    a = _apps(t).dropna(subset=["AMT_GOODS_PRICE", "AMT_CREDIT"])
    return _share(a.AMT_GOODS_PRICE <= a.AMT_CREDIT * 1.001)


def _credit_annuity_term(t: Tables) -> float:
    a = _apps(t).dropna(subset=["AMT_ANNUITY"])
    term = a.AMT_CREDIT / a.AMT_ANNUITY
    return _share((term >= 5) & (term <= 48))


def _employment_shorter_than_age(t: Tables) -> float:
    a = _apps(t)
    a = a[a.DAYS_EMPLOYED != SENTINEL_DAYS]
    return _share(-a.DAYS_EMPLOYED <= -a.DAYS_BIRTH - 14 * 365)


def _sentinel_income_type(t: Tables) -> float:
    a = _apps(t)
    return _share((a.DAYS_EMPLOYED == SENTINEL_DAYS) == a.NAME_INCOME_TYPE.isin(["Pensioner", "Unemployed"]))


def _sentinel_organisation(t: Tables) -> float:
    a = _apps(t)
    return _share((a.DAYS_EMPLOYED == SENTINEL_DAYS) == (a.ORGANIZATION_TYPE == "XNA"))


def _sentinel_no_occupation(t: Tables) -> float:
    a = _apps(t)
    return _share(a.OCCUPATION_TYPE[a.DAYS_EMPLOYED == SENTINEL_DAYS].isna())


def _family_ge_children(t: Tables) -> float:
    a = _apps(t).dropna(subset=["CNT_FAM_MEMBERS"])
    return _share(a.CNT_FAM_MEMBERS >= a.CNT_CHILDREN + 1)


def _car_age_iff_car(t: Tables) -> float:
    a = _apps(t)
    return _share(a.OWN_CAR_AGE.notna() == (a.FLAG_OWN_CAR == "Y"))


def _building_block(t: Tables) -> float:
    a = _apps(t)
    cols = [c for c in a.columns if c.endswith(_BUILDING_SUFFIXES)]
    miss = a[cols].isna()
    anchor = miss.mean().idxmin()
    return _share(miss[miss[anchor]].all(axis=1))


def _building_all_or_none(t: Tables) -> float:
    a = _apps(t)
    cols = [c for c in a.columns if c.endswith(_BUILDING_SUFFIXES)]
    n = a[cols].isna().sum(axis=1)
    return _share(n.isin([0, len(cols)]) | (n >= len(cols) - 3))


def _req_bureau_block(t: Tables) -> float:
    a = _apps(t)
    n = a.filter(like="AMT_REQ_CREDIT_BUREAU").isna().sum(axis=1)
    return _share(n.isin([0, 6]))


def _bureau_dates(t: Tables) -> float:
    b = t["bureau"]
    return _share((b.DAYS_CREDIT <= b.DAYS_CREDIT_UPDATE) & (b.DAYS_CREDIT_UPDATE <= 0))


def _bureau_enddate_fact(t: Tables) -> float:
    b = t["bureau"]
    closed = b.CREDIT_ACTIVE == "Closed"
    return _share(b.DAYS_ENDDATE_FACT.notna() == closed)


def _bb_contiguous(t: Tables) -> float:
    g = t["bureau_balance"].groupby("SK_ID_BUREAU").MONTHS_BALANCE.agg(["min", "max", "size"])
    return _share(g["max"] - g["min"] + 1 == g["size"])


def _bb_closed_suffix(t: Tables) -> float:
    """Once a credit shows C (closed) it stays C or X (no new delinquency after closing)."""
    bb = t["bureau_balance"].sort_values(["SK_ID_BUREAU", "MONTHS_BALANCE"])
    is_c = (bb.STATUS.astype(str) == "C").to_numpy()
    seen_c = pd.Series(is_c).groupby(bb.SK_ID_BUREAU.to_numpy()).cummax().to_numpy()
    ok = ~seen_c | np.isin(bb.STATUS.astype(str).to_numpy(), ["C", "X"])
    return _share(pd.Series(ok).groupby(bb.SK_ID_BUREAU.to_numpy()).all())


def _prev_not_approved_no_dates(t: Tables) -> float:
    p = t["previous_application"]
    p = p[p.NAME_CONTRACT_STATUS != "Approved"]
    return _share(p.DAYS_FIRST_DUE.isna() & p.DAYS_TERMINATION.isna())


def _prev_first_due_after_decision(t: Tables) -> float:
    p = t["previous_application"]
    p = p[(p.NAME_CONTRACT_STATUS == "Approved") & p.DAYS_FIRST_DUE.notna() & (p.DAYS_FIRST_DUE != SENTINEL_DAYS)]
    gap = p.DAYS_FIRST_DUE - p.DAYS_DECISION
    return _share((gap >= 0) & (gap <= 400))


def _prev_schedule(t: Tables) -> float:
    p = t["previous_application"]
    p = p[
        (p.NAME_CONTRACT_STATUS == "Approved")
        & (p.CNT_PAYMENT > 0)
        & (p.DAYS_FIRST_DUE != SENTINEL_DAYS)
        & (p.DAYS_LAST_DUE_1ST_VERSION != SENTINEL_DAYS)
    ].dropna(subset=["DAYS_FIRST_DUE", "DAYS_LAST_DUE_1ST_VERSION"])
    err = p.DAYS_LAST_DUE_1ST_VERSION - p.DAYS_FIRST_DUE - 30 * (p.CNT_PAYMENT - 1)
    return _share(err.abs() <= 31)


def _prev_annuity(t: Tables) -> float:
    p = t["previous_application"]
    p = p[(p.NAME_CONTRACT_STATUS == "Approved") & (p.CNT_PAYMENT > 0) & (p.AMT_CREDIT > 0)]
    ratio = p.AMT_ANNUITY * p.CNT_PAYMENT / p.AMT_CREDIT
    return _share((ratio >= 0.95) & (ratio <= 3))


def _pos_future_decreasing(t: Tables) -> float:
    pos = t["POS_CASH_balance"].sort_values(["SK_ID_PREV", "MONTHS_BALANCE"])
    same = pos.SK_ID_PREV.diff().eq(0) & pos.CNT_INSTALMENT.diff().eq(0)
    step = pos.CNT_INSTALMENT_FUTURE.diff()
    return _share(step[same] <= 0)


def _pos_contiguous(t: Tables) -> float:
    g = t["POS_CASH_balance"].groupby("SK_ID_PREV").MONTHS_BALANCE.agg(["min", "max", "size"])
    return _share(g["max"] - g["min"] + 1 == g["size"])


def _cc_balance_within_limit(t: Tables) -> float:
    cc = t["credit_card_balance"]
    cc = cc[cc.AMT_CREDIT_LIMIT_ACTUAL > 0]
    return _share(cc.AMT_BALANCE <= 1.2 * cc.AMT_CREDIT_LIMIT_ACTUAL)


def _cc_drawings_sum(t: Tables) -> float:
    cc = t["credit_card_balance"].dropna(subset=["AMT_DRAWINGS_ATM_CURRENT", "AMT_DRAWINGS_POS_CURRENT"])
    parts = cc.AMT_DRAWINGS_ATM_CURRENT + cc.AMT_DRAWINGS_POS_CURRENT + cc.AMT_DRAWINGS_OTHER_CURRENT
    return _share((parts - cc.AMT_DRAWINGS_CURRENT).abs() <= 0.01 * cc.AMT_DRAWINGS_CURRENT.abs() + 1)


def _cc_count_sum(t: Tables) -> float:
    cc = t["credit_card_balance"].dropna(subset=["CNT_DRAWINGS_ATM_CURRENT", "CNT_DRAWINGS_POS_CURRENT"])
    parts = cc.CNT_DRAWINGS_ATM_CURRENT + cc.CNT_DRAWINGS_POS_CURRENT + cc.CNT_DRAWINGS_OTHER_CURRENT
    return _share(parts == cc.CNT_DRAWINGS_CURRENT)


def _ins_in_past(t: Tables) -> float:
    i = t["installments_payments"]
    return _share((i.DAYS_INSTALMENT < 0) & ~(i.DAYS_ENTRY_PAYMENT >= 0))


def _ins_payment_near_due(t: Tables) -> float:
    i = t["installments_payments"].dropna(subset=["DAYS_ENTRY_PAYMENT"])
    gap = i.DAYS_ENTRY_PAYMENT - i.DAYS_INSTALMENT
    return _share((gap >= -400) & (gap <= 400))


def _history_client_matches_prev(t: Tables) -> float:
    owner = t["previous_application"].set_index("SK_ID_PREV").SK_ID_CURR
    oks = []
    for name in ("POS_CASH_balance", "installments_payments", "credit_card_balance"):
        h = t[name]
        o = h.SK_ID_PREV.map(owner)
        known = o.notna()
        oks.append((o[known] == h.SK_ID_CURR[known]).to_numpy())
    return _share(np.concatenate(oks))


RULES: tuple[Rule, ...] = (
    Rule("goods_le_credit", "AMT_GOODS_PRICE <= AMT_CREDIT", ("application_train",), 0.99, _goods_le_credit),
    Rule(
        "credit_annuity_term",
        "AMT_CREDIT / AMT_ANNUITY within 5-48 months",
        ("application_train",),
        0.99,
        _credit_annuity_term,
    ),
    Rule(
        "employment_shorter_than_age",
        "-DAYS_EMPLOYED <= -DAYS_BIRTH - 14 years (sentinel aside)",
        ("application_train",),
        0.999,
        _employment_shorter_than_age,
    ),
    Rule(
        "sentinel_iff_pensioner",
        "DAYS_EMPLOYED == 365243 iff income type Pensioner/Unemployed",
        ("application_train",),
        0.999,
        _sentinel_income_type,
    ),
    Rule(
        "sentinel_iff_org_xna",
        "DAYS_EMPLOYED == 365243 iff ORGANIZATION_TYPE XNA",
        ("application_train",),
        0.999,
        _sentinel_organisation,
    ),
    Rule(
        "sentinel_no_occupation",
        "no OCCUPATION_TYPE when DAYS_EMPLOYED is the sentinel",
        ("application_train",),
        0.999,
        _sentinel_no_occupation,
    ),
    Rule(
        "family_ge_children", "CNT_FAM_MEMBERS >= CNT_CHILDREN + 1", ("application_train",), 0.999, _family_ge_children
    ),
    Rule(
        "car_age_iff_car", "OWN_CAR_AGE present iff FLAG_OWN_CAR == Y", ("application_train",), 0.999, _car_age_iff_car
    ),
    Rule(
        "building_block_nested",
        "building statistics all missing when the least-missing one is",
        ("application_train",),
        0.95,
        _building_block,
    ),
    Rule(
        "building_all_or_none",
        "building statistics missing all, none or all but 3",
        ("application_train",),
        0.6,
        _building_all_or_none,
    ),
    Rule(
        "req_bureau_block", "AMT_REQ_CREDIT_BUREAU_* missing together", ("application_train",), 0.999, _req_bureau_block
    ),
    Rule("bureau_dates", "DAYS_CREDIT <= DAYS_CREDIT_UPDATE <= 0", ("bureau",), 0.99, _bureau_dates),
    Rule(
        "bureau_enddate_fact_iff_closed",
        "DAYS_ENDDATE_FACT present iff CREDIT_ACTIVE Closed",
        ("bureau",),
        0.99,
        _bureau_enddate_fact,
    ),
    Rule(
        "bureau_balance_contiguous",
        "bureau_balance months contiguous per credit",
        ("bureau_balance",),
        0.99,
        _bb_contiguous,
    ),
    Rule("bureau_balance_closed_suffix", "after a C month only C or X", ("bureau_balance",), 0.98, _bb_closed_suffix),
    Rule(
        "prev_not_approved_no_dates",
        "refused/canceled/unused applications have no due dates",
        ("previous_application",),
        0.999,
        _prev_not_approved_no_dates,
    ),
    Rule(
        "prev_first_due_after_decision",
        "DAYS_FIRST_DUE 0-400 days after DAYS_DECISION",
        ("previous_application",),
        0.95,
        _prev_first_due_after_decision,
    ),
    Rule(
        "prev_schedule",
        "DAYS_LAST_DUE_1ST_VERSION = DAYS_FIRST_DUE + 30 (CNT_PAYMENT - 1) within a month",
        ("previous_application",),
        0.95,
        _prev_schedule,
    ),
    Rule(
        "prev_annuity",
        "AMT_ANNUITY * CNT_PAYMENT / AMT_CREDIT within 0.95-3",
        ("previous_application",),
        0.9,
        _prev_annuity,
    ),
    Rule(
        "pos_future_decreasing",
        "CNT_INSTALMENT_FUTURE never rises month to month (same term)",
        ("POS_CASH_balance",),
        0.98,
        _pos_future_decreasing,
    ),
    Rule(
        "pos_contiguous",
        "POS_CASH months contiguous per previous application",
        ("POS_CASH_balance",),
        0.97,
        _pos_contiguous,
    ),
    Rule(
        "cc_balance_within_limit",
        "AMT_BALANCE <= 1.2 * AMT_CREDIT_LIMIT_ACTUAL",
        ("credit_card_balance",),
        0.95,
        _cc_balance_within_limit,
    ),
    Rule("cc_drawings_sum", "drawings = ATM + POS + other", ("credit_card_balance",), 0.95, _cc_drawings_sum),
    Rule("cc_count_sum", "drawing counts = ATM + POS + other", ("credit_card_balance",), 0.95, _cc_count_sum),
    Rule("ins_in_past", "instalments due and paid before day 0", ("installments_payments",), 0.999, _ins_in_past),
    Rule(
        "ins_paid_near_due",
        "payment within 400 days of the due day",
        ("installments_payments",),
        0.98,
        _ins_payment_near_due,
    ),
    Rule(
        "history_client_matches_prev",
        "POS/instalment/card SK_ID_CURR equals its application's",
        ("previous_application", "POS_CASH_balance", "installments_payments", "credit_card_balance"),
        0.999,
        _history_client_matches_prev,
    ),
)


def evaluate(tables: Tables, *, rules: tuple[Rule, ...] = RULES) -> dict[str, float]:
    """Every applicable rule's share of satisfying rows; rules whose tables are absent are left out."""
    return {r.name: r.check(tables) for r in rules if all(n in tables for n in r.tables)}
