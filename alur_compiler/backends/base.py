"""What a backend is: IR in, artifacts out. Backends import only the IR and diagnostics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from alur_compiler.diagnostics import Diagnostics
from alur_compiler.ir import Project


@dataclass(frozen=True)
class Artifact:
    """One generated file. `path` is POSIX and relative to the build folder."""

    path: str
    content: bytes


class Backend(Protocol):
    name: str  # also the build sub-folder it owns, e.g. "glue"

    def generate(self, project: Project, diags: Diagnostics) -> list[Artifact]:
        """Lower the project into files; report problems (AL5xx) instead of raising."""
        ...
