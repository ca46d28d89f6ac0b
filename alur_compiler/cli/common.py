"""Shared CLI plumbing: output format, colour, diagnostics rendering, project loading."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from alur_compiler import console
from alur_compiler.diagnostics import Diagnostics


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", help="How to report diagnostics: text, json or github."),
]
ProjectDir = Annotated[
    Path,
    typer.Argument(help="Project folder (holding alur.yaml) or any folder below it."),
]


def report(diags: Diagnostics, files: dict[str, str], fmt: OutputFormat) -> None:
    """Print diagnostics: text to stderr, json to stdout, github annotations to stdout."""
    console.report(diags, files, fmt.value)


def fail_usage(message: str, hint: str | None = None) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    if hint:
        typer.echo(f"  hint: {hint}", err=True)
    raise typer.Exit(2)


def exit_code(diags: Diagnostics) -> int:
    return 1 if diags.has_errors else 0
