"""Feature definitions checked on a tiny hand-built portfolio against hand-computed values, plus the store contract:
sentinels, NULL for no history, TARGET never used, manifest in two languages, online == batch, Spark-dialect SQL."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sqlglot

from credit_scoring.data.schema import TABLES
from credit_scoring.features import build_features
from credit_scoring.features.online import OnlineFeatures
from credit_scoring.features.pipeline import all_queries, feature_names

# ---------------------------------------------------------------- factory


def make_table(name: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows of raw table ``name`` with every schema column; unspecified columns are NULL."""
    schema = TABLES[name]
    data: dict[str, Any] = {}
    for col in schema.columns:
        values = [r.get(col.name) for r in rows]
        if col.dtype == "category":
            data[col.name] = pd.array(values, dtype="string")
        elif col.dtype == "int64":
            data[col.name] = pd.array(values, dtype="Int64")
        else:
            data[col.name] = pd.array([np.nan if v is None else v for v in values], dtype="float64")
    return pd.DataFrame(data, columns=list(schema.column_names))


_DOCS = {f"FLAG_DOCUMENT_{i}": 0 for i in range(2, 22)}
APP_1 = {
    "SK_ID_CURR": 1, "NAME_CONTRACT_TYPE": "Cash loans", "CODE_GENDER": "F", "AMT_INCOME_TOTAL": 100000.0,
    "AMT_CREDIT": 200000.0, "AMT_ANNUITY": 10000.0, "AMT_GOODS_PRICE": 180000.0, "DAYS_BIRTH": -10000,
    "DAYS_EMPLOYED": -2000, "CNT_FAM_MEMBERS": 2.0, "CNT_CHILDREN": 0, "EXT_SOURCE_1": 0.2, "EXT_SOURCE_2": 0.4,
    "EXT_SOURCE_3": 0.6, **_DOCS, "FLAG_DOCUMENT_3": 1, "FLAG_DOCUMENT_5": 1,
}  # fmt: skip
APP_2 = {
    "SK_ID_CURR": 2, "NAME_CONTRACT_TYPE": "Revolving loans", "CODE_GENDER": "M", "AMT_INCOME_TOTAL": 50000.0,
    "AMT_CREDIT": 50000.0, "AMT_ANNUITY": 5000.0, "DAYS_BIRTH": -20000, "DAYS_EMPLOYED": 365243, "EXT_SOURCE_2": 0.5,
}  # fmt: skip
APP_3 = {"SK_ID_CURR": 3, "NAME_CONTRACT_TYPE": "Cash loans", "AMT_INCOME_TOTAL": 1.0, "DAYS_BIRTH": -9000,
         "DAYS_EMPLOYED": -10}  # fmt: skip


