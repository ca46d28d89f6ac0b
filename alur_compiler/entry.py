"""The `alurc` console entry point.

`alurc compile` on an unchanged project is answered here, before the CLI framework, the
schema library or any backend is imported (see fastpath.py); everything else goes to the
Typer application.
"""

from __future__ import annotations

import sys
from pathlib import Path


def _fast_compile(args: list[str]) -> bool:
    """Handle `compile [DIR] [--out D] [--check]` when nothing changed; False otherwise."""
    if not args or args[0] != "compile":
        return False
    folder, out, rest = ".", None, args[1:]
    while rest:
        arg = rest.pop(0)
        if arg in ("--out", "-o") and rest:
            out = rest.pop(0)
        elif arg == "--check":
            continue
        elif arg.startswith("-") or folder != ".":
            return False  # anything unusual: let the full CLI parse it
        else:
            folder = arg
    from alur_compiler.fastpath import up_to_date
    from alur_compiler.load.discover import find_root

    root = find_root(Path(folder))
    if root is None:
        return False
    target = Path(out).resolve() if out else root / "build"
    if not up_to_date(root, target):
        return False
    sys.stderr.write(f"up to date: {target}\n")
    return True


def main() -> None:
    if _fast_compile(sys.argv[1:]):
        sys.exit(0)
    from alur_compiler.cli import main as cli_main

    cli_main()
