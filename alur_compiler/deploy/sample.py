"""A small but complete IR project (3 layers, an ingestion, 2 pipelines, a chain and a
cron), built by hand. Tests and docs of the deploy layer use it where no YAML is needed."""

from __future__ import annotations

from alur_compiler.ir import (
    INGESTION_COLUMNS,
    Action,
    Check,
    CheckType,
    Column,
    Environment,
    FileSource,
    GlueConfig,
    Ingestion,
    Layer,
    PartitionField,
    Pipeline,
    Project,
    Schedule,
    SourceTable,
    StateBackend,
    Table,
    WriteMode,
)

REVENUE_SQL = "SELECT order_date, SUM(amount) AS revenue FROM orders GROUP BY order_date"


def sample_environment(
    name: str = "dev",
    endpoint: str | None = None,
    state: StateBackend | None = None,
    account: str | None = "123456789012",
) -> Environment:
    services = (
        *("cloudwatch", "dynamodb", "events", "glue", "iam", "lambda", "logs", "s3", "sns", "sts"),
    )
    return Environment(
        name=name,
        region="eu-west-1",
        account=account,
        lake_bucket=f"shop-{name}-lake",
        artifacts_bucket=f"shop-{name}-artifacts",
        landing_bucket=f"shop-{name}-landing",
        state=state or StateBackend(backend="local"),
        glue=GlueConfig(max_retries=1),
        tags=(("cost-center", "data"),),
        endpoints=tuple((s, endpoint) for s in services) if endpoint else (),
    )


def _tables() -> tuple[Table, ...]:
    raw_cols = (
        Column("order_id", "string", nullable=False, description="Shop order number."),
        Column("amount", "decimal(10,2)"),
        Column("quantity", "long"),
        Column("tags", "array<string>"),
        Column("address", "struct<city:string,zip:int>"),
        Column("attrs", "map<string,double>"),
        Column("order_ts", "timestamp"),
        Column("order_date", "date"),
        *(Column(n, t) for n, t in INGESTION_COLUMNS),
    )
    return (
        Table(
            "daily_revenue",
            Layer.GOLD,
            (Column("order_date", "date"), Column("revenue", "decimal(20,2)")),
            file_format="iceberg",
        ),
        Table(
            "orders",
            Layer.SILVER,
            tuple(c for c in raw_cols if not c.name.startswith("_")),
            primary_key=("order_id",),
            partition_by=(PartitionField("order_ts", "days"),),
            checks=(Check("order_id_unique", CheckType.UNIQUE, Action.FAIL, ("order_id",)),),
            file_format="iceberg",
        ),
        Table(
            "orders_raw",
            Layer.BRONZE,
            raw_cols,
            partition_by=(PartitionField("order_date"),),
            checks=(
                Check("order_id_not_null", CheckType.NOT_NULL, Action.QUARANTINE, ("order_id",)),
            ),
        ),
    )


def sample_project(
    root: str = "/tmp/shop",
    envs: tuple[Environment, ...] | None = None,
    revenue_sql: str = REVENUE_SQL,
    revenue_workers: int = 3,
) -> Project:
    ingest = Ingestion(
        "ingest_orders",
        "orders_raw",
        "webshop",
        (FileSource("orders/", "csv", "*.csv", (("header", "true"),)),),
        schedule=Schedule(cron="15 * * * ? *"),
    )
    clean = Pipeline(
        "clean_orders",
        "orders",
        "SELECT * FROM orders_raw",
        WriteMode.MERGE,
        (SourceTable("orders_raw", "orders_raw", "_ingested_at"),),
        merge_keys=("order_id",),
        schedule=Schedule(after=("ingest_orders",)),
    )
    revenue = Pipeline(
        "daily_revenue",
        "daily_revenue",
        revenue_sql,
        WriteMode.OVERWRITE,
        (SourceTable("orders", "orders"),),
        schedule=Schedule(cron="0 3 * * ? *", after=("clean_orders",)),
        glue=GlueConfig(workers=revenue_workers),
        glue_overrides=(("workers", revenue_workers),),
    )
    return Project(
        name="shop",
        root=root,
        tables=_tables(),
        pipelines=(clean, revenue),
        ingestions=(ingest,),
        environments=envs or (sample_environment("dev"), sample_environment("prod")),
    )
