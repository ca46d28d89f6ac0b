"""`alurc run`: locally on embedded Spark (--local) or the deployed Glue job (--env ENV)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from alur_compiler import api
from alur_compiler.api_local import RunOptions
from alur_compiler.cli.app import app
from alur_compiler.cli.common import OutputFormat, fail_usage, report
from alur_compiler.cli.selecting import ExcludeOption, SelectOption
from alur_compiler.diagnostics import Diagnostics
from alur_compiler.diagnostics.words import count
from alur_compiler.local.runner import JobResult

_STYLE = {"succeeded": "green", "failed": "red", "skipped": "yellow"}


def _split_targets(targets: list[str], project_dir: Path | None) -> tuple[Path, list[str]]:
    """NAMES may contain one project folder (`alurc run --local examples/retail`)."""
    names: list[str] = []
    folder = project_dir
    for item in targets:
        # a project, or a path that was meant to be one (its missing alur.yaml is reported)
        meant = ":" not in item and ("/" in item or item in (".", ".."))
        if folder is None and ((Path(item) / "alur.yaml").is_file() or meant):
            folder = Path(item)
        else:
            names.append(item)
    return (folder or Path(".")), names


@app.command("run")
def run_cmd(
    targets: Annotated[
        list[str] | None,
        typer.Argument(
            help="Selectors of the jobs to run (only those: +NAME adds upstreams, see "
            "specs/selection.md); default all. May name the project folder."
        ),
    ] = None,
    local: Annotated[
        bool, typer.Option("--local", help="Run on embedded Spark + Iceberg.")
    ] = False,
    env: Annotated[
        str | None, typer.Option("--env", help="Start the deployed Glue job in ENV.")
    ] = None,
    project_dir: Annotated[
        Path | None,
        typer.Option("--project", "-p", help="Deprecated: give the project folder as an argument."),
    ] = None,
    select: SelectOption = None,
    exclude: ExcludeOption = None,
    full_refresh: Annotated[
        bool,
        typer.Option(
            "--full-refresh", help="Rebuild the selected targets from their sources (asks)."
        ),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before a full refresh.")] = (
        False
    ),
    preview: Annotated[int, typer.Option(help="Rows of each gold table to print after a run.")] = 5,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="Also print Spark's own log (kept in WAREHOUSE/logs/spark.log)."
        ),
    ] = False,
) -> None:
    """Run pipelines and ingestions: --local on embedded Spark, or --env ENV on AWS Glue."""
    if project_dir is not None:
        typer.echo(
            "warning: -p/--project is deprecated; give the project folder as an argument "
            "(alurc run --local FOLDER)",
            err=True,
        )
    root, names = _split_targets(targets or [], project_dir)
    if local == (env is not None):
        fail_usage("choose exactly one of --local or --env ENV")
    if env is not None:
        if select or exclude:
            fail_usage("--env runs exactly one job: alurc run NAME --env ENV (no --select)")
        raise typer.Exit(_run_remote(root, env, names, full_refresh, yes))
    options = RunOptions([*names, *(select or [])], exclude or [], preview, full_refresh)
    raise typer.Exit(_run_local(root, options, yes, verbose))


def _run_remote(root: Path, env: str, names: list[str], full_refresh: bool, yes: bool) -> int:
    if len(names) != 1:
        fail_usage("--env runs exactly one job: alurc run NAME --env ENV")

    def diagnostics(diags: Diagnostics, files: dict[str, str]) -> None:
        report(diags, files, OutputFormat.text)

    hooks = api.DeployHooks(diagnostics=diagnostics, out=print)
    return api.run_remote(
        root,
        env,
        names[0],
        wait=True,
        hooks=hooks,
        full_refresh=full_refresh,
        confirm=_confirm(yes),
    ).exit_code


def _confirm(yes: bool) -> Callable[[list[str]], bool]:
    def confirm(jobs: list[str]) -> bool:
        typer.echo(
            f"--full-refresh empties the targets of {count(len(jobs), 'pipeline')} and "
            f"rebuilds them from their sources: {', '.join(jobs)}",
            err=True,
        )
        if yes:
            return True
        if not sys.stdin.isatty():
            fail_usage("--full-refresh asks first; add --yes when no terminal can answer")
        return typer.confirm("continue?", default=False, err=True)

    return confirm


def _run_local(root: Path, options: RunOptions, yes: bool, verbose: bool = False) -> int:
    # piped output (CI logs, `make demo | tee`) gets room for the summary and gold tables
    # results (summary, gold tables) on stdout; progress on stderr (specs/README.md, Output)
    console = Console(stderr=False, width=None if sys.stdout.isatty() else 120)
    progress = Console(stderr=True)
    status = progress.status("")

    def spark_starting() -> None:
        status.update("starting Spark (embedded, Iceberg)...")
        status.start()

    def job_started(name: str) -> None:
        status.update(f"running [bold]{name}[/bold]...")

    def job_done(r: JobResult) -> None:
        style = _STYLE.get(r.status, "red")
        line = f"[{style}]{r.status:>9}[/{style}]  {r.name}  ({r.seconds:.1f}s)"
        if r.error:  # the whole story follows the run (_explain_failures)
            short = r.error if len(r.error) <= 100 else r.error[:99] + "…"
            line += f"  [dim]{escape(short)}[/dim]"
        progress.print(line)

    hooks = api.LocalHooks(spark_starting, job_started, job_done, _confirm(yes))
    spark_log = _SparkLog(root) if verbose else None
    try:
        run = api.run_local(root, options, hooks)
    finally:
        status.stop()
        if spark_log is not None:
            spark_log.show()
    if not run.compiled:
        report(run.diagnostics, run.files, OutputFormat.text)
        return run.exit_code
    if run.usage_error is not None:
        fail_usage(*run.usage_error)
    if run.declined:
        typer.echo("nothing ran: the full refresh was not confirmed", err=True)
        return run.exit_code
    _say_not_selected(run.not_selected, bool(run.selected))
    if run.error is not None:
        typer.echo(f"error: {run.error}", err=True)
        return run.exit_code
    if run.results:
        _explain_failures(run)
        console.print(summary_table(run.results))
        if not run.spark_started and run.succeeded:
            typer.echo("nothing changed since the last run: Spark was not started", err=True)
    for name, (cols, rows) in run.previews.items():
        console.print(_preview_table(name, cols, rows))
    return run.exit_code


def _say_not_selected(names: list[str], any_selected: bool) -> None:
    if not any_selected:
        typer.echo("nothing selected: no job runs", err=True)
    elif names:
        typer.echo(f"not selected ({count(len(names), 'job')}): {', '.join(names)}", err=True)


class _SparkLog:
    """The JVM's output of this run (local/session.py puts it in WAREHOUSE/logs/spark.log)."""

    def __init__(self, root: Path) -> None:
        from alur_compiler.local.session import jvm_log

        loaded = api.load(root) if (root / "alur.yaml").is_file() else None
        project = loaded.project if loaded is not None else None
        self.path = (
            jvm_log(Path(project.root) / project.local.warehouse) if project is not None else None
        )
        self.start = self.path.stat().st_size if self.path and self.path.is_file() else 0

    def show(self) -> None:
        if self.path is None or not self.path.is_file():
            return
        with self.path.open("rb") as fh:
            fh.seek(self.start)
            text = fh.read().decode("utf-8", "replace")
        if not text:
            return  # no JVM started in this run
        typer.echo(f"--- Spark's log ({self.path}):\n{text.rstrip()}", err=True)


