"""The loan's inferred term and interest rate: the one application feature fitted on data (no label involved).

An application states the credit and the annuity but not the number of monthly instalments; previous applications
state all three (``CNT_PAYMENT``). A small regression LightGBM, fitted on the previous applications of the feature
store's own tables (credit, annuity, goods price, their ratios and the contract type -> term; TARGET is never read),
predicts the term of every application. The monthly rate follows from the annuity formula
``annuity = credit * r / (1 - (1 + r) ** -term)``, solved by bisection. Three features come out:

- ``APP_TERM_INFERRED``: the predicted term, in months;
- ``APP_RATE_INFERRED``: the monthly interest rate that makes the annuity repay the credit over that term;
- ``APP_TERM_GAP``: credit / annuity minus the predicted term (0 at a zero rate, larger as the rate grows).

Screened on the real sample first (``bench/term_rate.py``: +0.006 AUC with application features only) and known from
the public Home Credit solutions, where the inferred rate was among the strongest application-level signals.

One fitted model per feature store (``term_model.json``, hashed in the manifest), applied by the same function
(``TermModel.features``) in the DuckDB build, the online path and the Spark engine; a bundle keeps a copy of the model
it was trained with, and scoring new tables uses that copy, never a refit.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from credit_scoring.errors import DataError
from credit_scoring.features.spec import FeatureInfo

__all__ = [
    "PREVIOUS_COLUMNS",
    "TERM_FEATURES",
    "TERM_MODEL_FILE",
    "TermModel",
    "fit_term_model",
    "monthly_rate",
    "term_infos",
]

logger = logging.getLogger(__name__)

TERM_MODEL_FILE = "term_model.json"
TERM_FEATURES: tuple[str, ...] = ("APP_TERM_INFERRED", "APP_RATE_INFERRED", "APP_TERM_GAP")
#: Application features the term model reads (raw amounts passed through, and the contract type's one-hot column).
_INPUTS = ("AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE", "NAME_CONTRACT_TYPE_CASH_LOANS")
_SOURCES = ("AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE", "NAME_CONTRACT_TYPE")
#: Columns of previous_application the fit reads (SK_ID_PREV only to order the rows: same model on every engine).
PREVIOUS_COLUMNS = ("SK_ID_PREV", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE", "NAME_CONTRACT_TYPE", "CNT_PAYMENT")
#: Below this many usable previous applications there is no model, and the three features are missing for everyone.
MIN_ROWS = 500
#: At most this many previous applications (every k-th by SK_ID_PREV): ~1.5 s of fit at full scale (1.1M usable rows).
MAX_ROWS = 100_000
_FORMAT = 1
_PARAMS: dict[str, Any] = {
    "objective": "regression",
    "learning_rate": 0.15,
    "num_leaves": 63,
    "min_data_in_leaf": 50,
    "seed": 0,
    "deterministic": True,
    "force_col_wise": True,
    # One thread: the same model on every machine, and no OpenMP spin-waiting against DuckDB or another LightGBM
    # (two 2-thread processes on 2 cores made this fit ~100x slower).
    "num_threads": 1,
    "verbosity": -1,
}
#: Held-out term RMSE on the real sample's previous applications: 1.54 months (69% within half a month) with 100
#: rounds at 0.15, against 1.51 with 200 at 0.1 or 400 at 0.05; 100 rounds halve the batch prediction (~1 s at full
#: scale), which the feature build's 30 s budget needs.
_ROUNDS = 100


def term_infos() -> tuple[FeatureInfo, ...]:
    """Manifest entries of the three features (table "application": they read application fields only)."""

    def info(name: str, en: str, fr: str) -> FeatureInfo:
        return FeatureInfo(name, "application", "model estimate", _SOURCES, en, fr)

    return (
        info(
            "APP_TERM_INFERRED",
            "Estimated number of monthly instalments of the loan (from similar previous loans)",
            "Nombre estimé de mensualités du crédit (d'après des crédits précédents comparables)",
        ),
        info(
            "APP_RATE_INFERRED",
            "Estimated monthly interest rate of the loan (from the annuity and the estimated term)",
            "Taux d'intérêt mensuel estimé du crédit (d'après l'annuité et la durée estimée)",
        ),
        info(
            "APP_TERM_GAP",
            "Credit amount divided by annuity, minus the estimated term (grows with the interest rate)",
            "Montant du crédit rapporté à l'annuité, moins la durée estimée (croît avec le taux d'intérêt)",
        ),
    )


def _design(
    credit: NDArray[np.float64], annuity: NDArray[np.float64], goods: NDArray[np.float64], cash: NDArray[np.float64]
) -> NDArray[np.float64]:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.column_stack([credit, annuity, goods, credit / annuity, goods / credit, cash]).astype(np.float64)


def monthly_rate(credit_per_annuity: NDArray[np.float64], term: NDArray[np.float64]) -> NDArray[np.float64]:
    """The monthly rate r with annuity = credit * r / (1 - (1 + r) ** -term), by bisection on [0, 1].

    0 when credit / annuity >= term (the annuity repays the credit at no interest); NaN where an input is missing.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        target = 1.0 / credit_per_annuity  # the annuity per unit of credit
        lo, hi = np.zeros_like(target), np.ones_like(target)
        for _ in range(40):  # the interval halves 40 times: 1e-12 on a rate of ~1e-2
            mid = (lo + hi) / 2
            payment = mid / (1 - (1 + mid) ** -term)
            below = payment < target
            lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
        rate = np.where(target * term > 1, (lo + hi) / 2, 0.0)
    return np.where(np.isnan(target) | np.isnan(term), np.nan, rate)


