"""Features: one definition per source table, built for the whole portfolio (DuckDB) and for one client (online).

- ``application``: application-level features as ``Expr`` trees, compiled to SQL (batch) and numpy (online).
- ``bureau``, ``previous``, ``pos_cash``, ``installments``, ``credit_card``: one ``HistoryPass`` per table, specs that
  generate the DuckDB SQL (also transpiled to Spark and SQLite), manifest entries and descriptions.
- ``pipeline``: the passes in order and the final join, pure SQL; ``build``: the batch runner (the only I/O);
  ``online``: ``OnlineFeatures``; ``manifest``: the English/French manifest.
"""

from __future__ import annotations

from credit_scoring.features.build import FeatureStoreInfo, build_features
from credit_scoring.features.online import OnlineFeatures
from credit_scoring.features.pipeline import feature_names

__all__ = ["FeatureStoreInfo", "OnlineFeatures", "build_features", "feature_names"]
