"""`--select` / `--exclude` options shared by run, graph and show (specs/selection.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from alur_compiler.cli.common import fail_usage
from alur_compiler.diagnostics.suggest import UnknownName
from alur_compiler.ir import Project
from alur_compiler.selection import SelectorError, select_jobs, select_tables

SelectOption = Annotated[
    list[str] | None,
    typer.Option(
        "--select",
        "-s",
        help="NAME, +NAME (with upstreams), NAME+ (downstreams), 2+NAME, NAME+1, "
        "layer:L, tag:T, path:P; a,b = both; repeat or space-separate for either.",
    ),
]
ExcludeOption = Annotated[
    list[str] | None, typer.Option("--exclude", help="Leave these out (same syntax).")
]


def jobs_or_exit(
    project: Project, select: list[str] | None, exclude: list[str] | None
) -> list[str]:
    """The selected job names; a bad selector exits 2 with its hint."""
    try:
        return select_jobs(project, select or [], exclude or [])
    except (UnknownName, SelectorError) as exc:
        fail_usage(exc.message, exc.hint)


def tables_or_exit(
    project: Project, select: list[str] | None, exclude: list[str] | None
) -> list[str]:
    """The selected table names; a bad selector exits 2 with its hint."""
    try:
        return select_tables(project, select or [], exclude or [])
    except (UnknownName, SelectorError) as exc:
        fail_usage(exc.message, exc.hint)
