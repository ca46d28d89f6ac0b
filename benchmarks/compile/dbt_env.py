"""dbt-core + dbt-duckdb in their own virtual environment, `.venv-dbt/` at the repo root.

Pinned by requirements-dbt.txt (the whole resolved closure), never mixed into `.venv`.
Every dbt call gets an environment with anonymous usage stats and the version check off, so
a benchmark run sends nothing anywhere (installing is the only network use).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
REQUIREMENTS = HERE / "requirements-dbt.txt"
VENV = REPO / ".venv-dbt"
STAMP = VENV / ".bench-installed"


def dbt_executable(venv: Path = VENV) -> Path:
    return venv / "bin" / "dbt"


def _requirements_hash() -> str:
    return hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()


def ensure_dbt(venv: Path = VENV, quiet: bool = True) -> Path:
    """Create/refresh the dbt venv when missing or its pins changed; returns the dbt binary."""
    stamp = venv / STAMP.name
    wanted = _requirements_hash()
    if dbt_executable(venv).exists() and stamp.exists() and stamp.read_text() == wanted:
        return dbt_executable(venv)
    print(
        f"setting up {venv} (dbt-core + dbt-duckdb, pinned in {REQUIREMENTS.name}) ...",
        file=sys.stderr,
        flush=True,
    )
    python = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "pip"), "install", "--disable-pip-version-check"]
    subprocess.run([*pip, *(["-q"] if quiet else []), "-r", str(REQUIREMENTS)], check=True)
    stamp.write_text(wanted)
    return dbt_executable(venv)


def dbt_env() -> dict[str, str]:
    """The caller's environment with dbt's telemetry and version check switched off."""
    env = dict(os.environ)
    env.update(
        {
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DBT_VERSION_CHECK": "false",
            "DBT_USE_COLORS": "false",
            "DO_NOT_TRACK": "1",
        }
    )
    env.pop("VIRTUAL_ENV", None)
    return env


def dbt_version(dbt: Path) -> str:
    """`dbt-core X / dbt-duckdb Y` read from the venv's metadata (no network)."""
    python = dbt.parent / "python"
    code = (
        "from importlib.metadata import version as v; "
        "print(f\"dbt-core {v('dbt-core')} / dbt-duckdb {v('dbt-duckdb')}\")"
    )
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()
