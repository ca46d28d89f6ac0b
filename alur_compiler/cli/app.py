"""The Typer application object and the process entry point."""

from __future__ import annotations

import ast
import os
import re
import sys
from typing import Any

import typer
from typer._click.core import Context
from typer._click.exceptions import BadParameter
from typer.core import TyperGroup

from alur_compiler import console
from alur_compiler.diagnostics.suggest import UnknownName

_NOT_A_CHOICE = re.compile(r"(?P<given>'[^']*'|\"[^\"]*\") is not one of (?P<choices>.+?)\.?$")


def suggest_choice(exc: BadParameter) -> None:
    """A value outside an option's choices gets the wording of every unknown name
    (diagnostics/suggest.py): `unknown format 'dott' (did you mean 'dot'?)`."""
    found = _NOT_A_CHOICE.search(exc.message)
    if found is None or exc.param is None:
        return
    given = ast.literal_eval(found.group("given"))
    choices = re.findall(r"'([^']*)'", found.group("choices"))
    noun = max(exc.param.opts, key=len, default=str(exc.param.name)).lstrip("-")
    unknown = UnknownName(noun.replace("-", " "), given, choices)
    exc.message = f"{unknown.message}; {unknown.hint}"


class AlurcGroup(TyperGroup):
    """The command group; bad choices get a did-you-mean (Typer names unknown commands)."""

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except BadParameter as exc:
            suggest_choice(exc)
            raise


app = typer.Typer(
    cls=AlurcGroup,
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
