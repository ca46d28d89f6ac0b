"""MERGE publishes through a temp view; removing it must not uncache the published rows.

(`spark.catalog.dropTempView` uncaches the view's plan, which is the DataFrame's own.)
Real Spark + Iceberg (local hadoop catalog).
"""

from __future__ import annotations

from typing import Any

import pytest
from pyspark.sql import functions as F

from alur_runtime.merge import merge_records
from alur_runtime.publish import create_table

pytestmark = pytest.mark.spark


def test_merge_leaves_a_cached_source_cached_and_no_view(spark: Any) -> None:
    spark.sql("CREATE NAMESPACE IF NOT EXISTS glue_catalog.viewtest")
    name = "glue_catalog.viewtest.t"
    create_table(spark, name, "`id` int, `v` string", "")
    spark.sql(f"INSERT INTO {name} VALUES (1, 'old'), (2, 'kept')")
    df = spark.createDataFrame([(1, "new"), (3, "added")], "id int, v string").cache()
    df.count()
    columns = [{"name": "id", "type": "int", "nullable": True}]
    columns += [{"name": "v", "type": "string", "nullable": True}]
    job: Any = {
        "name": "viewtest",
        "merge": {
            "keys": ["id"],
            "sequence_by": None,
            "delete_when": None,
            "tombstone_retention_days": 90,
        },
        "target": {"columns": columns, "name": "t", "primary_key": ["id"]},
    }
    try:
        staged = df.withColumn("__alur_delete", F.lit(False))
        merge_records(spark, job, (name, name + "__alur_tombstones"), staged, "r1", {})
        assert df.storageLevel.useMemory, "the published DataFrame was uncached"
        assert not spark.catalog.tableExists("__alur_stage_viewtest")
        assert not spark.catalog.tableExists(name + "__alur_tombstones")  # no sequence_by
        got = sorted(tuple(r) for r in spark.table(name).collect())
        assert got == [(1, "new"), (2, "kept"), (3, "added")]
    finally:
        df.unpersist()
        spark.sql(f"DROP TABLE IF EXISTS {name}")


def test_pii_columns_become_an_iceberg_table_property(spark: Any) -> None:
    """The property the Glue catalog shows as a table parameter; a quote in a column name
    stays inside the SQL string."""
    spark.sql("CREATE NAMESPACE IF NOT EXISTS glue_catalog.piitest")
    name = "glue_catalog.piitest.t"
    try:
        create_table(spark, name, "`email` string, `it's` string", "", ["email", "it's"])
        props = {r["key"]: r["value"] for r in spark.sql(f"SHOW TBLPROPERTIES {name}").collect()}
        assert props["alur.pii"] == "email,it's"
        plain = "glue_catalog.piitest.plain"
        create_table(spark, plain, "`id` int", "")
        props = {r["key"]: r["value"] for r in spark.sql(f"SHOW TBLPROPERTIES {plain}").collect()}
        assert "alur.pii" not in props
    finally:
        spark.sql(f"DROP TABLE IF EXISTS {name}")
        spark.sql("DROP TABLE IF EXISTS glue_catalog.piitest.plain")
