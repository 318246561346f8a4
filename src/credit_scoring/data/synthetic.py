"""Synthetic Home Credit tables: exact Kaggle schema, calibrated marginals, coherent histories, a planted default.

Why a generator: the real data cannot ship with the project, yet tests, benchmarks and demos need all eight tables at
any scale. The generator reads only aggregate statistics committed in ``calibration.json.gz`` (produced by
``scripts/calibrate.py`` from the shared real sample), so it runs on a fresh clone.

Design, in the order a chunk is generated:

1. **Clients.** Each application row comes from a Gaussian copula over all 120 application columns (correlation of
   normal scores, missing ranked lowest so that missingness correlates with values), each column mapped back through
   its calibrated marginal (frequencies, or quantiles that are dense near the tails). Rules of the real data are then
   imposed: the 365243 sentinel exactly for pensioners/unemployed (with ORGANIZATION_TYPE ``XNA``, no occupation,
   FLAG_EMP_PHONE 0), employment shorter than age minus 18 years, annuity from a calibrated credit/annuity term, goods
   price from a calibrated goods/credit ratio, CNT_FAM_MEMBERS >= CNT_CHILDREN + 1, OWN_CAR_AGE iff a car, and
   missingness in nested blocks (building statistics, credit-bureau requests, social circle).
2. **A latent risk trait** per client: partly the EXT_SOURCE scores, partly independent noise. It drives the history
   behaviour (late and partial instalments, bureau delinquencies, refused applications, days past due, card use).
3. **Histories.** Counts per client (bureau credits, previous applications) and card months are drawn from the
   complete-history group of the sample; everything else follows from dates: bureau_balance months run from a credit's
   opening month to month 0 (``C`` after closing, ``X`` unknown), POS_CASH months follow the instalment schedule of
   approved cash/consumer loans, installments_payments is derived from approved applications (instalments due before
   day 0, late or partial payers, some instalments paid in two payments), credit cards have monthly balances within
   their limit.
   Totals are matched to Kaggle's full data (within 1% at full scale): where the complete-history group's rates
   differ (previous applications per client, bureau_balance months per credit, card months, instalments, which are
   fragments in the sample), counts are rescaled as documented in the calibration's ``lengths.note`` and below.
4. **Default.** The true default probability is a logistic function of OBSERVABLE quantities only (application fields
   and per-client aggregates of the generated history), with the intercept solved per chunk to give Kaggle's 8.07%;
   TARGET ~ Bernoulli(p). ``ceiling_auc`` (AUC of p) and ``app_only_auc`` (AUC of the application part alone) are
   written to ``generator.json``: the gap shows that history matters.

Determinism: one ``SeedSequence`` per chunk (chunks are a fixed number of clients), offsets of history IDs added in
chunk order, so the same seed and size give byte-identical files whether or not a process pool is used.
"""

from __future__ import annotations

import functools
import gzip
import importlib.resources
import json
import logging
import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from scipy import special, stats

from credit_scoring.data.schema import SENTINEL_DAYS, TABLE_NAMES, TABLES
from credit_scoring.errors import DataError
from credit_scoring.progress import ProgressHook, no_progress

__all__ = ["CHUNK_CLIENTS", "GeneratorInfo", "auc", "generate", "load_calibration", "n_test_clients"]

logger = logging.getLogger(__name__)

#: Clients (train + test) per chunk: fixed, so output never depends on the number of worker processes.
CHUNK_CLIENTS = 16_384
_KAGGLE_TRAIN, _KAGGLE_TEST = 307_511, 48_744
_FIRST_CURR, _FIRST_BUREAU, _FIRST_PREV = 100_001, 5_000_000, 1_000_001
_MONTH = 30.4375

Arrays = dict[str, np.ndarray]
Chunk = dict[str, Arrays]


def n_test_clients(n_clients: int) -> int:
    """application_test clients for ``n_clients`` labelled ones: Kaggle's test/train ratio."""
    return round(n_clients * _KAGGLE_TEST / _KAGGLE_TRAIN)


@functools.cache
def load_calibration() -> dict[str, Any]:
    """The committed calibration statistics (loaded on first use, never at import)."""
    res = importlib.resources.files("credit_scoring.data").joinpath("calibration.json.gz")
    with res.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as f:
        cal: dict[str, Any] = json.load(f)
    return cal


