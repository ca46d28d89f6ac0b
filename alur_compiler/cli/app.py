"""The Typer application object and the process entry point."""

from __future__ import annotations

import os
import sys

import typer

from alur_compiler import console

app = typer.Typer(
    name="alurc",
    help="alurc compiles YAML lakehouse specs into Glue jobs, GX suites and Terraform.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from alur_compiler import __version__

        typer.echo(f"alurc {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    debug: bool = typer.Option(
        False, "--debug", help="Show a traceback for internal errors (accepted anywhere)."
    ),
) -> None:
    """alurc compiles YAML lakehouse specs into Glue jobs, GX suites and Terraform.

    Add --debug to any command to see a traceback for internal errors.
    """


def main() -> None:
    """Console-script entry: user mistakes exit 1/2 with a message, never a traceback."""
    debug = "--debug" in sys.argv
    if debug:
        sys.argv.remove("--debug")
        os.environ["ALURC_DEBUG"] = "1"
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except Exception as exc:  # the last line of defence: an internal error, AL901
        if debug:
            raise
        sys.exit(console.internal_error(exc))
