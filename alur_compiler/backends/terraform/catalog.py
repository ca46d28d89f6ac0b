"""Glue catalog: one database per layer, bronze tables registered as Parquet.

Silver and gold tables are Iceberg tables created by their jobs (contracts.md §6): the
AWS provider cannot declare an Iceberg partition spec, and a table Terraform registered
would fight the job over the schema Iceberg itself maintains.
"""

from __future__ import annotations

from alur_compiler.backends.terraform.hcl import Expr, ref
from alur_compiler.backends.terraform.model import Body, StackBuilder
from alur_compiler.backends.terraform.naming import address_name, entity_tags
from alur_compiler.backends.terraform.types import glue_type
from alur_compiler.diagnostics import codes
from alur_compiler.ir import Layer, Table, layout

PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"


def database_ref(sb: StackBuilder, layer: Layer) -> Expr:
    name = address_name("environment", sb.env.name, f"db_{layer}")
    return ref("aws_glue_catalog_database." + name + ".name")


def add_databases(sb: StackBuilder) -> None:
    for layer in Layer:
        sb.add(
            "aws_glue_catalog_database",
            address_name("environment", sb.env.name, f"db_{layer}"),
            # dropping a database drops the Iceberg tables the jobs registered in it
            sb.protect(
                {
                    "name": sb.env.database(sb.project.name, layer),
                    "description": f"{sb.project.name} {layer} layer ({sb.env.name})",
                    "tags": entity_tags("environment", sb.env.name),
                }
            ),
        )


def add_bronze_tables(sb: StackBuilder) -> None:
    for table in sb.project.tables:
        if table.layer is Layer.BRONZE:
            body = _bronze_table(sb, table)
            if body is not None:
                sb.add("aws_glue_catalog_table", address_name("table", table.name), body)


def _bronze_table(sb: StackBuilder, table: Table) -> Body | None:
    # bronze partitions are plain columns: semantic/partitions.py rejects transforms
    partition_cols = [pf.column for pf in table.partition_by]
    columns: list[Body] = []
    keys: list[Body] = []
    for col in table.columns:
        try:
            entry: Body = {
                "name": col.name,
                "type": glue_type(col.type),
                "comment": col.description,
            }
            if col.pii:  # what catalog readers (Lake Formation, scanners) look for
                entry["parameters"] = {"alur.pii": "true"}
        except ValueError as exc:
            sb.diags.report(codes.BACKEND_LIMIT, str(exc), col.span)
            return None
        (keys if col.name in partition_cols else columns).append(entry)
    keys.sort(key=lambda k: partition_cols.index(str(k["name"])))
    location = f"{layout.lake_uri(sb.env.lake_bucket)}/{layout.bronze_prefix(table.name)}"
    return {
        "name": table.name,
        "database_name": database_ref(sb, Layer.BRONZE),
        "description": table.description,
        "table_type": "EXTERNAL_TABLE",
        "parameters": {"EXTERNAL": "TRUE", "classification": "parquet"}
        | (
            {"alur.pii": ",".join(pii)} if (pii := [c.name for c in table.columns if c.pii]) else {}
        ),
        "partition_keys": keys,
        "storage_descriptor": [
            {
                "location": location,
                "input_format": PARQUET_INPUT,
                "output_format": PARQUET_OUTPUT,
                "columns": columns,
                "ser_de_info": [
                    {
                        "serialization_library": PARQUET_SERDE,
                        "parameters": {"serialization.format": "1"},
                    }
                ],
            }
        ],
    }
