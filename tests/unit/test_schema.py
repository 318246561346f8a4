"""The table schemas agree with the real Kaggle sample: headers, order, dtypes, categorical levels and keys."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from credit_scoring.data.schema import HISTORY_TABLES, LEVELS, TABLE_NAMES, TABLES, get_table


@pytest.mark.parametrize("table", TABLE_NAMES)
def test_header_names_and_order_match_the_real_sample(real_sample_dir: Path, table: str) -> None:
    with gzip.open(real_sample_dir / f"{table}.csv.gz", "rt") as fh:
        header = fh.readline().rstrip("\n").split(",")
    assert tuple(header) == TABLES[table].column_names


@pytest.mark.parametrize("table", TABLE_NAMES)
def test_dtypes_match_how_the_real_sample_parses(real_tables: dict[str, pd.DataFrame], table: str) -> None:
    frame = real_tables[table]
    for col in TABLES[table].columns:
        series = frame[col.name]
        if col.dtype == "category":
            assert not pd.api.types.is_numeric_dtype(series), col.name
        elif col.dtype == "int64":
            assert pd.api.types.is_integer_dtype(series), f"{table}.{col.name} parses as {series.dtype}"
        else:
            assert pd.api.types.is_float_dtype(series), f"{table}.{col.name} parses as {series.dtype}"


@pytest.mark.parametrize("table", TABLE_NAMES)
def test_every_real_categorical_value_is_a_known_level(real_tables: dict[str, pd.DataFrame], table: str) -> None:
    frame = real_tables[table]
    for col in TABLES[table].categorical:
        seen = set(frame[col.name].dropna().unique())
        assert seen <= set(col.levels), f"{table}.{col.name}: unknown {sorted(seen - set(col.levels))}"


@pytest.mark.parametrize("table", [t for t in TABLE_NAMES if TABLES[t].key])
def test_natural_keys_are_unique_in_the_real_sample(real_tables: dict[str, pd.DataFrame], table: str) -> None:
    key = list(TABLES[table].key)
    assert not real_tables[table].duplicated(subset=key).any()
    assert real_tables[table][key].notna().all().all()


def test_installments_have_no_natural_key_because_the_real_data_repeats_rows() -> None:
    assert TABLES["installments_payments"].key == ()


@pytest.mark.parametrize(
    ("group", "column", "level"),
    [
        ("application", "CODE_GENDER", "XNA"),
        ("application", "NAME_FAMILY_STATUS", "Unknown"),
        ("bureau", "CREDIT_ACTIVE", "Bad debt"),
        ("bureau", "CREDIT_CURRENCY", "currency 4"),
        ("bureau", "CREDIT_TYPE", "Mobile operator loan"),
        ("bureau", "CREDIT_TYPE", "Interbank credit"),
        ("previous_application", "NAME_GOODS_CATEGORY", "Animals"),
        ("POS_CASH_balance", "NAME_CONTRACT_STATUS", "XNA"),
        ("credit_card_balance", "NAME_CONTRACT_STATUS", "Demand"),
    ],
)
def test_rare_kaggle_levels_missing_from_the_sample_are_in_the_schema(group: str, column: str, level: str) -> None:
    assert level in LEVELS[(group, column)]


def test_full_kaggle_level_set_sizes() -> None:
    sizes = {key: len(levels) for key, levels in LEVELS.items()}
    assert sizes[("application", "ORGANIZATION_TYPE")] == 58
    assert sizes[("application", "OCCUPATION_TYPE")] == 18
    assert sizes[("bureau", "CREDIT_TYPE")] == 15
    assert sizes[("previous_application", "NAME_GOODS_CATEGORY")] == 28
    assert sizes[("previous_application", "NAME_CASH_LOAN_PURPOSE")] == 25


def test_train_is_test_plus_target_and_keys_are_as_kaggle_defines_them() -> None:
    train, test = TABLES["application_train"].column_names, TABLES["application_test"].column_names
    assert tuple(c for c in train if c != "TARGET") == test
    assert train[:2] == ("SK_ID_CURR", "TARGET")
    assert TABLES["bureau_balance"].key == ("SK_ID_BUREAU", "MONTHS_BALANCE")
    assert TABLES["POS_CASH_balance"].key == TABLES["credit_card_balance"].key == ("SK_ID_PREV", "MONTHS_BALANCE")
    assert TABLES["previous_application"].key == ("SK_ID_PREV",)
    assert set(HISTORY_TABLES) == set(TABLE_NAMES) - {"application_train", "application_test"}


def test_every_schema_column_is_described_in_the_kaggle_description_file(real_sample_dir: Path) -> None:
    desc = pd.read_csv(real_sample_dir / "HomeCredit_columns_description.csv.gz", encoding="cp1252")
    described = {name.strip() for name in desc["Row"]}  # the file writes "SK_ID_PREV " with a trailing space
    # The description file calls SK_ID_BUREAU "SK_BUREAU_ID" (a known typo of the file); every other column is there.
    missing = {c for t in TABLES.values() for c in t.column_names} - described - {"SK_ID_BUREAU"}
    assert missing == set()


def test_get_table_names_the_known_tables_when_asked_for_an_unknown_one() -> None:
    with pytest.raises(KeyError, match="expected one of application_train"):
        get_table("applications")


def test_kaggle_row_counts_cover_every_table_and_add_up_to_the_full_data() -> None:
    from credit_scoring.data.schema import KAGGLE_ROWS

    assert set(KAGGLE_ROWS) == set(TABLE_NAMES)
    assert sum(KAGGLE_ROWS.values()) == 58_489_893
