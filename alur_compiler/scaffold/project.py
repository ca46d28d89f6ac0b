"""Create a new project folder: specs, sample landing data, .gitignore and VS Code settings."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from string import Template
from typing import Any

from alur_compiler.scaffold.templates import FILES
from alur_compiler.schema.files import ENTRY_SCHEMA, schema_files

NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
NAME_MAX = 64
#: Where `alurc init` copies the schemas, versioned with the project (unlike the ignored
#: .alur/). The copy is of the very files the running alurc validates with (`schema_files()`:
#: the repository's schemas/ in a checkout, the package's copy in an installed wheel), so
#: the IDE and the compiler read the same schema. A relative path inside the project, not
#: one into a site-packages folder: the settings work on every clone and machine, with or
#: without alurc installed at the same place.
SCHEMA_FOLDER = ".vscode/alur-schemas"
#: The spec files the IDE should validate with the schemas (yaml-language-server globs).
SPEC_GLOBS = (
    "alur.yaml",
    "contracts/**/*.yaml",
    "contracts/**/*.yml",
    "ingestions/**/*.yaml",
    "ingestions/**/*.yml",
    "pipelines/**/*.yaml",
    "pipelines/**/*.yml",
    "tests/**/*.yaml",
    "tests/**/*.yml",
)


class InitError(Exception):
    """A user mistake: `exit_code` 2 for a bad argument, 1 for a target that cannot be used."""

    def __init__(self, message: str, hint: str | None = None, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.exit_code = exit_code


def suggest_name(name: str) -> str:
    """A valid project name close to `name` (`My-Shop` -> `my_shop`)."""
    cleaned = re.sub(r"[^a-z0-9_]+", "_", name.strip().lower()).strip("_")
    cleaned = re.sub(r"_+", "_", cleaned)
    if not cleaned or not cleaned[0].isalpha():
        cleaned = f"project_{cleaned}".rstrip("_")
    return cleaned[:NAME_MAX]


def check_name(name: str) -> InitError | None:
    """None if `name` is a valid project name, else the error to show (exit code 2)."""
    if NAME_RE.match(name) and len(name) <= NAME_MAX:
        return None
    if len(name) > NAME_MAX:
        problem = f"project name is {len(name)} characters long (at most {NAME_MAX})"
    else:
        problem = f"invalid project name {name!r}"
    hint = (
        "use a lower case letter first, then lower case letters, digits or '_'"
        f" (for example {suggest_name(name)!r})"
    )
    return InitError(problem, hint=hint, exit_code=2)


def bucket_prefix(name: str) -> str:
    """An S3-safe prefix for bucket names: dashes instead of underscores, short enough."""
    return name.replace("_", "-")[:40].strip("-")


def vscode_settings() -> dict[str, Any]:
    """`.vscode/settings.json`: map the copied schemas (SCHEMA_FOLDER, written by
    init_project next to it, so every path here exists) onto the spec files."""
    return {
        "yaml.schemas": {f"./{SCHEMA_FOLDER}/{ENTRY_SCHEMA}": list(SPEC_GLOBS)},
        "yaml.validate": True,
        "yaml.completion": True,
        "yaml.hover": True,
    }


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise InitError(f"{target} exists and is not a folder", hint="choose another NAME or --dir")
    if target.is_dir() and any(target.iterdir()):
        raise InitError(
            f"{target} is not empty; alurc init never overwrites files",
            hint="choose a new folder name, or empty this one first",
        )


def _write(path: Path, text: str, written: list[Path]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    written.append(path)


def init_project(target: Path, name: str) -> list[Path]:
    """Create a working project `name` in `target` (missing or empty); return the files
    written, sorted. Raises InitError for a bad name (exit 2) or a non-empty target (exit 1)."""
    error = check_name(name)
    if error is not None:
        raise error
    _check_target(target)
    values = {"name": name, "prefix": bucket_prefix(name)}
    written: list[Path] = []
    for relative, template in sorted(FILES.items()):
        _write(target / relative, Template(template).substitute(values), written)
    settings = json.dumps(vscode_settings(), indent=2, sort_keys=False) + "\n"
    _write(target / ".vscode" / "settings.json", settings, written)
    for schema in schema_files():
        destination = target / SCHEMA_FOLDER / schema.name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(schema, destination)
        written.append(destination)
    return sorted(written)
