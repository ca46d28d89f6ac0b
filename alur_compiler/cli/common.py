"""Shared CLI plumbing: output format, colour, diagnostics rendering, project loading."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from alur_compiler.diagnostics import Diagnostics
from alur_compiler.diagnostics.render import render_github, render_json, render_text, summary


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


def use_color(stream: object = sys.stderr) -> bool:
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def report(diags: Diagnostics, files: dict[str, str], fmt: OutputFormat) -> None:
    """Print diagnostics: text to stderr, json to stdout, github annotations to stdout."""
    items = diags.sorted()
    if fmt is OutputFormat.json:
        typer.echo(render_json(items))
        return
    if fmt is OutputFormat.github:
        if items:
            typer.echo(render_github(items))
        return
    if items:
        typer.echo(render_text(items, files, color=use_color()), err=True)
        typer.echo(summary(items), err=True)


def fail_usage(message: str, hint: str | None = None) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    if hint:
        typer.echo(f"  hint: {hint}", err=True)
    raise typer.Exit(2)


def exit_code(diags: Diagnostics) -> int:
    return 1 if diags.has_errors else 0
