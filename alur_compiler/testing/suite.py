"""`alurc test` as a plain function: compile, load the tests, run them in one Spark session.

Nothing here prints: each result goes to the `on_done` callback as it is known, the rest is
returned in a `TestRun` (the CLI renders it). The project is compiled into PROJECT/build
exactly as for `alurc run --local`, so a test runs the very script that run (and Glue)
runs. Every test gets its own namespace and folders under a temporary warehouse that is
removed at the end; the Spark session is started once for all of them.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alur_compiler.diagnostics import Diagnostics
from alur_compiler.testing.execute import TestResult


def _ignore(*_: object) -> None:
    return None


@dataclass
class TestRun:
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    files: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)  # test names not in the project (exit 2)
    bad_selector: tuple[str, str | None] | None = None  # --select/--exclude: message, hint
    not_selected: list[str] = field(default_factory=list)  # tests the selection left out
    known: list[str] = field(default_factory=list)  # valid tests' names and their jobs' names
    error: str | None = None  # Spark could not start
    results: list[TestResult] = field(default_factory=list)
    spark_seconds: float = 0.0  # starting the session (JVM)
    seconds: float = 0.0  # running the tests, after the session started

    __test__ = False

    @property
    def exit_code(self) -> int:
        if self.diagnostics.has_errors or self.error is not None:
            return 1
        if self.unknown or self.bad_selector is not None:
            return 2
        return 0 if all(r.status == "passed" for r in self.results) else 1


def run_tests(
    path: Path,
    names: list[str] | None = None,
    spark: Any = None,
    on_done: Callable[[TestResult], None] = _ignore,
    jobs: int = 1,
    select: list[str] | None = None,
    exclude: list[str] | None = None,
) -> TestRun:
    """Run the project's tests (or those named, or those of the jobs named) and return
    what happened. `spark`: a
    session to use (tests); by default the build's runtime starts the local one. `jobs`:
    how many tests run at once (threads sharing the session, each test in a SparkSession
    of its own); results come back in the tests' order. `select` / `exclude`: selectors
    (specs/selection.md) over jobs; only the tests of the selected jobs run."""
    from alur_compiler import api
    from alur_compiler.load.discover import load_project_files, load_test_files
    from alur_compiler.load.spec_paths import find_root
    from alur_compiler.testing.spec import load_tests

    compiled = api.compile_and_load(path)
    run = TestRun(compiled.diagnostics, compiled.files)
    project = compiled.project
    if not compiled.ok or project is None or compiled.out is None:
        return run
    loaded = load_project_files(find_root(path) or path, Diagnostics())
    docs = load_test_files(loaded, run.diagnostics)
    run.files.update(loaded.files)
    cases = load_tests(docs, project, run.diagnostics)
    run.known = sorted({c.name for c in cases} | {c.job.name for c in cases})
    wanted = set(names or ())
    run.unknown = sorted(wanted - set(run.known))
    if run.diagnostics.has_errors or run.unknown:
        return run
    selected = [c for c in cases if not wanted or {c.name, c.job.name} & wanted]
    if select or exclude:
        from alur_compiler.diagnostics.suggest import UnknownName
        from alur_compiler.selection import SelectorError, select_jobs

        try:
            chosen = set(select_jobs(project, select or [], exclude or []))
        except (UnknownName, SelectorError) as exc:
            run.bad_selector = (exc.message, exc.hint)
            return run
        run.not_selected = [c.name for c in selected if c.job.name not in chosen]
        selected = [c for c in selected if c.job.name in chosen]
    if not selected:
        return run
    workdir = Path(tempfile.mkdtemp(prefix="alurc-test-"))
    try:
        started = time.monotonic()
        if spark is None:
            from alur_compiler.local.session import LocalSparkUnavailable, start_local_spark

            try:
                spark = start_local_spark(compiled.out, workdir)
            except LocalSparkUnavailable as exc:
                run.error = str(exc)
                return run
        from alur_compiler.testing.execute import TestRunner

        runner = TestRunner(spark, compiled.out / "glue", workdir)
        run.spark_seconds = round(time.monotonic() - started, 3)
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for result in pool.map(runner.run, selected):
                run.results.append(result)
                on_done(result)
        run.seconds = round(time.monotonic() - started, 3)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return run