def tiny_tables(target_1: int = 0, target_2: int = 1) -> dict[str, pd.DataFrame]:
    """Clients 1 and 2 labelled (train), client 3 unlabelled (test) without any history."""
    return {
        "application_train": make_table(
            "application_train", [{**APP_1, "TARGET": target_1}, {**APP_2, "TARGET": target_2}]
        ),
        "application_test": make_table("application_test", [APP_3]),
        "bureau": make_table("bureau", [
            {"SK_ID_CURR": 1, "SK_ID_BUREAU": 11, "CREDIT_ACTIVE": "Active", "CREDIT_TYPE": "Consumer credit",
             "DAYS_CREDIT": -100, "AMT_CREDIT_SUM": 1000.0, "AMT_CREDIT_SUM_DEBT": 400.0,
             "AMT_CREDIT_SUM_OVERDUE": 100.0, "CREDIT_DAY_OVERDUE": 5},
            {"SK_ID_CURR": 1, "SK_ID_BUREAU": 12, "CREDIT_ACTIVE": "Closed", "CREDIT_TYPE": "Credit card",
             "DAYS_CREDIT": -1000, "AMT_CREDIT_SUM": 3000.0, "AMT_CREDIT_SUM_DEBT": 0.0,
             "AMT_CREDIT_SUM_OVERDUE": 0.0, "CREDIT_DAY_OVERDUE": 0},
            {"SK_ID_CURR": 2, "SK_ID_BUREAU": 21, "CREDIT_ACTIVE": "Active", "CREDIT_TYPE": "Consumer credit",
             "DAYS_CREDIT": -2000, "AMT_CREDIT_SUM": 500.0, "AMT_CREDIT_SUM_DEBT": 500.0},
        ]),
        "bureau_balance": make_table("bureau_balance", [
            {"SK_ID_BUREAU": 11, "MONTHS_BALANCE": 0, "STATUS": "0"},
            {"SK_ID_BUREAU": 11, "MONTHS_BALANCE": -1, "STATUS": "1"},
            {"SK_ID_BUREAU": 11, "MONTHS_BALANCE": -2, "STATUS": "X"},
            {"SK_ID_BUREAU": 11, "MONTHS_BALANCE": -13, "STATUS": "2"},
            {"SK_ID_BUREAU": 12, "MONTHS_BALANCE": -20, "STATUS": "C"},
            {"SK_ID_BUREAU": 12, "MONTHS_BALANCE": -21, "STATUS": "C"},
        ]),
        "previous_application": make_table("previous_application", [
            {"SK_ID_PREV": 101, "SK_ID_CURR": 1, "NAME_CONTRACT_STATUS": "Approved", "NAME_CONTRACT_TYPE": "Cash loans",
             "AMT_APPLICATION": 1000.0, "AMT_CREDIT": 800.0, "DAYS_DECISION": -100, "DAYS_FIRST_DRAWING": 365243.0,
             "DAYS_TERMINATION": -50.0},
            {"SK_ID_PREV": 102, "SK_ID_CURR": 1, "NAME_CONTRACT_STATUS": "Refused",
             "NAME_CONTRACT_TYPE": "Consumer loans", "AMT_APPLICATION": 2000.0, "AMT_CREDIT": 1000.0,
             "DAYS_DECISION": -500, "DAYS_FIRST_DRAWING": -400.0, "DAYS_TERMINATION": 365243.0},
        ]),
        "POS_CASH_balance": make_table("POS_CASH_balance", [
            {"SK_ID_PREV": 101, "SK_ID_CURR": 1, "MONTHS_BALANCE": -1, "SK_DPD": 5, "SK_DPD_DEF": 0,
             "NAME_CONTRACT_STATUS": "Active", "CNT_INSTALMENT_FUTURE": 3.0},
            {"SK_ID_PREV": 101, "SK_ID_CURR": 1, "MONTHS_BALANCE": -2, "SK_DPD": 0, "SK_DPD_DEF": 0,
             "NAME_CONTRACT_STATUS": "Active", "CNT_INSTALMENT_FUTURE": 4.0},
            {"SK_ID_PREV": 101, "SK_ID_CURR": 1, "MONTHS_BALANCE": -15, "SK_DPD": 10, "SK_DPD_DEF": 10,
             "NAME_CONTRACT_STATUS": "Completed", "CNT_INSTALMENT_FUTURE": 0.0},
        ]),
        "installments_payments": make_table("installments_payments", [
            {"SK_ID_PREV": 101, "SK_ID_CURR": 1, "DAYS_INSTALMENT": -100.0, "DAYS_ENTRY_PAYMENT": -90.0,
             "AMT_INSTALMENT": 100.0, "AMT_PAYMENT": 50.0, "NUM_INSTALMENT_NUMBER": 1},
            {"SK_ID_PREV": 101, "SK_ID_CURR": 1, "DAYS_INSTALMENT": -500.0, "DAYS_ENTRY_PAYMENT": -510.0,
             "AMT_INSTALMENT": 100.0, "AMT_PAYMENT": 100.0, "NUM_INSTALMENT_NUMBER": 2},
            {"SK_ID_PREV": 101, "SK_ID_CURR": 1, "DAYS_INSTALMENT": -50.0, "AMT_INSTALMENT": 100.0,
             "NUM_INSTALMENT_NUMBER": 3},
        ]),
        "credit_card_balance": make_table("credit_card_balance", [
            {"SK_ID_PREV": 201, "SK_ID_CURR": 2, "MONTHS_BALANCE": -1, "AMT_BALANCE": 500.0,
             "AMT_CREDIT_LIMIT_ACTUAL": 1000, "AMT_PAYMENT_CURRENT": 50.0, "AMT_PAYMENT_TOTAL_CURRENT": 50.0,
             "AMT_INST_MIN_REGULARITY": 100.0, "SK_DPD": 0, "NAME_CONTRACT_STATUS": "Active"},
            {"SK_ID_PREV": 201, "SK_ID_CURR": 2, "MONTHS_BALANCE": -20, "AMT_BALANCE": 1000.0,
             "AMT_CREDIT_LIMIT_ACTUAL": 1000, "AMT_PAYMENT_CURRENT": 200.0, "AMT_PAYMENT_TOTAL_CURRENT": 200.0,
             "AMT_INST_MIN_REGULARITY": 100.0, "SK_DPD": 3, "NAME_CONTRACT_STATUS": "Active"},
        ]),
    }  # fmt: skip


