"""Write docs/synthetic_vs_real.md: real-sample vs synthetic statistics side by side (aggregates only).

    .uv/bin/uv run --frozen python scripts/compare_synthetic.py [--real ../shared/data/home-credit]
        [--synthetic DIR | --clients 30000 --seed 0] [--out docs/synthetic_vs_real.md]

Without --synthetic, a fresh synthetic set is generated into a temporary folder. Everything in the document is
computed here; nothing is typed by hand.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from credit_scoring.data.rules import RULES, evaluate
from credit_scoring.data.schema import KAGGLE_ROWS, TABLE_NAMES
from credit_scoring.data.synthetic import auc, generate

NUMERIC = {
    "application_train": [
        "AMT_INCOME_TOTAL",
        "AMT_CREDIT",
        "AMT_ANNUITY",
        "AMT_GOODS_PRICE",
        "DAYS_BIRTH",
        "DAYS_EMPLOYED",
        "DAYS_REGISTRATION",
        "OWN_CAR_AGE",
        "CNT_CHILDREN",
        "CNT_FAM_MEMBERS",
        "EXT_SOURCE_1",
        "EXT_SOURCE_2",
        "EXT_SOURCE_3",
        "APARTMENTS_AVG",
        "TOTALAREA_MODE",
        "OBS_30_CNT_SOCIAL_CIRCLE",
        "AMT_REQ_CREDIT_BUREAU_YEAR",
        "REGION_POPULATION_RELATIVE",
    ],
    "bureau": [
        "DAYS_CREDIT",
        "DAYS_CREDIT_ENDDATE",
        "DAYS_ENDDATE_FACT",
        "AMT_CREDIT_SUM",
        "AMT_CREDIT_SUM_DEBT",
        "CREDIT_DAY_OVERDUE",
        "DAYS_CREDIT_UPDATE",
        "AMT_ANNUITY",
    ],
    "previous_application": [
        "AMT_ANNUITY",
        "AMT_APPLICATION",
        "AMT_CREDIT",
        "AMT_GOODS_PRICE",
        "DAYS_DECISION",
        "CNT_PAYMENT",
        "DAYS_FIRST_DUE",
        "DAYS_LAST_DUE",
        "DAYS_TERMINATION",
    ],
    "POS_CASH_balance": ["MONTHS_BALANCE", "CNT_INSTALMENT", "CNT_INSTALMENT_FUTURE", "SK_DPD"],
    "installments_payments": [
        "NUM_INSTALMENT_VERSION",
        "NUM_INSTALMENT_NUMBER",
        "DAYS_INSTALMENT",
        "DAYS_ENTRY_PAYMENT",
        "AMT_INSTALMENT",
        "AMT_PAYMENT",
    ],
    "credit_card_balance": [
        "MONTHS_BALANCE",
        "AMT_BALANCE",
        "AMT_CREDIT_LIMIT_ACTUAL",
        "AMT_DRAWINGS_CURRENT",
        "AMT_PAYMENT_TOTAL_CURRENT",
        "CNT_DRAWINGS_CURRENT",
        "SK_DPD",
    ],
    "bureau_balance": ["MONTHS_BALANCE"],
}
CATEGORICAL = {
    "application_train": [
        "NAME_CONTRACT_TYPE",
        "CODE_GENDER",
        "NAME_INCOME_TYPE",
        "NAME_EDUCATION_TYPE",
        "NAME_FAMILY_STATUS",
        "OCCUPATION_TYPE",
        "ORGANIZATION_TYPE",
    ],
    "bureau": ["CREDIT_ACTIVE", "CREDIT_TYPE"],
    "bureau_balance": ["STATUS"],
    "previous_application": ["NAME_CONTRACT_TYPE", "NAME_CONTRACT_STATUS", "CODE_REJECT_REASON"],
    "POS_CASH_balance": ["NAME_CONTRACT_STATUS"],
    "credit_card_balance": ["NAME_CONTRACT_STATUS"],
}


def _fmt(x: float) -> str:
    if pd.isna(x):
        return "–"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def numeric_rows(table: str, real: pd.DataFrame, syn: pd.DataFrame) -> list[str]:
    out = []
    for c in NUMERIC[table]:
        cells = []
        for df in (real, syn):
            s = df[c]
            x = s.dropna().astype(float)
            x = x[x != 365243]
            q = np.quantile(x, [0.05, 0.5, 0.95]) if len(x) else [np.nan] * 3
            cells.append((s.isna().mean(), x.mean(), *q))
        row = [f"{table}.{c}"]
        for i in range(5):
            row.append(f"{_fmt(cells[0][i])} / {_fmt(cells[1][i])}")
        out.append("| " + " | ".join(row) + " |")
    return out


def categorical_rows(table: str, real: pd.DataFrame, syn: pd.DataFrame) -> list[str]:
    out = []
    for c in CATEGORICAL[table]:
        fr = real[c].astype("string").fillna("(missing)").value_counts(normalize=True)
        fs = syn[c].astype("string").fillna("(missing)").value_counts(normalize=True)
        for lv in fr.index[:5]:
            out.append(f"| {table}.{c} | {lv} | {fr[lv]:.3f} | {fs.get(lv, 0.0):.3f} |")
    return out


def per_client(tables: dict[str, pd.DataFrame], ids: pd.Series) -> dict[str, float]:
    """History rows per client (and bureau_balance rows per credit) for clients ``ids``."""
    idset = set(ids)
    b = tables["bureau"][tables["bureau"].SK_ID_CURR.isin(idset)]
    res = {
        t: float(tables[t].SK_ID_CURR.isin(idset).sum()) / len(ids)
        for t in ("bureau", "previous_application", "POS_CASH_balance", "credit_card_balance")
    }
    res["bureau_balance per credit"] = float(
        tables["bureau_balance"].SK_ID_BUREAU.isin(set(b.SK_ID_BUREAU)).sum()
    ) / max(len(b), 1)
    res["installments_payments"] = float(tables["installments_payments"].SK_ID_CURR.isin(idset).sum()) / len(ids)
    return res


def risk_by_group(df: pd.DataFrame) -> dict[str, pd.Series]:
    q = pd.qcut(df.EXT_SOURCE_3, 5, labels=[f"q{i}" for i in range(1, 6)])
    return {
        "EXT_SOURCE_3 quintile": df.TARGET.groupby(q, observed=True).mean(),
        "NAME_EDUCATION_TYPE": df.TARGET.groupby(df.NAME_EDUCATION_TYPE.astype(str)).mean(),
        "CODE_GENDER": df.TARGET.groupby(df.CODE_GENDER.astype(str)).mean(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--real", type=Path, default=Path("../shared/data/home-credit"))
    parser.add_argument("--synthetic", type=Path, default=None)
    parser.add_argument("--clients", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("docs/synthetic_vs_real.md"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        syn_dir = args.synthetic
        if syn_dir is None:
            syn_dir = Path(tmp)
            generate(syn_dir, n_clients=args.clients, seed=args.seed)
        syn = {t: pd.read_parquet(syn_dir / f"{t}.parquet") for t in TABLE_NAMES}
        meta = json.loads((syn_dir / "generator.json").read_text())
    real = {t: pd.read_csv(args.real / f"{t}.csv.gz") for t in TABLE_NAMES}
    tr, te = real["application_train"], real["application_test"]
    complete = pd.concat([tr.SK_ID_CURR[tr.SK_ID_CURR <= 105849], te.SK_ID_CURR[te.SK_ID_CURR <= 136160]])
    syn_ids = pd.concat([syn["application_train"].SK_ID_CURR, syn["application_test"].SK_ID_CURR])
    pr, ps = per_client(real, complete), per_client(syn, syn_ids)
    n_kaggle = KAGGLE_ROWS["application_train"] + KAGGLE_ROWS["application_test"]
    kag = {t: KAGGLE_ROWS[t] / n_kaggle for t in pr if t in KAGGLE_ROWS}
    kag["bureau_balance per credit"] = KAGGLE_ROWS["bureau_balance"] / KAGGLE_ROWS["bureau"]

    lines = [
        "# Synthetic vs real Home Credit data",
        "",
        f"Generated by `scripts/compare_synthetic.py` (do not edit by hand). Real: the shared sample "
        f"({len(tr):,} train rows). Synthetic: {meta['n_clients']:,} labelled clients, seed {meta['seed']}. "
        "Cells are `real / synthetic`. Numeric statistics leave out the 365243 sentinel.",
        "",
        "## Default mechanism",
        "",
        "| statistic | real | synthetic |",
        "|---|---|---|",
        f"| TARGET rate | {tr.TARGET.mean():.4f} (Kaggle 0.0807) | {syn['application_train'].TARGET.mean():.4f} |",
        f"| ceiling AUC (true p vs TARGET) | – | {meta['ceiling_auc']:.3f} |",
        f"| AUC of the application part alone | – | {meta['app_only_auc']:.3f} |",
        f"| AUC of the history part alone | – | {meta.get('history_only_auc', float('nan')):.3f} |",
        f"| AUC of -EXT_SOURCE_3 alone (non-missing) | {_ext_auc(tr):.3f} | {_ext_auc(syn['application_train']):.3f} |",
        "",
        "| TARGET rate by | group | real | synthetic |",
        "|---|---|---|---|",
    ]
    rr, rs = risk_by_group(tr), risk_by_group(syn["application_train"])
    for k, sr in rr.items():
        for g, v in sr.items():
            lines.append(f"| {k} | {g} | {v:.3f} | {rs[k].get(g, float('nan')):.3f} |")
    lines += [
        "",
        "## History rows per client",
        "",
        "Real: the complete-history group (train SK_ID_CURR <= 105849, test <= 136160); installments are fragments in "
        "the sample, so its real figure is not comparable. Kaggle: full data.",
        "",
        "| table | real (complete group) | synthetic | Kaggle |",
        "|---|---|---|---|",
    ]
    for t in pr:
        lines.append(f"| {t} | {pr[t]:.2f} | {ps[t]:.2f} | {kag.get(t, float('nan')):.2f} |")
    lines += [
        "",
        "## Numeric columns",
        "",
        "| column | missing | mean | p5 | median | p95 |",
        "|---|---|---|---|---|---|",
    ]
    for t in NUMERIC:
        lines += numeric_rows(t, real[t], syn[t])
    lines += ["", "## Top categories", "", "| column | level | real | synthetic |", "|---|---|---|---|"]
    for t in CATEGORICAL:
        lines += categorical_rows(t, real[t], syn[t])
    er, es = evaluate(real), evaluate(syn)
    lines += [
        "",
        "## Coherence rules (`credit_scoring.data.rules`)",
        "",
        "| rule | description | threshold | real | synthetic |",
        "|---|---|---|---|---|",
    ]
    for r in RULES:
        lines.append(f"| {r.name} | {r.description} | {r.threshold} | {er[r.name]:.4f} | {es[r.name]:.4f} |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")


def _ext_auc(df: pd.DataFrame) -> float:
    d = df.dropna(subset=["EXT_SOURCE_3"])
    return auc(-d.EXT_SOURCE_3.to_numpy(), d.TARGET.to_numpy())


if __name__ == "__main__":
    main()
