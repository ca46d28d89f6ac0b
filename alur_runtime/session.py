"""One embedded SparkSession with the real Iceberg runtime and a Hadoop catalog.

The catalog is named `glue_catalog` as on AWS Glue, so generated SQL is the same in both
modes; only its implementation differs (HadoopCatalog on a local warehouse folder here,
GlueCatalog on S3 there). Start cost ~2 s; keep one session per process.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

_JAR_NAME = "iceberg-spark-runtime-3.5_2.12-"


class LocalSparkUnavailable(RuntimeError):
    """pyspark, Java or the Iceberg runtime jar is missing; the message says how to fix it."""


def iceberg_jar() -> Path:
    try:
        import snowpark_connect_deps_iceberg as deps  # type: ignore[import-untyped]
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise LocalSparkUnavailable(
            "the Iceberg runtime is not installed: pip install 'alur-compiler[local]'"
        ) from exc
    for jar in deps.list_jars():
        if Path(jar).name.startswith(_JAR_NAME):
            return Path(jar)
    raise LocalSparkUnavailable("iceberg-spark-runtime-3.5_2.12 jar not found")  # pragma: no cover


#: JDBC drivers put on the local session's classpath when present (Debian's
#: libpostgresql-jdbc-java; `ALURC_JDBC_JARS`, os.pathsep-separated, replaces the list).
#: Glue 5.0 ships the PostgreSQL 42.7.3 and MySQL 8.0.33 drivers itself.
JDBC_JARS = ("/usr/share/java/postgresql.jar", "/usr/share/java/mysql-connector-j.jar")


def jdbc_jars() -> list[str]:
    """The JDBC driver jars that exist here (a jdbc source needs its engine's)."""
    listed = os.environ.get("ALURC_JDBC_JARS")
    candidates = listed.split(os.pathsep) if listed else list(JDBC_JARS)
    return [jar for jar in candidates if jar and os.path.isfile(jar)]


def spark_conf(warehouse: Path) -> dict[str, str]:
    """The configuration of the local session (also used to document what --local does)."""
    return {
        "spark.master": "local[*]",
        "spark.app.name": "alurc-local",
        "spark.jars": ",".join([str(iceberg_jar()), *jdbc_jars()]),
        "spark.sql.extensions": (
            "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"
        ),
        "spark.sql.catalog.glue_catalog": "org.apache.iceberg.spark.SparkCatalog",
        "spark.sql.catalog.glue_catalog.type": "hadoop",
        "spark.sql.catalog.glue_catalog.warehouse": str(warehouse.resolve() / "iceberg"),
        "spark.sql.warehouse.dir": str(warehouse.resolve() / "spark"),
        "spark.sql.shuffle.partitions": "2",
        "spark.default.parallelism": "2",
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.memory": "2g",
        "spark.driver.extraJavaOptions": "-XX:+UseSerialGC -XX:TieredStopAtLevel=1",
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        "spark.sql.parquet.compression.codec": "snappy",
    }


def get_spark(warehouse: Path) -> Any:
    """Return the process's SparkSession, creating it for `warehouse` on first use.

    A session that already exists is reused as is (its catalog warehouse does not change);
    callers that need another warehouse must use another process.
    """
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", os.environ.get("PYSPARK_PYTHON", "python3"))
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise LocalSparkUnavailable(
            "pyspark is not installed: pip install 'alur-compiler[local]'"
        ) from exc
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    warehouse.mkdir(parents=True, exist_ok=True)
    builder = SparkSession.builder
    for key, value in spark_conf(warehouse).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
