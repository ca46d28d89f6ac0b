"""Which job runtime the generated jobs run on: the `alur_runtime` package beside alurc.

The glue scripts import it, the runtime backend packs it into
`build/runtime/<wheel_file()>`, the Terraform stack uploads that file once per environment
and names it in every job's `--additional-python-modules`. Its version is read from the
package's source, never by importing it (the local runner imports the runtime from the
built wheel, not from here).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

PACKAGE = "alur_runtime"
TAG = "py3-none-any"
#: the build sub-folder (and artifacts-bucket prefix) that holds the wheel
FOLDER = "runtime"


def runtime_dir() -> Path:
    """The runtime package's source folder, beside alur_compiler (repo or site-packages)."""
    folder = Path(__file__).resolve().parents[2] / PACKAGE
    if not (folder / "__init__.py").is_file():
        raise FileNotFoundError(f"the alur_runtime package is missing (looked in {folder})")
    return folder


@cache
def runtime_version(folder: Path | None = None) -> str:
    """`__version__` of alur_runtime (or of the copy in `folder`), read from `__init__.py`."""
    text = ((folder or runtime_dir()) / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([^"]+)"$', text, re.MULTILINE)
    if found is None:
        raise ValueError("alur_runtime/__init__.py has no __version__ line")
    return found.group(1)


def wheel_file(version: str | None = None) -> str:
    """The wheel's file name (PEP 427): alur_runtime-<version>-py3-none-any.whl."""
    return f"{PACKAGE}-{version or runtime_version()}-{TAG}.whl"


def wheel_path() -> str:
    """The wheel's path in the build folder and its key in the artifacts bucket."""
    return f"{FOLDER}/{wheel_file()}"
