"""Portfolio scoring (`credit-scoring score`): the DuckDB engine's output equals ``Scorer`` on the feature store, the
reasons are the API's, and every bad input is one red line naming the path. The Spark engine: tests/spark/."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from credit_scoring.cli import app
from credit_scoring.features.pipeline import KEY
from credit_scoring.portfolio import OUTPUT_SCHEMA, PortfolioScorer, read_output
from credit_scoring.reasons import PercentileSketch, reasons
from credit_scoring.scoring import Scorer


@pytest.fixture(scope="module")
def duckdb_output(synthetic_tables: Path, trained_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("portfolio") / "scores"
    result = CliRunner().invoke(
        app, ["score", "--data", str(synthetic_tables), "--model", str(trained_bundle), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "clients scored" in result.output
    return out


def test_duckdb_engine_writes_the_output_schema(duckdb_output: Path) -> None:
    table = pq.read_table(duckdb_output)
    assert table.schema.equals(OUTPUT_SCHEMA, check_metadata=False)


def test_duckdb_engine_equals_scorer_on_the_store(
    duckdb_output: Path, trained_bundle: Path, feature_store: Path
) -> None:
    got = read_output(duckdb_output)
    scorer = Scorer.from_path(trained_bundle)
    store = pd.read_parquet(feature_store / "features.parquet").sort_values(KEY).reset_index(drop=True)
    assert got[KEY].tolist() == store[KEY].tolist()  # every client of train and test, once
    want = scorer.score(store)
    np.testing.assert_array_equal(got["probability"].to_numpy(), want["probability"].to_numpy())
    assert (got["decision"].to_numpy() == want["decision"].to_numpy()).all()
    assert set(got["decision"]) == {"granted", "refused"}
    assert (got["model_version"] == scorer.bundle.version).all()
    assert got["top_reasons"].map(len).between(0, 3).all() and got["top_reasons"].map(len).mean() > 2


def test_reasons_are_the_apis_refusal_reasons(trained_bundle: Path, feature_store: Path) -> None:
    scorer = Scorer.from_path(trained_bundle)
    portfolio = PortfolioScorer(scorer, top=3)
    frame = pd.read_parquet(feature_store / "features.parquet").head(200)
    out = portfolio.score(frame)
    from credit_scoring.explain import contributions

    c = contributions(scorer, frame)
    values = frame[scorer.features].to_numpy(dtype=np.float64, na_value=np.nan)
    sketch = PercentileSketch(np.full((len(scorer.features), 1), np.nan, dtype=np.float32))
    for i in range(len(frame)):
        api = reasons(c.logit[i], values[i], portfolio.groups, sketch, "fr", top=3, refusal_only=True)[0]
        assert list(out["top_reasons"].iloc[i]) == [r.feature for r in api]
    assert (PortfolioScorer(scorer, top=0).score(frame)["top_reasons"].map(len) == 0).all()


def _score(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["score", *args])
    return result.exit_code, result.output


def test_bad_inputs_are_one_line_naming_the_path(
    synthetic_tables: Path, trained_bundle: Path, duckdb_output: Path, tmp_path: Path
) -> None:
    model, data = str(trained_bundle), str(synthetic_tables)
    code, output = _score("--data", str(tmp_path / "nowhere"), "--model", model, "--out", str(tmp_path / "o"))
    assert code == 1 and "nowhere is not a folder of raw tables" in output and "Traceback" not in output

    partial = tmp_path / "partial"
    shutil.copytree(synthetic_tables, partial)
    (partial / "bureau.parquet").unlink()
    code, output = _score("--data", str(partial), "--model", model, "--out", str(tmp_path / "o"))
    assert code == 1 and "lacks bureau.parquet" in output

    code, output = _score("--data", data, "--model", str(tmp_path), "--out", str(tmp_path / "o"))
    assert code == 1 and "is not a model bundle" in output and str(tmp_path.name) in output

    code, output = _score("--data", data, "--model", model, "--out", str(duckdb_output))
    assert code == 1 and "already exists" in output and "--overwrite" in output

    code, output = _score("--data", "s3a://bucket/tables", "--model", model, "--out", str(tmp_path / "o"))
    assert code == 1 and "--engine spark" in output

    code, output = _score("--data", data, "--model", model, "--out", str(tmp_path / "o"), "--conf", "nokey")
    assert code == 1 and "KEY=VALUE" in output
    assert not (tmp_path / "o").exists()


def test_spark_engine_without_pyspark_says_how_to_install(
    synthetic_tables: Path, trained_bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [m for m in sys.modules if m == "pyspark" or m.startswith("pyspark.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark -> ImportError
    args = ["--engine", "spark", "--data", str(synthetic_tables), "--model", str(trained_bundle)]
    code, output = _score(*args, "--out", str(tmp_path / "o"))
    assert code == 1, output
    assert "uv sync --extra spark" in output and "credit-scoring[spark]" in output and "Traceback" not in output


def test_score_help_names_both_engines() -> None:
    result = CliRunner().invoke(app, ["score", "--help"])
    assert result.exit_code == 0 and "duckdb" in result.output and "spark" in result.output
