"""The local Spark session has a working Iceberg catalog named glue_catalog."""

from typing import Any

import pytest

pytestmark = pytest.mark.spark


def test_iceberg_merge_roundtrip(spark: Any) -> None:
    spark.sql("CREATE NAMESPACE IF NOT EXISTS glue_catalog.smoke")
    spark.sql(
        "CREATE TABLE glue_catalog.smoke.t (id INT, v STRING) USING iceberg "
        "TBLPROPERTIES ('format-version'='2')"
    )
    spark.sql("INSERT INTO glue_catalog.smoke.t VALUES (1, 'a'), (2, 'b')")
    spark.createDataFrame([(2, "B"), (3, "c")], "id INT, v STRING").createOrReplaceTempView("u")
    spark.sql(
        "MERGE INTO glue_catalog.smoke.t t USING u ON t.id = u.id "
        "WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *"
    )
    rows = sorted(tuple(r) for r in spark.table("glue_catalog.smoke.t").collect())
    assert rows == [(1, "a"), (2, "B"), (3, "c")]
    spark.sql("DROP TABLE glue_catalog.smoke.t")
