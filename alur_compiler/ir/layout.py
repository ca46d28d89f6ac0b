"""The lake layout: the one module that spells where tables, state and catalogs live.

Every part of the compiler that names a database, a lake prefix, a quarantine table, a
state table or a warehouse reads it from here (Terraform stack, IAM, job arguments, the
local runner), so the layout cannot drift between what Terraform creates, what IAM allows
and what a job writes. The runtime (`alur_runtime`) receives the resolved names as job
arguments and does not import this module.

    s3://<lake bucket>/bronze/<table>/                      bronze: Parquet, Hive partitions
    s3://<lake bucket>/iceberg/<database>.db/<table>/       silver, gold: Iceberg
    s3://<lake bucket>/iceberg/<database>.db/<table>_quarantine/
    s3://<lake bucket>/quarantine/<table>/{rows,checks,files}/  ingestion quarantine
    s3://<lake bucket>/_alur_staging/<table>/<batch>/        a batch's files before commit
    DynamoDB <lake bucket>-alur-state                       ingestion and watermark state
    <project>_<env>_<layer>                                 Glue database per layer
"""

from __future__ import annotations

#: Spark catalog name of the Iceberg tables (Glue catalog on AWS, Hadoop catalog locally).
ICEBERG_CATALOG = "glue_catalog"
#: Top-level prefixes of the lake bucket (or the local `lake` folder).
BRONZE_PREFIX = "bronze"
ICEBERG_PREFIX = "iceberg"
QUARANTINE_PREFIX = "quarantine"
#: Where an ingestion batch writes before its commit point, outside every table location
#: (alur_runtime/ingest.py STAGING_PREFIX must be the same).
STAGING_PREFIX = "_alur_staging"
#: Suffix of the table receiving a table's quarantined rows.
QUARANTINE_SUFFIX = "_quarantine"
#: Environment name of `alurc run --local`.
LOCAL_ENV = "local"
#: Folders of the local warehouse (`local.warehouse` in alur.yaml).
LOCAL_DIRS = ("lake", "state", "reports")


def database(project: str, env: str, layer: str) -> str:
    """Glue database name: one per project, environment and layer (`retail_dev_silver`)."""
    return f"{project}_{env}_{layer}".replace("-", "_").lower()


def bronze_prefix(table: str) -> str:
    """Key prefix of a bronze table's Parquet files in the lake bucket: `bronze/<table>/`."""
    return f"{BRONZE_PREFIX}/{table}/"


def iceberg_prefix(database_name: str, table: str) -> str:
    """Key prefix of an Iceberg table in the lake bucket: `iceberg/<db>.db/<table>/`."""
    return f"{ICEBERG_PREFIX}/{database_name}.db/{table}/"


def quarantine_prefix(table: str) -> str:
    """Key prefix of an ingestion's quarantine (bad rows, check failures, bad files) of a
    bronze table in the lake bucket: `quarantine/<table>/`."""
    return f"{QUARANTINE_PREFIX}/{table}/"


def staging_prefix(table: str) -> str:
    """Key prefix of the staging folders of a bronze table's ingestion batches:
    `_alur_staging/<table>/` (no table, crawler or Athena query reads it)."""
    return f"{STAGING_PREFIX}/{table}/"


def quarantine_table(table: str) -> str:
    """The table holding the quarantined rows of `table`."""
    return table + QUARANTINE_SUFFIX


def iceberg_warehouse(lake_bucket: str) -> str:
    """The Iceberg catalog warehouse of an environment: `s3://<lake>/iceberg/`."""
    return f"s3://{lake_bucket}/{ICEBERG_PREFIX}/"


def lake_uri(lake_bucket: str) -> str:
    return f"s3://{lake_bucket}"


def state_table(lake_bucket: str) -> str:
    """DynamoDB table for the ingestion/watermark state of an environment."""
    return f"{lake_bucket}-alur-state"


def terraform_state_key(project: str, env: str) -> str:
    """Default key of an environment's Terraform state in its S3 backend."""
    return f"{project}/{env}/terraform.tfstate"