def _explain_failures(run: api.LocalRun) -> None:
    """Each failed job: step, Spark error, YAML location (the trace only with --debug)."""
    from alur_compiler.local.failure import explain, render_failure

    assert run.project is not None
    debug = os.environ.get("ALURC_DEBUG") == "1"
    for r in run.results:
        if r.status == "failed":
            typer.echo(render_failure(explain(run.project, r), run.files, debug), err=True)


def summary_table(results: list[JobResult]) -> Table:
    table = Table(title="alurc run --local")
    for col in ("job", "status", "in", "out", "dropped", "quarantined", "secs"):
        left = col in ("job", "status")
        table.add_column(col, justify="left" if left else "right", no_wrap=True)
    for r in results:
        style = _STYLE.get(r.status, "red")
        table.add_row(
            r.name,
            f"[{style}]{r.status}[/{style}]",
            str(r.rows_read),
            str(r.rows_written),
            str(r.rows_dropped),
            str(r.rows_quarantined),
            f"{r.seconds:.1f}",
        )
    return table


def _preview_table(name: str, cols: list[str], rows: list[tuple[Any, ...]]) -> Table:
    table = Table(title=f"gold.{name} (first {count(len(rows), 'row')})")
    for col in cols:
        table.add_column(col)
    for row in rows:
        table.add_row(*["" if v is None else str(v) for v in row])
    return table