def auc(score: np.ndarray, label: np.ndarray) -> float:
    """ROC AUC by the rank (Mann-Whitney) formula; ties count one half."""
    label = np.asarray(label).astype(bool)
    n_pos, n_neg = int(label.sum()), int((~label).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = stats.rankdata(score)
    return float((ranks[label].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


@dataclass
class GeneratorInfo:
    """What ``generate`` wrote: folder, rows per table and the planted mechanism's figures."""

    out: Path
    seed: int
    n_clients: int
    n_test: int
    fmt: str
    rows: dict[str, int]
    target_rate: float
    ceiling_auc: float
    app_only_auc: float
    seconds: float
    extra: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "n_clients": self.n_clients,
            "n_test": self.n_test,
            "format": self.fmt,
            "sizes": self.rows,
            "target_rate": self.target_rate,
            "ceiling_auc": self.ceiling_auc,
            "app_only_auc": self.app_only_auc,
            "chunk_clients": CHUNK_CLIENTS,
            **self.extra,
        }

    def summary(self) -> str:
        lines = [f"synthetic tables in {self.out} ({self.fmt}, seed {self.seed})"]
        lines += [f"  {name:<24}{n:>12,} rows" for name, n in self.rows.items()]
        lines.append(
            f"  TARGET rate {self.target_rate:.4f}; ceiling AUC {self.ceiling_auc:.3f} "
            f"(application part alone {self.app_only_auc:.3f}); {self.seconds:.1f} s"
        )
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------------- #
# Marginals
# ---------------------------------------------------------------------------------------------------------------- #


def _level_codes(table: str, col: str) -> dict[str, int]:
    return {lv: i for i, lv in enumerate(TABLES[table].column(col).levels)}


def _sample(
    spec: dict[str, Any],
    u: np.ndarray,
    *,
    order: list[str] | None = None,
    codes: dict[str, int] | None = None,
    with_missing: bool = True,
) -> np.ndarray:
    """Map uniforms through a calibrated marginal: missing mass first (lowest), then values in copula order.

    Categorical specs (``codes`` given) return int16 level codes with -1 for missing; others return float64 with NaN.
    """
    grid = np.asarray(load_calibration()["grid"])
    m = float(spec["missing"]) if with_missing else 0.0
    miss = u < m
    v = np.clip((u - m) / (1.0 - m), 0.0, 1.0 - 1e-12) if m < 1.0 else np.zeros_like(u)
    sent = float(spec.get("sentinel", 0.0))
    is_sent = np.zeros(u.shape, dtype=bool)
    if sent > 0:
        is_sent = v >= 1.0 - sent
        v = np.clip(v / (1.0 - sent), 0.0, 1.0 - 1e-12)
    if spec["kind"] == "discrete":
        values = list(spec["values"])
        probs = np.asarray(spec["probs"], dtype=float)
        if order is not None:
            pos = {val: i for i, val in enumerate(values)}
            perm = [pos[x] for x in order if x in pos]
            values = [values[i] for i in perm]
            probs = probs[perm]
        cp = np.cumsum(probs)
        idx = np.minimum(np.searchsorted(cp / cp[-1], v, side="right"), len(values) - 1)
        if codes is not None:
            lut = np.array([codes[x] for x in values], dtype=np.int16)
            out_c = lut[idx]
            out_c[miss] = -1
            return out_c
        out = np.asarray(values, dtype=float)[idx]
    else:
        out = np.interp(v, grid, np.asarray(spec["q"], dtype=float))
        if spec.get("integer"):
            out = np.round(out)
    out[is_sent] = SENTINEL_DAYS
    out[miss] = np.nan
    return out


def _ratio(q: list[float], u: np.ndarray) -> np.ndarray:
    """Inverse CDF of a ratio stored as quantiles on the calibration grid."""
    return np.asarray(np.interp(u, np.asarray(load_calibration()["grid"]), np.asarray(q, dtype=float)))


@functools.cache
def _cholesky(name: str) -> np.ndarray:
    """A factor of the stored correlation (rounded, so repaired again to positive definite, unit diagonal)."""
    corr = np.asarray(load_calibration()[name]["corr"], dtype=float)
    w, v = np.linalg.eigh((corr + corr.T) / 2)
    factor = v * np.sqrt(np.clip(w, 1e-4, None))
    return np.asarray(factor / np.linalg.norm(factor, axis=1, keepdims=True))


def _copula(rng: np.random.Generator, name: str, n: int) -> tuple[np.ndarray, dict[str, int]]:
    """Uniforms with the calibrated rank correlation; columns named by the returned index."""
    chol = _cholesky(name)
    z = rng.standard_normal((n, chol.shape[0])) @ chol.T
    cols = load_calibration()[name]["columns"]
    return special.ndtr(z), {c: i for i, c in enumerate(cols)}


def _table_from_copula(
    rng: np.random.Generator, table: str, spec_key: str, cop: str, n: int
) -> tuple[Arrays, np.ndarray, dict[str, int]]:
    cal = load_calibration()
    u, idx = _copula(rng, cop, n)
    order = cal[cop]["order"]
    out: Arrays = {}
    for col in TABLES[table].columns:
        if col.name not in idx:
            continue
        spec = cal[spec_key][col.name]
        uc = u[:, idx[col.name]]
        if col.dtype == "category":
            out[col.name] = _sample(spec, uc, order=order.get(col.name), codes=_level_codes(table, col.name))
        else:
            out[col.name] = _sample(spec, uc)
    return out, u, idx


def _counts(rng: np.random.Generator, pmf: dict[str, Any], n: int, *, scale: float = 1.0) -> np.ndarray:
    """Counts from an empirical distribution; ``scale`` != 1 stretches them with stochastic rounding (mean * scale)."""
    p = np.asarray(pmf["probs"], dtype=float)
    c = np.asarray(pmf["values"], dtype=np.int64)[rng.choice(len(p), size=n, p=p / p.sum())]
    if scale != 1.0:
        c = np.floor(c * scale + rng.uniform(size=n)).astype(np.int64)
    return c


def _segments(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For parents with ``counts`` children: each child's parent index and its position 0..count-1."""
    parent = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    pos = np.arange(int(counts.sum())) - np.repeat(starts, counts)
    return parent, pos


def _ranks_within(u: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Uniforms re-ranked within ``mask``: a conditional marginal applied to a subgroup keeps the copula's order and
    reproduces the subgroup's calibrated distribution exactly (rows outside ``mask`` are returned unchanged)."""
    out = u.copy()
    sub = u[mask]
    out[mask] = (stats.rankdata(sub, method="ordinal") - 0.5) / max(len(sub), 1)
    return out


def _other_statuses(rng: np.random.Generator, status: np.ndarray, table: str, modelled: tuple[str, ...]) -> np.ndarray:
    """Statuses the monthly model does not produce (Demand, Returned to the store, XNA, ...) replace Active months at
    their calibrated total rate, each with its calibrated share, so every schema level can appear."""
    spec = load_calibration()[table]["NAME_CONTRACT_STATUS"]
    codes = _level_codes(table, "NAME_CONTRACT_STATUS")
    others = [(lv, p) for lv, p in zip(spec["values"], spec["probs"], strict=True) if lv not in modelled]
    probs = np.array([p for _, p in others])
    active = status == codes["Active"]
    swap = active & (rng.uniform(size=len(status)) < probs.sum())
    pick = np.array([codes[lv] for lv, _ in others], dtype=np.int16)[
        rng.choice(len(others), size=len(status), p=probs / probs.sum())
    ]
    return np.where(swap, pick, status).astype(np.int16)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(special.expit(x))


# ---------------------------------------------------------------------------------------------------------------- #
# Applications
# ---------------------------------------------------------------------------------------------------------------- #

_BUILDING_SUFFIXES = ("_AVG", "_MODE", "_MEDI")


def _applications(rng: np.random.Generator, n: int) -> tuple[Arrays, dict[str, np.ndarray]]:
    cal = load_calibration()
    specs = cal["application"]
    app, u, idx = _table_from_copula(rng, "application_test", "application", "application_copula", n)
    order = cal["application_copula"]["order"]

    # Nested missingness blocks: one shared uniform per block, each column missing below its own rate.
    cols = TABLES["application_test"].column_names
    blocks = [
        [c for c in cols if c.endswith(_BUILDING_SUFFIXES)],
        [c for c in cols if c.startswith("AMT_REQ_CREDIT_BUREAU")],
        [c for c in cols if c.endswith("_CNT_SOCIAL_CIRCLE")],
    ]
    for block in blocks:
        anchor = min(block, key=lambda c: specs[c]["missing"])
        ub = u[:, idx[anchor]]
        for c in block:
            m = specs[c]["missing"]
            uc = u[:, idx[c]]
            v = np.where(uc < m, rng.uniform(size=n), (uc - m) / (1 - m)) * (1 - 1e-12)
            lv = order.get(c)
            codes = _level_codes("application_test", c) if lv else None
            val = _sample(specs[c], v, order=lv, codes=codes, with_missing=False)
            missing = ub < m
            if codes is not None:
                val[missing] = -1
            else:
                val[missing] = np.nan
            app[c] = val

    # Sentinel exactly for pensioner/unemployed-like income types, with the fields that go with it.
    income_levels = TABLES["application_test"].column("NAME_INCOME_TYPE").levels
    rate = np.array([cal["sentinel_by_income_type"].get(lv, 0.0) for lv in income_levels])
    sentinel = rng.uniform(size=n) < rate[app["NAME_INCOME_TYPE"]]
    u_emp = u[:, idx["DAYS_EMPLOYED"]]
    # Employment as a share of the working life (age minus 18 years): shorter than age by construction, and the
    # age/employment dependence of the real data comes with it. Longer employment is lower u (more negative days).
    span = np.maximum(-app["DAYS_BIRTH"] - 18 * 365.25, 0)
    emp = -np.floor(span * _ratio(cal["employed_share_of_working_life"], 1 - _ranks_within(u_emp, ~sentinel)))
    app["DAYS_EMPLOYED"] = np.where(sentinel, SENTINEL_DAYS, np.minimum(emp, 0))
    app["FLAG_EMP_PHONE"] = np.where(sentinel, 0.0, 1.0)
    org_codes = _level_codes("application_test", "ORGANIZATION_TYPE")
    org_order = [x for x in order["ORGANIZATION_TYPE"] if x != "XNA"]
    u_org = u[:, idx["ORGANIZATION_TYPE"]]
    org = _sample(
        specs["ORGANIZATION_TYPE|employed"], _ranks_within(u_org, ~sentinel), order=org_order, codes=org_codes
    )
    app["ORGANIZATION_TYPE"] = np.where(sentinel, org_codes["XNA"], org).astype(np.int16)
    occ = _sample(
        specs["OCCUPATION_TYPE|employed"],
        _ranks_within(u[:, idx["OCCUPATION_TYPE"]], ~sentinel),
        order=order["OCCUPATION_TYPE"],
        codes=_level_codes("application_test", "OCCUPATION_TYPE"),
    )
    app["OCCUPATION_TYPE"] = np.where(sentinel, -1, occ).astype(np.int16)

    # Own car age iff a car.
    car = app["FLAG_OWN_CAR"] == _level_codes("application_test", "FLAG_OWN_CAR")["Y"]
    u_car = u[:, idx["OWN_CAR_AGE"]]
    app["OWN_CAR_AGE"] = np.where(car, _sample(specs["OWN_CAR_AGE|car"], _ranks_within(u_car, car)), np.nan)

    # Family at least the children plus the applicant.
    fam = app["CNT_FAM_MEMBERS"]
    app["CNT_FAM_MEMBERS"] = np.where(np.isnan(fam), fam, np.maximum(fam, app["CNT_CHILDREN"] + 1))

    # Amounts keep their copula values (marginals and correlation with credit), held within the calibrated
    # credit/annuity term and goods/credit ratio ranges, so every row is a plausible loan.
    ratios = cal["app_ratios"]
    grid = np.asarray(cal["grid"])
    credit = app["AMT_CREDIT"]
    term_lo, term_hi = np.interp([0.0005, 0.9995], grid, ratios["credit_over_annuity"])
    annuity = np.clip(app["AMT_ANNUITY"], credit / term_hi, credit / term_lo)
    app["AMT_ANNUITY"] = np.round(annuity * 2) / 2
    goods_lo, goods_hi = np.interp([0.0005, 0.997], grid, ratios["goods_over_credit"])
    goods = np.clip(app["AMT_GOODS_PRICE"], credit * goods_lo, credit * min(goods_hi, 1.0))
    app["AMT_GOODS_PRICE"] = np.round(goods * 2) / 2
    app["FLAG_MOBIL"] = np.ones(n)
    return app, {"sentinel": sentinel}


# ---------------------------------------------------------------------------------------------------------------- #
# Histories
# ---------------------------------------------------------------------------------------------------------------- #


def _bureau(rng: np.random.Generator, risk: np.ndarray) -> tuple[Arrays, Arrays, dict[str, np.ndarray]]:
    cal = load_calibration()
    n = len(risk)
    counts = _counts(rng, cal["lengths"]["bureau_per_client"], n, scale=cal["lengths"]["bureau_per_client_scale"])
    owner, _ = _segments(counts)
    nb = len(owner)
    b, _, _ = _table_from_copula(rng, "bureau", "bureau", "bureau_copula", nb)
    r = risk[owner]
    lv = _level_codes("bureau", "CREDIT_ACTIVE")
    active = b["CREDIT_ACTIVE"] == lv["Active"]
    closed = b["CREDIT_ACTIVE"] == lv["Closed"]
    days_credit = np.minimum(b["DAYS_CREDIT"], -1)
    cond = cal["bureau_cond"]
    frac = _ratio(cond["enddate_fact_frac"], rng.uniform(size=nb))
    end_fact = np.where(closed, np.round(days_credit * np.clip(frac, 0, 1)), np.nan)
    update = np.clip(np.nan_to_num(b["DAYS_CREDIT_UPDATE"], nan=0.0), days_credit, 0)
    update = np.where(closed, np.maximum(update, end_fact), update)
    b["DAYS_CREDIT"], b["DAYS_ENDDATE_FACT"], b["DAYS_CREDIT_UPDATE"] = days_credit, end_fact, update
    # Delinquency: active credits of risky clients are overdue more often.
    p_over = np.clip(cond["active_overdue_share"] * np.exp(1.3 * r - 0.85), 0, 0.9)
    overdue = active & (rng.uniform(size=nb) < p_over)
    days_over = _sample(cond["CREDIT_DAY_OVERDUE|pos"], rng.uniform(size=nb))
    b["CREDIT_DAY_OVERDUE"] = np.where(overdue, days_over, 0.0)
    debt = np.nan_to_num(b["AMT_CREDIT_SUM_DEBT"], nan=0.0)
    b["AMT_CREDIT_SUM_OVERDUE"] = np.where(
        overdue, np.round(np.maximum(debt, 1000) * rng.uniform(0.02, 0.3, nb), 3), 0.0
    )
    b["AMT_CREDIT_SUM_DEBT"] = np.where(closed & ~np.isnan(b["AMT_CREDIT_SUM_DEBT"]), 0.0, b["AMT_CREDIT_SUM_DEBT"])
    b["CNT_CREDIT_PROLONG"] = np.nan_to_num(b["CNT_CREDIT_PROLONG"], nan=0.0)

    # bureau_balance: months from the opening month to month 0; C after closing; X unknown; delinquent months.
    lengths = cal["lengths"]
    open_m = np.maximum(np.floor(days_credit / _MONTH), -96).astype(np.int64)
    # Share of credits with a balance history: set so that rows per credit match Kaggle's (see calibration note).
    presence = min(1.0, lengths["bb_rows_per_bureau_kaggle"] / max(float(np.mean(1 - open_m)) if nb else 1.0, 1.0))
    has_bb = rng.uniform(size=nb) < presence
    nmonths = np.where(has_bb, -open_m + 1, 0)
    credit_i, k = _segments(nmonths)
    month = open_m[credit_i] + k
    close_m = np.floor(np.nan_to_num(end_fact, nan=1e9) / _MONTH)[credit_i]
    st = _level_codes("bureau_balance", "STATUS")
    status = np.full(len(month), st["0"], dtype=np.int16)
    bad_credit = rng.uniform(size=nb) < np.clip(0.06 * np.exp(1.2 * r), 0, 0.95)
    bad_rows = bad_credit[credit_i] & (rng.uniform(size=len(month)) < 0.2)
    # Depth of delinquency (1-5) with the calibrated relative frequencies (5 = written off is not rare).
    st_spec = cal["bureau_balance_status"]
    late_p = np.array([st_spec["probs"][st_spec["values"].index(str(d))] for d in range(1, 6)])
    depth = 1 + rng.choice(5, size=len(month), p=late_p / late_p.sum())
    status = np.where(bad_rows, np.array([st[str(d)] for d in range(6)], dtype=np.int16)[depth], status)
    x_kind = rng.uniform(size=nb)
    x_len = np.where(x_kind < 0.2, 10_000, np.where(x_kind < 0.5, rng.geometric(0.06, size=nb), 0))
    unknown = (k < x_len[credit_i]) | (rng.uniform(size=len(month)) < 0.02)
    status = np.where(unknown, st["X"], status)
    status = np.where(month > close_m, st["C"], status).astype(np.int16)
    bb = {"bureau_i": credit_i, "MONTHS_BALANCE": month.astype(float), "STATUS": status}
    agg = {
        "bureau_overdue": np.bincount(owner, weights=overdue, minlength=n),
        "bb_late": np.bincount(owner[credit_i], weights=(status >= st["1"]) & (status <= st["5"]), minlength=n),
        "n_bureau": counts.astype(float),
    }
    b["owner"] = owner
    return b, bb, agg


def _previous(
    rng: np.random.Generator, risk: np.ndarray
) -> tuple[Arrays, Arrays, Arrays, Arrays, dict[str, np.ndarray]]:
    cal = load_calibration()
    n = len(risk)
    counts = _counts(rng, cal["lengths"]["prev_per_client"], n, scale=cal["lengths"]["prev_per_client_scale"])
    owner, _ = _segments(counts)
    npv = len(owner)
    p, u, idx = _table_from_copula(rng, "previous_application", "previous_application", "prev_copula", npv)
    r = risk[owner]
    ctype = _level_codes("previous_application", "NAME_CONTRACT_TYPE")
    cstat = _level_codes("previous_application", "NAME_CONTRACT_STATUS")
    types = TABLES["previous_application"].column("NAME_CONTRACT_TYPE").levels
    statuses = TABLES["previous_application"].column("NAME_CONTRACT_STATUS").levels
    # Status given the type; risky clients drift towards refusal (Approved < Unused < Canceled < Refused).
    ordered = ["Approved", "Unused offer", "Canceled", "Refused"]
    probs = np.array([[cal["prev_status_by_type"][t][statuses.index(s)] for s in ordered] for t in types])
    cum = np.cumsum(probs, axis=1)
    cum /= cum[:, -1:]
    us = special.ndtr(0.55 * r + np.sqrt(1 - 0.55**2) * rng.standard_normal(npv))
    t_i = p["NAME_CONTRACT_TYPE"].astype(np.int64)
    k = (us[:, None] > cum[t_i]).sum(axis=1).clip(0, 3)
    status = np.array([cstat[s] for s in ordered], dtype=np.int16)[k]
    p["NAME_CONTRACT_STATUS"] = status
    approved = status == cstat["Approved"]
    refused = status == cstat["Refused"]
    rr = _level_codes("previous_application", "CODE_REJECT_REASON")
    reason = _sample(cal["prev_cond"]["reject_reason_refused"], rng.uniform(size=npv), codes=rr)
    p["CODE_REJECT_REASON"] = np.where(
        refused, reason, np.where(status == cstat["Unused offer"], rr["CLIENT"], rr["XAP"])
    ).astype(np.int16)

    cash, consumer, revolving = (t_i == ctype[t] for t in ("Cash loans", "Consumer loans", "Revolving loans"))
    u_cnt = u[:, idx["CNT_PAYMENT"]]
    cnt = np.full(npv, np.nan)
    for mask, t in ((cash, "Cash loans"), (consumer, "Consumer loans")):
        cnt = np.where(mask, _sample(cal["prev_cnt_payment"][t], u_cnt, with_missing=False), cnt)
    cnt = np.where(revolving, 0.0, cnt)
    miss_rate = np.array([cal["prev_cnt_payment_missing_by_status"].get(s, 0.0) for s in statuses])
    cnt = np.where(rng.uniform(size=npv) < miss_rate[status], np.nan, cnt)
    cnt = np.where(approved & (cash | consumer) & np.isnan(cnt), 12.0, cnt)
    p["CNT_PAYMENT"] = cnt
    # Amounts and product descriptors from their marginal within (contract type, status), in copula order.
    for key, group in cal["prev_by_type_status"].items():
        t_name, s_name = key.split("|")
        mask = (t_i == ctype[t_name]) & (status == cstat[s_name])
        if not mask.any():
            continue
        for col, spec in group.items():
            v = _ranks_within(u[:, idx[col]], mask)
            if TABLES["previous_application"].column(col).dtype == "category":
                codes = _level_codes("previous_application", col)
                drawn = _sample(spec, v, order=cal["prev_copula"]["order"][col], codes=codes)
            else:
                drawn = _sample(spec, v)
            p[col] = np.where(mask, drawn, p[col])
    credit = p["AMT_CREDIT"]
    pc = cal["prev_cond"]
    u_total = rng.uniform(size=npv)
    total = np.full(npv, np.nan)
    for lo, q in pc["total_over_credit_by_term"].items():
        total = np.where(cnt > int(lo), _ratio(q, u_total), total)
    total = np.where(total < 1, 1.0 + rng.uniform(0, 0.3, npv), total)
    rev_ann = _ratio(pc["revolving_annuity_over_credit"], rng.uniform(size=npv))
    copula_annuity = np.nan_to_num(p["AMT_ANNUITY"], nan=0.0)
    annuity = np.where(
        (cnt > 0) & (credit > 0),
        credit * total / np.where(cnt > 0, cnt, 1),
        np.where(revolving & (credit > 0), credit * rev_ann, copula_annuity),
    )
    p["AMT_ANNUITY"] = np.where(np.isnan(cnt), np.nan, np.round(annuity, 3))

    # Cards of approved revolving loans: their months drive the decision date.
    # Cards: the share of approved revolving loans with a card history is set so that card months per previous
    # application match the complete-history group (which matches Kaggle's full data).
    cc_pmf = cal["lengths"]["cc_months_per_card"]
    n_rev = max(int((approved & revolving).sum()), 1)
    need = cal["lengths"]["cc_rows_per_prev"] * npv / (n_rev * cc_pmf["mean"])
    has_cc = approved & revolving & (rng.uniform(size=npv) < min(1.0, need))
    # When every card is not enough, card histories are stretched (capped at Kaggle's 96 months) by the factor that
    # gives the target months in this chunk.
    base_len = np.where(has_cc, _counts(rng, cc_pmf, npv), 0)
    jitter = rng.uniform(size=npv)
    target_months = cal["lengths"]["cc_rows_per_prev"] * npv
    lo, hi = 1.0, 1.0 if need <= 1.0 else 4.0
    for _ in range(30 if need > 1.0 else 0):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if np.minimum(np.floor(base_len * mid + jitter), 96).sum() < target_months else (lo, mid)
    scale = hi
    cc_len = np.where(has_cc, np.minimum(np.floor(base_len * scale + jitter * (scale > 1)), 96), 0).astype(np.int64)
    decision = np.minimum(p["DAYS_DECISION"], -1)
    decision = np.where(has_cc, -np.round(cc_len * _MONTH + rng.uniform(0, 30, npv)), decision)
    p["DAYS_DECISION"] = decision

    # Dates of approved applications.
    sent = pc["sentinel_by_type"]
    nanv = np.full(npv, np.nan)

    def sentinel_for(col: str) -> np.ndarray:
        rate = np.zeros(npv)
        for mask, t in ((cash, "Cash loans"), (consumer, "Consumer loans"), (revolving, "Revolving loans")):
            rate = np.where(mask, sent[t][col], rate)
        return rng.uniform(size=npv) < rate

    first_due = decision + np.round(_ratio(pc["first_due_minus_decision"], rng.uniform(size=npv)))
    first_due = np.where(has_cc, decision + 30.0, first_due)
    fd_sent = sentinel_for("DAYS_FIRST_DUE") & ~has_cc
    last1 = first_due + 30.0 * np.where(cnt > 0, cnt - 1, 12)
    l1_sent = sentinel_for("DAYS_LAST_DUE_1ST_VERSION") | fd_sent
    # A loan whose schedule ended is closed (last due == schedule end, sometimes earlier); otherwise still running.
    early = rng.uniform(size=npv) < 0.25
    last_due = np.where(early, np.round(first_due + (last1 - first_due) * rng.uniform(0.2, 1.0, npv)), last1)
    running = (last_due > -1) | sentinel_for("DAYS_LAST_DUE") | fd_sent
    last_due = np.where(running, SENTINEL_DAYS, last_due)
    termination = np.where(running, SENTINEL_DAYS, np.minimum(last_due + np.round(rng.uniform(0, 12, npv)), -1))
    drawing = np.where(sentinel_for("DAYS_FIRST_DRAWING"), SENTINEL_DAYS, decision + np.round(rng.uniform(1, 20, npv)))
    dates_nan = ~approved | (rng.uniform(size=npv) < pc["dates_missing_approved"])
    dates_nan &= ~has_cc
    p["DAYS_FIRST_DRAWING"] = np.where(dates_nan, nanv, drawing)
    p["DAYS_FIRST_DUE"] = np.where(dates_nan, nanv, np.where(fd_sent, SENTINEL_DAYS, first_due))
    p["DAYS_LAST_DUE_1ST_VERSION"] = np.where(dates_nan, nanv, np.where(l1_sent, SENTINEL_DAYS, last1))
    p["DAYS_LAST_DUE"] = np.where(dates_nan, nanv, last_due)
    p["DAYS_TERMINATION"] = np.where(dates_nan, nanv, termination)
    ins_flag = p["NFLAG_INSURED_ON_APPROVAL"]
    p["NFLAG_INSURED_ON_APPROVAL"] = np.where(dates_nan, nanv, np.nan_to_num(ins_flag, nan=0.0))

    scheduled = approved & (cash | consumer) & (cnt > 0) & ~dates_nan & ~fd_sent
    pos, ins = _pos_and_instalments(rng, p, owner, r, scheduled)
    cc = _cards(rng, p, r, has_cc, cc_len)
    card_ins = _card_instalments(rng, cc, r)
    ins = {k: np.concatenate([ins[k], card_ins[k]]) for k in ins}
    ins = _split_payments(rng, ins, target_rows=cal["lengths"]["ins_rows_per_client_kaggle"] * n)
    n_prev = counts.astype(float)
    agg = {
        "refused_frac": np.bincount(owner, weights=refused, minlength=n) / np.maximum(n_prev, 1),
        "n_prev": n_prev,
        "n_approved": np.bincount(owner, weights=approved, minlength=n),
    }
    p["owner"] = owner
    return p, pos, ins, cc, agg


def _pos_and_instalments(
    rng: np.random.Generator, p: Arrays, owner: np.ndarray, r: np.ndarray, scheduled: np.ndarray
) -> tuple[Arrays, Arrays]:
    cal = load_calibration()
    npv = len(owner)
    cnt = np.where(scheduled, p["CNT_PAYMENT"], 0).astype(np.int64)
    decision = p["DAYS_DECISION"]
    cash = p["NAME_CONTRACT_TYPE"] == _level_codes("previous_application", "NAME_CONTRACT_TYPE")["Cash loans"]
    presence = np.where(
        cash, cal["prev_cond"]["pos_presence"]["Cash loans"], cal["prev_cond"]["pos_presence"]["Consumer loans"]
    )
    # POS: one row per month from the month after the decision until completion (CNT_PAYMENT + 1 rows), the month of
    # an early repayment (DAYS_LAST_DUE before the schedule's end) or month -1, within Kaggle's 96-month window.
    last_due = p["DAYS_LAST_DUE"]
    closed = np.isfinite(last_due) & (last_due < SENTINEL_DAYS)
    m0 = np.floor(decision / 30.0).astype(np.int64) + 1
    end = np.where(closed, np.minimum(m0 + cnt, np.floor(np.where(closed, last_due, 0) / _MONTH) + 1), m0 + cnt)
    end = np.maximum(end, m0).astype(np.int64)
    first = np.maximum(m0, -96)
    last = np.minimum(end, -1)
    full_rows = np.where(scheduled, np.maximum(last - first + 1, 0), 0)
    # Presence per type as calibrated, scaled down if needed so POS rows per application match Kaggle's.
    expected = float((presence * full_rows).sum())
    presence = presence * min(1.0, cal["lengths"]["pos_rows_per_prev_kaggle"] * npv / max(expected, 1.0))
    in_pos = scheduled & (rng.uniform(size=npv) < presence)
    nrows = np.where(in_pos, full_rows, 0)
    prev_i, k = _segments(nrows)
    month = first[prev_i] + k
    step = month - m0[prev_i]
    future = np.where(month >= end[prev_i], 0, np.maximum(cnt[prev_i] - step, 0))
    pst = _level_codes("POS_CASH_balance", "NAME_CONTRACT_STATUS")
    status = np.where(future == 0, pst["Completed"], pst["Active"]).astype(np.int16)
    status = np.where((step == 0) & (rng.uniform(size=len(step)) < 0.08), pst["Signed"], status).astype(np.int16)
    status = _other_statuses(rng, status, "POS_CASH_balance", ("Active", "Completed", "Signed"))
    pc = cal["pos_cond"]
    late_prev = rng.uniform(size=npv) < np.clip(4 * pc["dpd_share"] * np.exp(1.3 * r - 0.85), 0, 0.95)
    late_row = late_prev[prev_i] & (rng.uniform(size=len(step)) < 0.25) & (future > 0)
    dpd = np.where(late_row, _sample(pc["SK_DPD|pos"], rng.uniform(size=len(step))), 0.0)
    dpd_def = np.where(dpd > 30, dpd, 0.0)
    pos = {
        "prev_i": prev_i,
        "MONTHS_BALANCE": month.astype(float),
        "CNT_INSTALMENT": cnt[prev_i].astype(float),
        "CNT_INSTALMENT_FUTURE": future.astype(float),
        "NAME_CONTRACT_STATUS": status,
        "SK_DPD": dpd,
        "SK_DPD_DEF": dpd_def,
    }

    # Installments: instalments due before day 0, behaviour from the client's trait.
    first_due = np.where(scheduled, p["DAYS_FIRST_DUE"], 0.0)
    due_count = np.where(scheduled & (first_due < 0), np.ceil((-first_due - 0.5) / _MONTH), 0)
    # Instalments stop at an early repayment (the last one settles the rest).
    early_count = np.where(closed, np.floor((np.where(closed, last_due, 0) - first_due) / _MONTH) + 1, cnt)
    n_inst = np.maximum(np.minimum(np.minimum(due_count, cnt), early_count), 0).astype(np.int64)
    ic = cal["ins_cond"]
    prev_j, j = _segments(n_inst)
    ni = len(prev_j)
    days_inst = first_due[prev_j] + np.round(j * _MONTH)
    amt_inst = np.round(p["AMT_ANNUITY"][prev_j], 3)
    rj = r[prev_j]
    late = rng.uniform(size=ni) < np.clip(ic["late_share"] * np.exp(1.1 * rj - 0.6), 0, 0.9)
    delta = np.where(
        late,
        _sample(ic["days_late|late"], rng.uniform(size=ni)),
        -_sample(ic["days_early|early"], rng.uniform(size=ni)),
    )
    entry = days_inst + delta
    under = rng.uniform(size=ni) < np.clip(ic["underpaid_share"] * np.exp(1.0 * rj - 0.5), 0, 0.9)
    paid = np.where(under, amt_inst * np.clip(_ratio(ic["paid_fraction|under"], rng.uniform(size=ni)), 0, 1), amt_inst)
    version = _sample(ic["version"], rng.uniform(size=npv), with_missing=False)
    version = np.where(version == 0, 1.0, version)
    ins = {
        "prev_i": prev_j,
        "NUM_INSTALMENT_VERSION": version[prev_j],
        "NUM_INSTALMENT_NUMBER": (j + 1).astype(float),
        "DAYS_INSTALMENT": days_inst,
        "DAYS_ENTRY_PAYMENT": entry,
        "AMT_INSTALMENT": amt_inst,
        "AMT_PAYMENT": paid,
        "late": late,
        "under": under,
    }
    return pos, ins


def _split_payments(rng: np.random.Generator, ins: Arrays, *, target_rows: float) -> Arrays:
    """Some instalments are paid in two payments: the row is repeated with the amount and the date split.

    The share of split instalments is what closes the gap between scheduled instalments and Kaggle's rows per client
    (installments_payments is fragments in the sample, so its length cannot be calibrated directly); it is capped at
    40% and at least 3%.
    """
    ni = len(ins["prev_i"])
    share_split = float(np.clip((target_rows - ni) / max(ni, 1), 0.03, 0.4))
    reps = np.where(rng.uniform(size=ni) < share_split, 2, 1)
    src, part = _segments(reps)
    share = rng.uniform(0.2, 0.8, size=ni)
    paid = ins["AMT_PAYMENT"]
    amount = np.where(reps[src] == 2, np.where(part == 0, share[src], 1 - share[src]) * paid[src], paid[src])
    entry = ins["DAYS_ENTRY_PAYMENT"][src] + part * np.round(rng.uniform(0, 25, size=len(src)))
    future_pay = entry > -1
    out = {k: v[src] for k, v in ins.items()}
    out["DAYS_ENTRY_PAYMENT"] = np.where(future_pay, np.nan, entry)
    out["AMT_PAYMENT"] = np.where(future_pay, np.nan, np.round(amount, 3))
    out["late"] = out["late"] & (part == 0)
    out["under"] = out["under"] & (part == 0)
    return out


def _card_instalments(rng: np.random.Generator, cc: Arrays, r: np.ndarray) -> Arrays:
    """Card repayments as instalments (version 0, as in Kaggle): one per month with a payment, same behaviour model."""
    ic = load_calibration()["ins_cond"]
    paid = cc["AMT_PAYMENT_TOTAL_CURRENT"]
    keep = (paid > 0) | (cc["AMT_BALANCE"] > 0)
    prev_i = cc["prev_i"][keep]
    n = len(prev_i)
    number = np.cumsum(keep)[keep] - np.concatenate([[0], np.cumsum(keep)])[np.searchsorted(cc["prev_i"], prev_i)]
    days_inst = np.round(cc["MONTHS_BALANCE"][keep] * _MONTH + rng.uniform(0, 25, n))
    rj = r[prev_i]
    late = rng.uniform(size=n) < np.clip(ic["late_share"] * np.exp(1.1 * rj - 0.6), 0, 0.9)
    delta = np.where(
        late,
        _sample(ic["days_late|late"], rng.uniform(size=n)),
        -_sample(ic["days_early|early"], rng.uniform(size=n)),
    )
    amt_inst = np.maximum(np.nan_to_num(cc["AMT_INST_MIN_REGULARITY"][keep], nan=0.0), paid[keep])
    entry = np.minimum(days_inst + delta, -1)
    return {
        "prev_i": prev_i,
        "NUM_INSTALMENT_VERSION": np.zeros(n),
        "NUM_INSTALMENT_NUMBER": number.astype(float),
        "DAYS_INSTALMENT": np.minimum(days_inst, -1),
        "DAYS_ENTRY_PAYMENT": entry,
        "AMT_INSTALMENT": np.round(amt_inst, 3),
        "AMT_PAYMENT": paid[keep],
        "late": late,
        "under": np.zeros(n, dtype=bool),
    }


def _cards(rng: np.random.Generator, p: Arrays, r: np.ndarray, has_cc: np.ndarray, cc_len: np.ndarray) -> Arrays:
    cal = load_calibration()
    cc_c = cal["cc_cond"]
    npv = len(r)
    prev_i, k = _segments(np.where(has_cc, cc_len, 0))
    nr = len(prev_i)
    month = -cc_len[prev_i] + k
    limit_card = _sample(cc_c["limit"], rng.uniform(size=npv), with_missing=False)
    limit = limit_card[prev_i]
    step_up = (rng.uniform(size=npv) < 0.2)[prev_i] & (k > cc_len[prev_i] // 2)
    limit = np.where(step_up, np.round(limit * 1.5 / 4500) * 4500, limit)
    base_u = special.ndtr(0.8 * r + 0.6 * rng.standard_normal(npv))
    util_card = _ratio(cc_c["utilisation"], base_u)
    util = np.clip(util_card[prev_i] + 0.08 * rng.standard_normal(nr), 0, 1.2)
    util = np.where(util_card[prev_i] <= 0.001, 0.0, util)
    balance = np.round(util * limit, 3)
    draws = rng.uniform(size=nr) < cc_c["draw_share"] * np.clip(0.5 + util_card[prev_i], 0.2, 1.6)
    n_atm = np.where(draws, rng.poisson(1.2, nr), 0)
    n_pos = np.where(draws, rng.poisson(1.5, nr), 0)
    n_atm = np.where(draws & (n_atm + n_pos == 0), 1, n_atm)
    atm = np.round(n_atm * 9000.0 * rng.uniform(0.5, 2.0, nr), -2)
    pos_amt = np.round(n_pos * rng.lognormal(8.6, 1.0, nr), 3)
    total_draw = atm + pos_amt
    no_detail = ~draws & (rng.uniform(size=nr) < min(cc_c["drawings_missing"] / max(1 - cc_c["draw_share"], 1e-6), 1))
    min_reg = np.round(np.maximum(balance * 0.05, 0), 3)
    min_missing = rng.uniform(size=nr) < cc_c["min_regularity_missing"]
    pay_frac = np.clip(rng.uniform(0.0, 0.3, nr) * np.exp(-0.3 * r[prev_i]), 0, 1)
    paid = np.where(balance > 0, np.maximum(min_reg, balance * pay_frac), np.where(rng.uniform(size=nr) < 0.3, 0, 0))
    paid = np.round(paid, 3)
    pay_missing = (paid == 0) & (rng.uniform(size=nr) < 0.9) | (rng.uniform(size=nr) < 0.05)
    late_card = rng.uniform(size=npv) < np.clip(6 * cc_c["dpd_share"] * np.exp(1.3 * r - 0.85), 0, 0.95)
    late_row = late_card[prev_i] & (rng.uniform(size=nr) < 0.2)
    dpd = np.where(late_row, _sample(cc_c["SK_DPD|pos"], rng.uniform(size=nr)), 0.0)
    cst = _level_codes("credit_card_balance", "NAME_CONTRACT_STATUS")
    # Closed cards: their last months are Completed with nothing drawn, owed or paid.
    tail = np.where(rng.uniform(size=npv) < 0.15, np.minimum(rng.geometric(1 / 9, size=npv), cc_len - 1), 0)
    completed = k >= (cc_len - tail)[prev_i]
    status = np.where(completed, cst["Completed"], cst["Active"]).astype(np.int16)
    status = _other_statuses(rng, status, "credit_card_balance", ("Active", "Completed"))
    balance, paid, min_reg, util = (np.where(completed, 0.0, x) for x in (balance, paid, min_reg, util))
    atm, pos_amt, total_draw = (np.where(completed, 0.0, x) for x in (atm, pos_amt, total_draw))
    n_atm, n_pos = (np.where(completed, 0, x) for x in (n_atm, n_pos))
    nanv = np.full(nr, np.nan)
    return {
        "prev_i": prev_i,
        "MONTHS_BALANCE": month.astype(float),
        "AMT_BALANCE": balance,
        "AMT_CREDIT_LIMIT_ACTUAL": limit,
        "AMT_DRAWINGS_ATM_CURRENT": np.where(no_detail, nanv, atm),
        "AMT_DRAWINGS_CURRENT": total_draw,
        "AMT_DRAWINGS_OTHER_CURRENT": np.where(no_detail, nanv, 0.0),
        "AMT_DRAWINGS_POS_CURRENT": np.where(no_detail, nanv, pos_amt),
        "AMT_INST_MIN_REGULARITY": np.where(min_missing, nanv, min_reg),
        "AMT_PAYMENT_CURRENT": np.where(pay_missing, nanv, paid),
        "AMT_PAYMENT_TOTAL_CURRENT": paid,
        "AMT_RECEIVABLE_PRINCIPAL": np.round(balance * 0.95, 3),
        "AMT_RECIVABLE": balance,
        "AMT_TOTAL_RECEIVABLE": balance,
        "CNT_DRAWINGS_ATM_CURRENT": np.where(no_detail, nanv, n_atm.astype(float)),
        "CNT_DRAWINGS_CURRENT": (n_atm + n_pos).astype(float),
        "CNT_DRAWINGS_OTHER_CURRENT": np.where(no_detail, nanv, 0.0),
        "CNT_DRAWINGS_POS_CURRENT": np.where(no_detail, nanv, n_pos.astype(float)),
        "CNT_INSTALMENT_MATURE_CUM": np.where(min_missing, nanv, k.astype(float)),
        "NAME_CONTRACT_STATUS": status,
        "SK_DPD": dpd,
        "SK_DPD_DEF": np.where(dpd > 30, dpd, 0.0),
        "util": util,
    }


# ---------------------------------------------------------------------------------------------------------------- #
# Default mechanism
# ---------------------------------------------------------------------------------------------------------------- #


def _zscore(x: np.ndarray, spec: dict[str, Any]) -> np.ndarray:
    q = np.asarray(spec["q"], dtype=float)
    grid = np.asarray(load_calibration()["grid"])
    mid, spread = np.interp(0.5, grid, q), np.interp(0.84, grid, q) - np.interp(0.16, grid, q)
    return np.asarray(np.nan_to_num((x - mid) / (spread / 2), nan=0.0))


def _app_logit(app: Arrays) -> np.ndarray:
    """Application part of the default logit: directions as in the real data (EXT sources strongest)."""
    specs = load_calibration()["application"]
    ext = sum(
        w * _zscore(app[c], specs[c]) for c, w in (("EXT_SOURCE_1", 0.35), ("EXT_SOURCE_2", 0.5), ("EXT_SOURCE_3", 0.6))
    )
    age = -app["DAYS_BIRTH"] / 365.25
    emp = np.where(app["DAYS_EMPLOYED"] == SENTINEL_DAYS, 10.0, -app["DAYS_EMPLOYED"] / 365.25)
    term = app["AMT_CREDIT"] / np.maximum(np.nan_to_num(app["AMT_ANNUITY"], nan=1e9), 1)
    goods = np.nan_to_num(app["AMT_GOODS_PRICE"] / app["AMT_CREDIT"], nan=0.9)
    pay_rate = np.nan_to_num(app["AMT_ANNUITY"] / app["AMT_INCOME_TOTAL"], nan=0.15)
    edu = _level_codes("application_test", "NAME_EDUCATION_TYPE")
    e = app["NAME_EDUCATION_TYPE"]
    logit = (
        -ext
        - 0.02 * (age - 43)
        - 0.04 * np.minimum(emp, 15)
        + 0.25 * np.exp(-((term - 20) ** 2) / 60)
        - 0.9 * (goods - 0.9)
        + 0.6 * np.clip(pay_rate - 0.15, -0.2, 0.5)
        + 0.2 * (e == edu["Secondary / secondary special"])
        + 0.35 * (e == edu["Lower secondary"])
        - 0.25 * (e == edu["Higher education"])
        - 0.5 * (e == edu["Academic degree"])
        + 0.3 * (app["CODE_GENDER"] == _level_codes("application_test", "CODE_GENDER")["M"])
        + 0.2 * (app["REGION_RATING_CLIENT_W_CITY"] - 2)
        + 0.15 * (app["FLAG_OWN_CAR"] == 0)
    )
    return np.asarray(logit, dtype=float)


def _hist_logit(agg: dict[str, np.ndarray]) -> np.ndarray:
    """History part: observable per-client aggregates of the generated tables."""
    logit = (
        2.2 * agg["late_frac"]
        + 1.5 * agg["under_frac"]
        + 0.5 * np.minimum(agg["bureau_overdue"], 2)
        + 0.25 * np.minimum(agg["bb_late"], 4)
        + 1.2 * agg["refused_frac"]
        + 0.35 * np.minimum(agg["pos_dpd"], 3)
        + 0.4 * np.minimum(agg["cc_dpd"], 3)
        + 0.8 * agg["cc_util"]
    )
    return np.asarray(logit, dtype=float)


def _solve_intercept(logit: np.ndarray, rate: float) -> float:
    lo, hi = -15.0, 15.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if _sigmoid(logit + mid).mean() > rate:
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2


# ---------------------------------------------------------------------------------------------------------------- #
# One chunk
# ---------------------------------------------------------------------------------------------------------------- #


def _chunk(seed: int, index: int, first_id: int, is_test: np.ndarray) -> tuple[Chunk, dict[str, np.ndarray]]:
    """Generate all tables for clients ``first_id .. first_id + len(is_test) - 1`` (IDs of histories chunk-local)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1, index]))
    n = len(is_test)
    app, _ = _applications(rng, n)
    cal = load_calibration()
    ext = np.nanmean(
        np.stack([_zscore(app[c], cal["application"][c]) for c in ("EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3")]), 0
    )
    risk = -0.45 * ext + np.sqrt(1 - 0.45**2) * rng.standard_normal(n)
    b, bb, b_agg = _bureau(rng, risk)
    p, pos, ins, cc, p_agg = _previous(rng, risk)
    owner_p = p["owner"]
    n_ins = np.bincount(owner_p[ins["prev_i"]], minlength=n).astype(float)
    agg = {
        **b_agg,
        **p_agg,
        "late_frac": np.bincount(owner_p[ins["prev_i"]], weights=ins["late"], minlength=n) / np.maximum(n_ins, 1),
        "under_frac": np.bincount(owner_p[ins["prev_i"]], weights=ins["under"], minlength=n) / np.maximum(n_ins, 1),
        "pos_dpd": np.bincount(owner_p[pos["prev_i"]], weights=pos["SK_DPD"] > 0, minlength=n),
        "cc_dpd": np.bincount(owner_p[cc["prev_i"]], weights=cc["SK_DPD"] > 0, minlength=n),
    }
    n_cc = np.bincount(owner_p[cc["prev_i"]], minlength=n).astype(float)
    agg["cc_util"] = np.bincount(owner_p[cc["prev_i"]], weights=cc["util"], minlength=n) / np.maximum(n_cc, 1)
    app_part = _app_logit(app)
    logit = app_part + _hist_logit(agg)
    p_true = _sigmoid(logit + _solve_intercept(logit, float(cal["target_rate"])))
    target = (rng.uniform(size=n) < p_true).astype(float)

    ids = first_id + np.arange(n, dtype=np.int64)
    app["SK_ID_CURR"] = ids.astype(float)
    app["TARGET"] = target
    train = ~is_test
    tables: Chunk = {
        "application_train": {c: v[train] for c, v in app.items()},
        "application_test": {c: v[is_test] for c, v in app.items() if c != "TARGET"},
    }
    # History IDs: chunk-local numbers in random order (as in Kaggle, where they are not sorted by client).
    b_id = rng.permutation(len(b["owner"])).astype(np.int64)
    b["SK_ID_CURR"], b["SK_ID_BUREAU"] = ids[b["owner"]], b_id
    bb["SK_ID_BUREAU"] = b_id[bb["bureau_i"]]
    p_id = rng.permutation(len(owner_p)).astype(np.int64)
    p["SK_ID_CURR"], p["SK_ID_PREV"] = ids[owner_p], p_id
    for t in (pos, ins, cc):
        t["SK_ID_PREV"], t["SK_ID_CURR"] = p_id[t["prev_i"]], ids[owner_p[t["prev_i"]]]
    tables |= {
        "bureau": b,
        "bureau_balance": bb,
        "previous_application": p,
        "POS_CASH_balance": pos,
        "installments_payments": ins,
        "credit_card_balance": cc,
    }
    # Kaggle order inside history tables: by client then history (bureau_balance by credit, descending month).
    order_bb = np.lexsort((-bb["MONTHS_BALANCE"], bb["SK_ID_BUREAU"]))
    tables["bureau_balance"] = {c: v[order_bb] for c, v in bb.items()}
    scores = {
        "p_true": p_true[train],
        "p_app": app_part[train],
        "hist": _hist_logit(agg)[train],
        "target": target[train],
    }
    return tables, scores


# ---------------------------------------------------------------------------------------------------------------- #
# Writing
# ---------------------------------------------------------------------------------------------------------------- #


def _arrow_schema(table: str) -> pa.Schema:
    types = {"int64": pa.int64(), "float64": pa.float64(), "category": pa.dictionary(pa.int32(), pa.string())}
    return pa.schema([pa.field(c.name, types[c.dtype]) for c in TABLES[table].columns])


@functools.cache
def _dictionary(table: str, col: str) -> pa.Array:
    return pa.array(TABLES[table].column(col).levels, type=pa.string())


def _to_arrow(table: str, arrays: Arrays, offsets: dict[str, int]) -> pa.Table:
    cols = []
    for col in TABLES[table].columns:
        x = arrays[col.name]
        if col.dtype == "category":
            codes = x.astype(np.int32)
            cols.append(pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), _dictionary(table, col.name)))
        elif col.dtype == "int64":
            if np.isnan(x).any():
                raise DataError(f"synthetic {table}.{col.name}: an int64 column got missing values (generator bug)")
            v = np.round(x).astype(np.int64) + offsets.get(col.name, 0)
            cols.append(pa.array(v, type=pa.int64()))
        else:
            x = np.asarray(x, dtype=np.float64)
            if col.name.startswith("AMT_"):
                x = np.round(x, 3)  # Kaggle's amounts carry at most 3 decimals
            cols.append(pa.array(x, from_pandas=True))
    return pa.Table.from_arrays(cols, schema=_arrow_schema(table))


#: CSV: levels that need quotes (a comma) are written as a token, then replaced by the quoted level, so that only
#: those fields are quoted, as in Kaggle's files (pyarrow quotes either every string or none).
_STRUCTURAL = (",", '"', "\n", "\r")


@functools.cache
def _csv_tokens(table: str, col: str) -> tuple[pa.Array, tuple[tuple[bytes, bytes], ...]]:
    levels = TABLES[table].column(col).levels
    safe, swaps = [], []
    for i, lv in enumerate(levels):
        if any(ch in lv for ch in _STRUCTURAL):
            token = f"\x1f{col}.{i}\x1f"
            safe.append(token)
            swaps.append((token.encode(), ('"' + lv.replace('"', '""') + '"').encode()))
        else:
            safe.append(lv)
    return pa.array(safe, type=pa.string()), tuple(swaps)


def _csv_bytes(table: str, data: pa.Table) -> bytes:
    cols: list[Any] = []
    swaps: list[tuple[bytes, bytes]] = []
    for name, c in zip(data.column_names, data.columns, strict=True):
        if pa.types.is_dictionary(c.type):
            dictionary, col_swaps = _csv_tokens(table, name)
            chunks = [pa.DictionaryArray.from_arrays(ch.indices, dictionary).cast(pa.string()) for ch in c.chunks]
            cols.append(pa.chunked_array(chunks, type=pa.string()))
            swaps.extend(col_swaps)
        else:
            cols.append(c)
    buf = pa.BufferOutputStream()
    opts = pacsv.WriteOptions(include_header=False, quoting_style="none")
    pacsv.write_csv(pa.Table.from_arrays(cols, names=data.column_names), buf, write_options=opts)
    text: bytes = buf.getvalue().to_pybytes()
    for token, quoted in swaps:
        text = text.replace(token, quoted)
    return text


class _Sink:
    """One incremental writer per table (Parquet row groups, or Kaggle-like CSV: bare header, empty for missing)."""

    def __init__(self, out: Path, fmt: Literal["parquet", "csv"]) -> None:
        self.out, self.fmt = out, fmt
        self.writers: dict[str, Any] = {}

    def write(self, table: str, data: pa.Table) -> None:
        if table not in self.writers:
            if self.fmt == "parquet":
                self.writers[table] = pq.ParquetWriter(
                    self.out / TABLES[table].parquet_name, data.schema, compression="snappy"
                )
            else:
                f = (self.out / TABLES[table].file_name).open("wb")
                f.write((",".join(data.column_names) + "\n").encode())
                self.writers[table] = f
        if self.fmt == "csv":
            self.writers[table].write(_csv_bytes(table, data))
        else:
            self.writers[table].write_table(data)

    def close(self) -> None:
        for w in self.writers.values():
            w.close()


def _chunk_job(args: tuple[int, int, int, np.ndarray]) -> tuple[Chunk, dict[str, np.ndarray]]:
    return _chunk(*args)


def _jobs(seed: int, is_test: np.ndarray) -> Iterator[tuple[int, int, int, np.ndarray]]:
    for i, start in enumerate(range(0, len(is_test), CHUNK_CLIENTS)):
        yield seed, i, _FIRST_CURR + start, is_test[start : start + CHUNK_CLIENTS]


def generate(
    out: Path,
    *,
    n_clients: int,
    seed: int,
    fmt: Literal["parquet", "csv"] = "parquet",
    progress: ProgressHook = no_progress,
    workers: int | None = None,
) -> GeneratorInfo:
    """Write the eight synthetic tables for ``n_clients`` labelled clients into ``out`` and ``generator.json``.

    ``workers`` defaults to 2 processes when there is more than one chunk and more than one core; output bytes do not
    depend on it.
    """
    if n_clients < 1:
        raise DataError(f"n_clients must be at least 1, got {n_clients}")
    if fmt not in ("parquet", "csv"):
        raise DataError(f"format must be parquet or csv, got {fmt!r}")
    t0 = time.perf_counter()
    load_calibration()
    out.mkdir(parents=True, exist_ok=True)
    n_test = n_test_clients(n_clients)
    total = n_clients + n_test
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0]))
    is_test = np.zeros(total, dtype=bool)
    is_test[rng.choice(total, size=n_test, replace=False)] = True
    n_chunks = -(-total // CHUNK_CLIENTS)
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if n_chunks > 2 else 1
    rows = dict.fromkeys(TABLE_NAMES, 0)
    scores: dict[str, list[np.ndarray]] = {"p_true": [], "p_app": [], "hist": [], "target": []}
    sink = _Sink(out, fmt)
    offsets = {"bureau": _FIRST_BUREAU, "prev": _FIRST_PREV}
    progress("Generating clients", 0, n_chunks)
    pool = ProcessPoolExecutor(max_workers=workers) if workers > 1 else None
    try:
        results = pool.map(_chunk_job, _jobs(seed, is_test)) if pool else map(_chunk_job, _jobs(seed, is_test))
        for done, (tables, sc) in enumerate(results, start=1):
            off = {"SK_ID_BUREAU": offsets["bureau"], "SK_ID_PREV": offsets["prev"]}
            for name in TABLE_NAMES:
                data = _to_arrow(name, tables[name], off)
                rows[name] += data.num_rows
                sink.write(name, data)
            offsets["bureau"] += len(tables["bureau"]["SK_ID_BUREAU"])
            offsets["prev"] += len(tables["previous_application"]["SK_ID_PREV"])
            for k, v in sc.items():
                scores[k].append(v)
            progress("Generating clients", done, n_chunks)
    finally:
        sink.close()
        if pool:
            pool.shutdown()
    s = {k: np.concatenate(v) for k, v in scores.items()}
    info = GeneratorInfo(
        out=out,
        seed=seed,
        n_clients=n_clients,
        n_test=n_test,
        fmt=fmt,
        rows=rows,
        target_rate=round(float(s["target"].mean()), 5),
        ceiling_auc=round(auc(s["p_true"], s["target"]), 4),
        app_only_auc=round(auc(s["p_app"], s["target"]), 4),
        seconds=round(time.perf_counter() - t0, 2),
        extra={
            "history_only_auc": round(auc(s["hist"], s["target"]), 4),
            "mean_true_p": round(float(s["p_true"].mean()), 5),
        },
    )
    (out / "generator.json").write_text(json.dumps(info.to_json(), indent=2) + "\n")
    logger.info("generated %s clients into %s in %.1f s", n_clients, out, info.seconds)
    return info
