"""The Spark engine in local mode against the DuckDB build on the same synthetic tables: the same feature columns
(names, order, values), the same scores, decisions and reasons, and the same output schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from credit_scoring.cli import app
from credit_scoring.features.pipeline import KEY, LABEL, LABELLED, feature_names
from credit_scoring.portfolio import OUTPUT_SCHEMA, read_output
from credit_scoring.scoring import Scorer
from credit_scoring.spark.features import build_features_spark, spark_queries

# pyspark 4.3 with pandas 3: a FutureWarning per conversion, a Pandas4Warning per column (harmless: docs/spark.md)
pytestmark = [
    pytest.mark.slow,  # a JVM and Spark local mode: about a minute per build on 2 cores
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

#: Relative tolerance of a Spark value against DuckDB's: sums and means are accumulated in another order
#: (measured differences are below 2e-14 relative).
RTOL = 1e-9


def test_every_query_is_transpiled_not_rewritten() -> None:
    views = [v for v, _ in spark_queries()]
    assert views[0] == "application" and views[-1] == "features"
    assert all("`" in sql and '"' not in sql.replace("'\"'", "") for _, sql in spark_queries()[1:])


def test_spark_features_equal_duckdb(spark: Any, synthetic_tables: Path, feature_store: Path) -> None:
    got = build_features_spark(spark, synthetic_tables).toPandas()
    want = pd.read_parquet(feature_store / "features.parquet")
    assert list(got.columns) == list(want.columns) == [KEY, LABEL, LABELLED, *feature_names()]
    got = got.sort_values(KEY).reset_index(drop=True)
    want = want.sort_values(KEY).reset_index(drop=True)
    assert got[KEY].tolist() == want[KEY].tolist()
    assert got[LABELLED].tolist() == want[LABELLED].tolist()
    assert got[LABEL].astype("Int64").equals(want[LABEL].astype("Int64"))
    mismatched = []
    for name in feature_names():
        a = got[name].to_numpy(dtype=np.float64, na_value=np.nan)
        b = want[name].to_numpy(dtype=np.float64, na_value=np.nan)
        if not np.array_equal(np.isnan(a), np.isnan(b)) or not np.allclose(a, b, rtol=RTOL, atol=0, equal_nan=True):
            mismatched.append(name)
    assert mismatched == [], f"{len(mismatched)} features differ: {mismatched[:10]}"


@pytest.fixture(scope="module")
def spark_output(spark: Any, synthetic_tables: Path, trained_bundle: Path, tmp_path_factory: Any) -> Path:
    out = tmp_path_factory.mktemp("spark-scores") / "scores"
    args = ["score", "--engine", "spark", "--data", str(synthetic_tables), "--model", str(trained_bundle)]
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "(spark)" in result.output
    return out


def test_spark_output_schema(spark_output: Path) -> None:
    table = pq.read_table(spark_output)
    # names and types as the DuckDB engine writes them (Spark marks every column nullable)
    assert [(f.name, f.type) for f in table.schema] == [(f.name, f.type) for f in OUTPUT_SCHEMA]
    assert any(p.name.startswith("part-") for p in spark_output.iterdir())


def test_spark_scores_equal_duckdb_engine_and_scorer(
    spark: Any, spark_output: Path, synthetic_tables: Path, trained_bundle: Path, feature_store: Path, tmp_path: Path
) -> None:
    duck_out = tmp_path / "duckdb-scores"
    args = ["score", "--data", str(synthetic_tables), "--model", str(trained_bundle), "--out", str(duck_out)]
    assert CliRunner().invoke(app, args).exit_code == 0
    got, duck = read_output(spark_output), read_output(duck_out)
    store = pd.read_parquet(feature_store / "features.parquet").sort_values(KEY).reset_index(drop=True)
    assert got[KEY].tolist() == duck[KEY].tolist() == store[KEY].tolist()
    want = Scorer.from_path(trained_bundle).score(store)
    np.testing.assert_allclose(got["probability"], want["probability"], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(got["probability"], duck["probability"], rtol=1e-12, atol=1e-15)
    assert (got["decision"] == want["decision"]).all() and (got["decision"] == duck["decision"]).all()
    assert got["top_reasons"].map(list).tolist() == duck["top_reasons"].map(list).tolist()
    assert (got["model_version"] == duck["model_version"]).all()


def test_spark_refuses_an_existing_output(spark_output: Path, synthetic_tables: Path, trained_bundle: Path) -> None:
    args = ["score", "--engine", "spark", "--data", str(synthetic_tables), "--model", str(trained_bundle)]
    result = CliRunner().invoke(app, [*args, "--out", str(spark_output)])
    assert result.exit_code == 1 and "already exists" in result.output
