"""The synthetic generator: exact schema, integrity, determinism, calibration, coherence rules, planted default."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from credit_scoring.data import synthetic
from credit_scoring.data.rules import RULES, evaluate
from credit_scoring.data.schema import SENTINEL_DAYS, TABLE_NAMES, TABLES
from credit_scoring.data.synthetic import auc, generate, load_calibration, n_test_clients
from credit_scoring.errors import DataError

N = 2_000
SEED = 7
#: Kaggle's full-data rows per client (train + test) of each history table.
KAGGLE_PER_CLIENT = {
    "bureau": 1_716_428 / 356_255,
    "bureau_balance": 27_299_925 / 356_255,
    "previous_application": 1_670_214 / 356_255,
    "POS_CASH_balance": 10_001_358 / 356_255,
    "installments_payments": 13_605_401 / 356_255,
    "credit_card_balance": 3_840_312 / 356_255,
}


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    generate(out, n_clients=N, seed=SEED)
    return out


@pytest.fixture(scope="module")
def synth(synth_dir: Path) -> dict[str, pd.DataFrame]:
    return {t: pd.read_parquet(synth_dir / f"{t}.parquet") for t in TABLE_NAMES}


def _digest(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != "generator.json"}


# --------------------------------------------------------------------------------------------------------------- #
# Schema, keys, sizes
# --------------------------------------------------------------------------------------------------------------- #


@pytest.mark.parametrize("table", TABLE_NAMES)
def test_exact_schema(synth_dir: Path, table: str) -> None:
    schema = pq.read_schema(synth_dir / TABLES[table].parquet_name)
    assert tuple(schema.names) == TABLES[table].column_names
    for col in TABLES[table].columns:
        typ = schema.field(col.name).type
        if col.dtype == "int64":
            assert typ == pa.int64(), col.name
        elif col.dtype == "float64":
            assert typ == pa.float64(), col.name
        else:
            value_type = typ.value_type if pa.types.is_dictionary(typ) else typ
            assert pa.types.is_string(value_type) or pa.types.is_large_string(value_type), col.name


@pytest.mark.parametrize("table", TABLE_NAMES)
def test_levels_within_schema(synth: dict[str, pd.DataFrame], table: str) -> None:
    for col in TABLES[table].categorical:
        seen = set(synth[table][col.name].dropna().astype(str).unique())
        assert seen <= set(col.levels), (table, col.name, seen - set(col.levels))


def test_every_schema_level_can_appear() -> None:
    """Levels absent from the real sample (XNA gender, Bad debt, ...) keep a tiny probability."""
    cal = load_calibration()
    sources = {
        "application_test": cal["application"],
        "bureau": cal["bureau"],
        "previous_application": cal["previous_application"],
        "POS_CASH_balance": cal["POS_CASH_balance"],
        "credit_card_balance": cal["credit_card_balance"],
    }
    for table, specs in sources.items():
        for col in TABLES[table].categorical:
            spec = specs[col.name]
            assert spec["values"] == list(col.levels)
            assert min(spec["probs"]) > 0, (table, col.name)
    assert "XNA" in TABLES["application_train"].column("CODE_GENDER").levels


@pytest.mark.parametrize(
    ("table", "modelled"),
    [("POS_CASH_balance", ("Active", "Completed", "Signed")), ("credit_card_balance", ("Active", "Completed"))],
)
def test_every_monthly_status_can_appear(table: str, modelled: tuple[str, ...]) -> None:
    """Statuses outside the monthly model (Demand, XNA, Refused, ...) still appear, at their tiny calibrated rate."""
    active = TABLES[table].column("NAME_CONTRACT_STATUS").levels.index("Active")
    got = synthetic._other_statuses(np.random.default_rng(0), np.full(3_000_000, active, np.int16), table, modelled)
    levels = set(np.unique(got).tolist())
    expected = {i for i, lv in enumerate(TABLES[table].column("NAME_CONTRACT_STATUS").levels) if lv not in modelled}
    assert expected <= levels
    assert (got == active).mean() > 0.95


@pytest.mark.parametrize("table", TABLE_NAMES)
def test_keys_unique(synth: dict[str, pd.DataFrame], table: str) -> None:
    key = list(TABLES[table].key)
    if key:
        assert not synth[table].duplicated(key).any()


@pytest.mark.parametrize("table", TABLE_NAMES)
def test_foreign_keys(synth: dict[str, pd.DataFrame], table: str) -> None:
    df = synth[table]
    for fk in TABLES[table].foreign_keys:
        ref = pd.concat([synth[t][list(fk.ref_columns)] for t in fk.ref_tables])
        ref_keys = set(map(tuple, ref.to_numpy()))
        keys = set(map(tuple, df[list(fk.columns)].drop_duplicates().to_numpy()))
        assert keys <= ref_keys, (table, fk.columns)


def test_children_belong_to_their_application(synth: dict[str, pd.DataFrame]) -> None:
    owner = synth["previous_application"].set_index("SK_ID_PREV").SK_ID_CURR
    for t in ("POS_CASH_balance", "installments_payments", "credit_card_balance"):
        assert (synth[t].SK_ID_PREV.map(owner) == synth[t].SK_ID_CURR).all(), t
    b_owner = synth["bureau"].set_index("SK_ID_BUREAU").SK_ID_CURR
    assert synth["bureau_balance"].SK_ID_BUREAU.map(b_owner).notna().all()


def test_id_ranges(synth: dict[str, pd.DataFrame]) -> None:
    ids = pd.concat([synth["application_train"].SK_ID_CURR, synth["application_test"].SK_ID_CURR])
    assert ids.min() == 100_001 and ids.is_unique
    assert set(synth["application_train"].SK_ID_CURR).isdisjoint(synth["application_test"].SK_ID_CURR)
    assert synth["bureau"].SK_ID_BUREAU.min() >= 5_000_000
    assert synth["previous_application"].SK_ID_PREV.min() >= 1_000_001


def test_sizes(synth: dict[str, pd.DataFrame]) -> None:
    assert len(synth["application_train"]) == N
    assert len(synth["application_test"]) == n_test_clients(N) == round(N * 48_744 / 307_511)
    assert "TARGET" not in synth["application_test"].columns
    clients = N + n_test_clients(N)
    for table, per_client in KAGGLE_PER_CLIENT.items():
        # Full scale is within 1% (bench/synth.py); a small sample gets a wider band.
        assert len(synth[table]) / clients == pytest.approx(per_client, rel=0.15), table


# --------------------------------------------------------------------------------------------------------------- #
# Determinism, formats, metadata
# --------------------------------------------------------------------------------------------------------------- #


def test_same_seed_same_bytes(synth_dir: Path, tmp_path: Path) -> None:
    generate(tmp_path, n_clients=N, seed=SEED)
    assert _digest(tmp_path) == _digest(synth_dir)


def test_other_seed_differs(synth_dir: Path, tmp_path: Path) -> None:
    generate(tmp_path, n_clients=N, seed=SEED + 1)
    a, b = _digest(tmp_path), _digest(synth_dir)
    assert all(a[name] != b[name] for name in a)


def test_chunks_and_pool_are_deterministic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Several chunks, with and without a 2-process pool: same bytes, IDs unique across chunks."""
    monkeypatch.setattr(synthetic, "CHUNK_CLIENTS", 400)
    generate(tmp_path / "one", n_clients=1_200, seed=3, workers=1)
    generate(tmp_path / "two", n_clients=1_200, seed=3, workers=2)
    assert _digest(tmp_path / "one") == _digest(tmp_path / "two")
    prev = pd.read_parquet(tmp_path / "one" / "previous_application.parquet")
    bureau = pd.read_parquet(tmp_path / "one" / "bureau.parquet")
    assert prev.SK_ID_PREV.is_unique and bureau.SK_ID_BUREAU.is_unique


