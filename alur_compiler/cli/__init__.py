"""The `alurc` command line: parse arguments, call the API, render. No logic lives here.

Commands are grouped in small modules that register on the one Typer `app`:
frontend (validate, compile, graph, lineage), scaffold (init), local (run), deploy
(bootstrap, plan, apply, destroy, logs), test_cmd (test), show (show, query),
schedule_cmd (schedule), cost_cmd (cost), docs_cmd (docs).
"""

from __future__ import annotations

import importlib

from alur_compiler.cli.app import app, main

_COMMANDS = (
    "frontend",
    "scaffold",
    "local",
    "deploy",
    "test_cmd",
    "show",
    "schedule_cmd",
    "cost_cmd",
    "docs_cmd",
)
for _module in _COMMANDS:
    try:
        importlib.import_module(f"alur_compiler.cli.{_module}")
    except ModuleNotFoundError as exc:  # a command group not written yet
        if exc.name != f"alur_compiler.cli.{_module}":
            raise

__all__ = ["app", "main"]
