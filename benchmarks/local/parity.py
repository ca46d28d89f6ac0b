"""The oracle of bench_local.py: alurc's and dbt's tables of one retail run hold the same rows.

alurc's side is read with pyiceberg (a reader independent of Spark) from the local
warehouse, dbt's with duckdb from its database file; both are normalised to sorted lists
of strings (timestamps as UTC wall-clock text, decimals exactly). Run by either venv:

    python parity.py iceberg WAREHOUSE_ICEBERG_DIR     # prints {table: rows} as JSON
    python parity.py duckdb  RETAIL_DUCKDB_FILE
"""

from __future__ import annotations

import datetime
import decimal
import json
import sys
from pathlib import Path
from typing import Any

#: (alurc database suffix, table): the published tables both tools build
TABLES = (
    ("silver", "customers"),
    ("silver", "orders"),
    ("silver", "products"),
    ("gold", "customer_lifetime_value"),
    ("gold", "daily_revenue"),
)


def norm(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [norm(v) for v in value]
    return value


def rows_of(records: list[dict[str, Any]], columns: list[str]) -> list[str]:
    return sorted(json.dumps([norm(r[c]) for c in columns]) for r in records)


def iceberg_rows(root: Path) -> dict[str, list[str]]:
    from pyiceberg.table import StaticTable  # type: ignore[import-untyped,unused-ignore]

    out: dict[str, list[str]] = {}
    for layer, name in TABLES:
        (folder,) = root.glob(f"*_{layer}/{name}")
        hint = (folder / "metadata" / "version-hint.text").read_text().strip()
        table = StaticTable.from_metadata(str(folder / "metadata" / f"v{hint}.metadata.json"))
        data = table.scan().to_arrow()
        out[name] = rows_of(data.to_pylist(), data.column_names)
    return out


def duckdb_rows(db: Path) -> dict[str, list[str]]:
    import duckdb  # type: ignore[import-not-found]  # in .venv-dbt only

    con = duckdb.connect(str(db), read_only=True)
    out: dict[str, list[str]] = {}
    for _, name in TABLES:
        cur = con.execute(f"SELECT * FROM {name}")
        columns = [d[0] for d in cur.description]
        out[name] = rows_of([dict(zip(columns, r, strict=True)) for r in cur.fetchall()], columns)
    return out


if __name__ == "__main__":
    kind, path = sys.argv[1], Path(sys.argv[2])
    found = iceberg_rows(path) if kind == "iceberg" else duckdb_rows(path)
    print(json.dumps(found))
