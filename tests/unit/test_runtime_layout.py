"""The runtime spells the lake layout on its own (it imports nothing from the compiler):
its paths must be the ones IAM allows and ir/layout.py documents."""

from __future__ import annotations

from alur_compiler.ir import layout
from alur_runtime import ingest


def test_runtime_lake_paths_match_the_compiler_layout() -> None:
    paths = ingest.lake_paths({"alur_lake": "s3://lake"}, "orders")
    assert paths["data"] == "s3://lake/" + layout.bronze_prefix("orders").rstrip("/")
    for kind in ("rows", "checks", "files"):
        assert paths[kind].startswith("s3://lake/" + layout.quarantine_prefix("orders"))
    assert paths["staging"] == "s3://lake/" + layout.staging_prefix("orders").rstrip("/")
    assert ingest.STAGING_PREFIX == layout.STAGING_PREFIX


def test_staging_is_outside_every_table_location() -> None:
    """Athena/Glue read a table's location recursively: staging must not be below one."""
    staging = layout.staging_prefix("orders")
    for table_prefix in (
        layout.bronze_prefix("orders"),
        layout.quarantine_prefix("orders"),
        layout.iceberg_prefix("db", "orders"),
    ):
        assert not staging.startswith(table_prefix)
        assert not table_prefix.startswith(staging)
