"""`alurc show` / `alurc query` as plain functions: rows of the local warehouse.

Nothing here prints. Spark is started (the same session `run --local` uses, from the
installed runtime) only after the query is accepted, and under the warehouse lock, so a
read never races a run that is writing (local/lock.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alur_compiler.diagnostics import Diagnostics
from alur_compiler.ir import Project


@dataclass
class Rows:
    """One result: column names and rows (Python values as Spark returns them)."""

    name: str
    columns: list[str] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass
class ReadRun:
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    files: dict[str, str] = field(default_factory=dict)
    project: Project | None = None
    results: list[Rows] = field(default_factory=list)
    error: tuple[str, str] | None = None  # (message, hint)
    #: tables of a several-table `show` that are not in the warehouse yet: (message, hint)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    usage: bool = False  # the error is the user's input (exit 2), else the warehouse (1)

    @property
    def exit_code(self) -> int:
        if self.project is None:
            return 1
        if self.error is not None:
            return 2 if self.usage else 1
        return 0


@dataclass(frozen=True)
class ShowOptions:
    where: str | None = None
    columns: list[str] = field(default_factory=list)
    limit: int = 20


def query_local(path: Path, sql: str, limit: int | None = None) -> ReadRun:
    """Run one read-only query (contract names, local/query.py) on the local warehouse."""
    return _read(path, [("query", sql)], limit)


def show_local(path: Path, tables: list[str], options: ShowOptions) -> ReadRun:
    """The rows of each table (or quarantine / tombstones) named, ordered by primary key."""
    run = _loaded(path)
    if run.project is None:
        return run
    from alur_compiler.local.query import QueryError, show_sql

    try:
        queries = [(t, show_sql(run.project, t, options)) for t in tables]
    except (QueryError, LookupError) as exc:
        return _failed(run, exc)
    return _read(path, queries, options.limit, run)


def _loaded(path: Path) -> ReadRun:
    from alur_compiler import api

    loaded = api.load(path)
    run = ReadRun(loaded.diagnostics, loaded.files, loaded.project)
    if loaded.diagnostics.has_errors:
        run.project = None
    return run


def _failed(run: ReadRun, exc: Exception) -> ReadRun:
    run.error = (str(getattr(exc, "message", exc)), str(getattr(exc, "hint", "")))
    run.usage = bool(getattr(exc, "usage", True))
    return run


def _read(
    path: Path, queries: list[tuple[str, str]], limit: int | None, run: ReadRun | None = None
) -> ReadRun:
    run = run or _loaded(path)
    if run.project is None:
        return run
    from alur_compiler.local.lock import WarehouseBusy, warehouse_lock
    from alur_compiler.local.query import QueryError, relations, rewrite
    from alur_compiler.local.runner import local_args, local_paths
    from alur_compiler.local.session import (
        LocalSparkUnavailable,
        check_warehouse_home,
        get_spark,
        jvm_log,
        jvm_output_into,
        relocate_warehouse,
    )

    paths = local_paths(run.project)
    known = relations(run.project, local_args(run.project, paths))
    try:
        planned = [(name, *rewrite(sql, known)) for name, sql in queries]
        with warehouse_lock(paths["warehouse"]):
            plan = check_warehouse_home(paths["warehouse"], Path(run.project.root))
            with jvm_output_into(jvm_log(paths["warehouse"])):  # no JVM lines on stderr
                spark = get_spark(paths["warehouse"])
            if plan is not None:  # a copied or moved project: made its own first
                relocate_warehouse(spark, plan)
            for name, sql, used in planned:
                try:
                    run.results.append(_collect(spark, name, sql, used, limit))
                except QueryError as exc:
                    if len(planned) == 1 or exc.usage or not exc.missing:
                        raise
                    run.skipped.append((exc.message, exc.hint))
    except (QueryError, LookupError) as exc:
        return _failed(run, exc)
    except (LocalSparkUnavailable, WarehouseBusy) as exc:
        run.error, run.usage = (str(exc), ""), False
    return run


def _collect(spark: Any, name: str, sql: str, used: list[Any], limit: int | None) -> Rows:
    from alur_compiler.local.query import QueryError, register

    for rel in used:
        register(spark, rel)
    try:
        df = spark.sql(sql)
        if limit is not None:
            df = df.limit(limit)
        rows = [tuple(r) for r in df.collect()]
    except Exception as exc:  # Spark's analysis or runtime error, worded by Spark
        message = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        for rel in used:
            message = message.replace(rel.view, rel.name)
        raise QueryError(message, "the query runs on Spark SQL 3.5", usage=False) from None
    return Rows(name, list(df.columns), rows)
