"""Locate the JSON Schemas (schemas/*.json) that the compiler and the IDE share."""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable that points alurc at another schemas/ folder (tests, packaging).
SCHEMA_DIR_ENV = "ALURC_SCHEMA_DIR"
ENTRY_SCHEMA = "alur.schema.json"


def schema_dir() -> Path:
    """The schemas/ folder: $ALURC_SCHEMA_DIR, the repository root next to the package
    (editable install), or a copy inside the package (built distribution)."""
    override = os.environ.get(SCHEMA_DIR_ENV)
    package = Path(__file__).resolve().parents[1]
    candidates = [Path(override)] if override else []
    candidates += [package.parent / "schemas", package / "schemas"]
    for candidate in candidates:
        if (candidate / ENTRY_SCHEMA).is_file():
            return candidate
    searched = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"alurc's JSON Schemas are missing (looked in {searched})")


def schema_files() -> list[Path]:
    """Every schema file, sorted by name (alur.schema.json and the files it refers to)."""
    return sorted(schema_dir().glob("*.schema.json"))
