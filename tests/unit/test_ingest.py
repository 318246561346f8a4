"""Ingest: tiny linked CSV fixtures built from schema.py, every error message, outputs, CLI and the real sample."""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from credit_scoring.cli import app
from credit_scoring.data.ingest import REPORT_NAME, IngestReport, ingest
from credit_scoring.data.schema import TABLE_NAMES, TABLES, get_table
from credit_scoring.errors import DataError

# --- factory ----------------------------------------------------------------------------------------------------------

_TRAIN_IDS = [100001, 100002, 100003, 100004]
_TEST_IDS = [100005, 100006]
_BUREAU_IDS = [5000001, 5000002, 5000003]
_PREV_IDS = [2000001, 2000002, 2000003]


def _frame(table: str, ids: dict[str, list[int]]) -> pd.DataFrame:
    """Rows of ``table``: the given id columns, every other column filled by dtype (ints, floats, schema levels)."""
    n = len(next(iter(ids.values())))
    data: dict[str, list[object]] = {}
    for col in get_table(table).columns:
        if col.name in ids:
            data[col.name] = list(ids[col.name])
        elif col.dtype == "int64":
            data[col.name] = [i % 2 for i in range(n)]
        elif col.dtype == "float64":
            data[col.name] = [0.5 + i for i in range(n)]
        else:
            data[col.name] = [col.levels[i % len(col.levels)] for i in range(n)]
    frame = pd.DataFrame(data)
    for col in get_table(table).columns:
        if col.dtype == "int64":
            frame[col.name] = frame[col.name].astype("int64")
    return frame


def make_tables() -> dict[str, pd.DataFrame]:
    """The eight tables, a few rows each, every foreign key resolving (no orphans, only schema levels)."""
    curr = _TRAIN_IDS + _TEST_IDS
    return {
        "application_train": _frame("application_train", {"SK_ID_CURR": _TRAIN_IDS, "TARGET": [0, 1, 0, 0]}),
        "application_test": _frame("application_test", {"SK_ID_CURR": _TEST_IDS}),
        "bureau": _frame("bureau", {"SK_ID_CURR": curr[:3], "SK_ID_BUREAU": _BUREAU_IDS}),
        "bureau_balance": _frame(
            "bureau_balance",
            {"SK_ID_BUREAU": [5000001, 5000001, 5000002, 5000003], "MONTHS_BALANCE": [0, -1, 0, 0]},
        ),
        "previous_application": _frame("previous_application", {"SK_ID_PREV": _PREV_IDS, "SK_ID_CURR": curr[2:5]}),
        "POS_CASH_balance": _frame(
            "POS_CASH_balance",
            {
                "SK_ID_PREV": [2000001, 2000001, 2000002],
                "SK_ID_CURR": [100003] * 2 + [100004],
                "MONTHS_BALANCE": [0, -1, 0],
            },
        ),
        "installments_payments": _frame(
            "installments_payments",
            # installments_payments has no key: a repeated row is legitimate (the real file has some).
            {"SK_ID_PREV": [2000001, 2000001, 2000003], "SK_ID_CURR": [100003, 100003, 100005]},
        ),
        "credit_card_balance": _frame(
            "credit_card_balance",
            {"SK_ID_PREV": [2000002, 2000002], "SK_ID_CURR": [100004, 100004], "MONTHS_BALANCE": [-2, -1]},
        ),
    }


def write_tables(folder: Path, tables: dict[str, pd.DataFrame] | None = None, *, gz: bool = False) -> Path:
    """Write the tables as Kaggle CSVs (``.csv`` or ``.csv.gz``) and return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in (tables or make_tables()).items():
        path = folder / f"{name}.csv{'.gz' if gz else ''}"
        frame.to_csv(path, index=False, compression="gzip" if gz else None)
    return folder


def write_raw(folder: Path, table: str, text: str) -> None:
    """Replace one table's CSV with literal text (header and rows), for malformed-input tests."""
    (folder / f"{table}.csv").write_text(text, encoding="utf-8")


