"""Application-field widgets built from the field list (``schemas.APPLICATION_COLUMNS``) and their bounds.

People think in years and yes/no, the model in Kaggle units (days before the application, Y/N): the widgets show the
former and ``to_raw`` converts back, so a value left untouched round-trips to exactly what it was.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from credit_scoring.dashboard.i18n import field_label, t
from credit_scoring.schemas import APPLICATION_COLUMNS, ApplicationChanges, FieldValue, Lang

__all__ = ["COLUMNS", "MAIN_FIELDS", "application_widgets", "changed_fields", "to_display", "to_raw"]

COLUMNS = {c.name: c for c in APPLICATION_COLUMNS if c.name != "SK_ID_CURR"}
#: The fields an advisor changes most often, shown first (the others are one multiselect away).
MAIN_FIELDS: tuple[str, ...] = (
    "AMT_INCOME_TOTAL",
    "AMT_CREDIT",
    "AMT_ANNUITY",
    "AMT_GOODS_PRICE",
    "DAYS_BIRTH",
    "DAYS_EMPLOYED",
    "CNT_CHILDREN",
    "EXT_SOURCE_1",
    "EXT_SOURCE_2",
    "EXT_SOURCE_3",
    "NAME_CONTRACT_TYPE",
    "NAME_INCOME_TYPE",
    "NAME_EDUCATION_TYPE",
    "NAME_FAMILY_STATUS",
)
_DAYS_PER_YEAR = 365.25
_NOT_EMPLOYED = 365243


def _bounds(name: str) -> tuple[float | None, float | None]:
    low: float | None = None
    high: float | None = None
    for item in ApplicationChanges.model_fields[name].metadata:  # annotated_types Ge/Gt/Le/Lt, duck-typed
        for attr in ("ge", "gt"):
            if isinstance(getattr(item, attr, None), int | float):
                low = float(getattr(item, attr))
        for attr in ("le", "lt"):
            if isinstance(getattr(item, attr, None), int | float):
                high = float(getattr(item, attr))
    return low, high


def to_display(name: str, value: FieldValue) -> FieldValue:
    """Kaggle units to the units a person reads (years for ages and seniority)."""
    if value is None or not isinstance(value, int | float):
        return value
    if name == "DAYS_BIRTH":
        return round(-value / _DAYS_PER_YEAR, 1)
    if name == "DAYS_EMPLOYED":
        return None if value >= _NOT_EMPLOYED else round(-value / _DAYS_PER_YEAR, 1)
    return value


def to_raw(name: str, value: FieldValue) -> FieldValue:
    """The inverse of ``to_display``, typed as the API expects (int columns as int)."""
    if value is None:
        return None
    column = COLUMNS[name]
    if name in {"DAYS_BIRTH", "DAYS_EMPLOYED"} and isinstance(value, int | float):
        return -round(float(value) * _DAYS_PER_YEAR)
    if column.dtype == "int64" and isinstance(value, int | float):
        return round(value)
    if column.dtype == "float64" and isinstance(value, int | float):
        return float(value)
    return value


def _widget(name: str, current: FieldValue, lang: Lang, *, key: str, required: bool) -> FieldValue:
    column = COLUMNS[name]
    label = field_label(name, lang) + (" *" if required else "")
    if name not in {"DAYS_BIRTH", "DAYS_EMPLOYED"} and field_label(name, lang) == name:
        label = f"{name}" + (" *" if required else "")
    shown = to_display(name, current)
    if column.dtype == "category":
        levels = list(column.levels)
        index = levels.index(str(shown)) if shown is not None and str(shown) in levels else None
        yes_no = {"Y": "oui" if lang == "fr" else "yes", "N": "non" if lang == "fr" else "no"}
        choice: str | None = st.selectbox(
            label,
            levels,
            index=index,
            key=key,
            placeholder=t("unknown_value", lang),
            format_func=lambda v: yes_no.get(v, v) if set(levels) == {"N", "Y"} else v,
        )
        return choice
    low: float | None
    high: float | None
    if name == "DAYS_BIRTH":
        low, high = 14.0, 120.0
    elif name == "DAYS_EMPLOYED":
        low, high = 0.0, 70.0
    else:
        low, high = _bounds(name)
    unit_interval = low == 0.0 and high == 1.0
    number: float | int | None
    if column.dtype == "int64" and name not in {"DAYS_BIRTH", "DAYS_EMPLOYED"}:
        number = st.number_input(
            label,
            min_value=int(low) if low is not None else None,
            max_value=int(high) if high is not None else None,
            value=int(shown) if isinstance(shown, int | float) else None,
            step=1,
            key=key,
            placeholder=t("unknown_value", lang),
        )
    else:
        step = 0.01 if unit_interval else (1000.0 if name.startswith("AMT_") else 0.5)
        number = st.number_input(
            label,
            min_value=low,
            max_value=high,
            value=float(shown) if isinstance(shown, int | float) else None,
            step=step,
            format="%.3f" if unit_interval else ("%.0f" if name.startswith("AMT_") else "%.1f"),
            key=key,
            placeholder=t("unknown_value", lang),
        )
    return number


def application_widgets(
    names: Sequence[str],
    current: Mapping[str, FieldValue],
    lang: Lang,
    *,
    key_prefix: str,
    required: frozenset[str] = frozenset(),
    columns: int = 3,
) -> dict[str, FieldValue]:
    """One widget per field, laid out in columns; returns the values in display units."""
    values: dict[str, FieldValue] = {}
    cols = st.columns(columns)
    for i, name in enumerate(names):
        with cols[i % columns]:
            values[name] = _widget(name, current.get(name), lang, key=f"{key_prefix}_{name}", required=name in required)
    return values


def changed_fields(values: Mapping[str, FieldValue], current: Mapping[str, FieldValue]) -> dict[str, Any]:
    """What the user changed, in Kaggle units, compared in display units (an untouched age is not a change)."""
    changes: dict[str, Any] = {}
    for name, shown in values.items():
        before = to_display(name, current.get(name))
        if isinstance(shown, float) and isinstance(before, int | float):
            same = abs(shown - float(before)) < 1e-9
        else:
            same = shown == before
        if not same and shown is not None:
            changes[name] = to_raw(name, shown)
    return changes
