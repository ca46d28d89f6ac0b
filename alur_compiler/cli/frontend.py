"""validate, compile, graph, lineage."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from alur_compiler import api, console, lineage_formats, lookup
from alur_compiler.cli.app import app
from alur_compiler.cli.common import (
    FormatOption,
    OutputFormat,
    ProjectDir,
    exit_code,
    fail_usage,
    report,
)
from alur_compiler.cli.selecting import ExcludeOption, SelectOption, jobs_or_exit
from alur_compiler.diagnostics.suggest import UnknownName
from alur_compiler.diagnostics.words import count
from alur_compiler.graphs import graph_document, render_dot, render_mermaid, upstream_columns
from alur_compiler.ir import Project


@app.command()
def validate(
    path: ProjectDir = Path("."),
    fmt: FormatOption = OutputFormat.text,
    connect: Annotated[
        bool,
        typer.Option(
            "--connect",
            help="Also read each jdbc source's live columns and report drift from its "
            "contract (local credentials; specs/ingestion.md#jdbc-sources).",
        ),
    ] = False,
) -> None:
    """Report every problem in the project in one pass (exit 0 clean, 1 errors, 2 usage)."""
    result = api.load(path)
    if connect and result.project is not None and not result.diagnostics.has_errors:
        from alur_compiler.connect import check_live_sources

        check_live_sources(result.project, result.diagnostics)
    report(result.diagnostics, result.files, fmt)
    if fmt is OutputFormat.text and not result.diagnostics.has_errors and result.project:
        p = result.project
        counts = [
            count(len(p.tables), "table"),
            count(len(p.pipelines), "pipeline"),
            count(len(p.ingestions), "ingestion"),
            count(len(p.environments), "environment"),
        ]
        typer.echo(f"ok: {p.name}: {', '.join(counts)}")  # the result: stdout
    raise typer.Exit(exit_code(result.diagnostics))


@app.command("compile")
def compile_cmd(
    path: ProjectDir = Path("."),
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Build folder (default: PROJECT/build).")
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Write nothing; exit 1 when the build folder is out of date (for CI)."
        ),
    ] = False,
    fmt: FormatOption = OutputFormat.text,
) -> None:
    """Validate and generate glue/, quality/, terraform/, cdktf/, manifest and lineage."""
    raise typer.Exit(console.compile_and_report(path, out, check, fmt.value))


def _load_or_exit(path: Path) -> Project:
    """The project, or exit 1 after printing why it could not be built."""
    result = api.load(path)
    if result.project is None:
        report(result.diagnostics, result.files, OutputFormat.text)
        raise typer.Exit(1)
    return result.project


class GraphFormat(StrEnum):
    mermaid = "mermaid"
    dot = "dot"
    json = "json"


@app.command()
def graph(
    path: ProjectDir = Path("."),
    fmt: Annotated[
        GraphFormat, typer.Option("--format", "-f", help="mermaid, dot or json.")
    ] = GraphFormat.mermaid,
    select: SelectOption = None,
    exclude: ExcludeOption = None,
) -> None:
    """Print the job DAG: ingestions and pipelines with the tables they read and write."""
    project = _load_or_exit(path)
    jobs = jobs_or_exit(project, select, exclude) if select or exclude else None
    doc = graph_document(project, jobs)
    if fmt is GraphFormat.json:
        typer.echo(json.dumps(doc, indent=2, sort_keys=True))
    else:
        typer.echo(render_mermaid(doc) if fmt is GraphFormat.mermaid else render_dot(doc))


class LineageFormat(StrEnum):
    text = "text"
    dot = "dot"
    mermaid = "mermaid"
    json = "json"


@app.command()
def lineage(
    column: Annotated[str, typer.Argument(help="TABLE.COLUMN to trace upstream.")],
    path: ProjectDir = Path("."),
    fmt: Annotated[
        LineageFormat,
        typer.Option("--format", "-f", help="text (a tree), dot, mermaid or json."),
    ] = LineageFormat.text,
) -> None:
    """Print the upstream columns TABLE.COLUMN is computed from, back to the raw files."""
    project = _load_or_exit(path)
    try:
        table, col = lookup.column(project, column)
    except UnknownName as exc:
        fail_usage(exc.message, exc.hint)
    tree = upstream_columns(project, table.name, col)
    if fmt is LineageFormat.json:
        typer.echo(json.dumps(tree, indent=2, sort_keys=True))
        return
    render = {
        LineageFormat.text: lineage_formats.render_text,
        LineageFormat.dot: lineage_formats.render_dot,
        LineageFormat.mermaid: lineage_formats.render_mermaid,
    }[fmt]
    typer.echo(render(tree))
