"""`alurc run --local`: run generated job scripts in dependency order in ONE Spark session.

The runtime is imported from the build's wheel (`build/runtime/*.whl`, local/wheel.py),
each `glue/<job>.py` is imported as a module and its `JOB` run by
`alur_runtime.entry.run_job` with the same argument keys a Glue job gets (specs/deploy.md),
pointing at local folders: lake, state and reports under the project's local warehouse,
landing under `local.landing`. Exactly the selected jobs run (selection/ chooses them; no
upstream is added here), in dependency order; a job whose upstream failed is skipped.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from alur_compiler.ir import Layer, Project
from alur_compiler.ir.graph import job_dependencies, topological_order
from alur_compiler.ir.layout import ICEBERG_CATALOG, LOCAL_DIRS, LOCAL_ENV, database
from alur_compiler.ir.quoting import quote_path
from alur_compiler.ir.runtime import wheel_path
from alur_compiler.local.wheel import load_runtime


@dataclass
class JobResult:
    name: str
    status: str  # succeeded | failed | skipped
    rows_read: int = 0
    rows_written: int = 0
    rows_dropped: int = 0
    rows_quarantined: int = 0
    seconds: float = 0.0
    error: str | None = None
    report: dict[str, Any] = field(default_factory=dict)


def local_paths(project: Project) -> dict[str, Path]:
    """The local warehouse and its folders (ir/layout.py LOCAL_DIRS), and the landing."""
    root = Path(project.root)
    warehouse = (root / project.local.warehouse).resolve()
    paths = {"warehouse": warehouse, "landing": (root / project.local.landing).resolve()}
    return paths | {name: warehouse / name for name in LOCAL_DIRS}


def local_args(project: Project, paths: dict[str, Path] | None = None) -> dict[str, str]:
    """The job arguments of a local run (same keys as on Glue)."""
    paths = paths or local_paths(project)
    args = {
        "alur_mode": "local",
        "alur_env": LOCAL_ENV,
        "alur_project": project.name,
        "alur_lake": str(paths["lake"]),
        "alur_landing": str(paths["landing"]),
        "alur_state": str(paths["state"]),
        "alur_reports": str(paths["reports"]),
        "alur_warehouse": str(paths["warehouse"]),
        "alur_print_report": "false",
    }
    for layer in Layer:
        args[f"alur_db_{layer}"] = database(project.name, LOCAL_ENV, str(layer))
    return args


def load_script(path: Path) -> ModuleType:
    """Import a generated script as a fresh module (never cached between runs)."""
    name = f"alur_job_{path.stem}_{time.monotonic_ns()}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:  # pragma: no cover - a missing file raises earlier
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _result(name: str, report: dict[str, Any], seconds: float) -> JobResult:
    return JobResult(
        name=name,
        status=str(report.get("status", "failed")),
        rows_read=int(report.get("rows_read", 0)),
        rows_written=int(report.get("rows_written", 0)),
        rows_dropped=int(report.get("rows_dropped", 0)),
        rows_quarantined=int(report.get("rows_quarantined", 0)),
        seconds=round(seconds, 2),
        error=report.get("error"),
        report=report,
    )


def runtime_wheel(scripts: Path) -> Path:
    """The runtime wheel of the build whose glue/ folder is `scripts`."""
    return scripts.parent / wheel_path()


def run_script(spark: Any, script: Path, args: dict[str, str]) -> dict[str, Any]:
    """Run one generated job script with the runtime of its build; returns its report."""
    runtime = load_runtime(runtime_wheel(script.parent))
    report: dict[str, Any] = runtime.entry.run_job(spark, load_script(script).JOB, dict(args))
    return report


def run_one(spark: Any, script: Path, args: dict[str, str]) -> JobResult:
    start = time.monotonic()
    try:
        report = run_script(spark, script, args)
    except Exception as exc:  # a job crashed: the run reports it, the next jobs are skipped
        written = getattr(exc, "alur_report", None)  # alur_runtime.steps.REPORT_ATTR
        if isinstance(written, dict):  # the runtime wrote the failed report
            return _result(script.stem, written, time.monotonic() - start)
        lines = f"{type(exc).__name__}: {exc}".strip().splitlines()
        message = " ".join(line.strip() for line in lines[:3])[:500]
        return JobResult(script.stem, "failed", seconds=time.monotonic() - start, error=message)
    return _result(script.stem, report, time.monotonic() - start)


def run_jobs(
    project: Project,
    scripts: Path,
    spark: Any,
    args: dict[str, str],
    names: Iterable[str] | None = None,
    on_start: Callable[[str], None] | None = None,
    on_done: Callable[[JobResult], None] | None = None,
) -> list[JobResult]:
    """Run the jobs `names` (default all) in dependency order; skip after a failure."""
    deps = job_dependencies(project)
    chosen = set(deps) if names is None else set(names)
    broken: set[str] = set()
    results: list[JobResult] = []
    for name in (n for n in topological_order(deps) if n in chosen):
        if any(d in broken for d in deps.get(name, ())):
            result = JobResult(name, "skipped", error="an upstream job failed")
        else:
            if on_start is not None:
                on_start(name)
            result = run_one(spark, scripts / f"{name}.py", args)
        if result.status != "succeeded":
            broken.add(name)
        results.append(result)
        if on_done is not None:
            on_done(result)
    return results


def gold_preview(
    project: Project, spark: Any, args: dict[str, str], limit: int = 5
) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """A few rows of each gold table (columns, rows), for the end of a local run."""
    out: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
    for table in project.tables:
        if table.layer is not Layer.GOLD:
            continue
        name = ICEBERG_CATALOG + "." + quote_path(args["alur_db_gold"], table.name)
        try:
            df = spark.table(name)
        except Exception:  # not written (yet): nothing to show
            continue
        order = [c for c in table.primary_key] or list(df.columns[:1])
        rows = df.orderBy(*order).limit(limit).collect()
        out[table.name] = (list(df.columns), [tuple(r) for r in rows])
    return out
