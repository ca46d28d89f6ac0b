"""The embedded Spark + Iceberg session of `alurc run --local`, defined by the runtime.

The session's configuration lives in `alur_runtime.session`, so a generated script run by
hand with `--alur_mode local` and `alurc run --local` start the very same session.
`start_local_spark` takes it from the build's runtime wheel (local/wheel.py), like every
other runtime call of a local run; `get_spark` (tests, benchmarks) from the runtime that
is importable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alur_compiler.ir.runtime import wheel_path
from alur_compiler.local.wheel import RuntimeWheelMissing, load_runtime


class LocalSparkUnavailable(RuntimeError):
    """pyspark, Java or the Iceberg runtime jar is missing; the message says how to fix it."""


def start_local_spark(build: Path, warehouse: Path) -> Any:
    """The process's SparkSession for `warehouse`, started by the runtime of `build`."""
    try:
        session = load_runtime(build / wheel_path()).session
    except RuntimeWheelMissing as exc:
        raise LocalSparkUnavailable(str(exc)) from exc
    try:
        return session.get_spark(warehouse)
    except session.LocalSparkUnavailable as exc:
        raise LocalSparkUnavailable(str(exc)) from exc


def get_spark(warehouse: Path) -> Any:
    """The SparkSession from the importable `alur_runtime` (tests and benchmarks)."""
    from alur_runtime.session import get_spark as runtime_get_spark

    return runtime_get_spark(warehouse)


def spark_conf(warehouse: Path) -> dict[str, str]:
    from alur_runtime.session import spark_conf as runtime_spark_conf

    return runtime_spark_conf(warehouse)
