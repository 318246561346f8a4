"""The Spark engine: the feature SQL of ``credit_scoring.features`` transpiled to Spark SQL, and ``Scorer`` applied
to each partition with ``mapInPandas``. pyspark is an optional extra (``uv sync --extra spark``); it is imported only
when a function here runs, never when the package is imported."""

from __future__ import annotations

__all__: list[str] = []
