"""`alurc test`: run the project's YAML unit tests (kind: Test) on embedded Spark."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from alur_compiler import console
from alur_compiler.cli.app import app
from alur_compiler.cli.common import fail_usage
from alur_compiler.cli.selecting import ExcludeOption, SelectOption
from alur_compiler.diagnostics.suggest import UnknownName
from alur_compiler.diagnostics.words import count

#: tests run at once by default: one. Two threads measured no faster on a loaded 2-core
#: machine (benchmarks/test_fixtures), so results stay in order without threads by default
DEFAULT_JOBS = 1


class TestFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"
    junit = "junit"

    __test__ = False


@contextmanager
def _stdout_to_stderr(active: bool) -> Iterator[None]:
    """While tests run, what the jobs, Spark or the JVM (started now) write to stdout goes
    to stderr, so stdout holds only the report a tool parses (json, github, junit)."""
    try:
        fd = sys.stdout.fileno() if active else -1
    except (AttributeError, OSError, ValueError):  # not a real file (a test captures it)
        fd = -1
    if fd < 0:
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    os.dup2(sys.stderr.fileno(), fd)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, fd)
        os.close(saved)


def _split(targets: list[str]) -> tuple[Path, list[str]]:
    """TARGETS may hold the project folder, first or last (`alurc test examples/retail NAME`);
    the rest are test or job names."""
    folders = [t for t in targets if Path(t).is_dir()]
    root = Path(folders[0]) if folders else Path(".")
    return root, [t for t in targets if not folders or t != folders[0]]


@app.command("test")
def test_cmd(
    targets: Annotated[
        list[str] | None,
        typer.Argument(
            help="Project folder (default: .), then tests or jobs to run (default: all tests)."
        ),
    ] = None,
    fmt: Annotated[
        TestFormat,
        typer.Option("--format", "-f", help="How to report: text, json, github or junit."),
    ] = TestFormat.text,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also print the jobs' log lines.")
    ] = False,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs", "-j", min=1, max=16, help="Tests run at once in the one Spark session."
        ),
    ] = DEFAULT_JOBS,
    select: SelectOption = None,
    exclude: ExcludeOption = None,
) -> None:
    """Run unit tests (tests/*.yaml, kind: Test) with the jobs' generated code on embedded
    Spark: given upstream rows, expect the target's rows after the write. Exit 1 on a
    failure, with a row diff. --select/--exclude keep the tests of the selected jobs."""
    from alur_compiler.testing.report import (
        render_github,
        render_json,
        render_junit,
        result_lines,
        summary,
    )
    from alur_compiler.testing.suite import run_tests

    root, names = _split(targets or [])
    streaming = fmt is TestFormat.text
    color = console.use_color(sys.stdout)

    def done(result: object) -> None:
        from alur_compiler.testing.execute import TestResult

        assert isinstance(result, TestResult)
        if streaming:
            for line in result_lines(result, color):
                console.out(line)
            if verbose:
                for line in result.log:
                    console.err("    | " + line)

    with _stdout_to_stderr(not streaming):
        run = run_tests(
            root, names or None, on_done=done, jobs=jobs, select=select, exclude=exclude
        )
    if fmt is TestFormat.json:  # one document: diagnostics, tests and summary
        console.out(render_json(run))
    else:
        diag_format = "github" if fmt is TestFormat.github else "text"
        console.report(run.diagnostics, run.files, diag_format)
    if run.bad_selector is not None:
        fail_usage(*run.bad_selector)
    if run.unknown:
        unknown = UnknownName("test", run.unknown, run.known, "tests, or jobs to run the tests of")
        fail_usage(unknown.message, unknown.hint)
    if run.error is not None:
        console.err(f"error: {run.error}")
    elif not run.diagnostics.has_errors:
        if run.not_selected:
            left_out = count(len(run.not_selected), "test")
            console.err(f"not selected ({left_out}): " + ", ".join(run.not_selected))
        if not run.results and run.not_selected and fmt is TestFormat.text:
            console.err("no tests of the selected jobs")
        elif not run.results and fmt is TestFormat.text:
            console.err("no tests found: write tests/*.yaml with `kind: Test` (specs/testing.md)")
        elif fmt is TestFormat.text:
            console.out(summary(run))
        elif fmt is TestFormat.github:
            console.out(render_github(run))
        elif fmt is TestFormat.junit:
            console.out(render_junit(run))
    raise typer.Exit(run.exit_code)
