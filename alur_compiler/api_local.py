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


@dataclass(frozen=True)
class LocalHooks:
    """Progress of a local run, for a spinner and one line per finished job."""

    spark_starting: Callable[[], None] = _ignore
    job_started: Callable[[str], None] = _ignore
    job_done: Callable[[JobResult], None] = _ignore


@dataclass
class LocalRun:
    """What `run_local` did; `exit_code` is the CLI's exit status."""

    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    files: dict[str, str] = field(default_factory=dict)
    project: Project | None = None
    unknown: list[str] = field(default_factory=list)  # job names not in the project (exit 2)
    error: str | None = None  # Spark could not start
    results: list[JobResult] = field(default_factory=list)
    previews: dict[str, Preview] = field(default_factory=dict)  # gold table -> first rows

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
        if self.unknown:
            return 2
        return 0 if self.error is None and self.succeeded else 1


def run_local(
    path: Path, names: list[str], preview: int = 5, hooks: LocalHooks = LocalHooks()
) -> LocalRun:
    """Compile into PROJECT/build, then run NAMES (default all) and their upstreams on
    embedded Spark + Iceberg; with `preview` > 0, the first rows of each gold table."""
    from alur_compiler import api

    compiled = api.compile_and_load(path)
    run = LocalRun(compiled.diagnostics, compiled.files, compiled.project)
    project = compiled.project
    if not compiled.ok or project is None or compiled.out is None:
        run.project = None
        return run
    run.unknown = sorted(set(names) - {j.name for j in project.jobs})
    if run.unknown or not project.jobs:  # no job: nothing to run, no Spark to start
        return run
    from alur_compiler.local.lock import WarehouseBusy, warehouse_lock
    from alur_compiler.local.runner import gold_preview, local_args, local_paths, run_jobs
    from alur_compiler.local.session import LocalSparkUnavailable, start_local_spark

    paths = local_paths(project)
    args = local_args(project, paths)
    try:
        with warehouse_lock(paths["warehouse"]):  # before Spark: a loser starts no JVM
            hooks.spark_starting()
            spark = start_local_spark(compiled.out, paths["warehouse"])
            scripts = compiled.out / "glue"
            run.results = run_jobs(
                project, scripts, spark, args, names or None, hooks.job_started, hooks.job_done
            )
            if run.succeeded and preview > 0:
                run.previews = gold_preview(project, spark, args, preview)
    except (LocalSparkUnavailable, WarehouseBusy) as exc:
        run.error = str(exc)
    return run
