"""Compute the synthetic generator's calibration from the real Home Credit sample: aggregate statistics only.

Run from the repository root:

    .uv/bin/uv run --frozen python scripts/calibrate.py [SRC] [--out src/credit_scoring/data/calibration.json.gz]

SRC defaults to ../shared/data/home-credit.

What is stored (and nothing else): per column a missing rate and either the level/value frequencies (categoricals and
numeric columns with few distinct values) or quantiles on a probability grid that is fine near both tails (exact min
and max included); sentinel rates; a handful of ratio quantiles (goods/credit, credit/annuity, ...); correlation
matrices of normal scores (Gaussian copula) per table; distributions of history lengths taken from the
complete-history group only (train SK_ID_CURR <= 105849, test SK_ID_CURR <= 136160). No row, and nothing derived row
by row, is written.
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from credit_scoring.data.schema import KAGGLE_ROWS, SENTINEL_DAYS, TABLES

#: Probability grid for numeric quantiles: dense near both tails so that outliers survive, 1% steps in the body.
GRID: list[float] = sorted(
    {0.0, 1.0}
    | {round(p, 6) for p in (1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 3e-3, 5e-3, 7.5e-3)}
    | {round(1 - p, 6) for p in (1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 3e-3, 5e-3, 7.5e-3)}
    | {round(i / 100, 2) for i in range(1, 100)}
    | {0.015, 0.985, 0.025, 0.975}
)
#: Numeric columns with at most this many distinct values are stored as value frequencies.
MAX_DISCRETE = 60
#: Probability given to a schema level the sample lacks, so that every level can appear.
RARE_LEVEL_PROB = 1e-5
TRAIN_COMPLETE_MAX = 105_849
TEST_COMPLETE_MAX = 136_160


def _r(x: float, nd: int = 6) -> float:
    return float(f"{x:.{nd}g}")


def column_spec(s: pd.Series, *, levels: tuple[str, ...] = (), sentinel: bool = False) -> dict[str, Any]:
    """Marginal of one column: missing rate, then frequencies (discrete) or tail-dense quantiles (continuous)."""
    spec: dict[str, Any] = {"missing": _r(float(s.isna().mean()))}
    x = s.dropna()
    if levels:
        freq = x.astype(str).value_counts(normalize=True)
        probs = np.array([float(freq.get(lv, 0.0)) for lv in levels])
        probs = np.where(probs > 0, probs, RARE_LEVEL_PROB)
        spec.update(kind="discrete", values=list(levels), probs=[_r(p) for p in probs / probs.sum()])
        return spec
    if sentinel:
        is_s = x == SENTINEL_DAYS
        spec["sentinel"] = _r(float(is_s.mean())) if len(x) else 0.0
        x = x[~is_s]
    x = x.astype(float)
    spec["integer"] = bool(len(x) and np.all(np.equal(np.mod(x, 1), 0)))
    uniq = x.value_counts(normalize=True).sort_index()
    if len(uniq) <= MAX_DISCRETE:
        spec.update(kind="discrete", values=[_r(v, 12) for v in uniq.index], probs=[_r(p) for p in uniq.to_numpy()])
    else:
        q = np.quantile(x.to_numpy(), GRID) if len(x) else np.zeros(len(GRID))
        spec.update(kind="continuous", q=[_r(v, 9) for v in q])
    return spec


def ratio_quantiles(x: pd.Series) -> list[float]:
    x = x.replace([np.inf, -np.inf], np.nan).dropna().to_numpy(dtype=float)
    return [_r(v, 7) for v in np.quantile(x, GRID)]


def normal_scores(df: pd.DataFrame, order: dict[str, list[str]]) -> np.ndarray:
    """Normal scores per column with missing ranked lowest and ties at mid-rank (the copula's own convention)."""
    out = np.empty((len(df), df.shape[1]))
    for j, c in enumerate(df.columns):
        s = df[c]
        if c in order:
            code = s.astype(str).map({lv: i for i, lv in enumerate(order[c])}).astype(float)
            v = np.where(s.isna(), -1.0, code.fillna(-1.0).to_numpy())
        else:
            v = s.to_numpy(dtype=float, na_value=np.nan)
            v = np.where(np.isnan(v), -np.inf, v)
        ranks = stats.rankdata(v)
        out[:, j] = stats.norm.ppf((ranks - 0.5) / len(v))
    return out


def copula(df: pd.DataFrame, order: dict[str, list[str]]) -> dict[str, Any]:
    """Correlation of normal scores, repaired to positive definite; stored at 3 decimals."""
    z = normal_scores(df, order)
    c = np.corrcoef(z, rowvar=False)
    c = np.nan_to_num(c, nan=0.0)
    np.fill_diagonal(c, 1.0)
    w, v = np.linalg.eigh(c)
    c = (v * np.clip(w, 1e-3, None)) @ v.T
    d = np.sqrt(np.diag(c))
    c = c / np.outer(d, d)
    return {"columns": list(df.columns), "corr": [[round(float(x), 3) for x in row] for row in c]}


def level_order(df: pd.DataFrame, col: str, levels: tuple[str, ...], by: pd.Series) -> list[str]:
    """Levels sorted by the mean of ``by`` within the level, so the copula's latent axis is meaningful."""
    means = by.groupby(df[col].astype(str)).mean()
    return sorted(levels, key=lambda lv: float(means.get(lv, by.mean())))


def pmf(counts: pd.Series) -> dict[str, Any]:
    vc = counts.value_counts(normalize=True).sort_index()
    return {"values": [int(v) for v in vc.index], "probs": [_r(p) for p in vc.to_numpy()], "mean": _r(counts.mean())}


def table_specs(name: str, df: pd.DataFrame, sentinel_cols: tuple[str, ...] = ()) -> dict[str, Any]:
    out = {}
    for col in TABLES[name].columns:
        if col.name.startswith("SK_ID"):
            continue
        out[col.name] = column_spec(df[col.name], levels=col.levels, sentinel=col.name in sentinel_cols)
    return out


def calibrate(src: Path) -> dict[str, Any]:
    read = {t: pd.read_csv(src / f"{t}.csv.gz") for t in KAGGLE_ROWS}
    tr, te = read["application_train"], read["application_test"]
    app = pd.concat([tr.drop(columns="TARGET"), te], ignore_index=True)
    cal: dict[str, Any] = {
        "about": (
            "Aggregate statistics of the real Home Credit sample (no rows). Quantiles on the probability grid 'grid'; "
            "discrete columns as value frequencies; schema levels absent from the sample get probability "
            f"{RARE_LEVEL_PROB}. History lengths come from the complete-history group "
            f"(train SK_ID_CURR <= {TRAIN_COMPLETE_MAX}, test <= {TEST_COMPLETE_MAX})."
        ),
        "grid": GRID,
        "kaggle_rows": KAGGLE_ROWS,
        "target_rate": 0.0807,
        "sample_target_rate": _r(float(tr.TARGET.mean())),
    }
    # application: marginals on train + test (TARGET separately), conditionals the rules need.
    app_cols = {c.name: c for c in TABLES["application_test"].columns}
    specs = table_specs("application_test", app, ("DAYS_EMPLOYED",))
    employed = app[app.DAYS_EMPLOYED != SENTINEL_DAYS]
    specs["OCCUPATION_TYPE|employed"] = column_spec(employed.OCCUPATION_TYPE, levels=app_cols["OCCUPATION_TYPE"].levels)
    org_levels = tuple(lv for lv in app_cols["ORGANIZATION_TYPE"].levels if lv != "XNA")
    specs["ORGANIZATION_TYPE|employed"] = column_spec(employed.ORGANIZATION_TYPE, levels=org_levels)
    specs["OWN_CAR_AGE|car"] = column_spec(app.OWN_CAR_AGE[app.FLAG_OWN_CAR == "Y"])
    specs["DAYS_EMPLOYED|employed"] = column_spec(employed.DAYS_EMPLOYED)
    cal["application"] = specs
    cal["sentinel_by_income_type"] = {
        k: _r(float(v)) for k, v in (app.DAYS_EMPLOYED == SENTINEL_DAYS).groupby(app.NAME_INCOME_TYPE).mean().items()
    }
    ok = app.AMT_ANNUITY > 0
    work_span = -employed.DAYS_BIRTH - 18 * 365.25
    cal["employed_share_of_working_life"] = ratio_quantiles((-employed.DAYS_EMPLOYED / work_span).clip(0, 1))
    cal["app_ratios"] = {
        "credit_over_annuity": ratio_quantiles(app.AMT_CREDIT[ok] / app.AMT_ANNUITY[ok]),
        "goods_over_credit": ratio_quantiles(app.AMT_GOODS_PRICE / app.AMT_CREDIT),
        "employed_margin_years_min": _r(float(((-employed.DAYS_BIRTH + employed.DAYS_EMPLOYED) / 365.25).min()), 4),
    }
    # Copula over every application column (missing ranked lowest). Levels ordered by the TARGET rate of the level,
    # except the employment-related ones, ordered by age so that pensioners are old.
    cop_cols = [c for c in TABLES["application_test"].column_names if c != "SK_ID_CURR"]
    trn = tr.copy()
    order: dict[str, list[str]] = {}
    for c in cop_cols:
        col = app_cols[c]
        if col.levels:
            if c in ("NAME_INCOME_TYPE", "ORGANIZATION_TYPE", "OCCUPATION_TYPE"):
                order[c] = level_order(app, c, col.levels, -app.DAYS_BIRTH)
            else:
                order[c] = level_order(trn, c, col.levels, trn.TARGET.astype(float))
    cal["application_copula"] = copula(app[cop_cols], order) | {"order": order}
    # TARGET rates per level: used only to orient the planted default mechanism in the same direction as reality.
    cal["target_by_education"] = {k: _r(float(v)) for k, v in tr.TARGET.groupby(tr.NAME_EDUCATION_TYPE).mean().items()}

    # History tables: complete-history group only for lengths.
    comp_ids = set(tr.SK_ID_CURR[tr.SK_ID_CURR <= TRAIN_COMPLETE_MAX]) | set(
        te.SK_ID_CURR[te.SK_ID_CURR <= TEST_COMPLETE_MAX]
    )
    comp = pd.Series(sorted(comp_ids))
    b, bb, pa = read["bureau"], read["bureau_balance"], read["previous_application"]
    pos, cc, ins = read["POS_CASH_balance"], read["credit_card_balance"], read["installments_payments"]
    bc = b[b.SK_ID_CURR.isin(comp_ids)]
    pc = pa[pa.SK_ID_CURR.isin(comp_ids)]
    bbc = bb[bb.SK_ID_BUREAU.isin(bc.SK_ID_BUREAU)]
    ccc = cc[cc.SK_ID_CURR.isin(comp_ids)]
    n_comp = len(comp)
    lengths: dict[str, Any] = {
        "bureau_per_client": pmf(bc.groupby("SK_ID_CURR").size().reindex(comp, fill_value=0)),
        "prev_per_client": pmf(pc.groupby("SK_ID_CURR").size().reindex(comp, fill_value=0)),
        "cc_months_per_card": pmf(ccc.groupby("SK_ID_PREV").size()),
        "bb_presence": _r(float(bc.SK_ID_BUREAU.isin(bbc.SK_ID_BUREAU).mean())),
        "bb_rows_per_bureau": _r(len(bbc) / max(len(bc), 1)),
        "pos_rows_per_prev": _r(len(pos[pos.SK_ID_CURR.isin(comp_ids)]) / max(len(pc), 1)),
        "cc_rows_per_prev": _r(len(ccc) / max(len(pc), 1)),
        "n_complete_clients": n_comp,
    }
    # Counts per client: the complete group's means differ slightly from Kaggle's full data (prev 4.91 vs 4.69);
    # the generator multiplies counts by these scales (stochastic rounding) so that totals match Kaggle.
    for key, table in (("bureau_per_client", "bureau"), ("prev_per_client", "previous_application")):
        kaggle_mean = KAGGLE_ROWS[table] / (KAGGLE_ROWS["application_train"] + KAGGLE_ROWS["application_test"])
        lengths[f"{key}_scale"] = _r(kaggle_mean / lengths[key]["mean"])
    lengths["ins_rows_per_client_kaggle"] = _r(
        KAGGLE_ROWS["installments_payments"] / (KAGGLE_ROWS["application_train"] + KAGGLE_ROWS["application_test"])
    )
    lengths["pos_rows_per_prev_kaggle"] = _r(KAGGLE_ROWS["POS_CASH_balance"] / KAGGLE_ROWS["previous_application"])
    lengths["bb_rows_per_bureau_kaggle"] = _r(KAGGLE_ROWS["bureau_balance"] / KAGGLE_ROWS["bureau"])
    # bureau_balance rows per credit are 24.5 in the complete group but 15.9 in Kaggle's full data: the group's
    # credits are longer-lived. The generator keeps the month structure (opening month to month 0) and rescales the
    # share of credits that have a balance history so that rows per credit match Kaggle (documented here).
    kaggle_bb = KAGGLE_ROWS["bureau_balance"] / KAGGLE_ROWS["bureau"]
    lengths["bb_presence_scale"] = _r(kaggle_bb / lengths["bb_rows_per_bureau"])
    lengths["note"] = (
        "Rescaled to Kaggle's full-data totals: bureau and previous_application counts per client are multiplied by "
        "*_per_client_scale; bureau_balance keeps the month structure (opening month to month 0) and the generator "
        "sets the share of credits with a balance history so rows per credit equal bb_rows_per_bureau_kaggle (the "
        "complete group has 24.5 rows per credit, Kaggle 15.9); card months per previous application are matched to "
        "cc_rows_per_prev the same way."
    )
    cal["lengths"] = lengths
    cal["bureau_balance_status"] = column_spec(bbc.STATUS, levels=TABLES["bureau_balance"].columns[2].levels)

    # bureau
    cal["bureau"] = table_specs("bureau", b)
    closed = b[b.CREDIT_ACTIVE == "Closed"]
    cal["bureau_cond"] = {
        "enddate_fact_frac": ratio_quantiles(closed.DAYS_ENDDATE_FACT / closed.DAYS_CREDIT),
        "active_overdue_share": _r(float((b.CREDIT_DAY_OVERDUE[b.CREDIT_ACTIVE == "Active"] > 0).mean())),
        "CREDIT_DAY_OVERDUE|pos": column_spec(b.CREDIT_DAY_OVERDUE[b.CREDIT_DAY_OVERDUE > 0]),
        "AMT_CREDIT_SUM_DEBT|active": column_spec(
            (b.AMT_CREDIT_SUM_DEBT / b.AMT_CREDIT_SUM)[(b.CREDIT_ACTIVE == "Active") & (b.AMT_CREDIT_SUM > 0)].clip(
                -1, 2
            )
        ),
    }
    border = {c.name: list(c.levels) for c in TABLES["bureau"].categorical}
    bcols = [c for c in TABLES["bureau"].column_names if not c.startswith("SK_ID")]
    cal["bureau_copula"] = copula(b[bcols], border) | {"order": border}

    # previous_application
    cal["previous_application"] = table_specs("previous_application", pa, ())
    ap = pa[pa.NAME_CONTRACT_STATUS == "Approved"]
    ptypes = list(TABLES["previous_application"].column("NAME_CONTRACT_TYPE").levels)
    statuses = list(TABLES["previous_application"].column("NAME_CONTRACT_STATUS").levels)
    ct = pd.crosstab(pa.NAME_CONTRACT_TYPE, pa.NAME_CONTRACT_STATUS).reindex(
        index=ptypes, columns=statuses, fill_value=0
    )
    ct = ct + 0.5
    cal["prev_status_by_type"] = {t: [_r(x) for x in (ct.loc[t] / ct.loc[t].sum()).to_numpy()] for t in ptypes}
    cal["prev_cnt_payment"] = {
        t: column_spec(ap.CNT_PAYMENT[t == ap.NAME_CONTRACT_TYPE]) for t in ("Cash loans", "Consumer loans")
    }
    cal["prev_cnt_payment_missing_by_status"] = {
        k: _r(float(v)) for k, v in pa.CNT_PAYMENT.isna().groupby(pa.NAME_CONTRACT_STATUS).mean().items()
    }
    inst = ap[(ap.CNT_PAYMENT > 0) & (ap.AMT_CREDIT > 0)]
    rev = ap[(ap.NAME_CONTRACT_TYPE == "Revolving loans") & (ap.AMT_CREDIT > 0)]
    dcols = ["DAYS_FIRST_DRAWING", "DAYS_FIRST_DUE", "DAYS_LAST_DUE_1ST_VERSION", "DAYS_LAST_DUE", "DAYS_TERMINATION"]
    first_due = ap.DAYS_FIRST_DUE[ap.DAYS_FIRST_DUE < SENTINEL_DAYS]
    cal["prev_cond"] = {
        "total_over_credit": ratio_quantiles(inst.AMT_ANNUITY * inst.CNT_PAYMENT / inst.AMT_CREDIT),
        "revolving_annuity_over_credit": ratio_quantiles(rev.AMT_ANNUITY / rev.AMT_CREDIT),
        "first_due_minus_decision": ratio_quantiles(first_due - ap.DAYS_DECISION[first_due.index]),
        "sentinel_by_type": {
            t: {c: _r(float((ap[c][t == ap.NAME_CONTRACT_TYPE] == SENTINEL_DAYS).mean())) for c in dcols}
            for t in ("Cash loans", "Consumer loans", "Revolving loans")
        },
        "dates_missing_approved": _r(float(ap.DAYS_FIRST_DUE.isna().mean())),
        "reject_reason_refused": column_spec(
            pa.CODE_REJECT_REASON[pa.NAME_CONTRACT_STATUS == "Refused"],
            levels=TABLES["previous_application"].column("CODE_REJECT_REASON").levels,
        ),
        "pos_presence": {
            t: _r(float(ap.SK_ID_PREV[t == ap.NAME_CONTRACT_TYPE].isin(pos.SK_ID_PREV).mean()))
            for t in ("Cash loans", "Consumer loans")
        },
        "cc_presence": _r(float(ap.SK_ID_PREV[ap.NAME_CONTRACT_TYPE == "Revolving loans"].isin(cc.SK_ID_PREV).mean())),
    }
    # Amounts depend strongly on contract type and status (canceled cash loans have no credit): conditional marginals.
    # So do the product descriptors (a cash loan sits in the Cash portfolio with a Cash product combination).
    cond_cols = (
        "AMT_APPLICATION", "AMT_CREDIT", "AMT_GOODS_PRICE", "AMT_DOWN_PAYMENT", "RATE_DOWN_PAYMENT", "DAYS_DECISION",
        "NAME_CASH_LOAN_PURPOSE", "NAME_PAYMENT_TYPE", "NAME_CLIENT_TYPE", "NAME_GOODS_CATEGORY", "NAME_PORTFOLIO",
        "NAME_PRODUCT_TYPE", "CHANNEL_TYPE", "NAME_SELLER_INDUSTRY", "NAME_YIELD_GROUP", "PRODUCT_COMBINATION",
    )  # fmt: skip
    prev_schema = TABLES["previous_application"]
    by_group: dict[str, Any] = {}
    for (t, st), g in pa.groupby(["NAME_CONTRACT_TYPE", "NAME_CONTRACT_STATUS"]):
        if len(g) >= 30:
            by_group[f"{t}|{st}"] = {c: column_spec(g[c], levels=prev_schema.column(c).levels) for c in cond_cols}
    cal["prev_by_type_status"] = by_group
    pa_ok = pa[(pa.CNT_PAYMENT > 0) & (pa.AMT_CREDIT > 0) & pa.AMT_ANNUITY.notna()]
    cal["prev_cond"]["total_over_credit_by_term"] = {
        str(lo): ratio_quantiles(g.AMT_ANNUITY * g.CNT_PAYMENT / g.AMT_CREDIT)
        for lo, g in pa_ok.groupby(pd.cut(pa_ok.CNT_PAYMENT, [0, 9, 15, 30, 100], labels=[0, 9, 15, 30]).astype(int))
    }
    porder = {c.name: list(c.levels) for c in TABLES["previous_application"].categorical}
    pcols = [c for c in TABLES["previous_application"].column_names if not c.startswith("SK_ID")]
    cal["prev_copula"] = copula(pa[pcols], porder) | {"order": porder}

    # POS, credit card, installments: marginals (for DPD, amounts) and a few behaviour rates.
    cal["POS_CASH_balance"] = table_specs("POS_CASH_balance", pos)
    cal["pos_cond"] = {
        "dpd_share": _r(float((pos.SK_DPD > 0).mean())),
        "SK_DPD|pos": column_spec(pos.SK_DPD[pos.SK_DPD > 0]),
    }
    cal["credit_card_balance"] = table_specs("credit_card_balance", cc)
    lim = cc.AMT_CREDIT_LIMIT_ACTUAL.where(cc.AMT_CREDIT_LIMIT_ACTUAL > 0)
    cal["cc_cond"] = {
        "utilisation": ratio_quantiles((cc.AMT_BALANCE / lim).clip(-0.5, 3)),
        "limit": column_spec(cc.AMT_CREDIT_LIMIT_ACTUAL),
        "drawings_missing": _r(float(cc.AMT_DRAWINGS_ATM_CURRENT.isna().mean())),
        "payment_current_missing": _r(float(cc.AMT_PAYMENT_CURRENT.isna().mean())),
        "min_regularity_missing": _r(float(cc.AMT_INST_MIN_REGULARITY.isna().mean())),
        "dpd_share": _r(float((cc.SK_DPD > 0).mean())),
        "SK_DPD|pos": column_spec(cc.SK_DPD[cc.SK_DPD > 0]),
        "draw_share": _r(float((cc.AMT_DRAWINGS_CURRENT > 0).mean())),
        "atm_share_of_draws": _r(float(cc.AMT_DRAWINGS_ATM_CURRENT.sum() / max(cc.AMT_DRAWINGS_CURRENT.sum(), 1.0))),
        "active_share": _r(float((cc.NAME_CONTRACT_STATUS == "Active").mean())),
    }
    cal["installments_payments"] = table_specs("installments_payments", ins)
    late = ins.DAYS_ENTRY_PAYMENT - ins.DAYS_INSTALMENT
    cal["ins_cond"] = {
        "late_share": _r(float((late > 0).mean())),
        "days_late|late": column_spec(late[late > 0]),
        "days_early|early": column_spec(-late[late <= 0]),
        "underpaid_share": _r(float((ins.AMT_PAYMENT < ins.AMT_INSTALMENT - 0.01).mean())),
        "paid_fraction|under": ratio_quantiles(
            (ins.AMT_PAYMENT / ins.AMT_INSTALMENT)[ins.AMT_PAYMENT < ins.AMT_INSTALMENT - 0.01]
        ),
        "version": column_spec(ins.NUM_INSTALMENT_VERSION),
    }
    return cal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("src", nargs="?", default="../shared/data/home-credit", type=Path)
    parser.add_argument("--out", default=Path("src/credit_scoring/data/calibration.json.gz"), type=Path)
    args = parser.parse_args()
    cal = calibrate(args.src)
    text = json.dumps(cal, separators=(",", ":"), sort_keys=True)
    with gzip.GzipFile(args.out, "wb", mtime=0) as f:
        f.write(text.encode())
    print(f"wrote {args.out}: {len(text):,} bytes of JSON, {args.out.stat().st_size:,} gzipped")


if __name__ == "__main__":
    main()
