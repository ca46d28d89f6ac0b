"""`alurc init NAME`: scaffold a new project."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from alur_compiler.cli.app import app
from alur_compiler.scaffold import InitError, init_project


def _fail(error: InitError) -> None:
    typer.echo(f"error: {error.message}", err=True)
    if error.hint:
        typer.echo(f"  hint: {error.hint}", err=True)
    raise typer.Exit(error.exit_code)


@app.command("init")
def init_command(
    name: Annotated[str, typer.Argument(help="Project name: lower case, digits and '_'.")],
    directory: Annotated[
        Path | None,
        typer.Option("--dir", "-d", help="Folder to create (default: ./NAME). Must be empty."),
    ] = None,
) -> None:
    """Scaffold a project: alur.yaml, contracts, ingestion, pipelines, sample data,
    .gitignore and VS Code schema settings."""
    target = directory if directory is not None else Path(name)
    try:
        written = init_project(target, name)
    except InitError as error:
        _fail(error)
        return
    shown = os.path.relpath(target)
    for path in written:
        if ".vscode/alur-schemas" not in path.as_posix():
            typer.echo(f"  created {Path(os.path.relpath(path)).as_posix()}")
    typer.echo(f"  created {Path(shown).as_posix()}/.vscode/alur-schemas/ (JSON Schemas)")
    typer.echo(f"\nProject {name!r} is ready. Next:")
    typer.echo(f"  cd {shown}\n  alurc validate\n  alurc run --local")
