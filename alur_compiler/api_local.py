"""`run --local` as a plain function: compile, start embedded Spark, run the jobs in order.

Nothing here prints: progress goes to `LocalHooks`, everything else is returned in a
`LocalRun` (the CLI renders the summary table and the gold previews). The Spark session
and the local runner are imported inside `run_local`, so `import alur_compiler.api` stays
light.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alur_compiler.diagnostics import Diagnostics

if TYPE_CHECKING:
    from alur_compiler.ir import Project
    from alur_compiler.local.runner import JobResult

Preview = tuple[list[str], list[tuple[Any, ...]]]  # column names, rows


def _ignore(*_: object) -> None:
    return None


def _yes(*_: object) -> bool:
    return True


@dataclass(frozen=True)
class LocalHooks:
    """Progress of a local run, for a spinner and one line per finished job."""

    spark_starting: Callable[[], None] = _ignore
    job_started: Callable[[str], None] = _ignore
    job_done: Callable[[JobResult], None] = _ignore
    #: asked with the pipelines whose targets a full refresh rebuilds (ingestions are
    #: never refreshed); False stops the run
    confirm_refresh: Callable[[list[str]], bool] = _yes


@dataclass
class LocalRun:
    """What `run_local` did; `exit_code` is the CLI's exit status."""

    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    files: dict[str, str] = field(default_factory=dict)
    project: Project | None = None
    #: a bad selector or unknown name: (message, hint), a usage error (exit 2)
    usage_error: tuple[str, str] | None = None
    selected: list[str] = field(default_factory=list)  # jobs to run, in name order
    not_selected: list[str] = field(default_factory=list)  # the project's other jobs
    error: str | None = None  # Spark could not start
    results: list[JobResult] = field(default_factory=list)
    previews: dict[str, Preview] = field(default_factory=dict)  # gold table -> first rows
    spark_started: bool = False  # False: every job had nothing to do (alur_runtime/settled.py)
    declined: bool = False  # the full refresh was not confirmed: nothing ran

    @property
    def compiled(self) -> bool:
        return self.project is not None and not self.diagnostics.has_errors

    @property
    def succeeded(self) -> bool:
        return all(r.status == "succeeded" for r in self.results)

    @property
    def exit_code(self) -> int:
        if not self.compiled:
            return 1
        if self.usage_error is not None:
            return 2
        if self.declined:
            return 1
        return 0 if self.error is None and self.succeeded else 1


@dataclass(frozen=True)
class RunOptions:
    """What to run: `select` / `exclude` selectors (specs/selection.md; empty select = all
    jobs), gold preview rows, and a full refresh of the selected jobs' targets."""

    select: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    preview: int = 5
    full_refresh: bool = False


def run_local(path: Path, options: RunOptions, hooks: LocalHooks = LocalHooks()) -> LocalRun:
    """Compile into PROJECT/build, then run exactly the selected jobs on embedded Spark +
    Iceberg, in dependency order; with `preview` > 0, the first rows of each gold table."""
    from alur_compiler import api

    compiled = api.compile_and_load(path)
    run = LocalRun(compiled.diagnostics, compiled.files, compiled.project)
    project = compiled.project
    if not compiled.ok or project is None or compiled.out is None:
        run.project = None
        return run
    if not _select(run, project, options) or not run.selected:
        return run  # nothing to run: no Spark to start
    refreshed = [n for n in run.selected if n in {p.name for p in project.pipelines}]
    if options.full_refresh and refreshed and not hooks.confirm_refresh(refreshed):
        run.declined = True
        return run
    from alur_compiler.local.lock import WarehouseBusy, warehouse_lock
    from alur_compiler.local.runner import (
        gold_preview,
        local_args,
        local_paths,
        run_jobs,
        runtime_wheel,
    )
    from alur_compiler.local.session import LocalSparkUnavailable, lazy_local_spark
    from alur_compiler.local.wheel import load_runtime

    paths = local_paths(project)
    args = local_args(project, paths) | full_refresh_args(options.full_refresh)
    try:
        with warehouse_lock(paths["warehouse"]):  # before Spark: a loser starts no JVM
            spark = lazy_local_spark(
                compiled.out, paths["warehouse"], Path(project.root), hooks.spark_starting
            )
            scripts = compiled.out / "glue"
            run.results = run_jobs(
                project, scripts, spark, args, run.selected, hooks.job_started, hooks.job_done
            )
            run.spark_started = spark.started
            _record_shapes(run, project, paths["warehouse"])
            if run.succeeded and options.preview > 0:
                settled = load_runtime(runtime_wheel(scripts)).settled
                run.previews = gold_preview(project, spark, args, options.preview, settled)
            run.spark_started = spark.started
    except (LocalSparkUnavailable, WarehouseBusy) as exc:
        run.error = str(exc)
    return run


def _record_shapes(run: LocalRun, project: Project, warehouse: Path) -> None:
    """What `alurc plan --local` compares with: the shapes of the jobs that succeeded."""
    from alur_compiler.local.observed import record_run_shapes

    done = [r.name for r in run.results if r.status == "succeeded"]
    try:
        record_run_shapes(warehouse, project, done)
    except OSError as exc:
        run.error = f"the run's tables are written, but recording their contracts failed: {exc}"


def full_refresh_args(full_refresh: bool) -> dict[str, str]:
    """The job argument that asks the runtime to rebuild the target (alur_runtime/refresh.py)."""
    return {"alur_full_refresh": "true"} if full_refresh else {}


def _select(run: LocalRun, project: Project, options: RunOptions) -> bool:
    """Fill `run.selected` / `run.not_selected`; False (and `usage_error`) on a bad selector."""
    from alur_compiler.diagnostics.suggest import UnknownName
    from alur_compiler.selection import SelectorError, select_jobs

    try:
        run.selected = select_jobs(project, options.select, options.exclude)
    except (UnknownName, SelectorError) as exc:
        run.usage_error = (exc.message, exc.hint)
        return False
    run.not_selected = sorted({j.name for j in project.jobs} - set(run.selected))
    return True