def test_csv_holds_the_same_data(synth: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    generate(tmp_path, n_clients=N, seed=SEED, fmt="csv")
    for table in TABLE_NAMES:
        path = tmp_path / TABLES[table].file_name
        header = path.open().readline().rstrip("\n")
        assert header == ",".join(TABLES[table].column_names)  # bare names, as Kaggle writes them
        got = pd.read_csv(path)
        want = synth[table]
        assert len(got) == len(want)
        for col in TABLES[table].columns:
            if col.dtype == "category":
                assert (
                    got[col.name].astype("string").fillna("").tolist()
                    == want[col.name].astype("string").fillna("").tolist()
                ), (table, col.name)
            else:
                np.testing.assert_allclose(
                    got[col.name].to_numpy(dtype=float),
                    want[col.name].to_numpy(dtype=float),
                    rtol=1e-12,
                    err_msg=f"{table}.{col.name}",
                )


def test_generator_json(synth_dir: Path) -> None:
    meta = json.loads((synth_dir / "generator.json").read_text())
    assert {"seed", "n_clients", "sizes", "target_rate", "ceiling_auc", "app_only_auc"} <= set(meta)
    assert meta["seed"] == SEED and meta["n_clients"] == N
    assert meta["sizes"]["application_train"] == N
    assert set(meta["sizes"]) == set(TABLE_NAMES)


def test_summary_mentions_the_figures(tmp_path: Path) -> None:
    info = generate(tmp_path, n_clients=50, seed=1)
    text = info.summary()
    assert str(tmp_path) in text and "ceiling AUC" in text and "application_train" in text


def test_bad_arguments() -> None:
    with pytest.raises(DataError):
        generate(Path("unused"), n_clients=0, seed=0)
    with pytest.raises(DataError):
        generate(Path("unused"), n_clients=10, seed=0, fmt="xlsx")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------------------- #
# Calibration
# --------------------------------------------------------------------------------------------------------------- #


def test_calibration_is_aggregate_and_small() -> None:
    path = Path(synthetic.__file__).with_name("calibration.json.gz")
    assert path.stat().st_size < 2_000_000
    cal = load_calibration()
    assert "SK_ID_CURR" not in cal["application"]  # no identifiers, hence no rows


@pytest.mark.parametrize("table", ["application_train", "bureau", "previous_application"])
def test_missing_rates_match_calibration(synth: dict[str, pd.DataFrame], table: str) -> None:
    """Missing rate of every column within 3 points of the calibrated one (structural columns excepted)."""
    cal = load_calibration()
    specs = cal["application" if table == "application_train" else table]
    structural = {
        "DAYS_FIRST_DRAWING",
        "DAYS_FIRST_DUE",
        "DAYS_LAST_DUE_1ST_VERSION",
        "DAYS_LAST_DUE",
        "DAYS_TERMINATION",
        "NFLAG_INSURED_ON_APPROVAL",
        "DAYS_ENDDATE_FACT",
        "AMT_ANNUITY",
        "CNT_PAYMENT",
        "AMT_CREDIT_SUM_DEBT",
        "RATE_DOWN_PAYMENT",
        "AMT_DOWN_PAYMENT",
        "AMT_GOODS_PRICE",
    }
    for col in TABLES[table].columns:
        if col.name in specs and (table == "application_train" or col.name not in structural):
            got = synth[table][col.name].isna().mean()
            assert abs(got - specs[col.name]["missing"]) < 0.03, (table, col.name, got, specs[col.name]["missing"])


def test_category_frequencies_match_calibration(synth: dict[str, pd.DataFrame]) -> None:
    specs = load_calibration()["application"]
    for col in TABLES["application_train"].categorical:
        spec = specs[col.name]
        values = synth["application_train"][col.name].astype("string").fillna("<missing>").to_numpy()
        present = 1 - spec["missing"]
        for level, p in zip(spec["values"], spec["probs"], strict=True):
            if p * present > 0.05:
                assert abs(np.mean(values == level) - p * present) < 0.035, (col.name, level)


@pytest.mark.parametrize(
    "column",
    [
        "AMT_INCOME_TOTAL",
        "AMT_CREDIT",
        "AMT_ANNUITY",
        "DAYS_BIRTH",
        "EXT_SOURCE_2",
        "EXT_SOURCE_3",
        "REGION_POPULATION_RELATIVE",
        "DAYS_REGISTRATION",
        "DAYS_ID_PUBLISH",
    ],
)
def test_numeric_quantiles_match_calibration(synth: dict[str, pd.DataFrame], column: str) -> None:
    """Synthetic 10th/50th/90th percentiles fall within the calibrated 5th-15th / 45th-55th / 85th-95th."""
    cal = load_calibration()
    grid, q = np.asarray(cal["grid"]), np.asarray(cal["application"][column]["q"])
    x = synth["application_train"][column].dropna().to_numpy(dtype=float)
    for p in (0.1, 0.5, 0.9):
        lo, hi = np.interp([p - 0.05, p + 0.05], grid, q)
        assert lo <= np.quantile(x, p) <= hi, (column, p)


def test_sentinel_rate(synth: dict[str, pd.DataFrame]) -> None:
    spec = load_calibration()["application"]["DAYS_EMPLOYED"]
    got = (synth["application_train"].DAYS_EMPLOYED == SENTINEL_DAYS).mean()
    assert abs(got - spec["sentinel"]) < 0.03
    prev = synth["previous_application"]
    assert (prev.DAYS_FIRST_DRAWING == SENTINEL_DAYS).mean() > 0.2


@pytest.mark.real_data
def test_marginals_close_to_real_sample(synth: dict[str, pd.DataFrame], real_tables: dict[str, pd.DataFrame]) -> None:
    real, syn = real_tables["application_train"], synth["application_train"]
    for col in ("AMT_CREDIT", "AMT_INCOME_TOTAL", "DAYS_BIRTH", "EXT_SOURCE_3"):
        assert syn[col].median() == pytest.approx(real[col].median(), rel=0.1), col
    for col in ("EXT_SOURCE_1", "OCCUPATION_TYPE", "APARTMENTS_AVG", "AMT_REQ_CREDIT_BUREAU_YEAR", "OWN_CAR_AGE"):
        assert abs(syn[col].isna().mean() - real[col].isna().mean()) < 0.05, col
    for col in ("NAME_INCOME_TYPE", "NAME_EDUCATION_TYPE", "CODE_GENDER"):
        fr = real[col].value_counts(normalize=True)
        fs = syn[col].astype("string").value_counts(normalize=True)
        assert fr.index[0] == fs.index[0] and abs(fr.iloc[0] - fs.iloc[0]) < 0.05, col
    b_real, b_syn = real_tables["bureau"], synth["bureau"]
    assert abs((b_real.CREDIT_ACTIVE == "Closed").mean() - (b_syn.CREDIT_ACTIVE == "Closed").mean()) < 0.05


# --------------------------------------------------------------------------------------------------------------- #
# Coherence rules: on synthetic data and on the real sample
# --------------------------------------------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def synth_rules(synth: dict[str, pd.DataFrame]) -> dict[str, float]:
    return evaluate(synth)


@pytest.fixture(scope="module")
def real_rules(real_tables: dict[str, pd.DataFrame]) -> dict[str, float]:
    return evaluate(real_tables)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rule_on_synthetic(synth_rules: dict[str, float], rule: object) -> None:
    name, threshold = rule.name, rule.threshold  # type: ignore[attr-defined]
    value = synth_rules[name]
    assert not np.isnan(value), name
    assert value >= threshold, (name, value)


@pytest.mark.real_data
@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rule_on_real_sample(real_rules: dict[str, float], rule: object) -> None:
    name, threshold = rule.name, rule.threshold  # type: ignore[attr-defined]
    value = real_rules[name]
    assert not np.isnan(value), name
    assert value >= threshold, (name, value)


# --------------------------------------------------------------------------------------------------------------- #
# Planted default mechanism
# --------------------------------------------------------------------------------------------------------------- #


def test_target_rate_and_auc(synth_dir: Path, synth: dict[str, pd.DataFrame]) -> None:
    meta = json.loads((synth_dir / "generator.json").read_text())
    assert 0.06 <= synth["application_train"].TARGET.mean() <= 0.10
    assert meta["mean_true_p"] == pytest.approx(0.0807, abs=0.003)
    # Full scale lands in 0.78-0.85 (see bench/synth.py); 2,000 clients hold ~160 defaults, hence the wider band.
    assert 0.74 <= meta["ceiling_auc"] <= 0.90
    assert meta["ceiling_auc"] > meta["app_only_auc"] + 0.02  # history adds information


def test_risk_follows_ext_sources(synth: dict[str, pd.DataFrame]) -> None:
    app = synth["application_train"].dropna(subset=["EXT_SOURCE_3"])
    assert auc(-app.EXT_SOURCE_3.to_numpy(), app.TARGET.to_numpy()) > 0.6


def test_risk_follows_history(synth: dict[str, pd.DataFrame]) -> None:
    """Late instalments and refused applications, observable in the history tables, go with default."""
    app = synth["application_train"].set_index("SK_ID_CURR")
    ins = synth["installments_payments"]
    late = (ins.DAYS_ENTRY_PAYMENT > ins.DAYS_INSTALMENT).groupby(ins.SK_ID_CURR).mean()
    prev = synth["previous_application"]
    refused = (prev.NAME_CONTRACT_STATUS == "Refused").groupby(prev.SK_ID_CURR).mean()
    for feature in (late, refused):
        joined = app.TARGET.to_frame().join(feature.rename("x"), how="inner")
        assert auc(joined.x.to_numpy(), joined.TARGET.to_numpy()) > 0.56


def test_auc_rank_formula() -> None:
    assert auc(np.array([0.1, 0.4, 0.35, 0.8]), np.array([0, 0, 1, 1])) == pytest.approx(0.75)
    assert auc(np.array([1.0, 1.0]), np.array([0, 1])) == pytest.approx(0.5)
