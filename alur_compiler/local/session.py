"""The embedded Spark + Iceberg session of `alurc run --local`, defined by the runtime.

The session's configuration lives in `alur_runtime.session`, so a generated script run by
hand with `--alur_mode local` and `alurc run --local` start the very same session.
`start_local_spark` takes it from the build's runtime wheel (local/wheel.py), like every
other runtime call of a local run; `get_spark` (tests, benchmarks) from the runtime that
is importable.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alur_compiler.ir.runtime import wheel_path
from alur_compiler.local.wheel import RuntimeWheelMissing, load_runtime


class LocalSparkUnavailable(RuntimeError):
    """pyspark, Java or the Iceberg runtime jar is missing; the message says how to fix it."""


class WarehouseMoved(LocalSparkUnavailable):
    """The local warehouse was created in another folder (a copied or moved project)."""


#: written into a local warehouse when it is first used: where it was created
HOME_MARKER = ".alur-warehouse.json"


def check_warehouse_home(warehouse: Path) -> None:
    """Refuse a warehouse that was created in another folder, or record where this one is.

    Iceberg's Hadoop catalog stores absolute locations in each table's metadata (the
    table's folder, every manifest and data file), so the tables of a copied warehouse
    still point at the original: a run in the copy would read and write the original's
    files. So a copy is stopped with a clear message instead (specs/README.md, "Local
    warehouse").
    """
    home = warehouse.resolve()
    marker = home / HOME_MARKER
    if marker.is_file():
        try:
            created = str(json.loads(marker.read_text(encoding="utf-8"))["root"])
        except (OSError, ValueError, KeyError, TypeError):
            created = str(home)  # unreadable: rewritten below
        if created != str(home):
            raise WarehouseMoved(
                f"the local warehouse {home} was created at {created} and copied or moved "
                "here; its Iceberg tables still point at that location, so a run would read "
                "and write the original's files\n"
                f"  hint: delete {home} to rebuild it here from the landing files, or run the "
                "project where it was created"
            )
        return
    home.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps({"root": str(home)}) + "\n", encoding="utf-8")


def start_local_spark(build: Path, warehouse: Path) -> Any:
    """The process's SparkSession for `warehouse`, started by the runtime of `build`;
    refused for a warehouse copied or moved from elsewhere (`check_warehouse_home`)."""
    check_warehouse_home(warehouse)
    try:
        session = load_runtime(build / wheel_path()).session
    except RuntimeWheelMissing as exc:
        raise LocalSparkUnavailable(str(exc)) from exc
    try:
        with jvm_output_into(jvm_log(warehouse)):
            return session.get_spark(warehouse)
    except session.LocalSparkUnavailable as exc:
        raise LocalSparkUnavailable(str(exc)) from exc


def jvm_log(warehouse: Path) -> Path:
    """Where the JVM's own output of local runs goes (`run --local --verbose` shows it)."""
    return warehouse.resolve() / "logs" / "spark.log"


@contextlib.contextmanager
def jvm_output_into(log: Path) -> Iterator[None]:
    """Start the JVM with its stderr on `log`: Spark's and log4j's lines (`WARN
    NativeCodeLoader`, "Setting default log level", executor errors) are written by the
    JVM process itself, before setLogLevel can act, and would break the progress display.
    The JVM inherits file descriptor 2 when it is launched; Python's own stderr is given
    back right after. A session that already runs is left alone."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:  # get_spark says how to install it
        yield
        return
    if SparkSession.getActiveSession() is not None:
        yield
        return
    log.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    saved = os.dup(2)
    target = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(target, f"--- alurc run --local, pid {os.getpid()}\n".encode())
        os.dup2(target, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(target)


def get_spark(warehouse: Path) -> Any:
    """The SparkSession from the importable `alur_runtime` (tests and benchmarks)."""
    from alur_runtime.session import get_spark as runtime_get_spark

    return runtime_get_spark(warehouse)


def spark_conf(warehouse: Path) -> dict[str, str]:
    from alur_runtime.session import spark_conf as runtime_spark_conf

    return runtime_spark_conf(warehouse)
