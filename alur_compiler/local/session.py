"""The embedded Spark + Iceberg session of `alurc run --local`, defined by the runtime.

The session's configuration lives in `alur_runtime.session`, so a generated script run by
hand with `--alur_mode local` and `alurc run --local` start the very same session.
`start_local_spark` takes it from the build's runtime wheel (local/wheel.py), like every
other runtime call of a local run; `get_spark` (tests, benchmarks) from the runtime that
is importable.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from alur_compiler.ir.runtime import wheel_path
from alur_compiler.local.relocate import (
    HOME_MARKER as HOME_MARKER,
)
from alur_compiler.local.relocate import (
    STATE_FILE,
    Relocation,
    RelocationError,
    plan_relocation,
    read_marker,
    relocate,
    rewrite_state,
    write_marker,
)
from alur_compiler.local.wheel import RuntimeWheelMissing, load_runtime


class LocalSparkUnavailable(RuntimeError):
    """pyspark, Java or the Iceberg runtime jar is missing; the message says how to fix it."""


class WarehouseMoved(LocalSparkUnavailable):
    """A local warehouse copied or moved from elsewhere that cannot be relocated safely."""


def check_warehouse_home(warehouse: Path, project: Path | None = None) -> Relocation | None:
    """Record where a new warehouse (and its project) is; for one created elsewhere (a
    copied or moved project) return the relocation it needs (local/relocate.py), carried
    out here already when no Iceberg table needs Spark for it.

    Iceberg's Hadoop catalog stores absolute locations in each table's metadata and the
    state records landing files by absolute path, so a copy is rewritten to its own place
    before anything reads it (specs/README.md, "The local warehouse"). Raises
    WarehouseMoved, having changed nothing, when it cannot be relocated safely.
    """
    home = warehouse.resolve()
    here = project.resolve() if project is not None else None
    marker = read_marker(home)
    if marker is None:  # a new warehouse (or an unreadable marker: rewritten)
        home.mkdir(parents=True, exist_ok=True)
        write_marker(home, here)
        return None
    try:
        if marker["root"] == str(home):
            _moved_project(home, here, marker)
            return None
        plan = plan_relocation(home, here, marker)
        if plan.tables:
            return plan
        relocate(None, plan)
    except RelocationError as exc:
        raise WarehouseMoved(str(exc)) from None
    return None


def _moved_project(home: Path, here: Path | None, marker: dict[str, str]) -> None:
    """The warehouse stayed but its project moved (a warehouse configured outside it):
    only the state's paths under the old project root change."""
    if here is None or marker.get("project") == str(here):
        return
    if "project" in marker:
        rewrite_state(home / STATE_FILE, [(marker["project"], str(here))])
    write_marker(home, here)


def relocate_warehouse(spark: Any, plan: Relocation) -> None:
    """Carry out a relocation `check_warehouse_home` returned, in the session `spark`."""
    try:
        relocate(spark, plan)
    except RelocationError as exc:
        raise WarehouseMoved(str(exc)) from None


def start_local_spark(build: Path, warehouse: Path, project: Path | None = None) -> Any:
    """The process's SparkSession for `warehouse`, started by the runtime of `build`; a
    warehouse copied or moved from elsewhere is relocated first (`check_warehouse_home`)."""
    return _start(build, warehouse, check_warehouse_home(warehouse, project))


def lazy_local_spark(
    build: Path, warehouse: Path, project: Path | None, starting: Callable[[], None]
) -> LazySpark:
    """`start_local_spark`, deferred until a job needs the session (`starting` is called
    right before the JVM starts). The warehouse's home is checked now, before any job
    reads its state; a relocation that needs Spark starts it at once."""
    plan = check_warehouse_home(warehouse, project)

    def start() -> Any:
        starting()
        return _start(build, warehouse, plan)

    spark = LazySpark(start)
    if plan is not None:
        spark.get()
    return spark


class LazySpark:
    """The session of a local run, started by `start` when a job first needs it: a run
    whose jobs all have nothing to do (alur_runtime/settled.py) starts no JVM."""

    def __init__(self, start: Callable[[], Any]) -> None:
        self._start = start
        self._spark: Any = None
        self._lock = threading.Lock()
        self.start_seconds = 0.0  # how long starting took (not a job's time)

    @property
    def started(self) -> bool:
        return self._spark is not None

    def get(self) -> Any:
        with self._lock:
            if self._spark is None:
                began = time.monotonic()
                self._spark = self._start()
                self.start_seconds = time.monotonic() - began
            return self._spark


def _start(build: Path, warehouse: Path, plan: Relocation | None) -> Any:
    try:
        session = load_runtime(build / wheel_path()).session
    except RuntimeWheelMissing as exc:
        raise LocalSparkUnavailable(str(exc)) from exc
    try:
        with jvm_output_into(jvm_log(warehouse)):
            spark = session.get_spark(warehouse)
    except session.LocalSparkUnavailable as exc:
        raise LocalSparkUnavailable(str(exc)) from exc
    if plan is not None:
        relocate_warehouse(spark, plan)
    return spark


def jvm_log(warehouse: Path) -> Path:
    """Where the JVM's own output of local runs, `show` and `query` goes (`run --local
    --verbose` shows it)."""
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
        command = " ".join(["alurc", *sys.argv[1:2], *[a for a in sys.argv[2:] if a == "--local"]])
        os.write(target, f"--- {command}, pid {os.getpid()}\n".encode())
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
