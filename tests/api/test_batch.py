"""Batch uploads: CSV, JSON and NDJSON in, NDJSON or CSV out; malformed uploads are 422 naming line and column."""

from __future__ import annotations

import csv
import io
import json

from tests.api.conftest import OWN_ID, Api

HEADER = "NAME_CONTRACT_TYPE,AMT_INCOME_TOTAL,AMT_CREDIT,DAYS_BIRTH,CNT_CHILDREN,EXT_SOURCE_2"


def _post(api: Api, content: str | bytes, name: str = "batch.csv", **params: str):  # type: ignore[no-untyped-def]
    return api.http.post("/api/v1/batch", params=params, files={"file": (name, content)}, headers=api.advisor)


def test_csv_applications_to_csv(api: Api) -> None:
    upload = f"{HEADER}\nCash loans,100000,200000,-12000,1.0,0.5\nRevolving loans,80000,40000,-20000,,\n"
    response = _post(api, upload, format="csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["line"] for r in rows] == ["2", "3"] and all(r["decision_id"] for r in rows)


def test_json_and_ndjson(api: Api) -> None:
    row = {"NAME_CONTRACT_TYPE": "Cash loans", "AMT_INCOME_TOTAL": 1e5, "AMT_CREDIT": 2e5, "DAYS_BIRTH": -12000}
    as_array = _post(api, json.dumps([row, row]), "rows.json")
    assert as_array.status_code == 200 and len(as_array.text.splitlines()) == 2
    ndjson = _post(api, "\n".join(json.dumps(r) for r in [row, row, row]) + "\n", "rows.ndjson")
    assert ndjson.status_code == 200 and [json.loads(x)["line"] for x in ndjson.text.splitlines()] == [1, 2, 3]


def test_bad_value_names_line_and_column(api: Api) -> None:
    upload = f"{HEADER}\nCash loans,100000,200000,-12000,0,0.5\nCash loans,lots,200000,-12000,0,0.5\n"
    response = _post(api, upload)
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "line 3, column AMT_INCOME_TOTAL" and error["value"] == "lots"
    assert "number" in error["expected"]


def test_unknown_column_and_category(api: Api) -> None:
    response = _post(api, "NAME_CONTRACT_TYPE,AMT_INCOME_TOTAL,AMT_CREDIT,DAYS_BIRTH,COLOUR\nMortgage,1,2,-9000,red\n")
    fields = {e["field"]: e for e in response.json()["errors"]}
    assert response.status_code == 422
    assert "line 2, column NAME_CONTRACT_TYPE" in fields and "line 2, column COLOUR" in fields


def test_malformed_files(api: Api) -> None:
    too_many = _post(api, "SK_ID_CURR\n100001,5\n")
    assert too_many.status_code == 422 and too_many.json()["errors"][0]["field"] == "line 2"
    bad_json = _post(api, '{"AMT_CREDIT": 1}\n{"AMT_CREDIT": \n', "x.ndjson")
    assert bad_json.status_code == 422 and bad_json.json()["errors"][0]["field"].startswith("line 2, column")
    assert _post(api, b"\xff\xfe\x00bad").status_code == 422
    assert _post(api, "").status_code == 422
    assert _post(api, "SK_ID_CURR\n").status_code == 422


def test_unknown_ids_are_refused_before_scoring(api: Api) -> None:
    response = _post(api, f"SK_ID_CURR\n{OWN_ID}\n42\n")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "line 3, column SK_ID_CURR", "value": 42, "expected": "a known client id"}
    ]


def test_domain_error_mid_stream_ends_with_an_error_record(api: Api) -> None:
    upload = f"{HEADER},AMT_ANNUITY\nCash loans,100000,200000,-12000,0,0.5,10\nCash loans,1,2,-12000,0,0.5,99\n"
    response = _post(api, upload)
    assert response.status_code == 200
    last = json.loads(response.text.splitlines()[-1])
    assert last["field"] == "line 2" and "AMT_ANNUITY" in last["expected"]
