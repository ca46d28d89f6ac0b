"""Import layers (DESIGN.md §3, §7): the contracts in `.importlinter`, checked by import-linter.

- compiler layers: diagnostics < load < schema < semantic < ir < backends < outputs/emit
  < api < cli (a lower layer never imports a higher one, directly or through others);
- backends are independent: a backend imports the IR and diagnostics, never another backend;
- the runtime (`alur_runtime`) imports nothing from `alur_compiler`.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".importlinter"


def test_import_contracts_are_kept() -> None:
    """In a fresh interpreter: tests earlier in the run import alur_runtime from build
    wheels (zip files), and import-linter, finding that module, cannot walk a zip."""
    pytest.importorskip("importlinter.cli")
    import subprocess
    import sys

    code = "import sys; from importlinter.cli import lint_imports as li\n"
    code += f"sys.exit(li(config_filename={str(CONFIG)!r}, no_cache=True))"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "BROKEN" not in proc.stdout and "5 kept, 0 broken" in proc.stdout, proc.stdout


def test_every_layer_named_in_the_contract_exists() -> None:
    """A renamed package must not turn a contract into a silent no-op."""
    text = CONFIG.read_text(encoding="utf-8")
    for name in ("cli", "api", "outputs", "emit", "backends", "ir", "semantic", "schema"):
        assert f"alur_compiler.{name}" in text
        assert (ROOT / "alur_compiler" / name).exists() or (
            ROOT / "alur_compiler" / f"{name}.py"
        ).exists(), name
    assert (ROOT / "alur_compiler" / "load" / "__init__.py").exists()


def test_runtime_imports_no_compiler_code() -> None:
    """Also without import-linter: no module of alur_runtime imports alur_compiler."""
    runtime = ROOT / "alur_runtime"
    if not runtime.is_dir():
        pytest.skip("alur_runtime does not exist yet")
    bad = []
    for path in sorted(runtime.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            bad += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "alur_compiler"]
    assert not bad, bad


def test_the_contracts_catch_each_kind_of_violation(tmp_path: Path) -> None:
    """A copy of the packages with one bad import per contract: every contract breaks."""
    pytest.importorskip("importlinter.cli")
    import shutil
    import subprocess
    import sys

    for package in ("alur_compiler", "alur_runtime"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copyfile(CONFIG, tmp_path / ".importlinter")
    inject = {
        "alur_compiler/ir/graph.py": "import alur_compiler.cli.app",  # lower imports higher
        "alur_compiler/backends/glue/sql.py": "import alur_compiler.backends.terraform",
        "alur_compiler/backends/runtime/wheel.py": "import alur_compiler.load.discover",
        "alur_runtime/state.py": "import alur_compiler.ir",
        "alur_compiler/docs_site/dag.py": "import alur_compiler.emit",
    }
    for rel, line in inject.items():
        path = tmp_path / rel
        path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", "utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    code = "import sys; from importlinter.cli import lint_imports as li\n"
    code += "sys.exit(li(no_cache=True))"
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.count("BROKEN") == 5, proc.stdout


def test_starting_the_cli_imports_no_runtime_module() -> None:
    """`run --local` must import alur_runtime from the build's wheel only (local/wheel.py):
    a CLI module importing it at start-up would load another copy first (and breaks an
    install where only the wheel may provide it, tests/integration/test_wheel_install.py)."""
    code = (
        "import sys, alur_compiler.cli, alur_compiler.api;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'alur_runtime');"
        "print(bad); raise SystemExit(1 if bad else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
