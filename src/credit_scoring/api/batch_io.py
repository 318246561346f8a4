"""Batch uploads: CSV, JSON array or NDJSON in; rows validated before anything is scored; CSV or NDJSON out.

An upload is refused as a whole (422) when any row is malformed, with the line and the column of each error (up to
``_MAX_ERRORS``), so that a partial batch is never half-logged. A file whose only column is SK_ID_CURR scores known
clients; any other file holds applications (the ApplicationIn fields).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from credit_scoring.api.errors import BatchInputError, field_errors
from credit_scoring.schemas import APPLICATION_COLUMNS, ApplicationIn, FieldError, ScoreResult
from credit_scoring.service import BatchItem

__all__ = ["OUTPUT_COLUMNS", "ParsedBatch", "format_rows", "parse_batch"]

_MAX_ERRORS = 20
_INT_COLUMNS = frozenset(c.name for c in APPLICATION_COLUMNS if c.dtype == "int64")
_INTEGRAL_FLOAT = re.compile(r"^\s*-?\d+\.0*\s*$")
OUTPUT_COLUMNS = ("line", "sk_id", "probability", "decision", "threshold", "model_version", "decision_id")
OutputFormat = Literal["ndjson", "csv"]


@dataclass(frozen=True)
class ParsedBatch:
    items: list[BatchItem]
    lines: list[int]
    by_id: bool


def _fail(errors: list[FieldError], detail: str) -> BatchInputError:
    return BatchInputError(errors, detail)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(
            [FieldError(field=f"byte {exc.start}", value=None, expected="UTF-8 text")], "the upload is not UTF-8 text"
        ) from None


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise _fail([FieldError(field="line 1", value=None, expected="a header line")], "the CSV has no header")
        header = [h.strip() for h in header]
        duplicates = sorted({h for h in header if header.count(h) > 1})
        if duplicates:
            raise _fail(
                [FieldError(field=f"line 1, column {h}", value=h, expected="each column once") for h in duplicates],
                "the CSV header repeats a column",
            )
        for values in reader:
            line = reader.line_num
            if not values or all(not v.strip() for v in values):
                continue
            if len(values) > len(header):
                raise _fail(
                    [FieldError(field=f"line {line}", value=len(values), expected=f"at most {len(header)} values")],
                    f"line {line} has more values than the header has columns",
                )
            row = {name: (value if value.strip() else None) for name, value in zip(header, values, strict=False)}
            yield line, row
    except csv.Error as exc:
        raise _fail(
            [FieldError(field=f"line {reader.line_num}", value=None, expected=f"valid CSV ({exc})")], "malformed CSV"
        ) from None


def _json_rows(text: str) -> Iterator[tuple[int, Any]]:
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as exc:
            raise _fail(
                [FieldError(field=f"line {exc.lineno}, column {exc.colno}", value=None, expected=exc.msg)],
                "malformed JSON",
            ) from None
        if not isinstance(rows, list):
            raise _fail([FieldError(field="line 1", value=None, expected="a JSON array of objects")], "malformed JSON")
        # One object per line is the usual layout; "line" is the position in the array when it is not.
        yield from enumerate(rows, start=1)
        return
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            yield number, json.loads(raw)
        except json.JSONDecodeError as exc:
            raise _fail(
                [FieldError(field=f"line {number}, column {exc.colno}", value=None, expected=exc.msg)],
                f"malformed NDJSON at line {number}",
            ) from None


def _normalise(row: Mapping[str, Any]) -> dict[str, Any]:
    """Integer columns written by pandas with missing values look like ``3.0``: accept them as integers."""
    out = dict(row)
    for name in _INT_COLUMNS.intersection(out):
        value = out[name]
        if isinstance(value, str) and _INTEGRAL_FLOAT.match(value):
            out[name] = value.strip().split(".")[0]
        elif isinstance(value, float) and value.is_integer():
            out[name] = int(value)
    return out


def parse_batch(data: bytes, *, max_rows: int) -> ParsedBatch:
    """Parse and validate a whole upload, or raise ``BatchInputError`` naming lines and columns."""
    text = _decode(data)
    stripped = text.lstrip()
    rows: Iterable[tuple[int, Any]] = _json_rows(text) if stripped[:1] in ("[", "{") else _csv_rows(text)
    items: list[BatchItem] = []
    lines: list[int] = []
    errors: list[FieldError] = []
    by_id: bool | None = None
    for line, row in rows:
        if len(lines) >= max_rows:
            raise _fail(
                [FieldError(field=f"line {line}", value=None, expected=f"at most {max_rows} rows")],
                f"the upload has more than {max_rows} rows: split it",
            )
        lines.append(line)
        if not isinstance(row, dict):
            errors.append(FieldError(field=f"line {line}", value=None, expected="an object of application fields"))
            continue
        given = {k for k, v in row.items() if v is not None}
        if by_id is None:
            by_id = set(row) == {"SK_ID_CURR"}
        if by_id:
            value = row.get("SK_ID_CURR")
            try:
                sk_id = int(str(value).strip()) if not isinstance(value, bool) else -1
            except ValueError:
                sk_id = -1
            if sk_id < 0 or not given:
                errors.append(
                    FieldError(field=f"line {line}, column SK_ID_CURR", value=value, expected="a client id (integer)")
                )
            items.append(sk_id)
            continue
        try:
            items.append(ApplicationIn.model_validate(_normalise(row)))
        except ValidationError as exc:
            for error in field_errors(exc.errors(), prefix=f"line {line}, column "):
                errors.append(error)
        if len(errors) >= _MAX_ERRORS:
            break
    if errors:
        errors = errors[:_MAX_ERRORS]
        first = errors[0]
        raise _fail(errors, f"the upload has invalid rows; first: {first.field}: expected {first.expected}")
    if not items:
        raise _fail([FieldError(field="line 1", value=None, expected="at least one row")], "the upload has no rows")
    return ParsedBatch(items=items, lines=lines, by_id=bool(by_id))


def format_rows(rows: Iterable[tuple[int, ScoreResult]], output: OutputFormat, *, header: bool) -> Iterator[str]:
    """Result lines; the CSV header is written once, before the first chunk."""
    if output == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        if header:
            writer.writerow(OUTPUT_COLUMNS)
        for line, score in rows:
            writer.writerow(
                [
                    line,
                    score.sk_id,
                    score.probability,
                    score.decision,
                    score.threshold,
                    score.model_version,
                    score.decision_id,
                ]
            )
        yield buffer.getvalue()
        return
    for line, score in rows:
        yield (
            json.dumps(
                {
                    "line": line,
                    "sk_id": score.sk_id,
                    "probability": score.probability,
                    "decision": score.decision,
                    "threshold": score.threshold,
                    "model_version": score.model_version,
                    "decision_id": score.decision_id,
                }
            )
            + "\n"
        )
