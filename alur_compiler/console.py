"""Terminal output shared by the Typer CLI and the entry point's fast lane (no Typer here).

Results go to stdout (`compiled ...`, `up to date: ...`, `ok: ...`, graphs, tables, JSON
and GitHub annotations); diagnostics, progress and errors to stderr (specs/README.md,
"Output").

`alurc compile` is what CI and editors run most, so the entry point serves a plain
`alurc compile [DIR] [--out D] [--check]` without importing the CLI framework; both paths
print through these functions, so their output is the same.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from alur_compiler.diagnostics import Diagnostics
from alur_compiler.diagnostics.words import count


def use_color(stream: object = sys.stderr) -> bool:
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def err(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def out(message: str) -> None:
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


def report(diags: Diagnostics, files: dict[str, str], fmt: str) -> None:
    """Print diagnostics: text to stderr, json to stdout, github annotations to stdout."""
    from alur_compiler.diagnostics.render import render_github, render_json, render_text, summary

    items = diags.sorted()
    if fmt == "json":
        out(render_json(items))
    elif fmt == "github":
        if items:
            out(render_github(items))
    elif items:
        err(render_text(items, files, color=use_color()))
        err(summary(items))


def compile_and_report(path: Path, build: Path | None, check: bool, fmt: str) -> int:
    """`alurc compile`: compile (or check), print what happened, return the exit code."""
    from alur_compiler import api

    result = api.compile_project(path, build, check=check)
    report(result.diagnostics, result.files, fmt)
    if result.diagnostics.has_errors:
        return 1
    assert result.out is not None
    if result.stale is not None:
        stale = result.stale
        for label, paths in (
            ("changed", stale.changed),
            ("missing", stale.missing),
            ("not generated any more", stale.extra),
        ):
            for rel in paths:
                err(f"stale: {result.out / rel} ({label})")
        if stale.stale:
            err(f"{result.out} is out of date: run `alurc compile`")
            return 1
        out(f"up to date: {result.out}")
        return 0
    emitted = result.emitted
    assert emitted is not None
    if result.up_to_date:
        out(f"up to date: {result.out}")
        return 0
    out(
        f"compiled {count(len(result.generated), 'file')} into {result.out} "
        f"({len(emitted.written)} written, {len(emitted.unchanged)} unchanged, "
        f"{len(emitted.removed)} removed)"
    )
    return 0


def internal_error(exc: BaseException) -> int:
    """Print AL901 for an exception that escaped (a bug); the exit code is 3."""
    from alur_compiler.diagnostics.render import escape_control

    err(
        f"error[AL901]: internal error: {type(exc).__name__}: {escape_control(str(exc))}\n"
        "  hint: this is a bug in alurc; re-run with --debug for a traceback and report it"
    )
    return 3
