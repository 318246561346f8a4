"""The inferred loan term and rate: the annuity formula on hand-made loans, the fit (deterministic, label-free, honest
about too little data), the file checks, and the same values on every path (batch store, online, what-if, bundle)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from credit_scoring.errors import DataError
from credit_scoring.features import build_features
from credit_scoring.features.online import OnlineFeatures
from credit_scoring.features.term import (
    MIN_ROWS,
    TERM_FEATURES,
    TERM_MODEL_FILE,
    TermModel,
    fit_term_model,
    monthly_rate,
)
from credit_scoring.scoring import Scorer


def annuity(credit: float, rate: float, term: int) -> float:
    return credit * rate / (1 - (1 + rate) ** -term)


def test_monthly_rate_inverts_the_annuity_formula() -> None:
    credit = np.array([10_000.0, 250_000.0, 50_000.0])
    rates = np.array([0.01, 0.025, 0.004])
    terms = np.array([12.0, 36.0, 60.0])
    ann = np.array([annuity(c, r, int(t)) for c, r, t in zip(credit, rates, terms, strict=True)])
    assert ann[0] == pytest.approx(888.49, abs=0.01)  # 10,000 at 1% a month over a year
    np.testing.assert_allclose(monthly_rate(credit / ann, terms), rates, rtol=1e-9)


def test_monthly_rate_zero_when_repaid_without_interest_and_missing_when_unknown() -> None:
    got = monthly_rate(np.array([12.0, 20.0, np.nan, 10.0]), np.array([12.0, 12.0, 12.0, np.nan]))
    assert got[0] == 0.0 and got[1] == 0.0
    assert np.isnan(got[2]) and np.isnan(got[3])


def previous_loans(n: int, seed: int = 0) -> pd.DataFrame:
    """Previous loans whose term follows from the amount (larger loans run longer) at 1.5% a month."""
    rng = np.random.default_rng(seed)
    credit = rng.uniform(20_000, 500_000, n).round(-2)
    term = np.select([credit < 100_000, credit < 250_000], [12, 24], 48).astype(float)
    ann = credit * 0.015 / (1 - 1.015**-term)
    return pd.DataFrame(
        {
            "SK_ID_PREV": np.arange(1_000_000, 1_000_000 + n),
            "AMT_CREDIT": credit,
            "AMT_ANNUITY": ann,
            "AMT_GOODS_PRICE": credit * 0.9,
            "NAME_CONTRACT_TYPE": np.where(rng.random(n) < 0.5, "Cash loans", "Consumer loans"),
            "CNT_PAYMENT": term,
        }
    )


@pytest.fixture(scope="module")
def model() -> TermModel:
    return fit_term_model(previous_loans(3_000))


def test_fitted_model_recovers_term_and_rate(model: TermModel) -> None:
    assert model.fitted and model.n_rows == 3_000
    credit = np.array([60_000.0, 180_000.0, 400_000.0])
    terms = np.array([12.0, 24.0, 48.0])
    app = {
        "AMT_CREDIT": credit,
        "AMT_ANNUITY": credit * 0.015 / (1 - 1.015**-terms),
        "AMT_GOODS_PRICE": credit * 0.9,
        "NAME_CONTRACT_TYPE_CASH_LOANS": np.array([1.0, 0.0, 1.0]),
    }
    got = model.features(app)
    np.testing.assert_allclose(got["APP_TERM_INFERRED"], terms, atol=0.5)
    np.testing.assert_allclose(got["APP_RATE_INFERRED"], 0.015, atol=0.002)
    np.testing.assert_allclose(got["APP_TERM_GAP"], credit / app["AMT_ANNUITY"] - got["APP_TERM_INFERRED"])


def test_features_missing_without_positive_credit_and_annuity(model: TermModel) -> None:
    app = {
        "AMT_CREDIT": np.array([np.nan, 100_000.0, 100_000.0]),
        "AMT_ANNUITY": np.array([5_000.0, 0.0, np.nan]),
        "AMT_GOODS_PRICE": np.array([np.nan, np.nan, np.nan]),
        "NAME_CONTRACT_TYPE_CASH_LOANS": np.array([1.0, 1.0, 1.0]),
    }
    for name, values in model.features(app).items():
        assert np.isnan(values).all(), name


def test_fit_ignores_row_order_and_unusable_rows(model: TermModel) -> None:
    loans = previous_loans(3_000)
    junk = loans.head(50).assign(SK_ID_PREV=np.arange(50), CNT_PAYMENT=np.nan)  # no term: not used
    shuffled = pd.concat([loans, junk]).sample(frac=1.0, random_state=7)
    again = fit_term_model(shuffled)
    assert again.text == model.text and again.sha256 == model.sha256


def test_too_few_loans_give_no_model_and_missing_features() -> None:
    small = fit_term_model(previous_loans(MIN_ROWS - 1))
    assert not small.fitted and small.n_rows == MIN_ROWS - 1
    got = small.features({"AMT_CREDIT": [1e5], "AMT_ANNUITY": [5e3], "AMT_GOODS_PRICE": [9e4],
                          "NAME_CONTRACT_TYPE_CASH_LOANS": [1.0]})  # fmt: skip
    assert set(got) == set(TERM_FEATURES) and all(np.isnan(v).all() for v in got.values())


def test_fit_names_a_missing_column() -> None:
    with pytest.raises(DataError, match="CNT_PAYMENT"):
        fit_term_model(previous_loans(10).drop(columns="CNT_PAYMENT"))


def test_saved_model_round_trips_and_a_changed_file_is_refused(model: TermModel, tmp_path: Path) -> None:
    path = model.save(tmp_path)
    assert path.name == TERM_MODEL_FILE
    assert TermModel.load(path, sha256=model.sha256) == model
    doc = json.loads(path.read_text("utf-8"))
    doc["rows"] += 1
    path.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(DataError, match="SHA-256 differs"):
        TermModel.load(path, sha256=model.sha256)
    with pytest.raises(DataError, match="is missing"):
        TermModel.load(tmp_path / "nowhere.json")


# ----------------------------------------------------------------------------------- on the synthetic feature store


def test_store_records_its_model_and_fills_the_features(feature_store: Path) -> None:
    manifest = json.loads((feature_store / "manifest.json").read_text("utf-8"))
    entry = manifest["term_model"]
    model = TermModel.load(feature_store / TERM_MODEL_FILE, sha256=entry["sha256"])
    assert model.fitted and entry["rows"] == model.n_rows >= MIN_ROWS
    assert [f["name"] for f in manifest["features"][-3:]] == list(TERM_FEATURES)
    assert all(f["table"] == "application" for f in manifest["features"][-3:])
    feats = pd.read_parquet(feature_store / "features.parquet", columns=["AMT_ANNUITY", *TERM_FEATURES])
    usable = feats["AMT_ANNUITY"] > 0
    assert feats.loc[usable, "APP_TERM_INFERRED"].notna().all()
    assert feats.loc[usable, "APP_RATE_INFERRED"].between(0, 1).all()


def test_online_equals_batch_and_what_if_moves_the_rate(feature_store: Path) -> None:
    feats = pd.read_parquet(feature_store / "features.parquet").set_index("SK_ID_CURR")
    online = OnlineFeatures(feature_store)
    clients = feats.index[feats["AMT_ANNUITY"] > 0][:5]
    for client in clients:
        got = online.for_client(int(client))
        want = feats.loc[client, list(TERM_FEATURES)].to_numpy(dtype=float)
        np.testing.assert_array_equal([got[n] for n in TERM_FEATURES], want)
    client = int(clients[0])
    base = online.for_client(client)
    row = feats.loc[client]
    dearer_annuity = float(row["AMT_ANNUITY"]) * 1.3
    dearer = online.for_client(client, {"AMT_ANNUITY": dearer_annuity})
    direct = online.term_model.features(
        {name: [float(row[name])] for name in online.term_model.inputs} | {"AMT_ANNUITY": [dearer_annuity]}
    )
    assert [dearer[n] for n in TERM_FEATURES] == [float(direct[n][0]) for n in TERM_FEATURES]
    assert dearer["APP_TERM_GAP"] != base["APP_TERM_GAP"]


def test_online_refuses_a_replaced_model_file(feature_store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "store"
    copy.mkdir()
    for name in ("manifest.json", TERM_MODEL_FILE):
        shutil.copy(feature_store / name, copy / name)
    TermModel(text="", n_rows=0).save(copy)
    with pytest.raises(DataError, match="SHA-256 differs"):
        OnlineFeatures(copy).application_features({"AMT_CREDIT": 1e5, "AMT_ANNUITY": 5e3})


def test_bundle_keeps_the_store_model_and_scoring_new_tables_reuses_it(
    trained_bundle: Path, feature_store: Path, tmp_path: Path
) -> None:
    scorer = Scorer.from_path(trained_bundle)
    term = scorer.term_model
    assert term is not None
    manifest = json.loads((feature_store / "manifest.json").read_text("utf-8"))
    assert term.sha256 == manifest["term_model"]["sha256"]
    # New tables (here: the tiny set of the feature tests, whose 2 previous loans could not fit a model) get the
    # bundle's model, not a refit.
    from tests.unit.test_features import tiny_tables, write_tables

    out = tmp_path / "store"
    build_features(write_tables(tiny_tables(), tmp_path / "tables"), out, term_model=term)
    rebuilt = json.loads((out / "manifest.json").read_text("utf-8"))["term_model"]
    assert rebuilt["sha256"] == term.sha256
    feats = pd.read_parquet(out / "features.parquet").set_index("SK_ID_CURR")
    assert np.isfinite(feats.loc[1, "APP_TERM_INFERRED"])
