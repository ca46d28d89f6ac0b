"""A small hand-built IR (orders medallion) for the glue backend's integration tests.

Not a test module by content: it holds builders the test_glue_* and test_state_* modules
import. The retail example is covered through the real front end in test_run_local.py.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

from alur_compiler.ir import (
    INGESTION_COLUMNS,
    Action,
    Check,
    CheckType,
    Column,
    FileSource,
    Ingestion,
    Layer,
    PartitionField,
    Pipeline,
    Project,
    SourceTable,
    Table,
    WriteMode,
)

RAW_COLUMNS = (
    Column("order_id", "string", nullable=False),
    Column("customer_id", "string"),
    Column("quantity", "int"),
    Column("amount", "decimal(10,2)"),
    Column("status", "string"),
    Column("updated_at", "timestamp"),
)


def bronze_orders() -> Table:
    meta = tuple(Column(n, t) for n, t in INGESTION_COLUMNS)
    return Table("orders_raw", Layer.BRONZE, RAW_COLUMNS + meta)


def silver_orders(checks: tuple[Check, ...] = ()) -> Table:
    cols = (*RAW_COLUMNS, Column("order_date", "date"))
    return Table(
        "orders",
        Layer.SILVER,
        cols,
        primary_key=("order_id",),
        partition_by=(PartitionField("updated_at", "days"),),
        checks=checks,
        file_format="iceberg",
    )


def gold_daily(checks: tuple[Check, ...] = ()) -> Table:
    return Table(
        "daily",
        Layer.GOLD,
        (
            Column("order_date", "date"),
            Column("orders", "bigint"),
            Column("amount", "decimal(31,2)"),
        ),
        primary_key=("order_date",),
        partition_by=(PartitionField("order_date"),),
        checks=checks,
        file_format="iceberg",
    )


CLEAN_SQL = """SELECT o.order_id, o.customer_id, o.quantity, o.amount, lower(o.status) AS status,
  o.updated_at, to_date(o.updated_at) AS order_date
FROM orders_raw AS o
WHERE o.order_id IS NOT NULL"""

DAILY_SQL = """SELECT order_date, COUNT(*) AS orders, SUM(amount) AS amount
FROM silver.orders
GROUP BY order_date"""


def project(
    root: Path,
    *,
    silver_checks: tuple[Check, ...] = (),
    gold_checks: tuple[Check, ...] = (),
    on_bad_row: str = "quarantine",
    on_bad_file: str = "quarantine",
    fmt: str = "csv",
    delete_when: str | None = "status = 'deleted'",
    scope: str = "table",
) -> Project:
    ingest = Ingestion(
        "ingest_orders",
        "orders_raw",
        "shop",
        (
            FileSource(
                "orders/",
                fmt,
                "*." + ("jsonl" if fmt == "json" else fmt),
                (("header", "true"),) if fmt == "csv" else (),
            ),
        ),
        on_bad_file=on_bad_file,
        on_bad_row=on_bad_row,
    )
    clean = Pipeline(
        "clean_orders",
        "orders",
        CLEAN_SQL,
        WriteMode.MERGE,
        (SourceTable("orders_raw", "orders_raw", "_ingested_at"),),
        merge_keys=("order_id",),
        sequence_by="updated_at",
        delete_when=delete_when,
    )
    daily = Pipeline(
        "daily_orders",
        "daily",
        DAILY_SQL,
        WriteMode.OVERWRITE,
        (SourceTable("orders", "silver.orders"),),
        overwrite_scope=scope,
    )
    return Project(
        name="shop",
        root=str(root),
        tables=(gold_daily(gold_checks), silver_orders(silver_checks), bronze_orders()),
        pipelines=(clean, daily),
        ingestions=(ingest,),
        environments=(),
    )


def check(name: str, type_: CheckType, action: Action, **kw: object) -> Check:
    return replace(Check(name, type_, action), **kw)  # type: ignore[arg-type]


# ---- running generated jobs in the shared session -------------------------------------

HEADER = "order_id,customer_id,quantity,amount,status,updated_at"


def write_csv(landing: Path, name: str, header: str, rows: list[str]) -> Path:
    path = landing / "orders" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


class Harness:
    """Generated scripts of a project plus local job arguments in a private tmp folder."""

    def __init__(self, spark: Any, tmp: Path, proj: Project) -> None:
        from alur_compiler.backends.glue import GlueBackend
        from alur_compiler.diagnostics import Diagnostics
        from alur_compiler.local.runner import local_args

        self.spark, self.project, self.tmp = spark, proj, tmp
        diags = Diagnostics()
        self.scripts = tmp / "build" / "glue"
        self.scripts.mkdir(parents=True, exist_ok=True)
        from alur_compiler.backends.runtime import RuntimeBackend

        for art in [*GlueBackend().generate(proj, diags), *RuntimeBackend().generate(proj, diags)]:
            (tmp / "build" / art.path).parent.mkdir(parents=True, exist_ok=True)
            (tmp / "build" / art.path).write_bytes(art.content)
        assert not diags.items, diags.items
        self.landing = tmp / "landing"
        suffix = uuid.uuid4().hex[:8]
        self.args = local_args(
            proj,
            {
                "warehouse": tmp / "wh",
                "landing": self.landing,
                "lake": tmp / "lake",
                "state": tmp / "state",
                "reports": tmp / "reports",
            },
        )
        for layer in ("bronze", "silver", "gold"):
            self.args[f"alur_db_{layer}"] = f"t{suffix}_{layer}"

    def run(self, job: str, **extra: str) -> dict[str, Any]:
        from alur_compiler.local.runner import run_script

        return run_script(self.spark, self.scripts / f"{job}.py", {**self.args, **extra})

    def table(self, layer: str, name: str) -> str:
        return f"glue_catalog.{self.args['alur_db_' + layer]}.{name}"

    def rows(self, layer: str, name: str, cols: str = "*") -> list[tuple[Any, ...]]:
        df = self.spark.sql(f"SELECT {cols} FROM {self.table(layer, name)}")
        return sorted(tuple(r) for r in df.collect())

    def bronze(self, sub: str = "bronze/orders_raw") -> Any:
        return self.spark.read.parquet(str(self.tmp / "lake" / sub))

    def snapshot(self, layer: str, name: str) -> int:
        snaps = self.spark.sql(
            f"SELECT snapshot_id FROM {self.table(layer, name)}.snapshots ORDER BY committed_at"
        ).collect()
        return int(snaps[-1][0])