def csv_text(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return write_tables(tmp_path / "raw")


def _error(source: Path, out: Path) -> str:
    with pytest.raises(DataError) as info:
        ingest(source, out)
    message = str(info.value)
    assert "\n" not in message, "messages are shown on one line"
    return message


# --- happy paths ------------------------------------------------------------------------------------------------------


def _assert_tables(out: Path, report: IngestReport) -> None:
    expected_rows = {name: len(frame) for name, frame in make_tables().items()}
    assert report.rows == expected_rows
    for name in TABLE_NAMES:
        schema = get_table(name)
        arrow = pq.read_schema(out / schema.parquet_name)
        assert tuple(arrow.names) == schema.column_names
        frame = pd.read_parquet(out / schema.parquet_name)
        for col in schema.columns:
            kind = frame[col.name].dtype.kind
            assert kind == {"int64": "i", "float64": "f", "category": kind}[col.dtype], (name, col.name)
            if col.dtype == "category":
                assert pd.api.types.is_string_dtype(frame[col.name]), (name, col.name)
    assert not list(out.glob(".ingest-*")), "the staging folder is removed"


def test_ingest_csv_folder_writes_one_parquet_per_table(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "tables"
    report = ingest(source, out)

    _assert_tables(out, report)
    assert report.unknown_levels == []
    assert all(o.count == 0 for o in report.orphans)
    saved = json.loads((out / REPORT_NAME).read_text())
    assert saved["rows"] == report.rows
    assert "orphan foreign keys: none" in report.summary()
    frame = pd.read_parquet(out / "application_train.parquet")
    assert frame["SK_ID_CURR"].tolist() == _TRAIN_IDS
    assert frame["TARGET"].tolist() == [0, 1, 0, 0]


def test_ingest_reports_progress(source: Path, tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    ingest(source, tmp_path / "tables", progress=lambda step, done, total: calls.append((step, done, total)))
    assert ("convert to Parquet", 8, 8) in calls
    assert calls[-1][1] == calls[-1][2]


def test_ingest_gzip_csv(tmp_path: Path) -> None:
    source = write_tables(tmp_path / "raw", gz=True)
    (source / "HomeCredit_columns_description.csv").write_text("ignored\n")
    (source / "sample_submission.csv").write_text("SK_ID_CURR,TARGET\n")
    out = tmp_path / "tables"
    _assert_tables(out, ingest(source, out))


def test_ingest_kaggle_zip(tmp_path: Path) -> None:
    raw = write_tables(tmp_path / "raw")
    archive = tmp_path / "home-credit-default-risk.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in raw.iterdir():
            zf.write(path, arcname=path.name)
        zf.writestr("sample_submission.csv", "SK_ID_CURR,TARGET\n")
    out = tmp_path / "tables"
    _assert_tables(out, ingest(archive, out))
    assert sorted(p.name for p in out.iterdir()) == sorted([*(f"{t}.parquet" for t in TABLE_NAMES), REPORT_NAME])


def test_ingest_zip_missing_member(tmp_path: Path) -> None:
    raw = write_tables(tmp_path / "raw")
    archive = tmp_path / "home-credit-default-risk.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in raw.iterdir():
            if path.name != "bureau.csv":
                zf.write(path, arcname=path.name)
    message = _error(archive, tmp_path / "tables")
    assert "missing table bureau in the zip" in message
    assert "bureau.csv" in message


def test_ingest_parquet_folder_is_revalidated_and_copied(source: Path, tmp_path: Path) -> None:
    first = tmp_path / "first"
    ingest(source, first)
    second = tmp_path / "second"
    _assert_tables(second, ingest(first, second))


def test_ingest_parquet_with_wrong_type(source: Path, tmp_path: Path) -> None:
    first = tmp_path / "first"
    ingest(source, first)
    frame = pd.read_parquet(first / "bureau.parquet")
    frame["DAYS_CREDIT"] = frame["DAYS_CREDIT"].astype("string")
    frame.to_parquet(first / "bureau.parquet")
    message = _error(first, tmp_path / "second")
    assert message == "bureau.parquet: column DAYS_CREDIT has type VARCHAR; expected a whole number (int64)"


# --- missing and misplaced columns and tables -------------------------------------------------------------------------


def test_missing_table_names_the_files_and_the_folder(source: Path, tmp_path: Path) -> None:
    (source / "bureau_balance.csv").unlink()
    (source / "credit_card_balance.csv").unlink()
    message = _error(source, tmp_path / "tables")
    assert message.startswith(f"missing tables bureau_balance, credit_card_balance in {source}: expected one file")
    assert "application_train.csv" in message and "installments_payments.csv" in message


def test_missing_source(tmp_path: Path) -> None:
    message = _error(tmp_path / "nowhere", tmp_path / "tables")
    assert "does not exist" in message and "home-credit-default-risk.zip" in message


def test_missing_column(source: Path, tmp_path: Path) -> None:
    tables = make_tables()
    write_raw(source, "bureau", csv_text(tables["bureau"].drop(columns=["CREDIT_TYPE"])))
    message = _error(source, tmp_path / "tables")
    assert message == (
        "bureau.csv: missing column 'CREDIT_TYPE'; expected the 17 columns of bureau in the Kaggle order"
    )


def test_unexpected_column_named_with_position(source: Path, tmp_path: Path) -> None:
    frame = make_tables()["POS_CASH_balance"]
    frame.insert(3, "EXTRA", 1)
    write_raw(source, "POS_CASH_balance", csv_text(frame))
    message = _error(source, tmp_path / "tables")
    assert message == (
        "POS_CASH_balance.csv: unexpected column 'EXTRA' at position 4; "
        "expected only the 8 columns of POS_CASH_balance in the Kaggle order"
    )


def test_renamed_column_reports_both(source: Path, tmp_path: Path) -> None:
    frame = make_tables()["bureau_balance"].rename(columns={"STATUS": "STATE"})
    write_raw(source, "bureau_balance", csv_text(frame))
    message = _error(source, tmp_path / "tables")
    assert "missing column 'STATUS'" in message and "unexpected column 'STATE' at position 3" in message


def test_columns_in_a_different_order(source: Path, tmp_path: Path) -> None:
    frame = make_tables()["bureau_balance"][["SK_ID_BUREAU", "STATUS", "MONTHS_BALANCE"]]
    write_raw(source, "bureau_balance", csv_text(frame))
    message = _error(source, tmp_path / "tables")
    assert message == (
        "bureau_balance.csv: columns are in a different order: position 2 is 'STATUS' where 'MONTHS_BALANCE' was "
        "expected; expected the 3 columns of bureau_balance in the Kaggle order"
    )


def test_repeated_column(source: Path, tmp_path: Path) -> None:
    write_raw(source, "bureau_balance", "SK_ID_BUREAU,MONTHS_BALANCE,STATUS,STATUS\n5000001,0,C,C\n")
    message = _error(source, tmp_path / "tables")
    assert "column 'STATUS' appears twice (again at position 4)" in message


def test_empty_file(source: Path, tmp_path: Path) -> None:
    write_raw(source, "bureau", "")
    assert _error(source, tmp_path / "tables").startswith("bureau.csv is empty: expected a header line")


# --- values -----------------------------------------------------------------------------------------------------------


def test_unparseable_number_names_file_line_column_value_and_type(source: Path, tmp_path: Path) -> None:
    frame = make_tables()["bureau"]
    frame["AMT_CREDIT_SUM"] = frame["AMT_CREDIT_SUM"].astype(object)
    frame.loc[1, "AMT_CREDIT_SUM"] = "12,5 EUR"
    write_raw(source, "bureau", csv_text(frame))
    message = _error(source, tmp_path / "tables")
    # Header is line 1, so the second data row is line 3.
    assert message == "bureau.csv: line 3, column AMT_CREDIT_SUM: cannot read '12,5 EUR' as a number (float64)"


def test_unparseable_integer(source: Path, tmp_path: Path) -> None:
    frame = make_tables()["bureau_balance"]
    frame["MONTHS_BALANCE"] = frame["MONTHS_BALANCE"].astype(object)
    frame.loc[3, "MONTHS_BALANCE"] = "last"
    write_raw(source, "bureau_balance", csv_text(frame))
    message = _error(source, tmp_path / "tables")
    assert message == "bureau_balance.csv: line 5, column MONTHS_BALANCE: cannot read 'last' as a whole number (int64)"


def test_fraction_in_integer_column_is_not_rounded(source: Path, tmp_path: Path) -> None:
    frame = make_tables()["application_test"]
    frame["CNT_CHILDREN"] = frame["CNT_CHILDREN"].astype(object)
    frame.loc[1, "CNT_CHILDREN"] = "2.5"
    write_raw(source, "application_test", csv_text(frame))
    message = _error(source, tmp_path / "tables")
    assert message == "application_test.csv: line 3, column CNT_CHILDREN: cannot read '2.5' as a whole number (int64)"


def test_unparseable_value_in_gzip(tmp_path: Path) -> None:
    source = write_tables(tmp_path / "raw", gz=True)
    frame = make_tables()["credit_card_balance"]
    frame["AMT_BALANCE"] = frame["AMT_BALANCE"].astype(object)
    frame.loc[0, "AMT_BALANCE"] = "n/a"
    frame.to_csv(source / "credit_card_balance.csv.gz", index=False, compression="gzip")
    message = _error(source, tmp_path / "tables")
    assert message == "credit_card_balance.csv.gz: line 2, column AMT_BALANCE: cannot read 'n/a' as a number (float64)"


def test_row_with_too_many_fields(source: Path, tmp_path: Path) -> None:
    write_raw(source, "bureau_balance", "SK_ID_BUREAU,MONTHS_BALANCE,STATUS\n5000001,0,C\n5000001,-1,C,9\n")
    message = _error(source, tmp_path / "tables")
    assert message == "bureau_balance.csv: line 3 has 4 fields; expected 3 (the columns of bureau_balance)"


@pytest.mark.parametrize("table", [t for t in TABLE_NAMES if TABLES[t].key])
def test_duplicate_key(source: Path, tmp_path: Path, table: str) -> None:
    frame = make_tables()[table]
    frame = pd.concat([frame, frame.iloc[[0]], frame.iloc[[0]]], ignore_index=True)
    write_raw(source, table, csv_text(frame))
    message = _error(source, tmp_path / "tables")
    key = TABLES[table].key
    example = ", ".join(f"{k}={frame.loc[0, k]}" for k in key)
    assert message == (
        f"{table}.csv: duplicate key ({', '.join(key)}): 1 key value appears more than once (3 rows), "
        f"e.g. {example} appears 3 times; expected each key once"
    )


def test_empty_key(source: Path, tmp_path: Path) -> None:
    write_raw(source, "bureau_balance", "SK_ID_BUREAU,MONTHS_BALANCE,STATUS\n5000001,0,C\n,-1,C\n")
    message = _error(source, tmp_path / "tables")
    assert message == (
        "bureau_balance.csv: 1 rows have an empty key (SK_ID_BUREAU, MONTHS_BALANCE); expected every row to have one"
    )


def test_orphan_foreign_keys_are_counted_not_fatal(tmp_path: Path) -> None:
    tables = make_tables()
    extra_bureau = _frame("bureau", {"SK_ID_CURR": [999999], "SK_ID_BUREAU": [5999999]})
    tables["bureau"] = pd.concat([tables["bureau"], extra_bureau], ignore_index=True)
    extra_bb = _frame("bureau_balance", {"SK_ID_BUREAU": [6000000, 6000000], "MONTHS_BALANCE": [0, -1]})
    tables["bureau_balance"] = pd.concat([tables["bureau_balance"], extra_bb], ignore_index=True)
    extra_pos = _frame("POS_CASH_balance", {"SK_ID_PREV": [2999999], "SK_ID_CURR": [100001], "MONTHS_BALANCE": [0]})
    tables["POS_CASH_balance"] = pd.concat([tables["POS_CASH_balance"], extra_pos], ignore_index=True)
    out = tmp_path / "tables"
    report = ingest(write_tables(tmp_path / "raw", tables), out)

    counts = {(o.table, o.columns): o.count for o in report.orphans}
    assert counts[("bureau", ("SK_ID_CURR",))] == 1
    assert counts[("bureau_balance", ("SK_ID_BUREAU",))] == 2
    assert counts[("POS_CASH_balance", ("SK_ID_PREV",))] == 1
    assert counts[("POS_CASH_balance", ("SK_ID_CURR",))] == 0
    assert sum(counts.values()) == 4
    assert report.rows["bureau_balance"] == 6, "orphan rows are kept"
    assert "bureau_balance.SK_ID_BUREAU not in bureau: 2 rows" in report.summary()
    saved = json.loads((out / REPORT_NAME).read_text())
    assert {
        "table": "bureau",
        "columns": ["SK_ID_CURR"],
        "ref_tables": ["application_train", "application_test"],
        "count": 1,
    } in saved["orphans"]


def test_unknown_levels_are_counted_and_kept(tmp_path: Path) -> None:
    tables = make_tables()
    tables["application_train"]["CODE_GENDER"] = ["F", "Q", "Q", "M"]
    tables["bureau_balance"]["STATUS"] = ["C", "Z", "0", "C"]
    out = tmp_path / "tables"
    report = ingest(write_tables(tmp_path / "raw", tables), out)

    found = {(u.table, u.column, u.level): u.count for u in report.unknown_levels}
    assert found == {("application_train", "CODE_GENDER", "Q"): 2, ("bureau_balance", "STATUS", "Z"): 1}
    assert pd.read_parquet(out / "application_train.parquet")["CODE_GENDER"].tolist() == ["F", "Q", "Q", "M"]
    assert "application_train.CODE_GENDER = 'Q': 2 rows" in report.summary()


def test_empty_values_become_missing(tmp_path: Path) -> None:
    tables = make_tables()
    tables["bureau"]["AMT_ANNUITY"] = [None, 1.0, None]
    tables["bureau"]["CREDIT_TYPE"] = [None, "Consumer credit", None]
    out = tmp_path / "tables"
    ingest(write_tables(tmp_path / "raw", tables), out)
    frame = pd.read_parquet(out / "bureau.parquet")
    assert frame["AMT_ANNUITY"].isna().tolist() == [True, False, True]
    assert frame["CREDIT_TYPE"].isna().tolist() == [True, False, True]


# --- atomicity --------------------------------------------------------------------------------------------------------


def test_failed_run_writes_no_table(source: Path, tmp_path: Path) -> None:
    frame = make_tables()["credit_card_balance"]
    write_raw(source, "credit_card_balance", csv_text(pd.concat([frame, frame], ignore_index=True)))
    out = tmp_path / "tables"
    _error(source, out)
    assert list(out.iterdir()) == [], "no table, no report, no staging folder after a failure"


def test_failed_run_keeps_previous_tables(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "tables"
    ingest(source, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    write_raw(source, "bureau_balance", "SK_ID_BUREAU,MONTHS_BALANCE,STATUS\n5000001,x,C\n")
    _error(source, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


# --- CLI --------------------------------------------------------------------------------------------------------------


def test_cli_ingest_bad_input_prints_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["data", "ingest", str(tmp_path / "nowhere"), "--out", str(tmp_path / "t")])
    assert result.exit_code == 1
    output = result.output.strip()
    assert "Traceback" not in output
    assert output.startswith("error:") and "does not exist" in output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_cli_ingest_prints_summary(source: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["data", "ingest", str(source), "--out", str(tmp_path / "t")])
    assert result.exit_code == 0, result.output
    assert "application_train" in result.output and "orphan foreign keys" in result.output


# --- real sample ------------------------------------------------------------------------------------------------------

_REAL_ROWS = {
    "application_train": 50_517,
    "application_test": 10_729,
    "bureau": 55_952,
    "bureau_balance": 1_207_750,
    "previous_application": 49_922,
    "POS_CASH_balance": 293_814,
    "installments_payments": 7_630,
    "credit_card_balance": 119_905,
}


@pytest.mark.real_data
def test_ingest_real_sample(real_sample_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "tables"
    report = ingest(real_sample_dir, out)

    assert report.rows == _REAL_ROWS
    assert report.unknown_levels == []
    assert all(o.count >= 0 for o in report.orphans)
    assert len(report.orphans) == sum(len(TABLES[t].foreign_keys) for t in TABLE_NAMES)
    for name in TABLE_NAMES:
        schema = get_table(name)
        arrow = pq.read_schema(out / schema.parquet_name)
        assert tuple(arrow.names) == schema.column_names
        want = {"int64": "int64", "float64": "double", "category": "string"}
        assert [str(t) for t in arrow.types] == [want[c.dtype] for c in schema.columns], name


def test_gzip_fixture_round_trip(tmp_path: Path) -> None:
    """Guard the factory itself: gzip output is real gzip with the schema header."""
    folder = write_tables(tmp_path / "raw", gz=True)
    with gzip.open(folder / "bureau.csv.gz", "rt") as fh:
        assert fh.readline().strip().split(",") == list(get_table("bureau").column_names)
