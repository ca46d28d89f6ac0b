"""Node selection for `--select` / `--exclude` (specs/selection.md): parse, then resolve."""

from __future__ import annotations

from pathlib import Path

from alur_compiler.ir import Project
from alur_compiler.selection.grammar import Item, Selection, SelectorError, parse_selection
from alur_compiler.selection.resolve import Resolver


def select_jobs(
    project: Project, select: list[str], exclude: list[str], cwd: Path | None = None
) -> list[str]:
    """Names of the jobs `select` minus `exclude` names (all when `select` is empty).
    Raises SelectorError or diagnostics.suggest.UnknownName (both carry message and hint)."""
    return Resolver(project, cwd).jobs(parse_selection(select), parse_selection(exclude))


def select_tables(
    project: Project, select: list[str], exclude: list[str], cwd: Path | None = None
) -> list[str]:
    """Names of the tables the selection names (targets of selected jobs, and tables
    without a writer that it names directly)."""
    return Resolver(project, cwd).table_names(parse_selection(select), parse_selection(exclude))


__all__ = [
    "Item",
    "Resolver",
    "Selection",
    "SelectorError",
    "parse_selection",
    "select_jobs",
    "select_tables",
]
