"""Extract the English column descriptions from the original Kaggle file into features/column_descriptions.json.

The Kaggle file (HomeCredit_columns_description.csv, cp1252) is metadata, not data rows, so its text may live in the
repository. French translations are written by hand in the JSON; re-running this script refreshes the English text and
keeps every French text already reviewed (a changed English text is flagged with ``"fr_review": true``).

Usage: python scripts/import_column_descriptions.py [path/to/HomeCredit_columns_description.csv.gz]
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "credit_scoring" / "features" / "column_descriptions.json"
DEFAULT = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "home-credit" / "HomeCredit_columns_description.csv.gz"
)

# The Kaggle file names tables by file; we name them as data/schema.py does ("application" covers train and test).
_TABLE = {
    "application_{train|test}.csv": "application",
    "bureau.csv": "bureau",
    "bureau_balance.csv": "bureau_balance",
    "previous_application.csv": "previous_application",
    "POS_CASH_balance.csv": "POS_CASH_balance",
    "installments_payments.csv": "installments_payments",
    "credit_card_balance.csv": "credit_card_balance",
}


def read_descriptions(path: Path) -> list[dict[str, str]]:
    """Rows (table, column, en, special) of the Kaggle description file, decoded from cp1252."""
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    rows = []
    for rec in csv.DictReader(io.StringIO(raw.decode("cp1252"))):
        table = _TABLE.get(rec["Table"].strip())
        if table is None:
            continue
        rows.append(
            {
                "table": table,
                "column": rec["Row"].strip(),
                "en": " ".join(rec["Description"].split()),
                "special": " ".join((rec.get("Special") or "").split()),
            }
        )
    return rows


def main() -> None:
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    old = {(e["table"], e["column"]): e for e in json.loads(OUT.read_text("utf-8"))} if OUT.is_file() else {}
    out = []
    for row in read_descriptions(src):
        prev = old.get((row["table"], row["column"]), {})
        entry = {**row, "fr": prev.get("fr", "")}
        if prev and prev.get("en") != row["en"]:
            entry["fr_review"] = True
        out.append(entry)
    OUT.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", "utf-8")
    missing = sum(1 for e in out if not e["fr"])
    print(f"{len(out)} descriptions written to {OUT}; {missing} without a French translation")


if __name__ == "__main__":
    main()
