"""Write a test's rows into, and read a job's rows out of, one test's own namespace.

Fixture rows reach Spark as canonical text and are cast by Spark (`from_json` for lists
and mappings), so the engine parses them exactly as it parses the job's own data; rows are
read back cast to strings and canonicalised like the expected ones (values.py).
Bronze tables are Parquet under `<lake>/bronze/<table>/` (where the runtime reads and
writes them), silver and gold tables Iceberg tables created with the job's own DDL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from alur_compiler.ir import INGESTION_COLUMNS
from alur_compiler.testing.rows import Cell, Rows
from alur_compiler.testing.values import BadValue, canonical, is_complex

#: values of the bronze ingestion columns a given row leaves out
INGESTION_DEFAULTS = {
    "_ingested_at": "2000-01-01 00:00:00",
    "_source_file": "given",
    "_source_system": "test",
    "_batch_id": "test",
}


def quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _literal(cell: Cell) -> str:
    if cell is None:
        return "CAST(NULL AS STRING)"
    return "'" + cell.replace("\\", "\\\\").replace("'", "\\'") + "'"


def fixture_frame(spark: Any, columns: Sequence[tuple[str, str]], rows: Rows | None) -> Any:
    """A DataFrame over `columns` (name, Spark type) holding `rows`; columns the rows do not
    name are NULL (bronze ingestion columns get INGESTION_DEFAULTS).

    Built as one SQL `VALUES` (a local relation inside the JVM): no Python worker starts,
    which `createDataFrame` of Python rows would need for every job that reads it."""
    given = rows.columns if rows is not None else ()
    data = list(rows.rows) if rows is not None else []
    bronze_defaults = dict(INGESTION_COLUMNS)
    out = []
    for name, kind in columns:
        if name in given:
            col = f"c{given.index(name)}"
            value = (
                f"from_json({col}, {_literal(kind)})"
                if is_complex(kind)
                else (f"CAST({col} AS {kind})")
            )
        elif name in INGESTION_DEFAULTS and bronze_defaults.get(name) == kind:
            value = f"CAST({_literal(INGESTION_DEFAULTS[name])} AS {kind})"
        else:
            value = f"CAST(NULL AS {kind})"
        out.append(f"{value} AS {quote(name)}")
    width = max(len(given), 1)
    names = ", ".join(f"c{i}" for i in range(width))
    tuples = [", ".join(_literal(c) for c in row) or "NULL" for row in data] or [
        ", ".join(["NULL"] * width)
    ]
    values = ", ".join(f"({t})" for t in tuples)
    where = "" if data else " WHERE FALSE"
    return spark.sql(f"SELECT {', '.join(out)} FROM VALUES {values} AS t({names}){where}")


def write_bronze(spark: Any, path: str, columns: Sequence[tuple[str, str]], rows: Rows) -> None:
    fixture_frame(spark, columns, rows).write.mode("append").parquet(path)


def write_iceberg(
    spark: Any,
    runtime: Any,
    name: str,
    columns: Sequence[tuple[str, str]],
    rows: Rows,
    partitions: list[Any] | None = None,
) -> None:
    """CREATE the Iceberg table as the job would (runtime.publish.create_table) and append
    (the target's existing rows: its partitioning and properties are the job's own)."""
    ddl = runtime.conform.table_ddl([{"name": n, "type": t, "nullable": True} for n, t in columns])
    spec = runtime.conform.partition_spec(partitions or [])
    runtime.publish.create_table(spark, name, ddl, spec)
    if rows.rows:
        fixture_frame(spark, columns, rows).writeTo(name).append()


def create_source(spark: Any, name: str, columns: Sequence[tuple[str, str]], rows: Rows) -> None:
    """An upstream Iceberg table holding `rows`, in one commit (CREATE TABLE AS SELECT)."""
    fixture_frame(spark, columns, rows).createOrReplaceTempView("__alurc_test_rows")
    spark.sql(
        f"CREATE TABLE {name} USING iceberg TBLPROPERTIES ('format-version'='2') "
        "AS SELECT * FROM __alurc_test_rows"
    )


def read_cells(df: Any, columns: Sequence[tuple[str, str]]) -> list[tuple[Cell, ...]]:
    """The rows of `df` over `columns`, every cell canonical text (or None)."""
    from pyspark.sql import functions as F

    cols = []
    for name, kind in columns:
        if name not in df.columns:  # e.g. `_bad_columns` of a quarantine that has none
            cols.append(F.lit(None).cast("string").alias(name))
            continue
        col = F.col(quote(name))
        cols.append((F.to_json(col) if is_complex(kind) else col.cast("string")).alias(name))
    out: list[tuple[Cell, ...]] = []
    for row in df.select(*cols).collect():
        out.append(tuple(_canon(row[i], kind) for i, (_, kind) in enumerate(columns)))
    return out


def _canon(value: Any, kind: str) -> Cell:
    try:
        return canonical(value, kind)
    except BadValue:  # Spark's text of a value it holds: keep it as Spark wrote it
        return None if value is None else str(value)
