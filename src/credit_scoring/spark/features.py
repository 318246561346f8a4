"""The feature set on Apache Spark: the DuckDB build's own SQL, transpiled by sqlglot, over Spark tables.

Nothing here defines a feature. ``credit_scoring.features.pipeline`` generates the SQL of every history pass and of
the final join (the same text the DuckDB build and the online path run); ``spark_sql`` transpiles it from the DuckDB
dialect to Spark's, and ``build_features_spark`` runs it over the raw tables registered as temporary views. Spark
computes lazily: the result is one plan (read, aggregate each history table, join) that Spark distributes.

The inferred loan term and rate are the one step that is not SQL: the same ``TermModel`` (fitted on the driver from
``previous_application``, ordered by SK_ID_PREV as in the DuckDB build, or a bundle's copy when scoring) is applied
by a scalar pandas UDF on the four columns it reads.

The batch DuckDB runner aligns the history aggregates by key in Arrow instead of running the final join (faster on one
machine); the rule is the same (``pipeline.final_sql``), and the tests compare the two engines column by column.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from credit_scoring.data.schema import TABLE_NAMES, TABLES
from credit_scoring.features.pipeline import application_union_sql, final_sql, history_passes
from credit_scoring.features.term import PREVIOUS_COLUMNS, TERM_FEATURES, TermModel, fit_term_model
from credit_scoring.portfolio import check_tables

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["build_features_spark", "register_tables", "spark_queries", "spark_sql"]

logger = logging.getLogger(__name__)


def spark_sql(duckdb_sql: str) -> str:
    """One query of the DuckDB build, in Spark SQL (sqlglot, read="duckdb", write="spark"); unsupported is an error."""
    import sqlglot  # costly import, only needed here

    out = sqlglot.transpile(duckdb_sql, read="duckdb", write="spark", error_level=sqlglot.ErrorLevel.RAISE)
    if len(out) != 1:
        raise ValueError(f"expected one statement, sqlglot produced {len(out)}")
    return out[0]


@cache
def spark_queries() -> tuple[tuple[str, str], ...]:
    """(view name, Spark SQL) in dependency order: the application union, each history pass, then ``features``."""
    out = [("application", spark_sql(application_union_sql()))]
    out += [(hp.output, spark_sql(hp.sql())) for hp in history_passes()]
    out.append(("features", spark_sql(final_sql())))
    return tuple(out)


def register_tables(spark: SparkSession, tables_dir: Path | str) -> None:
    """Each raw table as a temporary view of its name (``tables_dir/<table>.parquet``, a file or a folder of parts).

    ``tables_dir`` may be any path Spark reads (``s3a://``, ``abfss://``, ``gs://``, ``dbfs:/``); only a local folder
    is checked first.
    """
    root = str(tables_dir).rstrip("/")
    if "://" not in root and not root.startswith("dbfs:"):
        check_tables(Path(root))
    for name in TABLE_NAMES:
        spark.read.parquet(f"{root}/{TABLES[name].parquet_name}").createOrReplaceTempView(name)


def build_features_spark(
    spark: SparkSession, tables_dir: Path | str, *, term_model: TermModel | None = None
) -> DataFrame:
    """The feature rows of every client of application_train and application_test, as a (lazy) Spark DataFrame.

    Columns: SK_ID_CURR, TARGET, LABELLED, then every feature in ``feature_names()`` order, as in ``features.parquet``.
    ``term_model`` (a bundle's copy when scoring) is used as given; without it, it is fitted here on the driver from
    ``previous_application`` (a few columns, collected once), like the DuckDB build does.
    """
    from pyspark.sql.pandas.functions import pandas_udf
    from pyspark.sql.types import DoubleType, StructField, StructType

    register_tables(spark, tables_dir)
    result = None
    for view, sql in spark_queries():
        result = spark.sql(sql)
        result.createOrReplaceTempView(view)
    assert result is not None
    if term_model is None:
        term_model = fit_term_model(spark.table("previous_application").select(*PREVIOUS_COLUMNS).toPandas())
    model_text, n_rows, inputs = term_model.text, term_model.n_rows, term_model.inputs
    schema = StructType([StructField(name, DoubleType(), True) for name in TERM_FEATURES])

    # Only the four input columns go through Python (a scalar pandas UDF returning a struct), not the ~850 others.
    @pandas_udf(schema)  # type: ignore[call-overload, untyped-decorator]
    def term_udf(credit: pd.Series, annuity: pd.Series, goods: pd.Series, cash: pd.Series) -> pd.DataFrame:
        model = _worker_term_model(model_text, n_rows)
        columns = (credit, annuity, goods, cash)
        values = {n: c.to_numpy(dtype="float64", na_value=np.nan) for n, c in zip(inputs, columns, strict=True)}
        return pd.DataFrame(model.features(values))

    with_term = result.withColumn("_term", term_udf(*inputs))
    return with_term.select(*result.columns, *(f"_term.{name}" for name in TERM_FEATURES))


@cache
def _worker_term_model(text: str, n_rows: int) -> TermModel:
    """One booster per Python worker (kept across batches), not one per batch."""
    return TermModel(text=text, n_rows=n_rows)
