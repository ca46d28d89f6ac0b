"""Locate the JSON Schemas that the compiler and the IDE share.

`schemas/` at the repository root is the single source. A source checkout (editable or
dev install) reads it in place; a built distribution carries a byte-for-byte copy as
`alur_compiler/schemas/`, made by the build (`setup.py`), never edited by hand.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable that points alurc at another schemas/ folder (tests, packaging).
SCHEMA_DIR_ENV = "ALURC_SCHEMA_DIR"
ENTRY_SCHEMA = "alur.schema.json"

_PACKAGE = Path(__file__).resolve().parents[1]


def _candidates() -> list[Path]:
    override = os.environ.get(SCHEMA_DIR_ENV)
    candidates = [Path(override)] if override else []
    checkout = _PACKAGE.parent
    if (checkout / "pyproject.toml").is_file():  # a source checkout: schemas/ next to it
        candidates.append(checkout / "schemas")
    candidates.append(_PACKAGE / "schemas")  # the copy inside an installed package
    return candidates


def schema_dir() -> Path:
    """The schemas folder: $ALURC_SCHEMA_DIR, the repository's schemas/ when alurc runs from
    a source checkout, else the copy inside the installed package."""
    candidates = _candidates()
    for candidate in candidates:
        if (candidate / ENTRY_SCHEMA).is_file():
            return candidate
    searched = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"alurc's JSON Schemas are missing (looked in {searched})")


def schema_files() -> list[Path]:
    """Every schema file, sorted by name (alur.schema.json and the files it refers to)."""
    return sorted(schema_dir().glob("*.schema.json"))