@dataclass(frozen=True)
class TermModel:
    """A fitted term model (``text``: LightGBM model string) or none (``text`` empty: too few previous loans)."""

    text: str
    n_rows: int

    @cached_property
    def _booster(self) -> Any:
        return lgb.Booster(model_str=self.text) if self.text else None

    @property
    def inputs(self) -> tuple[str, ...]:
        """The application features ``features`` reads."""
        return _INPUTS

    @property
    def fitted(self) -> bool:
        return bool(self.text)

    def to_json(self) -> str:
        return json.dumps({"format": _FORMAT, "rows": self.n_rows, "inputs": list(_INPUTS), "model": self.text or None})

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()

    def save(self, folder: Path) -> Path:
        path = Path(folder) / TERM_MODEL_FILE
        path.write_text(self.to_json(), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: Path, *, sha256: str | None = None) -> TermModel:
        """Read ``path``; with ``sha256``, refuse a file that is not the one recorded (manifest or bundle)."""
        if not path.is_file():
            raise DataError(f"{path} is missing: rebuild the feature store with `credit-scoring features build`")
        text = path.read_text(encoding="utf-8")
        if sha256 is not None and hashlib.sha256(text.encode("utf-8")).hexdigest() != sha256:
            raise DataError(f"{path} is not the loan-term model recorded with it (SHA-256 differs): rebuild the store")
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DataError(f"{path} is not valid JSON ({exc.msg}, line {exc.lineno})") from None
        if doc.get("format") != _FORMAT or doc.get("inputs") != list(_INPUTS):
            raise DataError(f"{path}: loan-term model format {doc.get('format')!r} is not {_FORMAT}: rebuild the store")
        return cls(text=doc.get("model") or "", n_rows=int(doc.get("rows", 0)))

    def features(self, app: Mapping[str, Any], *, num_threads: int = 1) -> dict[str, NDArray[np.float64]]:
        """The three features from application features (``_INPUTS`` as arrays of one or many rows).

        Missing wherever the credit or the annuity is missing or not positive, and everywhere without a model.
        ``num_threads`` only changes the speed (each row is predicted alone).
        """
        credit, annuity, goods, cash = (np.asarray(app[name], dtype=np.float64).reshape(-1) for name in _INPUTS)
        ok = (credit > 0) & (annuity > 0)
        n = len(credit)
        if not self.fitted or not ok.any():
            return {name: np.full(n, np.nan) for name in TERM_FEATURES}
        term = np.full(n, np.nan)
        term[ok] = self._booster.predict(_design(credit[ok], annuity[ok], goods[ok], cash[ok]), num_threads=num_threads)
        ratio = np.where(ok, credit / np.where(ok, annuity, 1.0), np.nan)
        return {
            "APP_TERM_INFERRED": term,
            "APP_RATE_INFERRED": monthly_rate(ratio, np.maximum(term, 1.0)),
            "APP_TERM_GAP": ratio - term,
        }


def _floats(column: pd.Series) -> NDArray[np.float64]:
    """A numeric column as float64 with NaN for missing (``pd.to_numeric`` only for text: it is ~30x slower)."""
    if pd.api.types.is_numeric_dtype(column.dtype):
        return np.asarray(column.to_numpy(dtype=np.float64, na_value=np.nan))
    return np.asarray(pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan))


def fit_term_model(previous: pd.DataFrame) -> TermModel:
    """Fit the term model on previous applications (``PREVIOUS_COLUMNS``); rows in SK_ID_PREV order, so every engine
    that hands over the same table gets the same model."""
    missing = [c for c in PREVIOUS_COLUMNS if c not in previous.columns]
    if missing:
        raise DataError(f"previous_application lacks {', '.join(missing)} (needed by the loan-term model)")
    order = np.argsort(previous["SK_ID_PREV"].to_numpy(), kind="stable")
    num = {c: _floats(previous[c])[order] for c in (*_SOURCES[:3], "CNT_PAYMENT")}
    term = num["CNT_PAYMENT"]
    is_cash = previous["NAME_CONTRACT_TYPE"].astype("string").eq("Cash loans").fillna(False)
    cash: NDArray[np.float64] = np.asarray(is_cash, dtype=np.float64)[order]
    ok = (term > 0) & (num["AMT_CREDIT"] > 0) & (num["AMT_ANNUITY"] > 0)
    rows = np.flatnonzero(ok)
    if len(rows) < MIN_ROWS:
        logger.warning(
            "loan-term model not fitted: %d previous applications with a term, credit and annuity (needs %d); "
            "APP_TERM_INFERRED, APP_RATE_INFERRED and APP_TERM_GAP are missing for every client",
            len(rows),
            MIN_ROWS,
        )
        return TermModel(text="", n_rows=len(rows))
    rows = rows[:: -(-len(rows) // MAX_ROWS)]
    x = _design(num["AMT_CREDIT"][rows], num["AMT_ANNUITY"][rows], num["AMT_GOODS_PRICE"][rows], cash[rows])
    booster = lgb.train(_PARAMS, lgb.Dataset(x, term[rows], free_raw_data=True), num_boost_round=_ROUNDS)
    logger.info("loan-term model fitted on %d previous applications", len(rows))
    return TermModel(text=booster.model_to_string(), n_rows=len(rows))
