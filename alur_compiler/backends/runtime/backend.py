"""The runtime backend: `runtime/alur_runtime-<version>-py3-none-any.whl`, once per build.

Every generated job imports `alur_runtime`; this wheel is what Glue installs
(`--additional-python-modules`, uploaded once per environment by the Terraform stack) and
what `alurc run --local` imports. Its sha256 is in manifest.json like every other file.
"""

from __future__ import annotations

from alur_compiler.backends.base import Artifact
from alur_compiler.backends.runtime.wheel import build_wheel
from alur_compiler.diagnostics import Diagnostics
from alur_compiler.ir import Project

FOLDER = "runtime"


class RuntimeBackend:
    """The job runtime as one deterministic wheel (nothing depends on the project)."""

    name = FOLDER

    def generate(self, project: Project, diags: Diagnostics) -> list[Artifact]:
        if not project.jobs:
            return []
        name, data = build_wheel()
        return [Artifact(f"{FOLDER}/{name}", data)]
