"""`alurc run --local`: run generated job scripts in dependency order in ONE Spark JVM.

The runtime is imported from the build's wheel (`build/runtime/*.whl`, local/wheel.py),
each `glue/<job>.py` is imported as a module and its `JOB` run by
`alur_runtime.entry.run_job` with the same argument keys a Glue job gets (specs/deploy.md),
pointing at local folders: lake, state and reports under the project's local warehouse,
landing under `local.landing`. Exactly the selected jobs run (selection/ chooses them; no
upstream is added here), in dependency order (with ALURC_LOCAL_JOBS > 1 independent ones at
the same time, one SparkSession each, see `run_jobs`); a job whose upstream failed is skipped.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from alur_compiler.ir import Layer, Project
from alur_compiler.ir.graph import job_dependencies, topological_order
from alur_compiler.ir.layout import ICEBERG_CATALOG, LOCAL_DIRS, LOCAL_ENV, database
from alur_compiler.ir.quoting import quote_path
from alur_compiler.ir.runtime import wheel_path
from alur_compiler.local.session import LazySpark, LocalSparkUnavailable
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
        "alur_project_root": str(Path(project.root).resolve()),
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


def session_of(spark: Any) -> Any:
    """The SparkSession itself (started now if `spark` is a LazySpark)."""
    return spark.get() if isinstance(spark, LazySpark) else spark


def run_script(spark: Any, script: Path, args: dict[str, str]) -> dict[str, Any]:
    """Run one generated job script with the runtime of its build; returns its report.

    A job whose last run left nothing to do and whose inputs, outputs, state, code and
    configuration have not changed since is answered from the key that run recorded,
    without Spark (alur_runtime/settled.py); otherwise it runs, and records the key (or
    forgets the old one) afterwards."""
    runtime = load_runtime(runtime_wheel(script.parent))
    job, args = load_script(script).JOB, dict(args)
    settled = runtime.settled
    if not settled.applies(job, args):
        report: dict[str, Any] = runtime.entry.run_job(session_of(spark), job, args)
        return report
    known = settled.settled_report(job, args)
    if known is not None:
        return dict(known)
    before = settled.observe(job, args)
    try:
        report = runtime.entry.run_job(session_of(spark), job, args)
    except BaseException:
        settled.forget(job, args)
        raise
    settled.record(job, args, before, report)
    return report


def run_one(spark: Any, script: Path, args: dict[str, str]) -> JobResult:
    """Run one job; its seconds leave out starting Spark (a LazySpark started by it)."""
    start = time.monotonic()
    cold = isinstance(spark, LazySpark) and not spark.started

    def seconds() -> float:
        spent = time.monotonic() - start
        return spent - spark.start_seconds if cold and spark.started else spent

    try:
        report = run_script(spark, script, args)
    except LocalSparkUnavailable:
        raise  # no job can run: the run reports it (api_local.run_local)
    except Exception as exc:  # a job crashed: the run reports it, the next jobs are skipped
        written = getattr(exc, "alur_report", None)  # alur_runtime.steps.REPORT_ATTR
        if isinstance(written, dict):  # the runtime wrote the failed report
            return _result(script.stem, written, seconds())
        lines = f"{type(exc).__name__}: {exc}".strip().splitlines()
        message = " ".join(line.strip() for line in lines[:3])[:500]
        return JobResult(script.stem, "failed", seconds=seconds(), error=message)
    return _result(script.stem, report, seconds())


def local_workers() -> int:
    """How many independent jobs run at once: ALURC_LOCAL_JOBS (default 1, one after the
    other). On this 2-core, shared machine two at a time measured no faster (README of
    benchmarks/, "Local runs"), so running them together is asked for, not the default."""
    wanted = os.environ.get("ALURC_LOCAL_JOBS", "")
    if wanted.isascii() and wanted.isdigit() and int(wanted) > 0:
        return min(int(wanted), 8)
    return 1


def run_jobs(
    project: Project,
    scripts: Path,
    spark: Any,
    args: dict[str, str],
    names: Iterable[str] | None = None,
    on_start: Callable[[str], None] | None = None,
    on_done: Callable[[JobResult], None] | None = None,
    workers: int | None = None,
) -> list[JobResult]:
    """Run the jobs `names` (default all) in dependency order; skip after a failure.

    Jobs whose upstreams (job_dependencies: the writers of every table a job reads, its
    relationship checks' tables included, and `after:`) have all finished may run at the
    same time, up to `workers` (default local_workers()). With more than one worker each
    job runs in a thread and a SparkSession of its own (`newSession`: own temp views and
    SQL settings; the same JVM and cache); with one, in `spark` itself, as before. Jobs
    started together read nothing the others write, so what each one reads and writes is
    what it would be one after the other. The results are in dependency order
    (topological_order) whatever order the jobs finished in.
    """
    deps = job_dependencies(project)
    chosen = set(deps) if names is None else set(names)
    order = [n for n in topological_order(deps) if n in chosen]
    load_runtime(runtime_wheel(scripts))  # once, here: importing it is not thread-safe
    done: dict[str, JobResult] = {}
    broken: set[str] = set()
    pending = list(order)
    size = max(1, workers or local_workers())
    with ThreadPoolExecutor(max_workers=size, thread_name_prefix="alurc-job") as pool:
        running: dict[Future[JobResult], str] = {}
        while pending or running:
            for name in _ready(pending, deps, chosen, done, size - len(running)):
                pending.remove(name)
                if any(d in broken for d in deps.get(name, ())):
                    result = JobResult(name, "skipped", error="an upstream job failed")
                    _finish(result, done, broken, on_done)
                    continue
                if on_start is not None:
                    on_start(name)
                if size == 1:  # in this thread, as before (Ctrl-C stops the job at once)
                    _finish(run_one(spark, scripts / f"{name}.py", args), done, broken, on_done)
                    continue
                own = LazySpark(lambda: session_of(spark).newSession())  # only if it runs
                job = pool.submit(run_one, own, scripts / f"{name}.py", args)
                running[job] = name
            if not running:
                if pending and not _ready(pending, deps, chosen, done, size):
                    raise RuntimeError("jobs wait on each other: " + ", ".join(pending))
                continue  # only skips were ready: look again
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                del running[future]
                _finish(future.result(), done, broken, on_done)
    return [done[name] for name in order]


def _ready(
    pending: list[str],
    deps: dict[str, tuple[str, ...]],
    chosen: set[str],
    done: dict[str, JobResult],
    free: int,
) -> list[str]:
    """Up to `free` pending jobs (in dependency order) whose chosen upstreams all finished;
    a job to be skipped is always ready (it takes no worker)."""
    out: list[str] = []
    for name in pending:
        ups = [d for d in deps.get(name, ()) if d in chosen]
        if any(d not in done for d in ups):
            continue
        skip = any(done[d].status != "succeeded" for d in ups)
        if not skip and free <= 0:
            continue
        out.append(name)
        free -= 0 if skip else 1
    return out


def _finish(
    result: JobResult,
    done: dict[str, JobResult],
    broken: set[str],
    on_done: Callable[[JobResult], None] | None,
) -> None:
    done[result.name] = result
    if result.status != "succeeded":
        broken.add(result.name)
    if on_done is not None:
        on_done(result)


def gold_preview(
    project: Project,
    spark: Any,
    args: dict[str, str],
    limit: int = 5,
    settled: Any = None,
) -> dict[str, tuple[list[str], list[tuple[str | None, ...]]]]:
    """A few rows of each gold table (columns, rows as text), for the end of a local run.

    With `settled` (the run's alur_runtime.settled), each table's rows are kept in
    WAREHOUSE/previews.json under a key over its Iceberg `metadata/` folder (every commit
    changes it), so a run that wrote nothing shows them again without Spark."""
    catalog = settled.catalog_folder(args) if settled is not None else None
    tree = settled.tree if catalog is not None else None
    out: dict[str, tuple[list[str], list[tuple[str | None, ...]]]] = {}
    cache_path = Path(args.get("alur_warehouse", ".")) / PREVIEWS
    cache = _read_previews(cache_path) if tree is not None else {}
    fresh: dict[str, Any] = {}
    for table in project.tables:
        if table.layer is not Layer.GOLD:
            continue
        key = None
        if tree is not None:
            folder = Path(catalog or "") / args["alur_db_gold"] / table.name
            if not folder.is_dir():
                continue  # not written (yet): nothing to show
            key = _digest([tree(str(folder / "metadata")), limit, list(table.primary_key)])
            hit = cache.get(table.name)
            if isinstance(hit, dict) and hit.get("key") == key:
                out[table.name] = (hit["columns"], [tuple(r) for r in hit["rows"]])
                fresh[table.name] = hit
                continue
        name = ICEBERG_CATALOG + "." + quote_path(args["alur_db_gold"], table.name)
        try:
            df = session_of(spark).table(name)
        except Exception:  # not written (yet): nothing to show
            continue
        order = [c for c in table.primary_key] or list(df.columns[:1])
        rows = [
            tuple(None if v is None else str(v) for v in r)
            for r in df.orderBy(*order).limit(limit).collect()
        ]
        out[table.name] = (list(df.columns), rows)
        fresh[table.name] = {"key": key, "columns": list(df.columns), "rows": rows}
    if tree is not None and fresh != cache:
        _write_previews(cache_path, fresh)
    return out


#: The gold previews of the last local run (gold_preview), in the warehouse folder.
PREVIEWS = "previews.json"


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_previews(path: Path) -> dict[str, Any]:
    """The cached previews; {} for a missing, damaged or foreign file (then Spark reads)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    tables = data.get("tables") if isinstance(data, dict) else None
    if not isinstance(tables, dict):
        return {}
    good = {}
    for name, entry in tables.items():
        if (
            isinstance(entry, dict)
            and isinstance(entry.get("columns"), list)
            and isinstance(entry.get("rows"), list)
            and all(isinstance(r, list) for r in entry["rows"])
        ):
            good[name] = entry
    return good


def _write_previews(path: Path, tables: dict[str, Any]) -> None:
    """Replace the cache in one rename (a reader sees the old file or the new one)."""
    text = json.dumps({"tables": tables}, sort_keys=True, indent=1, default=str)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temp.write_text(text + "\n", encoding="utf-8")
        os.replace(temp, path)
    except OSError:
        temp.unlink(missing_ok=True)  # a cache: a run never fails on it
