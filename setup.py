"""Build hook: ship the repository's JSON Schemas inside the package.

`schemas/` at the repository root is the single source of the schemas (the compiler, the
IDE and the tests read it there in a checkout). A built wheel has no repository next to
it, so `build_py` copies `schemas/*.json`, sorted and byte for byte, to
`alur_compiler/schemas/` in the build folder; nothing is generated into the source tree.
An editable install copies nothing: it reads `schemas/` in place. Everything else about
the package is in pyproject.toml.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SOURCE = ROOT / "schemas"
TARGET = ("alur_compiler", "schemas")  # where alur_compiler.schema.files looks when installed


class BuildPyWithSchemas(build_py):
    """build_py, then copy schemas/*.json into the built package."""

    def _schema_copies(self) -> list[tuple[Path, Path]]:
        sources = sorted(SOURCE.glob("*.json"))
        if not sources:
            raise FileNotFoundError(f"no JSON Schemas in {SOURCE}: the package needs them")
        target = Path(self.build_lib, *TARGET)
        return [(source, target / source.name) for source in sources]

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        for source, destination in self._schema_copies():
            self.mkpath(str(destination.parent))
            # copy the bytes only: no mode bits or times from the checkout
            self.copy_file(str(source), str(destination), preserve_mode=False, preserve_times=False)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        if not self.editable_mode:
            outputs += [str(destination) for _, destination in self._schema_copies()]
        return outputs


setup(cmdclass={"build_py": BuildPyWithSchemas})
