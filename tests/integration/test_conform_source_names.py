"""`source_name`: a bronze column reads the file column spelt exactly so (CSV header, JSON
key), whatever the order, case and spaces of the file's columns.

Real embedded Spark reads each file through the runtime (`read_landing_file` +
`conform_file`); the oracle is Python's own csv / json modules reading the same bytes and
picking each contract column by the exact header, or, for a column without a source_name,
by its name ignoring case.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from alur_runtime.config import Column, FileSource
from alur_runtime.conform import conform_file, file_columns, read_landing_file

pytestmark = pytest.mark.spark

COLUMNS: list[Column] = [
    {"name": "order_id", "type": "string", "nullable": False, "source_name": "Order ID"},
    {"name": "order_date", "type": "date", "nullable": True, "source_name": "order date"},
    {"name": "amount", "type": "int", "nullable": True},  # plain: matched ignoring case
    {"name": "customer", "type": "string", "nullable": True, "source_name": " Customer Name "},
    {"name": "unit_price", "type": "double", "nullable": True, "source_name": "Unit.Price"},
    {"name": "tick", "type": "string", "nullable": True, "source_name": "it`s"},
    {"name": "note", "type": "string", "nullable": True, "source_name": "Note"},  # absent
]
HEADERS = [
    ["Order ID", "order date", "AMOUNT", " Customer Name ", "Unit.Price", "it`s", "extra"],
    ["extra", "Unit.Price", " Customer Name ", "order date", "it`s", "Amount", "Order ID"],
    ["it`s", "ORDER DATE ", "Order ID", "amount", "order date", " Customer Name "],
]
#: headers that differ only in case within one file: Spark's CSV reader renames both
#: (spark.sql.caseSensitive=false), so neither is found and a required column is missing
CASE_TWINS = ["order ID", "Order ID", "amount"]
VALUES = {
    "Order ID": ["o-1", "o 2", ""],
    "order date": ["2024-01-31", "", "2024-02-29"],
    "amount": ["10", "-3", ""],
    " Customer Name ": ["Ann", " Bob ", "Zoë"],
    "Unit.Price": ["1.5", "", "2"],
    "it`s": ["x", "y", "z"],
    "extra": ["e1", "e2", "e3"],
    "order ID": ["WRONG1", "WRONG2", "WRONG3"],
    "ORDER DATE ": ["1999-01-01", "1999-01-02", "1999-01-03"],
    "Customer Name": ["A", "B", "C"],
}
_CAST = {
    "string": str,
    "int": int,
    "double": float,
    "date": dt.date.fromisoformat,
}


def _value(header: str, row: int) -> str:
    return VALUES[header.lower() if header.lower() == "amount" else header][row]


def _expected(records: list[dict[str, Any]], null: Any) -> list[dict[str, Any]]:
    """The contract rows as plain Python reads them: exact source_name, else the name
    ignoring case (and blanks around the file's name); values cast like the contract."""
    out = []
    for rec in records:
        folded = {k.strip().lower(): k for k in rec}
        row: dict[str, Any] = {}
        for col in COLUMNS:
            source = col.get("source_name")
            key = source if source is not None else folded.get(col["name"])
            raw = rec.get(key) if key is not None else None
            row[col["name"]] = None if raw is None or raw == null else _CAST[col["type"]](raw)
        out.append(row)
    return out


def _spark_rows(df: Any) -> list[dict[str, Any]]:
    names = [c["name"] for c in COLUMNS]
    assert df.columns[: len(names)] == names
    return [{n: r[n] for n in names} for r in df.select(*names).collect()]


def _csv_file(path: Path, headers: list[str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        for i in range(3):
            writer.writerow([_value(h, i) for h in headers])
    return path


def _source(fmt: str) -> FileSource:
    return {"path": "", "format": fmt, "pattern": "*", "options": {}, "recursive": False}  # type: ignore[typeddict-item]


@pytest.mark.parametrize("layout", range(len(HEADERS)))
def test_csv_columns_by_source_name(spark: Any, tmp_path: Path, layout: int) -> None:
    path = _csv_file(tmp_path / "orders.csv", HEADERS[layout])
    raw = read_landing_file(spark, str(path), _source("csv"))
    conformed, reason = conform_file(raw, str(path), COLUMNS)
    assert reason is None
    with path.open(newline="", encoding="utf-8") as fh:
        records = list(csv.DictReader(fh))
    # Spark's CSV reader reads an empty field as NULL, as the contract wants
    assert _spark_rows(conformed) == _expected(records, null="")
    assert conformed.where("size(_bad_columns) > 0").count() == 0


def test_json_keys_by_source_name(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "orders.json"
    lines = []
    # every record orders its keys differently; one spelling per key in a file (Spark's
    # JSON reader rejects keys that differ only in case: COLUMN_ALREADY_EXISTS)
    for i, headers in enumerate(HEADERS[:2] * 2):
        record = {"AMOUNT" if h.lower() == "amount" else h: _value(h, i % 3) for h in headers}
        lines.append(json.dumps({k: v or None for k, v in record.items()}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    raw = read_landing_file(spark, str(path), _source("json"))
    conformed, reason = conform_file(raw, str(path), COLUMNS)
    assert reason is None
    records = [json.loads(line) for line in lines]
    got = sorted(_spark_rows(conformed), key=lambda r: str(r["customer"]))
    want = sorted(_expected(records, null=None), key=lambda r: str(r["customer"]))
    assert got == want


def test_source_name_is_exact(spark: Any, tmp_path: Path) -> None:
    """A header differing in case or spaces only is not the source column: a required
    column missing makes the file bad, and it says which spelling it looked for."""
    path = _csv_file(tmp_path / "bad.csv", ["order ID", "amount", "Customer Name"])
    raw = read_landing_file(spark, str(path), _source("csv"))
    conformed, reason = conform_file(raw, str(path), COLUMNS)
    assert conformed is None
    assert reason == "missing required column(s): order_id (source_name 'Order ID')"


def test_file_columns_without_spark() -> None:
    names = ["ORDER ID", "Order ID", " amount ", "Customer Name"]
    assert file_columns(names, COLUMNS) == {"order_id": "Order ID", "amount": " amount "}


def test_case_twins_in_one_csv_file_are_a_bad_file(spark: Any, tmp_path: Path) -> None:
    path = _csv_file(tmp_path / "twins.csv", CASE_TWINS)
    raw = read_landing_file(spark, str(path), _source("csv"))
    assert "Order ID" not in raw.columns  # renamed by Spark (documented limit)
    conformed, reason = conform_file(raw, str(path), COLUMNS)
    assert conformed is None
    assert reason == "missing required column(s): order_id (source_name 'Order ID')"
