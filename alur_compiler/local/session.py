"""The embedded Spark + Iceberg session of `alurc run --local` (defined by the runtime).

The session's configuration lives in `alur_runtime.session`, so a generated script run by
hand with `--alur_mode local` and `alurc run --local` start the very same session.
"""

from __future__ import annotations

from alur_runtime.session import LocalSparkUnavailable, get_spark, iceberg_jar, spark_conf

__all__ = ["LocalSparkUnavailable", "get_spark", "iceberg_jar", "spark_conf"]