def write_tables(tables: dict[str, pd.DataFrame], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_parquet(folder / TABLES[name].parquet_name, index=False)
    return folder


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("features")
    steps: list[str] = []
    info = build_features(
        write_tables(tiny_tables(), root / "tables"), root / "store", progress=lambda s, d, t: steps.append(s)
    )
    assert info.n_clients == 3 and info.n_labelled == 2
    assert steps[0] == "bureau_balance" and steps[-1] == "done" and len(steps) == 9
    assert "loan term model" in steps
    return root / "store"


@pytest.fixture(scope="module")
def feats(store: Path) -> pd.DataFrame:
    return pd.read_parquet(store / "features.parquet").set_index("SK_ID_CURR")


def _v(feats: pd.DataFrame, client: int, col: str) -> float:
    return float(feats.loc[client, col])


# ---------------------------------------------------------------- hand-computed values, one block per table

EXPECTED: dict[tuple[int, str], float] = {
    # application: ratios, EXT_SOURCE combinations, counts, one-hot, sentinel
    (1, "APP_CREDIT_INCOME_RATIO"): 2.0,
    (1, "APP_ANNUITY_INCOME_RATIO"): 0.1,
    (1, "APP_ANNUITY_CREDIT_RATIO"): 0.05,
    (1, "APP_GOODS_CREDIT_RATIO"): 0.9,
    (1, "APP_EMPLOYED_AGE_RATIO"): 0.2,
    (1, "APP_INCOME_PER_PERSON"): 50000.0,
    (1, "APP_EXT_SOURCE_MEAN"): 0.4,
    (1, "APP_EXT_SOURCE_STD"): math.sqrt(0.08 / 3),
    (1, "APP_EXT_SOURCE_PROD"): 0.048,
    (1, "APP_EXT_SOURCE_MIN"): 0.2,
    (1, "APP_EXT_SOURCE_MAX"): 0.6,
    (1, "APP_EXT_SOURCE_WEIGHTED"): (0.4 + 0.4 + 1.8) / 6,
    (2, "APP_EXT_SOURCE_MEAN"): 0.5,
    (2, "APP_EXT_SOURCE_STD"): 0.0,
    (2, "APP_EXT_SOURCE_COUNT"): 1.0,
    (1, "APP_DOCUMENT_COUNT"): 2.0,
    (1, "NAME_CONTRACT_TYPE_CASH_LOANS"): 1.0,
    (1, "NAME_CONTRACT_TYPE_REVOLVING_LOANS"): 0.0,
    (2, "NAME_CONTRACT_TYPE_REVOLVING_LOANS"): 1.0,
    (3, "CODE_GENDER_XNA"): 0.0,
    (1, "DAYS_EMPLOYED"): -2000.0,
    (2, "APP_DAYS_EMPLOYED_SENTINEL"): 1.0,
    (1, "APP_DAYS_EMPLOYED_SENTINEL"): 0.0,
    # bureau: counts, mean, max, ratios, shares, window
    (1, "BURO_HAS_HISTORY"): 1.0,
    (1, "BURO_COUNT"): 2.0,
    (1, "BURO_ACTIVE_COUNT"): 1.0,
    (1, "BURO_CLOSED_COUNT"): 1.0,
    (1, "BURO_OVERDUE_COUNT"): 1.0,
    (1, "BURO_AMT_CREDIT_SUM_MEAN"): 2000.0,
    (1, "BURO_AMT_CREDIT_SUM_MAX"): 3000.0,
    (1, "BURO_ACTIVE_AMT_CREDIT_SUM_DEBT_SUM"): 400.0,
    (1, "BURO_DEBT_CREDIT_RATIO"): 0.1,
    (1, "BURO_ACTIVE_OVERDUE_DEBT_RATIO"): 0.25,
    (1, "BURO_DEBT_CREDIT_RATIO_MEAN"): 0.2,
    (1, "BURO_CREDIT_TYPE_CONSUMER_CREDIT_SHARE"): 0.5,
    (1, "BURO_CREDIT_ACTIVE_ACTIVE_SHARE"): 0.5,
    (1, "BURO_RECENT_12M_COUNT"): 1.0,
    (1, "BURO_RECENT_12M_SHARE"): 0.5,
    (2, "BURO_DEBT_CREDIT_RATIO"): 1.0,
    # bureau_balance, per credit then per client: status counts and shares, worst status, window
    (1, "BURO_BB_MONTHS_SUM"): 6.0,
    (1, "BURO_BB_STATUS_C_COUNT"): 2.0,
    (1, "BURO_BB_STATUS_C_SHARE"): 2 / 6,
    (1, "BURO_BB_STATUS_1_COUNT"): 1.0,
    (1, "BURO_BB_WORST_STATUS_MAX"): 2.0,
    (1, "BURO_BB_LATE_12M_SUM"): 1.0,
    (1, "BURO_BB_LATE_SHARE_MEAN"): 0.25,
    (1, "BURO_BB_CREDITS_COUNT"): 2.0,
    (2, "BURO_BB_CREDITS_COUNT"): 0.0,
    # previous_application: approved/refused, ratio, sentinel, window, shares
    (1, "PREV_COUNT"): 2.0,
    (1, "PREV_APPROVED_COUNT"): 1.0,
    (1, "PREV_REFUSED_COUNT"): 1.0,
    (1, "PREV_APP_CREDIT_PERC_MEAN"): 1.625,
    (1, "APPROVED_APP_CREDIT_PERC_MAX"): 1.25,
    (1, "REFUSED_AMT_APPLICATION_MEAN"): 2000.0,
    (1, "PREV_DAYS_FIRST_DRAWING_MEAN"): -400.0,
    (1, "PREV_DAYS_TERMINATION_MAX"): -50.0,
    (1, "PREV_RECENT_12M_COUNT"): 1.0,
    (1, "PREV_RECENT_12M_REFUSED_SHARE"): 0.0,
    (1, "PREV_NAME_CONTRACT_STATUS_APPROVED_SHARE"): 0.5,
    (1, "PREV_NAME_CONTRACT_TYPE_CONSUMER_LOANS_SHARE"): 0.5,
    # POS_CASH_balance: count, max, mean, share, window, completed share
    (1, "POS_COUNT"): 3.0,
    (1, "POS_SK_DPD_MAX"): 10.0,
    (1, "POS_SK_DPD_MEAN"): 5.0,
    (1, "POS_IS_LATE_MEAN"): 2 / 3,
    (1, "POS_RECENT_12M_SK_DPD_MAX"): 5.0,
    (1, "POS_RECENT_12M_COUNT"): 2.0,
    (1, "POS_COMPLETED_LOANS_SHARE"): 1.0,
    (1, "POS_NAME_CONTRACT_STATUS_ACTIVE_SHARE"): 2 / 3,
    (1, "POS_CNT_INSTALMENT_FUTURE_MIN"): 0.0,
    # installments_payments: DPD/DBD, paid/due, share late, window
    (1, "INSTAL_COUNT"): 3.0,
    (1, "INSTAL_DPD_MAX"): 10.0,
    (1, "INSTAL_DPD_MEAN"): 5.0,
    (1, "INSTAL_DBD_SUM"): 10.0,
    (1, "INSTAL_PAYMENT_PERC_MEAN"): 0.75,
    (1, "INSTAL_PAYMENT_DIFF_SUM"): 50.0,
    (1, "INSTAL_IS_LATE_MEAN"): 0.5,
    (1, "INSTAL_LATE_COUNT"): 1.0,
    (1, "INSTAL_PAID_DUE_RATIO"): 0.5,
    (1, "INSTAL_RECENT_12M_COUNT"): 2.0,
    (1, "INSTAL_RECENT_12M_DPD_MAX"): 10.0,
    # credit_card_balance: utilisation, payment vs minimum, DPD, window
    (2, "CC_COUNT"): 2.0,
    (2, "CC_UTILISATION_MEAN"): 0.75,
    (2, "CC_UTILISATION_MAX"): 1.0,
    (2, "CC_BELOW_MIN_MEAN"): 0.5,
    (2, "CC_PAYMENT_MIN_RATIO_MIN"): 0.5,
    (2, "CC_SK_DPD_MAX"): 3.0,
    (2, "CC_RECENT_12M_UTILISATION_MEAN"): 0.5,
    (2, "CC_RECENT_12M_COUNT"): 1.0,
    (2, "CC_NAME_CONTRACT_STATUS_ACTIVE_SHARE"): 1.0,
}


@pytest.mark.parametrize(("client", "column"), list(EXPECTED))
def test_hand_computed_value(feats: pd.DataFrame, client: int, column: str) -> None:
    assert _v(feats, client, column) == pytest.approx(EXPECTED[(client, column)], rel=1e-9, abs=1e-12)


NULL_EXPECTED = [
    (2, "DAYS_EMPLOYED"),  # 365243 sentinel
    (2, "APP_EMPLOYED_AGE_RATIO"),
    (2, "APP_EXT_SOURCE_PROD"),  # one score missing
    (2, "APP_DOCUMENT_COUNT"),  # flags unknown
    (2, "PREV_DAYS_TERMINATION_MEAN"),  # no previous application
    (2, "BURO_BB_MONTHS_SUM"),  # bureau credit without monthly balances
    (2, "BURO_BB_STATUS_0_SHARE"),
    (1, "CC_UTILISATION_MEAN"),  # no credit card
    (2, "INSTAL_PAYMENT_PERC_MEAN"),
]


@pytest.mark.parametrize(("client", "column"), NULL_EXPECTED)
def test_missing_where_unknown(feats: pd.DataFrame, client: int, column: str) -> None:
    assert pd.isna(feats.loc[client, column])


def test_prev_sentinel_dropped_before_mean(feats: pd.DataFrame) -> None:
    # DAYS_TERMINATION: -50 and 365243 -> mean over the one real value.
    assert _v(feats, 1, "PREV_DAYS_TERMINATION_MEAN") == -50.0


def test_client_without_history_gets_null_and_zero_counts(feats: pd.DataFrame, store: Path) -> None:
    flags = ["BURO_HAS_HISTORY", "PREV_HAS_HISTORY", "POS_HAS_HISTORY", "INSTAL_HAS_HISTORY", "CC_HAS_HISTORY"]
    assert (feats.loc[3, flags] == 0).all()
    assert (feats.loc[1, flags[:4]] == 1).all() and feats.loc[1, "CC_HAS_HISTORY"] == 0
    manifest = json.loads((store / "manifest.json").read_text("utf-8"))["features"]
    history = [f for f in manifest if f["table"] != "application" and f["name"] not in flags]
    counts = [f["name"] for f in history if f["count"]]
    others = [f["name"] for f in history if not f["count"]]
    assert len(counts) > 10 and len(others) > 400
    assert (feats.loc[3, counts] == 0).all()
    assert feats.loc[3, others].isna().all()


def test_labels_carried_beside_features(feats: pd.DataFrame, store: Path) -> None:
    assert feats.loc[1, "TARGET"] == 0 and feats.loc[2, "TARGET"] == 1 and pd.isna(feats.loc[3, "TARGET"])
    assert feats["LABELLED"].tolist() == [True, True, False]
    manifest = json.loads((store / "manifest.json").read_text("utf-8"))
    names = [f["name"] for f in manifest["features"]]
    assert "TARGET" not in names and "LABELLED" not in names and "SK_ID_CURR" not in names
    assert manifest["label"] == "TARGET" and manifest["key"] == "SK_ID_CURR"


def test_no_feature_derived_from_target(tmp_path: Path, feats: pd.DataFrame) -> None:
    build_features(write_tables(tiny_tables(target_1=1, target_2=0), tmp_path / "t"), tmp_path / "s")
    flipped = pd.read_parquet(tmp_path / "s" / "features.parquet").set_index("SK_ID_CURR")
    assert flipped["TARGET"].tolist()[:2] == [1, 0]
    pd.testing.assert_frame_equal(flipped[list(feature_names())], feats[list(feature_names())])


def test_feature_columns_and_manifest(feats: pd.DataFrame, store: Path) -> None:
    names = feature_names()
    assert len(names) == len(set(names)) >= 700
    assert list(feats.columns) == ["TARGET", "LABELLED", *names]
    assert all(feats[c].dtype == np.float64 for c in names)
    manifest = json.loads((store / "manifest.json").read_text("utf-8"))
    assert [f["name"] for f in manifest["features"]] == list(names)
    for f in manifest["features"]:
        assert f["table"] in {*TABLES, "application"} and f["aggregation"] and f["sources"], f["name"]
        assert f["description_en"].strip() and f["description_fr"].strip(), f["name"]
        assert f["description_en"] != f["description_fr"], f["name"]
    by_name = {f["name"]: f for f in manifest["features"]}
    assert by_name["INSTAL_IS_LATE_MEAN"]["description_fr"].startswith("Moyenne de la part des échéances payées")


def test_online_application_features_equal_batch(feats: pd.DataFrame, store: Path) -> None:
    online = OnlineFeatures(store)
    for client, app in ((1, APP_1), (2, APP_2), (3, APP_3)):
        got = online.application_features(app)
        want = feats.loc[client, list(got)].to_numpy(dtype=float)
        np.testing.assert_allclose(np.array(list(got.values())), want, rtol=1e-12, equal_nan=True)


def test_online_for_client_equal_batch_and_what_if(feats: pd.DataFrame, store: Path) -> None:
    online = OnlineFeatures(store)
    for client in (1, 2, 3):
        got = online.for_client(client)
        assert list(got) == list(feature_names())
        want = feats.loc[client, list(feature_names())].to_numpy(dtype=float)
        np.testing.assert_allclose(np.array(list(got.values())), want, rtol=1e-12, equal_nan=True)
    edited = online.for_client(1, {"AMT_CREDIT": 300000.0})
    assert edited["APP_CREDIT_INCOME_RATIO"] == 3.0
    assert edited["BURO_COUNT"] == 2.0


def test_online_new_client_equal_batch(feats: pd.DataFrame, store: Path) -> None:
    tables = tiny_tables()
    online = OnlineFeatures(store)
    apps = pd.concat([tables["application_train"].drop(columns="TARGET"), tables["application_test"]])
    bureau_of = tables["bureau"].set_index("SK_ID_BUREAU")["SK_ID_CURR"]
    for client in (1, 2, 3):
        rows: dict[str, pd.DataFrame | None] = {
            name: frame[frame["SK_ID_CURR"] == client]
            for name, frame in tables.items()
            if "SK_ID_CURR" in frame.columns and not name.startswith("application")
        }
        bb = tables["bureau_balance"]
        rows["bureau_balance"] = bb[bb["SK_ID_BUREAU"].map(bureau_of) == client]
        rows["application"] = apps[apps["SK_ID_CURR"] == client]
        got = online.new_client(rows)
        want = feats.loc[client, list(feature_names())].to_numpy(dtype=float)
        np.testing.assert_allclose(np.array(list(got.values())), want, rtol=1e-9, atol=1e-12, equal_nan=True)


@pytest.mark.parametrize("name", list(all_queries()))
def test_sql_transpiles_to_spark(name: str) -> None:
    sql = all_queries()[name]
    out = sqlglot.transpile(sql, read="duckdb", write="spark", error_level=sqlglot.ErrorLevel.RAISE)
    assert len(out) == 1 and "`" in out[0]


@pytest.mark.real_data
@pytest.mark.slow
def test_real_sample_end_to_end(real_sample_dir: Path, tmp_path: Path) -> None:
    tables = {}
    for name, schema in TABLES.items():
        frame = pd.read_csv(real_sample_dir / f"{name}.csv.gz", dtype={c.name: "string" for c in schema.categorical})
        tables[name] = frame[list(schema.column_names)]
    info = build_features(write_tables(tables, tmp_path / "tables"), tmp_path / "store")
    n_clients = len(tables["application_train"]) + len(tables["application_test"])
    assert info.n_clients == n_clients and info.n_labelled == len(tables["application_train"])
    assert info.n_features >= 600
    feats = pd.read_parquet(tmp_path / "store" / "features.parquet", columns=["SK_ID_CURR", "BURO_COUNT"])
    assert len(feats) == n_clients and feats["SK_ID_CURR"].is_unique
    online = OnlineFeatures(tmp_path / "store")
    assert online.for_client(100002)["BURO_COUNT"] == feats.set_index("SK_ID_CURR").loc[100002, "BURO_COUNT"]
