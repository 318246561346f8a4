"""A tiny row-wise expression language compiled two ways: to SQL (batch, DuckDB / Spark) and to numpy (online).

Why: an application-level feature must be computed identically for the whole portfolio (SQL over Parquet) and for one
edited application in a few milliseconds (no database round trip). Writing each feature once as an ``Expr`` tree and
compiling it to both targets removes the "preprocessing written twice" failure mode; a test checks both agree.

Null semantics are SQL's: any arithmetic with NULL is NULL, division by zero is NULL, row-wise min/max/mean/std skip
NULLs. In numpy, NULL is NaN for numbers and ``None`` for categories.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "Add",
    "Col",
    "Div",
    "Expr",
    "IsLevel",
    "Lit",
    "Mul",
    "NullIf",
    "RowMax",
    "RowMean",
    "RowMin",
    "RowNotNull",
    "RowStd",
    "Sub",
    "Sum",
    "quote",
]

FloatArray = npt.NDArray[np.float64]
Env = Mapping[str, npt.NDArray[Any]]


def quote(name: str) -> str:
    """A double-quoted SQL identifier (DuckDB dialect; sqlglot turns it into Spark back-ticks)."""
    return '"' + name.replace('"', '""') + '"'


class Expr:
    """A row-wise numeric expression. ``sql()`` gives a DOUBLE-valued SQL expression, ``np(env)`` a float64 array."""

    def sql(self) -> str:
        raise NotImplementedError

    def np(self, env: Env) -> FloatArray:
        raise NotImplementedError

    def columns(self) -> tuple[str, ...]:
        """Source columns read, in first-use order (for the manifest)."""
        raise NotImplementedError


def _as_float(a: npt.NDArray[Any]) -> FloatArray:
    return a.astype(np.float64, copy=False) if a.dtype != np.float64 else a


@dataclass(frozen=True)
class Col(Expr):
    """A numeric source column, cast to DOUBLE."""

    name: str

    def sql(self) -> str:
        return f"CAST({quote(self.name)} AS DOUBLE)"

    def np(self, env: Env) -> FloatArray:
        return _as_float(env[self.name])

    def columns(self) -> tuple[str, ...]:
        return (self.name,)


@dataclass(frozen=True)
class Lit(Expr):
    value: float

    def sql(self) -> str:
        return f"CAST({float(self.value)!r} AS DOUBLE)"

    def np(self, env: Env) -> FloatArray:
        n = len(next(iter(env.values())))
        return np.full(n, float(self.value))

    def columns(self) -> tuple[str, ...]:
        return ()


def _cols(*parts: Expr) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for p in parts:
        for c in p.columns():
            seen.setdefault(c, None)
    return tuple(seen)


@dataclass(frozen=True)
class Add(Expr):
    a: Expr
    b: Expr

    def sql(self) -> str:
        return f"({self.a.sql()} + {self.b.sql()})"

    def np(self, env: Env) -> FloatArray:
        return self.a.np(env) + self.b.np(env)

    def columns(self) -> tuple[str, ...]:
        return _cols(self.a, self.b)


@dataclass(frozen=True)
class Sub(Expr):
    a: Expr
    b: Expr

    def sql(self) -> str:
        return f"({self.a.sql()} - {self.b.sql()})"

    def np(self, env: Env) -> FloatArray:
        return self.a.np(env) - self.b.np(env)

    def columns(self) -> tuple[str, ...]:
        return _cols(self.a, self.b)


@dataclass(frozen=True)
class Mul(Expr):
    a: Expr
    b: Expr

    def sql(self) -> str:
        return f"({self.a.sql()} * {self.b.sql()})"

    def np(self, env: Env) -> FloatArray:
        return self.a.np(env) * self.b.np(env)

    def columns(self) -> tuple[str, ...]:
        return _cols(self.a, self.b)


@dataclass(frozen=True)
class Div(Expr):
    """``a / b``; NULL when ``b`` is 0 or NULL (a ratio to nothing is unknown, not infinite)."""

    a: Expr
    b: Expr

    def sql(self) -> str:
        return f"({self.a.sql()} / NULLIF({self.b.sql()}, 0))"

    def np(self, env: Env) -> FloatArray:
        b = self.b.np(env)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = self.a.np(env) / np.where(b == 0, np.nan, b)
        return np.asarray(out, dtype=np.float64)

    def columns(self) -> tuple[str, ...]:
        return _cols(self.a, self.b)


@dataclass(frozen=True)
class Sum(Expr):
    """Sum of the terms; NULL if any term is NULL (a count of flags with one flag unknown is unknown)."""

    terms: tuple[Expr, ...]

    def sql(self) -> str:
        return "(" + " + ".join(t.sql() for t in self.terms) + ")"

    def np(self, env: Env) -> FloatArray:
        out = self.terms[0].np(env).copy()
        for t in self.terms[1:]:
            out += t.np(env)
        return out

    def columns(self) -> tuple[str, ...]:
        return _cols(*self.terms)


@dataclass(frozen=True)
class NullIf(Expr):
    """``x``, or NULL where it equals ``value`` (the 365243-days "not applicable" sentinel)."""

    x: Expr
    value: float

    def sql(self) -> str:
        return f"NULLIF({self.x.sql()}, CAST({float(self.value)!r} AS DOUBLE))"

    def np(self, env: Env) -> FloatArray:
        x = self.x.np(env)
        return np.where(x == self.value, np.nan, x)

    def columns(self) -> tuple[str, ...]:
        return self.x.columns()


@dataclass(frozen=True)
class IsLevel(Expr):
    """One-hot indicator of a categorical level: 1.0 if equal, else 0.0 (a missing category gives 0 for every level).

    The level list comes from data/schema.py, never from the data, so the columns are the same for every build and
    for one request.
    """

    column: str
    level: str

    def sql(self) -> str:
        lit = "'" + self.level.replace("'", "''") + "'"
        return f"CAST(COALESCE({quote(self.column)} = {lit}, FALSE) AS DOUBLE)"

    def np(self, env: Env) -> FloatArray:
        return np.asarray(env[self.column] == self.level, dtype=np.float64)

    def columns(self) -> tuple[str, ...]:
        return (self.column,)


@dataclass(frozen=True)
class RowNotNull(Expr):
    """How many of the terms are not NULL."""

    terms: tuple[Expr, ...]

    def sql(self) -> str:
        return "(" + " + ".join(f"CASE WHEN {t.sql()} IS NULL THEN 0.0 ELSE 1.0 END" for t in self.terms) + ")"

    def np(self, env: Env) -> FloatArray:
        out = np.zeros(len(next(iter(env.values()))))
        for t in self.terms:
            out += ~np.isnan(t.np(env))
        return out

    def columns(self) -> tuple[str, ...]:
        return _cols(*self.terms)


def _sum_skip_null_sql(terms: tuple[Expr, ...], power: int = 1) -> str:
    parts = [f"COALESCE({t.sql()}, 0.0)" if power == 1 else f"COALESCE({t.sql()} * {t.sql()}, 0.0)" for t in terms]
    return "(" + " + ".join(parts) + ")"


@dataclass(frozen=True)
class RowMean(Expr):
    """Mean of the non-NULL terms (NULL if all are NULL)."""

    terms: tuple[Expr, ...]

    def sql(self) -> str:
        return f"({_sum_skip_null_sql(self.terms)} / NULLIF({RowNotNull(self.terms).sql()}, 0))"

    def np(self, env: Env) -> FloatArray:
        vals = np.vstack([t.np(env) for t in self.terms])
        n = (~np.isnan(vals)).sum(axis=0).astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.nansum(vals, axis=0) / np.where(n == 0, np.nan, n)
        return np.asarray(out, dtype=np.float64)

    def columns(self) -> tuple[str, ...]:
        return _cols(*self.terms)


@dataclass(frozen=True)
class RowStd(Expr):
    """Population standard deviation of the non-NULL terms (0 for one value, NULL for none)."""

    terms: tuple[Expr, ...]

    def sql(self) -> str:
        n = f"NULLIF({RowNotNull(self.terms).sql()}, 0)"
        m = f"({_sum_skip_null_sql(self.terms)} / {n})"
        m2 = f"({_sum_skip_null_sql(self.terms, 2)} / {n})"
        # GREATEST skips NULLs in DuckDB and Spark, so "no value at all" must be tested explicitly.
        return f"CASE WHEN {RowNotNull(self.terms).sql()} = 0 THEN NULL ELSE SQRT(GREATEST({m2} - {m} * {m}, 0.0)) END"

    def np(self, env: Env) -> FloatArray:
        vals = np.vstack([t.np(env) for t in self.terms])
        n = (~np.isnan(vals)).sum(axis=0).astype(np.float64)
        n = np.where(n == 0, np.nan, n)
        with np.errstate(divide="ignore", invalid="ignore"):
            m = np.nansum(vals, axis=0) / n
            m2 = np.nansum(vals * vals, axis=0) / n
        return np.asarray(np.sqrt(np.maximum(m2 - m * m, 0.0)), dtype=np.float64)

    def columns(self) -> tuple[str, ...]:
        return _cols(*self.terms)


@dataclass(frozen=True)
class RowMin(Expr):
    """Smallest non-NULL term (SQL LEAST skips NULLs in DuckDB and Spark)."""

    terms: tuple[Expr, ...]

    def sql(self) -> str:
        return "LEAST(" + ", ".join(t.sql() for t in self.terms) + ")"

    def np(self, env: Env) -> FloatArray:
        out = self.terms[0].np(env)
        for t in self.terms[1:]:
            out = np.fmin(out, t.np(env))
        return out

    def columns(self) -> tuple[str, ...]:
        return _cols(*self.terms)


@dataclass(frozen=True)
class RowMax(Expr):
    """Largest non-NULL term."""

    terms: tuple[Expr, ...]

    def sql(self) -> str:
        return "GREATEST(" + ", ".join(t.sql() for t in self.terms) + ")"

    def np(self, env: Env) -> FloatArray:
        out = self.terms[0].np(env)
        for t in self.terms[1:]:
            out = np.fmax(out, t.np(env))
        return out

    def columns(self) -> tuple[str, ...]:
        return _cols(*self.terms)
