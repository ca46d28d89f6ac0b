"""The `alurc` console entry point.

A plain `alurc compile [DIR] [--out D] [--check]` is served here without the CLI framework
(Typer, Click, Rich: ~0.1 s of imports): an unchanged project is answered from the
recompile cache (fastpath.py) before even the schema library, the SQL parser or a backend
is imported, and any other such compile runs straight through `console.compile_and_report`,
the same function the Typer command calls. Everything else goes to the Typer application.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn


def _plain_compile(args: list[str]) -> tuple[str, str | None, bool] | None:
    """(folder, out, check) for `compile [DIR] [--out D] [--check]`; None for anything else."""
    if not args or args[0] != "compile":
        return None
    folder, out, check, rest = ".", None, False, args[1:]
    while rest:
        arg = rest.pop(0)
        if arg in ("--out", "-o") and rest and out is None:
            out = rest.pop(0)
        elif arg == "--check":
            check = True
        elif arg.startswith("-") or folder != ".":
            return None  # anything unusual: let the full CLI parse it
        else:
            folder = arg
    return folder, out, check


def _up_to_date(folder: str, out: str | None) -> bool:
    import gc

    gc.disable()  # the check allocates ~200,000 objects (compile.json) and frees none
    try:
        return _check_up_to_date(folder, out)
    finally:
        gc.enable()


def _check_up_to_date(folder: str, out: str | None) -> bool:
    from alur_compiler.fastpath import up_to_date
    from alur_compiler.load.spec_paths import find_root

    root = find_root(Path(folder))
    if root is None:
        return False
    target = Path(out).resolve() if out else root / "build"
    if not up_to_date(root, target):
        return False
    sys.stderr.write(f"up to date: {target}\n")
    return True


def _hard_exit(code: int) -> NoReturn:
    """Exit without tearing the interpreter down, as mypy does after a run: freeing a
    compile's objects one by one, then collecting them, costs 0.3 s at 1,000 pipelines for
    nothing (the shards and SQL workers are joined by now, no atexit hook has work left).
    The output is flushed first; if that fails, the ordinary exit reports it as before."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)
    os._exit(code)


def main() -> None:
    plain = _plain_compile(sys.argv[1:])
    if plain is not None:
        folder, out, check = plain
        if _up_to_date(folder, out):
            sys.exit(0)
        from alur_compiler import console

        try:
            code = console.compile_and_report(
                Path(folder), Path(out) if out else None, check, "text"
            )
        except KeyboardInterrupt:
            sys.stderr.write("interrupted\n")
            code = 130
        except Exception as exc:  # the last line of defence: an internal error, AL901
            code = console.internal_error(exc)
        _hard_exit(code)
    from alur_compiler.cli import main as cli_main

    cli_main()
